"""Interchangeable people: found, ordered by workload, and never at the cost of the optimum."""

from __future__ import annotations

import pytest
from ortools.sat.python import cp_model

from model.plan import PlanStatus
from model.portfolio import Portfolio
from solver.cpsat.constraints import CONSTRAINTS, interchangeable_people
from solver.cpsat.model import add_hint, build_model, solve_model
from solver.cpsat.scope import build_scope
from solver.problem import compile_problem
from solver.settings import SolverSettings
from solver.solve import best_levelling, solve
from tests.portfolios import person, portfolio, project, task


def _team() -> Portfolio:
    people = [person(f"d{k}", {"dev": 2}) for k in range(3)] + [
        person("lead", {"dev": 3}),
        person("part", {"dev": 2}, capacity=50),
    ]
    projects = [
        project(
            f"p{k}",
            [task("a", 2 + k % 3), task("b", 3, dependencies=[{"task": "a"}])],
            priority=1 + k,
            due="2027-01-08",
        )
        for k in range(4)
    ]
    return portfolio(people, projects, end="2027-01-29")


def test_only_truly_identical_people_form_a_group() -> None:
    problem = compile_problem(_team())
    scope = build_scope(problem, list(range(problem.num_tasks)), {})
    names = [[problem.person_ids[i] for i in g] for g in scope.interchangeable]
    assert names == [["d0", "d1", "d2"]]  # a higher level or part time tells people apart


def test_a_pin_or_fixed_work_breaks_the_group() -> None:
    problem = compile_problem(_team())
    result, _, _ = best_levelling(problem)
    first = min(result.placements, key=lambda t: result.placements[t].start)
    free = [t for t in range(problem.num_tasks) if t != first]
    scope = build_scope(problem, free, result.placements)
    busy = {p for p, _ in result.placements[first].people}
    assert all(not (set(g) & busy) for g in scope.interchangeable)


def test_the_hint_is_relabelled_to_stay_feasible() -> None:
    problem = compile_problem(_team())
    result, _, _ = best_levelling(problem)
    built = build_model(build_scope(problem, list(range(problem.num_tasks)), result.placements))
    add_hint(built, result.placements)
    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    solver.parameters.num_workers = 1
    assert solver.solve(built.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


@pytest.mark.parametrize("seed", [0, 1])
def test_symmetry_breaking_keeps_the_optimum(seed: int) -> None:
    pf = _team()
    problem = compile_problem(pf)
    without = tuple(f for f in CONSTRAINTS if f is not interchangeable_people)
    values = []
    for families in (CONSTRAINTS, without):
        built = build_model(build_scope(problem, list(range(problem.num_tasks)), {}), families)
        sub = solve_model(built, time_limit=20, workers=1, seed=seed, deterministic=True)
        assert sub.status == "OPTIMAL"
        values.append(sub.objective)
    assert values[0] == pytest.approx(values[1])
    plan = solve(pf, SolverSettings(time_limit=20, workers=1, deterministic=True))
    assert plan.status == PlanStatus.optimal and plan.objective == pytest.approx(values[0])
