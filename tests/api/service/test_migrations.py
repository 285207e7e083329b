"""The shipped migrations: up, down and up again on each database, matching the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from api.service.db import Database
from api.service.migrate import current_revision, downgrade, head_revision, upgrade
from api.service.models import Base

TABLES = {
    "workspaces",
    "api_keys",
    "portfolios",
    "portfolio_versions",
    "scenarios",
    "runs",
    "run_events",
    "plans",
}


def _tables(database: Database) -> set[str]:
    return set(inspect(database.engine).get_table_names()) - {"alembic_version"}


def test_up_down_up(empty_database_url: str) -> None:
    database = Database(empty_database_url)
    try:
        assert current_revision(database) is None
        upgrade(database)
        assert current_revision(database) == head_revision()
        assert _tables(database) == TABLES
        with database.engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        downgrade(database)
        assert current_revision(database) is None
        assert _tables(database) == set()
        upgrade(database)
        assert _tables(database) == TABLES
    finally:
        database.dispose()


def test_sqlite_runs_in_wal_mode(tmp_path: object) -> None:
    database = Database(f"sqlite:///{tmp_path}/nested/folder/db.sqlite")
    try:
        upgrade(database)
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    finally:
        database.dispose()
