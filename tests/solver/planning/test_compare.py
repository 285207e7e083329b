"""Scenario comparison (solver/planning/compare.py) and its renderings (api/compare_report.py)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.compare_report import comparison_markdown, render_comparison
from model.load import parse_portfolio
from model.plan import PlanStatus
from model.portfolio import Portfolio
from model.scenario import apply_scenario, parse_scenario
from solver.planning.compare import Comparison, Figures, compare, compare_plans, parallel_solves
from solver.settings import SolverSettings
from solver.solve import solve
from tests.conftest import small_dict, small_portfolio

SETTINGS = SolverSettings(time_limit=3, workers=1, deterministic=True)


def scenario(changes: list[dict[str, Any]], base: dict[str, Any] | None = None) -> Portfolio:
    return apply_scenario(parse_scenario({"base": base or small_dict(), "changes": changes}))


@pytest.fixture(scope="module")
def portfolios() -> dict[str, Portfolio]:
    return {
        "base": small_portfolio(),
        "hire": scenario([{"op": "hire", "role": "backend dev", "skill": "backend", "level": 4}]),
        "minus gaelle": scenario([{"op": "remove_person", "person": "gaelle"}]),
        "minus chloe": scenario([{"op": "remove_person", "person": "chloe"}]),  # no one left for data ≥ 3
    }


@pytest.fixture(scope="module")
def comparison(portfolios: dict[str, Portfolio]) -> Comparison:
    return compare(portfolios, SETTINGS)


def test_structure(comparison: Comparison, portfolios: dict[str, Portfolio]) -> None:
    assert comparison.baseline == "base"
    assert comparison.names == list(portfolios)
    assert [s.baseline for s in comparison.scenarios] == [True, False, False, False]
    assert comparison.parallel == min(4, parallel_solves(SETTINGS))
    statuses = {s.name: s.status for s in comparison.scenarios}
    assert statuses["minus chloe"] == PlanStatus.infeasible
    assert all(statuses[n].has_plan for n in ("base", "hire", "minus gaelle"))
    assert [p.id for p in comparison.projects] == ["crm", "dwh", "portal", "ml"]
    people = [p.id for p in comparison.people]
    assert people[:8] == [p.id for p in portfolios["base"].people]
    assert people[8:] == ["hire-backend-1"]
    assert all(set(row.cells) == set(portfolios) for row in comparison.projects + comparison.people)


def test_json_serialisable(comparison: Comparison) -> None:
    data = comparison.model_dump(mode="json")
    assert "plans" not in data
    text = json.dumps(data)
    again = Comparison.model_validate_json(text)
    assert again.model_dump(mode="json") == data


def test_figures_and_deltas_match_the_plans(comparison: Comparison) -> None:
    base_plan = comparison.plans["base"]
    for outcome in comparison.scenarios:
        plan = comparison.plans[outcome.name]
        assert outcome.status == plan.status
        if not plan.status.has_plan:
            assert outcome.figures is None and outcome.delta is None
            assert outcome.explanation == plan.explanation != []
            continue
        figures = outcome.figures
        assert figures is not None
        assert figures.objective == plan.objective
        assert figures.weighted_tardiness == plan.kpis.weighted_tardiness
        assert figures.makespan_days == plan.kpis.makespan_days
        assert figures.total_cost == plan.kpis.total_cost
        util = plan.kpis.utilisation
        assert figures.mean_utilisation == pytest.approx(sum(util.values()) / len(util), abs=1e-4)
        if outcome.baseline:
            assert outcome.delta is None
            continue
        delta = outcome.delta
        assert delta is not None
        assert base_plan.objective is not None and plan.objective is not None
        assert delta.objective == pytest.approx(plan.objective - base_plan.objective)
        assert delta.total_cost == pytest.approx(plan.kpis.total_cost - base_plan.kpis.total_cost)
        assert delta.late_days == plan.kpis.late_days - base_plan.kpis.late_days
        assert delta.makespan_days == plan.kpis.makespan_days - base_plan.kpis.makespan_days


def test_projects_side_by_side(comparison: Comparison, portfolios: dict[str, Portfolio]) -> None:
    cal = portfolios["base"].work_calendar
    base_results = {r.id: r for r in comparison.plans["base"].projects}
    for row in comparison.projects:
        base_cell = row.cells["base"]
        assert base_cell.state == "scheduled" and base_cell.finish_delta_days is None
        for name in ("hire", "minus gaelle"):
            cell = row.cells[name]
            result = next(r for r in comparison.plans[name].projects if r.id == row.id)
            assert (cell.finish, cell.late_days) == (result.finish, result.late_days)
            base = base_results[row.id]
            assert cell.finish is not None and base.finish is not None
            assert cell.finish_delta_days == cal.index(cell.finish) - cal.index(base.finish)
            assert cell.late_delta_days == result.late_days - base.late_days
        assert row.cells["minus chloe"].state == "no_plan"


def test_who_moves_to_what(comparison: Comparison) -> None:
    rows = {p.id: p for p in comparison.people}
    hire = rows["hire-backend-1"]
    assert not hire.cells["base"].present and hire.cells["hire"].present
    assert not hire.cells["minus gaelle"].present
    assert hire.cells["hire"].added_tasks == hire.cells["hire"].tasks != []  # the hire does some backend work
    assert not rows["gaelle"].cells["minus gaelle"].present
    assert not rows["chloe"].cells["minus chloe"].present
    for name in ("hire", "minus gaelle"):
        plan = comparison.plans[name]
        base_plan = comparison.plans["base"]
        for pid, row in rows.items():
            cell = row.cells[name]
            if not cell.present:
                continue
            mine = {f"{a.project}/{a.task}" for a in plan.assignments if pid in {p.id for p in a.people}}
            theirs = {
                f"{a.project}/{a.task}" for a in base_plan.assignments if pid in {p.id for p in a.people}
            }
            assert set(cell.tasks) == mine
            assert set(cell.added_tasks) == mine - theirs
            assert set(cell.removed_tasks) == theirs - mine
            assert set(cell.projects) == {t.split("/")[0] for t in mine}
            assert cell.utilisation == plan.kpis.utilisation[pid]
            if row.cells["base"].present:
                assert cell.utilisation_delta == pytest.approx(
                    plan.kpis.utilisation[pid] - base_plan.kpis.utilisation[pid], abs=1e-4
                )
    # someone hands work to the new backend developer
    removed = {t for row in rows.values() for t in row.cells["hire"].removed_tasks}
    assert set(hire.cells["hire"].tasks) <= removed


def test_same_plans_as_solving_alone(comparison: Comparison, portfolios: dict[str, Portfolio]) -> None:
    """Deterministic settings: a forked solve gives the plan a solve in this process gives."""
    alone = solve(portfolios["hire"], SETTINGS)
    assert alone.objective == comparison.plans["hire"].objective
    assert alone.status == comparison.plans["hire"].status
    sequential = compare_plans(portfolios, comparison.plans)
    assert sequential.model_dump() == {**comparison.model_dump(), "parallel": 1, "wall_seconds": 0.0}


def test_in_process_and_callbacks() -> None:
    done: list[str] = []
    small = {"a": small_portfolio(), "b": small_portfolio()}
    result = compare(small, SETTINGS, max_parallel=1, on_done=lambda name, plan: done.append(name))
    assert done == ["a", "b"] and result.parallel == 1
    b = result.outcome("b")
    assert b.delta == Figures(objective=0.0)
    with pytest.raises(ValueError, match="nothing to compare"):
        compare({}, SETTINGS)


def test_parallel_solves() -> None:
    assert parallel_solves(SolverSettings(workers=1), cores=2) == 2
    assert parallel_solves(SolverSettings(workers=2), cores=2) == 1
    assert parallel_solves(SolverSettings(workers=4), cores=2) == 1
    assert parallel_solves(SolverSettings(workers=4, deterministic=True), cores=8) == 8


def test_renderings(comparison: Comparison) -> None:
    text = render_comparison(comparison, width=160)
    for name in comparison.names:
        assert name in text
    assert "hire-backend-1" in text and "infeasible" in text
    assert "\x1b[" not in text  # plain text
    md = comparison_markdown(comparison)
    assert md.startswith("# Scenario comparison (baseline: base)")
    assert "| crm | 8 |" in md and "## Who moves to what" in md


# --------------------------------------------------------------------------- property


@st.composite
def tiny_portfolios(draw: st.DrawFn) -> dict[str, Any]:
    """A tiny feasible-looking portfolio with tight due dates and integer weights.

    Every requirement is one that some person can fill (skill, level and allocation),
    so most draws have a plan; due dates are tight so that capacity matters.
    """
    skills = ["dev", "qa"]
    people = []
    for i in range(draw(st.integers(1, 3))):
        people.append(
            {
                "id": f"p{i}",
                "skills": draw(st.dictionaries(st.sampled_from(skills), st.integers(1, 5), min_size=1)),
                "capacity": draw(st.sampled_from([40, 50, 60, 80, 100])),
            }
        )
    projects = []
    for j in range(draw(st.integers(1, 3))):
        tasks = []
        for k in range(draw(st.integers(1, 3))):
            who = draw(st.sampled_from(people))
            skill = draw(st.sampled_from(sorted(who["skills"])))
            task: dict[str, Any] = {
                "id": f"t{k}",
                "duration": draw(st.integers(1, 6)),
                "requirements": [
                    {
                        "skill": skill,
                        "level": draw(st.integers(1, who["skills"][skill])),
                        "allocation": draw(st.integers(1, who["capacity"] // 10)) * 10,
                    }
                ],
            }
            if k and draw(st.booleans()):
                task["dependencies"] = [{"task": f"t{k - 1}"}]
            tasks.append(task)
        projects.append(
            {
                "id": f"j{j}",
                "priority": draw(st.integers(1, 10)),
                "status": draw(st.sampled_from(["committed", "committed", "proposed"])),
                "due": f"2027-01-{draw(st.integers(5, 15)):02d}",
                "tasks": tasks,
            }
        )
    return {
        "calendar": {"start": "2027-01-04", "end": "2027-02-26"},
        "skills": [{"id": s} for s in skills],
        "people": people,
        "projects": projects,
        "objective": {
            "tardiness": draw(st.integers(1, 50)),
            "completion": draw(st.integers(0, 3)),
            "continuity": draw(st.integers(0, 3)),
        },
    }


@st.composite
def capacity_scenarios(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A tiny portfolio and a change that only adds capacity."""
    data = draw(tiny_portfolios())
    used = sorted({r["skill"] for p in data["projects"] for t in p["tasks"] for r in t["requirements"]})
    part_timers = [p["id"] for p in data["people"] if p["capacity"] < 100]
    if part_timers and draw(st.booleans()):
        pid = draw(st.sampled_from(part_timers))
        current = next(p["capacity"] for p in data["people"] if p["id"] == pid)
        change = {"op": "change_capacity", "person": pid, "capacity": draw(st.integers(current + 1, 100))}
    else:
        change = {
            "op": "hire",
            "skill": draw(st.sampled_from(used)),
            "level": draw(st.integers(1, 5)),
            "count": draw(st.integers(1, 2)),
        }
    return data, [change]


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(capacity_scenarios())
def test_adding_capacity_never_worsens_an_optimal_plan(
    case: tuple[dict[str, Any], list[dict[str, Any]]],
) -> None:
    data, changes = case
    base = parse_portfolio(copy.deepcopy(data))
    more = apply_scenario(parse_scenario({"base": data, "changes": changes}))
    result = compare(
        {"base": base, "more": more}, SolverSettings(time_limit=2, workers=1, deterministic=True)
    )
    before, after = result.plans["base"], result.plans["more"]
    if before.status == after.status == PlanStatus.optimal:
        assert before.objective is not None and after.objective is not None
        assert after.objective <= before.objective + 1e-6
