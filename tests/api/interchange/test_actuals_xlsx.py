"""The status update as an ``Actuals`` sheet: round trip, template, and bad cells named ``Actuals!C3`` (exit 4)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from typer.testing import CliRunner

from api.cli import ExitCode, app
from api.interchange.actuals_xlsx import actuals_xlsx, read_actuals_xlsx
from api.interchange.workbook_layout import ACTUALS
from model.actuals import Actuals, TaskActual, parse_actuals
from model.load import InvalidInput
from tests.api.interchange.helpers import edit_workbook, small_plan
from tests.conftest import small_portfolio

runner = CliRunner()
STATUS = dt.date(2027, 2, 5)
GOOD = Actuals(
    status_date=STATUS,
    tasks=[
        TaskActual(project="crm", task="scoping", actual_start=dt.date(2027, 1, 4), actual_finish=dt.date(2027, 1, 12)),
        TaskActual(project="crm", task="design", actual_start=dt.date(2027, 1, 13), percent_complete=60),
    ],
)


@st.composite
def status_updates(draw: st.DrawFn) -> Actuals:
    """Valid actuals of some baseline tasks of examples/small.json, each started by the status date."""
    portfolio, plan = small_portfolio(), small_plan()
    first = portfolio.work_calendar.start
    status = first + dt.timedelta(days=draw(st.integers(0, 60)))
    keys = sorted({(a.project, a.task) for a in plan.assignments})
    chosen = draw(st.lists(st.sampled_from(keys), unique=True, max_size=5))
    rows = []
    for project, task in chosen:
        start = first + dt.timedelta(days=draw(st.integers(0, (status - first).days)))
        kind = draw(st.sampled_from(["finished", "percent", "remaining", "started"]))
        finish = start + dt.timedelta(days=draw(st.integers(0, (status - start).days))) if kind == "finished" else None
        # what a PMO types: a cell keeps 15 significant digits, as in Excel, not a double's 17
        percent = draw(st.integers(0, 9_950)) / 100 if kind == "percent" else None
        remaining = draw(st.integers(1, 60)) / 2 if kind == "remaining" else None
        rows.append(
            TaskActual(
                project=project, task=task, actual_start=start, actual_finish=finish,
                percent_complete=percent, remaining_days=remaining,
            )
        )
    return Actuals(status_date=status, tasks=rows)


@settings(max_examples=15, deadline=None, derandomize=True)
@given(status_updates())
def test_actuals_round_trip_through_the_sheet(actuals: Actuals) -> None:
    portfolio, plan = small_portfolio(), small_plan()
    back = read_actuals_xlsx(actuals_xlsx(actuals), portfolio, plan)
    assert back == actuals
    assert back == parse_actuals(actuals.model_dump(mode="json"), portfolio, plan)  # as the same JSON


def _edited(data: bytes, cells: dict[str, object], path: Path) -> Path:
    """The workbook with some cells of the Actuals sheet changed, saved at ``path``."""
    path.write_bytes(edit_workbook(data, {f"{ACTUALS.name}!{where}": value for where, value in cells.items()}))
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """examples/small.json and its levelling plan."""
    folder = tmp_path_factory.mktemp("actuals_xlsx")
    portfolio = folder / "portfolio.json"
    portfolio.write_text(small_portfolio().model_dump_json())
    plan = folder / "plan.json"
    plan.write_text(small_plan().model_dump_json())
    return portfolio, plan


def test_status_reads_the_sheet(files: tuple[Path, Path], tmp_path: Path) -> None:
    portfolio, plan = files
    sheet = _edited(actuals_xlsx(GOOD), {}, tmp_path / "actuals.xlsx")
    result = runner.invoke(app, ["status", str(portfolio), "--baseline", str(plan), "--actuals", str(sheet), "-t", "2", "--json"])
    assert result.exit_code == ExitCode.PLAN, result.output
    assert '"status_date": "2027-02-05"' in result.output


@pytest.mark.parametrize(
    ("cells", "place"),
    [
        ({"C3": "soon"}, "Actuals!C3"),  # not a date
        ({"D4": "2027-01-20"}, "Actuals row 4"),  # a finish on a task with work left: the row
        ({"C4": "2027-02-09"}, "Actuals!C4"),  # started after the status date
        ({"B3": "nope"}, "Actuals!B3"),  # not a task of the portfolio
        ({"E3": 150}, "Actuals!E3"),  # per cent beyond 100
        ({"G3": None}, "Actuals!G3"),  # no status date
        ({"H1": "comment"}, "Actuals!H1"),  # unknown column
    ],
)
def test_a_bad_cell_is_exit_4_naming_it(files: tuple[Path, Path], tmp_path: Path, cells: dict[str, object], place: str) -> None:
    portfolio, plan = files
    sheet = _edited(actuals_xlsx(GOOD), cells, tmp_path / "bad.xlsx")
    result = runner.invoke(app, ["status", str(portfolio), "--baseline", str(plan), "--actuals", str(sheet), "-t", "2"])
    assert result.exit_code == ExitCode.INVALID_INPUT, result.output
    assert place in result.output and "Traceback" not in result.output


def test_template_lists_the_baseline_and_reads_back(files: tuple[Path, Path], tmp_path: Path) -> None:
    _, plan = files
    out = tmp_path / "template.xlsx"
    result = runner.invoke(app, ["template", str(out), "--actuals", "--baseline", str(plan)])
    assert result.exit_code == 0, result.output
    ws = load_workbook(out)[ACTUALS.name]
    assert [c.value for c in ws[1]] == [c.name for c in ACTUALS.columns]
    with pytest.raises(InvalidInput) as blank:  # the status date is left for the PMO to fill in
        read_actuals_xlsx(out.read_bytes(), small_portfolio(), small_plan())
    assert [i.path for i in blank.value.issues] == ["Actuals!G3"]
    read = read_actuals_xlsx(out.read_bytes(), small_portfolio(), small_plan(), STATUS)
    planned = {(a.project, a.task) for a in small_plan().assignments}
    assert {(t.project, t.task) for t in read.tasks} == planned
    assert all(t.actual_start is None for t in read.tasks)
    empty = tmp_path / "empty.xlsx"
    assert runner.invoke(app, ["template", str(empty), "--actuals"]).exit_code == 0
    assert read_actuals_xlsx(empty.read_bytes(), small_portfolio(), small_plan(), STATUS).tasks == []


def test_baseline_without_actuals_is_exit_4(files: tuple[Path, Path], tmp_path: Path) -> None:
    _, plan = files
    result = runner.invoke(app, ["template", str(tmp_path / "t.xlsx"), "--baseline", str(plan)])
    assert result.exit_code == ExitCode.INVALID_INPUT and "--baseline" in result.output


def test_template_from_a_status_update_keeps_it_and_adds_the_rest(files: tuple[Path, Path], tmp_path: Path) -> None:
    _, plan = files
    update = tmp_path / "actuals.json"
    update.write_text(GOOD.model_dump_json())
    out = tmp_path / "next.xlsx"
    result = runner.invoke(app, ["template", str(out), "--actuals", "--from", str(update), "--baseline", str(plan)])
    assert result.exit_code == 0, result.output
    read = read_actuals_xlsx(out.read_bytes(), small_portfolio(), small_plan())
    assert read.status_date == STATUS and read.tasks[: len(GOOD.tasks)] == GOOD.tasks
    assert len(read.tasks) == len(small_plan().assignments)  # the tasks not yet reported follow, blank
    bad = _edited(out.read_bytes(), {"F3": "lots"}, tmp_path / "bad.xlsx")
    result = runner.invoke(app, ["template", str(tmp_path / "again.xlsx"), "--actuals", "--from", str(bad)])
    assert result.exit_code == ExitCode.INVALID_INPUT and "Actuals!F3" in result.output


def test_replan_reads_the_sheet_too(files: tuple[Path, Path], tmp_path: Path) -> None:
    portfolio, plan = files
    sheet = _edited(actuals_xlsx(GOOD), {"C4": "2027-02-09"}, tmp_path / "bad.xlsx")
    command = ["replan", str(portfolio), "--baseline", str(plan), "--actuals", str(sheet), "--as-of", "2027-02-05"]
    result = runner.invoke(app, command)
    assert result.exit_code == ExitCode.INVALID_INPUT and "Actuals!C4" in result.output, result.output


def test_the_sheet_may_be_added_to_the_portfolio_workbook() -> None:
    from api.interchange.xlsx_read import read_portfolio_xlsx
    from api.interchange.xlsx_write import portfolio_xlsx

    portfolio = small_portfolio()
    wb = load_workbook(io.BytesIO(portfolio_xlsx(portfolio)))
    sheet = wb.create_sheet(ACTUALS.name)
    for row in load_workbook(io.BytesIO(actuals_xlsx(GOOD)))[ACTUALS.name].iter_rows(values_only=True):
        sheet.append(row)
    out = io.BytesIO()
    wb.save(out)
    assert read_portfolio_xlsx(out.getvalue()) == portfolio  # the portfolio reader leaves the sheet alone
    assert read_actuals_xlsx(out.getvalue(), portfolio, small_plan()) == GOOD
