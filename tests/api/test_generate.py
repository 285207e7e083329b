"""Tests of the seeded portfolio generator (api/generate.py)."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from api.generate import SIZES, GeneratorSpec, generate, generate_size, spec_for
from model.checker import check_plan
from model.load import parse_portfolio
from model.plan import PlanStatus
from model.portfolio import Portfolio, ProjectStatus
from solver.construct.levelling import level
from solver.problem import compile_problem
from solver.settings import SolverSettings
from solver.solve import solve

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo.json"

UP_TO_P60 = ["tiny", "demo", "p10", "p30", "p50", "p60"]


@cache
def _generated(name: str, seed: int = 0) -> str:
    # cached as JSON text so that no test can change another test's data
    return json.dumps(generate_size(name, seed))


def generated(name: str, seed: int = 0) -> dict[str, Any]:
    """A fresh copy of a generated named size."""
    data: dict[str, Any] = json.loads(_generated(name, seed))
    return data


@cache
def portfolio(name: str, seed: int = 0) -> Portfolio:
    return parse_portfolio(generated(name, seed))


def test_named_sizes_are_listed_smallest_first() -> None:
    assert list(SIZES)[:2] == ["tiny", "demo"]
    assert {"p10", "p30", "p50", "p60", "p120", "p150", "p200"} <= set(SIZES)
    tasks = [SIZES[n].num_tasks for n in ("tiny", "p10", "p30", "p60", "p120", "p150", "p200")]
    assert tasks == [30, 80, 300, 600, 800, 2000, 5000]


@pytest.mark.parametrize("name", UP_TO_P60)
def test_named_size_parses_with_the_requested_size(name: str) -> None:
    spec = SIZES[name]
    p = portfolio(name)
    assert len(p.projects) == spec.num_projects
    assert len(p.people) == spec.num_people
    assert sum(len(x.tasks) for x in p.projects) == spec.num_tasks
    assert p.calendar.start == spec.start
    assert p.calendar.end == spec.end()


def test_json_ready() -> None:
    data = generate_size("tiny", 3)
    assert json.loads(json.dumps(data)) == data
    assert isinstance(data["calendar"]["start"], str)


def test_same_seed_same_portfolio() -> None:
    assert generate_size("p10", 5) == generate_size("p10", 5)
    assert generate(spec_for(7), seed=2) == generate(spec_for(7), seed=2)


def test_different_seed_different_portfolio() -> None:
    assert generate_size("tiny", 1) != generate_size("tiny", 2)
    assert generate_size("demo", 0) != generate_size("demo", 7)


@pytest.mark.parametrize("name", ["tiny", "demo", "p10"])
def test_levelling_places_everything_and_passes_the_checker(name: str) -> None:
    p = portfolio(name)
    assert level(compile_problem(p)).complete
    plan = solve(p, SolverSettings(optimise=False))
    assert plan.status == PlanStatus.feasible, plan.explanation
    assert check_plan(p, plan) == []
    committed = {x.id for x in p.projects if x.status == ProjectStatus.committed}
    assert committed <= {a.project for a in plan.assignments}


@pytest.mark.parametrize("seed", range(4))
def test_other_seeds_level_completely(seed: int) -> None:
    p = parse_portfolio(generate_size("p10", seed + 10))
    assert level(compile_problem(p)).complete


def test_demo_file_is_the_demo_size_with_seed_7() -> None:
    on_disk = json.loads(DEMO.read_text(encoding="utf-8"))
    assert on_disk == generated("demo", 7)
    assert on_disk["name"] == "Demo portfolio (20 projects, 40 people, 9 months)"


@pytest.mark.parametrize("name", ["demo", "p30"])
def test_every_slot_has_enough_candidates(name: str) -> None:
    p = portfolio(name)
    for project in p.projects:
        for task in project.tasks:
            for req in task.requirements:
                assert req.skill is not None
                skill = req.skill
                able = len(
                    [
                        person
                        for person in p.people
                        if person.skills.get(skill, 0) >= req.level and person.capacity >= req.allocation
                    ]
                )
                needed = task.crew_bounds[1] if task.effort is not None else req.count
                assert needed <= able, f"{project.id}/{task.id}"


@pytest.mark.parametrize("name", ["demo", "p30", "p60"])
def test_realistic_shape(name: str) -> None:
    p = portfolio(name)
    status = {x.id: x.status for x in p.projects}
    release = {x.id: x.release for x in p.projects}
    kinds: Counter[str] = Counter()
    cross = 0
    for project in p.projects:
        assert 1 <= project.priority <= 10
        assert project.due is not None
        if project.deadline is not None:
            assert project.release is not None and project.release <= project.due <= project.deadline
        for task in project.tasks:
            if task.effort is not None:
                assert len(task.requirements) == 1
            for dep in task.dependencies:
                kinds[dep.type.value] += 1
                if "/" in dep.task:
                    cross += 1
                    other = dep.task.split("/")[0]
                    # always from an earlier committed project
                    assert status[other] == ProjectStatus.committed
                    before, after = release[other], release[project.id]
                    assert before is not None and after is not None and before < after
    assert kinds["FS"] > kinds["SS"] > 0
    assert kinds["FF"] > 0
    assert cross >= 1
    assert any(x.status == ProjectStatus.proposed for x in p.projects)
    assert any(x.deadline is not None for x in p.projects)
    assert any(t.effort is not None for x in p.projects for t in x.tasks)
    assert any(r.allocation == 50 for x in p.projects for t in x.tasks for r in t.requirements)
    people = p.people
    assert any(x.capacity < 100 for x in people)
    assert any(x.available_from is not None or x.available_until is not None for x in people)
    assert any(x.max_parallel_projects for x in people)
    assert all(1 <= len(x.skills) <= 3 for x in people)
    summer = [a for x in people for a in x.absences if a.start.month in (7, 8)]
    assert summer and all(1 <= (a.end - a.start).days // 7 + 1 <= 3 for a in summer)
    assert p.calendar.holidays


def test_spec_for_scales_like_the_named_sizes() -> None:
    spec = spec_for(20)
    assert (spec.num_projects, spec.num_people, spec.months) == (20, 40, 9)
    assert spec_for(200).months == 24
    spec = spec_for(8, 12, 6)
    assert (spec.num_people, spec.months) == (12, 6)
    assert spec.name == "Generated portfolio (8 projects, 12 people, 6 months)"
    data = generate(spec, seed=4)
    p = parse_portfolio(data)
    assert level(compile_problem(p)).complete


def test_unknown_size_and_bad_spec() -> None:
    with pytest.raises(ValueError, match="unknown size"):
        generate_size("p7")
    with pytest.raises(ValueError):
        GeneratorSpec(num_projects=3, num_people=10, tasks_per_project=2)
    with pytest.raises(ValueError):
        GeneratorSpec(num_projects=3, num_people=10, proposed_share=1.5)
