"""Actuals: the progress rules on bad status updates (each naming its path) and the status figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from model.actuals import parse_actuals, progress_of, status_report
from model.load import InvalidInput
from model.plan import Plan, PlanStatus
from tests.conftest import assign, build, person, portfolio_dict, project, task

D = dt.date.fromisoformat


def _portfolio() -> Any:
    """p: a (5 days) then b (5 days, FS); q is proposed and left out of the baseline."""
    return build(
        portfolio_dict(
            [
                project("p", [task("a", 5), task("b", 5, dependencies=[{"task": "a"}])]),
                project("q", [task("x", 2)], status="proposed"),
            ],
            [person("ann")],
        )
    )


def _baseline() -> Plan:
    return Plan(
        status=PlanStatus.feasible,
        assignments=[
            assign("p", "a", "2027-01-04", "2027-01-08", "ann"),
            assign("p", "b", "2027-01-11", "2027-01-15", "ann"),
        ],
        unscheduled_projects=["q"],
    )


def _issues(rows: list[dict[str, Any]], status_date: str = "2027-01-12") -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        parse_actuals({"status_date": status_date, "tasks": rows}, _portfolio(), _baseline())
    return [str(i) for i in caught.value.issues]


START = {"project": "p", "task": "a", "actual_start": "2027-01-04"}


@pytest.mark.parametrize(
    ("row", "path", "words"),
    [
        ({"project": "nope", "task": "a"}, "tasks[0].project", "not a project"),
        ({"project": "p", "task": "zz"}, "tasks[0].task", "not a task"),
        ({**START, "actual_start": "2027-01-13"}, "tasks[0].actual_start", "after the status date"),
        ({**START, "actual_finish": "2027-01-13"}, "tasks[0].actual_finish", "after the status date"),
        ({**START, "actual_start": "2027-01-06", "actual_finish": "2027-01-05"}, "tasks[0].actual_finish", "reversed"),
        ({**START, "actual_start": "2026-12-30"}, "tasks[0].actual_start", "outside the portfolio's horizon"),
        ({**START, "percent_complete": 120}, "tasks[0].percent_complete", "less than or equal to 100"),
        ({**START, "percent_complete": 50, "remaining_days": 2}, "tasks[0]", "at most one"),
        ({"project": "p", "task": "a", "percent_complete": 50}, "tasks[0]", "has not started"),
        ({"project": "p", "task": "a", "actual_finish": "2027-01-08"}, "tasks[0]", "needs an `actual_start`"),
        ({**START, "actual_finish": "2027-01-08", "remaining_days": 2}, "tasks[0]", "no work left"),
        ({"project": "q", "task": "x", "actual_start": "2027-01-05"}, "tasks[0]", "left out of the baseline"),
    ],
)
def test_each_bad_actual_names_its_path(row: dict[str, Any], path: str, words: str) -> None:
    issues = _issues([row])
    assert any(i.startswith(path + ":") and words in i for i in issues), issues


def test_a_task_given_twice_and_a_status_date_outside_the_horizon() -> None:
    assert any(i.startswith("tasks[1]:") and "already given" in i for i in _issues([START, START]))
    assert any(i.startswith("status_date:") for i in _issues([], status_date="2028-01-01"))


def test_progress_of_done_and_in_progress_tasks() -> None:
    rows = [
        {**START, "actual_finish": "2027-01-11"},
        {"project": "p", "task": "b", "actual_start": "2027-01-12", "percent_complete": 40},
    ]
    actuals = parse_actuals({"status_date": "2027-01-12", "tasks": rows}, _portfolio(), _baseline())
    state = progress_of(_portfolio(), _baseline(), actuals)
    assert (state[("p", "a")].start, state[("p", "a")].finish, state[("p", "a")].remaining) == (0, 5, 0)
    b = state[("p", "b")]
    assert (b.start, b.finish, b.remaining, b.done_share) == (6, None, 3, 0.4)  # ceil(5 × 0.6) days left


def test_status_figures_on_a_hand_made_case() -> None:
    """a overran by a day; b, due to start on the 11th, has not started by the 12th."""
    pf, baseline = _portfolio(), _baseline()
    actuals = parse_actuals(
        {"status_date": "2027-01-12", "tasks": [{**START, "actual_finish": "2027-01-11"}]}, pf, baseline
    )
    forecast = Plan(
        status=PlanStatus.feasible,
        assignments=[
            assign("p", "a", "2027-01-04", "2027-01-11"),
            assign("p", "b", "2027-01-13", "2027-01-19", "ann"),
        ],
    )
    report = status_report(pf, baseline, actuals, forecast)
    row = report.projects[0]
    # PV: all of a (5) and 2 of b's 5 days (11th, 12th); EV: a done, b not started
    assert (row.planned_value, row.earned_value, row.spi) == (7.0, 5.0, 0.714)
    assert (row.baseline_finish, row.forecast_finish, row.slip_days) == (D("2027-01-15"), D("2027-01-19"), 2)
    assert [(t.project, t.task) for t in report.late_to_start] == [("p", "b")]
    assert report.late_to_finish == []  # b's baseline finish (the 15th) is still ahead
    assert [(d.task, d.own_slip_days) for d in report.slip_tasks] == [("b", 2)]
    assert [(p.person, p.own_slip_days) for p in report.slip_people] == [("ann", 2)]
    assert report.projects[1].slip_days is None  # q: in neither plan
