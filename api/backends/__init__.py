"""Run backends the CLI and the service choose from: ``local`` (child processes) or ``ray``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from model.load import InvalidInput
from model.rules import Issue
from solver.planning.backend import LocalBackend, RunBackend

__all__ = ["ADDRESS_ENV", "BACKENDS", "BackendName", "backend_or_exit", "close_backend", "make_backend"]

BackendName = Literal["local", "ray"]
BACKENDS: tuple[str, ...] = ("local", "ray")
ADDRESS_ENV = "PMO_RAY_ADDRESS"


def make_backend(
    name: str, address: str | None = None, option: str = "--backend", token: str | None = None
) -> RunBackend:
    """The backend called ``name``; Ray connects to ``address`` (or ``$PMO_RAY_ADDRESS``), else starts locally.

    Parameters
    ----------
    name
        ``local`` or ``ray``.
    address
        A Ray cluster address (``HOST:PORT``, ``ray://HOST:PORT``); only with ``ray``.
    option
        How the choice is named in an error (``--backend``, ``backend``).
    token
        The Ray cluster's authentication token (default: Ray's own, ``$RAY_AUTH_TOKEN``).

    Raises
    ------
    InvalidInput
        An unknown name, or an address given to the local backend.
    """
    if name not in BACKENDS:
        raise InvalidInput([Issue(option, f"unknown backend '{name[:40]}' (one of {', '.join(BACKENDS)})")])
    if name == "local":
        if address:
            raise InvalidInput([Issue("--ray-address", "a Ray address needs --backend ray")])
        return LocalBackend()
    from api.backends.ray_backend import RayBackend

    return RayBackend(address or os.environ.get(ADDRESS_ENV) or None, token=token)


@contextmanager
def backend_or_exit(
    name: str, address: str | None, parallel: int | None, as_json: bool
) -> Iterator[RunBackend]:
    """The backend of a command's ``--backend``/``--ray-address``/``--parallel``, closed at the end.

    Invalid options end the command with exit 4 (the option named).
    """
    from api.cli import _fail_invalid

    try:
        if parallel is not None and parallel < 1:
            raise InvalidInput([Issue("--parallel", "must be 1 or more")])
        backend = make_backend(name, address)
    except InvalidInput as exc:
        _fail_invalid(exc, as_json)
    try:
        yield backend
    finally:
        close_backend(backend)


def close_backend(backend: RunBackend) -> None:
    """Release what the backend holds (a local Ray it started); nothing for the local backend."""
    close = getattr(backend, "close", None)
    if close is not None:
        close()
