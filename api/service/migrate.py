"""Alembic migrations shipped in the package (``api/service/migrations``), run on startup and by tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from api.service.db import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(database: Database) -> Config:
    """An Alembic configuration for ``database`` (no ini file: the location is the package's)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database.url.replace("%", "%%"))
    config.attributes["engine"] = database.engine
    return config


def upgrade(database: Database, revision: str = "head") -> None:
    """Migrate ``database`` up to ``revision`` (default: the latest)."""
    command.upgrade(alembic_config(database), revision)


def downgrade(database: Database, revision: str = "base") -> None:
    """Migrate ``database`` down to ``revision`` (default: nothing left)."""
    command.downgrade(alembic_config(database), revision)


def current_revision(database: Database) -> str | None:
    """The revision ``database`` is at (None before the first migration)."""
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The latest revision shipped."""
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()
