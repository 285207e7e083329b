"""``pmo serve`` and ``pmo keys create``: the planning service from the command line.

The web stack is imported only when one of these commands runs, so the other commands start as fast as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.interrupt import Interrupted
from api.usage import UsageGroup

DEMO_WORKSPACE = "demo"
DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="SQLAlchemy URL (default: PMO_DATABASE_URL, else a SQLite file under ./data/).",
        show_default=False,
    ),
]
keys_app = typer.Typer(cls=UsageGroup, help="API keys of the planning service.", no_args_is_help=True)


def _settings(database: str | None):  # type: ignore[no-untyped-def]
    from api.service.settings import Settings

    return Settings(database_url=database) if database else Settings()


def _new_key(database_url: str, workspace: str) -> str:
    from api.service.auth import create_key
    from api.service.db import Database
    from api.service.migrate import upgrade

    database = Database(database_url)
    try:
        upgrade(database)
        with database.write() as session:
            return create_key(session, workspace)
    finally:
        database.dispose()


def load_demo(database_url: str, path: Path) -> tuple[str, str]:
    """Store ``path`` in the ``demo`` workspace (once) and make a key for it.

    Returns
    -------
    tuple of str
        The portfolio's id and the new key.
    """
    from sqlalchemy import select

    from api.service.auth import create_key, ensure_workspace
    from api.service.db import Database
    from api.service.migrate import upgrade
    from api.service.models import PortfolioRecord
    from api.service.routers.portfolios import add_portfolio
    from model.load import read_json

    database = Database(database_url)
    try:
        upgrade(database)
        with database.write() as session:
            workspace = ensure_workspace(session, DEMO_WORKSPACE)
            found = session.scalar(
                select(PortfolioRecord.id).where(
                    PortfolioRecord.workspace_id == workspace.id, PortfolioRecord.deleted_at.is_(None)
                )
            )
            portfolio_id = found or add_portfolio(session, workspace.id, read_json(path)).id
            session.commit()
            return portfolio_id, create_key(session, DEMO_WORKSPACE)
    finally:
        database.dispose()


def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)] = 8000,
    database: DatabaseOption = None,
    demo: Annotated[
        Path | None,
        typer.Option("--demo", help="Store this portfolio in the `demo` workspace and print a key for it."),
    ] = None,
) -> None:
    """Run the planning service: the HTTP API under /v1, its documentation at /docs."""
    import uvicorn

    from api.service.app import create_app

    settings = _settings(database)
    base = f"http://{host}:{port}"
    typer.echo(
        f"pmo planning service: {base}  (database {settings.database_url}, {settings.run_workers} worker(s))"
    )
    typer.echo(f"API documentation: {base}/docs")
    typer.echo(f"web UI: {base}/ui/  (paste the API key into its key field)")
    if demo is not None:
        portfolio_id, key = load_demo(settings.database_url, demo)
        typer.echo(f"demo portfolio: {base}/v1/portfolios/{portfolio_id}")
        typer.echo(f"API key (workspace '{DEMO_WORKSPACE}', send it as X-API-Key): {key}")
    try:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
    except Interrupted:  # uvicorn raises the signal it stopped on again once it has shut down
        typer.echo("pmo planning service stopped")


@keys_app.command("create")
def create_key_command(
    workspace: Annotated[
        str, typer.Option("--workspace", help="The workspace the key acts for.")
    ] = "default",
    database: DatabaseOption = None,
) -> None:
    """Create an API key; it is printed alone on the last line (only its digest is stored)."""
    key = _new_key(_settings(database).database_url, workspace)
    typer.echo(f"new API key for workspace '{workspace}' (shown once; send it as X-API-Key):")
    typer.echo(key)


def register_service_commands(app: typer.Typer) -> None:
    """Add ``serve`` and ``keys`` to the ``pmo`` command line."""
    app.command("serve")(serve_command)
    app.add_typer(keys_app, name="keys")
