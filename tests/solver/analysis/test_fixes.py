"""Every infeasible portfolio gets its smallest fixes, each proven by a checked plan."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings

from model.checker import check_assignments, check_plan
from model.hard_rules import HardRule
from model.load import parse_portfolio
from model.plan import Plan, PlanStatus
from model.portfolio import Portfolio
from solver.analysis.feasibility import infeasibility_reasons, pinned_demand
from solver.analysis.fixes import smallest_fixes
from solver.construct.levelling import level
from solver.convert import to_assignments
from solver.problem import compile_problem
from solver.settings import SolverSettings
from solver.solve import solve
from solver.stop import StopRequest
from solver.windows import time_windows
from tests.conftest import one_developer_for_two_deadlines, person, portfolio, project, valid_portfolios
from tests.conftest import task_with as task

FAST = SolverSettings(time_limit=2, workers=1)


def _applied(pf: Portfolio, fix: dict[str, Any]) -> Portfolio:
    """``pf`` with a fix applied from its ``change`` data (as a PMO would edit the file)."""
    data = pf.model_dump(mode="json", exclude_none=True)
    change, kind = fix["change"], fix["kind"]
    if kind == "horizon":
        data["calendar"]["end"] = change["calendar.end"]
        for p in data["projects"]:  # limits on the old end move with it
            if p.get("deadline") == pf.calendar.end.isoformat():
                p["deadline"] = change["calendar.end"]
    elif kind == "date":
        for move in change["moves"]:
            target = next(p for p in data["projects"] if p["id"] == move["project"])
            if move["task"] is not None:
                target = next(t for t in target["tasks"] if t["id"] == move["task"])
            target[move["field"]] = move["to"]
    elif kind == "capacity":
        for k in range(change["people"]):
            data["people"].append(
                {
                    "id": f"new-{k}",
                    "skills": {change["skill"]: change["level"]},
                    "available_from": change["from"],
                    "available_until": change["to"],
                }
            )
    elif kind == "allocation":
        for more in change["people"]:
            who = next(p for p in data["people"] if p["id"] == more["person"])
            who.update({key: value for key, value in more.items() if key != "person"})
    else:
        data["projects"] = [p for p in data["projects"] if p["id"] not in change["projects"]]
    return parse_portfolio(copy.deepcopy(data))


def _solved(pf: Portfolio) -> Plan:
    plan = solve(pf, FAST)
    assert plan.status == PlanStatus.infeasible
    assert plan.solve_seconds <= FAST.time_limit + 0.5  # the fixes fit in the time limit
    return plan


def _fixes(plan: Plan) -> dict[str, dict[str, Any]]:
    return {f["kind"]: f for f in plan.stats["fixes"]}


def _assert_proven(pf: Portfolio, fix: dict[str, Any]) -> None:
    fixed = _applied(pf, fix)
    plan = solve(fixed, FAST)
    assert plan.status.has_plan, fix["message"]
    assert check_plan(fixed, plan) == []


def test_a_horizon_too_short_gets_the_fewest_extra_working_days() -> None:
    pf = portfolio([person("ann")], [project("x", [task("build", 12)])])  # 10 working days in the horizon
    plan = _solved(pf)
    fixes = _fixes(plan)
    assert fixes["horizon"]["change"] == {"calendar.end": "2027-01-19", "working_days": 2}
    assert "extend the horizon to 2027-01-19 (+2 working days)" in fixes["horizon"]["message"]
    assert any(line.startswith("Fix (horizon): extend the horizon") for line in plan.explanation)
    for fix in fixes.values():
        _assert_proven(pf, fix)


def test_a_deadline_too_tight_gets_the_smallest_slip_and_the_project_left_out() -> None:
    pf = portfolio(
        [person("ann")],
        [project("x", [task("build", 8)], deadline="2027-01-08"), project("y", [task("run", 2)])],
    )
    fixes = _fixes(_solved(pf))
    assert "horizon" not in fixes  # the deadline does not sit on the horizon end
    (move,) = fixes["date"]["change"]["moves"]
    assert move == {
        "project": "x",
        "task": None,
        "field": "deadline",
        "from": "2027-01-08",
        "to": "2027-01-13",
    }
    assert fixes["leave_out"]["change"] == {"projects": ["x"]}
    for fix in fixes.values():
        _assert_proven(pf, fix)


def test_a_level_nobody_has_gets_a_short_hire() -> None:
    pf = portfolio(
        [person("ann", {"dev": 3})],
        [project("x", [task("design", 3, [{"skill": "dev", "level": 4}]), task("build", 5)])],
    )
    fixes = _fixes(_solved(pf))
    hire = fixes["capacity"]
    assert hire["change"]["skill"] == "dev" and hire["change"]["level"] == 4 and hire["change"]["people"] == 1
    assert "one more person with dev ≥ 4 from" in hire["message"]
    first, last = hire["change"]["from"], hire["change"]["to"]
    assert _working_days(pf, first, last) == 3  # just the design's three working days
    for fix in fixes.values():
        _assert_proven(pf, fix)


def _working_days(pf: Portfolio, first: str, last: str) -> int:
    """Working days from ``first`` to ``last`` (inclusive) in ``pf``'s calendar."""
    cal = pf.work_calendar
    return cal.index(dt.date.fromisoformat(last)) - cal.index(dt.date.fromisoformat(first)) + 1


def test_over_pinned_tasks_are_a_cheap_proof_and_get_a_pin_moved_or_a_hire() -> None:
    pf = portfolio(
        [person("ann")],
        [
            project("x", [task("a", 3, fixed_start="2027-01-05")], priority=8),
            project("y", [task("b", 3, fixed_start="2027-01-06")], priority=2),
        ],
    )
    problem = compile_problem(pf)
    (reason,) = pinned_demand(problem, time_windows(problem))
    assert reason.hard_rule == HardRule.PERSON_CAPACITY and set(reason.projects) == {"x", "y"}
    assert "2027-01-06" in reason.message
    fixes = _fixes(_solved(pf))
    assert fixes["leave_out"]["change"] == {"projects": ["y"]}  # the lower priority goes
    assert fixes["capacity"]["change"]["people"] == 1
    assert fixes["date"]["change"]["working_days"] == 2  # one pin two working days later
    for fix in fixes.values():
        _assert_proven(pf, fix)


def test_a_person_who_leaves_too_early_gets_more_allocation() -> None:
    pf = portfolio(
        [person("ann", available_until="2027-01-06"), person("bob", {"qa": 2})],
        [project("x", [task("build", 5)])],
    )
    fixes = _fixes(_solved(pf))
    assert [more["person"] for more in fixes["allocation"]["change"]["people"]] == ["ann"]
    assert "keep ann until 2027-01-15" in fixes["allocation"]["message"]
    for fix in fixes.values():
        _assert_proven(pf, fix)


def test_without_time_or_after_a_stop_request_no_fix_is_claimed() -> None:
    pf = portfolio([person("ann")], [project("x", [task("build", 12)])])
    reasons = infeasibility_reasons(compile_problem(pf))
    assert smallest_fixes(pf, reasons, seconds=0.0) == []
    stop = StopRequest()
    stop.request("SIGINT")
    assert smallest_fixes(pf, reasons, seconds=5.0, stop=stop) == []
    assert smallest_fixes(pf, reasons, seconds=5.0) != []  # the same search, not stopped, finds one


@pytest.mark.parametrize("kind", ["horizon", "date", "leave_out", "capacity", "allocation"])
def test_each_kind_alone_returns_only_its_kind(kind: str) -> None:
    pf = portfolio([person("ann", capacity=50)], [project("x", [task("build", 12)], deadline="2027-01-15")])
    fixes = smallest_fixes(pf, infeasibility_reasons(compile_problem(pf)), seconds=2.0, kinds=[kind])
    assert all(f.kind == kind for f in fixes)


def test_a_conflict_only_cp_sat_proves_gets_fixes_beside_its_core() -> None:
    # the cheap checks pass: ann can do a's build or b's build before the deadlines, not both
    pf = one_developer_for_two_deadlines()
    assert infeasibility_reasons(compile_problem(pf)) == []
    plan = _solved(pf)
    assert plan.stats["method"] == "cp-sat full model"
    fixes = _fixes(plan)
    assert fixes["date"]["change"]["moves"][0]["to"] == "2027-01-25"  # a's deadline, one working day
    assert fixes["capacity"]["change"] == {
        "skill": "dev",
        "level": 3,
        "people": 1,
        "from": "2027-01-11",
        "to": "2027-01-18",
    }  # the shortest hire: b's build, not a's longer one
    for fix in fixes.values():
        _assert_proven(pf, fix)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(valid_portfolios())
def test_pins_at_a_plan_s_own_starts_are_never_called_overbooked(data: dict[str, Any]) -> None:
    # the pinned-demand check is a relaxation: a portfolio that has a plan never fails it
    pf = parse_portfolio(copy.deepcopy(data))
    problem = compile_problem(pf)
    result = level(problem)
    assignments = to_assignments(problem, result.placements.values())
    if not result.complete or check_assignments(pf, assignments):
        return
    starts = {(a.project, a.task): a.start.isoformat() for a in assignments}
    for p in data["projects"]:
        for t in p["tasks"]:
            if (p["id"], t["id"]) in starts:
                t["fixed_start"] = starts[(p["id"], t["id"])]
    pinned = compile_problem(parse_portfolio(copy.deepcopy(data)))
    assert pinned_demand(pinned, time_windows(pinned)) == []
