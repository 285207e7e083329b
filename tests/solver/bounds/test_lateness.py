"""The lateness bound in working days: never above any plan's late days, exact where the
critical path decides, stated in every plan's stats."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.kpis import compute_kpis
from model.load import parse_portfolio
from model.portfolio import Portfolio
from solver.bounds.capacity import capacity_bound, late_days_bound
from solver.evaluate import project_lateness
from solver.problem import compile_problem
from solver.settings import SolverSettings
from solver.solve import best_levelling, solve
from tests.conftest import person, portfolio, project, valid_portfolios
from tests.conftest import task_with as task
from tests.solver.test_bruteforce import _brute_force, _random_portfolio


@settings(deadline=None, max_examples=40, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=valid_portfolios())
def test_the_bound_never_exceeds_the_late_days_of_any_plan_found(data: dict) -> None:
    pf = parse_portfolio(data)
    problem = compile_problem(pf)
    bound = capacity_bound(problem)
    assert bound.lateness is not None and bound.lateness.days >= 0
    _, _, plans = best_levelling(problem)
    for result in plans:
        if result.complete:
            assert bound.lateness.days <= int(project_lateness(problem, result.placements).sum())
    plan = solve(pf, SolverSettings(time_limit=1, workers=1, deterministic=True, explain=False))
    if plan.status.has_plan and not plan.violations:
        assert plan.stats["late_days_bound"] <= plan.kpis.late_days
        assert plan.lower_bound is not None and plan.objective is not None
        assert plan.lower_bound <= plan.objective + 1e-6


def _min_late_days(pf: Portfolio) -> float:
    """The fewest late working days of any valid plan, by enumeration (one-requirement tasks)."""
    return _brute_force(pf, lambda pf, plan: compute_kpis(pf, plan).late_days)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_bound_is_at_most_the_fewest_late_days_by_enumeration(seed: int) -> None:
    pf = _random_portfolio(seed)
    fewest = _min_late_days(pf)
    if fewest == float("inf"):
        pytest.skip("no valid plan")
    assert late_days_bound(compile_problem(pf)).days <= fewest


def test_a_project_due_before_its_critical_path_is_late_by_the_difference() -> None:
    # a 6-day chain due on its 4th working day: at least 2 days late, and levelling gets exactly that
    pf = portfolio(
        [person("ann", {"dev": 3}), person("bob", {"dev": 3})],
        [project("a", [task("t0", 3), task("t1", 3, dependencies=[{"task": "t0"}])], due="2027-01-07")],
    )
    bound = late_days_bound(compile_problem(pf))
    assert (bound.days, bound.method) == (2, "critical path")
    plan = solve(pf, SolverSettings(time_limit=2, workers=1, deterministic=True))
    assert plan.kpis.late_days == 2
    assert plan.stats["late_days_bound"] == 2 and plan.stats["late_days_gap_pct"] == 0.0


def test_one_person_for_two_projects_proves_lateness_by_capacity() -> None:
    # two 5-day projects, one qualified person, both due on day 5: one of them is 5 days late,
    # which the critical path (5 days each) cannot see and the capacity of "dev ≥ 3" can
    pf = portfolio(
        [person("ann", {"dev": 3}), person("bob", {"dev": 1})],
        [
            project("a", [task("t", 5, [{"skill": "dev", "level": 3}])], due="2027-01-08"),
            project("b", [task("t", 5, [{"skill": "dev", "level": 3}])], due="2027-01-08"),
        ],
    )
    bound = late_days_bound(compile_problem(pf))
    assert bound.days >= 1 and bound.method == "capacity of dev ≥ 3"
    plan = solve(pf, SolverSettings(time_limit=2, workers=1, deterministic=True))
    assert bound.days <= plan.kpis.late_days == 5


def test_every_plan_states_its_gap_in_late_days_and_in_objective_units() -> None:
    pf = portfolio(
        [person("ann", {"dev": 3})],
        [project("a", [task("t0", 3), task("t1", 3, dependencies=[{"task": "t0"}])], due="2027-01-07")],
    )
    plan = solve(pf, SolverSettings(time_limit=2, workers=1, deterministic=True))
    stats = plan.stats
    for key in ("late_days", "late_days_bound", "late_days_bound_method", "late_days_gap_pct", "gap_pct"):
        assert key in stats
    assert stats["bound_method"] in ("critical path", "cp-sat (whole model)") or str(
        stats["bound_method"]
    ).startswith("capacity of ")
    assert stats["late_days"] == plan.kpis.late_days


@settings(deadline=None, max_examples=10, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(2, 4), length=st.integers(2, 5))
def test_a_queue_on_one_person_is_bounded_below_its_true_lateness(n: int, length: int) -> None:
    # n projects, each one task of `length` days for the only qualified person, all due at
    # the earliest: the k-th in any order is (k-1) × length days late
    projects = [
        project(f"p{k}", [task("t", length, [{"skill": "dev", "level": 3}])], due="2027-01-04")
        for k in range(n)
    ]
    pf = portfolio([person("ann", {"dev": 3})], projects, end="2027-02-26")
    truth = sum((k + 1) * length - 1 for k in range(n))  # whatever the order
    bound = late_days_bound(compile_problem(pf))
    assert 0 <= bound.days <= truth
