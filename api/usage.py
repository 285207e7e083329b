"""Command-line usage: errors exit with the invalid-input code, and ``--version``."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

import typer
from typer._click.core import Context  # typer vendors click and re-exports neither of these
from typer._click.exceptions import UsageError
from typer.core import TyperGroup

DISTRIBUTION = "pmo-planner"
USAGE_EXIT_CODE = 4  # the README's "invalid input"; click's own usage code, 2, means "infeasible" here


def package_version() -> str:
    """The installed version of the package (``unknown`` when run from a bare source tree)."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "unknown"


class UsageGroup(TyperGroup):
    """The command group: a missing argument, an unknown option or a bad option value
    exits with :data:`USAGE_EXIT_CODE` (after the usage text and the error)."""

    def make_context(self, *args: Any, **kwargs: Any) -> Context:
        """Parse the group's own arguments (``pmo --bad``, no command)."""
        try:
            return super().make_context(*args, **kwargs)
        except UsageError as exc:
            exc.exit_code = USAGE_EXIT_CODE
            raise

    def invoke(self, ctx: Context) -> Any:
        """Parse and run a command (``pmo solve --bad``)."""
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            exc.exit_code = USAGE_EXIT_CODE
            raise


def show_version(value: bool) -> None:
    """Eager ``--version`` callback: print ``pmo <version>`` and exit 0."""
    if value:
        typer.echo(f"pmo {package_version()}")
        raise typer.Exit(0)
