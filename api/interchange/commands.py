"""The interchange commands of ``pmo``: ``template``, ``import`` and ``export``.

``pmo template FILE.xlsx [--example]`` writes the workbook PMOs fill in (``--actuals
[--baseline PLAN] [--from ACTUALS]``: the status update's sheet); ``pmo import FILE``
turns a workbook or an MS Project XML file into portfolio JSON; ``pmo export FORMAT INPUT``
writes a portfolio as a workbook, or a plan (checked against its portfolio first) as a
workbook, CSV, MS Project XML or iCalendar files. Exit codes are the CLI's: 0 written,
4 invalid input (a plan that breaks a hard rule included), 1 internal error. The readers
and writers load only when a command needs them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from model.load import InvalidInput
from model.rules import Issue

if TYPE_CHECKING:
    from model.plan import Plan
    from model.portfolio import Portfolio

SHOWN_NOTES = 20


class ExportFormat(StrEnum):
    """What ``pmo export`` writes."""

    xlsx = "xlsx"
    csv = "csv"
    mspdi = "mspdi"
    ics = "ics"


class PinChoice(StrEnum):
    """Which parts of an MS Project schedule become pins (see :class:`api.interchange.mspdi_read.Pins`)."""

    all = "all"
    people = "people"
    none = "none"


def _fail(issues: list[Issue], what: str = "input") -> NoReturn:
    from api.cli import _fail_invalid

    _fail_invalid(InvalidInput(issues), False, what)


def _say(text: str) -> None:
    from api.cli import console
    from api.text import line

    console.print(line(text))


def print_notes(notes: list[str]) -> None:
    """What an import could not carry, on standard error (the first few, then a count)."""
    from api.cli import err_console
    from api.text import line

    if not notes:
        return
    err_console.print(line(("not mapped", "yellow"), f" ({len(notes)} note(s)):"))
    for note in notes[:SHOWN_NOTES]:
        err_console.print(line(f"  {note}"))
    if len(notes) > SHOWN_NOTES:
        err_console.print(line(f"  … and {len(notes) - SHOWN_NOTES} more"))


def write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically (``-``: standard output); exit 4 if it cannot be written."""
    from api.output import OutputError, check_target, is_stdout

    if is_stdout(path):
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        check_target(path, "--output")
        handle, temp = tempfile.mkstemp(prefix=f".{path.name[:50]}.", suffix=".tmp", dir=path.parent)
    except OutputError as exc:
        _fail([exc.issue], "output")
    except OSError as exc:
        _fail([Issue(str(path), f"cannot write: {exc.strerror}")], "output")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temp, 0o666 & ~mask)
        os.replace(temp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        _fail([Issue(str(path), f"cannot write: {exc.strerror}")], "output")


def _folder_or_exit(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _fail([Issue(f"--output {path}", f"cannot create the folder: {exc.strerror}")], "output")
    if not path.is_dir():
        _fail([Issue(f"--output {path}", "not a folder")], "output")


def _write_files(folder: Path, files: dict[str, bytes]) -> None:
    _folder_or_exit(folder)
    for name, data in files.items():
        write_bytes(folder / name, data)
    _say(f"{len(files)} file(s) written to {folder}")


# --------------------------------------------------------------------------- template


def template_command(
    output: Annotated[Path, typer.Argument(help="The workbook to write (.xlsx).")],
    example: Annotated[bool, typer.Option("--example", help="Fill it with the example portfolio.")] = False,
    actuals: Annotated[
        bool, typer.Option("--actuals", help="Write the status update (Actuals sheet) instead, for pmo status.")
    ] = False,
    baseline: Annotated[
        Path | None, typer.Option("--baseline", help="With --actuals: list this plan's tasks to fill in.")
    ] = None,
    source: Annotated[
        Path | None, typer.Option("--from", help="With --actuals: write this status update (JSON or .xlsx).")
    ] = None,
) -> None:
    """Write the Excel template of a portfolio (empty, or filled with the example), or with
    ``--actuals`` the status update's sheet (``--from`` a status update, and the other tasks of
    ``--baseline`` to fill in)."""
    if actuals:
        _actuals_template(output, example, baseline, source)
    for option, value in (("--baseline", baseline), ("--from", source)):
        if value is not None:
            _fail([Issue(option, "only with --actuals (the status update's sheet)")])
    from api.interchange.xlsx_write import template_xlsx

    write_bytes(output, template_xlsx(example))
    _say(f"{'example' if example else 'empty'} template written to {output}")
    raise typer.Exit(0)


def _actuals_template(output: Path, example: bool, baseline: Path | None, source: Path | None) -> NoReturn:
    from api.cli import load_plan_or_exit
    from api.interchange.actuals_xlsx import actuals_xlsx, load_status_update

    if example:
        _fail([Issue("--example", "not with --actuals: give --baseline to list the plan's tasks")])
    plan = load_plan_or_exit(baseline, False, "baseline plan") if baseline is not None else None
    try:
        update = load_status_update(source) if source is not None else None
        data = actuals_xlsx(update, plan)
    except InvalidInput as exc:
        _fail(exc.issues, "actuals")
    write_bytes(output, data)
    _say(f"actuals sheet written to {output}")
    raise typer.Exit(0)


# --------------------------------------------------------------------------- import


def _skill_map(path: Path | None) -> dict[str, dict[str, int]] | None:
    if path is None:
        return None
    from model.load import read_json

    try:
        data = read_json(path)
    except InvalidInput as exc:
        _fail(exc.issues, "skills file")
    ok = isinstance(data, dict) and all(
        isinstance(v, dict)
        and all(isinstance(k, str) and type(n) is int and 1 <= n <= 5 for k, n in v.items())
        for v in data.values()
    )
    if not ok:
        _fail(
            [Issue(str(path), 'expected {"resource name or code": {"skill": level 1–5, …}, …}')],
            "skills file",
        )
    return data


def import_command(
    source: Annotated[Path, typer.Argument(help="An .xlsx workbook or an MS Project XML file.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Write the portfolio JSON here (- for standard output).")
    ],
    skills: Annotated[
        Path | None,
        typer.Option(
            "--skills", help='MSPDI: JSON file {"resource": {"skill": level}} (over the Skills field).'
        ),
    ] = None,
    pins: Annotated[
        PinChoice,
        typer.Option(
            "--pins", help="MSPDI: pin every scheduled start and assigned person, people only, or none."
        ),
    ] = PinChoice.all,
    horizon_end: Annotated[
        str | None, typer.Option("--horizon-end", help="MSPDI: last day of the planning horizon (ISO date).")
    ] = None,
) -> None:
    """Turn an Excel workbook or an MS Project XML file into portfolio JSON (recognised by content)."""
    from api.cli import check_outputs_or_exit, write_or_exit
    from api.interchange.detect import FileFormat, file_format, read_portfolio_bytes
    from api.output import is_stdout
    from model.load import read_bytes

    check_outputs_or_exit(False, output=output)
    end = None
    if horizon_end is not None:
        try:
            end = dt.date.fromisoformat(horizon_end)
        except ValueError:
            _fail([Issue("--horizon-end", f"not an ISO date: '{horizon_end[:40]}'")])
    kind = file_format(source)
    notes: list[str] = []
    try:
        data = read_bytes(source)
        if kind == FileFormat.mspdi:
            from api.interchange.mspdi_read import Pins, read_portfolio_mspdi

            result = read_portfolio_mspdi(
                data, skills=_skill_map(skills), pins=Pins(pins.value), horizon_end=end
            )
            portfolio, notes = result.portfolio, result.notes
        elif kind == FileFormat.xlsx:
            portfolio = read_portfolio_bytes(data)
        else:
            _fail([Issue(str(source), "neither an .xlsx workbook nor an MS Project XML file")])
    except InvalidInput as exc:
        _fail([Issue(i.path or str(source), i.message) for i in exc.issues], f"{kind.value} file")
    print_notes(notes)
    text = portfolio.model_dump_json(indent=2, exclude_defaults=True)
    write_or_exit(output, text)
    if not is_stdout(output):
        tasks = sum(len(p.tasks) for p in portfolio.projects)
        _say(
            f"portfolio written to {output}: {len(portfolio.projects)} project(s), {tasks} task(s), "
            f"{len(portfolio.people)} people"
        )
    raise typer.Exit(0)


# --------------------------------------------------------------------------- export


def checked_plan_or_exit(portfolio: Portfolio, plan: Plan) -> None:
    """Refuse (exit 4) a plan without assignments or one that breaks a hard rule of ``portfolio``."""
    from api.interchange.exports import export_problems

    problems = export_problems(portfolio, plan)
    if problems and not plan.status.has_plan:
        _fail(problems, "plan")
    if problems:
        _fail(problems, "plan (it breaks hard rules of the portfolio; check it with pmo check)")


def _export_plan(
    fmt: ExportFormat, portfolio: Portfolio, plan: Plan, output: Path, person: str | None, table: str | None
) -> None:
    from api.interchange.exports import UnknownPart, export_part, export_plan

    option, part = ("--person", person) if fmt == ExportFormat.ics else ("--table", None)
    if fmt == ExportFormat.csv and (output.suffix.lower() == ".csv" or str(output) == "-"):
        part = table or "assignments"  # one .csv file: one table
    if part is not None:
        try:
            _, data = export_part(fmt.value, portfolio, plan, part)
        except UnknownPart as exc:
            _fail([Issue(option, str(exc))])
        write_bytes(output, data)
    else:
        files = export_plan(fmt.value, portfolio, plan)
        if fmt in (ExportFormat.csv, ExportFormat.ics):
            _write_files(output, files)
            return
        write_bytes(output, next(iter(files.values())))
    if str(output) != "-":
        _say(f"{fmt.value} written to {output}")


def export_command(
    fmt: Annotated[ExportFormat, typer.Argument(help="xlsx, csv, mspdi or ics.", metavar="FORMAT")],
    source: Annotated[
        Path, typer.Argument(help="A plan JSON (with --portfolio), or a portfolio (xlsx only).")
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The file (or, for csv and ics, folder) to write.")
    ],
    portfolio_file: Annotated[
        Path | None, typer.Option("--portfolio", help="The portfolio of the plan (JSON, .xlsx or MSPDI).")
    ] = None,
    person: Annotated[str | None, typer.Option("--person", help="ics: one person's calendar only.")] = None,
    table: Annotated[
        str | None,
        typer.Option(
            "--table", help="csv to one file: assignments, load, projects, late_projects or late_chains."
        ),
    ] = None,
) -> None:
    """Export a portfolio as a workbook, or a plan as a workbook, CSV, MS Project XML or iCal."""
    from api.cli import load_plan_or_exit, load_portfolio_or_exit

    if portfolio_file is None:
        if fmt != ExportFormat.xlsx:
            _fail([Issue("--portfolio", f"exporting a plan as {fmt.value} needs the plan's portfolio")])
        from api.interchange.xlsx_write import portfolio_xlsx

        portfolio = load_portfolio_or_exit(source, False)
        try:
            data = portfolio_xlsx(portfolio)
        except InvalidInput as exc:
            _fail(exc.issues, "portfolio for a workbook")
        write_bytes(output, data)
        if str(output) != "-":
            _say(f"portfolio workbook written to {output}")
        raise typer.Exit(0)
    portfolio = load_portfolio_or_exit(portfolio_file, False)
    plan = load_plan_or_exit(source, False)
    checked_plan_or_exit(portfolio, plan)
    _export_plan(fmt, portfolio, plan, output, person, table)
    raise typer.Exit(0)


def register(app: typer.Typer) -> None:
    """Add ``template``, ``import`` and ``export`` to the ``pmo`` command line."""
    app.command("template")(template_command)
    app.command("import")(import_command)
    app.command("export")(export_command)
