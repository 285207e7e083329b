"""``pmo risk``: the tables, the JSON, determinism and the errors (exit 4, with the path)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import ExitCode, app
from tests.conftest import small_dict, write_json

runner = CliRunner()


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """examples/small.json with a default spread and one task's own estimate, and its levelling plan."""
    folder = tmp_path_factory.mktemp("risk")
    data = small_dict()
    data["risk"] = {"default_spread": {"optimistic": 0.9, "pessimistic": 1.6}}
    data["projects"][0]["tasks"][0]["estimate"] = {"optimistic": 2, "likely": 5, "pessimistic": 12}
    portfolio = write_json(folder / "portfolio.json", data)
    plan = folder / "plan.json"
    result = runner.invoke(app, ["solve", str(portfolio), "-o", str(plan), "--levelling-only"])
    assert result.exit_code == ExitCode.PLAN, result.output
    return portfolio, plan


def _risk(*args: str) -> Any:
    result = runner.invoke(app, ["risk", *args])
    return result


def test_risk_json_has_projects_tasks_and_people(solved: tuple[Path, Path]) -> None:
    portfolio, plan = solved
    result = _risk(str(portfolio), str(plan), "--samples", "2000", "--seed", "4", "--json")
    assert result.exit_code == ExitCode.PLAN, result.output
    report = json.loads(result.stdout)
    names = {p["id"] for p in small_dict()["projects"]}
    assert {p["project"] for p in report["projects"]} <= names
    for p in report["projects"]:
        assert set(p) >= {"project", "p_on_time", "p_by_deadline", "p50_finish", "p80_finish"}
        assert p["p50_finish"] <= p["p80_finish"]  # ISO dates order as text
        assert p["p_on_time"] is None or 0 <= p["p_on_time"] <= 1
    planned = {(a["project"], a["task"]) for a in json.loads(plan.read_text())["assignments"]}
    assert sorted((t["project"], t["task"]) for t in report["tasks"]) == sorted(planned)
    assert all(0 <= t["criticality"] <= 1 for t in report["tasks"])
    assert report["people"] and report["uncertain_tasks"] > 0
    again = _risk(str(portfolio), str(plan), "--samples", "2000", "--seed", "4", "--json")
    assert json.loads(again.stdout) == report


def test_risk_tables(solved: tuple[Path, Path]) -> None:
    portfolio, plan = solved
    result = _risk(str(portfolio), str(plan), "-n", "500")
    assert result.exit_code == ExitCode.PLAN, result.output
    assert "Schedule risk" in result.output and "Most critical tasks" in result.output


def test_without_uncertainty_the_plan_finishes_as_planned(solved: tuple[Path, Path], tmp_path: Path) -> None:
    _, plan = solved
    plain = write_json(tmp_path / "plain.json", small_dict())
    result = _risk(str(plain), str(plan), "-n", "300", "--json")
    assert result.exit_code == ExitCode.PLAN, result.output
    finishes = {p["id"]: p["finish"] for p in json.loads(plan.read_text())["projects"] if p["scheduled"]}
    report = json.loads(result.stdout)
    assert {p["project"]: p["p50_finish"] for p in report["projects"]} == finishes
    assert {p["project"]: p["p80_finish"] for p in report["projects"]} == finishes
    assert "no task has an uncertain length" in _risk(str(plain), str(plan), "-n", "10").output


def test_bad_input_exits_4_with_its_path(solved: tuple[Path, Path], tmp_path: Path) -> None:
    portfolio, plan = solved
    data = small_dict()
    data["projects"][0]["tasks"][1]["estimate"] = {"optimistic": 6, "likely": 4, "pessimistic": 9}
    bad = write_json(tmp_path / "bad.json", data)
    result = _risk(str(bad), str(plan))
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "projects[0].tasks[1].estimate: give optimistic ≤ likely ≤ pessimistic" in result.output
    other = small_dict()
    other["projects"][0]["tasks"][0]["duration"] += 1  # the plan's scoping is now a day short
    result = _risk(str(write_json(tmp_path / "other.json", other)), str(plan))
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert f"{plan}: not a valid plan of this portfolio" in result.output
    for option in (["--samples", "0"], ["--seed", "-1"], ["--policy", "soon"]):
        result = _risk(str(portfolio), str(plan), *option)
        assert result.exit_code == ExitCode.INVALID_INPUT, option
        assert option[0] in result.output
    result = _risk(str(portfolio), str(portfolio), "--json")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert json.loads(result.stdout)["errors"]
