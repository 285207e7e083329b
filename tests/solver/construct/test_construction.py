"""Starting orders for the optimiser: every plan they give is complete and valid, and the
slack orders and the search among them do what they say."""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pytest

from api.generate import generate_size
from model.checker import check_assignments
from model.load import parse_portfolio
from solver.construct.levelling import level, level_interleaved, objective_staffing, slack_rule
from solver.construct.task_orders import all_orders, construct, yield_search
from solver.convert import to_assignments
from solver.evaluate import objective_of, weighted_tardiness_of
from solver.problem import Problem, compile_problem
from solver.settings import ConstructionTuning
from solver.windows import due_windows, time_windows
from tests.conftest import person, portfolio, project
from tests.conftest import task_with as task


@pytest.mark.parametrize("size", ["tiny", "p10", "p30"])
def test_every_order_gives_a_valid_complete_plan(size: str) -> None:
    pf = parse_portfolio(generate_size(size, seed=1))
    problem = compile_problem(pf)
    plans = construct(problem)
    assert [name for name, _ in plans] == [name for name, _ in all_orders(ConstructionTuning())]
    for _, result in plans:
        assert result.complete
        assert check_assignments(pf, to_assignments(problem, result.placements.values())) == []


@pytest.mark.slow
def test_a_due_date_order_is_repaired_when_it_leaves_a_committed_project_no_room() -> None:
    # On p150 every due-date order, as is, leaves one committed task no run of free people
    # before the horizon ends; moving its project to the front makes them all complete.
    problem = compile_problem(parse_portfolio(generate_size("p150", seed=0)))
    plans = dict(construct(problem))
    assert len(plans) == len(all_orders(ConstructionTuning()))
    best = min(weighted_tardiness_of(problem, r.placements) for r in plans.values())
    assert best < weighted_tardiness_of(problem, level(problem, "priority").placements)


def _two_projects() -> Problem:
    # one developer; "long" is a chain of three 2-day tasks, "short" one 2-day task, both due
    # on the same Friday (day 9 of the two weeks)
    chain = [
        task("a", 2),
        task("b", 2, dependencies=[{"task": "a"}]),
        task("c", 2, dependencies=[{"task": "b"}]),
    ]
    return compile_problem(
        portfolio(
            [person("dev1", {"dev": 3})],
            [
                project("long", chain, due="2027-01-15"),
                project("short", [task("x", 2)], due="2027-01-15"),
            ],
        )
    )


def test_due_windows_give_the_latest_start_that_keeps_each_project_on_time() -> None:
    problem = _two_projects()
    due = due_windows(problem)
    latest_start = (due.latest_end - due.min_length).tolist()
    assert latest_start == [4, 6, 8, 8]  # long/a, long/b, long/c, short/x
    assert time_windows(problem).latest_end.tolist() == [6, 8, 10, 10]  # no hard deadline


def test_slack_rule_puts_the_long_chain_first_unless_its_project_is_asked_to_yield() -> None:
    problem = _two_projects()
    windows = time_windows(problem)
    first_task_of_long, short_task = 0, 3
    key = slack_rule(0)(problem, windows)
    assert key(first_task_of_long) < key(short_task)
    yielding = slack_rule(0, delay=np.array([5.0, 0.0]))(problem, windows)
    assert yielding(first_task_of_long) > yielding(short_task)
    assert slack_rule(3)(problem, windows)(first_task_of_long) < key(first_task_of_long)


def test_yield_search_only_reports_better_valid_plans() -> None:
    pf = parse_portfolio(generate_size("p30", seed=2))
    problem = compile_problem(pf)
    start = level_interleaved(
        problem, slack_rule(6), time_windows(problem), keep_teams=objective_staffing(problem)
    )
    passes = iter(range(40))
    found = list(yield_search(problem, 6, partial(objective_of, problem), lambda: next(passes, None) is None))
    values = [value for _, _, value in found]
    assert values == [objective_of(problem, plan.placements) for _, plan, _ in found]
    assert values == sorted(values, reverse=True) and len(set(values)) == len(values)
    assert values[-1] < objective_of(problem, start.placements)  # late projects yielding pays here
    assert found[0][0] == "slack, 6 days per priority step"  # the plain order comes first
    assert found[0][1].placements == start.placements
    for _, plan, _ in found:
        assert plan.complete
        assert check_assignments(pf, to_assignments(problem, plan.placements.values())) == []


def _team_or_fit(objective: dict[str, int] | None = None) -> Problem:
    # "design" needs dev ≥ 5 (only the senior); "build" follows it and needs dev ≥ 3
    tasks = [
        task("design", 2, [{"skill": "dev", "level": 5}]),
        task("build", 2, [{"skill": "dev", "level": 3}], dependencies=[{"task": "design"}]),
    ]
    extra: dict[str, Any] = {"objective": objective} if objective is not None else {}
    return compile_problem(
        portfolio(
            [person("senior", {"dev": 5}), person("junior", {"dev": 3})],
            [project("app", tasks)],
            **extra,
        )
    )


def _builder(problem: Problem, keep_teams: bool) -> str:
    result = level(problem, keep_teams=keep_teams)
    ((person_index, _),) = result.placements[problem.task_ids.index(("app", "build"))].people
    return problem.person_ids[person_index]


def test_levelling_keeps_the_team_and_the_objective_staffing_keeps_it_only_when_it_counts() -> None:
    problem = _team_or_fit()
    assert _builder(problem, keep_teams=True) == "senior"  # the project's own person, as a PM would
    assert _builder(problem, keep_teams=False) == "junior"  # the least over-qualified
    assert not objective_staffing(problem)  # continuity weighs nothing by default
    assert objective_staffing(_team_or_fit({"tardiness": 1000, "continuity": 1}))
