"""Shared builders of the test-suite (``from tests.conftest import …``).

Paths of the shipped data (examples, the public benchmark subset under
``tests/data/public``), tiny portfolio builders, the two-week portfolios of the solver
tests, and hypothesis strategies of small valid portfolios.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st

from model.calendar import WEEKDAYS, WorkCalendar
from model.checker import check_assignments
from model.load import parse_portfolio
from model.plan import Assignment, PersonAllocation
from model.portfolio import Portfolio
from solver.construct.levelling import Placement
from solver.convert import to_assignments
from solver.problem import Problem, compile_problem
from solver.solve import best_levelling

# every property test draws the same examples on every run and machine (fixed seeds): a CI
# failure can be replayed, and a green run means the same examples passed
settings.register_profile("fixed", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("fixed")

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "examples" / "small.json"
DATA = ROOT / "tests" / "data"
PUBLIC_DATA = DATA / "public"
"""The shipped subset of the public benchmark families, laid out like the full data
folder (``<family>/<set>/<file>`` with the tables of known values beside), so it can be
given to the readers and to ``benchmarks.public --data``."""
EXAMPLE_FILES = sorted((DATA / "examples").glob("*.json"))
"""The example portfolios shipped with the tests (besides examples/small.json)."""

D = dt.date.fromisoformat


# --------------------------------------------------------------------------- examples


@cache
def _small_text() -> str:
    return SMALL.read_text(encoding="utf-8")


def small_dict() -> dict[str, Any]:
    """A fresh (mutable) copy of examples/small.json as plain JSON data."""
    return json.loads(_small_text())


def write_json(path: Path, data: Any) -> Path:
    """Write ``data`` as JSON to ``path``; returns ``path``."""
    path.write_text(json.dumps(data))
    return path


def small_portfolio() -> Portfolio:
    """examples/small.json, validated."""
    return parse_portfolio(small_dict())


# --------------------------------------------------------------------------- builders


def task(
    tid: str,
    duration: int | None = 1,
    *,
    skill: str = "dev",
    level: int = 1,
    allocation: int = 100,
    count: int = 1,
    **extra: Any,
) -> dict[str, Any]:
    """A task dict with one requirement (``extra`` is merged in, e.g. ``dependencies``)."""
    out: dict[str, Any] = {
        "id": tid,
        "requirements": [{"skill": skill, "level": level, "count": count, "allocation": allocation}],
    }
    if duration is not None:
        out["duration"] = duration
    out.update(extra)
    return out


def person(pid: str, skills: dict[str, int] | None = None, **extra: Any) -> dict[str, Any]:
    """A person dict (default: ``dev`` at level 3, full time)."""
    return {"id": pid, "skills": {"dev": 3} if skills is None else skills, **extra}


def project(pid: str, tasks: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """A committed project dict."""
    return {"id": pid, "tasks": tasks, **extra}


def portfolio_dict(
    projects: list[dict[str, Any]],
    people: list[dict[str, Any]] | None = None,
    *,
    start: str = "2027-01-04",
    end: str = "2027-02-26",
    holidays: Iterable[str] = (),
    skills: Iterable[str] = ("dev", "qa"),
    objective: dict[str, float] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A small portfolio dict: Mon–Fri calendar starting Monday 2027-01-04.

    ``extra`` holds further top-level fields (``pools``, ``settings`` …).
    """
    out: dict[str, Any] = {
        "name": "test",
        "calendar": {"start": start, "end": end, "holidays": list(holidays)},
        "skills": [{"id": s} for s in skills],
        "people": people if people is not None else [person("ann")],
        "projects": projects,
    }
    if objective is not None:
        out["objective"] = objective
    out.update(extra)
    return out


def build(data: dict[str, Any]) -> Portfolio:
    """Validate a portfolio dict (deep-copied so the caller may reuse it)."""
    return parse_portfolio(copy.deepcopy(data))


def assign(
    project: str, task: str, start: str | dt.date, finish: str | dt.date, *people: str | tuple[str, int]
) -> Assignment:
    """An assignment; people are ``"id"`` (100 %) or ``("id", allocation)``."""
    alloc = [
        PersonAllocation(id=p, allocation=100)
        if isinstance(p, str)
        else PersonAllocation(id=p[0], allocation=p[1])
        for p in people
    ]
    first = D(start) if isinstance(start, str) else start
    last = D(finish) if isinstance(finish, str) else finish
    return Assignment(project=project, task=task, start=first, finish=last, people=alloc)


def copy_assignments(assignments: Iterable[Assignment]) -> list[Assignment]:
    """Deep copies, so a mutation never leaks into the original plan."""
    return [a.model_copy(deep=True) for a in assignments]


def find(assignments: list[Assignment], project: str, task: str) -> Assignment:
    """The assignment of ``project/task`` (it must exist)."""
    for a in assignments:
        if (a.project, a.task) == (project, task):
            return a
    raise KeyError(f"{project}/{task} not in the plan")


def move(a: Assignment, cal: WorkCalendar, start_index: int) -> None:
    """Move ``a`` in place to start on working day ``start_index``, keeping its length."""
    length = cal.index(a.finish) - cal.index(a.start)
    a.start = cal.date(start_index)
    a.finish = cal.date(start_index + length)


def next_weekday(day: dt.date, weekday: int) -> dt.date:
    """The first date on or after ``day`` whose ``weekday()`` is ``weekday``."""
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


# --------------------------------------------------------------------------- two-week portfolios

# 2027-01-04 is a Monday; two weeks = 10 working days.
START = "2027-01-04"


def task_with(
    tid: str, duration: int | None = None, reqs: list[dict] | None = None, **kw: Any
) -> dict[str, Any]:
    """A task dict with a list of requirements (default one ``dev``); ``duration`` or
    ``effort=`` in ``kw``.

    The solver tests import it as ``task`` beside :func:`portfolio`.
    """
    out: dict[str, Any] = {"id": tid, "requirements": reqs if reqs is not None else [{"skill": "dev"}], **kw}
    if duration is not None:
        out["duration"] = duration
    return out


def portfolio(
    people: list[dict],
    projects: list[dict],
    *,
    end: str = "2027-01-15",
    skills: tuple[str, ...] = ("dev", "qa", "pm"),
    **kw: Any,
) -> Portfolio:
    """A validated portfolio over ``START … end`` (default two working weeks)."""
    return build(portfolio_dict(projects, people, start=START, end=end, skills=skills, **kw))


def one_developer_for_two_deadlines() -> Portfolio:
    """Ann (dev 3) can do a's 10-day build or b's 6-day build before their deadlines
    (2027-01-22), not both; b's test (bob, qa) follows its build. Only a full search proves it
    infeasible: every cheap check passes."""
    return portfolio(
        [person("ann", {"dev": 3}), person("bob", {"qa": 2})],
        [
            project("a", [task_with("build", 10, [{"skill": "dev", "level": 2}])], deadline="2027-01-22"),
            project(
                "b",
                [
                    task_with("build", 6, [{"skill": "dev", "level": 3}]),
                    task_with("test", 4, [{"skill": "qa"}], dependencies=[{"task": "build"}]),
                ],
                deadline="2027-01-22",
            ),
        ],
        end="2027-02-26",
    )


# --------------------------------------------------------------------------- pool-only plans


def levelled(pf: Portfolio) -> tuple[Problem, dict[int, Placement]]:
    """The compiled problem of ``pf`` and the placements of its best levelling plan."""
    problem = compile_problem(pf)
    result, value, _ = best_levelling(problem, lambda _: None)
    assert value is not None
    return problem, result.placements


def valid_placements(pf: Portfolio, problem: Problem, placements: dict[int, Placement]) -> bool:
    """Whether the checker finds no violation in the plan of ``placements``."""
    return check_assignments(pf, to_assignments(problem, placements.values())) == []


# --------------------------------------------------------------------------- benchmark readers


def public_file(*parts: str) -> Path:
    """A file of the shipped public benchmark subset, e.g. ``("psplib_rcpsp", "j30", "j301_1.sm")``."""
    return PUBLIC_DATA.joinpath(*parts)


def tasks_by_id(project: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The task dicts of a project dict (as a reader writes it), by id."""
    return {t["id"]: t for t in project["tasks"]}


def deps(task: dict[str, Any]) -> list[str]:
    """The predecessor ids of a task dict, in file order."""
    return [d["task"] for d in task.get("dependencies", [])]


# --------------------------------------------------------------------------- hypothesis


_EPOCH = dt.date(2026, 1, 1)


@st.composite
def _date_in(draw: st.DrawFn, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=draw(st.integers(0, (last - first).days)))


@st.composite
def _optional_date(draw: st.DrawFn, first: dt.date, last: dt.date) -> dt.date | None:
    return draw(st.none() | _date_in(first, last))


@st.composite
def valid_portfolios(draw: st.DrawFn) -> dict[str, Any]:
    """Small valid portfolios as JSON-ready dicts.

    1–3 projects of 1–4 tasks, 1–4 people, 1–3 skills; durations or efforts with
    crews, levels, allocations, dependencies (acyclic: only on earlier tasks, and a
    committed project only on committed ones), windows, pins and fixed people
    chosen so that every cross-reference rule holds.
    """
    start = _EPOCH + dt.timedelta(days=draw(st.integers(0, 5 * 365)))
    end = start + dt.timedelta(days=draw(st.integers(14, 120)))
    workdays = draw(
        st.sampled_from([list(WEEKDAYS[:5]), ["sun", "mon", "tue", "wed", "thu"]])
        | st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True)
    )
    holidays = draw(st.lists(_date_in(start, end), max_size=3, unique=True))
    cal = WorkCalendar(start, end, workdays, holidays)
    if cal.num_days == 0:
        holidays = []
        cal = WorkCalendar(start, end, workdays, holidays)
    in_horizon = _date_in(start, end)

    skills = [f"s{k}" for k in range(draw(st.integers(1, 3)))]
    people = []
    for i in range(draw(st.integers(1, 4))):
        p: dict[str, Any] = {
            "id": f"p{i}",
            "name": draw(st.none() | st.text(max_size=8)),
            "skills": draw(st.dictionaries(st.sampled_from(skills), st.integers(1, 5), max_size=3)),
            "capacity": draw(st.integers(1, 100)),
            "cost_per_day": draw(st.integers(0, 1000) | st.floats(0, 1000).map(lambda x: round(x, 2))),
            "max_parallel_projects": draw(st.none() | st.integers(1, 3)),
        }
        a, b = sorted(draw(st.lists(in_horizon, min_size=2, max_size=2)))
        if draw(st.booleans()):
            p["available_from"] = a
        if draw(st.booleans()):
            p["available_until"] = b
        p["absences"] = []
        for _ in range(draw(st.integers(0, 2))):
            first, last = sorted(draw(st.lists(in_horizon, min_size=2, max_size=2)))
            p["absences"].append({"start": first, "end": last})
        people.append(p)

    projects: list[dict[str, Any]] = []
    for j in range(draw(st.integers(1, 3))):
        status = draw(st.sampled_from(["committed", "proposed"]))
        release = draw(_optional_date(start, end))
        deadline = draw(_optional_date(release or start, end))
        proj: dict[str, Any] = {
            "id": f"j{j}",
            "priority": draw(st.integers(1, 10)),
            "status": status,
            "release": release,
            "due": draw(_optional_date(start, end)),
            "deadline": deadline,
            "tasks": [],
        }
        # earlier tasks this project may depend on
        preds: list[str] = []
        for pr in projects:
            if status == "proposed" or pr["status"] == "committed":
                preds += [f"{pr['id']}/{t['id']}" for t in pr["tasks"]]
        for k in range(draw(st.integers(1, 4))):
            t: dict[str, Any] = {"id": f"t{k}"}
            n_req = 1
            if draw(st.booleans()):
                t["duration"] = draw(st.integers(1, 20))
                n_req = draw(st.integers(0, 2))
            else:
                t["effort"] = draw(st.integers(1, 40) | st.sampled_from([0.5, 2.5, 7.25]))
                if draw(st.booleans()):
                    lo = draw(st.integers(1, 3))
                    t["crew"] = {"min": lo, "max": draw(st.integers(lo, 4))}
            t["requirements"] = [
                {
                    "skill": draw(st.sampled_from(skills)),
                    "level": draw(st.integers(1, 5)),
                    "count": draw(st.integers(1, 3)),
                    "allocation": draw(st.integers(1, 100)),
                }
                for _ in range(n_req)
            ]
            same = [f"t{x}" for x in range(k)]
            choices = same + preds
            if choices:
                t["dependencies"] = [
                    {
                        "task": dep,
                        "type": draw(st.sampled_from(["FS", "SS", "FF", "SF"])),
                        "lag": draw(st.integers(-5, 5)),
                    }
                    for dep in draw(st.lists(st.sampled_from(choices), max_size=2, unique=True))
                ]
            if draw(st.booleans()):
                t["earliest_start"] = draw(in_horizon)
                if draw(st.booleans()):
                    t["latest_finish"] = draw(_date_in(t["earliest_start"], end))
            lo_day = max(d for d in (start, release, t.get("earliest_start")) if d is not None)
            pins = [
                d
                for d in cal.dates
                if d >= lo_day and (not t.get("latest_finish") or d <= t["latest_finish"])
            ]
            if pins and draw(st.booleans()):
                t["fixed_start"] = draw(st.sampled_from(pins))
            fit = [
                q["id"]
                for q in people
                if any(
                    q["skills"].get(r["skill"], 0) >= r["level"] and r["allocation"] <= q["capacity"]
                    for r in t["requirements"]
                )
            ]
            if fit and draw(st.booleans()):
                t["fixed_people"] = [draw(st.sampled_from(fit))]
            proj["tasks"].append(t)
        projects.append(proj)

    weights = st.integers(0, 2000) | st.floats(0, 100).map(lambda x: round(x, 3))
    data = {
        "name": draw(st.none() | st.text(max_size=10)),
        "calendar": {"start": start, "end": end, "workdays": workdays, "holidays": holidays},
        "skills": [{"id": s, "name": draw(st.none() | st.text(max_size=6))} for s in skills],
        "people": people,
        "projects": projects,
        "objective": {k: draw(weights) for k in ("tardiness", "completion", "cost", "continuity")},
    }
    # JSON-ready: dates as ISO strings
    return json.loads(json.dumps(data, default=lambda o: o.isoformat()))


DEPENDENCY_KINDS = ("FS", "SS", "FF", "SF")


@st.composite
def pool_portfolios(draw: st.DrawFn, *, modes: bool = False) -> Portfolio:
    """Small pool-only portfolios: two pools, two projects, dependencies of every kind with
    lags (some negative), releases and the odd pinned task; with ``modes``, some tasks have
    two or three modes that use a project budget."""
    capacity = [draw(st.integers(1, 3)) for _ in range(2)]
    projects = []
    for p in range(2):
        tasks: list[dict[str, Any]] = []
        cheapest = 0
        for k in range(draw(st.integers(2, 5))):

            def way() -> dict[str, Any]:
                pool = draw(st.integers(0, 1))
                return {
                    "duration": draw(st.integers(1, 4)),
                    "requirements": [{"pool": f"pool{pool}", "units": draw(st.integers(1, capacity[pool]))}],
                }

            spec: dict[str, Any] = {"id": f"t{k}", **way()}
            if modes and draw(st.booleans()):
                options = [{**way(), "consumes": {"cash": draw(st.integers(0, 3))}} for _ in range(draw(st.integers(2, 3)))]
                cheapest += min(o["consumes"]["cash"] for o in options)
                spec = {"id": f"t{k}", "modes": options}
            if k and draw(st.booleans()):
                spec["dependencies"] = [
                    {
                        "task": f"t{draw(st.integers(0, k - 1))}",
                        "type": draw(st.sampled_from(DEPENDENCY_KINDS)),
                        "lag": draw(st.integers(-1, 2)),
                    }
                ]
            if p == 0 and k == 0 and draw(st.booleans()):
                spec["fixed_start"] = "2027-01-13"
            tasks.append(spec)
        release = draw(st.sampled_from(["2027-01-04", "2027-01-11"]))
        project: dict[str, Any] = {"id": f"p{p}", "release": release, "tasks": tasks}
        if modes:
            project["budgets"] = {"cash": cheapest + draw(st.integers(0, 3))}
        projects.append(project)
    pools = [{"id": f"pool{i}", "capacity": c} for i, c in enumerate(capacity)]
    data = portfolio_dict(projects, [], end="2027-06-30", pools=pools, objective={"makespan": 1})
    return build(data)
