"""``pmo status`` and ``pmo replan --actuals``: tables, JSON, the markdown report, and bad actuals (exit 4, with the path)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import ExitCode, app
from tests.conftest import small_dict

runner = CliRunner()
ACTUALS = {
    "status_date": "2027-02-05",
    "tasks": [
        {"project": "crm", "task": "scoping", "actual_start": "2027-01-04", "actual_finish": "2027-01-12"},
        {"project": "crm", "task": "design", "actual_start": "2027-01-13", "percent_complete": 60},
    ],
}


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data))
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """examples/small.json, its levelling plan and a status update."""
    folder = tmp_path_factory.mktemp("status")
    portfolio = _write(folder / "portfolio.json", small_dict())
    plan = folder / "plan.json"
    result = runner.invoke(app, ["solve", str(portfolio), "-o", str(plan), "--levelling-only"])
    assert result.exit_code == ExitCode.PLAN, result.output
    return portfolio, plan, _write(folder / "actuals.json", ACTUALS)


def test_status_json_tables_and_report(files: tuple[Path, Path, Path], tmp_path: Path) -> None:
    portfolio, plan, actuals = files
    common = [str(portfolio), "--baseline", str(plan), "--actuals", str(actuals), "-t", "2"]
    result = runner.invoke(app, ["status", *common, "--json"])
    assert result.exit_code == ExitCode.PLAN, result.output
    report = json.loads(result.output)
    assert report["spi_method"].startswith("SPI = EV / PV")
    crm = next(r for r in report["projects"] if r["project"] == "crm")
    assert crm["slip_days"] > 0 and crm["spi"] < 1  # design overran: crm finishes late
    assert {"project": "crm", "task": "design"}.items() <= report["late_to_finish"][0].items()
    assert report["slip_tasks"] and report["slip_people"]
    md = tmp_path / "status.md"
    result = runner.invoke(app, ["status", *common, "--report", str(md)])
    assert result.exit_code == ExitCode.PLAN, result.output
    assert "Pain points" in result.output and "| crm |" in md.read_text()


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"status_date": "2027-01-10"}, "tasks[0].actual_finish"),  # finished after the status date
        ({"tasks": [{"project": "crm", "task": "nope", "actual_start": "2027-01-04"}]}, "tasks[0].task"),
        ({"tasks": [{"project": "crm", "task": "design", "actual_start": "2027-01-13", "percent_complete": -1}]}, "tasks[0].percent_complete"),
    ],
)
def test_bad_actuals_exit_4_naming_the_path(files: tuple[Path, Path, Path], tmp_path: Path, change: dict[str, Any], path: str) -> None:
    portfolio, plan, _ = files
    bad = _write(tmp_path / "bad.json", {**ACTUALS, **change})
    for command in (
        ["status", str(portfolio), "--baseline", str(plan), "--actuals", str(bad)],
        ["replan", str(portfolio), "--baseline", str(plan), "--actuals", str(bad), "--as-of", bad_date(change)],
    ):
        result = runner.invoke(app, command)
        assert result.exit_code == ExitCode.INVALID_INPUT, result.output
        assert path in result.output and "Traceback" not in result.output


def bad_date(change: dict[str, Any]) -> str:
    """The --as-of of the replan: the status date of the bad update."""
    return str(change.get("status_date", ACTUALS["status_date"]))


def test_status_as_of_must_be_a_date(files: tuple[Path, Path, Path]) -> None:
    portfolio, plan, actuals = files
    result = runner.invoke(app, ["status", str(portfolio), "--baseline", str(plan), "--actuals", str(actuals), "--as-of", "soon"])
    assert result.exit_code == ExitCode.INVALID_INPUT and "--as-of" in result.output


def test_replan_from_actuals_keeps_done_work(files: tuple[Path, Path, Path], tmp_path: Path) -> None:
    portfolio, plan, actuals = files
    out = tmp_path / "replanned.json"
    result = runner.invoke(
        app,
        ["replan", str(portfolio), "--baseline", str(plan), "--actuals", str(actuals), "--as-of", "2027-02-05",
         "-t", "2", "-o", str(out), "--json"],
    )
    assert result.exit_code == ExitCode.PLAN, result.output
    got = {(a["project"], a["task"]): a for a in json.loads(out.read_text())["assignments"]}
    assert (got[("crm", "scoping")]["start"], got[("crm", "scoping")]["finish"]) == ("2027-01-04", "2027-01-12")
    assert got[("crm", "design")]["start"] >= "2027-02-08"  # the rest of design: from the next working day
