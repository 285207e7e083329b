"""Actuals: what really happened to a plan's tasks, as of a status date, and the status it gives.

A status update names, per task, its actual start, actual finish and its progress (per cent
complete or remaining working days). :func:`parse_actuals` validates it against the portfolio
and the baseline with path-precise errors; :func:`progress_of` turns it into each task's state
on the working-day axis; :func:`status_report` compares the baseline with a forecast plan
(the remaining work replanned around the actuals, :mod:`solver.planning.actuals`).

The schedule performance index is SPI = EV / PV over planned effort in person-days as of the
status date: a task's planned effort is its baseline length × the sum of its people's
allocations (its length alone when it has no people); PV counts the share of each task's
baseline working days on or before the status date, EV the share of its work done.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from pydantic import Field, field_validator, model_validator

from model.calendar import WorkCalendar
from model.kpis import day_span, project_results
from model.load import InvalidInput, parse_model
from model.plan import Assignment, Plan
from model.portfolio import DependencyType, Identifier, Portfolio, Strict, Task, not_before
from model.rules import Issue

SHOWN_DRIVERS = 5  # pain points listed: the few tasks and people behind most of the slippage
SPI_METHOD = "SPI = EV / PV over planned effort (person-days) as of the status date"


class TaskActual(Strict):
    """What happened to one task up to the status date."""

    project: Identifier = Field(description="Project id.")
    task: Identifier = Field(description="Task id within the project.")
    actual_start: dt.date | None = Field(default=None, description="Day work began (on or before the status date).")
    actual_finish: dt.date | None = Field(default=None, description="Day the task was finished (its last working day).")
    percent_complete: float | None = Field(
        default=None, ge=0, le=100, description="Share of the work done, 0…100 (a started, unfinished task)."
    )
    remaining_days: float | None = Field(
        default=None, ge=0, le=10_000, description="Working days of work left (instead of `percent_complete`)."
    )

    _ordered = field_validator("actual_finish")(not_before("actual_start"))

    @model_validator(mode="after")
    def _progress(self) -> TaskActual:
        if self.percent_complete is not None and self.remaining_days is not None:
            raise ValueError("give at most one of `percent_complete` and `remaining_days`")
        if self.actual_finish is not None and self.actual_start is None:
            raise ValueError("`actual_finish` needs an `actual_start`")
        progress = self.percent_complete is not None or self.remaining_days is not None
        if progress and self.actual_start is None:
            raise ValueError("progress on a task that has not started: give its `actual_start`")
        unfinished = (self.percent_complete is not None and self.percent_complete < 100) or bool(self.remaining_days)
        if self.actual_finish is not None and unfinished:
            raise ValueError("a finished task has no work left: leave out its progress or its `actual_finish`")
        return self


class Actuals(Strict):
    """A status update: the actuals of some tasks as of a status date."""

    status_date: dt.date = Field(description="The actuals hold up to and including this date.")
    tasks: list[TaskActual] = Field(default_factory=list, description="Tasks that started (others have not).")


@dataclass(frozen=True)
class TaskProgress:
    """A started task on the working-day axis: ``start`` index, and ``finish`` (done) or ``remaining``."""

    start: int
    finish: int | None  # last working day of a done task
    remaining: int  # working days left from the day after the status date (0: done)
    done_share: float  # of its work, for the earned value


def _date_issues(cal: WorkCalendar, status: dt.date, i: int, row: TaskActual) -> list[Issue]:
    issues = []
    for name in ("actual_start", "actual_finish"):
        day = getattr(row, name)
        if day is None:
            continue
        if day > status:
            issues.append(Issue(f"tasks[{i}].{name}", f"{day} is after the status date {status}"))
        elif cal.ceil_index(day) >= cal.num_days or day < cal.start:
            issues.append(Issue(f"tasks[{i}].{name}", f"{day} is outside the portfolio's horizon"))
    return issues


def actuals_issues(portfolio: Portfolio, baseline: Plan, actuals: Actuals) -> list[Issue]:
    """What makes ``actuals`` wrong for this portfolio and baseline, each with its path.

    Parameters
    ----------
    portfolio
        The portfolio being executed.
    baseline
        Its plan being executed.
    actuals
        The status update.

    Returns
    -------
    list[Issue]
        Empty when valid; else a status date outside the horizon, unknown projects or tasks,
        a task given twice, dates after the status date or outside the horizon, and progress
        on a task the baseline does not plan (a left-out project).
    """
    cal = portfolio.work_calendar
    status = actuals.status_date
    issues = []
    if not cal.start <= status <= cal.end:
        issues.append(Issue("status_date", f"{status} is outside the portfolio's horizon ({cal.start} to {cal.end})"))
    tasks = {p.id: {t.id for t in p.tasks} for p in portfolio.projects}
    planned = {(a.project, a.task) for a in baseline.assignments}
    seen: dict[tuple[str, str], int] = {}
    for i, row in enumerate(actuals.tasks):
        key = (row.project, row.task)
        if row.project not in tasks:
            issues.append(Issue(f"tasks[{i}].project", f"'{row.project}' is not a project of the portfolio"))
            continue
        if row.task not in tasks[row.project]:
            issues.append(Issue(f"tasks[{i}].task", f"'{row.project}/{row.task}' is not a task of the portfolio"))
            continue
        if key in seen:
            issues.append(Issue(f"tasks[{i}]", f"'{row.project}/{row.task}' is already given at tasks[{seen[key]}]"))
        seen.setdefault(key, i)
        if key not in planned:
            left_out = row.project in baseline.unscheduled_projects or not any(
                a.project == row.project for a in baseline.assignments
            )
            why = "its project is left out of the baseline" if left_out else "the baseline does not plan it"
            issues.append(Issue(f"tasks[{i}]", f"progress on '{row.project}/{row.task}', but {why}"))
        issues += _date_issues(cal, status, i, row)
    return issues


def parse_actuals(data: Any, portfolio: Portfolio, baseline: Plan, status_date: dt.date | None = None) -> Actuals:
    """Validate a status update (a dict, JSON text or a path) against the portfolio and baseline.

    Parameters
    ----------
    data
        The status update.
    portfolio, baseline
        What it reports on.
    status_date
        Replaces the file's own status date when given.

    Raises
    ------
    InvalidInput
        Every problem, each naming its JSON path (``tasks[2].actual_start: …``).
    """
    actuals = parse_model(Actuals, data)
    if status_date is not None:
        actuals = actuals.model_copy(update={"status_date": status_date})
    issues = actuals_issues(portfolio, baseline, actuals)
    if issues:
        raise InvalidInput(issues)
    return actuals


def next_day(cal: WorkCalendar, actuals: Actuals) -> int:
    """Index of the first working day after the status date: where the remaining work may start.

    Parameters
    ----------
    cal
        The portfolio's working-day calendar.
    actuals
        The status update.

    Returns
    -------
    int
        A working-day index (``cal.num_days`` when none is left in the horizon).
    """
    return cal.floor_index(actuals.status_date) + 1


def progress_of(portfolio: Portfolio, baseline: Plan, actuals: Actuals) -> dict[tuple[str, str], TaskProgress]:
    """Per started task: where it started and finished, or how many working days are left.

    An unfinished task's remaining days are ``remaining_days`` rounded up, else its baseline
    length × (1 − ``percent_complete`` / 100) rounded up, else its baseline length less the days
    it has run; at least one day (it is not finished).

    Parameters
    ----------
    portfolio, baseline
        What is being executed.
    actuals
        A valid status update (:func:`parse_actuals`).

    Returns
    -------
    dict[tuple[str, str], TaskProgress]
        ``(project, task)`` → its state, for the tasks with an actual start.
    """
    cal = portfolio.work_calendar
    day = next_day(cal, actuals)
    old = {(a.project, a.task): a for a in baseline.assignments}
    out = {}
    for row in actuals.tasks:
        if row.actual_start is None:
            continue
        start = cal.ceil_index(row.actual_start)
        if row.actual_finish is not None:
            out[(row.project, row.task)] = TaskProgress(start, max(start, cal.floor_index(row.actual_finish)), 0, 1.0)
            continue
        first, last = day_span(cal, old[(row.project, row.task)])
        planned, elapsed = last - first + 1, max(0, day - start)
        if row.remaining_days is not None:
            left = math.ceil(row.remaining_days - 1e-9)
        elif row.percent_complete is not None:
            left = math.ceil(planned * (1 - row.percent_complete / 100) - 1e-9)
        else:
            left = planned - elapsed
        left = max(1, left)
        share = row.percent_complete / 100 if row.percent_complete is not None else elapsed / (elapsed + left)
        out[(row.project, row.task)] = TaskProgress(start, None, left, min(share, 1.0))
    return out


class ProjectStatusRow(Strict):
    """One project's baseline against its forecast."""

    project: str
    baseline_finish: dt.date | None
    forecast_finish: dt.date | None
    slip_days: int | None = Field(description="Working days the forecast finishes after the baseline (negative: before).")
    planned_value: float = Field(description="PV: person-days of work the baseline planned by the status date.")
    earned_value: float = Field(description="EV: person-days of planned work done by the status date.")
    spi: float | None = Field(description="EV / PV (null when nothing was planned yet).")
    late_to_start: int
    late_to_finish: int


class LateTask(Strict):
    """A task behind its baseline at the status date."""

    project: str
    task: str
    baseline_start: dt.date
    baseline_finish: dt.date
    forecast_finish: dt.date | None


class SlipDriver(Strict):
    """A task on the forecast's chain to its project's finish, and the slip it adds itself."""

    project: str
    task: str
    slip_days: int = Field(description="Its forecast finish against its baseline finish (working days).")
    own_slip_days: int = Field(description="Slip it adds: its overrun plus a start later than its chain predecessor allows.")
    people: list[str]


class PersonDriver(Strict):
    """A person whose tasks on the forecast's chains add slip."""

    person: str
    own_slip_days: int
    tasks: list[str]


class StatusReport(Strict):
    """Progress against the baseline as of a status date (``pmo status``)."""

    status_date: dt.date
    spi_method: str = SPI_METHOD
    forecast_status: str = Field(description="Status of the forecast plan (the remaining work replanned).")
    planned_value: float
    earned_value: float
    spi: float | None
    projects: list[ProjectStatusRow]
    late_to_start: list[LateTask] = Field(description="Baseline start on or before the status date, not started.")
    late_to_finish: list[LateTask] = Field(description="Baseline finish on or before the status date, not finished.")
    slip_tasks: list[SlipDriver] = Field(description="The tasks that add the most slip, most first.")
    slip_people: list[PersonDriver] = Field(description="The people whose tasks add the most slip, most first.")


def _effort(a: Assignment, length: int) -> float:
    people = sum(p.allocation for p in a.people) / 100
    return length * (people or 1.0)


def _spi(pv: float, ev: float) -> float | None:
    return round(ev / pv, 3) if pv > 0 else None


def _tight(kind: DependencyType, lag: int, pred: tuple[int, int], succ: tuple[int, int]) -> bool:
    """Whether the dependency is what holds the successor where it is (holds with equality)."""
    ps, pf = pred
    ss, sf = succ
    return {
        DependencyType.FS: ss == pf + 1 + lag,
        DependencyType.SS: ss == ps + lag,
        DependencyType.FF: sf == pf + lag,
        DependencyType.SF: sf == ps + lag,
    }[kind]


def _chains(portfolio: Portfolio, plan: Plan, projects: list[str]) -> dict[str, list[tuple[str, str]]]:
    """The forecast's chain to each project's finish, first task first: from its last task back
    through a tight dependency or the previous task of one of its people ending the day before."""
    cal = portfolio.work_calendar
    spans = {(a.project, a.task): day_span(cal, a) for a in plan.assignments}
    people = {(a.project, a.task): [p.id for p in a.people] for a in plan.assignments}
    ending: dict[tuple[str, int], list[tuple[str, str]]] = {}  # (person, last day) → their tasks ending then
    for key, who in people.items():
        for person in who:
            ending.setdefault((person, spans[key][1]), []).append(key)
    tasks = {(p.id, t.id): t for p in portfolio.projects for t in p.tasks}
    last: dict[str, tuple[str, str]] = {}
    for key, (_, finish) in spans.items():
        if key[0] not in last or finish > spans[last[key[0]]][1]:
            last[key[0]] = key
    out = {}
    for project in projects:
        if project not in last:
            continue
        key = last[project]
        chain, seen = [key], {key}
        while True:
            prev = _chain_predecessor(tasks[key], key, spans, people[key], ending)
            if prev is None or prev in seen:
                break
            chain.append(prev)
            seen.add(prev)
            key = prev
        out[project] = chain[::-1]
    return out


def _chain_predecessor(
    task: Task,
    key: tuple[str, str],
    spans: dict[tuple[str, str], tuple[int, int]],
    people: list[str],
    ending: dict[tuple[str, int], list[tuple[str, str]]],
) -> tuple[str, str] | None:
    """What holds ``key`` where it is: a dependency holding with equality, else a task of one of
    its people that ends the working day before it starts."""
    for dep in task.dependencies:
        project, _, name = dep.task.rpartition("/")
        pred = (project or key[0], name)
        if pred in spans and _tight(dep.type, dep.lag, spans[pred], spans[key]):
            return pred
    start = spans[key][0]
    return next((k for person in people for k in ending.get((person, start - 1), ()) if k != key), None)


def _drivers(
    portfolio: Portfolio, baseline: Plan, forecast: Plan, slipping: list[str], started: dict[tuple[str, str], int]
) -> tuple[list[SlipDriver], list[PersonDriver]]:
    """The tasks on the slipping projects' chains that add slip themselves, and their people."""
    cal = portfolio.work_calendar
    old = {(a.project, a.task): day_span(cal, a) for a in baseline.assignments}
    new = {(a.project, a.task): a for a in forecast.assignments}
    drivers: dict[tuple[str, str], SlipDriver] = {}
    for chain in _chains(portfolio, forecast, slipping).values():
        inherited = 0
        for key in chain:
            if key not in old:
                continue
            (bs, bf), (fs, ff) = old[key], day_span(cal, new[key])
            fs = started.get(key, fs)  # the rest of a task in progress: it began on its actual start
            overrun = (ff - fs) - (bf - bs)
            own = max(0, fs - bs - inherited) + max(0, overrun)
            inherited = ff - bf
            if own > 0 and key not in drivers:
                who = sorted({p.id for p in new[key].people})
                drivers[key] = SlipDriver(project=key[0], task=key[1], slip_days=ff - bf, own_slip_days=own, people=who)
    ranked = sorted(drivers.values(), key=lambda d: (-d.own_slip_days, d.project, d.task))
    by_person: dict[str, list[SlipDriver]] = {}
    for d in ranked:
        for person in d.people:
            by_person.setdefault(person, []).append(d)
    people = sorted(
        (
            PersonDriver(person=p, own_slip_days=sum(d.own_slip_days for d in ds), tasks=[f"{d.project}/{d.task}" for d in ds])
            for p, ds in by_person.items()
        ),
        key=lambda d: (-d.own_slip_days, d.person),
    )
    return ranked[:SHOWN_DRIVERS], people[:SHOWN_DRIVERS]


def status_report(portfolio: Portfolio, baseline: Plan, actuals: Actuals, forecast: Plan) -> StatusReport:
    """Progress against ``baseline`` as of the status date, with ``forecast`` for the finishes.

    Parameters
    ----------
    portfolio
        The portfolio being executed.
    baseline
        Its plan being executed.
    actuals
        A valid status update (:func:`parse_actuals`).
    forecast
        The remaining work replanned with the actuals frozen (no plan: no forecast finishes).

    Returns
    -------
    StatusReport
        Per project PV, EV, SPI, baseline and forecast finish and slip; the tasks late to start
        or finish; the tasks and people that add the most slip on the forecast's chains.
    """
    cal = portfolio.work_calendar
    day = next_day(cal, actuals)
    progress = progress_of(portfolio, baseline, actuals)
    forecast_finish = {(a.project, a.task): a.finish for a in forecast.assignments}
    pv: dict[str, float] = {}
    ev: dict[str, float] = {}
    late_start, late_finish = [], []
    for a in baseline.assignments:
        first, last = day_span(cal, a)
        length = last - first + 1
        effort = _effort(a, length)
        key = (a.project, a.task)
        pv[a.project] = pv.get(a.project, 0.0) + effort * min(1.0, max(0, day - first) / length)
        state = progress.get(key)
        ev[a.project] = ev.get(a.project, 0.0) + effort * (state.done_share if state else 0.0)
        late = LateTask(
            project=a.project, task=a.task, baseline_start=a.start, baseline_finish=a.finish,
            forecast_finish=forecast_finish.get(key),
        )
        if first < day and state is None:
            late_start.append(late)
        if last < day and (state is None or state.finish is None):
            late_finish.append(late)
    before = {r.id: r for r in project_results(portfolio, baseline.assignments)}
    after = {r.id: r for r in project_results(portfolio, forecast.assignments)}
    rows = []
    for project in portfolio.projects:
        b, f = before[project.id], after[project.id]
        slip = cal.floor_index(f.finish) - cal.floor_index(b.finish) if b.finish and f.finish else None
        p, e = round(pv.get(project.id, 0.0), 2), round(ev.get(project.id, 0.0), 2)
        rows.append(
            ProjectStatusRow(
                project=project.id, baseline_finish=b.finish, forecast_finish=f.finish, slip_days=slip,
                planned_value=p, earned_value=e, spi=_spi(p, e),
                late_to_start=sum(t.project == project.id for t in late_start),
                late_to_finish=sum(t.project == project.id for t in late_finish),
            )
        )
    slipping = [r.project for r in rows if r.slip_days and r.slip_days > 0]
    tasks, people = _drivers(portfolio, baseline, forecast, slipping, {k: v.start for k, v in progress.items()}) if forecast.assignments else ([], [])
    total_pv, total_ev = round(sum(pv.values()), 2), round(sum(ev.values()), 2)
    return StatusReport(
        status_date=actuals.status_date, forecast_status=forecast.status.value,
        planned_value=total_pv, earned_value=total_ev, spi=_spi(total_pv, total_ev), projects=rows,
        late_to_start=late_start, late_to_finish=late_finish, slip_tasks=tasks, slip_people=people,
    )
