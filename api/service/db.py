"""Engines and sessions: SQLite (WAL, busy timeout, ``BEGIN IMMEDIATE`` for writes) or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000  # writers queue behind each other instead of failing at once
BEGIN_OPTION = "pmo_begin"


def normalised_url(url: str) -> str:
    """``url`` with the psycopg 3 driver named for a bare ``postgresql://`` URL."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    """Whether ``url`` names a SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def _prepare_sqlite_file(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # the driver's own transaction handling would start deferred transactions: we issue BEGIN
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # a deferred transaction that later writes can still fail with SQLITE_BUSY: writers lock first
        mode = connection.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (a SQLite file's folder is created when missing).

    Parameters
    ----------
    url
        SQLAlchemy URL; ``postgresql://`` uses psycopg 3.
    """
    url = normalised_url(url)
    if is_sqlite(url):
        _prepare_sqlite_file(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _sqlite_events(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    """One database: sessions for reading and sessions for writing.

    On SQLite a writing session starts with ``BEGIN IMMEDIATE`` (it takes the write lock
    first); on PostgreSQL both are ordinary transactions.
    """

    def __init__(self, url: str) -> None:
        self.url = normalised_url(url)
        self.engine = make_engine(self.url)
        self.sqlite = is_sqlite(self.url)
        writer = self.engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"}) if self.sqlite else self.engine
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(writer, expire_on_commit=False)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading (rolled back at the end)."""
        with self._reader() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session for writing: the caller commits; anything left uncommitted is rolled back."""
        with self._writer() as session:
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
