"""The chart data (api.views) against the plan's own figures, and the HTML report as a document."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.html_report import plan_report, plan_report_html
from api.views.plan_view import plan_view
from model.checker import check_plan
from model.plan import Plan, TaskChange
from model.portfolio import Portfolio
from solver.settings import SolverSettings
from solver.solve import solve
from tests.conftest import build, person, portfolio_dict, project, task

ROOT = Path(__file__).resolve().parents[3]
SMALL = ROOT / "examples" / "small.json"
runner = CliRunner()


def _portfolio() -> Portfolio:
    """Part-time and absent people, a dependency chain, and a due date that cannot be met."""
    return build(
        portfolio_dict(
            [
                project(
                    "crm",
                    [
                        task("build", 6),
                        task("test", 3, skill="qa", dependencies=[{"task": "build"}]),
                        task("docs", 2, dependencies=[{"task": "build", "type": "SS"}]),
                    ],
                    due="2027-01-08",
                ),
                project(
                    "portal", [task("api", 8), task("ui", 4, dependencies=[{"task": "api"}])], priority=3
                ),
            ],
            [
                person("ann", capacity=50),
                person("bob", {"dev": 2, "qa": 2}, absences=[{"start": "2027-01-11", "end": "2027-01-15"}]),
                person("cy", {"dev": 3}, available_from="2027-01-18"),
            ],
        )
    )


@pytest.fixture(scope="module")
def solved() -> tuple[Portfolio, Plan, dict[str, Any]]:
    """The portfolio, its levelling plan (checked) and the plan's chart data."""
    portfolio = _portfolio()
    plan = solve(portfolio, SolverSettings(optimise=False, time_limit=5))
    assert plan.status.has_plan and not check_plan(portfolio, plan)
    return portfolio, plan, plan_view(portfolio, plan)


def test_person_week_load_is_the_plans_utilisation(solved: tuple[Portfolio, Plan, dict[str, Any]]) -> None:
    """Each heatmap cell is the KPI's booked share of that person-week (None where they offer nothing)."""
    portfolio, plan, view = solved
    weeks = [w["id"] for w in view["weeks"]]
    assert len(view["heat_people"]) == len(portfolio.people)
    for person_, row in zip(portfolio.people, view["heat_people"], strict=True):
        by_week = plan.kpis.utilisation_by_week[person_.id]
        assert len(row) == len(weeks)
        for week, cell in zip(weeks, row, strict=True):
            expected = by_week.get(week)
            assert cell == (None if expected is None else round(100 * expected)), (person_.id, week)


def test_off_ranges_cover_absences_and_availability(solved: tuple[Portfolio, Plan, dict[str, Any]]) -> None:
    """Absences and the days before a person starts are shaded; part-time capacity is carried."""
    portfolio, _, view = solved
    start = portfolio.calendar.start
    people = {p["id"]: p for p in view["people"]}
    assert people["ann"]["capacity"] == 50 and people["ann"]["off"] == []
    absent = (dt.date(2027, 1, 11) - start).days
    assert people["bob"]["off"] == [[absent, absent + 5]]
    assert people["cy"]["off"] == [[0, (dt.date(2027, 1, 18) - start).days]]


def test_bars_dependencies_and_late_work(solved: tuple[Portfolio, Plan, dict[str, Any]]) -> None:
    """One row per assignment; arrows join rows of real dependencies; work after the due date is marked."""
    portfolio, plan, view = solved
    assert len(view["tasks"]) == len(plan.assignments)
    keys = [(view["projects"][t["p"]]["id"], t["t"]) for t in view["tasks"]]
    assert sorted(keys) == sorted((a.project, a.task) for a in plan.assignments)
    joined = {(keys[a], keys[b], kind) for a, b, kind in view["deps"]}
    assert joined == {
        (("crm", "build"), ("crm", "test"), "FS"),
        (("crm", "build"), ("crm", "docs"), "SS"),
        (("portal", "api"), ("portal", "ui"), "FS"),
    }
    for a, b, kind in view["deps"]:
        if kind == "FS":
            assert view["tasks"][a]["e"] <= view["tasks"][b]["s"]
    due = (dt.date(2027, 1, 8) - portfolio.calendar.start).days + 1
    late_rows = [t for t in view["tasks"] if t["late"] is not None]
    assert late_rows and all(t["late"] == due and t["e"] > due for t in late_rows)
    assert [late["project"] for late in view["late"]] == ["crm"]
    assert view["late"][0]["late_days"] == next(r.late_days for r in plan.projects if r.id == "crm")


def test_skill_demand_is_the_booked_person_days(solved: tuple[Portfolio, Plan, dict[str, Any]]) -> None:
    """Skill demand adds up to every booked person-day, and never exceeds what the holders offer."""
    portfolio, plan, view = solved
    cal = portfolio.work_calendar
    booked = sum(
        m.allocation / 100 * (cal.floor_index(a.finish) - cal.ceil_index(a.start) + 1)
        for a in plan.assignments
        for m in a.people
    )
    assert sum(sum(k["demand"]) for k in view["heat_skills"]) == pytest.approx(booked, abs=0.5)
    for skill in view["heat_skills"]:
        for demand, capacity in zip(skill["demand"], skill["capacity"], strict=True):
            assert demand <= capacity + 1e-6, skill["id"]


def test_replan_changes_are_listed(solved: tuple[Portfolio, Plan, dict[str, Any]]) -> None:
    """A plan with changes against a baseline shows them; a plain plan has no change section."""
    portfolio, plan, view = solved
    assert view["replan"] is False and view["changes"] == []
    change = TaskChange(
        project="crm",
        task="test",
        change="moved",
        old_start=dt.date(2027, 1, 12),
        new_start=dt.date(2027, 1, 13),
    )
    rows = [
        {
            "project": "crm",
            "due": "2027-01-08",
            "finish_before": "2027-01-20",
            "finish_after": "2027-01-21",
            "late_days_before": 8,
            "late_days_after": 9,
        },
        {
            "project": "portal",
            "due": None,
            "finish_before": "2027-01-27",
            "finish_after": "2027-01-27",
            "late_days_before": 0,
            "late_days_after": 0,
        },
    ]
    stats = {**plan.stats, "baseline_tasks": 5, "replan": {"projects": rows}}
    replanned = plan_view(portfolio, plan.model_copy(update={"changes": [change], "stats": stats}))
    assert replanned["replan"] is True
    assert replanned["replan_projects"] == rows[:1]  # only the project whose finish moved
    assert replanned["changes"][0]["task"] == "test" and replanned["changes"][0]["new_start"] == "2027-01-13"


def test_report_is_one_self_contained_file(solved: tuple[Portfolio, Plan, dict[str, Any]]) -> None:
    """Nothing is fetched (no src/href to anything, a CSP that allows nothing), and the data cannot end
    its script element early, whatever the names hold."""
    portfolio, plan, _ = solved
    hostile = portfolio.model_copy(update={"name": "</script><script>alert(1)</script>"})
    text = plan_report_html(hostile, plan)
    assert "</script><script>alert(1)" not in text
    assert not re.search(r"""\b(src|href)\s*=\s*["']?(?!data:)""", text, re.IGNORECASE)
    assert "default-src 'none'" in text
    data = re.search(r'<script type="application/json" id="pmo-data">(.*?)</script>', text, re.DOTALL)
    assert data is not None
    decoded = json.loads(data.group(1))
    assert decoded["plans"][0]["title"] == hostile.name
    assert len(decoded["plans"][0]["tasks"]) == len(plan.assignments)


def test_the_suffix_chooses_the_format(solved: tuple[Portfolio, Plan, dict[str, Any]]) -> None:
    """.html / .htm (any case) give HTML; anything else keeps the markdown report."""
    portfolio, plan, _ = solved
    assert plan_report(Path("r.HTML"), portfolio, plan).startswith("<!DOCTYPE html>")
    assert plan_report(Path("r.htm"), portfolio, plan).startswith("<!DOCTYPE html>")
    assert not plan_report(Path("r.md"), portfolio, plan).startswith("<")


def test_cli_writes_both_reports(tmp_path: Path) -> None:
    """`pmo solve --report` writes HTML for .html and markdown otherwise, as a user runs it."""
    for name in ("report.html", "report.md"):
        result = runner.invoke(
            app, ["solve", str(SMALL), "--levelling-only", "--report", str(tmp_path / name)]
        )
        assert result.exit_code == 0, result.output
    assert (tmp_path / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (tmp_path / "report.md").read_text(encoding="utf-8").startswith("#")


def test_cli_refuses_a_report_folder(tmp_path: Path) -> None:
    """An unusable report path is invalid input (exit 4), named, before any work."""
    folder = tmp_path / "out.html"
    folder.mkdir()
    result = runner.invoke(app, ["solve", str(SMALL), "--levelling-only", "--report", str(folder)])
    assert result.exit_code == 4
    assert "--report" in result.output


def test_no_uncertainty_no_s_curve(solved: tuple[Portfolio, Plan, dict[str, Any]]) -> None:
    _, _, view = solved
    assert view["risk"] is None


def test_s_curves_of_a_portfolio_with_uncertainty(solved: tuple[Portfolio, Plan, dict[str, Any]]) -> None:
    """A default spread: one S-curve per scheduled project, rising in probability and in date,
    never before the plan's own finish is possible; a plan's own risk figures are used as they are."""
    from api.risk_commands import attach_risk

    portfolio, plan, _ = solved
    spread = {"default_spread": {"optimistic": 0.8, "pessimistic": 1.6}}
    uncertain = Portfolio.model_validate({**portfolio.model_dump(mode="json"), "risk": spread})
    risk = plan_view(uncertain, plan)["risk"]
    assert risk["uncertain_tasks"] == len(plan.assignments)
    assert {p["id"] for p in risk["projects"]} == {r.id for r in plan.projects if r.scheduled}
    for p in risk["projects"]:
        ps, days = [c[0] for c in p["curve"]], [c[1] for c in p["curve"]]
        assert ps == sorted(ps) and days == sorted(days) and ps[0] > 0 and ps[-1] < 1
    carried = attach_risk(uncertain, plan.model_copy(), 300)
    assert plan_view(uncertain, carried)["risk"]["samples"] == 300
