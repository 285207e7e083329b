"""``pmo status PORTFOLIO --baseline PLAN --actuals FILE``: progress against the baseline.

The remaining work is replanned around the actuals (:mod:`solver.planning.actuals`) for the
forecast finishes; :func:`model.actuals.status_report` compares it with the baseline. Exit
codes are the CLI's: 0 reported, 3 no forecast plan found in time, 4 invalid input, 1 internal
error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api.options import JsonFlag
from model.load import InvalidInput
from model.rules import Issue

if TYPE_CHECKING:
    from model.actuals import Actuals
    from model.plan import Plan
    from model.portfolio import Portfolio
    from solver.planning.replan import ReplanRequest

ActualsFile = Annotated[
    Path,
    typer.Option(
        "--actuals", help="Status update (JSON or .xlsx Actuals sheet): actual starts, finishes, progress."
    ),
]


def parse_as_of(text: str | None, option: str = "--as-of") -> dt.date | None:
    """An ISO date option (``None`` when not given); raises :class:`InvalidInput` naming the option."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput([Issue(option, f"not an ISO date: '{text[:40]}'")]) from None


def load_actuals_or_exit(
    path: Path, portfolio: Portfolio, baseline: Plan, status_date: dt.date | None, as_json: bool
) -> Actuals:
    """Read and validate a status update against the portfolio and baseline (exit 4 if invalid)."""
    from api.cli import _fail_invalid
    from api.interchange.actuals_xlsx import parse_actuals_file

    try:
        return parse_actuals_file(path, portfolio, baseline, status_date)
    except InvalidInput as exc:
        _fail_invalid(exc, as_json, "actuals")


def derived_or_exit(
    path: Path, portfolio: Portfolio, baseline: Plan, request: ReplanRequest, as_json: bool
) -> tuple[Portfolio, Plan, ReplanRequest]:
    """The portfolio, baseline and request of a replan from the actuals in ``path`` as of
    ``request.as_of`` (their status date); exit 4 if they are invalid."""
    from api.cli import _fail_invalid
    from solver.planning.actuals import derived_inputs

    actuals = load_actuals_or_exit(path, portfolio, baseline, request.as_of, as_json)
    try:
        derived, reference, first = derived_inputs(portfolio, baseline, actuals)
    except InvalidInput as exc:
        _fail_invalid(exc, as_json, "actuals")
    return derived, reference, replace(request, as_of=first)


def status_command(
    portfolio_file: Annotated[Path, typer.Argument(help="Portfolio file (JSON, .xlsx or MS Project XML).")],
    baseline_file: Annotated[Path, typer.Option("--baseline", help="The plan being executed.")],
    actuals_file: ActualsFile,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Status date (ISO); default: the status update's own.")
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write a report here: HTML for .html/.htm, else markdown.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the forecast plan JSON here.")
    ] = None,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", "-t", help="Seconds for the replan of the remaining work.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Progress against the baseline: forecast finishes, slippage, SPI, late tasks and the pain points
    (exit 0, 3 without a forecast plan, 4 for invalid input)."""
    from api.cli import (
        ExitCode,
        _fail_invalid,
        _for_the_command,
        _settings_or_exit,
        check_outputs_or_exit,
        load_plan_or_exit,
        load_portfolio_or_exit,
        solve_or_stop,
        write_or_exit,
    )
    from api.startup import import_cp_model_without_pandas
    from api.status_report import print_status

    try:
        status_date = parse_as_of(as_of)
    except InvalidInput as exc:
        _fail_invalid(exc, as_json)
    settings = _settings_or_exit(as_json, time_limit, None, None, None, False, True)
    check_outputs_or_exit(as_json, report=report, output=output)
    portfolio = load_portfolio_or_exit(portfolio_file, as_json)
    baseline = load_plan_or_exit(baseline_file, as_json, "baseline plan")
    actuals = load_actuals_or_exit(actuals_file, portfolio, baseline, status_date, as_json)
    import_cp_model_without_pandas()
    from model.actuals import status_report
    from solver.planning.actuals import replan_from_actuals

    budget = _for_the_command(settings, portfolio)
    try:  # SIGINT and SIGTERM stop the replan with its best plan, as in `pmo replan`
        forecast = solve_or_stop(
            lambda stop: replan_from_actuals(
                portfolio, baseline, actuals, deadlines=False, settings=budget, stop=stop
            )[1]
        )
    except InvalidInput as exc:
        _fail_invalid(exc, as_json, "actuals")
    result = status_report(portfolio, baseline, actuals, forecast)
    if output is not None and forecast.status.has_plan:
        write_or_exit(output, forecast.model_dump_json(indent=2))
    if report is not None:
        from api.html_report import status_report as report_text  # the chart code: only when asked for

        write_or_exit(report, report_text(report, result, portfolio, forecast))
    if as_json:
        print(result.model_dump_json(indent=2))
    else:
        print_status(result)
    raise typer.Exit(ExitCode.PLAN if forecast.status.has_plan else ExitCode.NO_SOLUTION)


def register(app: typer.Typer) -> None:
    """Add ``status`` to the ``pmo`` command line."""
    app.command("status")(status_command)
