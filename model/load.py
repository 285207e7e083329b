"""Parsing and validating contract documents with path-precise errors."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from model.portfolio import Portfolio
from model.rules import Issue, reference_issues

ModelT = TypeVar("ModelT", bound=BaseModel)


class InvalidInput(Exception):
    """The input broke the schema or a cross-reference rule.

    Attributes
    ----------
    issues
        Every problem found, each with its JSON path.
    """

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


def format_loc(loc: Sequence[int | str]) -> str:
    """Turn a pydantic location tuple into a JSON path like ``projects[2].tasks[5].id``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _clean_message(message: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def issues_from_validation_error(exc: ValidationError, prefix: str = "") -> list[Issue]:
    """Path-precise issues from a pydantic :class:`ValidationError`."""
    issues = []
    for err in exc.errors(include_url=False):
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        path = format_loc(loc)
        if prefix:
            path = f"{prefix}.{path}" if path else prefix
        message = _clean_message(err["msg"])
        if err["type"] == "extra_forbidden":
            message = f"unknown field '{loc[-1]}'"
        issues.append(Issue(path, message))
    return issues


def read_json(source: str | bytes | Path) -> Any:
    """Read JSON text or a file path; a syntax error becomes an :class:`InvalidInput`."""
    if isinstance(source, Path):
        try:
            text: str | bytes = source.read_bytes()
        except OSError as exc:
            raise InvalidInput([Issue(str(source), f"cannot read file: {exc.strerror}")]) from exc
    else:
        text = source
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            [Issue("", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")]
        ) from exc


def parse_model(model: type[ModelT], data: Any) -> ModelT:
    """Validate ``data`` against a contract model, raising :class:`InvalidInput`."""
    if isinstance(data, (str, bytes, Path)):
        data = read_json(data)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(issues_from_validation_error(exc)) from None


def parse_portfolio(data: Any) -> Portfolio:
    """Validate a portfolio: schema first, then every cross-reference rule.

    Parameters
    ----------
    data
        A dict, JSON text or a :class:`~pathlib.Path` to a JSON file.

    Raises
    ------
    InvalidInput
        With every issue found, each naming its JSON path.
    """
    portfolio = parse_model(Portfolio, data)
    issues = reference_issues(portfolio)
    if issues:
        raise InvalidInput(issues)
    return portfolio
