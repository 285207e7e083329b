"""Risk in the decisions: ``pmo compare`` and ``pmo replan`` show each project's on-time probability
beside its lateness (tables, --json, markdown), ``--risk-samples 0`` turns it off, bad counts exit 4."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import ExitCode, app
from api.risk_commands import attach_risk, on_time
from model.load import parse_portfolio
from model.plan import Plan
from tests.conftest import small_dict, write_json

runner = CliRunner()
SPREAD = {"default_spread": {"optimistic": 0.9, "pessimistic": 1.8}}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The small example with a default spread, the same with dwh raised to priority 10, and a plan."""
    folder = tmp_path_factory.mktemp("decisions")
    base = small_dict()
    base["risk"] = SPREAD
    changed = json.loads(json.dumps(base))
    changed["projects"][1]["priority"] = 10
    plan = folder / "plan.json"
    before = write_json(folder / "base.json", base)
    solved = runner.invoke(app, ["solve", str(before), "-o", str(plan), "-t", "2", "--deterministic"])
    assert solved.exit_code == ExitCode.PLAN, solved.output
    return {"base": before, "changed": write_json(folder / "changed.json", changed), "plan": plan}


def _compare(files: dict[str, Path], *args: str) -> Any:
    return runner.invoke(
        app, ["compare", str(files["base"]), str(files["changed"]), "-t", "2", "--deterministic", *args]
    )


def test_compare_json_and_report_carry_the_on_time_probability(
    files: dict[str, Path], tmp_path: Path
) -> None:
    report = tmp_path / "compare.md"
    result = _compare(files, "--json", "--report", str(report))
    assert result.exit_code == ExitCode.PLAN, result.output
    data = json.loads(result.stdout)
    assert set(data["on_time"]) == set(data["plans"])  # every scenario with a plan
    for name, odds in data["on_time"].items():
        stats = data["plans"][name]["stats"]["risk"]
        assert stats["samples"] == 2000 and stats["uncertain_tasks"] > 0
        for project, p in odds.items():
            assert p is not None and 0 <= p <= 1
            assert stats["projects"][project]["p_on_time"] == p
    text = report.read_text()
    header = next(line for line in text.splitlines() if line.startswith("| project | priority"))
    assert header.count("on time") == 2  # one column per scenario, beside its finish and lateness
    again = json.loads(_compare(files, "--json").stdout)
    assert again["on_time"] == data["on_time"]  # a fixed seed: the same plans give the same figures


def test_compare_without_risk_samples_shows_no_probability(files: dict[str, Path]) -> None:
    result = _compare(files, "--risk-samples", "0", "--json")
    assert result.exit_code == ExitCode.PLAN, result.output
    data = json.loads(result.stdout)
    assert data["on_time"] == {}
    assert all("risk" not in plan["stats"] for plan in data["plans"].values())
    table = _compare(files, "--risk-samples", "0").output
    assert "on time" not in table and "P(finish ≤ due)" not in table


@pytest.mark.parametrize("command", ["compare", "replan"])
def test_a_bad_sample_count_is_invalid_input(files: dict[str, Path], command: str) -> None:
    args = (
        [str(files["base"]), str(files["changed"])]
        if command == "compare"
        else [str(files["changed"]), "--baseline", str(files["plan"]), "--as-of", "2027-02-01"]
    )
    result = runner.invoke(app, [command, *args, "--risk-samples", "-5", "--json"])
    assert result.exit_code == ExitCode.INVALID_INPUT, result.output
    assert "--risk-samples" in result.stdout


def test_replan_shows_the_on_time_probability_of_the_moved_projects(
    files: dict[str, Path], tmp_path: Path
) -> None:
    out, report = tmp_path / "replan.json", tmp_path / "replan.md"
    args = [str(files["changed"]), "--baseline", str(files["plan"]), "--as-of", "2027-02-01"]
    result = runner.invoke(
        app, ["replan", *args, "-t", "2", "--deterministic", "-o", str(out), "--report", str(report)]
    )
    assert result.exit_code == ExitCode.PLAN, result.output
    plan = Plan.model_validate_json(out.read_text())
    risk = plan.stats["risk"]["projects"]
    assert set(risk) == {p.id for p in plan.projects if p.scheduled}
    rows = plan.stats["replan"]["projects"]
    moved = [
        r
        for r in rows
        if r["finish_before"] != r["finish_after"] or r["late_days_before"] != r["late_days_after"]
    ]
    text = report.read_text()
    if moved:
        assert "on time after |" in text
        assert "on time " in result.output
    quiet = runner.invoke(
        app, ["replan", *args, "-t", "2", "--deterministic", "--risk-samples", "0", "--json"]
    )
    assert "risk" not in json.loads(quiet.stdout)["stats"]


def test_without_uncertainty_the_probability_is_the_plans_own(files: dict[str, Path]) -> None:
    """No estimate, no spread: each project is on time with probability 1 if the plan finishes it
    by its due date, else 0."""
    data = small_dict()
    portfolio = parse_portfolio(data)
    plan = Plan.model_validate_json(files["plan"].read_text())
    attach_risk(portfolio, plan, 200)
    assert plan.stats["risk"]["uncertain_tasks"] == 0
    for result in plan.projects:
        if result.scheduled and result.due is not None:
            assert on_time(plan, result.id) == (1.0 if result.late_days == 0 else 0.0)
