"""A plan's claims (status, objective, bound, results, left-out projects, KPIs) against its
assignments, and budgets of effort-driven tasks, in the checker and the engine alike."""

from __future__ import annotations

import pytest

from model.checker import BUDGET_EXCEEDED, check_plan
from model.claims import (
    BOUND_CLAIM,
    KPIS_CLAIM,
    OBJECTIVE_CLAIM,
    PROJECTS_CLAIM,
    STATUS_CLAIM,
    UNSCHEDULED_CLAIM,
    claim_violations,
)
from model.plan import Plan, PlanStatus
from model.portfolio import Portfolio
from solver.settings import SolverSettings
from solver.solve import solve
from tests.conftest import person, portfolio, project
from tests.conftest import task_with as task

FAST = SolverSettings(time_limit=2, workers=1, seed=0)


@pytest.fixture(scope="module")
def solved() -> tuple[Portfolio, Plan]:
    pf = portfolio(
        [person("a", {"dev": 1})],
        [project("x", [task("u", 3)], due="2027-01-05"), project("y", [task("v", 20)], status="proposed")],
    )
    plan = solve(pf, FAST)
    assert plan.status.has_plan and plan.unscheduled_projects == ["y"]
    return pf, plan


def test_the_engines_own_plan_makes_only_true_claims(solved: tuple[Portfolio, Plan]) -> None:
    pf, plan = solved
    assert claim_violations(pf, plan) == []
    assert claim_violations(pf, Plan.model_validate_json(plan.model_dump_json())) == []


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"objective": 1.0}, OBJECTIVE_CLAIM),
        ({"lower_bound": 1e9}, BOUND_CLAIM),
        ({"unscheduled_projects": ["x", "y"]}, UNSCHEDULED_CLAIM),
        ({"unscheduled_projects": []}, UNSCHEDULED_CLAIM),
        ({"status": PlanStatus.no_solution}, STATUS_CLAIM),
    ],
)
def test_a_made_up_claim_is_reported(solved: tuple[Portfolio, Plan], change: dict, rule: str) -> None:
    pf, plan = solved
    forged = plan.model_copy(update=change)
    assert check_plan(pf, forged) == []  # the assignments themselves are valid
    assert rule in {v.rule for v in claim_violations(pf, forged)}


def test_made_up_results_and_kpis_are_reported(solved: tuple[Portfolio, Plan]) -> None:
    pf, plan = solved
    results = [r.model_copy(update={"late_days": r.late_days + 3}) for r in plan.projects]
    kpis = plan.kpis.model_copy(update={"total_cost": plan.kpis.total_cost + 100})
    rules = {v.rule for v in claim_violations(pf, plan.model_copy(update={"projects": results, "kpis": kpis}))}
    assert {PROJECTS_CLAIM, KPIS_CLAIM} <= rules


def _effort_budget(limit: int, status: str = "committed") -> Portfolio:
    work = task("w", effort=4, crew={"min": 1, "max": 2}, consumes={"cash": 10})
    return portfolio(
        [person("a", {"dev": 1}), person("b", {"dev": 1})],
        [project("x", [work], budgets={"cash": limit}, status=status)],
    )


def test_an_effort_driven_task_counts_against_its_budget() -> None:
    within = solve(_effort_budget(10), FAST)
    assert within.status.has_plan and check_plan(_effort_budget(10), within) == []
    over = _effort_budget(5)
    assert BUDGET_EXCEEDED in {v.rule for v in check_plan(over, within)}
    assert solve(over, FAST).status == PlanStatus.infeasible
    left_out = solve(_effort_budget(5, status="proposed"), FAST)
    assert left_out.status.has_plan and left_out.unscheduled_projects == ["x"]
