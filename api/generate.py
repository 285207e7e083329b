"""Seeded generator of realistic, solvable IT portfolios (benchmarks, demos, tests).

A generated portfolio looks like the work of a real PMO:

* phased projects (kick-off, analysis, design, parallel build streams, tests,
  deployment, optional PM oversight, test preparation, training and hypercare)
  linked by finish-to-start dependencies, with occasional start-to-start and
  finish-to-finish links with lags;
* effort-driven build tasks (``effort`` + ``crew``), fixed-length tasks elsewhere,
  50 % allocations for oversight, reviews and support work;
* a skills matrix of ten skills, each person holding one to three of them at
  levels 1–5, the mix of primary skills following the work the projects need;
* part-timers, summer leave, short absences, late joiners and early leavers,
  a few people limited to two or three parallel projects, holidays;
* staggered releases, priorities 1–10, about 10 % proposed projects, due dates
  tight enough that a naive plan is late on some projects, a few hard deadlines
  and cross-project dependencies (always from an earlier committed project).

Every requirement has enough qualified people who are there for the whole
horizon, the heads of each skill follow the peaks of its demand, projects are
kept short against the horizon (``span``) with a buffer at its end, and hard
deadlines are sized from a pessimistic critical path with generous slack. The
serial levelling heuristic then places every committed task of nearly every
draw; :func:`generate` checks this and, for the rare draw where it does not,
draws again (deterministically) with slightly shorter projects.

The output is plain JSON data (ISO date strings) in the contract format of
``docs/portfolio-format.md``; :func:`model.load.parse_portfolio` accepts it.
The same seed always gives the same portfolio.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import math
import random
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from model.calendar import WorkCalendar

__all__ = ["SIZES", "SKILLS", "GeneratorSpec", "generate", "generate_size", "spec_for"]

# --------------------------------------------------------------------------- vocabulary

SKILLS: dict[str, str] = {
    "pm": "Project management",
    "analyst": "Business analysis",
    "architect": "Solution architecture",
    "backend": "Backend development",
    "frontend": "Frontend development",
    "data": "Data engineering",
    "qa": "Testing and quality assurance",
    "ops": "Operations / DevOps",
    "ux": "User experience design",
    "security": "Security engineering",
}
"""Skill ids and readable names of every generated portfolio."""

# Likely second and third skills of someone whose main skill is the key.
_AFFINITY: dict[str, tuple[str, ...]] = {
    "pm": ("analyst", "architect", "qa"),
    "analyst": ("pm", "qa", "ux", "data"),
    "architect": ("backend", "security", "data", "ops"),
    "backend": ("frontend", "data", "ops", "architect", "qa"),
    "frontend": ("ux", "backend", "qa"),
    "data": ("backend", "analyst", "ops"),
    "qa": ("analyst", "backend", "frontend", "security"),
    "ops": ("security", "backend", "data"),
    "ux": ("frontend", "analyst"),
    "security": ("ops", "architect", "backend"),
}

# Day rate of a level-3 person by main skill.
_DAY_RATE: dict[str, int] = {
    "pm": 760,
    "analyst": 640,
    "architect": 900,
    "backend": 700,
    "frontend": 660,
    "data": 720,
    "qa": 560,
    "ops": 680,
    "ux": 620,
    "security": 880,
}

# Skills that gate every project (kick-off, analysis, architecture, system test, go-live)
# get more heads than their share of the work: a queue there delays everything behind it.
_GATE: dict[str, float] = {"architect": 1.3, "analyst": 1.15, "pm": 1.15, "qa": 1.15}

# Skills whose people often work part time (their work is mostly 50 % allocations).
_PART_TIME_SKILLS = ("pm", "architect", "analyst", "security", "ux", "qa")

# Project kinds: weights of the skills of their build streams and extra design tasks.
_KINDS: dict[str, tuple[dict[str, int], tuple[str, ...]]] = {
    "web": ({"backend": 4, "frontend": 4, "ux": 1, "data": 1}, ("ux-design", "security-design")),
    "data": ({"data": 5, "backend": 2, "frontend": 1}, ("data-design", "security-design")),
    "infra": ({"ops": 5, "security": 2, "backend": 1}, ("security-design", "ops-design")),
    "integration": ({"backend": 5, "data": 2, "ops": 1}, ("data-design", "security-design")),
    "erp": ({"backend": 3, "data": 3, "frontend": 2}, ("data-design", "ux-design")),
}

_DESIGN_SKILL = {
    "architecture": "architect",
    "ux-design": "ux",
    "data-design": "data",
    "security-design": "security",
    "ops-design": "ops",
}

_STREAM_LABELS: dict[str, tuple[str, ...]] = {
    "backend": ("api", "services", "integration", "batch", "core", "workflow"),
    "frontend": ("web-ui", "mobile-app", "portal-ui", "back-office-ui"),
    "data": ("data-model", "etl", "reporting", "data-migration", "analytics"),
    "ops": ("infrastructure", "ci-cd", "monitoring", "network"),
    "security": ("iam", "hardening", "audit-logging"),
    "ux": ("prototype", "design-system"),
}

# Systems (with the kind of project they usually are) and what is done to them.
_SYSTEMS: tuple[tuple[str, str], ...] = (
    ("CRM", "web"),
    ("Customer portal", "web"),
    ("Partner extranet", "web"),
    ("Mobile banking app", "web"),
    ("E-shop", "web"),
    ("Intranet", "web"),
    ("Self-service kiosk", "web"),
    ("Booking platform", "web"),
    ("Data warehouse", "data"),
    ("Reporting suite", "data"),
    ("Data lake", "data"),
    ("Customer 360", "data"),
    ("Fraud analytics", "data"),
    ("Master data", "data"),
    ("Forecasting engine", "data"),
    ("Network", "infra"),
    ("Cloud landing zone", "infra"),
    ("Identity and access", "infra"),
    ("Backup platform", "infra"),
    ("Monitoring stack", "infra"),
    ("Workplace devices", "infra"),
    ("Data centre", "infra"),
    ("API gateway", "integration"),
    ("Payments hub", "integration"),
    ("Message bus", "integration"),
    ("EDI exchange", "integration"),
    ("Document management", "integration"),
    ("Notification service", "integration"),
    ("ERP finance", "erp"),
    ("Payroll", "erp"),
    ("HR core", "erp"),
    ("Procurement", "erp"),
    ("Warehouse management", "erp"),
    ("Billing", "erp"),
    ("Asset management", "erp"),
    ("Contract management", "erp"),
)

_ACTIONS = (
    "migration",
    "upgrade",
    "redesign",
    "rollout",
    "consolidation",
    "modernisation",
    "replacement",
    "integration",
    "automation",
    "extension",
    "harmonisation",
    "phase 2",
)

_FIRST_NAMES = (
    "Alice", "Bruno", "Chloé", "David", "Emma", "Farid", "Greta", "Hugo", "Inès", "Jonas",
    "Karin", "Léo", "Maria", "Nils", "Olga", "Pablo", "Quentin", "Rosa", "Samir", "Tanja",
    "Ugo", "Valérie", "Wen", "Xavier", "Yasmin", "Zoé", "Aïcha", "Bastian", "Carla", "Dmitri",
    "Elif", "Fabio", "Giulia", "Hamid", "Ida", "Jakub", "Kenji", "Lena", "Marek", "Nora",
    "Omar", "Petra", "Raphaël", "Sofia", "Tomás", "Ulla", "Victor", "Wiebke", "Yusuf", "Zeynep",
    "Anouk", "Björn", "Camille", "Diego", "Eva", "Florian", "Hanna", "Ivan", "Julie", "Lars",
)  # fmt: skip

_LAST_NAMES = (
    "Martin", "Leroy", "Dubois", "Schmidt", "Rossi", "Novak", "Garcia", "Jensen", "Müller",
    "Kowalski", "Fischer", "Moreau", "Silva", "Nowak", "Berg", "Costa", "Weber", "Lambert",
    "Horvat", "Ferrari", "Petit", "Andersen", "Meyer", "Romano", "Dupont", "Virtanen", "Bauer",
    "Fontaine", "Santos", "Lindqvist", "Kaya", "Yilmaz", "Nakamura", "Chen", "Okafor", "Haddad",
    "Ivanova", "Rahman", "Olsen", "Girard", "Marino", "Keller", "Roux", "Vidal", "Brandt",
    "Costea", "Laine", "Sorensen", "Wagner", "Hoffmann", "Colin", "Bertrand", "Russo", "Pereira",
    "Smit", "Janssen", "Peeters", "Dumont", "Engel", "Aalto",
)  # fmt: skip


# Releases are spread over the first _RELEASE_WINDOW of the horizon, and each project's
# nominal critical path (x 1.3) ends before _FINISH_BY of it: the rest is the buffer that
# late, low-priority work spills into.
_RELEASE_WINDOW = 0.4
_FINISH_BY = 0.65

# --------------------------------------------------------------------------- the spec


@dataclass(frozen=True)
class GeneratorSpec:
    """Size and character of a generated portfolio.

    Attributes
    ----------
    num_projects
        Number of projects.
    num_people
        Number of people.
    tasks_per_project
        Mean number of tasks per project (at least 5); the total number of tasks
        is ``round(num_projects * tasks_per_project)``.
    months
        Length of the planning horizon in calendar months.
    start
        First day of the horizon.
    proposed_share
        Share of projects that are proposed rather than committed.
    deadline_share
        Share of committed projects with a hard deadline.
    part_time_share
        Share of people working part time (capacity 50–80 %).
    cross_share
        Number of cross-project dependencies per project.
    load
        Total work of all projects as a share of the people's capacity over the horizon
        (an upper bound: less when ``span`` caps the task lengths).
    span
        Typical (median) critical path of a project as a share of the horizon.
    due_slack
        Due dates lie ``1 … 1 + due_slack`` times the optimistic critical path (largest
        crews, no waiting for people) after the release.
    deadline_slack
        Hard deadlines lie ``1 + deadline_slack`` times the pessimistic critical path
        after the release, plus two weeks.
    name
        Name of the portfolio (default: built from the size).
    """

    num_projects: int
    num_people: int
    tasks_per_project: float = 8.0
    months: int = 12
    start: dt.date = dt.date(2027, 1, 4)
    proposed_share: float = 0.1
    deadline_share: float = 0.2
    part_time_share: float = 0.1
    cross_share: float = 0.08
    load: float = 0.5
    span: float = 0.22
    due_slack: float = 0.5
    deadline_slack: float = 0.8
    name: str | None = None

    def __post_init__(self) -> None:
        if self.num_projects < 1:
            raise ValueError("num_projects must be at least 1")
        if self.num_people < 5:
            raise ValueError("num_people must be at least 5")
        if self.tasks_per_project < 5:
            raise ValueError("tasks_per_project must be at least 5 (one task per phase)")
        if self.months < 3:
            raise ValueError("months must be at least 3")
        for name in ("proposed_share", "deadline_share", "part_time_share"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must lie in [0, 1]")
        if not 0 < self.load <= 1:
            raise ValueError("load must lie in (0, 1]")
        if not 0 < self.span <= 0.6:
            raise ValueError("span must lie in (0, 0.6]")
        if self.cross_share < 0 or self.due_slack < 0 or self.deadline_slack < 0:
            raise ValueError("cross_share, due_slack and deadline_slack must be non-negative")

    @property
    def num_tasks(self) -> int:
        """Total number of tasks of the generated portfolio."""
        return max(5 * self.num_projects, round(self.num_projects * self.tasks_per_project))

    def end(self) -> dt.date:
        """Last day of the horizon: ``months`` calendar months after ``start``, minus one day."""
        return _add_months(self.start, self.months) - dt.timedelta(days=1)


def _size(
    projects: int, people: int, tasks: int, months: int, name: str | None = None, **kw: Any
) -> GeneratorSpec:
    return GeneratorSpec(projects, people, tasks / projects, months, name=name, **kw)


SIZES: dict[str, GeneratorSpec] = {
    "tiny": _size(5, 10, 30, 6),
    "demo": _size(20, 40, 160, 9, name="Demo portfolio (20 projects, 40 people, 9 months)"),
    "p10": _size(10, 20, 80, 9),
    "p30": _size(30, 50, 300, 12),
    "p50": _size(50, 80, 1000, 15),
    "p60": _size(60, 80, 600, 12),
    "p120": _size(120, 150, 800, 18),
    "p150": _size(150, 200, 2000, 24),
    "p200": _size(200, 300, 5000, 24),
}
"""Named sizes, smallest first: ``tiny``, ``demo`` and the ``pN`` benchmark ladder."""


def spec_for(num_projects: int, num_people: int | None = None, months: int | None = None) -> GeneratorSpec:
    """A spec for an ad-hoc size, with the other figures scaled like the named sizes.

    Parameters
    ----------
    num_projects
        Number of projects.
    num_people
        Number of people (default: twice the projects up to 20 projects, then 1.5 times).
    months
        Horizon in months (default grows from 6 to 24 with the number of projects).

    Returns
    -------
    GeneratorSpec
        The spec; its name says the size.
    """
    if num_people is None:
        num_people = max(5, 2 * num_projects if num_projects <= 20 else round(1.5 * num_projects))
    if months is None:
        months = next((m for limit, m in ((5, 6), (20, 9), (60, 12), (120, 18)) if num_projects <= limit), 24)
    tasks = 6.0 if num_projects <= 5 else 8.0 if num_projects <= 20 else 10.0
    return _with_name(GeneratorSpec(num_projects, num_people, tasks, months), "Generated portfolio")


def generate_size(name: str, seed: int = 0) -> dict[str, Any]:
    """Generate the portfolio of a named size.

    Parameters
    ----------
    name
        A key of :data:`SIZES`.
    seed
        Random seed; the same seed gives the same portfolio.

    Returns
    -------
    dict
        A portfolio in the contract format (JSON-ready).

    Raises
    ------
    ValueError
        When ``name`` is not a known size.
    """
    spec = SIZES.get(name)
    if spec is None:
        raise ValueError(f"unknown size '{name}'; choose one of {', '.join(SIZES)}")
    if spec.name is None:
        spec = _with_name(spec, f"Benchmark portfolio {name}")
    return generate(spec, seed)


def _with_name(spec: GeneratorSpec, prefix: str) -> GeneratorSpec:
    def count(n: int, what: str) -> str:
        return f"{n} {what}" if n == 1 else f"{n} {what}s"

    size = ", ".join(
        (count(spec.num_projects, "project"), f"{spec.num_people} people", count(spec.months, "month"))
    )
    return replace(spec, name=f"{prefix} ({size})")


# --------------------------------------------------------------------------- helpers


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    last = _calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last))


def _easter(year: int) -> dt.date:
    """Easter Sunday (Gregorian calendar, anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _holidays(start: dt.date, end: dt.date) -> list[dt.date]:
    """Public holidays falling on weekdays in ``[start, end]``."""
    out = []
    for year in range(start.year, end.year + 1):
        easter = _easter(year)
        for day in (
            dt.date(year, 1, 1),
            easter + dt.timedelta(days=1),
            dt.date(year, 5, 1),
            easter + dt.timedelta(days=39),
            dt.date(year, 12, 25),
            dt.date(year, 12, 26),
        ):
            if start <= day <= end and day.weekday() < 5:
                out.append(day)
    return sorted(out)


def _pick(rng: random.Random, weights: Mapping[Any, float]) -> Any:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = "".join(ch if ch.isalnum() else "-" for ch in ascii_text.lower())
    return "-".join(part for part in out.split("-") if part)


# --------------------------------------------------------------------------- internal model


@dataclass
class _Req:
    skill: str
    level: int  # desired level; lowered when too few people qualify
    count: int
    allocation: int


@dataclass
class _Task:
    project: int
    id: str
    name: str
    phase: str
    base: float  # relative size in work units (0: length set directly)
    reqs: list[_Req]
    deps: list[tuple[int, str, int]] = field(default_factory=list)  # (global task, type, lag)
    duration: int | None = None
    effort: int | None = None
    crew: tuple[int, int] = (1, 1)
    nominal_crew: int = 1

    def length(self, crew: int | None = None) -> int:
        """Length in working days (effort tasks: with ``crew`` people, nominal by default)."""
        if self.effort is None:
            assert self.duration is not None
            return self.duration
        size = self.nominal_crew if crew is None else crew
        return max(1, -(-self.effort * 100 // (size * self.reqs[0].allocation)))

    def work(self) -> float:
        """Person-days of work (at the nominal crew)."""
        if self.effort is not None:
            return float(self.effort)
        return sum(self.length() * r.count * r.allocation / 100 for r in self.reqs)


@dataclass
class _Project:
    index: int
    id: str
    name: str
    kind: str
    priority: int
    committed: bool
    tasks: list[int] = field(default_factory=list)  # global task indices
    release: int = 0
    due: int | None = None
    deadline: int | None = None
    cross_in: bool = False


@dataclass
class _Person:
    id: str
    name: str
    capacity: int
    available_from: int | None = None
    available_until: int | None = None
    absences: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    skills: dict[str, int] = field(default_factory=dict)
    max_parallel: int | None = None
    available_days: int = 0

    @property
    def robust(self) -> bool:
        """There for the whole horizon (absences aside)."""
        return self.available_from is None and self.available_until is None


# --------------------------------------------------------------------------- the generator


class _Builder:
    """One generation run: all the state of a portfolio under construction."""

    def __init__(self, spec: GeneratorSpec, seed: int, attempt: int = 0) -> None:
        self.spec = spec
        # a retry draws afresh (still determined by the seed) and plans shorter projects
        self.rng = random.Random(seed if attempt == 0 else f"{seed}/{attempt}")
        self.span = spec.span * 0.9**attempt
        self.start = spec.start
        self.end = spec.end()
        self.holidays = _holidays(self.start, self.end)
        self.cal = WorkCalendar(self.start, self.end, holidays=self.holidays)
        self.horizon = self.cal.num_days
        if self.horizon < 40:
            raise ValueError("the horizon is too short")
        self.people: list[_Person] = []
        self.projects: list[_Project] = []
        self.tasks: list[_Task] = []
        self._pool: dict[tuple[str, int, int], int] = {}  # cache of _candidates
        # the longest a task should last (summer leave makes long runs hard to staff)
        self.longest = max(15, min(30, round(0.1 * self.horizon)))

    def build(self) -> dict[str, Any]:
        """Run every step and return the portfolio as JSON data."""
        self.make_people()
        self.make_projects()
        self.scale()
        self.releases()
        self.assign_skills()
        self.fit_requirements()
        self.cross_dependencies()
        self.dates()
        self.parallel_limits()
        return self.to_dict()

    # ----------------------------------------------------------------- people

    def make_people(self) -> None:
        rng, spec, horizon = self.rng, self.spec, self.horizon
        names = [(f, last) for f in _FIRST_NAMES for last in _LAST_NAMES]
        chosen = rng.sample(names, min(spec.num_people, len(names)))
        while len(chosen) < spec.num_people:  # only for very large ad-hoc sizes
            chosen.append(rng.choice(names))
        part_timers = set(rng.sample(range(spec.num_people), round(spec.part_time_share * spec.num_people)))
        movers = [i for i in range(spec.num_people) if i not in part_timers]
        rng.shuffle(movers)
        num_movers = round(0.1 * spec.num_people)
        joiners = set(movers[: num_movers // 2 + num_movers % 2])
        leavers = set(movers[len(joiners) : num_movers])
        seen: dict[str, int] = {}
        for i, (first, last) in enumerate(chosen):
            base = f"{_slug(first)}.{_slug(last)}"
            seen[base] = seen.get(base, 0) + 1
            pid = base if seen[base] == 1 else f"{base}{seen[base]}"
            person = _Person(
                pid, f"{first} {last}", rng.choice((50, 60, 70, 80)) if i in part_timers else 100
            )
            if i in joiners:
                person.available_from = rng.randrange(round(0.08 * horizon), round(0.35 * horizon))
            elif i in leavers:
                person.available_until = rng.randrange(round(0.6 * horizon), round(0.92 * horizon))
            person.absences = self._absences()
            self.people.append(person)
        for person in self.people:
            lo = 0 if person.available_from is None else person.available_from
            hi = horizon - 1 if person.available_until is None else person.available_until
            mask = np.zeros(horizon, dtype=bool)
            mask[lo : hi + 1] = True
            for first_day, last_day in person.absences:
                mask &= ~self.cal.range_mask(first_day, last_day)
            person.available_days = int(mask.sum())

    def _absences(self) -> list[tuple[dt.date, dt.date]]:
        rng = self.rng
        out = []
        for year in range(self.start.year, self.end.year + 1):
            # summer leave: 1–3 weeks starting on a Monday in July or August
            if rng.random() < 0.8:
                weeks = rng.choice((1, 2, 2, 3))
                first = dt.date(year, 7, 1)
                first += dt.timedelta(days=(7 - first.weekday()) % 7)
                last_start = dt.date(year, 8, 31) - dt.timedelta(days=7 * weeks - 3)
                mondays = (last_start - first).days // 7 + 1
                begin = first + dt.timedelta(days=7 * rng.randrange(max(1, mondays)))
                out.append((begin, begin + dt.timedelta(days=7 * weeks - 3)))
            # a short absence (training, sick leave) some other time
            if rng.random() < 0.25:
                day = dt.date(year, rng.choice((2, 3, 4, 5, 6, 9, 10, 11)), rng.randint(1, 21))
                monday = day + dt.timedelta(days=(7 - day.weekday()) % 7)
                weekday = rng.randint(0, 4)
                begin = monday + dt.timedelta(days=weekday)
                out.append((begin, begin + dt.timedelta(days=rng.randint(0, 4 - weekday))))
        clipped = []
        for first_day, last_day in out:
            a, b = max(first_day, self.start), min(last_day, self.end)
            if a <= b:
                clipped.append((a, b))
        return sorted(clipped)

    # ----------------------------------------------------------------- projects

    def make_projects(self) -> None:
        rng, spec = self.rng, self.spec
        n = spec.num_projects
        sizes = self._task_counts()
        combos = [(s, a) for s in range(len(_SYSTEMS)) for a in range(len(_ACTIONS))]
        picks = rng.sample(combos, min(n, len(combos)))
        while len(picks) < n:
            picks.append(rng.choice(combos))
        num_proposed = math.floor(spec.proposed_share * n + 0.5)
        # proposed projects tend to start later: draw them from the last two thirds
        later = list(range(n // 3, n)) or list(range(n))
        proposed = set(rng.sample(later, min(num_proposed, len(later))))
        used_ids: dict[str, int] = {}
        for j in range(n):
            system, action = picks[j]
            sys_name, kind = _SYSTEMS[system]
            name = f"{sys_name} {_ACTIONS[action]}"
            pid = _slug(name)
            used_ids[pid] = used_ids.get(pid, 0) + 1
            if used_ids[pid] > 1:  # only when there are more projects than names
                name = f"{name} ({used_ids[pid]})"
                pid = f"{pid}-{used_ids[pid]}"
            priority = rng.choices(range(1, 11), weights=(2, 4, 7, 10, 14, 14, 12, 9, 6, 4))[0]
            project = _Project(j, pid, name, kind, priority, j not in proposed)
            self.projects.append(project)
            self._make_tasks(project, sizes[j])

    def _task_counts(self) -> list[int]:
        """Tasks per project around the mean, summing exactly to the spec's total."""
        rng, spec = self.rng, self.spec
        n, mean = spec.num_projects, spec.tasks_per_project
        counts = [max(5, round(mean * rng.uniform(0.6, 1.4))) for _ in range(n)]
        target = spec.num_tasks
        while sum(counts) != target:
            j = rng.randrange(n)
            if sum(counts) < target:
                counts[j] += 1
            elif counts[j] > 5:
                counts[j] -= 1
        return counts

    def _add(self, project: _Project, tid: str, name: str, phase: str, base: float, reqs: list[_Req]) -> int:
        index = len(self.tasks)
        self.tasks.append(_Task(project.index, tid, name, phase, base, reqs))
        project.tasks.append(index)
        return index

    def _level(self, weights: Mapping[int, float]) -> int:
        return int(_pick(self.rng, weights))

    def _make_tasks(self, project: _Project, n: int) -> None:
        """Phased task network of ``n`` tasks."""
        rng = self.rng
        stream_weights, extra_designs = _KINDS[project.kind]
        kickoff = n >= 6
        analysis, designs = 1, ["architecture"]
        stream_skills: list[str] = [_pick(rng, stream_weights)]
        chains = [1]
        tests = ["system-test"]
        extras: list[str] = []
        test_options = ["integration-test", "uat", "performance-test", "security-test"]
        rng.shuffle(test_options)
        design_options = list(extra_designs)
        max_streams = 3 + (n >= 12) + (n >= 20) + (n >= 30)
        budget = n - 5 - kickoff
        while budget > 0:
            options: dict[str, float] = {"chain": 4.0}
            if len(chains) < max_streams:
                options["stream"] = 3.0
            if analysis < 3:
                options["analysis"] = 1.0
            if design_options:
                options["design"] = 1.0
            if test_options:
                options["test"] = 1.5
            for extra, weight in (
                ("oversight", 3.0),
                ("hypercare", 1.0),
                ("test-prep", 0.8),
                ("training", 0.6),
            ):
                if extra not in extras:
                    options[extra] = weight
            action = _pick(rng, options)
            if action == "chain":
                k = min(range(len(chains)), key=lambda s: (chains[s], rng.random()))
                chains[k] += 1
            elif action == "stream":
                chains.append(1)
                stream_skills.append(_pick(rng, stream_weights))
            elif action == "analysis":
                analysis += 1
            elif action == "design":
                designs.append(design_options.pop(0))
            elif action == "test":
                tests.append(test_options.pop())
            else:
                extras.append(action)
            budget -= 1

        # kick-off and analysis
        first: list[int] = []
        if kickoff:
            k = self._add(
                project,
                "kickoff",
                "Kick-off",
                "kickoff",
                0,
                [
                    _Req("pm", self._level({2: 0.4, 3: 0.5, 4: 0.1}), 1, 100),
                    _Req("analyst", self._level({1: 0.3, 2: 0.5, 3: 0.2}), 1, 50),
                ],
            )
            self.tasks[k].duration = rng.randint(2, 4)
            first.append(k)
        analysis_tasks: list[int] = []
        for a in range(analysis):
            reqs = [_Req("analyst", self._level({2: 0.5, 3: 0.4, 4: 0.1}), 1 + (rng.random() < 0.4), 100)]
            if rng.random() < 0.25:
                reqs.append(_Req("architect", self._level({2: 0.5, 3: 0.5}), 1, 50))
            tid = "analysis" if analysis == 1 else f"analysis-{a + 1}"
            t = self._add(
                project,
                tid,
                f"Analysis ({a + 1}/{analysis})" if analysis > 1 else "Analysis",
                "analysis",
                rng.uniform(0.7, 1.3),
                reqs,
            )
            if a > 0 and rng.random() < 0.5:
                self.tasks[t].deps.append((analysis_tasks[0], "SS", rng.randint(2, 5)))
            else:
                self.tasks[t].deps.extend((k, "FS", 0) for k in first)
            analysis_tasks.append(t)

        # design
        design_tasks: dict[str, int] = {}
        for d in designs:
            skill = _DESIGN_SKILL[d]
            level = {2: 0.2, 3: 0.5, 4: 0.25, 5: 0.05} if d == "architecture" else {2: 0.4, 3: 0.5, 4: 0.1}
            reqs = [_Req(skill, self._level(level), 1, 100)]
            if d == "architecture" and rng.random() < 0.3:
                reqs.append(_Req("security", self._level({2: 0.5, 3: 0.5}), 1, 50))
            t = self._add(project, d, d.replace("-", " ").capitalize(), "design", rng.uniform(0.7, 1.3), reqs)
            if d != "architecture" and rng.random() < 0.5:
                self.tasks[t].deps.append((design_tasks["architecture"], "SS", rng.randint(3, 6)))
            else:
                lag = -rng.randint(1, 3) if rng.random() < 0.15 else 0
                self.tasks[t].deps.extend((a, "FS", lag) for a in analysis_tasks)
            design_tasks[d] = t

        # build streams
        labels_left = {s: list(v) for s, v in _STREAM_LABELS.items()}
        for labels in labels_left.values():
            rng.shuffle(labels)
        stream_tasks: list[list[int]] = []
        big = n >= 15
        for s, (skill, chain) in enumerate(zip(stream_skills, chains, strict=True)):
            label = labels_left[skill].pop() if labels_left[skill] else f"{skill}-{s + 1}"
            tasks: list[int] = []
            for c in range(chain):
                tid = label if chain == 1 else f"{label}-{c + 1}"
                title = f"Build {label.replace('-', ' ')}" + (f" ({c + 1}/{chain})" if chain > 1 else "")
                wanted = self._level({1: 0.1, 2: 0.5, 3: 0.35, 4: 0.05})
                effort_driven = rng.random() < 0.85
                count = 1 if effort_driven else 1 + (rng.random() < 0.3)
                t = self._add(
                    project, tid, title, "build", rng.uniform(0.8, 1.6), [_Req(skill, wanted, count, 100)]
                )
                task = self.tasks[t]
                if effort_driven:
                    lo = 1 + (rng.random() < 0.5)
                    hi = lo + rng.randint(1, 2) + (big and rng.random() < 0.5)
                    task.crew = (lo, hi)
                    task.nominal_crew = (lo + hi + 1) // 2
                if c == 0:
                    deps = [design_tasks["architecture"]]
                    own = {
                        "frontend": "ux-design",
                        "ux": "ux-design",
                        "data": "data-design",
                        "security": "security-design",
                        "ops": "ops-design",
                    }.get(skill)
                    if own in design_tasks:
                        deps.append(design_tasks[own])
                    task.deps.extend((d, "FS", 0) for d in deps)
                    if stream_tasks and rng.random() < 0.25:
                        other = rng.choice(stream_tasks)[0]
                        task.deps.append((other, "SS", rng.randint(3, 10)))
                elif rng.random() < 0.15:
                    # overlapping hand-over: start half-way through, finish after the previous
                    task.deps.append((tasks[-1], "SS", 5))
                    task.deps.append((tasks[-1], "FF", 2))
                else:
                    task.deps.append((tasks[-1], "FS", 0))
                tasks.append(t)
            stream_tasks.append(tasks)
        build_ends = [st[-1] for st in stream_tasks]

        if "oversight" in extras:
            t = self._add(
                project,
                "pm-oversight",
                "PM oversight of the build",
                "oversight",
                0,
                [_Req("pm", self._level({2: 0.5, 3: 0.4, 4: 0.1}), 1, 50)],
            )
            self.tasks[t].deps.append((stream_tasks[0][0], "SS", 0))
        prep = None
        if "test-prep" in extras:
            prep = self._add(
                project,
                "test-prep",
                "Test preparation",
                "test",
                rng.uniform(0.5, 0.9),
                [_Req("qa", self._level({2: 0.6, 3: 0.4}), 1, 50)],
            )
            self.tasks[prep].deps.append((stream_tasks[0][0], "SS", rng.randint(0, 5)))
            self.tasks[prep].deps.append((build_ends[0], "FF", 0))

        # tests
        test_tasks: dict[str, int] = {}
        for name in tests:
            reqs, base = self._test_reqs(name)
            t = self._add(project, name, name.replace("-", " ").capitalize(), "test", base, reqs)
            links = self.tasks[t].deps
            if name == "system-test":
                links.extend((b, "FS", 0) for b in build_ends)
                if prep is not None:
                    links.append((prep, "FS", 0))
            elif name == "integration-test":
                links.append((test_tasks["system-test"], "SS", rng.randint(3, 5)))
            elif name == "security-test":
                links.extend((b, "FS", 0) for b in build_ends)
            else:
                links.append((test_tasks["system-test"], "FS", 0))
            test_tasks[name] = t
        ends = list(test_tasks.values())
        if "training" in extras:
            t = self._add(
                project,
                "training",
                "User training",
                "test",
                rng.uniform(0.4, 0.7),
                [_Req("analyst", self._level({1: 0.3, 2: 0.5, 3: 0.2}), 1, 100)],
            )
            self.tasks[t].deps.append((test_tasks["system-test"], "SS", rng.randint(2, 5)))
            ends.append(t)

        # deployment and hypercare
        t = self._add(
            project,
            "deploy",
            "Deployment",
            "deploy",
            0,
            [
                _Req("ops", self._level({2: 0.5, 3: 0.5}), 1, 100),
                _Req("pm", self._level({1: 0.3, 2: 0.5, 3: 0.2}), 1, 50),
            ],
        )
        self.tasks[t].duration = rng.randint(1, 3)
        self.tasks[t].deps.extend((e, "FS", 0) for e in ends)
        if "hypercare" in extras:
            h = self._add(
                project,
                "hypercare",
                "Hypercare",
                "hypercare",
                0,
                [_Req("ops", self._level({1: 0.3, 2: 0.5, 3: 0.2}), 1, 50)],
            )
            self.tasks[h].duration = rng.randint(5, 10)
            self.tasks[h].deps.append((t, "FS", 0))

    def _test_reqs(self, name: str) -> tuple[list[_Req], float]:
        rng, lv = self.rng, self._level
        base = rng.uniform(0.6, 1.1)
        if name == "system-test":
            return [_Req("qa", lv({2: 0.6, 3: 0.4}), 1 + (rng.random() < 0.5), 100)], base
        if name == "integration-test":
            return [
                _Req("qa", lv({2: 0.6, 3: 0.4}), 1, 100),
                _Req("backend", lv({2: 0.6, 3: 0.4}), 1, 50),
            ], base
        if name == "performance-test":
            return [_Req("qa", lv({2: 0.5, 3: 0.5}), 1, 100), _Req("ops", lv({2: 0.6, 3: 0.4}), 1, 50)], base
        if name == "security-test":
            return [_Req("security", lv({2: 0.3, 3: 0.7}), 1, 100)], 0.7 * base
        # user acceptance testing: key users guided by an analyst, a tester supporting
        return [_Req("analyst", lv({2: 0.6, 3: 0.4}), 1, 100), _Req("qa", lv({1: 0.3, 2: 0.7}), 1, 50)], base

    # ----------------------------------------------------------------- sizes and dates

    def scale(self) -> None:
        """Give every task its length so that the total work is ``load`` × capacity."""
        capacity = sum(p.capacity / 100 * p.available_days for p in self.people)
        fixed = sum(t.work() for t in self.tasks if t.base == 0 and t.duration is not None)
        relative = 0.0
        for t in self.tasks:
            if t.base:
                people = (
                    t.nominal_crew if t.crew != (1, 1) else sum(r.count * r.allocation / 100 for r in t.reqs)
                )
                relative += t.base * people
        unit = max(1.0, (self.spec.load * capacity - fixed) / relative)
        # keep projects well inside the horizon: a typical critical path of at most `span`
        self.unit = unit
        self._apply_unit(unit)
        typical = float(np.median([self._cpm(p.tasks)[1] for p in self.projects]))
        if typical > self.span * self.horizon:
            self.unit = unit * self.span * self.horizon / typical
            self._apply_unit(self.unit)

    def _apply_unit(self, unit: float, only: list[int] | None = None) -> None:
        for i in only if only is not None else range(len(self.tasks)):
            t = self.tasks[i]
            if not t.base:
                continue
            if t.crew != (1, 1):
                t.effort = max(1, round(unit * t.base * t.nominal_crew))
            else:
                t.duration = max(1, round(unit * t.base))
        for project in self.projects:
            for i in project.tasks:
                t = self.tasks[i]
                if t.phase == "oversight" and (only is None or i in only):
                    t.duration = self._build_window(project)

    def _build_window(self, project: _Project) -> int:
        """Estimated length of a project's build phase (for its PM oversight)."""
        builds = [i for i in project.tasks if self.tasks[i].phase == "build"]
        es, _ = self._cpm(builds)
        window = max(es[i] + self.tasks[i].length() for i in builds) - min(es[i] for i in builds)
        return max(1, min(window, self.longest))

    def _cpm(
        self, tasks: list[int], release: int = 0, mode: str = "nominal", known: dict[int, int] | None = None
    ) -> tuple[dict[int, int], int]:
        """Earliest starts (working days) of ``tasks`` and their finish (exclusive end).

        ``mode`` picks the crew of effort tasks: ``nominal``, ``fast`` (largest crew) or
        ``slow`` (smallest crew). Predecessors outside ``tasks`` are taken from ``known``
        (earliest starts) or ignored.
        """
        known = known if known is not None else {}
        es: dict[int, int] = {}
        finish = release
        for i in tasks:  # tasks are created in topological order
            t = self.tasks[i]
            length = self._len(t, mode)
            start = release
            for p, kind, lag in t.deps:
                if p in es:
                    ps = es[p]
                elif p in known:
                    ps = known[p]
                else:
                    continue
                plen = self._len(self.tasks[p], mode)
                if kind == "FS":
                    start = max(start, ps + plen + lag)
                elif kind == "SS":
                    start = max(start, ps + lag)
                else:  # FF
                    start = max(start, ps + plen + lag - length)
            es[i] = start
            finish = max(finish, start + length)
        return es, finish

    @staticmethod
    def _len(t: _Task, mode: str) -> int:
        if t.effort is None:
            return t.length()
        crew = {"nominal": t.nominal_crew, "fast": t.crew[1], "slow": t.crew[0]}[mode]
        return t.length(crew)

    def releases(self) -> None:
        """Stagger releases over the horizon, shrinking projects that would not fit."""
        rng, horizon = self.rng, self.horizon
        n = len(self.projects)
        limit = int(_FINISH_BY * horizon)
        window = _RELEASE_WINDOW * horizon
        for project in self.projects:
            wanted = int(window * (project.index + rng.random()) / n)
            length = self._cpm(project.tasks)[1]
            room = limit - math.ceil(1.3 * length)
            if room < 0:
                factor = limit / (1.3 * length)
                self._apply_unit(self.unit * factor * 0.97, project.tasks)
                room = max(0, limit - math.ceil(1.3 * self._cpm(project.tasks)[1]))
            release = min(wanted, room)
            # release on the first working day of its week
            day = self.cal.date(release)
            project.release = self.cal.ceil_index(day - dt.timedelta(days=day.weekday()))

    # ----------------------------------------------------------------- skills

    def assign_skills(self) -> None:
        """Main skills follow the peak demand; then secondary skills and levels.

        The demand of each skill is laid out over the horizon by the unconstrained
        (critical-path) schedule; the heads of a skill follow the busy periods of
        that profile, not just its total, since early-phase skills (analysts,
        architects) are needed by many projects at the same time.
        """
        rng = self.rng
        horizon = self.horizon
        profile = {skill: np.zeros(horizon) for skill in SKILLS}
        has_half = dict.fromkeys(SKILLS, False)
        for project in self.projects:
            es, _ = self._cpm(project.tasks, project.release)
            for i in project.tasks:
                t = self.tasks[i]
                lo, hi = es[i], min(horizon, es[i] + t.length())
                for r in t.reqs:
                    heads = t.nominal_crew if t.effort is not None else r.count
                    profile[r.skill][lo:hi] += heads * r.allocation / 100
                    has_half[r.skill] |= r.allocation < 100
        peak = {}
        for skill, days in profile.items():
            busy = np.sort(days)[-max(1, horizon // 4) :]  # the busiest quarter of the horizon
            peak[skill] = float(busy.mean()) * _GATE.get(skill, 1.0)
        needed = [s for s in SKILLS if peak[s] > 0]
        supply = dict.fromkeys(SKILLS, 0.0)
        order = sorted(range(len(self.people)), key=lambda i: (-self.people[i].capacity, rng.random()))
        for i in order:
            person = self.people[i]
            offer = person.capacity / 100 * person.available_days / horizon
            if person.capacity < 100:
                pool = [s for s in _PART_TIME_SKILLS if has_half[s]] or needed
                offer /= 2  # they only take part-time work
            else:
                # every needed skill gets a full-timer first, then the largest shortfall wins
                pool = [s for s in needed if supply[s] == 0] or needed
            skill = min(pool, key=lambda s: (supply[s] / peak[s], rng.random()))
            supply[skill] += offer
            person.skills[skill] = self._level({2: 0.25, 3: 0.4, 4: 0.25, 5: 0.1})
        for person in self.people:
            main = next(iter(person.skills))
            # in small teams people wear more hats
            weights = (0.15, 0.5, 0.35) if len(self.people) <= 20 else (0.35, 0.45, 0.2)
            extra = rng.choices((0, 1, 2), weights=weights)[0]
            options = [s for s in _AFFINITY[main] if s not in person.skills]
            for skill in rng.sample(options, min(extra, len(options))):
                person.skills[skill] = min(person.skills[main], self._level({1: 0.3, 2: 0.45, 3: 0.25}))

    def _candidates(self, skill: str, level: int, allocation: int) -> int:
        """Robust people with ``skill`` ≥ ``level`` who can give ``allocation`` %."""
        key = (skill, level, allocation)
        if key not in self._pool:
            self._pool[key] = sum(
                1
                for p in self.people
                if p.robust and p.skills.get(skill, 0) >= level and p.capacity >= allocation
            )
        return self._pool[key]

    def fit_requirements(self) -> None:
        """Lower levels, counts and crews until enough robust people qualify.

        A level is kept only when at least ``need + 1`` people and 60 % of everyone
        with the skill qualify, so senior requirements narrow the pool without making
        a few experts the bottleneck of the whole portfolio.
        """
        self._pool.clear()
        longest = self.longest
        # a backup for every skill in use: nobody is the only one who can do something
        for skill in dict.fromkeys(r.skill for t in self.tasks for r in t.reqs):
            while self._candidates(skill, 1, 100) < 2 and self._teach(skill, 100):
                pass
        for t in self.tasks:
            for r in t.reqs:
                need = t.crew[0] if t.effort is not None else r.count
                if self._candidates(r.skill, 1, r.allocation) == 0 and not self._teach(r.skill, r.allocation):
                    raise ValueError(f"nobody can take {r.allocation} % {r.skill} work: too few people")
                wanted = max(need + 1, math.ceil(0.6 * self._candidates(r.skill, 1, r.allocation)))
                while r.level > 1 and self._candidates(r.skill, r.level, r.allocation) < wanted:
                    r.level -= 1
                have = self._candidates(r.skill, r.level, r.allocation)
                if t.effort is not None:
                    # no crew so small that the task drags on for months
                    lo = max(t.crew[0], math.ceil(t.effort / longest))
                    lo = min(lo, have)
                    hi = max(lo, min(t.crew[1], have))
                    t.crew = (lo, hi)
                    t.nominal_crew = min(max(t.nominal_crew, lo), hi)
                else:
                    r.count = min(r.count, have)

    def _teach(self, skill: str, allocation: int) -> bool:
        """Give ``skill`` (level 2) to a robust person who can take ``allocation``."""
        pool = [p for p in self.people if p.robust and p.capacity >= allocation and skill not in p.skills]
        if not pool:
            return False
        person = min(pool, key=lambda p: (len(p.skills) >= 3, len(p.skills), p.id))
        person.skills[skill] = 2
        self._pool.clear()
        return True

    # ----------------------------------------------------------------- links and dates

    def cross_dependencies(self) -> None:
        """A few links from a committed project's delivery into a later project's build."""
        rng = self.rng
        wanted = round(self.spec.cross_share * len(self.projects))
        if self.spec.cross_share > 0 and len(self.projects) >= 4:
            wanted = max(1, wanted)
        attempts = 0
        made = 0
        while made < wanted and attempts < 20 * wanted:
            attempts += 1
            succ = rng.choice(self.projects[1:])
            preds = [
                p
                for p in self.projects[: succ.index]
                if p.committed and p.release < succ.release and p.priority >= succ.priority
            ]
            if not preds or succ.cross_in:
                continue
            pred = rng.choice(preds)
            source = rng.choice([i for i in pred.tasks if self.tasks[i].phase in ("build", "deploy")])
            targets = [
                i
                for i in succ.tasks
                if self.tasks[i].phase == "build"
                and self.tasks[i].deps
                and self.tasks[self.tasks[i].deps[0][0]].phase == "design"
            ]
            target = rng.choice(targets)
            # keep it only when the successor still fits comfortably in the horizon
            known, _ = self._cpm(pred.tasks, pred.release, "slow")
            self.tasks[target].deps.append((source, "FS", rng.randint(0, 5)))
            _, finish = self._cpm(succ.tasks, succ.release, "slow", known)
            if finish > 0.85 * self.horizon:
                self.tasks[target].deps.pop()
                continue
            succ.cross_in = True
            made += 1

    def dates(self) -> None:
        """Due dates from the optimistic critical path, deadlines from the pessimistic one."""
        rng, spec, horizon = self.rng, self.spec, self.horizon
        fast: dict[int, int] = {}
        slow: dict[int, int] = {}
        finish_fast, finish_slow = {}, {}
        for project in self.projects:  # earlier projects first: cross links point forward
            es, finish_fast[project.index] = self._cpm(project.tasks, project.release, "fast", fast)
            fast.update(es)
            es, finish_slow[project.index] = self._cpm(project.tasks, project.release, "slow", slow)
            slow.update(es)
        for project in self.projects:
            span = finish_fast[project.index] - project.release
            factor = rng.uniform(1.0, 1.0 + spec.due_slack)
            project.due = min(horizon - 1, project.release + math.ceil(span * factor) - 1 + rng.randint(0, 3))
        committed = [p for p in self.projects if p.committed and not p.cross_in]
        wanted = round(spec.deadline_share * sum(p.committed for p in self.projects))
        candidates = sorted(committed, key=lambda p: (-p.priority - 3 * rng.random(), p.index))
        for project in candidates:
            if wanted <= 0:
                break
            span = finish_slow[project.index] - project.release
            deadline = project.release + math.ceil(span * (1 + spec.deadline_slack)) + 10
            if deadline > horizon - 10:
                continue
            project.deadline = max(deadline, (project.due or 0) + 5)
            project.priority = max(project.priority, 6)
            wanted -= 1

    def parallel_limits(self) -> None:
        """A few people may work on at most two or three projects on a day."""
        rng = self.rng
        count = max(1, round(0.04 * len(self.people)))
        for person in rng.sample(self.people, count):
            person.max_parallel = rng.choice((2, 3))

    # ----------------------------------------------------------------- output

    def to_dict(self) -> dict[str, Any]:
        spec, cal = self.spec, self.cal
        name = spec.name or (
            f"Generated portfolio ({spec.num_projects} projects, {spec.num_people} people, "
            f"{spec.months} months)"
        )
        people = []
        for p in self.people:
            entry: dict[str, Any] = {
                "id": p.id,
                "name": p.name,
                "skills": p.skills,
                "capacity": p.capacity,
            }
            if p.available_from is not None:
                entry["available_from"] = cal.date(p.available_from).isoformat()
            if p.available_until is not None:
                entry["available_until"] = cal.date(p.available_until).isoformat()
            if p.absences:
                entry["absences"] = [{"start": a.isoformat(), "end": b.isoformat()} for a, b in p.absences]
            main = next(iter(p.skills))
            rate = _DAY_RATE[main] * (0.7 + 0.1 * p.skills[main]) * self.rng.uniform(0.92, 1.08)
            entry["cost_per_day"] = int(round(rate, -1))
            if p.max_parallel is not None:
                entry["max_parallel_projects"] = p.max_parallel
            people.append(entry)
        projects = []
        for project in self.projects:
            entry = {
                "id": project.id,
                "name": project.name,
                "priority": project.priority,
                "status": "committed" if project.committed else "proposed",
                "release": cal.date(project.release).isoformat(),
            }
            if project.due is not None:
                entry["due"] = cal.date(project.due).isoformat()
            if project.deadline is not None:
                entry["deadline"] = cal.date(project.deadline).isoformat()
            entry["tasks"] = [self._task_dict(project, i) for i in project.tasks]
            projects.append(entry)
        return {
            "name": name,
            "calendar": {
                "start": self.start.isoformat(),
                "end": self.end.isoformat(),
                "workdays": ["mon", "tue", "wed", "thu", "fri"],
                "holidays": [d.isoformat() for d in self.holidays],
            },
            "skills": [{"id": k, "name": v} for k, v in SKILLS.items()],
            "people": people,
            "projects": projects,
            "objective": {"tardiness": 1000, "completion": 1, "cost": 0, "continuity": 0},
        }

    def _task_dict(self, project: _Project, index: int) -> dict[str, Any]:
        t = self.tasks[index]
        out: dict[str, Any] = {"id": t.id, "name": t.name}
        if t.effort is not None:
            r = t.reqs[0]
            out["effort"] = t.effort
            out["crew"] = {"min": t.crew[0], "max": t.crew[1]}
            out["requirements"] = [{"skill": r.skill, "level": r.level, "allocation": r.allocation}]
        else:
            out["duration"] = t.duration
            out["requirements"] = [
                {"skill": r.skill, "level": r.level, "count": r.count, "allocation": r.allocation}
                for r in t.reqs
            ]
        deps = []
        for pred, kind, lag in t.deps:
            other = self.tasks[pred]
            ref = (
                other.id
                if other.project == project.index
                else f"{self.projects[other.project].id}/{other.id}"
            )
            dep: dict[str, Any] = {"task": ref}
            if kind != "FS":
                dep["type"] = kind
            if lag:
                dep["lag"] = lag
            deps.append(dep)
        if deps:
            out["dependencies"] = deps
        return out


def generate(spec: GeneratorSpec, seed: int = 0, *, verify: bool = True) -> dict[str, Any]:
    """Generate a realistic, solvable portfolio.

    Parameters
    ----------
    spec
        Size and character of the portfolio.
    seed
        Random seed; the same spec and seed always give the same portfolio.
    verify
        Run the serial levelling heuristic (:func:`solver.construct.levelling.level`) on the
        result and, in the rare case that it cannot place every committed task, draw
        again (deterministically, from the same seed) with slightly shorter projects.
        ``False`` returns the first draw unchecked.

    Returns
    -------
    dict
        A portfolio in the contract format (``docs/portfolio-format.md``), JSON-ready:
        dates are ISO strings, and :func:`model.load.parse_portfolio` accepts it.

    Raises
    ------
    RuntimeError
        When no draw levels completely (a spec with a far too high ``load`` or ``span``).
    """
    for attempt in range(_ATTEMPTS):
        data = _Builder(spec, seed, attempt).build()
        if not verify or _levels_completely(data):
            return data
    raise RuntimeError(
        f"no portfolio that levels completely in {_ATTEMPTS} draws; lower the spec's load or span"
    )


_ATTEMPTS = 8


def _levels_completely(data: dict[str, Any]) -> bool:
    """Whether the serial levelling heuristic places every committed task of ``data``."""
    # imported here: the generator itself needs only the model
    from model.load import parse_portfolio
    from solver.construct.levelling import level
    from solver.problem import compile_problem

    return level(compile_problem(parse_portfolio(data))).complete
