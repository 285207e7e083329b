"""Per constraint family of the CP-SAT model: a tiny feasible / infeasible pair.

The model is solved whole and without a hint, so each pair tests the family
itself (not the levelling heuristic nor the cheap infeasibility checks).
"""

from __future__ import annotations

import pytest

from model.checker import check_assignments
from model.hard_rules import HardRule
from model.kpis import objective_value
from model.portfolio import Portfolio
from solver.convert import to_assignments
from solver.cpsat import constraints
from solver.cpsat.constraints import CONSTRAINTS, head_count, person_capacity, skill_pools
from solver.cpsat.model import SubResult, build_model, solve_model
from solver.cpsat.scope import build_scope
from solver.cpsat.variables import make_variables
from solver.problem import compile_problem
from solver.settings import StaffingTuning
from tests.conftest import person, portfolio, project
from tests.conftest import task_with as task


def cp_solve_unchecked(
    pf: Portfolio, families: tuple = CONSTRAINTS, staffing: StaffingTuning | None = None
) -> SubResult:
    pb = compile_problem(pf)
    proposed = {p for p in range(pb.num_projects) if not pb.project_committed[p]}
    scope = build_scope(pb, list(range(pb.num_tasks)), {}, proposed, staffing=staffing)
    built = build_model(scope, families)
    return solve_model(built, time_limit=10, workers=1, seed=0, deterministic=True)


def cp_solve(
    pf: Portfolio, families: tuple = CONSTRAINTS, staffing: StaffingTuning | None = None
) -> SubResult:
    pb = compile_problem(pf)
    result = cp_solve_unchecked(pf, families, staffing)
    if result.placements is not None:
        assignments = to_assignments(pb, result.placements.values())
        assert check_assignments(pf, assignments) == []
        # the CP-SAT objective is the contract's objective
        assert result.objective == pytest.approx(objective_value(pf, assignments))
    return result


DEV = [{"skill": "dev"}]


def _modes_and_budget(v_slow: int) -> Portfolio:
    """Two two-mode tasks in a chain; the budget (6) affords one fast mode at most."""
    return portfolio(
        [],
        [
            project(
                "x",
                [
                    {
                        "id": "u",
                        "modes": [
                            {"duration": 8, "consumes": {"cash": 1}},
                            {"duration": 4, "consumes": {"cash": 5}},
                        ],
                    },
                    {
                        "id": "v",
                        "modes": [
                            {"duration": v_slow, "consumes": {"cash": 1}},
                            {"duration": 3, "consumes": {"cash": 5}},
                        ],
                        "dependencies": [{"task": "u"}],
                    },
                ],
                budgets={"cash": 6},
            )
        ],
    )


def _modes_with_people(v_days: int) -> Portfolio:
    """The fast mode of u needs b, who then also does v (``v_days`` long) after it."""
    return portfolio(
        [person("a", {"dev": 1}), person("b", {"qa": 1})],
        [
            project(
                "x",
                [
                    {
                        "id": "u",
                        "modes": [
                            {"duration": 6, "requirements": [{"skill": "dev"}]},
                            {"duration": 3, "requirements": [{"skill": "dev"}, {"skill": "qa"}]},
                        ],
                    },
                    {
                        "id": "v",
                        "duration": v_days,
                        "requirements": [{"skill": "qa"}],
                        "dependencies": [{"task": "u"}],
                    },
                ],
            )
        ],
    )


def _modes_on_a_pool(deadline: str, status: str = "committed") -> Portfolio:
    """u runs fast on all 3 rig units or slowly on one; v needs 2 units for 8 days. Only the
    slow mode lets the two overlap: 8 working days (till 2027-01-13), else 12."""
    rig = "rig"
    return portfolio(
        [],
        [
            project(
                "x",
                [
                    {
                        "id": "u",
                        "modes": [
                            {"duration": 4, "requirements": [{"pool": rig, "units": 3}]},
                            {"duration": 8, "requirements": [{"pool": rig, "units": 1}]},
                        ],
                    },
                    task("v", 8, [{"pool": rig, "units": 2}]),
                ],
                deadline=deadline,
                status=status,
            )
        ],
        pools=[{"id": rig, "capacity": 3}],
    )


PAIRS = {
    "window: deadline": (
        portfolio([person("a", {"dev": 3})], [project("x", [task("t", 5)], deadline="2027-01-08")]),
        portfolio([person("a", {"dev": 3})], [project("x", [task("t", 5)], deadline="2027-01-07")]),
    ),
    "window: release": (
        portfolio([person("a", {"dev": 3})], [project("x", [task("t", 5)], release="2027-01-11")]),
        portfolio([person("a", {"dev": 3})], [project("x", [task("t", 5)], release="2027-01-12")]),
    ),
    "window: task earliest/latest": (
        portfolio(
            [person("a", {"dev": 1})],
            [project("x", [task("t", 3, earliest_start="2027-01-05", latest_finish="2027-01-07")])],
        ),
        portfolio(
            [person("a", {"dev": 1})],
            [project("x", [task("t", 3, earliest_start="2027-01-06", latest_finish="2027-01-07")])],
        ),
    ),
    "pinned start vs absence": (
        portfolio(
            [person("a", {"dev": 1}, absences=[{"start": "2027-01-11", "end": "2027-01-15"}])],
            [project("x", [task("t", 2, fixed_start="2027-01-07")])],
        ),
        portfolio(
            [person("a", {"dev": 1}, absences=[{"start": "2027-01-11", "end": "2027-01-15"}])],
            [project("x", [task("t", 2, fixed_start="2027-01-08")])],
        ),
    ),
    "slot count": (
        portfolio(
            [person("a", {"dev": 2}), person("b", {"dev": 2})],
            [project("x", [task("t", 3, [{"skill": "dev", "count": 2}])])],
        ),
        portfolio(
            [person("a", {"dev": 2}), person("b", {"dev": 1})],
            [project("x", [task("t", 3, [{"skill": "dev", "level": 2, "count": 2}])])],
        ),
    ),
    "one slot per person": (
        portfolio(
            [person("a", {"dev": 2, "qa": 2}), person("b", {"qa": 2})],
            [project("x", [task("t", 3, [{"skill": "dev"}, {"skill": "qa"}])])],
        ),
        portfolio(
            [person("a", {"dev": 2, "qa": 2})],
            [project("x", [task("t", 3, [{"skill": "dev"}, {"skill": "qa"}])])],
        ),
    ),
    "fixed people": (
        portfolio(
            [person("a", {"dev": 2}), person("b", {"dev": 2}, available_from="2027-01-11")],
            [project("x", [task("t", 5, fixed_people=["b"])])],
        ),
        portfolio(
            [person("a", {"dev": 2}), person("b", {"dev": 2}, available_from="2027-01-12")],
            [project("x", [task("t", 5, fixed_people=["b"])])],
        ),
    ),
    "FS with lag": (
        portfolio(
            [person("a", {"dev": 1})],
            [project("x", [task("u", 3), task("v", 3, dependencies=[{"task": "u", "lag": 4}])])],
        ),
        portfolio(
            [person("a", {"dev": 1})],
            [project("x", [task("u", 3), task("v", 3, dependencies=[{"task": "u", "lag": 5}])])],
        ),
    ),
    "SS and FF": (
        portfolio(
            [person("a", {"dev": 1}), person("b", {"dev": 1})],
            [
                project(
                    "x",
                    [
                        task("u", 6),
                        task(
                            "v",
                            4,
                            dependencies=[
                                {"task": "u", "type": "SS", "lag": 2},
                                {"task": "u", "type": "FF", "lag": 4},
                            ],
                        ),
                    ],
                )
            ],
        ),
        portfolio(
            [person("a", {"dev": 1}), person("b", {"dev": 1})],
            [
                project(
                    "x",
                    [
                        task("u", 6),
                        task(
                            "v",
                            4,
                            dependencies=[
                                {"task": "u", "type": "SS", "lag": 2},
                                {"task": "u", "type": "FF", "lag": 5},
                            ],
                        ),
                    ],
                )
            ],
        ),
    ),
    "SF across projects": (
        portfolio(
            [person("a", {"dev": 1}), person("b", {"dev": 1})],
            [
                project("x", [task("u", 4, fixed_start="2027-01-11")]),
                project("y", [task("v", 3, dependencies=[{"task": "x/u", "type": "SF", "lag": 4}])]),
            ],
        ),
        portfolio(
            [person("a", {"dev": 1}), person("b", {"dev": 1})],
            [
                project("x", [task("u", 4, fixed_start="2027-01-11")]),
                project("y", [task("v", 3, dependencies=[{"task": "x/u", "type": "SF", "lag": 5}])]),
            ],
        ),
    ),
    "person capacity: overlap": (
        portfolio([person("a", {"dev": 1})], [project("x", [task("u", 5), task("v", 5)])]),
        portfolio([person("a", {"dev": 1})], [project("x", [task("u", 5), task("v", 6)])]),
    ),
    "person capacity: allocation": (
        portfolio(
            [person("a", {"dev": 1})],
            [
                project(
                    "x",
                    [
                        task("u", 10, [{"skill": "dev", "allocation": 50}]),
                        task("v", 10, [{"skill": "dev", "allocation": 50}]),
                    ],
                )
            ],
        ),
        portfolio(
            [person("a", {"dev": 1})],
            [
                project(
                    "x",
                    [
                        task("u", 10, [{"skill": "dev", "allocation": 50}]),
                        task("v", 10, [{"skill": "dev", "allocation": 60}]),
                    ],
                )
            ],
        ),
    ),
    "part-timer": (
        portfolio(
            [person("a", {"dev": 1}, capacity=60)],
            [project("x", [task("u", 10, [{"skill": "dev", "allocation": 60}])])],
        ),
        portfolio(
            [person("a", {"dev": 1}, capacity=60)],
            [
                project(
                    "x",
                    [
                        task("u", 10, [{"skill": "dev", "allocation": 40}]),
                        task("v", 10, [{"skill": "dev", "allocation": 30}]),
                    ],
                )
            ],
        ),
    ),
    "parallel projects": (
        portfolio(
            [person("a", {"dev": 1}, max_parallel_projects=2)],
            [
                project("x", [task("u", 10, [{"skill": "dev", "allocation": 50}])]),
                project("y", [task("v", 10, [{"skill": "dev", "allocation": 50}])]),
            ],
        ),
        portfolio(
            [person("a", {"dev": 1}, max_parallel_projects=1)],
            [
                project("x", [task("u", 10, [{"skill": "dev", "allocation": 50}])]),
                project("y", [task("v", 10, [{"skill": "dev", "allocation": 50}])]),
            ],
        ),
    ),
    "effort-driven crew": (
        portfolio(
            [person("a", {"dev": 1}), person("b", {"dev": 1})],
            [
                project(
                    "x",
                    [task("t", effort=10, crew={"min": 1, "max": 2}, requirements=DEV)],
                    deadline="2027-01-08",
                )
            ],
        ),
        portfolio(
            [person("a", {"dev": 1}), person("b", {"qa": 1})],
            [
                project(
                    "x",
                    [task("t", effort=10, crew={"min": 1, "max": 2}, requirements=DEV)],
                    deadline="2027-01-08",
                )
            ],
        ),
    ),
    "pool capacity": (
        portfolio(
            [],
            [
                project(
                    "x",
                    [
                        task("u", 5, [{"pool": "rig", "units": 2}]),
                        task("v", 5, [{"pool": "rig", "units": 2}]),
                    ],
                )
            ],
            pools=[{"id": "rig", "capacity": 2}],
        ),
        portfolio(
            [],
            [
                project(
                    "x",
                    [
                        task("u", 5, [{"pool": "rig", "units": 2}]),
                        task("v", 6, [{"pool": "rig", "units": 1}]),
                    ],
                )
            ],
            pools=[{"id": "rig", "capacity": 2}],
        ),
    ),
    # each pair below differs in one duration only: the infeasible one is a day too long
    "modes and budget": (_modes_and_budget(v_slow=6), _modes_and_budget(v_slow=7)),
    "modes with people": (_modes_with_people(v_days=7), _modes_with_people(v_days=8)),
    "modes on a pool": (_modes_on_a_pool("2027-01-13"), _modes_on_a_pool("2027-01-12")),
    "committed must fit": (
        portfolio(
            [person("a", {"dev": 1})],
            [project("x", [task("u", 10)]), project("y", [task("v", 10)], status="proposed")],
        ),
        portfolio([person("a", {"dev": 1})], [project("x", [task("u", 10)]), project("y", [task("v", 10)])]),
    ),
}


PAIR_RULES: dict[str, HardRule] = {
    "window: deadline": HardRule.TASK_WINDOWS,
    "window: release": HardRule.TASK_WINDOWS,
    "window: task earliest/latest": HardRule.TASK_WINDOWS,
    "pinned start vs absence": HardRule.AVAILABILITY,
    "slot count": HardRule.STAFFING,
    "one slot per person": HardRule.STAFFING,
    "fixed people": HardRule.STAFFING,
    "FS with lag": HardRule.DEPENDENCIES,
    "SS and FF": HardRule.DEPENDENCIES,
    "SF across projects": HardRule.DEPENDENCIES,
    "person capacity: overlap": HardRule.PERSON_CAPACITY,
    "person capacity: allocation": HardRule.PERSON_CAPACITY,
    "part-timer": HardRule.PERSON_CAPACITY,
    "parallel projects": HardRule.PARALLEL_PROJECTS,
    "effort-driven crew": HardRule.STAFFING,
    "pool capacity": HardRule.POOL_CAPACITY,
    "modes and budget": HardRule.BUDGETS,
    "modes with people": HardRule.STAFFING,
    "modes on a pool": HardRule.POOL_CAPACITY,
    "committed must fit": HardRule.COMPLETE_PROJECTS,
}
"""The hard rule each pair is about."""

BY_CONSTRUCTION = {HardRule.PLAN_STRUCTURE}
"""Rules no portfolio can make the model break: every task is one interval on the horizon's
working-day axis."""


def test_every_hard_rule_has_a_family_and_a_pair() -> None:
    assert set(PAIR_RULES) == set(PAIRS)
    assert set(constraints.RULE_FAMILIES) == set(HardRule)
    for rule, families in constraints.RULE_FAMILIES.items():
        assert all(f in CONSTRAINTS or f is make_variables for f in families), rule
        names = {f.__name__ for f in families}
        assert rule.value in names or families[0] is make_variables, f"{rule}: no family of its name"
    assert set(HardRule) - set(PAIR_RULES.values()) == BY_CONSTRUCTION


@pytest.mark.parametrize("name", list(PAIRS))
def test_family_pair(name: str) -> None:
    feasible, infeasible = PAIRS[name]
    assert cp_solve(feasible).status == "OPTIMAL"
    assert cp_solve(infeasible).status == "INFEASIBLE"


def test_proposed_project_left_out_when_it_cannot_fit() -> None:
    pf = PAIRS["committed must fit"][0]
    result = cp_solve(pf)
    assert result.placements is not None
    assert {pf.projects[0].id} == {compile_problem(pf).task_ids[t][0] for t in result.placements}


def test_a_left_out_task_with_modes_uses_no_pool() -> None:
    """A proposed project whose task v cannot meet its deadline is left out (the deadline
    binds only planned tasks), although both modes of its task u use the pool (an absent
    task's demand is zero)."""
    pf = _modes_on_a_pool("2027-01-12", status="proposed")
    result = cp_solve(pf)
    assert result.status == "OPTIMAL" and result.placements == {}


def test_effort_task_picks_the_crew_that_meets_the_deadline() -> None:
    pf = PAIRS["effort-driven crew"][0]
    result = cp_solve(pf)
    assert result.placements is not None
    (placement,) = result.placements.values()
    assert placement.mode.crew == 2 and placement.mode.length == 5


@pytest.mark.parametrize("family", [skill_pools, head_count])
def test_redundant_families_never_change_the_optimum(family: object) -> None:
    without = tuple(f for f in CONSTRAINTS if f is not family)
    for feasible, _ in PAIRS.values():
        assert cp_solve(feasible).objective == pytest.approx(cp_solve(feasible, without).objective)


def _two_generalists(deadline: str) -> Portfolio:
    """a and b both hold dev and qa; u needs a dev and a qa, v a dev, both 5 days."""
    both = {"dev": 1, "qa": 1}
    return portfolio(
        [person("a", both), person("b", both)],
        [project("x", [task("u", 5, [{"skill": "dev"}, {"skill": "qa"}]), task("v", 5)], deadline=deadline)],
    )


def test_head_count_counts_people_across_skills() -> None:
    """Without the people's own capacity, the skill pools let u and v share one week (2 devs
    of 2, 1 qa of 2) while it takes 3 people of 2; the head count alone forbids it."""
    no_people = tuple(f for f in CONSTRAINTS if f not in (person_capacity, head_count))
    heads_only = tuple(f for f in CONSTRAINTS if f is not person_capacity)
    one_week, two_weeks = _two_generalists("2027-01-08"), _two_generalists("2027-01-15")
    assert cp_solve_unchecked(one_week, no_people).status == "OPTIMAL"
    assert cp_solve_unchecked(one_week, heads_only).status == "INFEASIBLE"
    assert cp_solve_unchecked(two_weeks, heads_only).status == "OPTIMAL"
    assert cp_solve(one_week).status == "INFEASIBLE"


def test_large_models_leave_out_the_redundant_staffing_cumulatives() -> None:
    """Above the size where they pay, the skill pools and the head count are not built, and
    the capacity rules still hold (the plan is checked)."""
    pf = _two_generalists("2027-01-15")
    problem = compile_problem(pf)

    def cumulatives(staffing: StaffingTuning | None) -> int:
        scope = build_scope(problem, list(range(problem.num_tasks)), {}, set(), staffing=staffing)
        return sum(c.has_cumulative() for c in build_model(scope).model.proto.constraints)

    with_redundant, optimum = cumulatives(None), cp_solve(pf).objective
    too_large = StaffingTuning(redundant_constraints_max_tasks=problem.num_tasks - 1)
    assert cumulatives(too_large) == with_redundant - 2  # the dev pool (qa has one slot only), the head count
    result = cp_solve(pf, staffing=too_large)
    assert result.status == "OPTIMAL" and result.objective == pytest.approx(optimum)


def test_makespan_objective_on_pools() -> None:
    """Two 5-day tasks that cannot overlap on a 2-unit pool: makespan 10."""
    pf = PAIRS["pool capacity"][0]
    pf.objective.tardiness = pf.objective.completion = 0
    pf.objective.makespan = 1
    result = cp_solve(pf)
    assert result.status == "OPTIMAL" and result.objective == pytest.approx(10)


def test_a_person_eligible_for_two_slots_is_charged_the_one_they_fill() -> None:
    # ann alone has dev; on task a she can take the 100 % pm slot or the 50 % dev slot. Filling
    # the dev slot (bob takes pm) leaves her half a day for b's 50 % dev slot at the same time:
    # a valid plan with both on time, which a model charging her the larger slot forbade
    people = [person("ann", {"dev": 3, "pm": 3}), person("bob", {"pm": 3})]
    both = [{"skill": "pm", "allocation": 100}, {"skill": "dev", "allocation": 50}]
    pf = portfolio(
        people,
        [
            project("a", [task("t", 5, both)], due="2027-01-08"),
            project("b", [task("t", 5, [{"skill": "dev", "allocation": 50}])], due="2027-01-08"),
        ],
        objective={"tardiness": 1000, "completion": 1, "cost": 0, "continuity": 0},
    )
    result = cp_solve(pf)
    assert result.status == "OPTIMAL" and result.placements is not None
    assert {pl.start for pl in result.placements.values()} == {0}  # side by side, both on time
