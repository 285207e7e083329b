"""Key figures and the objective value, computed from a plan and its portfolio alone.

This is the single definition of the objective of the contract; the solver's
model is built to agree with it and the tests compare the two.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from model.calendar import WorkCalendar
from model.plan import Assignment, Kpis, ProjectResult
from model.portfolio import Portfolio, ProjectStatus, Task


@dataclass(frozen=True)
class ObjectiveBreakdown:
    """The objective split into its weighted terms (each already multiplied by its weight)."""

    tardiness: float
    completion: float
    cost: float
    continuity: float
    left_out: float
    makespan: float = 0.0
    project_delay: float = 0.0

    @property
    def total(self) -> float:
        """Sum of the terms."""
        return sum(self.as_dict().values())

    def as_dict(self) -> dict[str, float]:
        """Terms by name, for score analysis."""
        return {
            "tardiness": self.tardiness,
            "completion": self.completion,
            "cost": self.cost,
            "continuity": self.continuity,
            "left_out": self.left_out,
            "makespan": self.makespan,
            "project_delay": self.project_delay,
        }


def shortest_length(task: Task) -> int:
    """Fewest working days a task can take (shortest mode, largest crew)."""
    if task.effort is not None:
        return task.effort_length(task.crew_bounds[1])
    return min(mode.duration for mode in task.mode_options())


def critical_path_lengths(portfolio: Portfolio) -> dict[str, int]:
    """Per project: working days its own network needs with the shortest modes, ignoring people.

    Only dependencies inside the project count; the network starts at day 0 (no start
    before 0), so the value is the project's fastest possible span from its release.
    """
    out: dict[str, int] = {}
    for project in portfolio.projects:
        length = {t.id: shortest_length(t) for t in project.tasks}
        preds: dict[str, list[tuple[str, str, int]]] = {t.id: [] for t in project.tasks}
        for t in project.tasks:
            for dep in t.dependencies:
                other, name = portfolio.task_key(project.id, dep.task)
                if other == project.id:
                    preds[t.id].append((name, dep.type.value, dep.lag))
        succs: dict[str, list[str]] = {t.id: [] for t in project.tasks}
        waiting = {tid: len(p) for tid, p in preds.items()}
        for tid, plist in preds.items():
            for name, _, _ in plist:
                succs[name].append(tid)
        ready = [tid for tid, n in waiting.items() if n == 0]
        start: dict[str, int] = {}
        while ready:  # Kahn's order; the rules reject cycles before we get here
            tid = ready.pop()
            value = 0
            for name, kind, lag in preds[tid]:
                s, e = start[name], start[name] + length[name]
                value = max(
                    value,
                    {
                        "FS": e + lag,
                        "SS": s + lag,
                        "FF": e + lag - length[tid],
                        "SF": s + lag + 1 - length[tid],
                    }[kind],
                )
            start[tid] = value
            for nxt in succs[tid]:
                waiting[nxt] -= 1
                if waiting[nxt] == 0:
                    ready.append(nxt)
        out[project.id] = max((start[t] + length[t] for t in start), default=0)
    return out


def day_span(cal: WorkCalendar, a: Assignment) -> tuple[int, int]:
    """First and last working-day index of an assignment."""
    return cal.ceil_index(a.start), cal.floor_index(a.finish)


def project_results(portfolio: Portfolio, assignments: Iterable[Assignment]) -> list[ProjectResult]:
    """Per project: scheduled or not, start, finish and working days late."""
    cal = portfolio.work_calendar
    by_project: dict[str, list[Assignment]] = defaultdict(list)
    for a in assignments:
        by_project[a.project].append(a)
    out = []
    for project in portfolio.projects:
        items = by_project.get(project.id, [])
        if not items:
            out.append(ProjectResult(id=project.id, scheduled=False, due=project.due))
            continue
        start = min(a.start for a in items)
        finish = max(a.finish for a in items)
        late = 0
        if project.due is not None:
            late = max(0, cal.floor_index(finish) - cal.floor_index(project.due))
        out.append(
            ProjectResult(
                id=project.id,
                scheduled=True,
                start=start,
                finish=finish,
                due=project.due,
                late_days=late,
            )
        )
    return out


def unscheduled_projects(portfolio: Portfolio, results: Iterable[ProjectResult]) -> list[str]:
    """Ids of proposed projects left out of the plan."""
    status = {p.id: p.status for p in portfolio.projects}
    return [r.id for r in results if not r.scheduled and status[r.id] == ProjectStatus.proposed]


def objective_breakdown(
    portfolio: Portfolio, assignments: list[Assignment], *, results: list[ProjectResult] | None = None
) -> ObjectiveBreakdown:
    """The contract's objective of a plan, term by term.

    ``results`` are the plan's :func:`project_results` when the caller already has them.
    """
    cal = portfolio.work_calendar
    weights = portfolio.objective
    horizon = cal.num_days
    if results is None:
        results = project_results(portfolio, assignments)
    priority = {p.id: p.priority for p in portfolio.projects}
    tardiness = completion = left_out = 0.0
    for r in results:
        if r.scheduled:
            assert r.finish is not None
            tardiness += priority[r.id] * r.late_days
            completion += priority[r.id] * cal.floor_index(r.finish)
        elif portfolio.project(r.id).status == ProjectStatus.proposed:
            left_out += priority[r.id] * horizon
    cost = _total_cost(portfolio, assignments)
    team: dict[str, set[str]] = defaultdict(set)
    for a in assignments:
        team[a.project].update(p.id for p in a.people)
    continuity = sum(len(v) for v in team.values())
    return ObjectiveBreakdown(
        tardiness=weights.tardiness * tardiness,
        completion=weights.completion * completion,
        cost=weights.cost * cost,
        continuity=weights.continuity * continuity,
        left_out=weights.tardiness * left_out,
        makespan=weights.makespan * makespan(portfolio, assignments) if weights.makespan else 0.0,
        project_delay=(
            weights.project_delay * project_delay(portfolio, results) if weights.project_delay else 0.0
        ),
    )


def makespan(portfolio: Portfolio, assignments: Iterable[Assignment]) -> int:
    """Working days from the horizon start to the last finish (last finish index + 1)."""
    cal = portfolio.work_calendar
    return max((cal.floor_index(a.finish) + 1 for a in assignments), default=0)


def project_delay(portfolio: Portfolio, results: Iterable[ProjectResult]) -> int:
    """Σ over planned projects of (finish index + 1 − release index − critical path length)."""
    cal = portfolio.work_calendar
    critical = critical_path_lengths(portfolio)
    total = 0
    for r in results:
        if not r.scheduled or r.finish is None:
            continue
        project = portfolio.project(r.id)
        release = cal.ceil_index(project.release) if project.release else 0
        total += cal.floor_index(r.finish) + 1 - release - critical[r.id]
    return total


def objective_value(
    portfolio: Portfolio, assignments: list[Assignment], *, results: list[ProjectResult] | None = None
) -> float:
    """The contract's objective of a plan (lower is better); ``results`` as in
    :func:`objective_breakdown`."""
    return objective_breakdown(portfolio, assignments, results=results).total


def _total_cost(portfolio: Portfolio, assignments: Iterable[Assignment]) -> float:
    cal = portfolio.work_calendar
    rate = {p.id: p.cost_per_day for p in portfolio.people}
    total = 0.0
    for a in assignments:
        lo, hi = day_span(cal, a)
        days = max(0, hi - lo + 1)
        for person in a.people:
            total += rate.get(person.id, 0.0) * person.allocation / 100 * days
    return total


def availability_matrix(portfolio: Portfolio) -> np.ndarray:
    """Boolean ``people × working days``: whether each person can work that day."""
    cal = portfolio.work_calendar
    avail = np.zeros((len(portfolio.people), cal.num_days), dtype=bool)
    for i, person in enumerate(portfolio.people):
        avail[i] = cal.range_mask(person.available_from, person.available_until)
        for absence in person.absences:
            avail[i] &= ~cal.range_mask(absence.start, absence.end)
    return avail


def load_matrix(portfolio: Portfolio, assignments: Iterable[Assignment]) -> np.ndarray:
    """Percent booked per ``person × working day`` (unknown people are ignored)."""
    cal = portfolio.work_calendar
    index = {p.id: i for i, p in enumerate(portfolio.people)}
    load = np.zeros((len(portfolio.people), cal.num_days), dtype=np.int32)
    for a in assignments:
        lo, hi = day_span(cal, a)
        for person in a.people:
            i = index.get(person.id)
            if i is not None and lo <= hi:
                load[i, lo : hi + 1] += person.allocation
    return load


def compute_kpis(
    portfolio: Portfolio, assignments: list[Assignment], *, results: list[ProjectResult] | None = None
) -> Kpis:
    """KPIs of a plan: tardiness, late projects, makespan, cost, utilisation; ``results`` as
    in :func:`objective_breakdown`."""
    cal = portfolio.work_calendar
    if results is None:
        results = project_results(portfolio, assignments)
    priority = {p.id: p.priority for p in portfolio.projects}
    late = [r for r in results if r.scheduled and r.late_days > 0]
    finishes = [cal.floor_index(a.finish) for a in assignments]
    load = load_matrix(portfolio, assignments).astype(np.float64)
    avail = availability_matrix(portfolio)
    capacity = np.array([p.capacity for p in portfolio.people], dtype=np.float64)[:, None]
    offered = avail * capacity
    utilisation: dict[str, float] = {}
    by_week: dict[str, dict[str, float]] = {}
    week_of_day = [cal.iso_week(i) for i in range(cal.num_days)]
    weeks = sorted(set(week_of_day))
    week_pos = {w: k for k, w in enumerate(weeks)}
    week_idx = np.array([week_pos[w] for w in week_of_day], dtype=np.int64) if weeks else None
    for i, person in enumerate(portfolio.people):
        total_offered = offered[i].sum()
        utilisation[person.id] = round(float(load[i].sum() / total_offered), 4) if total_offered else 0.0
        if week_idx is None:
            continue
        booked_w = np.bincount(week_idx, weights=load[i], minlength=len(weeks))
        offered_w = np.bincount(week_idx, weights=offered[i], minlength=len(weeks))
        by_week[person.id] = {
            w: round(float(b / o), 4) for w, b, o in zip(weeks, booked_w, offered_w, strict=True) if o > 0
        }
    return Kpis(
        project_delay=project_delay(portfolio, results),
        weighted_tardiness=sum(priority[r.id] * r.late_days for r in late),
        late_projects=len(late),
        late_days=sum(r.late_days for r in late),
        makespan_days=(max(finishes) + 1) if finishes else 0,
        total_cost=round(_total_cost(portfolio, assignments), 2),
        utilisation=utilisation,
        utilisation_by_week=by_week,
    )
