"""On tiny portfolios the optimiser's optimum equals exhaustive enumeration."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable

import pytest

from model.checker import check_assignments
from model.kpis import objective_value
from model.plan import Assignment, PersonAllocation, PlanStatus
from model.portfolio import Portfolio
from solver.settings import SolverSettings
from solver.solve import solve
from tests.conftest import person, portfolio, project
from tests.conftest import task_with as task


def _random_portfolio(seed: int) -> Portfolio:
    rng = random.Random(seed)
    people = [person(f"p{i}", {rng.choice(["dev", "qa"]): rng.randint(1, 3)}) for i in range(3)]
    people[0]["skills"] = {"dev": 3, "qa": 3}
    tasks = []
    for k in range(3):
        t = task(
            f"t{k}", rng.randint(1, 3), [{"skill": rng.choice(["dev", "qa"]), "level": rng.randint(1, 2)}]
        )
        if k and rng.random() < 0.6:
            pred = rng.randrange(k)
            ref = f"t{pred}" if (pred < 2) == (k < 2) else f"a/t{pred}"
            t["dependencies"] = [{"task": ref, "type": rng.choice(["FS", "SS", "FF"])}]
        tasks.append(t)
    projects = [
        project("a", tasks[:2], priority=rng.randint(1, 10), due="2027-01-05"),
        project("b", tasks[2:], priority=rng.randint(1, 10), due="2027-01-06"),
    ]
    return portfolio(
        people,
        projects,
        end="2027-01-11",
        objective={"tardiness": 10, "completion": 1, "cost": 0, "continuity": 1},
    )


def _brute_force(
    pf: Portfolio, measure: Callable[[Portfolio, list[Assignment]], float] = objective_value
) -> float:
    """The lowest ``measure`` of any valid plan, by enumeration (one-requirement tasks)."""
    cal = pf.work_calendar
    options = []
    for p in pf.projects:
        for t in p.tasks:
            assert t.duration is not None
            req = t.requirements[0]
            qualified = [x.id for x in pf.people if x.skills.get(req.skill, 0) >= req.level]
            options.append(
                [
                    Assignment(
                        project=p.id,
                        task=t.id,
                        start=cal.date(s),
                        finish=cal.date(s + t.duration - 1),
                        people=[PersonAllocation(id=who, allocation=req.allocation)],
                    )
                    for s in range(cal.num_days - t.duration + 1)
                    for who in qualified
                ]
            )
    best = float("inf")
    for combo in itertools.product(*options):
        plan = list(combo)
        value = measure(pf, plan)
        if value < best and not check_assignments(pf, plan):
            best = value
    return best


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_optimum_matches_enumeration(seed: int) -> None:
    pf = _random_portfolio(seed)
    plan = solve(pf, SolverSettings(time_limit=10, workers=1, deterministic=True))
    expected = _brute_force(pf)
    if expected == float("inf"):
        assert plan.status in (PlanStatus.infeasible, PlanStatus.no_solution)
    else:
        assert plan.status == PlanStatus.optimal
        assert plan.objective == pytest.approx(expected)
