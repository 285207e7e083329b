"""A base plan repaired to a changed portfolio (solver/construct/repair.py), and solve(start=…)."""

from __future__ import annotations

from typing import Any

import pytest

from model.checker import check_plan
from model.plan import Plan
from solver.construct.repair import repair_plan
from solver.convert import to_assignments
from solver.problem import compile_problem
from solver.settings import SolverSettings
from solver.solve import solve
from tests.conftest import small_dict, small_portfolio
from tests.solver.planning.test_compare import scenario

FAST = SolverSettings(time_limit=1, workers=1)


@pytest.fixture(scope="module")
def base_plan() -> Plan:
    return solve(small_portfolio(), FAST)


def busiest(plan: Any) -> str:
    """The person on the most tasks of a plan."""
    counts: dict[str, int] = {}
    for a in plan.assignments:
        for p in a.people:
            counts[p.id] = counts.get(p.id, 0) + 1
    return max(sorted(counts), key=lambda pid: counts[pid])


def test_repair_keeps_everything_a_hire_leaves_valid(base_plan: Any) -> None:
    portfolio = scenario([{"op": "hire", "skill": "backend", "level": 4}])
    problem = compile_problem(portfolio)
    repaired = repair_plan(portfolio, problem, base_plan.assignments, base_plan.unscheduled_projects)
    assert repaired is not None
    assert repaired.placed == 0 and repaired.dropped == 0
    assert sorted(to_assignments(problem, repaired.placements.values()), key=str) == sorted(
        base_plan.assignments, key=str
    )


def test_repair_restaffs_the_work_of_someone_who_left(base_plan: Any) -> None:
    gone = busiest(base_plan)
    data = small_dict()
    twin = {**next(p for p in data["people"] if p["id"] == gone), "id": "twin", "name": "Twin"}
    leaves: list[dict[str, Any]] = [
        {"op": "add_person", "person": twin},
        {"op": "remove_person", "person": gone, "cascade": True},
    ]
    portfolio = scenario(leaves, data)
    problem = compile_problem(portfolio)
    repaired = repair_plan(portfolio, problem, base_plan.assignments, base_plan.unscheduled_projects)
    assert repaired is not None and repaired.placed > 0 and repaired.kept > 0
    assignments = to_assignments(problem, repaired.placements.values())
    assert all(gone not in {p.id for p in a.people} for a in assignments)
    plan = solve(portfolio, FAST, start=base_plan)
    assert plan.status.has_plan and not check_plan(portfolio, plan)
    assert plan.objective is not None and plan.objective <= repaired.objective + 1e-6
    assert "base plan repaired" in str(plan.stats["warm_start"])


def test_repair_drops_removed_work(base_plan: Any) -> None:
    data = small_dict()
    victim = data["projects"][-1]["id"]
    portfolio = scenario([{"op": "remove_project", "project": victim, "cascade": True}], data)
    problem = compile_problem(portfolio)
    repaired = repair_plan(portfolio, problem, base_plan.assignments, base_plan.unscheduled_projects)
    assert repaired is not None
    removed = sum(1 for a in base_plan.assignments if a.project == victim)
    assert repaired.dropped >= removed > 0
    assert all(problem.task_ids[t][0] != victim for t in repaired.placements)
