"""The population search: every schedule it builds for a row keeps every rule, its
vectorised objective matches the contract's, it improves plans that can be improved, and it
is reproducible for a seed."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.formats import read_instance
from model.load import parse_portfolio
from model.portfolio import Portfolio
from solver.construct.levelling import Placement
from solver.evaluate import objective_of, project_finish_rows
from solver.search import population
from solver.search.schedule_search import network
from solver.settings import PopulationTuning
from tests.conftest import (
    build,
    levelled,
    person,
    pool_portfolios,
    portfolio_dict,
    public_file,
    valid_placements,
)

DUES = ("2027-01-08", "2027-01-15", "2027-02-05")


def _with_objective(pf: Portfolio, objective: dict[str, float], dues: list[str | None]) -> Portfolio:
    data: dict[str, Any] = pf.model_dump(mode="json", exclude_none=True)
    data["objective"] = objective
    for project, due in zip(data["projects"], dues, strict=False):
        if due is not None:
            project["due"] = due
    return build(data)


def _generations(count: int) -> Any:
    calls = itertools.count()
    return lambda: next(calls) >= count


@settings(deadline=None, max_examples=30, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(pool_portfolios(), st.integers(0, 1000))
def test_every_row_keeps_every_rule(pf: Portfolio, seed: int) -> None:
    """Rows built from random keys, and their forward-backward improvement, are valid plans
    whenever the row is marked as keeping its windows."""
    problem, placements = levelled(pf)
    pop = population.start(problem, placements, seed=seed)
    net = pop.net
    keys = np.random.default_rng(seed).random((8, net.size))
    rows = np.broadcast_to(net.earliest, keys.shape), np.broadcast_to(net.latest, keys.shape)
    starts, ok = population.build(pop.forward, keys, *rows)
    for row, kept in zip(starts, ok, strict=True):
        assert not kept or valid_placements(pf, problem, net.plan(row))
    improved, values = population.build_and_improve(pop, keys)
    for row, value in zip(improved, values, strict=True):
        if np.isfinite(value):
            assert valid_placements(pf, problem, net.plan(row))
    assert ok.any() or not np.isfinite(values).any()


@pytest.mark.slow
@settings(deadline=None, max_examples=25, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(pool_portfolios())
def test_improve_yields_valid_strictly_better_plans(pf: Portfolio) -> None:
    problem, placements = levelled(pf)
    value = objective_of(problem, placements)
    pop = population.start(problem, placements, seed=0)
    for plan, plan_value in population.improve(
        pop, lambda p: objective_of(problem, p), stop=_generations(15)
    ):
        assert plan_value < value
        assert plan_value == objective_of(problem, plan)
        assert valid_placements(pf, problem, plan)
        value = plan_value


@settings(deadline=None, max_examples=25, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    pool_portfolios(),
    st.sampled_from(["tardiness", "completion", "makespan", "project_delay"]),
    st.lists(st.sampled_from((None, *DUES)), min_size=2, max_size=2),
)
def test_row_values_match_the_contract_objective(pf: Portfolio, term: str, dues: list[str | None]) -> None:
    """The vectorised objective differs from the contract's by the same constant on every row."""
    pf = _with_objective(pf, {"tardiness": 0, term: 3}, dues)
    problem, placements = levelled(pf)
    pop = population.start(problem, placements, seed=1)
    valid = np.isfinite(pop.values)
    exact = [objective_of(problem, pop.net.plan(row)) for row in pop.starts[valid]]
    differences = np.array(exact) - pop.value_rows(pop.starts[valid])
    assert np.allclose(differences, differences[0])


def test_project_finish_rows() -> None:
    project = np.array([2, 0, 2, 0])
    last_day = np.array([[4, 7, 9, 1], [3, 2, 1, 0]])
    assert project_finish_rows(project, last_day, 4).tolist() == [[7, -1, 9, -1], [2, -1, 3, -1]]


def _psplib(name: str, folder: str = "j30") -> tuple[Portfolio, Any, Any]:
    path = public_file("psplib_rcpsp", folder, f"{name}.sm")
    pf = parse_portfolio(read_instance("psplib", path).portfolio)
    problem, placements = levelled(pf)
    return pf, problem, placements


def _makespan(placements: dict[int, Placement]) -> int:
    return max(pl.end for pl in placements.values()) - min(pl.start for pl in placements.values())


def test_reaches_the_optimum_of_a_small_rcpsp() -> None:
    """PSPLIB j301_1 (optimum 43 days of work, levelling ends later): reached, and the plan
    keeps every rule."""
    pf, problem, placements = _psplib("j301_1")
    assert _makespan(placements) > 43
    pop = population.start(problem, placements, seed=0)
    plans = list(population.improve(pop, lambda p: objective_of(problem, p), stop=_generations(60)))
    assert plans
    best = plans[-1][0]
    assert _makespan(best) == 43
    assert valid_placements(pf, problem, best)


def test_is_deterministic_for_a_seed() -> None:
    _, problem, placements = _psplib("j3010_1")

    def run(seed: int) -> list[float]:
        pop = population.start(problem, placements, seed=seed)
        return [
            v
            for _, v in population.improve(
                pop, lambda p: objective_of(problem, p), stop=_generations(10)
            )
        ]

    assert run(3) == run(3)


def test_a_plan_from_elsewhere_replaces_the_worst_row() -> None:
    _, problem, placements = _psplib("j3010_1")
    pop = population.start(problem, placements, seed=0)
    worst = float(pop.values.max())
    population.adopt(pop, placements)
    assert float(pop.values.max()) <= worst
    assert (pop.starts == network(problem, placements).starts_of(placements)).all(axis=1).any()


def test_applies_to_pool_only_plans_of_more_than_sixty_tasks() -> None:
    _, problem, placements = _psplib("j901_1", "j90")
    assert population.applies(problem, placements)
    _, problem, placements = _psplib("j3010_1")
    assert len(placements) < PopulationTuning().min_tasks
    assert not population.applies(problem, placements)


def test_does_not_apply_to_people_or_mode_choices() -> None:
    size = PopulationTuning().min_tasks
    staffed = [{"id": f"t{k}", "duration": 1, "requirements": [{"skill": "dev"}]} for k in range(size)]
    pf = build(
        portfolio_dict([{"id": "x", "tasks": staffed}], [person("ann"), person("bob")], end="2027-12-31")
    )
    problem, placements = levelled(pf)
    assert len(placements) == size and not population.applies(problem, placements)
    two_ways = [
        {
            "id": f"t{k}",
            "modes": [
                {"duration": 2, "requirements": [{"pool": "rig", "units": 1}]},
                {"duration": 1, "requirements": [{"pool": "rig", "units": 2}]},
            ],
        }
        for k in range(size)
    ]
    pf = build(
        portfolio_dict(
            [{"id": "x", "tasks": two_ways}], [], end="2027-12-31", pools=[{"id": "rig", "capacity": 2}]
        )
    )
    problem, placements = levelled(pf)
    assert len(placements) == size and not population.applies(problem, placements)
    one_way = [
        {"id": f"t{k}", "duration": 1, "requirements": [{"pool": "rig", "units": 1}]} for k in range(size)
    ]
    pf = build(
        portfolio_dict(
            [{"id": "x", "tasks": one_way}], [], end="2027-12-31", pools=[{"id": "rig", "capacity": 2}]
        )
    )
    problem, placements = levelled(pf)
    assert population.applies(problem, placements)
