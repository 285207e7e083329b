"""Replanning (frozen work, disruption budget) and infeasibility diagnosis."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.checker import check_plan
from model.hard_rules import HardRule
from model.load import parse_portfolio
from model.plan import PlanStatus
from solver.analysis.diagnose import diagnose
from solver.analysis.feasibility import infeasibility_reasons
from solver.planning.replan import ReplanRequest, replan
from solver.problem import compile_problem
from solver.settings import SolverSettings
from solver.solve import solve
from tests.conftest import one_developer_for_two_deadlines, person, portfolio, project, small_dict
from tests.conftest import task_with as task

FAST = SolverSettings(time_limit=5, workers=1, deterministic=True)


@pytest.fixture(scope="module")
def baseline():
    pf = parse_portfolio(small_dict())
    plan = solve(pf, FAST)
    assert plan.status.has_plan
    return plan


def _changed_priority() -> dict:
    data = small_dict()
    data["projects"][1]["priority"] = 10  # dwh becomes the most important project
    return data


@pytest.mark.parametrize("as_of", ["2027-02-15", "2027-03-15", "2027-04-12"])
def test_replan_keeps_done_and_in_progress_work(baseline, as_of: str) -> None:
    pf = parse_portfolio(_changed_priority())
    day = dt.date.fromisoformat(as_of)
    plan = replan(pf, baseline, ReplanRequest(as_of=day), FAST)
    assert plan.status.has_plan and check_plan(pf, plan) == []
    new = {(a.project, a.task): a for a in plan.assignments}
    for a in baseline.assignments:
        if a.start < day:  # done or in progress: untouched
            b = new[(a.project, a.task)]
            assert (b.start, b.finish, {p.id for p in b.people}) == (
                a.start,
                a.finish,
                {p.id for p in a.people},
            )
    for key, b in new.items():
        old = next((a for a in baseline.assignments if (a.project, a.task) == key), None)
        if old is None or old.start >= day:
            assert b.start >= day  # nothing new starts in the past


def test_change_list_matches_the_plans(baseline) -> None:
    pf = parse_portfolio(_changed_priority())
    plan = replan(pf, baseline, ReplanRequest(as_of=dt.date(2027, 2, 15)), FAST)
    old = {(a.project, a.task): a for a in baseline.assignments}
    for change in plan.changes:
        a = old[(change.project, change.task)]
        assert change.old_start == a.start
        assert "moved" in change.change or "restaffed" in change.change
    unchanged = len(old) - len(plan.changes)
    assert unchanged >= 0


@settings(deadline=None, max_examples=6, derandomize=True)
@given(budget=st.integers(0, 4), week=st.integers(3, 10))
def test_disruption_budget_is_hard(baseline, budget: int, week: int) -> None:
    pf = parse_portfolio(_changed_priority())
    as_of = pf.work_calendar.date(5 * week)
    plan = replan(pf, baseline, ReplanRequest(as_of=as_of, max_changes=budget), FAST)
    assert plan.status.has_plan and check_plan(pf, plan) == []
    assert plan.stats["changed_tasks"] <= budget
    assert sum(1 for c in plan.changes if c.change not in ("added", "removed")) <= budget


def test_freeze_date_holds(baseline) -> None:
    pf = parse_portfolio(_changed_priority())
    freeze = dt.date(2027, 3, 31)
    plan = replan(pf, baseline, ReplanRequest(as_of=dt.date(2027, 2, 1), freeze_until=freeze), FAST)
    assert check_plan(pf, plan) == []
    for change in plan.changes:
        assert change.old_start is None or change.old_start > freeze
        assert change.new_start is None or change.new_start > freeze


def test_replan_repairs_a_baseline_that_no_longer_fits(baseline) -> None:
    data = _changed_priority()
    chloe = next(p for p in data["people"] if p["id"] == "chloe")
    chloe["absences"] = [{"start": "2027-02-15", "end": "2027-03-12"}]  # leave decided after the plan
    pf = parse_portfolio(data)
    assert check_plan(pf, baseline), "the baseline must break the new rules for this test"
    plan = replan(pf, baseline, ReplanRequest(as_of=dt.date(2027, 1, 4)), FAST)
    assert plan.status.has_plan and check_plan(pf, plan) == []
    assert plan.stats["start"].startswith("levelling around frozen work (baseline not usable: ")
    assert "chloe" in plan.stats["start"]  # the absence that broke the baseline is named


def test_diagnosis_names_the_injected_deadline() -> None:
    """Capacity, not the critical path, makes the deadlines impossible: only CP-SAT sees it."""
    pf = portfolio(
        [person("a", {"dev": 1})],
        [
            project("x", [task("u", 5)], deadline="2027-01-12"),
            project("y", [task("v", 3)], deadline="2027-01-08"),
        ],
    )
    plan = solve(pf, FAST)
    assert plan.status == PlanStatus.infeasible
    text = " ".join(plan.explanation)
    assert "deadline of x" in text and "slip it to 2027-01-13" in text
    assert "deadline of y" in text


def test_diagnosis_of_a_pinned_start() -> None:
    pf = portfolio(
        [person("a", {"dev": 1})],
        [project("x", [task("u", 4, fixed_start="2027-01-05"), task("w", 4, fixed_start="2027-01-06")])],
    )
    plan = solve(pf, FAST)
    assert plan.status == PlanStatus.infeasible
    assert any("fixed start of x/" in line for line in plan.explanation)


def test_diagnosis_offers_the_shortest_hire_that_fixes_a_capacity_conflict() -> None:
    # ann can do a's 10-day build or b's 6-day build before the deadlines, not both; b's
    # test (bob) needs its build done by 2027-01-18. The cheapest hire covers b's build:
    # six working days that end in time for the test.
    pf = one_developer_for_two_deadlines()
    plan = solve(pf, FAST)
    assert plan.status == PlanStatus.infeasible
    hire = [line for line in plan.explanation if "hire one more person" in line]
    assert hire == [
        "Conflict: capacity: hire one more person with dev ≥ 3 from 2027-01-11 to 2027-01-18 "
        "(ISO weeks 2–3): with them every rule above holds as it is"
    ]
    # the suggestion is a real fix: with that person the portfolio has a plan
    fixed = pf.model_dump(mode="json")
    fixed["people"].append(
        {"id": "new", "skills": {"dev": 3}, "available_from": "2027-01-11", "available_until": "2027-01-18"}
    )
    assert solve(parse_portfolio(fixed), FAST).status.has_plan


def test_every_reason_names_the_hard_rule_it_is_about() -> None:
    pinned = portfolio(
        [person("a", {"dev": 1})],
        [project("x", [task("u", 4, fixed_start="2027-01-05"), task("w", 4, fixed_start="2027-01-06")])],
    )
    reasons = diagnose(compile_problem(pinned), seconds=5)
    assert reasons and all(r.hard_rule is not None for r in reasons)
    assert reasons[0].hard_rule == HardRule.TASK_WINDOWS  # a fixed start is part of the task window
    too_early = portfolio([person("a", {"dev": 1})], [project("x", [task("u", 10)], deadline="2027-01-08")])
    reasons = infeasibility_reasons(compile_problem(too_early))
    assert [r.hard_rule for r in reasons] == [HardRule.TASK_WINDOWS]
