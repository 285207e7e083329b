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
from solver.problem import Problem
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


def _same_rows(b: population.Batch, keys: np.ndarray, earliest: np.ndarray, latest: np.ndarray) -> None:
    """The compiled build marks the same rows as keeping their windows as the numpy reference
    and gives those the same starts."""
    starts, ok = population.build(b, keys, earliest, latest)
    reference, reference_ok = population.build_reference(b, keys, earliest, latest)
    assert ok.tolist() == reference_ok.tolist()
    assert (starts[ok] == reference[ok]).all()


@settings(deadline=None, max_examples=40, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(pool_portfolios(), st.integers(0, 1000))
def test_compiled_build_matches_the_numpy_reference(pf: Portfolio, seed: int) -> None:
    """Forward and backward, with pins, lags of every kind and ties between keys."""
    problem, placements = levelled(pf)
    pop = population.start(problem, placements, seed=seed)
    net = pop.net
    rng = np.random.default_rng(seed)
    keys = np.vstack([rng.random((6, net.size)), rng.integers(0, 3, (4, net.size)).astype(np.float64)])
    earliest, latest = np.broadcast_to(net.earliest, keys.shape), np.broadcast_to(net.latest, keys.shape)
    _same_rows(pop.forward, keys, earliest, latest)
    starts, ok = population.build(pop.forward, keys, earliest, latest)
    if ok.any():  # the backward pass of the built rows, as build_and_improve runs it
        ends = (starts + net.length)[ok]
        last = ends.max(axis=1, keepdims=True)
        back_latest = last - net.earliest - net.length
        back_earliest = np.where(net.pinned, back_latest, np.maximum(last - np.minimum(net.latest + net.length, last), 0))
        _same_rows(pop.backward, -ends.astype(np.float64), back_earliest, back_latest)


def _twins(pf: Portfolio, seed: int) -> tuple[population.Population, population.Population]:
    problem, placements = levelled(pf)
    return population.start(problem, placements, seed=seed), population.start(problem, placements, seed=seed)


@settings(deadline=None, max_examples=30, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(pool_portfolios(), st.integers(0, 1000), st.sampled_from(["tardiness", "completion", "makespan", "project_delay"]))
def test_compiled_generations_match_the_numpy_reference(pf: Portfolio, seed: int, term: str) -> None:
    """Three compiled generations in one call give the keys, schedules and values of three
    reference generations from the same random numbers, whatever the objective."""
    pf = _with_objective(pf, {"tardiness": 0, term: 3}, list(DUES[:2]))
    compiled, reference = _twins(pf, seed)
    keys = np.random.default_rng(seed).random((5, compiled.net.size))
    built, built_values = population.build_and_improve(compiled, keys)
    expected, expected_values = population.build_and_improve_reference(reference, keys)
    assert built_values.tolist() == expected_values.tolist()
    finite = np.isfinite(expected_values)
    assert (built[finite] == expected[finite]).all()
    twin_seed = population._seed(reference)  # the same draw generation() makes from its twin
    population.generation(compiled, 3)
    for g in range(3):
        population.generation_reference(reference, twin_seed + g)
    assert compiled.values.tolist() == reference.values.tolist()
    finite = np.isfinite(reference.values)
    assert (compiled.starts[finite] == reference.starts[finite]).all()
    assert np.allclose(compiled.keys[finite], reference.keys[finite])


@pytest.mark.parametrize(("name", "folder"), [("j1201_1", "j120"), ("j901_1", "j90")])
def test_compiled_build_matches_the_reference_on_psplib(name: str, folder: str) -> None:
    _, problem, placements = _psplib(name, folder)
    pop = population.start(problem, placements, seed=0)
    keys = np.random.default_rng(5).random((16, pop.net.size))
    net = pop.net
    _same_rows(pop.forward, keys, np.broadcast_to(net.earliest, keys.shape), np.broadcast_to(net.latest, keys.shape))


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


def _two_projects(objective: dict[str, float]) -> tuple[Problem, Any]:
    """Two projects of a two-task chain each on one rig; ``hi`` has priority 5 and an early
    due date, ``lo`` priority 1 and a late one."""
    chain = [
        {"id": "a", "duration": 3, "requirements": [{"pool": "rig", "units": 1}]},
        {"id": "b", "duration": 2, "requirements": [{"pool": "rig", "units": 1}], "dependencies": [{"task": "a"}]},
    ]
    projects = [
        {"id": "lo", "priority": 1, "due": "2027-02-19", "tasks": chain},
        {"id": "hi", "priority": 5, "due": "2027-01-15", "tasks": chain},
    ]
    pf = build(portfolio_dict(projects, [], objective=objective, pools=[{"id": "rig", "capacity": 1}]))
    problem, placements = levelled(pf)
    return problem, network(problem, placements)


def test_objective_keys_put_the_urgent_priority_project_first() -> None:
    problem, net = _two_projects({"tardiness": 1})
    keys = population.objective_keys(problem, net)
    hi = [i for i, t in enumerate(net.tasks) if problem.task2project[t] == 1]
    for row in keys:
        assert max(row[hi]) < min(np.delete(row, hi))  # both of hi's tasks before lo's
        for i, preds in enumerate(net.preds):  # and every predecessor before its task
            assert all(row[j] < row[i] for j, _ in preds)


def test_objective_keys_of_a_makespan_objective_are_latest_starts_to_the_horizon() -> None:
    problem, net = _two_projects({"tardiness": 0, "makespan": 1})
    latest = population.objective_keys(problem, net)[0]
    for i in range(net.size):
        if net.succs[i]:
            assert latest[i] == min(latest[j] - lag for j, lag in net.succs[i])
        else:
            assert latest[i] == net.horizon - net.length[i]


def test_it_takes_a_plan_only_when_the_time_limit_buys_enough_generations() -> None:
    """With all its individuals when the limit is ample, fewer when that buys the
    generations, and not at all when even the smallest population would not get them."""
    _, problem, placements = _psplib("j901_1", "j90")
    per_build = population.build_seconds(problem, placements)
    assert per_build > 0
    tuning = PopulationTuning(size=256, min_size=64, min_generations=100)
    full = 100 * 3 * (256 - tuning.num_elite) * per_build
    ample = population.sized(problem, placements, 100 * full, tuning)
    assert ample is not None and ample.size == 256
    smaller = population.sized(problem, placements, full / 2.5, tuning)  # 64 fits with room to spare
    assert smaller is not None and 64 <= smaller.size < 256
    assert population.sized(problem, placements, full / 100, tuning) is None
    _, problem, placements = _psplib("j3010_1")  # too small: never measured
    assert population.sized(problem, placements, 1e6) is None


def test_the_kernels_compile_and_preload() -> None:
    """``make`` runs ``python -m solver.search.warm``; a solve preloads them in a thread."""
    from solver.search import warm

    warm.compile_kernels()
    thread = warm.preload()
    thread.join(timeout=120)
    assert not thread.is_alive()
