"""KPIs and the objective on a tiny case computed by hand.

Calendar: Mon 2027-01-04 … Fri 2027-01-29, Monday 11 is a holiday, so the
working-day indices are

    Jan  4  5  6  7  8 | 12 13 14 15 | 18 19 20 21 22 | 25 26 27 28 29
    idx  0  1  2  3  4 |  5  6  7  8 |  9 10 11 12 13 | 14 15 16 17 18   (19 days)

* project p (priority 3, due Fri 8 = index 4): task t (3 days) by ann at 50 %
  on Fri 8, Tue 12, Wed 13 (indices 4…6) → 2 working days late (5 calendar days
  later, across the weekend and the holiday).
* project q (priority 2, due Sun 17 → last working day Fri 15 = index 8): task u
  (2 days) by bob at 100 % on Thu 14 … Fri 15 (indices 7…8) → on time.
* project r (priority 4, proposed) is left out.

ann: capacity 50, 400/day, absent the whole last week (5 days).
bob: capacity 100, 300/day.
"""

from __future__ import annotations

from typing import Any

import pytest

from model.assemble import assemble_plan
from model.kpis import compute_kpis, objective_breakdown, objective_value, project_results
from model.plan import Assignment, PlanStatus
from model.portfolio import Portfolio
from tests.conftest import assign, build, person, portfolio_dict, project, task

LAST_WEEK = {"start": "2027-01-25", "end": "2027-01-29"}
WEIGHTS = {"tardiness": 1000, "completion": 1, "cost": 2, "continuity": 10}


def tiny(**weights: float) -> Portfolio:
    return build(
        portfolio_dict(
            [
                project("p", [task("t", 3, allocation=50)], priority=3, due="2027-01-08"),
                project("q", [task("u", 2)], priority=2, due="2027-01-17"),
                project("r", [task("v", 4)], priority=4, status="proposed", due="2027-01-29"),
            ],
            [
                person("ann", capacity=50, cost_per_day=400, absences=[LAST_WEEK]),
                person("bob", cost_per_day=300),
            ],
            end="2027-01-29",
            holidays=["2027-01-11"],
            objective={**WEIGHTS, **weights},
        )
    )


PLAN = [
    assign("p", "t", "2027-01-08", "2027-01-13", ("ann", 50)),
    assign("q", "u", "2027-01-14", "2027-01-15", "bob"),
]


@pytest.fixture(scope="module")
def portfolio() -> Portfolio:
    return tiny()


def test_the_tiny_plan_is_valid(portfolio: Portfolio) -> None:
    assert portfolio.work_calendar.num_days == 19
    plan = assemble_plan(portfolio, PLAN, PlanStatus.feasible)
    assert plan.status == PlanStatus.feasible
    assert plan.violations == []


def test_late_days_are_working_days_across_weekend_and_holiday(portfolio: Portfolio) -> None:
    results = {r.id: r for r in project_results(portfolio, PLAN)}
    assert results["p"].late_days == 2
    assert results["p"].finish.isoformat() == "2027-01-13"  # type: ignore[union-attr]
    assert results["q"].late_days == 0  # due on a Sunday: Friday's finish is on time
    assert results["r"].scheduled is False


def test_late_by_one_when_finishing_the_monday_after_a_friday_due() -> None:
    portfolio = build(portfolio_dict([project("p", [task("t", 2)], due="2027-01-08")], end="2027-01-29"))
    on_time = [assign("p", "t", "2027-01-07", "2027-01-08", "ann")]
    monday = [assign("p", "t", "2027-01-08", "2027-01-11", "ann")]
    assert project_results(portfolio, on_time)[0].late_days == 0
    assert project_results(portfolio, monday)[0].late_days == 1


def test_kpis(portfolio: Portfolio) -> None:
    kpis = compute_kpis(portfolio, PLAN)
    assert kpis.late_projects == 1
    assert kpis.late_days == 2
    assert kpis.weighted_tardiness == 3 * 2
    assert kpis.makespan_days == 8 + 1  # last finish is index 8
    # cost = cost_per_day × allocation % × working days
    assert kpis.total_cost == pytest.approx(400 * 0.5 * 3 + 300 * 1.0 * 2)
    # utilisation: booked percent-days / (available days × capacity)
    assert kpis.utilisation["ann"] == pytest.approx(round(50 * 3 / ((19 - 5) * 50), 4))
    assert kpis.utilisation["bob"] == pytest.approx(round(100 * 2 / (19 * 100), 4))


def test_utilisation_by_week(portfolio: Portfolio) -> None:
    by_week = compute_kpis(portfolio, PLAN).utilisation_by_week
    # ann: W01 offers 5 × 50, booked Friday (50); W02 has 4 working days, booked Tue+Wed
    assert by_week["ann"]["2027-W01"] == pytest.approx(50 / 250)
    assert by_week["ann"]["2027-W02"] == pytest.approx(100 / 200)
    assert by_week["ann"]["2027-W03"] == 0
    assert "2027-W04" not in by_week["ann"]  # absent all week: nothing offered
    assert by_week["bob"]["2027-W02"] == pytest.approx(200 / 400)
    assert set(by_week["bob"]) == {"2027-W01", "2027-W02", "2027-W03", "2027-W04"}


def test_objective_terms(portfolio: Portfolio) -> None:
    terms = objective_breakdown(portfolio, PLAN)
    assert terms.tardiness == 1000 * (3 * 2 + 2 * 0)
    assert terms.completion == 1 * (3 * 6 + 2 * 8)  # priority × finish index
    assert terms.cost == pytest.approx(2 * 1200)
    assert terms.continuity == 10 * (1 + 1)  # one distinct person per project
    # left-out proposed project: priority × horizon working days × tardiness weight
    assert terms.left_out == 4 * 19 * 1000
    expected = 6000 + 34 + 2400 + 20 + 76000
    assert terms.total == pytest.approx(expected)
    assert objective_value(portfolio, PLAN) == pytest.approx(expected)
    assert terms.as_dict() == {
        "tardiness": terms.tardiness,
        "completion": terms.completion,
        "cost": terms.cost,
        "continuity": terms.continuity,
        "left_out": terms.left_out,
        "makespan": 0.0,
        "project_delay": 0.0,
    }


def test_assembled_plan_carries_kpis_objective_and_left_out_projects(portfolio: Portfolio) -> None:
    plan = assemble_plan(portfolio, PLAN, PlanStatus.feasible)
    assert plan.objective == pytest.approx(84454)
    assert plan.unscheduled_projects == ["r"]
    assert plan.kpis == compute_kpis(portfolio, PLAN)
    assert [(r.id, r.scheduled, r.late_days) for r in plan.projects] == [
        ("p", True, 2),
        ("q", True, 0),
        ("r", False, 0),
    ]


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        ({"tardiness": 0, "completion": 0, "cost": 0, "continuity": 0}, 0),
        ({"tardiness": 1, "completion": 0, "cost": 0, "continuity": 0}, 6 + 76),
        ({"tardiness": 0, "completion": 0, "cost": 1, "continuity": 0}, 1200),
        ({"tardiness": 0, "completion": 0, "cost": 0, "continuity": 1}, 2),
        ({"tardiness": 0, "completion": 2, "cost": 0, "continuity": 0}, 2 * 34),
    ],
    ids=["all-zero", "tardiness-and-left-out", "cost", "continuity", "completion"],
)
def test_each_weight_scales_its_own_term(weights: dict[str, float], expected: float) -> None:
    assert objective_value(tiny(**weights), PLAN) == pytest.approx(expected)


def test_scheduling_the_proposed_project_replaces_its_left_out_penalty(portfolio: Portfolio) -> None:
    with_r: list[Assignment] = [*PLAN, assign("r", "v", "2027-01-18", "2027-01-21", "bob")]
    terms = objective_breakdown(portfolio, with_r)
    assert terms.left_out == 0
    assert terms.tardiness == 1000 * 6  # r finishes index 12, before its due (index 18)
    assert terms.completion == 34 + 4 * 12
    assert terms.continuity == 10 * 3
    assert terms.cost == pytest.approx(2 * (1200 + 300 * 4))


def test_team_counts_each_person_once_per_project() -> None:
    portfolio = build(
        portfolio_dict(
            [project("p", [task("a"), task("b")])],
            [person("ann"), person("bob")],
            objective={"tardiness": 0, "completion": 0, "cost": 0, "continuity": 1},
        )
    )
    plan = [
        assign("p", "a", "2027-01-04", "2027-01-04", "ann"),
        assign("p", "b", "2027-01-05", "2027-01-05", "ann"),
    ]
    assert objective_value(portfolio, plan) == 1


def test_empty_plan_kpis(portfolio: Portfolio) -> None:
    kpis = compute_kpis(portfolio, [])
    expected: dict[str, Any] = dict.fromkeys(
        ("weighted_tardiness", "late_projects", "late_days", "makespan_days"), 0
    )
    assert kpis.model_dump(include=set(expected)) == expected
    assert kpis.total_cost == 0
    assert kpis.utilisation == {"ann": 0.0, "bob": 0.0}
