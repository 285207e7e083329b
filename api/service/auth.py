"""API keys (stored as SHA-256 digests) and the workspace a request acts for.

A key goes in ``X-API-Key`` or ``Authorization: Bearer``; without a valid one the answer is 401.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.service.models import ApiKey, Workspace
from api.service.problems import ProblemError

KEY_PREFIX = "pmo_"
DEFAULT_WORKSPACE = "default"

api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="An API key from `pmo keys create`."
)
bearer = HTTPBearer(auto_error=False, description="The same API key as a bearer token.")


def key_digest(key: str) -> str:
    """The stored form of a key (keys are random, so a plain digest cannot be guessed back)."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class WorkspaceRef:
    """The workspace a request acts for."""

    id: str
    name: str


def ensure_workspace(session: Session, name: str) -> Workspace:
    """The workspace called ``name``, created when missing (the caller commits)."""
    found = session.scalar(select(Workspace).where(Workspace.name == name))
    if found is not None:
        return found
    workspace = Workspace(name=name)
    session.add(workspace)
    session.flush()
    return workspace


def create_key(session: Session, workspace_name: str = DEFAULT_WORKSPACE) -> str:
    """A new API key for ``workspace_name`` (created when missing); only its digest is stored.

    Parameters
    ----------
    session
        A writing session; committed here.
    workspace_name
        The workspace the key acts for.

    Returns
    -------
    str
        The key, shown once: it cannot be read back from the database.
    """
    workspace = ensure_workspace(session, workspace_name)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiKey(workspace_id=workspace.id, key_hash=key_digest(key), prefix=key[:12]))
    session.commit()
    return key


def workspace_of_key(session: Session, key: str) -> WorkspaceRef | None:
    """The workspace of ``key``, or None when it is unknown or revoked."""
    row = session.execute(
        select(Workspace.id, Workspace.name)
        .join(ApiKey, ApiKey.workspace_id == Workspace.id)
        .where(ApiKey.key_hash == key_digest(key), ApiKey.revoked_at.is_(None))
    ).first()
    return WorkspaceRef(row.id, row.name) if row is not None else None


def current_workspace(
    request: Request,
    api_key: Annotated[str | None, Security(api_key_header)],
    token: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> WorkspaceRef:
    """The workspace of the request's key.

    Raises
    ------
    ProblemError
        401 without a key or with an unknown one.
    """
    key = api_key or (token.credentials if token is not None else None)
    challenge = {"WWW-Authenticate": 'Bearer realm="pmo"'}
    if not key:
        raise ProblemError(
            401, "an API key is required (X-API-Key or Authorization: Bearer)", headers=challenge
        )
    with request.app.state.database.read() as session:
        workspace = workspace_of_key(session, key)
    if workspace is None:
        raise ProblemError(401, "unknown or revoked API key", headers=challenge)
    return workspace


CurrentWorkspace = Annotated[WorkspaceRef, Depends(current_workspace)]
