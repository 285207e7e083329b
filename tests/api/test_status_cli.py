"""``pmo status`` and ``pmo replan --actuals``: tables, JSON, the markdown report, and bad actuals (exit 4, with the path)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import ExitCode, app
from model.load import parse_portfolio
from model.plan import Plan, PlanStatus
from tests.conftest import small_dict, write_json

runner = CliRunner()
ACTUALS = {
    "status_date": "2027-02-05",
    "tasks": [
        {"project": "crm", "task": "scoping", "actual_start": "2027-01-04", "actual_finish": "2027-01-12"},
        {"project": "crm", "task": "design", "actual_start": "2027-01-13", "percent_complete": 60},
    ],
}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """examples/small.json, its levelling plan and a status update."""
    folder = tmp_path_factory.mktemp("status")
    portfolio = write_json(folder / "portfolio.json", small_dict())
    plan = folder / "plan.json"
    result = runner.invoke(app, ["solve", str(portfolio), "-o", str(plan), "--levelling-only"])
    assert result.exit_code == ExitCode.PLAN, result.output
    return portfolio, plan, write_json(folder / "actuals.json", ACTUALS)


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
    bad = write_json(tmp_path / "bad.json", {**ACTUALS, **change})
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


def _embedded(page: str) -> dict[str, Any]:
    """The data a self-contained report draws (its JSON script element)."""
    found = re.search(r'<script type="application/json" id="pmo-data">(.*?)</script>', page, re.DOTALL)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_status_html_report_is_self_contained(files: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """`pmo status --report x.html`: one file that fetches nothing, with every project's row, the late
    tasks and the pain points, and the forecast plan's charts."""
    portfolio, plan, actuals = files
    page = tmp_path / "status.HTML"
    common = [str(portfolio), "--baseline", str(plan), "--actuals", str(actuals), "-t", "2"]
    result = runner.invoke(app, ["status", *common, "--report", str(page), "--json"])
    assert result.exit_code == ExitCode.PLAN, result.output
    expected = json.loads(result.output)
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "default-src 'none'" in text
    assert not re.search(r"""\b(src|href)\s*=\s*["']?(?!data:)""", text, re.IGNORECASE)
    assert "PmoCharts.bootReport()" in text
    status = _embedded(text)["status"]
    tables = {t["id"]: t for t in status["tables"]}
    assert [row[0] for row in tables["pmo-status-projects"]["rows"]] == [p["id"] for p in small_dict()["projects"]]
    assert [f["slip"] for f in status["finishes"]] == [r["slip_days"] for r in expected["projects"]]
    assert tables["pmo-status-late-to-finish"]["rows"][0][:2] == ["crm", "design"]
    assert [r[1] for r in tables["pmo-status-pain-points-tasks"]["rows"]] == [d["task"] for d in expected["slip_tasks"]]
    assert [r[0] for r in tables["pmo-status-pain-points-people"]["rows"]] == [p["person"] for p in expected["slip_people"]]
    assert len(_embedded(text)["plans"][0]["tasks"]) > 0  # the forecast plan is drawn below the status


def test_status_html_report_without_a_forecast() -> None:
    """No forecast plan: the report still renders its tables, with no slip and no plan to draw."""
    from api.html_report import status_report_html
    from model.actuals import ProjectStatusRow, StatusReport

    row = ProjectStatusRow(
        project="crm", baseline_finish=dt.date(2027, 3, 5), forecast_finish=None, slip_days=None,
        planned_value=4, earned_value=2, spi=0.5, late_to_start=0, late_to_finish=0,
    )
    report = StatusReport(
        status_date=dt.date(2027, 2, 5), forecast_status="no_solution", planned_value=4, earned_value=2, spi=0.5,
        projects=[row], late_to_start=[], late_to_finish=[], slip_tasks=[], slip_people=[],
    )
    data = _embedded(status_report_html(report, parse_portfolio(small_dict()), Plan(status=PlanStatus.no_solution)))
    assert data["plans"] == [] and data["status"]["finishes"] == [
        {"project": "crm", "baseline": "2027-03-05", "forecast": None, "slip": None, "spi": 0.5}
    ]
    assert [t["id"] for t in data["status"]["tables"]] == ["pmo-status-projects"]
    assert "no_solution" in data["status"]["notes"][0]
