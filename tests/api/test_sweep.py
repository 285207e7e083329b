"""Sweeps (api/sweep.py, api/sweep_commands.py): the --vary syntax, the grid, ranking, the command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.sweep import (
    CRITERIA,
    expand,
    load_sweep_file,
    parse_rank_by,
    parse_vary,
    rank,
    run_sweep,
    sweep_markdown,
)
from api.sweep_commands import CRITERIA_TEXT
from model.assemble import empty_plan
from model.load import InvalidInput
from model.plan import PlanStatus
from solver.planning.backend import LocalBackend
from solver.settings import SolverSettings
from tests.conftest import small_dict, small_portfolio

runner = CliRunner()
FAST = SolverSettings(time_limit=2, workers=1, deterministic=True)


def _issues(exc: pytest.ExceptionInfo[InvalidInput]) -> list[str]:
    return [f"{i.path}: {i.message}" for i in exc.value.issues]


def test_parse_vary_lists_ranges_and_scalars() -> None:
    assert parse_vary("hire: skill=qa level=2 count=0..3") == {
        "op": "hire", "skill": "qa", "level": 2, "count": [0, 1, 2, 3]
    }  # fmt: skip
    assert parse_vary("priority: prj004=1,5,10") == {"op": "priority", "prj004": [1, 5, 10]}
    assert parse_vary("modify_person: person=ann cost_per_day=1.5,2 available_from=2027-02-01") == {
        "op": "modify_person", "person": "ann", "cost_per_day": [1.5, 2], "available_from": "2027-02-01"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hire skill=qa", "--vary: 'hire skill=qa': give OP: FIELD=VALUES"),
        ("hire: skill", "--vary.skill: 'skill': give FIELD=VALUES"),
        ("hire: count=3..1", "--vary.count: range '3..1'"),
        ("hire: count=1 count=2", "--vary.count: given twice"),
    ],
)
def test_parse_vary_errors_name_the_option(text: str, expected: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_vary(text)
    assert _issues(exc)[0].startswith(expected)


def test_expand_is_the_product_with_the_baseline_first() -> None:
    axes = [parse_vary("hire: skill=backend count=0..2"), parse_vary("priority: crm=1,10 dwh=2,3")]
    scenarios = expand(small_portfolio(), axes)
    assert len(scenarios) == 1 + 3 * 4  # no point of the priority axis leaves the portfolio as it is
    assert scenarios[0].name == "base" and scenarios[0].changes == []
    names = [s.name for s in scenarios]
    assert len(set(names)) == len(names)
    one = next(s for s in scenarios if s.name == "hire count=2 · priority crm=10,dwh=3")
    assert one.changes == [
        {"op": "hire", "skill": "backend", "count": 2},
        {"op": "change_priority", "project": "crm", "priority": 10},
        {"op": "change_priority", "project": "dwh", "priority": 3},
    ]
    assert sum(p.id.startswith("hire-backend") for p in one.portfolio.people) == 2
    assert one.portfolio.project("crm").priority == 10


def test_options_axis_and_the_empty_point_is_the_baseline() -> None:
    axes = [{"name": "rush", "options": [[], {"name": "crm due", "changes": [
        {"op": "change_due", "project": "crm", "due": "2027-03-01"}]}]}]  # fmt: skip
    scenarios = expand(small_portfolio(), axes)
    assert [s.name for s in scenarios] == ["base", "crm due"]


def test_expand_errors_have_the_axis_path_and_are_listed_once() -> None:
    axes = [parse_vary("hire: skill=qaa count=0..2"), parse_vary("priority: crm=1,11 nope=2")]
    with pytest.raises(InvalidInput) as exc:
        expand(small_portfolio(), axes, "--vary")
    issues = _issues(exc)
    assert "--vary[0].skill: unknown skill 'qaa'" in issues
    assert "--vary[1].priority: Input should be less than or equal to 10" in issues
    assert any(i.startswith("--vary[1].project: unknown project 'nope'") for i in issues)
    assert len(issues) == len(set(issues))


def test_expand_limits_the_grid() -> None:
    with pytest.raises(InvalidInput) as exc:
        expand(small_portfolio(), [parse_vary("hire: skill=qa count=0..20")] * 3, limit=100)
    assert _issues(exc) == ["vary: 9,261 scenarios: at most 100"]
    with pytest.raises(InvalidInput):
        expand(small_portfolio(), [])


def test_rank_by_criteria() -> None:
    assert parse_rank_by(None) == ["weighted_lateness", "late_projects", "cost"]
    assert parse_rank_by("cost, late_days") == ["cost", "late_days"]
    with pytest.raises(InvalidInput) as exc:
        parse_rank_by("speed", "rank_by")
    assert _issues(exc)[0].startswith("rank_by: unknown criterion 'speed'")
    assert ", ".join(CRITERIA) == CRITERIA_TEXT


def test_sweep_ranks_by_cost_and_puts_scenarios_without_plan_last() -> None:
    scenarios = expand(small_portfolio(), [parse_vary("hire: skill=backend level=4 count=0..2")])
    result = run_sweep(scenarios, FAST, LocalBackend(), rank_by=["cost"])
    costs = [r.figures.total_cost for r in result.scenarios if r.figures]
    assert costs == sorted(costs) and [r.rank for r in result.scenarios] == [1, 2, 3]
    base = next(r for r in result.scenarios if r.name == "base")
    assert base.delta is None and all(r.delta is not None for r in result.scenarios if r.name != "base")
    plans = {**result.plans, "base": empty_plan(PlanStatus.no_solution, explanation=["no plan"])}
    rows = rank(scenarios, plans, ["cost"])
    assert rows[-1].name == "base" and rows[-1].message == "no plan" and not rows[-1].has_plan
    assert "| 1 | " in sweep_markdown(result) and "## Changes" in sweep_markdown(result)


def test_sweep_file_toml_and_json(tmp_path: Path) -> None:
    toml = tmp_path / "s.toml"
    toml.write_text('rank_by = ["cost"]\n[[vary]]\nop = "hire"\nskill = "backend"\ncount = [0, 1]\n')
    assert load_sweep_file(toml) == {
        "rank_by": ["cost"],
        "vary": [{"op": "hire", "skill": "backend", "count": [0, 1]}],
    }
    bad = tmp_path / "s.json"
    bad.write_text('{"vary": [], "extra": 1}')
    with pytest.raises(InvalidInput) as exc:
        load_sweep_file(bad)
    assert _issues(exc)[0].endswith("extra: unknown key (vary, rank_by)")


def test_cli_sweep_json_report_and_invalid_input(tmp_path: Path) -> None:
    base = tmp_path / "base.json"
    base.write_text(json.dumps(small_dict()))
    sweep = tmp_path / "grid.toml"
    sweep.write_text('[[vary]]\nop = "priority"\ncrm = [1, 10]\n')
    report = tmp_path / "out" / "sweep.md"
    args = ["sweep", str(base), "--file", str(sweep), "--vary", "hire: skill=backend count=0..1"]
    result = runner.invoke(app, [*args, "-t", "2", "--deterministic", "--json", "--report", str(report)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["scenarios"]) == 5 and data["rank_by"] == ["weighted_lateness", "late_projects", "cost"]
    assert report.read_text().startswith("# Scenario sweep")
    bad = runner.invoke(
        app, ["sweep", str(base), "--vary", "hire: skill=backend count=0..1", "--backend", "spark"]
    )
    assert bad.exit_code == 4 and "--backend: unknown backend 'spark'" in bad.output
    bad = runner.invoke(app, ["sweep", str(base), "--file", str(sweep), "--vary", "priority: crm=0"])
    assert (
        bad.exit_code == 4 and "--vary[0].priority: Input should be greater than or equal to 1" in bad.output
    )
    sweep.write_text('[[vary]]\nop = "priority"\ncrm = [1, 11]\n')
    bad = runner.invoke(app, ["sweep", str(base), "--file", str(sweep), "--vary", "priority: crm=1"])
    assert bad.exit_code == 4 and "vary[0].priority: Input should be less than or equal to 10" in bad.output


def test_cli_compare_parallel_and_backend(tmp_path: Path) -> None:
    base = tmp_path / "base.json"
    base.write_text(json.dumps(small_dict()))
    ok = runner.invoke(app, ["compare", str(base), str(base), "-t", "2", "--parallel", "1", "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["parallel"] == 1
    bad = runner.invoke(app, ["compare", str(base), "--backend", "local", "--ray-address", "127.0.0.1:1"])
    assert bad.exit_code == 4 and "--ray-address: a Ray address needs --backend ray" in bad.output
