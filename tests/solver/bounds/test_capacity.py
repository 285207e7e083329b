"""The capacity relaxation: exact on hand-computed cases, never above any plan's objective."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.generate import generate_size
from model.load import parse_portfolio
from model.plan import PlanStatus
from solver.bounds.capacity import capacity_bound, resource_classes, tails
from solver.bounds.precedence import critical_path_bound
from solver.problem import compile_problem
from solver.settings import SolverSettings
from solver.solve import solve
from solver.windows import time_windows
from tests.conftest import person, portfolio, project
from tests.conftest import task_with as task

TARDINESS_ONLY = {"tardiness": 1, "completion": 0, "cost": 0, "continuity": 0}


def test_one_person_two_projects_bound_is_the_preemptive_average() -> None:
    # Two 10-day jobs for one person, both due on day 9. Relaxed, the lower-priority
    # job's work fills days 10…19 and costs the average of its lateness: 5.5 days.
    # The true optimum is 10 (one of them waits 10 days); the critical path says 0.
    pf = portfolio(
        [person("ann", {"dev": 3})],
        [
            project("a", [task("build", 10)], priority=2, due="2027-01-15"),
            project("b", [task("build", 10)], priority=1, due="2027-01-15"),
        ],
        end="2027-01-29",
        objective=TARDINESS_ONLY,
    )
    problem = compile_problem(pf)
    assert critical_path_bound(problem) == 0
    assert capacity_bound(problem).objective == pytest.approx(5.5)
    plan = solve(pf, SolverSettings(time_limit=10, workers=1, deterministic=True))
    assert plan.status == PlanStatus.optimal and plan.objective == pytest.approx(10)


def test_pool_energy_gives_the_makespan() -> None:
    # Four 3-day tasks each using both units of a 2-unit pool: 12 days whatever the order.
    tasks = [task(f"t{k}", 3, [{"pool": "rig", "units": 2}]) for k in range(4)]
    pf = portfolio(
        [],
        [project("a", tasks)],
        end="2027-01-29",
        pools=[{"id": "rig", "capacity": 2}],
        objective={"tardiness": 0, "completion": 0, "cost": 0, "continuity": 0, "makespan": 1},
    )
    problem = compile_problem(pf)
    bound = capacity_bound(problem)
    assert bound.makespan == 12 and bound.binding == ["pool rig"]
    assert bound.objective == pytest.approx(12)
    plan = solve(pf, SolverSettings(time_limit=10, workers=1, deterministic=True))
    assert plan.status == PlanStatus.optimal and plan.objective == pytest.approx(12)
    assert plan.stats["bound_from"] == "pool rig"  # the bottleneck is named in the plan
    # levelling already meets the bound, so no search runs at all
    assert plan.stats["method"] == "levelling (meets the lower bound)"


def test_tails_follow_the_chain_inside_the_project() -> None:
    a = task("a", 2)
    b = task("b", 3, dependencies=[{"task": "a"}])
    c = task("c", 4, dependencies=[{"task": "b", "type": "SS", "lag": 1}])
    pf = portfolio([person("ann", {"dev": 3})], [project("p", [a, b, c])], end="2027-01-29")
    problem = compile_problem(pf)
    windows = time_windows(problem)
    # after a ends: b (3 days), then c starts a day after b's start and runs 4 days → 5 days
    assert tails(problem, windows).tolist() == [5, 2, 0]


def test_classes_pool_the_candidates_of_a_skill_at_or_above_a_level() -> None:
    pf = portfolio(
        [person("ann", {"dev": 3}), person("bob", {"dev": 1}), person("cy", {"qa": 2})],
        [project("p", [task("a", 2, [{"skill": "dev", "level": 2}]), task("b", 2, [{"skill": "dev"}])])],
    )
    problem = compile_problem(pf)
    names = {c.name: c for c in resource_classes(problem)}
    assert set(names) == {"dev ≥ 1", "dev ≥ 2"}
    assert len(names["dev ≥ 1"].requirements) == 2 and len(names["dev ≥ 2"].requirements) == 1
    assert int(names["dev ≥ 2"].capacity[0]) == 100 and int(names["dev ≥ 1"].capacity[0]) == 200


@pytest.mark.slow
@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000))
def test_bound_never_exceeds_a_plan(seed: int) -> None:
    pf = parse_portfolio(generate_size("tiny", seed=seed))
    problem = compile_problem(pf)
    bound = capacity_bound(problem)
    assert bound.objective >= critical_path_bound(problem) - 1e-6
    plan = solve(pf, SolverSettings(time_limit=3, workers=1, deterministic=True))
    assert plan.objective is not None
    assert bound.objective <= plan.objective + 1e-6
    assert plan.lower_bound is not None and plan.lower_bound >= bound.objective - 1e-6


@st.composite
def _pool_portfolios(draw: st.DrawFn) -> dict:
    """Two or three small projects sharing two pools, with chains and releases."""
    projects = []
    for p in range(draw(st.integers(2, 3))):
        tasks = []
        for k in range(draw(st.integers(1, 3))):
            reqs = [
                {"pool": pool, "units": draw(st.integers(1, 2))}
                for pool in ("r1", "r2")
                if draw(st.booleans())
            ]
            t = task(f"t{k}", draw(st.integers(1, 4)), reqs or [{"pool": "r1", "units": 1}])
            if k and draw(st.booleans()):
                t["dependencies"] = [
                    {
                        "task": f"t{draw(st.integers(0, k - 1))}",
                        "type": draw(st.sampled_from(["FS", "SS", "FF"])),
                    }
                ]
            tasks.append(t)
        release = draw(st.sampled_from(["2027-01-04", "2027-01-05", "2027-01-07"]))
        projects.append(
            project(f"p{p}", tasks, release=release, due="2027-01-08", priority=draw(st.integers(1, 5)))
        )
    weights = draw(
        st.sampled_from(
            [
                {"tardiness": 1, "completion": 0, "cost": 0, "continuity": 0},
                {"tardiness": 0, "completion": 0, "cost": 0, "continuity": 0, "makespan": 1},
                {"tardiness": 0, "completion": 0, "cost": 0, "continuity": 0, "project_delay": 1},
                {"tardiness": 2, "completion": 1, "cost": 0, "continuity": 0, "makespan": 1},
            ]
        )
    )
    return {"projects": projects, "objective": weights}


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(case=_pool_portfolios())
def test_bound_never_exceeds_the_optimum(case: dict) -> None:
    pf = portfolio(
        [],
        case["projects"],
        end="2027-02-12",
        pools=[{"id": "r1", "capacity": 2}, {"id": "r2", "capacity": 2}],
        objective=case["objective"],
    )
    bound = capacity_bound(compile_problem(pf)).objective
    plan = solve(pf, SolverSettings(time_limit=10, workers=1, deterministic=True))
    assert plan.status == PlanStatus.optimal and plan.objective is not None
    assert bound <= plan.objective + 1e-6
