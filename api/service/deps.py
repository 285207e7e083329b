"""The dependencies routes share: settings, database sessions (reading or writing), the workspace."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from api.service.auth import CurrentWorkspace as CurrentWorkspace
from api.service.db import Database
from api.service.settings import Settings
from model.load import InvalidInput, format_loc, read_json
from model.rules import Issue

MAX_NUL_ISSUES = 20


def nul_issues(data: Any) -> list[Issue]:
    """Where a string holds a NUL character, which no database column can store."""
    issues: list[Issue] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack and len(issues) < MAX_NUL_ISSUES:
        value, path = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                issues.append(Issue(format_loc(path), "a NUL character (\\u0000) is not allowed"))
        elif isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    issues.append(Issue(format_loc(path), "a key holds a NUL character (\\u0000)"))
                else:
                    stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, k)) for k, item in enumerate(value))
    return issues


def _read_document(raw: bytes) -> Any:
    data = read_json(raw)
    issues = nul_issues(data)
    if issues:
        raise InvalidInput(issues)
    return data


def get_settings(request: Request) -> Settings:
    """The application's settings."""
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    """The application's database."""
    database: Database = request.app.state.database
    return database


def read_session(database: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    """A session that only reads."""
    with database.read() as session:
        yield session


def write_session(database: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    """A session that writes (the route commits)."""
    with database.write() as session:
        yield session


async def json_body(request: Request) -> Any:
    """The request body as JSON, read within the contract's document limits (as the CLI reads files).

    Raises
    ------
    model.load.InvalidInput
        Not UTF-8, not JSON, past a document limit, or holding a NUL character (answered as 422).
    """
    raw = await request.body()
    return await run_in_threadpool(_read_document, raw)


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
ReadSession = Annotated[Session, Depends(read_session)]
WriteSession = Annotated[Session, Depends(write_session)]
JsonBody = Annotated[Any, Depends(json_body)]
