"""Replan from actuals: done work at its actual dates, work in progress on its people, the rest re-optimised.

The actuals become a derived portfolio and baseline that the batch replan
(:func:`solver.planning.replan.replan`) takes as they are: a done task is pinned at its actual
start with its actual length and no people (its work is history); the rest of a task in
progress is a task of its remaining days on its baseline people, from the day after the status
date (its baseline place: it moves only when two of them now need one person at once, e.g. a
task that overran into the next one of its person); neither keeps its dependencies or window
(they held, or did not, in the past). A task not started may not start before the day after
the status date either: its baseline placement is dropped when it lies earlier, and a pin
before that day is let go. The replan freezes the done work and re-optimises the rest; its
plan is verified by the checker against the derived portfolio.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from model.actuals import Actuals, next_day, progress_of
from model.load import InvalidInput, parse_portfolio
from model.plan import Assignment, Plan
from model.portfolio import Portfolio, Task
from model.rules import Issue
from solver.planning.replan import ReplanRequest, replan
from solver.settings import SolverSettings
from solver.solve import ProgressCallback
from solver.stop import StopRequest


def _requirements(task: Task, a: Assignment) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The requirements and consumption of the way the baseline runs the task (its mode, its crew)."""
    if task.modes is not None:
        mode = task.modes[a.mode or 0]
        return [r.model_dump(mode="json") for r in mode.requirements], dict(mode.consumes)
    reqs = [r.model_dump(mode="json") for r in task.requirements]
    if task.effort is not None:
        reqs[0]["count"] = max(1, len(a.people))
    return reqs, dict(task.consumes)


def _pinned(task: Task, a: Assignment, start: dt.date, length: int, done: bool) -> dict[str, Any]:
    """A done task at ``start`` (no people), or the rest of one in progress from ``start`` on its people."""
    data = task.model_dump(mode="json", exclude={"effort", "crew", "modes", "estimate", "dependencies"})
    reqs, consumes = _requirements(task, a)
    data.update(
        duration=length,
        requirements=[] if done else reqs,
        consumes=consumes,
        fixed_start=start.isoformat() if done else None,
        fixed_people=[] if done else sorted({p.id for p in a.people}),
        earliest_start=None if done else start.isoformat(),
        latest_finish=None,
    )
    return data


def derived_inputs(
    portfolio: Portfolio, baseline: Plan, actuals: Actuals, deadlines: bool = True
) -> tuple[Portfolio, Plan, dt.date]:
    """The portfolio and baseline that encode the actuals, and the day the remaining work may start.

    Parameters
    ----------
    portfolio, baseline
        What is being executed.
    actuals
        A valid status update (:func:`model.actuals.parse_actuals`).
    deadlines
        Keep the hard deadlines and latest finishes; a forecast leaves them out, so that work
        that can no longer meet one still gets its forecast dates.

    Raises
    ------
    InvalidInput
        When the status date leaves no working day in the horizon (``status_date``) or a task's
        remaining work runs past its end (``tasks[i].remaining_days``, ``tasks[i].percent_complete``).
    """
    cal = portfolio.work_calendar
    day = next_day(cal, actuals)
    if day >= cal.num_days:
        raise InvalidInput([Issue("status_date", "no working day of the horizon is left after it")])
    progress = progress_of(portfolio, baseline, actuals)
    rows = {(r.project, r.task): i for i, r in enumerate(actuals.tasks)}
    old = {(a.project, a.task): a for a in baseline.assignments}
    data = portfolio.model_dump(mode="json")
    assignments, issues = [], []
    for p, project in enumerate(portfolio.projects):
        if not deadlines:
            data["projects"][p]["deadline"] = None
        for t, task in enumerate(project.tasks):
            key = (project.id, task.id)
            state, a = progress.get(key), old.get(key)
            target = data["projects"][p]["tasks"][t]
            if not deadlines:
                target["latest_finish"] = None
            if state is None or a is None:
                if task.fixed_start is not None and cal.ceil_index(task.fixed_start) < day:
                    target["fixed_start"] = None  # the pinned day passed without the task starting
                if a is not None and cal.ceil_index(a.start) >= day:
                    assignments.append(a)
                continue
            done = state.finish is not None
            first, end = (state.start, state.finish) if state.finish is not None else (day, day + state.remaining - 1)
            if end >= cal.num_days:
                row = actuals.tasks[rows[key]]
                field = "percent_complete" if row.percent_complete is not None else "remaining_days"
                issues.append(Issue(f"tasks[{rows[key]}].{field}", "the work left runs past the horizon's end"))
                continue
            start = cal.date(first)
            data["projects"][p]["tasks"][t] = _pinned(task, a, start, end - first + 1, done)
            if project.release is not None and start < project.release:
                data["projects"][p]["release"] = start.isoformat()
            people = [] if done else a.people
            assignments.append(Assignment(project=a.project, task=a.task, start=start, finish=cal.date(end), people=people))
    if issues:
        raise InvalidInput(issues)
    derived = parse_portfolio(data)
    return derived, baseline.model_copy(update={"assignments": assignments}), cal.date(day)


def replan_from_actuals(
    portfolio: Portfolio,
    baseline: Plan,
    actuals: Actuals,
    request: ReplanRequest | None = None,
    deadlines: bool = True,
    settings: SolverSettings | None = None,
    progress: ProgressCallback | None = None,
    stop: StopRequest | None = None,
) -> tuple[Portfolio, Plan]:
    """Replan the remaining work around the actuals.

    Parameters
    ----------
    portfolio, baseline
        What is being executed.
    actuals
        A valid status update.
    request
        Disruption weights and limits of the replan; its as-of date is replaced by the day after
        the status date (a freeze date, when given, still applies).
    deadlines
        Keep the hard deadlines (:func:`derived_inputs`).
    settings, progress, stop
        As for :func:`solver.planning.replan.replan`.

    Returns
    -------
    tuple[Portfolio, Plan]
        The derived portfolio (the actuals pinned) and its plan, verified by the checker against it.
    """
    derived, reference, first = derived_inputs(portfolio, baseline, actuals, deadlines)
    request = replace(request or ReplanRequest(as_of=first), as_of=first)
    return derived, replan(derived, reference, request, settings, progress, stop)
