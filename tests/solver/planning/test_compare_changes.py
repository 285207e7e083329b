"""Scenarios solved as changes of their base (solver/planning/compare.py, solver/construct/repair.py)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.compare_report import render_comparison
from model.checker import check_plan
from model.load import parse_portfolio
from solver.planning.compare import UNCHANGED, compare, compare_plans
from solver.settings import SolverSettings
from solver.solve import solve
from tests.conftest import small_portfolio, valid_portfolios
from tests.solver.planning.test_compare import scenario

FAST = SolverSettings(time_limit=1, workers=1)
DETERMINISTIC = SolverSettings(time_limit=1, workers=1, deterministic=True)
PROPERTY = settings(
    max_examples=4, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@pytest.fixture(scope="module")
def base_plan() -> Any:
    return solve(small_portfolio(), FAST)


@PROPERTY
@given(data=valid_portfolios(), deterministic=st.booleans())
def test_unchanged_scenario_gets_the_base_plan(data: dict[str, Any], deterministic: bool) -> None:
    base = parse_portfolio(data)
    same = scenario([], data)
    comparison = compare({"base": base, "same": same}, DETERMINISTIC if deterministic else FAST)
    plans = comparison.plans
    assert plans["same"].status == plans["base"].status
    assert plans["same"].assignments == plans["base"].assignments
    outcome = comparison.outcome("same")
    assert outcome.start == UNCHANGED
    if outcome.delta is not None:
        assert outcome.delta.objective == 0 and outcome.within_noise


@PROPERTY
@given(data=valid_portfolios(), level=st.integers(1, 5), capacity=st.integers(20, 100))
def test_adding_a_person_is_never_reported_worse(data: dict[str, Any], level: int, capacity: int) -> None:
    base = parse_portfolio(data)
    skill = data["skills"][0]["id"]
    hire = scenario([{"op": "hire", "skill": skill, "level": level, "capacity": capacity}], data)
    comparison = compare({"base": base, "hire": hire}, FAST)
    outcome = comparison.outcome("hire")
    if comparison.outcome("base").has_plan:
        assert outcome.has_plan and outcome.delta is not None and outcome.delta.objective is not None
        assert outcome.delta.objective <= 1e-6
        assert not check_plan(hire, comparison.plans["hire"])


def test_noise_marks_small_deltas_only(base_plan: Any) -> None:
    portfolio = small_portfolio()
    rush = scenario([{"op": "change_priority", "project": "crm", "priority": 10}])
    rushed = solve(rush, FAST, start=base_plan)
    assert base_plan.objective and rushed.objective
    gap = abs(rushed.objective - base_plan.objective) / base_plan.objective
    portfolios = {"base": portfolio, "rush": rush}
    plans = {"base": base_plan, "rush": rushed}
    wide = compare_plans(portfolios, plans, noise=gap + 0.01)
    narrow = compare_plans(portfolios, plans, noise=max(0.0, gap / 2 - 1e-9))
    assert wide.outcome("rush").within_noise
    assert wide.outcome("rush").noise_threshold == pytest.approx((gap + 0.01) * base_plan.objective, abs=1e-3)
    assert narrow.outcome("rush").within_noise == (gap == 0)
    assert "within solver noise" in render_comparison(wide)
    assert not wide.outcome("base").within_noise and wide.outcome("base").noise_threshold is None


def test_dump_carries_the_plans(base_plan: Any) -> None:
    comparison = compare_plans({"base": small_portfolio()}, {"base": base_plan})
    assert "plans" not in comparison.dump()
    dumped = comparison.dump(with_plans=True)
    assert dumped["plans"]["base"]["assignments"] == base_plan.model_dump(mode="json")["assignments"]
