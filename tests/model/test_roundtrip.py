"""JSON round trips: what the engine writes, it reads back unchanged."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given, settings

from model.load import InvalidInput, parse_model, parse_portfolio
from model.plan import (
    Assignment,
    ErrorItem,
    Kpis,
    PersonAllocation,
    Plan,
    PlanStatus,
    ProjectResult,
    Violation,
)
from model.portfolio import Portfolio
from solver.convert import from_assignments, to_assignments
from solver.problem import compile_problem
from solver.settings import SolverSettings
from solver.solve import solve
from tests.conftest import (
    EXAMPLE_FILES,
    ROOT,
    SMALL,
    person,
    portfolio,
    project,
    small_portfolio,
    valid_portfolios,
)
from tests.conftest import task_with as task


def round_trip(portfolio: Portfolio) -> Portfolio:
    return parse_portfolio(portfolio.model_dump_json())


# --------------------------------------------------------------------------- portfolios


@pytest.mark.parametrize("path", [SMALL, *EXAMPLE_FILES], ids=lambda p: str(p.relative_to(ROOT)))
def test_example_portfolio_round_trips(path: Any) -> None:
    original = parse_portfolio(path)
    again = round_trip(original)
    assert again == original
    assert again.model_dump_json() == original.model_dump_json()


def test_round_trip_keeps_what_the_file_says() -> None:
    original = small_portfolio()
    dumped = json.loads(original.model_dump_json())
    source = json.loads(SMALL.read_text(encoding="utf-8"))
    assert dumped["calendar"]["holidays"] == source["calendar"]["holidays"]
    assert dumped["people"][1]["absences"] == source["people"][1]["absences"]
    assert dumped["projects"][0]["tasks"][2]["effort"] == 40
    assert dumped["projects"][3]["status"] == "proposed"
    assert dumped["projects"][0]["tasks"][3]["dependencies"][0] == {"task": "design", "type": "FS", "lag": 2}


def test_round_trip_through_a_dict_too() -> None:
    original = small_portfolio()
    assert parse_portfolio(original.model_dump(mode="json")) == original


def test_equality_ignores_the_cached_calendar() -> None:
    original = small_portfolio()
    again = round_trip(original)
    assert original.work_calendar.num_days == again.work_calendar.num_days
    again.__dict__.pop("work_calendar", None)
    assert again == original


def test_round_trip_detects_a_change() -> None:
    original = small_portfolio()
    changed = original.model_copy(deep=True)
    changed.projects[0].tasks[0].duration = 6
    assert round_trip(changed) != original


@settings(deadline=None, max_examples=30, derandomize=True)
@given(valid_portfolios())
def test_generated_portfolios_round_trip(data: dict[str, Any]) -> None:
    original = parse_portfolio(data)  # the strategy only builds valid portfolios
    again = round_trip(original)
    assert again == original
    assert again.model_dump_json() == original.model_dump_json()
    # and the plain JSON the strategy wrote reads the same as the dump
    assert parse_portfolio(json.dumps(data)) == original


# --------------------------------------------------------------------------- plans


def test_solver_plan_round_trips() -> None:
    portfolio = small_portfolio()
    plan = solve(portfolio, SolverSettings(optimise=False))
    assert plan.status == PlanStatus.feasible
    again = parse_model(Plan, plan.model_dump_json())
    assert again == plan
    assert again.model_dump_json() == plan.model_dump_json()


def _full_plan() -> Plan:
    day = dt.date(2027, 1, 4)
    return Plan(
        status=PlanStatus.no_solution,
        objective=12345.5,
        lower_bound=12000,
        solve_seconds=4.2,
        assignments=[
            Assignment(
                project="crm",
                task="design",
                start=day,
                finish=day + dt.timedelta(days=11),
                people=[
                    PersonAllocation(id="alice", allocation=100),
                    PersonAllocation(id="bob", allocation=35),
                ],
            )
        ],
        projects=[
            ProjectResult(id="crm", scheduled=True, start=day, finish=day, due=day, late_days=3),
            ProjectResult(id="ml", scheduled=False),
        ],
        unscheduled_projects=["ml"],
        kpis=Kpis(
            weighted_tardiness=24,
            late_projects=1,
            late_days=3,
            makespan_days=10,
            total_cost=1234.56,
            utilisation={"alice": 0.8235, "bob": 0.0},
            utilisation_by_week={"alice": {"2027-W01": 1.0, "2027-W02": 0.5}},
        ),
        violations=[
            Violation(rule="Over capacity", message="alice is booked 150 %", person="alice", day=day),
            Violation(rule="Unknown task", message="crm/x", project="crm", task="x"),
        ],
        errors=[ErrorItem(path="projects[0].tasks[1].id", message="duplicate task id 'x'")],
        explanation=["Nobody has skill 'ops' at level 5", "é → ü ✓"],
        stats={"method": "levelling", "gap": 0.02, "nested": {"workers": [1, 2]}, "none": None},
    )


def test_plan_with_every_field_round_trips() -> None:
    plan = _full_plan()
    text = plan.model_dump_json()
    assert parse_model(Plan, text) == plan
    assert Plan.model_validate_json(text) == plan
    assert parse_model(Plan, json.loads(text)) == plan


def test_plan_json_uses_iso_dates_and_status_strings() -> None:
    data = json.loads(_full_plan().model_dump_json())
    assert data["status"] == "no_solution"
    assert data["assignments"][0]["start"] == "2027-01-04"
    assert data["assignments"][0]["finish"] == "2027-01-15"
    assert data["violations"][0]["day"] == "2027-01-04"


def test_plan_with_an_unknown_field_is_rejected() -> None:
    data = json.loads(_full_plan().model_dump_json())
    data["assignments"][0]["peeple"] = []
    with pytest.raises(InvalidInput) as info:
        parse_model(Plan, data)
    assert [(i.path, i.message) for i in info.value.issues] == [
        ("assignments[0].peeple", "unknown field 'peeple'")
    ]


def test_plan_to_solver_and_back_keeps_each_persons_allocation() -> None:
    """Two requirements of one skill at 100 % and 50 %: reading a plan must not swap its people."""
    pf = portfolio(
        [person("ann", {"dev": 3}), person("bob", {"dev": 3})],
        [
            project(
                "p", [task("t", 3, [{"skill": "dev", "allocation": 100}, {"skill": "dev", "allocation": 50}])]
            )
        ],
    )
    plan = Assignment(
        project="p",
        task="t",
        start=dt.date(2027, 1, 4),
        finish=dt.date(2027, 1, 6),
        people=[PersonAllocation(id="bob", allocation=100), PersonAllocation(id="ann", allocation=50)],
    )
    problem = compile_problem(pf)
    back = to_assignments(problem, from_assignments(problem, [plan]).values())
    assert {(p.id, p.allocation) for p in back[0].people} == {("ann", 50), ("bob", 100)}
