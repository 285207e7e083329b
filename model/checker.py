"""The independent plan checker: re-derives every hard rule of the contract.

It reads only the portfolio and the plan (no solver data, never ortools) so a
bug in the optimiser cannot hide a broken plan. Each hard rule
(:class:`model.hard_rules.HardRule`) is one function of the same name; :data:`CHECKS` lists
them in contract order and :func:`check_plan` runs all. A violation's ``rule`` says what is
wrong in a few words; its ``hard_rule`` names the rule it breaks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from model.calendar import WorkCalendar
from model.hard_rules import HardRule
from model.kpis import availability_matrix
from model.plan import Assignment, Plan, Violation
from model.portfolio import Mode, Person, Portfolio, ProjectStatus, Requirement, Task

# What is wrong, in a few readable words: a violation's ``rule``.
TASK_NOT_SCHEDULED = "Task not scheduled"
UNKNOWN_TASK = "Unknown task"
TASK_SCHEDULED_TWICE = "Task scheduled twice"
NOT_A_WORKING_DAY = "Not a working day"
OUTSIDE_HORIZON = "Outside horizon"
BEFORE_RELEASE = "Before release"
BEFORE_EARLIEST_START = "Before earliest start"
AFTER_DEADLINE = "After deadline"
AFTER_LATEST_FINISH = "After latest finish"
PARTLY_SCHEDULED = "Proposed project partly scheduled"
DEPENDENCY_BROKEN = "Dependency broken"
UNKNOWN_PERSON = "Unknown person"
PERSON_TWICE = "Person twice on a task"
SKILL_LEVEL_TOO_LOW = "Skill level too low"
REQUIREMENT_NOT_COVERED = "Requirement not covered"
FIXED_PERSON_MISSING = "Fixed person missing"
FIXED_START_MOVED = "Fixed start moved"
PERSON_UNAVAILABLE = "Person unavailable"
OVER_CAPACITY = "Over capacity"
TOO_MANY_PARALLEL_PROJECTS = "Too many parallel projects"
WRONG_LENGTH = "Wrong length"
FINISH_BEFORE_START = "Finish before start"
CREW_SIZE = "Crew size out of bounds"
UNKNOWN_MODE = "Mode missing or unknown"
POOL_OVER_CAPACITY = "Pool over capacity"
BUDGET_EXCEEDED = "Budget exceeded"


@dataclass
class PlanView:
    """The plan laid over the portfolio: lookups shared by the rules."""

    portfolio: Portfolio
    assignments: list[Assignment]
    by_task: dict[tuple[str, str], Assignment] = field(default_factory=dict)

    @cached_property
    def tasks(self) -> dict[tuple[str, str], Task]:
        return {(p.id, t.id): t for p in self.portfolio.projects for t in p.tasks}

    @cached_property
    def people(self) -> dict[str, Person]:
        return {p.id: p for p in self.portfolio.people}

    def day(self, date: dt.date) -> int | None:
        """Working-day index of ``date``, or None when it is not a working day."""
        cal = self.portfolio.work_calendar
        return cal.index(date) if cal.is_working_day(date) else None

    def mode(self, task: Task, a: Assignment) -> Mode | None:
        """The mode an assignment of a non-effort task runs in (None when missing or unknown)."""
        options = task.mode_options()
        if task.modes is None:
            return options[0] if a.mode in (None, 0) else None
        if a.mode is None or a.mode >= len(options):
            return None
        return options[a.mode]

    def span(self, a: Assignment) -> tuple[int, int] | None:
        """First and last working-day index of an assignment (None if not working days)."""
        s, f = self.day(a.start), self.day(a.finish)
        if s is None or f is None or f < s:
            return None
        return s, f


Check = Callable[[PlanView], Iterator[Violation]]


def _v(rule: str, message: str, a: Assignment | None = None, **kw: object) -> Violation:
    if a is not None:
        kw.setdefault("project", a.project)
        kw.setdefault("task", a.task)
    return Violation(rule=rule, message=message, **kw)  # type: ignore[arg-type]


def plan_structure(view: PlanView) -> Iterator[Violation]:
    """Each assignment names a real task, once, on working days of the horizon."""
    for a in view.assignments:
        key = (a.project, a.task)
        if key not in view.tasks:
            yield _v(UNKNOWN_TASK, f"{a.project}/{a.task} is not a task of the portfolio", a)
            continue
        if key in view.by_task:
            yield _v(TASK_SCHEDULED_TWICE, f"{a.project}/{a.task} appears twice in the plan", a)
            continue
        view.by_task[key] = a
        for label, date in (("start", a.start), ("finish", a.finish)):
            if view.day(date) is None:
                cal = view.portfolio.calendar
                if not cal.start <= date <= cal.end:
                    yield _v(
                        OUTSIDE_HORIZON,
                        f"{label} {date.isoformat()} of {a.project}/{a.task} is outside the horizon",
                        a,
                        day=date,
                    )
                else:
                    yield _v(
                        NOT_A_WORKING_DAY,
                        f"{label} {date.isoformat()} of {a.project}/{a.task} is not a working day",
                        a,
                        day=date,
                    )
        if a.finish < a.start:
            yield _v(FINISH_BEFORE_START, f"{a.project}/{a.task} finishes before it starts", a)


def complete_projects(view: PlanView) -> Iterator[Violation]:
    """Rules 1 and 2: committed projects complete; proposed ones all or nothing."""
    for project in view.portfolio.projects:
        done = [t for t in project.tasks if (project.id, t.id) in view.by_task]
        if project.status == ProjectStatus.committed or done:
            for t in project.tasks:
                if (project.id, t.id) in view.by_task:
                    continue
                rule = TASK_NOT_SCHEDULED if project.status == ProjectStatus.committed else PARTLY_SCHEDULED
                yield _v(
                    rule,
                    f"task {project.id}/{t.id} is not scheduled",
                    project=project.id,
                    task=t.id,
                )


def task_windows(view: PlanView) -> Iterator[Violation]:
    """Rule 1: release, earliest start, deadline, latest finish and pinned starts."""
    for project in view.portfolio.projects:
        for t in project.tasks:
            a = view.by_task.get((project.id, t.id))
            if a is None:
                continue
            name = f"{project.id}/{t.id}"
            if project.release and a.start < project.release:
                yield _v(
                    BEFORE_RELEASE,
                    f"{name} starts {a.start} before release {project.release}",
                    a,
                    day=a.start,
                )
            if t.earliest_start and a.start < t.earliest_start:
                yield _v(
                    BEFORE_EARLIEST_START,
                    f"{name} starts {a.start} before its earliest start {t.earliest_start}",
                    a,
                    day=a.start,
                )
            if project.deadline and a.finish > project.deadline:
                yield _v(
                    AFTER_DEADLINE,
                    f"{name} finishes {a.finish} after the deadline {project.deadline}",
                    a,
                    day=a.finish,
                )
            if t.latest_finish and a.finish > t.latest_finish:
                yield _v(
                    AFTER_LATEST_FINISH,
                    f"{name} finishes {a.finish} after its latest finish {t.latest_finish}",
                    a,
                    day=a.finish,
                )
            if t.fixed_start and a.start != t.fixed_start:
                yield _v(
                    FIXED_START_MOVED,
                    f"{name} starts {a.start}, not on its fixed start {t.fixed_start}",
                    a,
                    day=a.start,
                )


def dependencies(view: PlanView) -> Iterator[Violation]:
    """Rule 3: FS/SS/FF/SF with lags, counted in working days."""
    for project in view.portfolio.projects:
        for t in project.tasks:
            a = view.by_task.get((project.id, t.id))
            span = view.span(a) if a else None
            if a is None or span is None:
                continue
            for dep in t.dependencies:
                key = view.portfolio.task_key(project.id, dep.task)
                pa = view.by_task.get(key)
                if pa is None:
                    yield _v(
                        DEPENDENCY_BROKEN,
                        f"{project.id}/{t.id} is scheduled but its predecessor {key[0]}/{key[1]} is not",
                        a,
                    )
                    continue
                pspan = view.span(pa)
                if pspan is None:
                    continue
                s, f = span
                ps, pf = pspan
                kind = dep.type.value
                lhs, rhs = {
                    "FS": (s, pf + 1 + dep.lag),
                    "SS": (s, ps + dep.lag),
                    "FF": (f, pf + dep.lag),
                    "SF": (f, ps + dep.lag),
                }[kind]
                if lhs < rhs:
                    yield _v(
                        DEPENDENCY_BROKEN,
                        f"{project.id}/{t.id} {'starts' if kind[1] == 'S' else 'finishes'} "
                        f"{rhs - lhs} working day(s) too early for its {kind} dependency on "
                        f"{key[0]}/{key[1]} (lag {dep.lag})",
                        a,
                    )


def _slots(requirements: list[Requirement], crew: int | None = None) -> list[Requirement]:
    """One entry per person slot of the skill requirements (a crew for effort tasks)."""
    if crew is not None:
        return [requirements[0]] * crew
    return [r for r in requirements if not r.is_pool for _ in range(r.count)]


def _max_matching(edges: list[list[int]], num_right: int) -> int:
    match_right = [-1] * num_right

    def augment(u: int, seen: list[bool]) -> bool:
        for v in edges[u]:
            if not seen[v]:
                seen[v] = True
                if match_right[v] == -1 or augment(match_right[v], seen):
                    match_right[v] = u
                    return True
        return False

    return sum(augment(u, [False] * num_right) for u in range(len(edges)))


def staffing(view: PlanView) -> Iterator[Violation]:
    """Rules 4 and 8: slots filled by distinct qualified people; crew and length match."""
    for key, a in view.by_task.items():
        task = view.tasks[key]
        name = f"{key[0]}/{key[1]}"
        ids = [p.id for p in a.people]
        for pid in sorted({i for i in ids if ids.count(i) > 1}):
            yield _v(PERSON_TWICE, f"{pid} is listed twice on {name}", a, person=pid)
        for pid in task.fixed_people:
            if pid not in ids:
                yield _v(FIXED_PERSON_MISSING, f"{pid} is fixed on {name} but not assigned", a, person=pid)
        if task.effort is not None:
            requirements = task.requirements
        else:
            mode = view.mode(task, a)
            if mode is None:
                yield _v(
                    UNKNOWN_MODE,
                    f"{name} has {len(task.modes or [])} modes; the plan gives mode {a.mode}",
                    a,
                )
                continue
            requirements = [r for r in mode.requirements if not r.is_pool]
        known = []
        for p in a.people:
            person = view.people.get(p.id)
            if person is None:
                yield _v(UNKNOWN_PERSON, f"{p.id} on {name} is not a person of the portfolio", a, person=p.id)
                continue
            if requirements and not any(person.skills.get(r.skill or "", 0) >= r.level for r in requirements):
                wanted = ", ".join(f"{r.skill} ≥ {r.level}" for r in requirements)
                yield _v(
                    SKILL_LEVEL_TOO_LOW,
                    f"{p.id} on {name} lacks the skill level it needs ({wanted})",
                    a,
                    person=p.id,
                )
            known.append((p, person))
        span = view.span(a)
        length = span[1] - span[0] + 1 if span is not None else None
        if task.effort is not None:
            lo, hi = task.crew_bounds
            crew = len(a.people)
            if not lo <= crew <= hi:
                yield _v(CREW_SIZE, f"{name} has a crew of {crew}, outside {lo}…{hi}", a)
            elif length is not None and length != task.effort_length(crew):
                yield _v(
                    WRONG_LENGTH,
                    f"{name} with a crew of {crew} must last {task.effort_length(crew)} working "
                    f"days, not {length}",
                    a,
                )
            slots = _slots(requirements, min(max(crew, lo), hi))
        else:
            assert mode is not None
            if length is not None and length != mode.duration:
                yield _v(WRONG_LENGTH, f"{name} must last {mode.duration} working days, not {length}", a)
            slots = _slots(requirements)
        edges = [
            [
                k
                for k, r in enumerate(slots)
                if person.skills.get(r.skill or "", 0) >= r.level and p.allocation == r.allocation
            ]
            for p, person in known
        ]
        filled = _max_matching(edges, len(slots))
        if filled < len(slots) or filled < len(a.people):
            wanted = ", ".join(
                f"{r.count if task.effort is None else ''}×{r.skill} ≥ {r.level} at {r.allocation} %"
                for r in requirements
            )
            yield _v(
                REQUIREMENT_NOT_COVERED,
                f"the people on {name} fill {filled} of its {len(slots)} slot(s) ({wanted}) "
                f"with {len(a.people)} person(s)",
                a,
            )


def availability(view: PlanView) -> Iterator[Violation]:
    """Rule 5: nobody works outside their join/leave dates or during an absence."""
    avail = availability_matrix(view.portfolio)
    index = {p.id: i for i, p in enumerate(view.portfolio.people)}
    cal = view.portfolio.work_calendar
    for a in view.by_task.values():
        span = view.span(a)
        if span is None:
            continue
        for p in a.people:
            i = index.get(p.id)
            if i is None:
                continue
            off = np.flatnonzero(~avail[i, span[0] : span[1] + 1])
            if off.size:
                day = cal.date(span[0] + int(off[0]))
                yield _v(
                    PERSON_UNAVAILABLE,
                    f"{p.id} is unavailable on {off.size} day(s) of {a.project}/{a.task}, "
                    f"first {day.isoformat()}",
                    a,
                    person=p.id,
                    day=day,
                )


def _over(cal: WorkCalendar, daily: np.ndarray, limit: int) -> tuple[dt.date, int, int] | None:
    """Where ``daily`` (one value per working day) exceeds ``limit``.

    Returns the first such day, the value on it and the number of days over, or None.
    """
    over = np.flatnonzero(daily > limit)
    if not over.size:
        return None
    return cal.date(int(over[0])), int(daily[over[0]]), int(over.size)


def _bookings(view: PlanView) -> tuple[np.ndarray, dict[tuple[int, str], np.ndarray]]:
    """Percent booked per person and day, and the days each person works on each project."""
    cal = view.portfolio.work_calendar
    index = {p.id: i for i, p in enumerate(view.portfolio.people)}
    load = np.zeros((len(index), cal.num_days), dtype=np.int32)
    projects_on: dict[tuple[int, str], np.ndarray] = defaultdict(lambda: np.zeros(cal.num_days, dtype=bool))
    for a in view.by_task.values():
        span = view.span(a)
        if span is None:
            continue
        for p in a.people:
            i = index.get(p.id)
            if i is None:
                continue
            load[i, span[0] : span[1] + 1] += p.allocation
            projects_on[(i, a.project)][span[0] : span[1] + 1] = True
    return load, projects_on


def person_capacity(view: PlanView) -> Iterator[Violation]:
    """Rule 6: a person's daily allocations add up to at most their capacity."""
    cal = view.portfolio.work_calendar
    load, _ = _bookings(view)
    for i, person in enumerate(view.portfolio.people):
        if found := _over(cal, load[i], person.capacity):
            day, value, days = found
            yield _v(
                OVER_CAPACITY,
                f"{person.id} is booked {value} % against a capacity of "
                f"{person.capacity} % on {days} day(s), first {day.isoformat()}",
                person=person.id,
                day=day,
            )


def parallel_projects(view: PlanView) -> Iterator[Violation]:
    """Rule 7: a person works on at most ``max_parallel_projects`` projects a day."""
    if not any(p.max_parallel_projects for p in view.portfolio.people):
        return
    cal = view.portfolio.work_calendar
    _, projects_on = _bookings(view)
    count = np.zeros((len(view.portfolio.people), cal.num_days), dtype=np.int32)
    for (i, _), mask in projects_on.items():
        count[i] += mask
    for i, person in enumerate(view.portfolio.people):
        limit = person.max_parallel_projects
        if limit is None:
            continue
        if found := _over(cal, count[i], limit):
            day, value, days = found
            yield _v(
                TOO_MANY_PARALLEL_PROJECTS,
                f"{person.id} works on {value} projects on {day.isoformat()} "
                f"(limit {limit}), {days} day(s) in all",
                person=person.id,
                day=day,
            )


def _modes(view: PlanView) -> Iterator[tuple[tuple[str, str], Assignment, Mode]]:
    """Each scheduled task that runs in a known mode (effort-driven tasks have none)."""
    for key, a in view.by_task.items():
        task = view.tasks[key]
        if task.effort is not None:
            continue
        mode = view.mode(task, a)
        if mode is not None:
            yield key, a, mode


def pool_capacity(view: PlanView) -> Iterator[Violation]:
    """Pool units in use fit the pool's capacity every working day."""
    portfolio = view.portfolio
    cal = portfolio.work_calendar
    pools = {p.id: k for k, p in enumerate(portfolio.pools)}
    usage = np.zeros((len(pools), cal.num_days), dtype=np.int64)
    for _, a, mode in _modes(view):
        span = view.span(a)
        if span is None:
            continue
        for req in mode.requirements:
            if req.pool is not None and req.pool in pools:
                usage[pools[req.pool], span[0] : span[1] + 1] += req.units
    for pool in portfolio.pools:
        if found := _over(cal, usage[pools[pool.id]], pool.capacity):
            day, value, days = found
            yield _v(
                POOL_OVER_CAPACITY,
                f"pool {pool.id} is used {value} units against a "
                f"capacity of {pool.capacity} on {days} day(s), first {day.isoformat()}",
                day=day,
            )


def budgets(view: PlanView) -> Iterator[Violation]:
    """What a project's tasks consume stays within each of its budgets."""
    portfolio = view.portfolio
    spent: dict[tuple[str, str], int] = defaultdict(int)
    for key in view.by_task:
        task = view.tasks[key]
        if task.effort is not None:  # an effort-driven task consumes the same at any crew size
            for budget, amount in task.consumes.items():
                spent[(key[0], budget)] += amount
    for key, _, mode in _modes(view):
        for budget, amount in mode.consumes.items():
            spent[(key[0], budget)] += amount
    for (project_id, budget), amount in sorted(spent.items()):
        limit = portfolio.project(project_id).budgets.get(budget, 0)
        if amount > limit:
            yield _v(
                BUDGET_EXCEEDED,
                f"project {project_id} consumes {amount} of budget {budget}, limit {limit}",
                project=project_id,
            )


CHECKS: dict[HardRule, Check] = {
    HardRule.PLAN_STRUCTURE: plan_structure,
    HardRule.COMPLETE_PROJECTS: complete_projects,
    HardRule.TASK_WINDOWS: task_windows,
    HardRule.DEPENDENCIES: dependencies,
    HardRule.STAFFING: staffing,
    HardRule.AVAILABILITY: availability,
    HardRule.PERSON_CAPACITY: person_capacity,
    HardRule.PARALLEL_PROJECTS: parallel_projects,
    HardRule.POOL_CAPACITY: pool_capacity,
    HardRule.BUDGETS: budgets,
}
"""The check of each hard rule, in contract order; ``plan_structure`` runs first (it indexes
the plan for the others)."""


def check_assignments(portfolio: Portfolio, assignments: list[Assignment]) -> list[Violation]:
    """Every violation of the contract's hard rules by these assignments."""
    view = PlanView(portfolio, assignments)
    return [v.model_copy(update={"hard_rule": rule}) for rule, check in CHECKS.items() for v in check(view)]


def check_plan(portfolio: Portfolio, plan: Plan) -> list[Violation]:
    """Every violation of hard rules 1–8 of the contract by ``plan``.

    Parameters
    ----------
    portfolio
        The validated portfolio the plan is for.
    plan
        The plan to verify; only its assignments are read.

    Returns
    -------
    list of Violation
        Empty when the plan satisfies every hard rule.
    """
    return check_assignments(portfolio, plan.assignments)
