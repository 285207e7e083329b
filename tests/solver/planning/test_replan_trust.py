"""Replans that act and explain: what changed since the baseline, moving when it pays, saying
why when it does not, before/after per project; bad requests; frozen work never changes."""

from __future__ import annotations

import datetime as dt
import random
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from model.assemble import assemble_plan
from model.checker import check_assignments, check_plan
from model.plan import Plan, PlanStatus
from model.portfolio import Portfolio
from solver.construct.levelling import Placement
from solver.convert import from_assignments, to_assignments
from solver.planning.disruption import Disruption, DisruptionWeights
from solver.planning.replan import ReplanRequest, changed_projects, replan, request_issues
from solver.planning.replan_probes import Probes, blend
from solver.problem import Problem, compile_problem
from solver.search.neighbourhoods import changed_work
from solver.settings import SolverSettings
from solver.solve import solve
from tests.conftest import assign, build, person, portfolio_dict, project
from tests.conftest import task_with as task

FAST = SolverSettings(time_limit=2, workers=1, deterministic=True)


def _two_projects(high_priority: int, **high: object) -> dict:
    """One developer; ``high`` (due 2027-01-08) and ``low`` (due at the horizon end) each need
    her for five days: whichever goes second, waits."""
    return portfolio_dict(
        [
            project("low", [task("l", 5)], priority=1, due="2027-02-26"),
            project("high", [task("h", 5)], priority=high_priority, due="2027-01-08", **high),
        ],
        [person("ann", {"dev": 3})],
    )


def _baseline(pf: Portfolio) -> Plan:
    """low first, then high (a week late): the plan being executed."""
    plan = assemble_plan(
        pf,
        [
            assign("low", "l", "2027-01-04", "2027-01-08", "ann"),
            assign("high", "h", "2027-01-11", "2027-01-15", "ann"),
        ],
        PlanStatus.feasible,
    )
    assert check_plan(pf, plan) == []
    return plan


def test_a_replan_moves_when_moving_pays() -> None:
    before, after = build(_two_projects(2)), build(_two_projects(10))
    plan = replan(after, _baseline(before), ReplanRequest(as_of=dt.date(2027, 1, 4), previous=before), FAST)
    assert plan.status.has_plan and check_plan(after, plan) == []
    info = plan.stats["replan"]
    assert info["changed_projects"] == [{"project": "high", "change": "priority 2 → 10"}]
    high = next(r for r in info["projects"] if r["project"] == "high")
    assert (high["finish_before"], high["finish_after"]) == ("2027-01-15", "2027-01-08")
    assert (high["late_days_before"], high["late_days_after"]) == (5, 0)
    assert {(c.project, c.change) for c in plan.changes} == {("high", "moved"), ("low", "moved")}
    assert any(
        r.startswith("high moves earlier: finish 2027-01-08 instead of 2027-01-15") for r in info["reasons"]
    )


def test_a_replan_that_keeps_the_baseline_says_what_moving_would_cost() -> None:
    before, after = build(_two_projects(2)), build(_two_projects(10))
    dear = DisruptionWeights(moved_task=1e6, shifted_day=0, changed_person=0)
    request = ReplanRequest(as_of=dt.date(2027, 1, 4), previous=before, weights=dear)
    plan = replan(after, _baseline(before), request, FAST)
    assert plan.changes == [] and check_plan(after, plan) == []
    # swapping the two costs two moves (2,000,000) for 5 days × priority 10 × 1000 less lateness
    # (and the objective's completion term: high sooner, low later)
    [reason] = plan.stats["replan"]["reasons"]
    assert reason.startswith(
        "moving high earlier (finish 2027-01-08 instead of 2027-01-15) would cost 2,000,000 disruption "
        "(+2 changed tasks) for 50,000 less weighted lateness and "
    )
    assert reason.endswith(
        "in the rest of the objective: kept, as it does not pay at move/shift/people weights 1e+06/0/0"
    )


def test_changes_are_found_without_the_baselines_portfolio() -> None:
    """A moved due date shows in the baseline's own project results; a person's new absence
    breaks the baseline work it touches."""
    before = build(_two_projects(2))
    data = _two_projects(2)
    data["projects"][0]["due"] = "2027-01-06"
    data["people"][0]["absences"] = [{"start": "2027-01-12", "end": "2027-01-12"}]
    after = build(data)
    baseline = _baseline(before)
    violations = check_plan(after, baseline)
    changed = changed_projects(after, baseline, violations)
    assert changed == {
        "low": "due 2027-02-26 → 2027-01-06",
        "high": "its baseline work no longer fits the portfolio",
    }
    assert changed_projects(after, baseline, violations, previous=before)["high"] == "people changed: ann"


def test_bad_requests_name_the_first_offender() -> None:
    pf = build(_two_projects(2))
    baseline = _baseline(pf)
    outside = request_issues(pf, baseline, ReplanRequest(as_of=dt.date(2030, 1, 1)))
    assert [str(i) for i in outside] == [
        "--as-of: 2030-01-01 is outside the portfolio's horizon (2027-01-04 to 2027-02-26)"
    ]
    late_freeze = ReplanRequest(as_of=dt.date(2027, 1, 4), freeze_until=dt.date(2026, 12, 1))
    assert [i.path for i in request_issues(pf, baseline, late_freeze)] == ["--freeze-until"]
    foreign = baseline.model_copy(deep=True)
    foreign.assignments[0].task = "t1"
    foreign.assignments[1].project = "prj9"
    issues = request_issues(pf, foreign, ReplanRequest(as_of=dt.date(2027, 1, 4)))
    assert [str(i) for i in issues] == [
        "baseline: assignments[0].task: 'low/t1' is not a task of the portfolio "
        "(1 more name(s) the portfolio does not have)"
    ]
    assert request_issues(pf, baseline, ReplanRequest(as_of=dt.date(2027, 2, 26))) == []


def test_the_changed_work_neighbourhood_frees_a_changed_project_and_its_competitors() -> None:
    pf = build(_two_projects(10))
    problem = compile_problem(pf)
    placements = from_assignments(problem, _baseline(pf).assignments)  # low holds ann first
    high = problem.project_ids.index("high")
    free = changed_work([high])(problem, placements, 10, random.Random(0))
    assert {problem.task_ids[t] for t in free} == {("high", "h"), ("low", "l")}
    assert changed_work([high])(problem, placements, 1, random.Random(0)) == list(problem.project2tasks[high])


def _three_projects() -> Portfolio:
    """ann does low then high; bob does an unrelated task: the baseline of :func:`_baseline`
    plus bob's ``side``."""
    data = _two_projects(10)
    data["people"].append(person("bob", {"dev": 3}))
    data["projects"].append(project("side", [task("s", 3)], priority=1, due="2027-02-26"))
    return build(data)


def _plans(pf: Portfolio) -> tuple[Problem, dict[int, Placement], dict[int, Placement]]:
    """The baseline (low, high, side on bob) and the same with low and high swapped and side moved."""
    problem = compile_problem(pf)
    side = [assign("side", "s", "2027-01-04", "2027-01-06", "bob")]
    base = from_assignments(problem, [*_baseline(build(_two_projects(2))).assignments, *side])
    swapped = [
        assign("high", "h", "2027-01-04", "2027-01-08", "ann"),
        assign("low", "l", "2027-01-11", "2027-01-15", "ann"),
        assign("side", "s", "2027-01-11", "2027-01-13", "bob"),
    ]
    return problem, base, from_assignments(problem, swapped)


def test_a_blend_takes_what_clashes_and_nothing_else() -> None:
    problem, base, other = _plans(_three_projects())
    t = {problem.task_ids[k][0]: k for k in range(problem.num_tasks)}
    mixed = blend(problem, base, other, [t["high"]])
    # high takes ann's first week, so low must go to her second; side (bob) keeps its place
    assert mixed == {**base, t["high"]: other[t["high"]], t["low"]: other[t["low"]]}
    assert blend(problem, base, other, []) == base


def test_undo_puts_back_a_change_that_buys_nothing() -> None:
    pf = _three_projects()
    problem, base, other = _plans(pf)
    probes = Probes(
        problem, Disruption(base, DisruptionWeights(), focus=(problem.project_ids.index("high"),)), FAST
    )
    probes.valid = lambda plan: check_assignments(pf, to_assignments(problem, plan.values())) == []
    kept = probes.undo(other, deadline=time.perf_counter() + 5)
    side = next(k for k in range(problem.num_tasks) if problem.task_ids[k][0] == "side")
    assert kept == {**other, side: base[side]}  # the swap pays, moving side did not


@st.composite
def _tiny(draw: st.DrawFn) -> tuple[dict, list[int], int]:
    """2–3 projects of 1–3 chained tasks on two people, new priorities, an as-of day index."""
    projects = []
    for p in range(draw(st.integers(2, 3))):
        tasks = []
        for k in range(draw(st.integers(1, 3))):
            deps = [{"task": f"t{k - 1}"}] if k else []
            skill = draw(st.sampled_from(["dev", "qa"]))
            tasks.append(task(f"t{k}", draw(st.integers(1, 4)), [{"skill": skill}], dependencies=deps))
        projects.append(project(f"p{p}", tasks, priority=draw(st.integers(1, 5)), due="2027-01-15"))
    data = portfolio_dict(projects, [person("ann", {"dev": 2}), person("bob", {"dev": 1, "qa": 2})])
    priorities = [draw(st.integers(1, 10)) for _ in projects]
    return data, priorities, draw(st.integers(0, 20))


@settings(deadline=None, max_examples=6, derandomize=True)
@given(case=_tiny())
def test_replan_never_changes_frozen_work(case: tuple[dict, list[int], int]) -> None:
    data, priorities, day = case
    before = build(data)
    baseline = solve(before, FAST)
    assert baseline.status.has_plan
    for p, priority in zip(data["projects"], priorities, strict=True):
        p["priority"] = priority
    after = build(data)
    as_of = after.work_calendar.date(day)
    plan = replan(after, baseline, ReplanRequest(as_of=as_of, weights=DisruptionWeights(0, 0, 0)), FAST)
    assert plan.status.has_plan and check_plan(after, plan) == []
    new = {(a.project, a.task): a for a in plan.assignments}
    for a in baseline.assignments:
        b = new[(a.project, a.task)]
        if a.start < as_of:  # done or in progress: exactly as it was
            assert (b.start, b.finish, b.people) == (a.start, a.finish, a.people)
        else:  # the rest may move, never into the past
            assert b.start >= as_of
