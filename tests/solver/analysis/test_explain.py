"""Explanations of feasible plans (:func:`solver.analysis.explain.explain_plan`) on tiny hand-made cases.

Every portfolio starts on Monday 2027-01-04 (Mon–Fri, no holidays), so the working-day
indices are

    Jan  4  5  6  7  8 | 11 12 13 14 15 | 18 19 20 21 22
    idx  0  1  2  3  4 |  5  6  7  8  9 | 10 11 12 13 14
    week 2027-W01      | 2027-W02       | 2027-W03
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from model.assemble import assemble_plan
from model.explanation import Explanation, LinkKind, WaitCause
from model.plan import Assignment, Plan, PlanStatus
from model.portfolio import Portfolio
from solver.analysis.explain import explain_plan
from solver.settings import SolverSettings
from solver.solve import solve
from tests.conftest import D, assign, build, person, portfolio_dict, project, task, valid_portfolios

FAST = SolverSettings(time_limit=3, workers=1, deterministic=True)


def planned(portfolio: Portfolio, assignments: list[Assignment]) -> Plan:
    """A hand-written plan, verified by the checker."""
    plan = assemble_plan(portfolio, assignments, PlanStatus.feasible)
    assert plan.violations == [], plan.violations
    return plan


def solved(data: dict[str, Any]) -> tuple[Portfolio, Plan]:
    portfolio = build(data)
    plan = solve(portfolio, FAST)
    assert plan.status.has_plan, plan.explanation
    return portfolio, plan


# --------------------------------------------------------------------------- bottlenecks


def bottleneck_case() -> tuple[Portfolio, Plan]:
    """dana is the only one with data ≥ 3; two projects need her in week 1 (one waits to week 2).

    carl has data 2, so data ≥ 2 is at 50 % while data ≥ 3 is at 100 %; the pool `rig`
    (1 unit) is used by both tasks, so it is full in both weeks too. ann's dev task is at 60 %.
    """
    rig = [{"pool": "rig", "units": 1}]
    data = portfolio_dict(
        [
            project(
                "a",
                [
                    {"id": "model", "duration": 5, "requirements": [{"skill": "data", "level": 3}, *rig]},
                    task("ui", 3, skill="dev"),
                ],
                priority=8,
                due="2027-01-08",
            ),
            project(
                "b",
                [{"id": "model", "duration": 5, "requirements": [{"skill": "data", "level": 3}, *rig]}],
                priority=2,
                due="2027-01-08",
            ),
        ],
        [person("dana", {"data": 3}), person("carl", {"data": 2}), person("ann", {"dev": 3})],
        end="2027-01-22",
        skills=("data", "dev"),
    )
    data["pools"] = [{"id": "rig", "capacity": 1}]
    return solved(data)


def test_bottleneck_names_the_skill_level_and_the_weeks() -> None:
    portfolio, plan = bottleneck_case()
    explanation = explain_plan(portfolio, plan)
    skills = [b for b in explanation.bottlenecks if b.skill is not None]
    assert {(b.skill, b.level, b.week) for b in skills} == {("data", 3, "2027-W01"), ("data", 3, "2027-W02")}
    first = skills[0]
    assert first.utilisation == pytest.approx(1.0)
    assert first.demand == pytest.approx(5.0)
    assert first.capacity == pytest.approx(5.0)
    assert first.holders == 1
    assert first.message.startswith("data ≥ 3: 100 % of capacity in 2027-W0")
    assert "(demand 5 person-days, capacity 5)" in first.message
    pools = [b for b in explanation.bottlenecks if b.pool is not None]
    assert {(b.pool, b.week) for b in pools} == {("rig", "2027-W01"), ("rig", "2027-W02")}
    # a lower threshold shows the dev task (3 of 5 days) and data ≥ 2 (5 of 10) is never the worst level
    low = explain_plan(portfolio, plan, threshold=0.5, max_bottlenecks=100)
    assert ("dev", 1, "2027-W01", 0.6) in {(b.skill, b.level, b.week, b.utilisation) for b in low.bottlenecks}
    assert all(b.level != 2 for b in low.bottlenecks)


# --------------------------------------------------------------------------- late projects


def late_case() -> dict[str, Any]:
    """portal/api (backend ≥ 3) waits for bruno, busy on crm/backend; chloe is absent.

    crm (priority 10, due Fri 15): backend, 10 days, only bruno can do it → days 0…9.
    portal (priority 1, due Fri 8 = index 4): design (ann, 2 days, 0…1) → api (backend ≥ 3,
    3 days). chloe is absent until Fri 15, so api runs 10…12 (Mon 18 … Wed 20): it
    waited 8 working days after design and portal is 12 − 4 = 8 working days late.
    """
    return portfolio_dict(
        [
            project("crm", [task("backend", 10, skill="backend", level=3)], priority=10, due="2027-01-15"),
            project(
                "portal",
                [
                    task("design", 2, skill="design"),
                    task("api", 3, skill="backend", level=3, dependencies=[{"task": "design"}]),
                ],
                priority=1,
                due="2027-01-08",
            ),
        ],
        [
            person("bruno", {"backend": 4}),
            person("chloe", {"backend": 3}, absences=[{"start": "2027-01-04", "end": "2027-01-15"}]),
            person("ann", {"design": 2, "backend": 2}),
        ],
        end="2027-01-29",
        skills=("backend", "design"),
    )


def late_plan() -> tuple[Portfolio, Plan]:
    """The plan of :func:`late_case` an optimiser finds, written by hand (exact dates)."""
    portfolio = build(late_case())
    plan = planned(
        portfolio,
        [
            assign("crm", "backend", "2027-01-04", "2027-01-15", "bruno"),
            assign("portal", "design", "2027-01-04", "2027-01-05", "ann"),
            assign("portal", "api", "2027-01-18", "2027-01-20", "chloe"),
        ],
    )
    return portfolio, plan


def test_late_project_names_the_wait_the_skill_and_who_was_busy() -> None:
    portfolio, plan = late_plan()
    explanation = explain_plan(portfolio, plan)
    assert [lp.project for lp in explanation.late_projects] == ["portal"]
    late = explanation.late_projects[0]
    assert (late.late_days, late.priority, late.due, late.finish) == (8, 1, D("2027-01-08"), D("2027-01-20"))
    api, design = late.chain
    assert (api.project, api.task, api.kind, api.wait_days) == ("portal", "api", LinkKind.wait, 8)
    assert api.predecessor == "portal/design"
    assert (design.task, design.kind) == ("design", LinkKind.horizon)
    [shortage] = api.waited_for
    assert (shortage.skill, shortage.level, shortage.needed, shortage.eligible) == ("backend", 3, 1, 2)
    assert shortage.blocked_starts == 8
    bruno, chloe = shortage.busy
    assert (bruno.person, bruno.cause, bruno.tasks, bruno.until) == (
        "bruno",
        WaitCause.busy,
        ["crm/backend"],
        D("2027-01-15"),
    )
    assert (chloe.person, chloe.cause, chloe.until) == ("chloe", WaitCause.absent, D("2027-01-15"))
    assert late.wait_days == 8
    assert late.message == (
        "portal is 8 working days late: portal/api waited 8 working days for backend ≥ 3 "
        "(bruno on crm/backend until 2027-01-15, chloe absent until 2027-01-15) after portal/design"
    )
    assert any("backend ≥ 3" in line for line in explanation.summary)


def test_late_project_of_a_solved_plan() -> None:
    """Whatever optimal plan the solver picks, portal/api waits for bruno (busy) and chloe (absent)."""
    portfolio, plan = solved(late_case())
    [late] = explain_plan(portfolio, plan).late_projects
    assert late.project == "portal" and late.late_days == 8
    api = late.chain[0]
    assert (api.task, api.kind) == ("api", LinkKind.wait) and api.wait_days > 0
    assert api.waited_for[0].skill == "backend"
    assert {b.person: b.cause for b in api.waited_for[0].busy} == {
        "bruno": WaitCause.busy,
        "chloe": WaitCause.absent,
    }
    assert "bruno on crm/backend until 2027-01-15" in late.message


def test_late_project_without_waits_blames_its_chain() -> None:
    """A 6-day chain due after 4 days is late without waiting for anyone."""
    portfolio = build(
        portfolio_dict(
            [
                project(
                    "p",
                    [task("a", 3), task("b", 3, dependencies=[{"task": "a"}])],
                    due="2027-01-07",
                )
            ],
            [person("ann")],
        )
    )
    plan = planned(
        portfolio,
        [
            assign("p", "a", "2027-01-04", "2027-01-06", "ann"),
            assign("p", "b", "2027-01-07", "2027-01-11", "ann"),
        ],
    )
    [late] = explain_plan(portfolio, plan).late_projects
    assert late.late_days == 2
    assert [(link.task, link.kind) for link in late.chain] == [
        ("b", LinkKind.dependency),
        ("a", LinkKind.horizon),
    ]
    assert late.wait_days == 0
    assert "no task of its critical chain waited for people" in late.message
    assert "needs 6 working days where the due date leaves 4" in late.message


# --------------------------------------------------------------------------- slack


def test_schedule_slack_exact_values() -> None:
    """One project, five people, no resource conflict (day indices in brackets).

    a [0…2] → c [3…4] ← b [0]: the chain a → c is critical, b may slip 2 days.
    d [0] has no successor: slack up to the project finish (4) = 4.
    e [0] → f [1]: f may slip 3 days; e totally 3 (f slipping with it) but freely 0.
    """
    people = [person(x) for x in ("ann", "bob", "cid", "dan", "eve")]
    tasks = [
        task("a", 3),
        task("b", 1),
        task("c", 2, dependencies=[{"task": "a"}, {"task": "b"}]),
        task("d", 1),
        task("e", 1),
        task("f", 1, dependencies=[{"task": "e"}]),
    ]
    portfolio = build(portfolio_dict([project("p", tasks)], people))
    plan = planned(
        portfolio,
        [
            assign("p", "a", "2027-01-04", "2027-01-06", "ann"),
            assign("p", "b", "2027-01-04", "2027-01-04", "bob"),
            assign("p", "c", "2027-01-07", "2027-01-08", "ann"),
            assign("p", "d", "2027-01-04", "2027-01-04", "cid"),
            assign("p", "e", "2027-01-04", "2027-01-04", "dan"),
            assign("p", "f", "2027-01-05", "2027-01-05", "eve"),
        ],
    )
    slack = {s.task: (s.slack, s.free_slack, s.critical) for s in explain_plan(portfolio, plan).slack}
    assert slack == {
        "a": (0, 0, True),
        "b": (2, 2, False),
        "c": (0, 0, True),
        "d": (4, 4, False),
        "e": (3, 0, False),
        "f": (3, 3, False),
    }


def test_slack_is_zero_on_a_solved_late_chain() -> None:
    portfolio, plan = solved(late_case())
    slack = {(s.project, s.task): s for s in explain_plan(portfolio, plan).slack}
    assert slack[("crm", "backend")].slack == 0
    assert slack[("portal", "api")].slack == 0
    design = slack[("portal", "design")]
    cal = portfolio.work_calendar
    # it may slip until just before api starts (people ignored)
    expected = cal.index(slack[("portal", "api")].start) - 1 - cal.index(design.finish)
    assert design.slack == design.free_slack == expected > 0


# --------------------------------------------------------------------------- proposed projects


def test_left_out_proposed_project_gets_its_earliest_dates() -> None:
    """bruno is the only backend person and busy on crm until Fri 15 (index 9).

    x (proposed, deadline Fri 15) cannot fit and is left out; inserted into what the plan
    leaves free it could run Mon 18 … Fri 22 at the earliest (after its deadline).
    y (proposed, design) fits and is in the plan.
    """
    data = portfolio_dict(
        [
            project("crm", [task("backend", 10, skill="backend")], priority=10, due="2027-01-15"),
            project(
                "x",
                [task("api", 5, skill="backend")],
                priority=1,
                status="proposed",
                deadline="2027-01-15",
                due="2027-01-08",
            ),
            project("y", [task("mock", 2, skill="design")], priority=3, status="proposed"),
        ],
        [person("bruno", {"backend": 3}), person("ann", {"design": 2})],
        end="2027-01-22",
        skills=("backend", "design"),
    )
    portfolio, plan = solved(data)
    assert plan.unscheduled_projects == ["x"]
    explanation = explain_plan(portfolio, plan)
    outcome = {o.project: o for o in explanation.proposed}
    assert outcome["y"].included and outcome["y"].earliest_start is None
    x = outcome["x"]
    assert not x.included
    assert (x.earliest_start, x.earliest_finish) == (D("2027-01-18"), D("2027-01-22"))
    assert x.fits is False
    assert x.late_days == 10
    assert "could run 2027-01-18 … 2027-01-22" in x.message
    assert any("x could start 2027-01-18" in line for line in explanation.summary)

    # without the deadline the same insertion fits: the plan just chose to leave it out
    del data["projects"][1]["deadline"]
    free = build(data)
    again = {o.project: o for o in explain_plan(free, planned(free, plan.assignments)).proposed}["x"]
    assert (again.earliest_start, again.fits, again.late_days) == (dt.date(2027, 1, 18), True, 10)
    assert again.message.endswith("without moving any other project")


# --------------------------------------------------------------------------- contract


@pytest.mark.parametrize("case", [late_plan, bottleneck_case])
def test_explanation_round_trips_through_json(case: Callable[[], tuple[Portfolio, Plan]]) -> None:
    portfolio, plan = case()
    explanation = explain_plan(portfolio, plan)
    assert 3 <= len(explanation.summary) <= 6
    again = Explanation.model_validate_json(explanation.model_dump_json())
    assert again == explanation
    assert explanation.late_projects and explanation.slack and explanation.bottlenecks


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(valid_portfolios())
def test_levelling_plans_are_explained_consistently(data: dict[str, Any]) -> None:
    """Any valid plan: slack ≥ free slack ≥ 0, utilisation ≤ 100 %, the late projects of the plan."""
    portfolio = build(data)
    plan = solve(portfolio, SolverSettings(optimise=False))
    explanation = explain_plan(portfolio, plan)
    assert Explanation.model_validate_json(explanation.model_dump_json()) == explanation
    if not plan.status.has_plan:
        return
    assert all(0 <= s.free_slack <= s.slack for s in explanation.slack)
    assert all(b.utilisation <= 1 + 1e-9 for b in explanation.bottlenecks)
    late = {r.id: r.late_days for r in plan.projects if r.late_days > 0}
    assert {lp.project: lp.late_days for lp in explanation.late_projects} == late
    assert all(
        link.wait_days > 0 for lp in explanation.late_projects for link in lp.chain if link.kind == "wait"
    )


def test_a_plan_without_assignments_is_explained_in_one_line() -> None:
    portfolio = build(portfolio_dict([project("p", [task("a", 1)])]))
    explanation = explain_plan(portfolio, Plan(status=PlanStatus.infeasible))
    assert explanation.summary == ["no plan to explain (status infeasible)"]
    assert not explanation.bottlenecks and not explanation.slack
