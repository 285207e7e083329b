"""The smallest fixes of an infeasible portfolio, each proven by a checked plan.

A proof of infeasibility tells a PMO what cannot hold; this module tells them what to
change. Five kinds of relaxation are searched, each for its cheapest member:

* ``horizon``: the horizon end later by the fewest working days (deadlines and latest
  finishes on the old end move with it);
* ``date``: one date rule (a deadline, a latest finish, a pinned start, a release or an
  earliest start) moved by the fewest working days, else the rules of one field of the
  projects the proof names moved together (pins spread apart);
* ``capacity``: the fewest more people with a skill at a level, over the shortest stretch
  of the horizon;
* ``allocation``: more of an existing person (full capacity, no early leave, no late join,
  no absence, no limit on parallel projects), the fewest added person-days, else the
  fewest such changes together;
* ``leave_out``: a committed project left out, the lowest priority and least work first,
  else the fewest of the named projects.

Each candidate is applied to the portfolio and proven by a plan for it: serial levelling
(and, on models small enough, CP-SAT) must find one, and the independent checker of
:mod:`model.checker` must accept it. Only proven fixes are returned.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from model.calendar import WorkCalendar
from model.checker import check_assignments
from model.portfolio import Person, Portfolio, Project, ProjectStatus
from solver.analysis.feasibility import Reason, infeasibility_reasons
from solver.construct.levelling import LevellingResult, Placement, level, levelling_rules
from solver.convert import to_assignments
from solver.problem import Problem, compile_problem
from solver.search.optimiser import assignment_count, solve_whole
from solver.settings import SolverSettings
from solver.stop import StopRequest, stopped
from solver.windows import time_windows

KINDS = ("horizon", "date", "leave_out", "capacity", "allocation")
"""The kinds of fix, in the order they are searched (cheapest to prove first)."""


@dataclass(frozen=True)
class Fix:
    """A change to the portfolio that makes it feasible, with the plan that proves it."""

    kind: str  # one of KINDS
    message: str  # in PMO words, e.g. "extend the horizon to 2027-07-21 (+12 working days)"
    change: dict[str, Any]  # the change as data (JSON-ready)
    proof: str  # what found the checked plan: "levelling" or "cp-sat"
    seconds: float  # time spent finding this fix

    def as_dict(self) -> dict[str, Any]:
        """The fix as JSON-ready data (``plan.stats["fixes"]``)."""
        return {
            "kind": self.kind,
            "message": self.message,
            "change": self.change,
            "proven_by": f"{self.proof} plan, checked",
            "seconds": round(self.seconds, 3),
        }

    def __str__(self) -> str:
        return f"Fix ({self.kind.replace('_', ' ')}): {self.message} (proven: a checked plan exists with it)"


@dataclass
class _Prover:
    """Finds a checker-clean plan for a changed portfolio, within a time budget."""

    deadline: float  # perf_counter time
    stop: StopRequest | None = None  # a request to stop ends the search as the deadline does
    workers: int = 1
    probes: int = 0
    cache: dict[str, str | None] = field(default_factory=dict)

    def left(self) -> float:
        """Seconds left before the deadline (none once a stop was requested)."""
        return 0.0 if stopped(self.stop) else self.deadline - time.perf_counter()

    def plan_method(self, pf: Portfolio) -> str | None:
        """What found a checked plan for ``pf`` ("levelling" or "cp-sat"); None: none in time."""
        if self.left() <= 0:
            return None
        key = pf.model_dump_json()
        if key not in self.cache:
            self.probes += 1
            self.cache[key] = self._prove(pf)
        return self.cache[key]

    def _prove(self, pf: Portfolio) -> str | None:
        problem = compile_problem(pf)
        if infeasibility_reasons(problem):
            return None  # a cheap proof that this change is not enough
        windows = time_windows(problem)
        hint: LevellingResult | None = None
        for rule in levelling_rules(problem):
            result = level(problem, rule, windows=windows)
            if result.complete and _checked(pf, problem, result.placements):
                return "levelling"
            hint = hint or result
        settings = SolverSettings(time_limit=max(0.1, self.left()), workers=self.workers, explain=False)
        small = assignment_count(problem) <= settings.tuning.full_model.max_assignments
        seconds = min(self.left() / 4, 0.5)  # one probe may not eat the budget of the others
        if not small or seconds < 0.2:
            return None
        sub = solve_whole(problem, {}, hint.placements if hint else {}, settings, seconds, stop=self.stop)
        if sub.placements is not None and _checked(pf, problem, sub.placements):
            return "cp-sat"
        return None


def _checked(pf: Portfolio, problem: Problem, placements: dict[int, Placement]) -> bool:
    """Whether the checker accepts the plan of ``placements`` for ``pf``."""
    return check_assignments(pf, to_assignments(problem, placements.values())) == []


def _smallest(
    ok: Callable[[int], bool], lo: int, hi: int, prover: _Prover, widest_first: bool = True
) -> int | None:
    """The smallest ``k`` in ``lo … hi`` with ``ok(k)`` (feasibility grows with ``k``).

    With ``widest_first`` the widest relaxation is tried first (if it fails, none works);
    then the search gallops up from ``lo`` and bisects the last step.
    """
    if lo > hi or (widest_first and not ok(hi)):
        return None
    bad, k = lo - 1, lo
    while not ok(k):
        if k >= hi:
            return None
        bad, k = k, min(hi, max(k + 1, 2 * k))
    while k - bad > 1 and prover.left() > 0:
        mid = (bad + k) // 2
        bad, k = (bad, mid) if ok(mid) else (mid, k)
    return k


# --------------------------------------------------------------------------- portfolio edits


def _calendar_to(pf: Portfolio, last: dt.date) -> WorkCalendar:
    cal = pf.calendar
    return WorkCalendar(cal.start, last, cal.workdays, cal.holidays)


def _working_days_after(pf: Portfolio, day: dt.date, k: int) -> dt.date:
    """The working day ``k`` working days after ``day`` (``day`` need not be a working day)."""
    wide = _calendar_to(pf, day + dt.timedelta(days=7 * k + 60))  # 7 calendar days hold ≥ 1 working day
    return wide.date(wide.floor_index(day) + k)


def _with_projects(pf: Portfolio, projects: list[Project]) -> Portfolio:
    return pf.model_copy(update={"projects": projects})


def _with_task(project: Project, index: int, **update: Any) -> Project:
    tasks = list(project.tasks)
    tasks[index] = tasks[index].model_copy(update=update)
    return project.model_copy(update={"tasks": tasks})


def _extend_horizon(pf: Portfolio, k: int) -> Portfolio:
    """``pf`` with its horizon ``k`` working days longer; limits on the old end move with it."""
    old_end = pf.work_calendar.date(pf.work_calendar.num_days - 1)
    new_end = _working_days_after(pf, old_end, k)

    def later(day: dt.date | None) -> dt.date | None:
        return new_end if day is not None and day >= old_end else day

    projects = []
    for p in pf.projects:
        tasks = [t.model_copy(update={"latest_finish": later(t.latest_finish)}) for t in p.tasks]
        projects.append(p.model_copy(update={"deadline": later(p.deadline), "tasks": tasks}))
    calendar = pf.calendar.model_copy(update={"end": new_end})
    return pf.model_copy(update={"calendar": calendar, "projects": projects})


# --------------------------------------------------------------------------- the five searches


@dataclass(frozen=True)
class _DateRule:
    """A date rule of a committed project: which field, and which way relaxing moves it."""

    project: int
    task: int  # -1: a project field
    attr: str  # deadline, release, latest_finish, fixed_start, earliest_start
    day: dt.date

    @property
    def later(self) -> bool:
        return self.attr in ("deadline", "latest_finish", "fixed_start")

    def name(self, pf: Portfolio) -> str:
        project = pf.projects[self.project]
        what = self.attr.replace("_", " ")
        if self.task < 0:
            return f"the {what} of {project.id}"
        return f"the {what} of {project.id}/{project.tasks[self.task].id}"


def _date_rules(pf: Portfolio) -> list[_DateRule]:
    rules = []
    for i, p in enumerate(pf.projects):
        if p.status != ProjectStatus.committed:
            continue
        for attr in ("deadline", "release"):
            if getattr(p, attr) is not None:
                rules.append(_DateRule(i, -1, attr, getattr(p, attr)))
        for j, t in enumerate(p.tasks):
            for attr in ("latest_finish", "fixed_start", "earliest_start"):
                if getattr(t, attr) is not None:
                    rules.append(_DateRule(i, j, attr, getattr(t, attr)))
    return rules


def _room(pf: Portfolio, rule: _DateRule) -> int:
    """How many working days ``rule`` can move (later or earlier) inside the horizon."""
    cal = pf.work_calendar
    return cal.num_days - 1 - cal.floor_index(rule.day) if rule.later else cal.ceil_index(rule.day)


def _target(pf: Portfolio, rule: _DateRule, k: int) -> dt.date:
    """The date of ``rule`` moved by ``k`` working days (``k`` ≤ its room)."""
    cal = pf.work_calendar
    return cal.date(cal.floor_index(rule.day) + k if rule.later else cal.ceil_index(rule.day) - k)


def _shifts(rules: Sequence[_DateRule], k: int) -> list[int]:
    """How far each rule of a candidate moves: ``k`` each, but pins in a group are spread
    ``k`` apart (the first stays), since pins moved together would clash again."""
    if len(rules) > 1 and all(rule.attr == "fixed_start" for rule in rules):
        return [j * k for j in range(len(rules))]
    return [k] * len(rules)


def _moved(pf: Portfolio, rules: Sequence[_DateRule], k: int) -> Portfolio:
    """``pf`` with the rules of ``rules`` relaxed as :func:`_shifts` says (within their room)."""
    projects = list(pf.projects)
    for rule, shift in zip(rules, _shifts(rules, k), strict=True):
        day = _target(pf, rule, min(shift, _room(pf, rule)))
        if rule.task < 0:
            projects[rule.project] = projects[rule.project].model_copy(update={rule.attr: day})
        else:
            projects[rule.project] = _with_task(projects[rule.project], rule.task, **{rule.attr: day})
    return _with_projects(pf, projects)


def _named_projects(pf: Portfolio, reasons: Sequence[Reason]) -> list[int]:
    """Indices of the projects the reasons name, in the order named."""
    index = {p.id: i for i, p in enumerate(pf.projects)}
    named = [index[p] for r in reasons for p in (r.project, *r.projects) if p in index]
    return list(dict.fromkeys(named))


def horizon_fix(pf: Portfolio, reasons: Sequence[Reason], prover: _Prover) -> Fix | None:
    """The fewest working days to add to the horizon end."""
    cal = pf.work_calendar

    def ok(k: int) -> bool:
        return prover.plan_method(_extend_horizon(pf, k)) is not None

    k = _smallest(ok, 1, 4 * cal.num_days + 20, prover)  # a horizon five times as long ends the search
    if k is None:
        return None
    fixed = _extend_horizon(pf, k)
    end = fixed.calendar.end
    return Fix(
        "horizon",
        f"extend the horizon to {end.isoformat()} (+{k} working days)",
        {"calendar.end": end.isoformat(), "working_days": k},
        prover.plan_method(fixed) or "",
        0.0,
    )


def _date_groups(pf: Portfolio, reasons: Sequence[Reason]) -> list[tuple[_DateRule, ...]]:
    """Candidate moves: each date rule of the named projects alone, then, for each field,
    all their rules of it together (when one alone is not enough), then every other rule."""
    named = _named_projects(pf, reasons)
    rules = sorted(
        _date_rules(pf),
        key=lambda r: (r.project not in named, named.index(r.project) if r.project in named else 0),
    )
    together: dict[str, list[_DateRule]] = {}
    for rule in rules:
        if rule.project in named:
            together.setdefault(rule.attr, []).append(rule)
    singles = [(rule,) for rule in rules]
    ours = sum(1 for rule in rules if rule.project in named)
    groups = [tuple(group) for group in together.values() if len(group) > 1]
    return singles[:ours] + groups + singles[ours:]  # the named projects' candidates first


def _without_dates(pf: Portfolio) -> Portfolio:
    """``pf`` with its committed projects' date rules relaxed to the horizon and no pin."""
    loose = {"release": None, "deadline": None}
    loose_task = {"earliest_start": None, "latest_finish": None, "fixed_start": None}
    projects = [
        p.model_copy(update={**loose, "tasks": [t.model_copy(update=loose_task) for t in p.tasks]})
        if p.status == ProjectStatus.committed
        else p
        for p in pf.projects
    ]
    return _with_projects(pf, projects)


def date_fix(pf: Portfolio, reasons: Sequence[Reason], prover: _Prover) -> Fix | None:
    """The date rule (or the named projects' rules of one field together) that needs the
    smallest move, and that move.

    The rules of the projects the reasons name are tried first; a later candidate is only
    searched below the best move found so far. When even every date rule relaxed as far as
    the horizon allows (and no pin) leaves no plan, no move can help: nothing is searched.
    """
    if prover.plan_method(_without_dates(pf)) is None:
        return None
    best: tuple[int, tuple[_DateRule, ...]] | None = None
    for group in _date_groups(pf, reasons):
        if prover.left() <= 0:
            break
        room = max(
            _room(pf, rule) // max(1, shift) for rule, shift in zip(group, _shifts(group, 1), strict=True)
        )
        cap = room if best is None else min(room, best[0] - 1)

        def ok(k: int, group: tuple[_DateRule, ...] = group) -> bool:
            return prover.plan_method(_moved(pf, group, k)) is not None

        # a pin moved far enough leaves its successors no room: pins are not relaxed by a wider move
        pins = any(rule.attr == "fixed_start" for rule in group)
        k = _smallest(ok, 1, cap, prover, widest_first=not pins) if cap >= 1 else None
        if k is not None:
            best = (k, group)
    if best is None:
        return None
    k, group = best
    verb = "move" if all(rule.attr == "fixed_start" for rule in group) else "slip"
    shifts = _shifts(group, k)
    moves = [
        (rule, _target(pf, rule, min(d, _room(pf, rule)))) for rule, d in zip(group, shifts, strict=True)
    ]
    texts = [
        f"{rule.name(pf)} from {rule.day.isoformat()} to {day.isoformat()}"
        for rule, day in moves
        if day != rule.day
    ]
    way = "apart" if shifts[0] != k else "later" if group[0].later else "earlier"
    return Fix(
        "date",
        f"{verb} {'; '.join(texts)} ({k} working day(s) {way})",
        {
            "moves": [
                {
                    "project": pf.projects[rule.project].id,
                    "task": pf.projects[rule.project].tasks[rule.task].id if rule.task >= 0 else None,
                    "field": rule.attr,
                    "from": rule.day.isoformat(),
                    "to": day.isoformat(),
                }
                for rule, day in moves
            ],
            "working_days": k,
        },
        prover.plan_method(_moved(pf, group, k)) or "",
        0.0,
    )


def _dependents(pf: Portfolio) -> dict[str, set[str]]:
    """Project id → the other projects whose tasks depend on one of its tasks."""
    out: dict[str, set[str]] = {p.id: set() for p in pf.projects}
    for p in pf.projects:
        for t in p.tasks:
            for d in t.dependencies:
                other, _ = pf.task_key(p.id, d.task)
                if other != p.id:
                    out[other].add(p.id)
    return out


def _work(project: Project) -> float:
    """Person-days of a project's tasks (their first way to run)."""
    return sum(
        t.effort if t.effort is not None else (t.duration or 0) * max(1, sum(r.count for r in t.requirements))
        for t in project.tasks
    )


def leave_out_fix(pf: Portfolio, reasons: Sequence[Reason], prover: _Prover) -> Fix | None:
    """The committed project with the lowest priority (then least work) whose leaving out
    makes the portfolio feasible: one of the projects the reasons name, else the fewest of
    them, cheapest first, else any other; the projects that depend on them go too."""
    named = set(_named_projects(pf, reasons))
    dependents = _dependents(pf)
    order = sorted(
        (i for i, p in enumerate(pf.projects) if p.status == ProjectStatus.committed),
        key=lambda i: (i not in named, pf.projects[i].priority, _work(pf.projects[i])),
    )
    cheapest_named = [i for i in order if i in named]
    prefixes = [cheapest_named[:n] for n in range(2, len(cheapest_named) + 1)]
    candidates = [[i] for i in cheapest_named] + prefixes + [[i] for i in order if i not in named]
    for leads in candidates:
        if prover.left() <= 0:
            break
        ids = [pf.projects[i].id for i in leads]
        gone = set().union(*(_closure(pid, dependents) for pid in ids))
        if len(gone) == len(pf.projects):
            continue  # nothing left to plan is no fix
        method = prover.plan_method(_with_projects(pf, [p for p in pf.projects if p.id not in gone]))
        if method is None:
            continue
        also = sorted(gone - set(ids))
        tail = f" (and {', '.join(also)}, which depend on them)" if also else ""
        texts = [
            f"{pf.projects[i].id} (priority {pf.projects[i].priority}, {_work(pf.projects[i]):.0f} person-days)"
            for i in leads
        ]
        return Fix(
            "leave_out",
            f"leave out {_listed(texts, 'project')}{tail}",
            {"projects": [*ids, *also]},
            method,
            0.0,
        )
    return None


def _closure(project: str, dependents: dict[str, set[str]]) -> set[str]:
    """``project`` and every project that depends on it, directly or not."""
    out, todo = {project}, [project]
    while todo:
        for q in dependents[todo.pop()] - out:
            out.add(q)
            todo.append(q)
    return out


def _needs(pf: Portfolio, reasons: Sequence[Reason]) -> list[tuple[str, int, int]]:
    """(skill, level, people) the committed work asks for, the scarcest first.

    Scarcity is the work asking for the skill at the level over the capacity-days of the
    people who hold it (none: first); the work of the projects the reasons name counts twice.
    """
    named = set(_named_projects(pf, reasons))
    work: dict[tuple[str, int], float] = {}
    count: dict[tuple[str, int], int] = {}
    for i, p in enumerate(pf.projects):
        if p.status != ProjectStatus.committed:
            continue
        for t in p.tasks:
            length = t.duration if t.duration is not None else t.effort or 1
            for r in t.requirements:
                if r.skill is None:
                    continue
                key = (r.skill, r.level)
                crew = t.crew.min if t.crew is not None else r.count
                work[key] = work.get(key, 0.0) + length * crew * (2.0 if i in named else 1.0)
                count[key] = max(count.get(key, 0), crew)
    available = [_available_days(pf, person) * person.capacity / 100 for person in pf.people]

    def supply(skill: str, lvl: int) -> float:
        return sum(
            a for a, person in zip(available, pf.people, strict=True) if person.skills.get(skill, 0) >= lvl
        )

    scarcity = {key: work[key] / max(1e-9, supply(*key)) for key in work}
    return [(s, lv, count[(s, lv)]) for (s, lv) in sorted(work, key=lambda key: -scarcity[key])]


def _with_hires(pf: Portfolio, skill: str, lvl: int, people: int, first: int, last: int) -> Portfolio:
    cal = pf.work_calendar
    taken = {p.id for p in pf.people}
    ids = [f"hire-{skill}-{k}" for k in range(len(taken) + people + 1) if f"hire-{skill}-{k}" not in taken]
    hires = [
        Person(id=pid, skills={skill: lvl}, available_from=cal.date(first), available_until=cal.date(last))
        for pid in ids[:people]
    ]
    return pf.model_copy(update={"people": [*pf.people, *hires]})


def _shortest_hire(
    pf: Portfolio, skill: str, lvl: int, people: int, prover: _Prover
) -> tuple[int, int] | None:
    """The first and last working day of the shortest stay of ``people`` hires that a
    checked plan allows: the join day pushed as late, then the leave day as early, as it
    still works (None: not even a stay over the whole horizon works)."""
    last_day = pf.work_calendar.num_days - 1

    def works(first: int, last: int) -> bool:
        return prover.plan_method(_with_hires(pf, skill, lvl, people, first, last)) is not None

    wait = _smallest(lambda k: works(last_day - k, last_day), 0, last_day, prover)
    if wait is None:
        return None
    first = last_day - wait
    stay = _smallest(lambda k: works(first, first + k), 0, last_day - first, prover)
    return first, first + (stay if stay is not None else last_day - first)


def capacity_fix(pf: Portfolio, reasons: Sequence[Reason], prover: _Prover) -> Fix | None:
    """The fewest extra people with one skill at a level, over the shortest stretch.

    For each (skill, level) the work asks for, the scarcest first: the fewest people who,
    there for the whole horizon, make it feasible (at most as many as hold the skill plus a
    task's crew, and no more than the best so far), then the shortest stay for them. The
    fewest people, then the fewest working days, win.
    """
    cal = pf.work_calendar
    last_day = cal.num_days - 1
    best: tuple[int, int, str, int, int, int] | None = None  # people, days, skill, level, first, last
    for skill, lvl, most in _needs(pf, reasons):
        if prover.left() <= 0:
            break
        holders = sum(1 for person in pf.people if person.skills.get(skill, 0) >= lvl)

        def enough(n: int, skill: str = skill, lvl: int = lvl) -> bool:
            return prover.plan_method(_with_hires(pf, skill, lvl, n, 0, last_day)) is not None

        people = _smallest(enough, 1, most + holders if best is None else best[0], prover)
        stay = _shortest_hire(pf, skill, lvl, people, prover) if people is not None else None
        if people is not None and stay is not None:
            first, last = stay
            if best is None or (people, last - first + 1) < best[:2]:
                best = (people, last - first + 1, skill, lvl, first, last)
    if best is None:
        return None
    people, days, skill, lvl, first, last = best
    start, end = cal.date(first), cal.date(last)
    who = "one more person" if people == 1 else f"{people} more people"
    return Fix(
        "capacity",
        f"{who} with {skill} ≥ {lvl} from {start.isoformat()} to {end.isoformat()} "
        f"(weeks {cal.iso_week(first)} to {cal.iso_week(last)}, {days} working days)",
        {"skill": skill, "level": lvl, "people": people, "from": start.isoformat(), "to": end.isoformat()},
        prover.plan_method(_with_hires(pf, skill, lvl, people, first, last)) or "",
        0.0,
    )


def _available_days(pf: Portfolio, person: Person) -> int:
    """Working days of the horizon ``person`` is there (between joining and leaving, not away)."""
    cal = pf.work_calendar
    days = cal.range_mask(person.available_from, person.available_until)
    for away in person.absences:
        days &= ~cal.range_mask(away.start, away.end)
    return int(days.sum())


def _more_of(pf: Portfolio, person: Person) -> list[tuple[float, str, dict[str, Any]]]:
    """Ways to get more of ``person``: (added person-days, text, change of their fields)."""
    cal = pf.work_calendar
    days = int(cal.range_mask(person.available_from, person.available_until).sum())
    away = sum(int(cal.range_mask(a.start, a.end).sum()) for a in person.absences)
    out: list[tuple[float, str, dict[str, Any]]] = []
    if person.capacity < 100:
        added = days * (100 - person.capacity) / 100
        out.append(
            (added, f"raise {person.id}'s capacity from {person.capacity} % to 100 %", {"capacity": 100})
        )
    if person.available_from is not None and cal.ceil_index(person.available_from) > 0:
        added = cal.ceil_index(person.available_from) * person.capacity / 100
        out.append(
            (
                added,
                f"let {person.id} start on {cal.date(0).isoformat()} instead of {person.available_from.isoformat()}",
                {"available_from": None},
            )
        )
    if person.available_until is not None and cal.floor_index(person.available_until) < cal.num_days - 1:
        added = (cal.num_days - 1 - cal.floor_index(person.available_until)) * person.capacity / 100
        out.append(
            (
                added,
                f"keep {person.id} until {cal.date(cal.num_days - 1).isoformat()} instead of {person.available_until.isoformat()}",
                {"available_until": None},
            )
        )
    if away:
        out.append(
            (
                away * person.capacity / 100,
                f"move {person.id}'s absences out of the horizon ({away} working days)",
                {"absences": []},
            )
        )
    if person.max_parallel_projects is not None:
        out.append(
            (
                0.0,
                f"lift {person.id}'s limit of {person.max_parallel_projects} parallel project(s)",
                {"max_parallel_projects": None},
            )
        )
    return out


def _all_of(pf: Portfolio) -> list[Person]:
    """Everyone at full capacity, for the whole horizon, without absences or project limits."""
    full: dict[str, Any] = {"capacity": 100, "available_from": None, "available_until": None, "absences": []}
    return [person.model_copy(update={**full, "max_parallel_projects": None}) for person in pf.people]


def _listed(texts: Sequence[str], noun: str, shown: int = 5) -> str:
    """The first ``shown`` texts joined, and how many more there are."""
    more = len(texts) - shown
    return "; ".join(texts[:shown]) + (f"; … and {more} more {noun}(s)" if more > 0 else "")


_Option = tuple[float, int, str, dict[str, Any]]  # added person-days, person, text, change


def _with_more(pf: Portfolio, options: Sequence[_Option]) -> Portfolio:
    """``pf`` with every option applied (several may change one person)."""
    people = list(pf.people)
    for _, i, _, change in options:
        people[i] = people[i].model_copy(update=change)
    return pf.model_copy(update={"people": people})


def allocation_fix(pf: Portfolio, reasons: Sequence[Reason], prover: _Prover) -> Fix | None:
    """More of existing people who hold a skill the work asks for, the fewest added
    person-days first: one change alone, else the fewest of them in that order together
    (nothing is searched when even all of everyone leaves no plan)."""
    if prover.plan_method(pf.model_copy(update={"people": _all_of(pf)})) is None:
        return None
    needs = _needs(pf, reasons)
    rank = {(s, lv): k for k, (s, lv, _) in enumerate(needs)}
    ranked = []
    for i, person in enumerate(pf.people):
        useful = [rank[(s, lv)] for (s, lv) in rank if person.skills.get(s, 0) >= lv]
        if useful:
            ranked += [(added, min(useful), i, text, change) for added, text, change in _more_of(pf, person)]
    options: list[_Option] = [
        (a, i, text, change) for a, _, i, text, change in sorted(ranked, key=lambda o: o[:2])
    ]
    # together: the holders of the scarcest skill first, the biggest gain first (the fewest changes)
    together: list[_Option] = [
        (a, i, text, change) for a, _, i, text, change in sorted(ranked, key=lambda o: (o[1], -o[0]))
    ]
    chosen: list[_Option] | None = None
    alone = time.perf_counter() + prover.left() / 2  # half the share for single changes
    for option in options:
        if time.perf_counter() > alone:
            break
        if prover.plan_method(_with_more(pf, [option])) is not None:
            chosen = [option]
            break
    if chosen is None:
        n = _smallest(
            lambda n: prover.plan_method(_with_more(pf, together[:n])) is not None, 2, len(together), prover
        )
        chosen = together[:n] if n is not None else None
    if not chosen:
        return None
    added = sum(option[0] for option in chosen)
    return Fix(
        "allocation",
        f"{_listed([option[2] for option in chosen], 'change')} (+{added:.0f} person-days)",
        {
            "people": [{"person": pf.people[i].id, **change} for _, i, _, change in chosen],
            "person_days": round(added, 1),
        },
        prover.plan_method(_with_more(pf, chosen)) or "",
        0.0,
    )


SEARCHES: dict[str, Callable[[Portfolio, Sequence[Reason], _Prover], Fix | None]] = {
    "horizon": horizon_fix,
    "date": date_fix,
    "leave_out": leave_out_fix,
    "capacity": capacity_fix,
    "allocation": allocation_fix,
}


def smallest_fixes(
    portfolio: Portfolio,
    reasons: Sequence[Reason] = (),
    seconds: float = 10.0,
    kinds: Sequence[str] = KINDS,
    stop: StopRequest | None = None,
) -> list[Fix]:
    """The cheapest fix of each kind that a checked plan proves, within ``seconds``.

    Parameters
    ----------
    portfolio
        An infeasible, validated portfolio.
    reasons
        Why it is infeasible; the projects they name are searched first.
    seconds
        Wall time for every search together; each kind gets an equal share of what is
        left when it starts (a kind that ends early leaves its time to the next).
    kinds
        Which kinds to search, in order (see :data:`KINDS`).
    stop
        When requested, the search ends within a probe, with the fixes proven so far.

    Returns
    -------
    list[Fix]
        At most one fix per kind, each with a plan for the changed portfolio that the
        independent checker accepts.
    """
    end = time.perf_counter() + seconds
    fixes = []
    for n, kind in enumerate(kinds):
        began = time.perf_counter()
        share = (end - began) / (len(kinds) - n)
        fix = SEARCHES[kind](portfolio, reasons, _Prover(deadline=min(end, began + share), stop=stop))
        if fix is not None:
            fixes.append(Fix(fix.kind, fix.message, fix.change, fix.proof, time.perf_counter() - began))
    return fixes


def fixes_text(fixes: Sequence[Fix]) -> list[str]:
    """Explanation lines for ``fixes`` (one says so when none was proven in time)."""
    if not fixes:
        return ["no single fix could be proven in the time limit: give the solve more time to find one"]
    return ["the smallest change of each kind that makes it feasible (each proven by a checked plan):"] + [
        str(f) for f in fixes
    ]


def infeasible_explanation(
    portfolio: Portfolio,
    reasons: Sequence[Reason],
    lines: list[str],
    seconds: float,
    stop: StopRequest | None = None,
) -> tuple[list[str], dict[str, Any]]:
    """An infeasible plan's explanation (``lines`` then the proven fixes) and its stats
    entry (``{"fixes": [...]}``), the fixes searched within ``seconds`` (or until ``stop``)."""
    fixes = smallest_fixes(portfolio, reasons, seconds, stop=stop)
    return [*lines, *fixes_text(fixes)], {"fixes": [f.as_dict() for f in fixes]}
