"""``pmo solve --robust SHARE``: among near-best plans, the one whose committed projects are most
likely on time; the plan is verified, the choice is explained in its stats, bad shares exit 4."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import ExitCode, app
from api.robust import Candidate, collect_candidates, min_on_time, pick, robust_solve, within_share
from model.checker import check_plan
from model.load import parse_portfolio
from model.plan import Plan
from model.portfolio import Portfolio
from solver.settings import SolverSettings
from tests.conftest import small_dict

runner = CliRunner()
SETTINGS = SolverSettings(time_limit=2, workers=1, deterministic=True, explain=False)


@pytest.fixture(scope="module")
def uncertain() -> Portfolio:
    data = small_dict()
    data["risk"] = {"default_spread": {"optimistic": 0.9, "pessimistic": 1.8}}
    return parse_portfolio(data)


@pytest.fixture(scope="module")
def candidates(uncertain: Portfolio) -> list[Candidate]:
    found, _ = collect_candidates(uncertain, SETTINGS, runs=1, samples=500)
    return found


def test_candidates_are_verified_plans_with_their_risk(
    uncertain: Portfolio, candidates: list[Candidate]
) -> None:
    assert [c.label for c in candidates] == ["levelling", "seed 0"]
    for c in candidates:
        assert check_plan(uncertain, c.plan) == []
        assert c.min_on_time == min_on_time(uncertain, c.plan)
        assert 0 <= c.min_on_time <= c.mean_on_time <= 1


def test_the_share_bounds_the_cost_and_the_choice_is_the_safest_within_it(
    candidates: list[Candidate],
) -> None:
    best = min(c.objective for c in candidates)
    for share in (0.0, 0.05, 0.5, 1.0):
        near = within_share(candidates, share)
        chosen = pick(candidates, share)
        assert chosen in near and chosen.objective <= best + share * abs(best) + 1e-9
        assert all(chosen.min_on_time >= c.min_on_time for c in near)
    # a wider share never chooses a less safe plan
    assert pick(candidates, 1.0).min_on_time >= pick(candidates, 0.0).min_on_time


def test_a_tie_on_the_lowest_probability_goes_to_the_higher_mean_then_the_lower_objective(
    candidates: list[Candidate],
) -> None:
    plan = candidates[0].plan
    safer = Candidate("a", plan, 100.0, 0.0, 0.7)
    cheaper = Candidate("b", plan, 99.0, 0.0, 0.6)
    same = Candidate("c", plan, 98.0, 0.0, 0.6)
    assert pick([safer, cheaper, same], 0.05).label == "a"
    assert pick([safer, cheaper, same], 0.001).label == "c"  # "a" costs more than 0.1 %


def test_robust_solve_explains_its_choice(uncertain: Portfolio) -> None:
    plan = robust_solve(uncertain, SETTINGS, 0.1, runs=1, samples=500)
    assert check_plan(uncertain, plan) == []
    robust = plan.stats["robust"]
    assert robust["share"] == 0.1 and len(robust["candidates"]) == 2
    assert robust["objective_cost_pct"] <= 10 + 1e-6 and robust["min_on_time_gain"] >= 0
    assert "risk" in plan.stats


def test_cli_robust_writes_the_chosen_plan(tmp_path: Path) -> None:
    data = small_dict()
    data["risk"] = {"default_spread": {"optimistic": 0.9, "pessimistic": 1.8}}
    source, out = tmp_path / "p.json", tmp_path / "plan.json"
    source.write_text(json.dumps(data))
    result = runner.invoke(
        app, ["solve", str(source), "--robust", "0.05", "-t", "2", "--deterministic", "-o", str(out)]
    )
    assert result.exit_code == ExitCode.PLAN, result.output
    plan = Plan.model_validate_json(out.read_text())
    assert "robust" in plan.stats and check_plan(parse_portfolio(data), plan) == []


@pytest.mark.parametrize("share", ["-0.1", "2", "nan"])
def test_a_bad_share_is_invalid_input(tmp_path: Path, share: str) -> None:
    source = tmp_path / "p.json"
    source.write_text(json.dumps(small_dict()))
    result = runner.invoke(app, ["solve", str(source), "--robust", share, "--json"])
    assert result.exit_code == ExitCode.INVALID_INPUT, result.output
    assert "--robust" in result.stdout
