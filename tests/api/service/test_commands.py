"""``pmo keys create`` and the demo loading of ``pmo serve --demo``."""

from __future__ import annotations

from typer.testing import CliRunner

from api.cli import app
from api.service.auth import workspace_of_key
from api.service.commands import load_demo
from api.service.db import Database
from tests.api.service.conftest import DEMO

runner = CliRunner()


def test_keys_create_prints_the_key_last(database_url: str) -> None:
    result = runner.invoke(app, ["keys", "create", "--workspace", "pmo-office", "--database", database_url])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("pmo_") and " " not in key
    database = Database(database_url)
    try:
        with database.read() as session:
            workspace = workspace_of_key(session, key)
        assert workspace is not None and workspace.name == "pmo-office"
    finally:
        database.dispose()


def test_demo_is_stored_once_with_a_new_key_each_time(database_url: str) -> None:
    first, key_one = load_demo(database_url, DEMO)
    second, key_two = load_demo(database_url, DEMO)
    assert first == second and key_one != key_two


def test_serve_and_keys_are_commands() -> None:
    for command in (["serve", "--help"], ["keys", "create", "--help"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, result.output
    assert "--database" in runner.invoke(app, ["serve", "--help"]).output
    assert runner.invoke(app, ["serve", "--port", "0"]).exit_code == 4  # a usage error, as for every command
