"""The independent checker: every hard rule, broken by hand, is reported.

Each case returns a portfolio, a valid plan (checked first: no violation) and a
copy of it with one thing broken; the checker must name the exact rule constant
of :mod:`model.checker` (and the task, person or day concerned).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

import pytest

import model.checker as checker
from model.assemble import assemble_plan
from model.calendar import WorkCalendar
from model.checker import (
    AFTER_DEADLINE,
    AFTER_LATEST_FINISH,
    BEFORE_EARLIEST_START,
    BEFORE_RELEASE,
    BUDGET_EXCEEDED,
    CREW_SIZE,
    DEPENDENCY_BROKEN,
    FINISH_BEFORE_START,
    FIXED_PERSON_MISSING,
    FIXED_START_MOVED,
    NOT_A_WORKING_DAY,
    OUTSIDE_HORIZON,
    OVER_CAPACITY,
    PARTLY_SCHEDULED,
    PERSON_TWICE,
    PERSON_UNAVAILABLE,
    POOL_OVER_CAPACITY,
    REQUIREMENT_NOT_COVERED,
    SKILL_LEVEL_TOO_LOW,
    TASK_NOT_SCHEDULED,
    TASK_SCHEDULED_TWICE,
    TOO_MANY_PARALLEL_PROJECTS,
    UNKNOWN_MODE,
    UNKNOWN_PERSON,
    UNKNOWN_TASK,
    WRONG_LENGTH,
    check_assignments,
    check_plan,
)
from model.hard_rules import HardRule
from model.plan import Assignment, PersonAllocation, Plan, PlanStatus
from model.portfolio import Portfolio
from solver.settings import SolverSettings
from solver.solve import solve
from tests.conftest import (
    D,
    assign,
    build,
    copy_assignments,
    find,
    move,
    next_weekday,
    person,
    portfolio_dict,
    project,
    small_portfolio,
    task,
)


@dataclasses.dataclass(frozen=True)
class Small:
    """examples/small.json and the levelling plan the solver finds for it."""

    portfolio: Portfolio
    plan: Plan

    @property
    def cal(self) -> WorkCalendar:
        return self.portfolio.work_calendar

    def copy(self) -> list[Assignment]:
        return copy_assignments(self.plan.assignments)


@pytest.fixture(scope="module")
def small() -> Small:
    portfolio = small_portfolio()
    return Small(portfolio, solve(portfolio, SolverSettings(optimise=False)))


def as_plan(assignments: list[Assignment]) -> Plan:
    return Plan(status=PlanStatus.feasible, assignments=assignments)


# --------------------------------------------------------------------------- valid plans


def test_levelling_plan_of_small_is_feasible_and_clean(small: Small) -> None:
    assert small.plan.status == PlanStatus.feasible
    assert small.plan.violations == []
    assert check_plan(small.portfolio, small.plan) == []
    scheduled = {(a.project, a.task) for a in small.plan.assignments}
    committed = {
        (p.id, t.id) for p in small.portfolio.projects if p.status.value == "committed" for t in p.tasks
    }
    assert committed <= scheduled


def test_empty_plan_of_a_portfolio_with_only_proposed_projects_is_valid() -> None:
    portfolio = build(portfolio_dict([project("p", [task("t")], status="proposed")]))
    assert check_assignments(portfolio, []) == []


def test_part_timer_at_exactly_their_capacity_is_valid() -> None:
    portfolio = build(
        portfolio_dict([project("p", [task("t", 3, allocation=50)])], [person("ann", capacity=50)])
    )
    assert check_assignments(portfolio, [assign("p", "t", "2027-01-04", "2027-01-06", ("ann", 50))]) == []


# --------------------------------------------------------------------------- the cases

Built = tuple[Portfolio, list[Assignment], list[Assignment]]
Builder = Callable[[Small], Built]
CASES: list[Any] = []


def case(case_id: str, rule: str, **expect: Any) -> Callable[[Builder], Builder]:
    """Register a case; ``expect`` gives fields of the violation (``message`` is a fragment)."""

    def register(fn: Builder) -> Builder:
        CASES.append(pytest.param(fn, rule, expect, id=case_id))
        return fn

    return register


def broken_small(small: Small, mutate: Callable[[list[Assignment]], list[Assignment] | None]) -> Built:
    bad = small.copy()
    out = mutate(bad)
    return small.portfolio, small.plan.assignments, out if out is not None else bad


# --- task structure and rule 1/2 ------------------------------------------------------------


@case("TASK_NOT_SCHEDULED", TASK_NOT_SCHEDULED, project="crm", task="design")
def _(small: Small) -> Built:
    return broken_small(small, lambda a: [x for x in a if (x.project, x.task) != ("crm", "design")])


@case("UNKNOWN_TASK", UNKNOWN_TASK, project="crm", task="nope")
def _(small: Small) -> Built:
    def mutate(a: list[Assignment]) -> None:
        a.append(find(a, "crm", "design").model_copy(update={"task": "nope"}, deep=True))

    return broken_small(small, mutate)


@case("UNKNOWN_TASK-unknown-project", UNKNOWN_TASK, project="zzz", task="design")
def _(small: Small) -> Built:
    def mutate(a: list[Assignment]) -> None:
        a.append(find(a, "crm", "design").model_copy(update={"project": "zzz"}, deep=True))

    return broken_small(small, mutate)


@case("TASK_SCHEDULED_TWICE", TASK_SCHEDULED_TWICE, project="crm", task="design")
def _(small: Small) -> Built:
    return broken_small(small, lambda a: a.append(find(a, "crm", "design").model_copy(deep=True)))


@case("NOT_A_WORKING_DAY-weekend", NOT_A_WORKING_DAY, project="crm", task="scoping")
def _(small: Small) -> Built:
    def mutate(a: list[Assignment]) -> None:
        x = find(a, "crm", "scoping")
        x.finish = next_weekday(x.finish, 5)  # a Saturday
        assert small.portfolio.calendar.start <= x.finish <= small.portfolio.calendar.end

    return broken_small(small, mutate)


@case("NOT_A_WORKING_DAY-holiday", NOT_A_WORKING_DAY, project="crm", task="scoping", day=D("2027-03-29"))
def _(small: Small) -> Built:
    return broken_small(small, lambda a: setattr(find(a, "crm", "scoping"), "finish", D("2027-03-29")))


@case("OUTSIDE_HORIZON-before-start", OUTSIDE_HORIZON, project="crm", task="scoping", day=D("2027-01-01"))
def _(small: Small) -> Built:
    return broken_small(small, lambda a: setattr(find(a, "crm", "scoping"), "start", D("2027-01-01")))


@case("OUTSIDE_HORIZON-after-end", OUTSIDE_HORIZON, day=D("2027-07-01"))
def _(small: Small) -> Built:
    return broken_small(small, lambda a: setattr(max(a, key=lambda x: x.finish), "finish", D("2027-07-01")))


@case("BEFORE_RELEASE", BEFORE_RELEASE, project="dwh", task="analysis", day=D("2027-01-15"))
def _(small: Small) -> Built:
    release = small.portfolio.project("dwh").release
    assert release is not None
    return broken_small(
        small, lambda a: move(find(a, "dwh", "analysis"), small.cal, small.cal.index(release) - 1)
    )


def _window_portfolio(**task_extra: Any) -> Portfolio:
    return build(portfolio_dict([project("p", [task("t", 2, **task_extra)])]))


@case("BEFORE_EARLIEST_START", BEFORE_EARLIEST_START, project="p", task="t", day=D("2027-01-05"))
def _(small: Small) -> Built:
    portfolio = _window_portfolio(earliest_start="2027-01-06")
    good = [assign("p", "t", "2027-01-06", "2027-01-07", "ann")]
    return portfolio, good, [assign("p", "t", "2027-01-05", "2027-01-06", "ann")]


@case("AFTER_LATEST_FINISH", AFTER_LATEST_FINISH, project="p", task="t", day=D("2027-01-08"))
def _(small: Small) -> Built:
    portfolio = _window_portfolio(latest_finish="2027-01-07")
    good = [assign("p", "t", "2027-01-06", "2027-01-07", "ann")]
    return portfolio, good, [assign("p", "t", "2027-01-07", "2027-01-08", "ann")]


@case("AFTER_DEADLINE", AFTER_DEADLINE, project="p", task="b", day=D("2027-01-11"))
def _(small: Small) -> Built:
    portfolio = build(
        portfolio_dict(
            [project("p", [task("a"), task("b", 3)], deadline="2027-01-09")],  # a Saturday
            [person("ann"), person("bob")],
        )
    )
    good = [
        assign("p", "a", "2027-01-04", "2027-01-04", "ann"),
        assign("p", "b", "2027-01-06", "2027-01-08", "bob"),
    ]
    bad = [good[0], assign("p", "b", "2027-01-07", "2027-01-11", "bob")]  # Thu, Fri, Mon
    return portfolio, good, bad


@case("FIXED_START_MOVED", FIXED_START_MOVED, project="p", task="t", day=D("2027-01-07"))
def _(small: Small) -> Built:
    portfolio = _window_portfolio(fixed_start="2027-01-06")
    good = [assign("p", "t", "2027-01-06", "2027-01-07", "ann")]
    return portfolio, good, [assign("p", "t", "2027-01-07", "2027-01-08", "ann")]


@case("PARTLY_SCHEDULED", PARTLY_SCHEDULED, project="ml")
def _(small: Small) -> Built:
    def mutate(a: list[Assignment]) -> list[Assignment]:
        ml = [x for x in a if x.project == "ml"]
        if ml:  # drop one task of the scheduled proposed project
            return [x for x in a if x is not ml[-1]]
        # the proposed project was left out: schedule one of its tasks alone
        return [*a, assign("ml", "data_prep", "2027-06-14", "2027-06-25", "chloe")]

    return broken_small(small, mutate)


# --- rule 3: dependencies ---------------------------------------------------------------------


@case(
    "DEPENDENCY_BROKEN-FS-lag-2-small",
    DEPENDENCY_BROKEN,
    project="crm",
    task="ui",
    message="1 working day(s) too early for its FS dependency on crm/design (lag 2)",
)
def _(small: Small) -> Built:
    def mutate(a: list[Assignment]) -> None:
        pf = small.cal.index(find(a, "crm", "design").finish)
        move(find(a, "crm", "ui"), small.cal, pf + 1 + 2 - 1)

    return broken_small(small, mutate)


@case(
    "DEPENDENCY_BROKEN-SS-lag-5-small",
    DEPENDENCY_BROKEN,
    project="dwh",
    task="reports",
    message="too early for its SS dependency on dwh/model (lag 5)",
)
def _(small: Small) -> Built:
    def mutate(a: list[Assignment]) -> None:
        ps = small.cal.index(find(a, "dwh", "model").start)
        move(find(a, "dwh", "reports"), small.cal, ps + 5 - 1)

    return broken_small(small, mutate)


@case(
    "DEPENDENCY_BROKEN-FS-cross-project-small",
    DEPENDENCY_BROKEN,
    project="portal",
    task="api",
    message="on crm/design",
)
def _(small: Small) -> Built:
    def mutate(a: list[Assignment]) -> None:
        move(find(a, "portal", "api"), small.cal, small.cal.index(find(a, "crm", "design").finish))

    return broken_small(small, mutate)


# Predecessor a runs Wed 6 … Fri 8 (indices 2…4); Monday 11 is a holiday, so
# Tuesday 12 is index 5.  Each row: type, lag, duration of b, tightest start of b.
DEP_HOLIDAY = "2027-01-11"
DEP_ROWS = [
    ("FS", 0, 3, 5),  # next working day after the weekend and the holiday
    ("FS", 2, 1, 7),
    ("FS", -1, 3, 4),  # negative lag: may start on the predecessor's last day
    ("SS", 0, 1, 2),
    ("SS", 2, 3, 4),
    ("FF", 0, 1, 4),
    ("FF", 1, 3, 3),  # finish ≥ 4 + 1 → ends Tue 12 (index 5)
    ("FF", -2, 1, 2),
    ("SF", 0, 1, 2),
    ("SF", 3, 3, 3),  # finish ≥ 2 + 3 = 5
    ("SF", -1, 1, 1),
]


def _dependency_case(kind: str, lag: int, duration: int, tight: int) -> Builder:
    def build_case(small: Small) -> Built:
        portfolio = build(
            portfolio_dict(
                [
                    project(
                        "p",
                        [
                            task("a", 3),
                            task("b", duration, dependencies=[{"task": "a", "type": kind, "lag": lag}]),
                        ],
                    )
                ],
                [person("ann"), person("bob")],
                holidays=[DEP_HOLIDAY],
            )
        )
        cal = portfolio.work_calendar
        a = assign("p", "a", "2027-01-06", "2027-01-08", "ann")

        def b_at(i: int) -> Assignment:
            return assign("p", "b", cal.date(i), cal.date(i + duration - 1), "bob")

        return portfolio, [a, b_at(tight)], [a, b_at(tight - 1)]

    return build_case


for _kind, _lag, _dur, _tight in DEP_ROWS:
    case(
        f"DEPENDENCY_BROKEN-{_kind}-lag{_lag:+d}",
        DEPENDENCY_BROKEN,
        project="p",
        task="b",
        message=f"1 working day(s) too early for its {_kind} dependency on p/a (lag {_lag})",
    )(_dependency_case(_kind, _lag, _dur, _tight))


@case("DEPENDENCY_BROKEN-cross-project", DEPENDENCY_BROKEN, project="q", task="b", message="on p/a")
def _(small: Small) -> Built:
    portfolio = build(
        portfolio_dict(
            [project("p", [task("a", 2)]), project("q", [task("b", 2, dependencies=[{"task": "p/a"}])])],
            [person("ann"), person("bob")],
        )
    )
    a = assign("p", "a", "2027-01-07", "2027-01-08", "ann")
    good = [a, assign("q", "b", "2027-01-11", "2027-01-12", "bob")]
    return portfolio, good, [a, assign("q", "b", "2027-01-08", "2027-01-11", "bob")]


# --- rule 4: staffing -------------------------------------------------------------------------


@case("UNKNOWN_PERSON", UNKNOWN_PERSON, project="crm", task="design", person="zoe")
def _(small: Small) -> Built:
    def mutate(a: list[Assignment]) -> None:
        find(a, "crm", "design").people = [PersonAllocation(id="zoe", allocation=100)]

    return broken_small(small, mutate)


@case("PERSON_TWICE", PERSON_TWICE, project="crm", task="design", person="bruno")
def _(small: Small) -> Built:
    def mutate(a: list[Assignment]) -> None:
        x = find(a, "crm", "design")
        assert [p.id for p in x.people] == ["bruno"]  # the only architect at level ≥ 4
        x.people = [PersonAllocation(id="bruno", allocation=100)] * 2

    return broken_small(small, mutate)


@case("SKILL_LEVEL_TOO_LOW-level", SKILL_LEVEL_TOO_LOW, project="portal", task="api", person="david")
def _(small: Small) -> Built:
    def mutate(a: list[Assignment]) -> None:  # api needs backend ≥ 3; david has backend 2
        find(a, "portal", "api").people = [PersonAllocation(id="david", allocation=100)]

    return broken_small(small, mutate)


@case("SKILL_LEVEL_TOO_LOW-missing-skill", SKILL_LEVEL_TOO_LOW, project="crm", task="design", person="emma")
def _(small: Small) -> Built:
    def mutate(a: list[Assignment]) -> None:
        find(a, "crm", "design").people = [PersonAllocation(id="emma", allocation=100)]

    return broken_small(small, mutate)


@case(
    "REQUIREMENT_NOT_COVERED-missing-person",
    REQUIREMENT_NOT_COVERED,
    project="crm",
    task="scoping",
    message="fill 1 of its 2 slot(s)",
)
def _(small: Small) -> Built:
    def mutate(a: list[Assignment]) -> None:
        x = find(a, "crm", "scoping")
        x.people = x.people[:1]

    return broken_small(small, mutate)


@case(
    "REQUIREMENT_NOT_COVERED-nobody",
    REQUIREMENT_NOT_COVERED,
    project="crm",
    task="design",
    message="fill 0 of its 1 slot(s)",
)
def _(small: Small) -> Built:
    return broken_small(small, lambda a: setattr(find(a, "crm", "design"), "people", []))


@case("REQUIREMENT_NOT_COVERED-wrong-allocation", REQUIREMENT_NOT_COVERED, project="crm", task="scoping")
def _(small: Small) -> Built:
    def mutate(a: list[Assignment]) -> None:  # the pm slot asks for 50 %, not 100 %
        x = find(a, "crm", "scoping")
        x.people = [PersonAllocation(id=p.id, allocation=100) for p in x.people]

    return broken_small(small, mutate)


@case(
    "REQUIREMENT_NOT_COVERED-extra-person",
    REQUIREMENT_NOT_COVERED,
    project="portal",
    task="api",
    message="with 2 person(s)",
)
def _(small: Small) -> Built:
    def mutate(a: list[Assignment]) -> None:  # both bruno and chloe are backend ≥ 3
        x = find(a, "portal", "api")
        other = "chloe" if x.people[0].id == "bruno" else "bruno"
        x.people = [*x.people, PersonAllocation(id=other, allocation=100)]

    return broken_small(small, mutate)


@case("FIXED_PERSON_MISSING", FIXED_PERSON_MISSING, project="p", task="t", person="bob")
def _(small: Small) -> Built:
    portfolio = build(
        portfolio_dict([project("p", [task("t", 2, fixed_people=["bob"])])], [person("ann"), person("bob")])
    )
    good = [assign("p", "t", "2027-01-04", "2027-01-05", "bob")]
    return portfolio, good, [assign("p", "t", "2027-01-04", "2027-01-05", "ann")]


# --- rule 5: availability ---------------------------------------------------------------------


def _availability_case(good: tuple[str, str], bad: tuple[str, str], **ann: Any) -> Built:
    portfolio = build(portfolio_dict([project("p", [task("t", 3)])], [person("ann", **ann)]))
    return (
        portfolio,
        [assign("p", "t", *good, "ann")],
        [assign("p", "t", *bad, "ann")],
    )


@case("PERSON_UNAVAILABLE-absence", PERSON_UNAVAILABLE, task="t", person="ann", day=D("2027-01-11"))
def _(small: Small) -> Built:
    return _availability_case(
        ("2027-01-04", "2027-01-06"),
        ("2027-01-08", "2027-01-12"),  # Fri, Mon, Tue
        absences=[{"start": "2027-01-11", "end": "2027-01-12"}],
    )


@case("PERSON_UNAVAILABLE-before-available-from", PERSON_UNAVAILABLE, person="ann", day=D("2027-01-07"))
def _(small: Small) -> Built:
    return _availability_case(
        ("2027-01-11", "2027-01-13"), ("2027-01-07", "2027-01-11"), available_from="2027-01-09"
    )


@case("PERSON_UNAVAILABLE-after-available-until", PERSON_UNAVAILABLE, person="ann", day=D("2027-01-11"))
def _(small: Small) -> Built:
    return _availability_case(
        ("2027-01-06", "2027-01-08"), ("2027-01-07", "2027-01-11"), available_until="2027-01-08"
    )


@case("PERSON_UNAVAILABLE-small-absence", PERSON_UNAVAILABLE, person="bruno", day=D("2027-04-19"))
def _(small: Small) -> Built:
    def mutate(a: list[Assignment]) -> None:  # bruno is away 2027-04-19 … 2027-04-30
        move(find(a, "crm", "design"), small.cal, small.cal.index(D("2027-04-19")))

    return broken_small(small, mutate)


# --- rules 6 and 7: capacity and parallel projects ---------------------------------------------


@case(
    "OVER_CAPACITY-part-timer-given-full-days",
    OVER_CAPACITY,
    person="ann",
    day=D("2027-01-04"),
    message="booked 100 % against a capacity of 50 %",
)
def _(small: Small) -> Built:
    portfolio = build(
        portfolio_dict([project("p", [task("t", 2)])], [person("ann", capacity=50), person("bob")])
    )
    good = [assign("p", "t", "2027-01-04", "2027-01-05", "bob")]
    return portfolio, good, [assign("p", "t", "2027-01-04", "2027-01-05", "ann")]


@case(
    "OVER_CAPACITY-two-halves-plus-one",
    OVER_CAPACITY,
    person="ann",
    day=D("2027-01-05"),
    message="booked 150 % against a capacity of 100 % on 1 day(s)",
)
def _(small: Small) -> Built:
    tasks = [task(t, 2, allocation=50) for t in ("t1", "t2", "t3")]
    portfolio = build(portfolio_dict([project("p", tasks)]))
    both = [
        assign("p", "t1", "2027-01-04", "2027-01-05", ("ann", 50)),
        assign("p", "t2", "2027-01-04", "2027-01-05", ("ann", 50)),
    ]
    good = [*both, assign("p", "t3", "2027-01-06", "2027-01-07", ("ann", 50))]
    return portfolio, good, [*both, assign("p", "t3", "2027-01-05", "2027-01-06", ("ann", 50))]


@case("OVER_CAPACITY-small-double-booking", OVER_CAPACITY, person="bruno")
def _(small: Small) -> Built:
    def mutate(a: list[Assignment]) -> None:  # bruno on dwh/model at the same time as on crm/design
        x = find(a, "dwh", "model")
        x.people = [p if p.id != "bruno" else p.model_copy(update={"allocation": 50}) for p in x.people]
        move(x, small.cal, small.cal.index(find(a, "crm", "design").start))

    return broken_small(small, mutate)


def _parallel_case(limit: int) -> Built:
    ids = [f"p{k}" for k in range(limit + 1)]
    portfolio = build(
        portfolio_dict(
            [project(pid, [task("t", 2, allocation=10)]) for pid in ids],
            [person("ann", max_parallel_projects=limit)],
        )
    )
    together = [assign(pid, "t", "2027-01-04", "2027-01-05", ("ann", 10)) for pid in ids[:-1]]
    good = [*together, assign(ids[-1], "t", "2027-01-06", "2027-01-07", ("ann", 10))]
    bad = [*together, assign(ids[-1], "t", "2027-01-05", "2027-01-06", ("ann", 10))]
    return portfolio, good, bad


@case(
    "TOO_MANY_PARALLEL_PROJECTS-limit-1",
    TOO_MANY_PARALLEL_PROJECTS,
    person="ann",
    day=D("2027-01-05"),
    message="works on 2 projects on 2027-01-05 (limit 1), 1 day(s) in all",
)
def _(small: Small) -> Built:
    return _parallel_case(1)


@case(
    "TOO_MANY_PARALLEL_PROJECTS-limit-2",
    TOO_MANY_PARALLEL_PROJECTS,
    person="ann",
    day=D("2027-01-05"),
    message="works on 3 projects",
)
def _(small: Small) -> Built:
    return _parallel_case(2)


# --- rule 8: effort-driven length and crew ---------------------------------------------------


@case(
    "WRONG_LENGTH-fixed-duration",
    WRONG_LENGTH,
    project="crm",
    task="design",
    message="must last 10 working days, not 11",
)
def _(small: Small) -> Built:
    def mutate(a: list[Assignment]) -> None:
        x = find(a, "crm", "design")
        x.finish = small.cal.date(small.cal.index(x.finish) + 1)

    return broken_small(small, mutate)


@case(
    "FINISH_BEFORE_START",
    FINISH_BEFORE_START,
    project="crm",
    task="design",
    message="finishes before it starts",
)
def _(small: Small) -> Built:
    def mutate(a: list[Assignment]) -> None:
        x = find(a, "crm", "design")
        x.finish = small.cal.date(small.cal.index(x.start) - 1)

    return broken_small(small, mutate)


@case("WRONG_LENGTH-effort-one-day-longer", WRONG_LENGTH, project="crm", task="backend", message="must last")
def _(small: Small) -> Built:
    def mutate(a: list[Assignment]) -> None:
        x = find(a, "crm", "backend")
        x.finish = small.cal.date(small.cal.index(x.finish) + 1)

    return broken_small(small, mutate)


@case("WRONG_LENGTH-effort-crew-changed", WRONG_LENGTH, project="crm", task="backend")
def _(small: Small) -> Built:
    def mutate(a: list[Assignment]) -> None:  # effort 40: 40, 20 or 14 days for 1, 2, 3 people
        x = find(a, "crm", "backend")
        if len(x.people) > 1:
            x.people = x.people[:-1]
        else:
            other = next(p for p in ("bruno", "chloe", "david", "farid") if p != x.people[0].id)
            x.people = [*x.people, PersonAllocation(id=other, allocation=100)]

    return broken_small(small, mutate)


@case(
    "WRONG_LENGTH-effort-at-50-percent",
    WRONG_LENGTH,
    project="p",
    task="e",
    message="with a crew of 2 must last 3 working days, not 4",
)
def _(small: Small) -> Built:
    # effort 3 at 50 %: 6 days alone, ceil(300 / (2 × 50)) = 3 days for two
    portfolio = build(
        portfolio_dict(
            [project("p", [task("e", None, effort=3, allocation=50, crew={"min": 1, "max": 2})])],
            [person("ann"), person("bob")],
        )
    )
    crew = (("ann", 50), ("bob", 50))
    good = [assign("p", "e", "2027-01-04", "2027-01-06", *crew)]
    return portfolio, good, [assign("p", "e", "2027-01-04", "2027-01-07", *crew)]


def _crew_portfolio() -> Portfolio:
    return build(
        portfolio_dict(
            [project("p", [task("e", None, effort=4, crew={"min": 2, "max": 3})])],
            [person(x) for x in ("ann", "bob", "cat", "dan")],
        )
    )


@case("CREW_SIZE-below-min", CREW_SIZE, project="p", task="e", message="crew of 1, outside 2…3")
def _(small: Small) -> Built:
    good = [assign("p", "e", "2027-01-04", "2027-01-05", "ann", "bob")]  # ceil(4 / 2) = 2 days
    return _crew_portfolio(), good, [assign("p", "e", "2027-01-04", "2027-01-07", "ann")]


@case("CREW_SIZE-above-max", CREW_SIZE, project="p", task="e", message="crew of 4, outside 2…3")
def _(small: Small) -> Built:
    good = [assign("p", "e", "2027-01-04", "2027-01-05", "ann", "bob", "cat")]  # ceil(4 / 3) = 2 days
    return _crew_portfolio(), good, [assign("p", "e", "2027-01-04", "2027-01-04", "ann", "bob", "cat", "dan")]


@case("CREW_SIZE-small-backend", CREW_SIZE, project="crm", task="backend", message="outside 1…3")
def _(small: Small) -> Built:
    def mutate(a: list[Assignment]) -> None:
        find(a, "crm", "backend").people = [
            PersonAllocation(id=p, allocation=100) for p in ("bruno", "chloe", "david", "farid")
        ]

    return broken_small(small, mutate)


# --- rules 9 and 10 and modes: pools, budgets ------------------------------------------------


def _pool_portfolio() -> Portfolio:
    data = portfolio_dict(
        [
            project(
                "p",
                [
                    {"id": "a", "duration": 2, "requirements": [{"pool": "rig", "units": 2}]},
                    {
                        "id": "b",
                        "modes": [
                            {
                                "duration": 3,
                                "requirements": [{"pool": "rig", "units": 1}],
                                "consumes": {"cash": 4},
                            },
                            {
                                "duration": 1,
                                "requirements": [{"pool": "rig", "units": 3}],
                                "consumes": {"cash": 7},
                            },
                        ],
                    },
                ],
                budgets={"cash": 6},
            )
        ],
        [],
    )
    data["pools"] = [{"id": "rig", "capacity": 3}]
    return build(data)


def _with_mode(a: Assignment, mode: int | None) -> Assignment:
    a.mode = mode
    return a


@case(
    "POOL_OVER_CAPACITY-overlap", POOL_OVER_CAPACITY, day=D("2027-01-05"), message="pool rig is used 5 units"
)
def _(small: Small) -> Built:
    good = [
        assign("p", "a", "2027-01-04", "2027-01-05"),
        _with_mode(assign("p", "b", "2027-01-06", "2027-01-08"), 0),
    ]
    bad = [
        assign("p", "a", "2027-01-04", "2027-01-05"),
        _with_mode(assign("p", "b", "2027-01-05", "2027-01-05"), 1),
    ]
    return _pool_portfolio(), good, bad


@case("BUDGET_EXCEEDED-fast-mode", BUDGET_EXCEEDED, project="p", message="consumes 7 of budget cash, limit 6")
def _(small: Small) -> Built:
    good = [
        assign("p", "a", "2027-01-04", "2027-01-05"),
        _with_mode(assign("p", "b", "2027-01-06", "2027-01-08"), 0),
    ]
    bad = [
        assign("p", "a", "2027-01-04", "2027-01-05"),
        _with_mode(assign("p", "b", "2027-01-06", "2027-01-06"), 1),
    ]
    return _pool_portfolio(), good, bad


@case("UNKNOWN_MODE-missing", UNKNOWN_MODE, project="p", task="b", message="the plan gives mode None")
def _(small: Small) -> Built:
    good = [
        assign("p", "a", "2027-01-04", "2027-01-05"),
        _with_mode(assign("p", "b", "2027-01-06", "2027-01-08"), 0),
    ]
    bad = [assign("p", "a", "2027-01-04", "2027-01-05"), assign("p", "b", "2027-01-06", "2027-01-08")]
    return _pool_portfolio(), good, bad


@case("UNKNOWN_MODE-out-of-range", UNKNOWN_MODE, project="p", task="b", message="the plan gives mode 2")
def _(small: Small) -> Built:
    good = [
        assign("p", "a", "2027-01-04", "2027-01-05"),
        _with_mode(assign("p", "b", "2027-01-06", "2027-01-08"), 0),
    ]
    bad = [
        assign("p", "a", "2027-01-04", "2027-01-05"),
        _with_mode(assign("p", "b", "2027-01-06", "2027-01-08"), 2),
    ]
    return _pool_portfolio(), good, bad


@case("WRONG_LENGTH-mode", WRONG_LENGTH, project="p", task="b", message="must last 1 working days, not 3")
def _(small: Small) -> Built:
    good = [
        assign("p", "a", "2027-01-04", "2027-01-05"),
        _with_mode(assign("p", "b", "2027-01-06", "2027-01-08"), 0),
    ]
    bad = [
        assign("p", "a", "2027-01-04", "2027-01-05"),
        _with_mode(assign("p", "b", "2027-01-06", "2027-01-08"), 1),
    ]
    return _pool_portfolio(), good, bad


# --------------------------------------------------------------------------- the test


@pytest.mark.parametrize(("build_case", "rule", "expect"), CASES)
def test_checker_reports_the_broken_rule(
    build_case: Builder, rule: str, expect: dict[str, Any], small: Small
) -> None:
    portfolio, good, bad = build_case(small)
    assert check_plan(portfolio, as_plan(good)) == [], "the unbroken plan must be valid"
    violations = check_plan(portfolio, as_plan(bad))
    hits = [v for v in violations if v.rule == rule]
    assert hits, f"{rule!r} not reported; got {[(v.rule, v.message) for v in violations]}"
    for key, value in expect.items():
        if key == "message":
            assert any(value in v.message for v in hits), [v.message for v in hits]
        else:
            assert any(getattr(v, key) == value for v in hits), [(v.rule, getattr(v, key)) for v in hits]


def test_every_rule_constant_has_a_case() -> None:
    constants = {
        value
        for name, value in vars(checker).items()
        if re.fullmatch(r"[A-Z][A-Z_]+", name) and isinstance(value, str)
    }
    covered = {p.values[1] for p in CASES}
    assert constants - covered == set()


def test_checker_does_not_modify_the_plan(small: Small) -> None:
    before = small.plan.model_dump()
    check_plan(small.portfolio, small.plan)
    assert small.plan.model_dump() == before


def test_proposed_project_scheduled_without_its_left_out_predecessor() -> None:
    portfolio = build(
        portfolio_dict(
            [
                project("a", [task("t", 2)], status="proposed"),
                project("b", [task("u", 2, dependencies=[{"task": "a/t"}])], status="proposed"),
            ]
        )
    )
    only_b = [assign("b", "u", "2027-01-04", "2027-01-05", "ann")]
    assert DEPENDENCY_BROKEN in {v.rule for v in check_assignments(portfolio, only_b)}


# --------------------------------------------------------------------------- assemble


def _broken(small: Small) -> list[Assignment]:
    bad = small.copy()
    find(bad, "crm", "design").people = [PersonAllocation(id="zoe", allocation=100)]
    return bad


@pytest.mark.parametrize("status", [PlanStatus.feasible, PlanStatus.optimal])
def test_assemble_downgrades_a_broken_plan_claimed_valid(small: Small, status: PlanStatus) -> None:
    plan = assemble_plan(small.portfolio, _broken(small), status)
    assert plan.status == PlanStatus.no_solution
    assert plan.violations
    assert UNKNOWN_PERSON in {v.rule for v in plan.violations}
    assert plan.stats["rejected_by_checker"] == len(plan.violations)


def test_assemble_keeps_a_valid_plan(small: Small) -> None:
    plan = assemble_plan(small.portfolio, small.copy(), PlanStatus.feasible, stats={"method": "test"})
    assert plan.status == PlanStatus.feasible
    assert plan.violations == []
    assert "rejected_by_checker" not in plan.stats
    assert [(a.start, a.project, a.task) for a in plan.assignments] == sorted(
        (a.start, a.project, a.task) for a in plan.assignments
    )


# --------------------------------------------------------------------------- no solver in model


# --------------------------------------------------------------------------- one identity per rule


def test_every_hard_rule_has_one_check_of_its_name() -> None:
    assert list(checker.CHECKS) == list(HardRule)
    assert all(check.__name__ == rule.value for rule, check in checker.CHECKS.items())
    assert all(rule.label and rule.description for rule in HardRule)


def test_every_hard_rule_has_a_valid_and_a_broken_plan(small: Small) -> None:
    broken: dict[HardRule, set[str]] = {rule: set() for rule in HardRule}
    kinds: dict[str, set[HardRule]] = {}
    for param in CASES:
        build_case, rule, _ = param.values
        portfolio, good, bad = build_case(small)
        assert check_plan(portfolio, as_plan(good)) == []
        for v in check_plan(portfolio, as_plan(bad)):
            assert v.hard_rule is not None, v
            kinds.setdefault(v.rule, set()).add(v.hard_rule)
            if v.rule == rule:
                broken[v.hard_rule].add(rule)
    assert [rule for rule, cases in broken.items() if not cases] == []
    assert {kind: rules for kind, rules in kinds.items() if len(rules) > 1} == {}, "a kind under two rules"
