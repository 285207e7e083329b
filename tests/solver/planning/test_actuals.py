"""Replan from actuals: done work stays at its actual dates, work in progress on its people with
its remaining work, nothing else before the day after the status date; every plan verified."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.actuals import Actuals, TaskActual, parse_actuals
from model.checker import check_plan
from model.load import InvalidInput
from model.plan import Plan
from model.portfolio import Portfolio
from solver.planning.actuals import derived_inputs, replan_from_actuals
from solver.settings import SolverSettings
from solver.solve import solve
from tests.conftest import build, person, portfolio_dict, project, task

QUICK = SolverSettings(time_limit=1, workers=1, deterministic=True, optimise=False)


@st.composite
def executions(draw: st.DrawFn) -> tuple[Portfolio, Plan, Actuals]:
    """A tiny portfolio, its levelling plan, and actuals that drift from it by a few days."""
    projects = []
    for p in range(draw(st.integers(1, 2))):
        tasks = []
        for t in range(draw(st.integers(1, 4))):
            deps = [{"task": f"t{t - 1}"}] if t and draw(st.booleans()) else []
            tasks.append(task(f"t{t}", draw(st.integers(1, 4)), dependencies=deps))
        projects.append(project(f"p{p}", tasks))
    portfolio = build(portfolio_dict(projects, [person("ann"), person("bob")]))
    baseline = solve(portfolio, QUICK)
    cal = portfolio.work_calendar
    status = draw(st.integers(1, 12))
    rows = []
    for a in sorted(baseline.assignments, key=lambda a: a.start):
        first, last = cal.index(a.start), cal.index(a.finish)
        start = first + draw(st.integers(-1, 2))
        if first > status or not 0 <= start <= status:
            continue
        row = TaskActual(project=a.project, task=a.task, actual_start=cal.date(start))
        finish = start + (last - first) + draw(st.integers(-1, 2))
        if start <= finish <= status and draw(st.booleans()):
            row.actual_finish = cal.date(finish)
        elif draw(st.booleans()):
            row.remaining_days = draw(st.integers(1, 4))
        rows.append(row)
    return portfolio, baseline, Actuals(status_date=cal.date(status), tasks=rows)


@settings(max_examples=12, deadline=None, derandomize=True)
@given(executions())
def test_replan_from_actuals_keeps_done_work_at_its_actual_dates(case: tuple[Portfolio, Plan, Actuals]) -> None:
    portfolio, baseline, actuals = case
    actuals = parse_actuals(actuals.model_dump(mode="json"), portfolio, baseline)  # valid by construction
    derived, plan = replan_from_actuals(portfolio, baseline, actuals, settings=QUICK)
    assert plan.status.has_plan and plan.violations == [] and check_plan(derived, plan) == []
    cal = portfolio.work_calendar
    first = cal.floor_index(actuals.status_date) + 1
    got = {(a.project, a.task): a for a in plan.assignments}
    old = {(a.project, a.task): a for a in baseline.assignments}
    given_rows = {(r.project, r.task): r for r in actuals.tasks}
    for key, a in got.items():
        row = given_rows.get(key)
        if row is not None and row.actual_finish is not None:
            assert (a.start, a.finish) == (cal.date(cal.ceil_index(row.actual_start)), row.actual_finish)
            continue
        assert cal.index(a.start) >= first  # nothing else runs in the past
        if row is not None:  # in progress: its baseline people, its remaining work
            assert {p.id for p in a.people} == {p.id for p in old[key].people}
            if row.remaining_days is not None:
                assert cal.index(a.finish) - cal.index(a.start) + 1 == row.remaining_days


def test_remaining_work_past_the_horizon_names_its_row() -> None:
    portfolio = build(portfolio_dict([project("p", [task("a", 3)])], end="2027-01-29"))
    baseline = solve(portfolio, QUICK)
    actuals = parse_actuals(
        {"status_date": "2027-01-05", "tasks": [{"project": "p", "task": "a", "actual_start": "2027-01-04", "remaining_days": 90}]},
        portfolio,
        baseline,
    )
    with pytest.raises(InvalidInput) as caught:
        derived_inputs(portfolio, baseline, actuals)
    assert str(caught.value.issues[0]).startswith("tasks[0].remaining_days:")


def test_a_task_late_to_start_moves_to_after_the_status_date() -> None:
    portfolio = build(portfolio_dict([project("p", [task("a", 3), task("b", 2, dependencies=[{"task": "a"}])])]))
    baseline = solve(portfolio, QUICK)
    actuals = parse_actuals({"status_date": "2027-01-07", "tasks": []}, portfolio, baseline)
    _, plan = replan_from_actuals(portfolio, baseline, actuals, settings=QUICK)
    starts = {a.task: a.start for a in plan.assignments}
    assert starts["a"] == dt.date(2027, 1, 8) and starts["b"] > dt.date(2027, 1, 8)
