"""Alembic's environment: migrate the engine :mod:`api.service.migrate` hands over (batch mode on SQLite)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from api.service.models import Base


def run_migrations(engine: Engine) -> None:
    """Run the pending migrations on ``engine`` in one transaction."""
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=engine.dialect.name == "sqlite",  # SQLite alters tables by copying them
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


config = getattr(context, "config", None)
if config is not None:  # None when imported outside Alembic: there is nothing to migrate then
    run_migrations(config.attributes["engine"])
