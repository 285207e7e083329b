"""The optimiser: valid plans, never worse than levelling, deterministic, objective agrees with the model."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

import solver.search.optimiser as optimiser
from api.formats import read_instance
from api.generate import GeneratorSpec, generate, generate_size
from model.checker import check_plan
from model.kpis import objective_value
from model.load import parse_portfolio
from model.plan import PlanStatus
from solver.convert import to_assignments
from solver.cpsat.model import BuiltModel, build_model, has_decisions_beyond_times
from solver.cpsat.scope import build_scope
from solver.evaluate import objective_of
from solver.problem import compile_problem
from solver.settings import (
    DeterministicTuning,
    FullModelTuning,
    LnsTuning,
    PopulationTuning,
    SearchTuning,
    SolverSettings,
    StaffingTuning,
    Stall,
    StallTuning,
)
from solver.solve import best_levelling, solve
from tests.conftest import person, portfolio, project, public_file, valid_placements, valid_portfolios
from tests.conftest import task_with as task

T = TypeVar("T")


def _tiny(seed: int) -> dict:
    spec = GeneratorSpec(num_projects=3, num_people=6, tasks_per_project=5, months=3)
    return generate(spec, seed=seed)


def _record_solves(
    monkeypatch: pytest.MonkeyPatch, read: Callable[[cp_model.CpSolver, cp_model.CpModel], T]
) -> list[T]:
    """What ``read(solver, model)`` gives at each CP-SAT solve from now on (the solves run as usual)."""
    seen: list[T] = []
    original = cp_model.CpSolver.solve

    def spy(self: cp_model.CpSolver, model: cp_model.CpModel, callback: object = None) -> object:
        seen.append(read(self, model))
        return original(self, model, callback)

    monkeypatch.setattr(cp_model.CpSolver, "solve", spy)
    return seen


def _search_shape(solver: cp_model.CpSolver, model: cp_model.CpModel) -> tuple[int, int]:
    """(full searches asked for, number of task starts in the model's search strategy)."""
    strategies = model.proto.search_strategy
    return solver.parameters.num_full_subsolvers, len(strategies[0].exprs) if strategies else 0


@settings(deadline=None, max_examples=12, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000))
def test_optimiser_plan_is_valid_and_never_worse_than_levelling(seed: int) -> None:
    pf = parse_portfolio(_tiny(seed))
    problem = compile_problem(pf)
    _, levelling_value, _ = best_levelling(problem)
    plan = solve(pf, SolverSettings(time_limit=2, workers=1, deterministic=True, seed=seed))
    assert plan.status.has_plan
    assert check_plan(pf, plan) == []
    assert levelling_value is not None and plan.objective is not None
    assert plan.objective <= levelling_value + 1e-6


@settings(deadline=None, max_examples=25, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=valid_portfolios())
def test_any_returned_plan_passes_the_checker_and_honours_pins(data: dict) -> None:
    pf = parse_portfolio(data)
    plan = solve(pf, SolverSettings(time_limit=2, workers=1, deterministic=True))
    if plan.status.has_plan:
        assert check_plan(pf, plan) == []
        by_task = {(a.project, a.task): a for a in plan.assignments}
        for project in pf.projects:
            for task in project.tasks:
                a = by_task.get((project.id, task.id))
                if a is None:
                    continue
                if task.fixed_start:
                    assert a.start == task.fixed_start
                assert set(task.fixed_people) <= {p.id for p in a.people}
    else:
        assert plan.status in (PlanStatus.infeasible, PlanStatus.no_solution)
        assert plan.explanation


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fast_objective_agrees_with_the_model(seed: int) -> None:
    pf = parse_portfolio(generate_size("p10", seed=seed))
    problem = compile_problem(pf)
    result, _, _ = best_levelling(problem)
    assignments = to_assignments(problem, result.placements.values())
    assert objective_of(problem, result.placements) == pytest.approx(objective_value(pf, assignments))


@pytest.mark.slow
@pytest.mark.parametrize("strategy", ["full", "lns"])
def test_deterministic_mode_gives_the_same_plan(strategy: str, monkeypatch: pytest.MonkeyPatch) -> None:
    pf = parse_portfolio(generate_size("tiny", seed=4))
    chosen = SolverSettings(time_limit=1, deterministic=True, seed=7, strategy=strategy, explain=False)  # type: ignore[arg-type]
    plans = [solve(pf, chosen) for _ in range(3)]
    dumps = {p.model_dump_json(include={"assignments", "objective"}) for p in plans}
    assert len(dumps) == 1


@pytest.mark.slow
def test_lns_improves_on_levelling_and_stays_valid() -> None:
    pf = parse_portfolio(generate_size("p10", seed=3))
    problem = compile_problem(pf)
    _, levelling_value, _ = best_levelling(problem)
    plan = solve(pf, SolverSettings(time_limit=3, strategy="lns", seed=1))
    assert plan.status.has_plan and check_plan(pf, plan) == []
    assert plan.objective is not None and levelling_value is not None
    assert plan.objective <= levelling_value
    assert plan.stats["lns_iterations"] > 0


def test_full_model_threshold_is_respected() -> None:
    pf = parse_portfolio(generate_size("tiny", seed=1))
    no_full_model = SearchTuning(full_model=FullModelTuning(max_assignments=0))
    plan = solve(pf, SolverSettings(time_limit=1, workers=1, deterministic=True, tuning=no_full_model))
    assert plan.stats["method"] == "levelling + cp-sat lns"


@pytest.mark.slow
def test_a_proven_bound_stops_the_search_at_the_first_plan_that_meets_it() -> None:
    problem = compile_problem(parse_portfolio(generate_size("p10", seed=0)))
    start, value, _ = best_levelling(problem)
    assert value is not None
    # CP-SAT's own deterministic seconds (no calibration), with a wall guard far beyond the proof
    raw = SearchTuning(
        deterministic=DeterministicTuning(
            seconds_per_unit=1, seconds_per_unit_per_shared_interval=0, seconds_per_model_element=0
        )
    )
    settings = SolverSettings(time_limit=300.0, workers=1, deterministic=True, tuning=raw)
    # a "bound" as high as the levelling plan: the first plan CP-SAT reports meets it
    stopped = optimiser.solve_whole(problem, start.placements, start.placements, settings, 30.0, stop_at=value)
    assert stopped.status == "FEASIBLE" and stopped.objective is not None and stopped.objective <= value
    # without the bound the same solve goes on past that first plan (0.3 deterministic seconds)
    longer = optimiser.solve_whole(
        problem, start.placements, start.placements, settings, 0.3, wall_deadline=time.perf_counter() + 300
    )
    assert longer.objective is not None and longer.objective <= stopped.objective
    assert longer.deterministic_seconds > stopped.deterministic_seconds


def _built_full_model(portfolio_data: dict) -> BuiltModel:
    problem = compile_problem(parse_portfolio(portfolio_data))
    return build_model(build_scope(problem, list(range(problem.num_tasks)), {}))


def _public(family: str, *parts: str) -> dict:
    """A public benchmark instance as a portfolio (the data the quick tier uses too)."""
    return read_instance(family, public_file(*parts)).portfolio


def _single_mode_pools() -> dict:
    return _public("psplib", "psplib_rcpsp", "j30", "j301_1.sm")


def _multi_mode_pools() -> dict:
    return _public("mista", "mista2013_mrcmpsp", "instances", "A-1.txt")


def test_only_models_of_task_times_count_as_times_only() -> None:
    assert not has_decisions_beyond_times(_built_full_model(_single_mode_pools()))
    assert has_decisions_beyond_times(_built_full_model(_multi_mode_pools()))  # a mode to pick
    assert has_decisions_beyond_times(_built_full_model(generate_size("tiny", seed=0)))  # people


def test_times_only_models_are_solved_with_the_scheduling_neighbourhoods(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = _record_solves(monkeypatch, lambda solver, _: list(solver.parameters.ignore_subsolvers))
    for data, expected in (
        (_single_mode_pools(), FullModelTuning().times_only_cp_sat_parameters["ignore_subsolvers"]),
        (_multi_mode_pools(), []),
    ):
        problem = compile_problem(parse_portfolio(data))
        sub = optimiser.solve_whole(problem, {}, {}, SolverSettings(time_limit=5, workers=2), 5.0)
        assert sub.status == "OPTIMAL"
        assert seen.pop() == expected


def test_a_multi_mode_task_enters_each_pool_with_one_interval() -> None:
    """The pool cumulatives hold one interval per (task, pool its modes use), whose demand
    follows the chosen mode, not one optional interval per mode."""
    built = _built_full_model(_multi_mode_pools())
    problem = built.scope.problem
    used = sum(
        len({pool for mode in problem.task_modes[t] for pool, _ in mode.pools})
        for t in range(problem.num_tasks)
    )
    multi = [t for t in range(problem.num_tasks) if len(problem.task_modes[t]) > 1]
    entries = [len(c.cumulative.intervals) for c in built.model.proto.constraints if c.has_cumulative()]
    assert multi and entries and sum(entries) == used


def test_the_first_look_beside_cp_sat_waits_longer_in_long_solves() -> None:
    stalls = StallTuning()
    assert stalls.probe_stall(10) == stalls.cp_sat
    patient = stalls.probe_stall(60)
    assert patient.minimum == pytest.approx(6) and patient.share == stalls.cp_sat.share
    assert not patient.exceeded(since_progress=5, running=8) and patient.exceeded(since_progress=7, running=8)


def test_a_proposed_project_that_cannot_meet_its_deadline_leaves_the_rest_optimised() -> None:
    """Its tasks' windows once bound even when the project was left out: CP-SAT said
    infeasible and the levelling plan came back unproven."""
    pf = portfolio(
        [person("a", {"dev": 1}), person("b", {"dev": 1})],
        [
            project(
                "x",
                [task("u", 3), task("v", 3, dependencies=[{"task": "u"}]), task("w", 4)],
                due="2027-01-05",
            ),
            project("y", [task("z", 8)], deadline="2027-01-08", status="proposed"),  # 5 working days
        ],
    )
    plan = solve(pf, SolverSettings(time_limit=5, workers=1, deterministic=True))
    assert plan.status == PlanStatus.optimal and plan.stats["cp_sat_status"] == "OPTIMAL"
    assert {a.project for a in plan.assignments} == {"x"}


def test_staffed_models_get_a_second_full_search_on_task_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    """With people to name, few enough tasks and 2 workers, CP-SAT runs its "fixed" search on
    the task starts beside the default one; otherwise CP-SAT's defaults."""
    seen = _record_solves(monkeypatch, _search_shape)
    staffed = compile_problem(parse_portfolio(generate_size("tiny", seed=0)))
    n = staffed.num_tasks
    pools_only = compile_problem(parse_portfolio(_multi_mode_pools()))
    for problem, workers, max_tasks, expected in (
        (staffed, 2, n, (2, n)),
        (staffed, 4, n, (0, n)),  # CP-SAT runs "fixed" itself from 3 workers
        (staffed, 1, n, (0, 0)),  # one worker: CP-SAT's own search
        (staffed, 2, n - 1, (0, 0)),  # more tasks than the complete search is for
        (pools_only, 2, pools_only.num_tasks, (0, 0)),
    ):
        tuning = SearchTuning(staffing=StaffingTuning(search_max_tasks=max_tasks))
        optimiser.solve_whole(
            problem, {}, {}, SolverSettings(time_limit=1, workers=workers, tuning=tuning), 1.0
        )
        assert seen.pop() == expected


@pytest.mark.slow
def test_user_cp_sat_parameters_replace_the_engines_on_every_solve(monkeypatch: pytest.MonkeyPatch) -> None:
    """``cp_sat_parameters`` reach CP-SAT over the engine's choice (a list replaces the
    engine's list, enums by name), on whole-model solves and on neighbourhoods."""
    def chosen(solver: cp_model.CpSolver, _: cp_model.CpModel) -> tuple[list[str], int, int]:
        p = solver.parameters
        return list(p.ignore_subsolvers), p.num_full_subsolvers, int(p.search_branching)

    seen = _record_solves(monkeypatch, chosen)
    user = {"ignore_subsolvers": ["rins/rens"], "num_full_subsolvers": 2, "search_branching": "FIXED_SEARCH"}
    settings = SolverSettings(time_limit=2, workers=2, cp_sat_parameters=user)
    problem = compile_problem(parse_portfolio(_single_mode_pools()))
    optimiser.solve_whole(problem, {}, {}, settings, 2.0)
    assert seen.pop() == (["rins/rens"], 2, int(cp_model.FIXED_SEARCH))
    seen.clear()
    data = generate_size("tiny", seed=0)
    solve(parse_portfolio(data), SolverSettings(time_limit=2, strategy="lns", cp_sat_parameters=user))
    assert seen and all(s == (["rins/rens"], 2, int(cp_model.FIXED_SEARCH)) for s in seen)
    assert optimiser.with_overrides(SolverSettings(), {"a": 1}) == {"a": 1}


def test_a_parameter_that_stops_cp_sat_early_still_gives_a_checked_plan() -> None:
    """Stopped after presolve, CP-SAT returns no plan: the levelling plan is kept and valid."""
    portfolio = parse_portfolio(generate_size("tiny", seed=0))
    plan = solve(
        portfolio, SolverSettings(time_limit=2, strategy="full", cp_sat_parameters={"stop_after_presolve": True})
    )
    assert plan.status.has_plan and not check_plan(portfolio, plan)
    assert plan.stats.get("cp_sat_status") == "UNKNOWN"


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"num_full_subsolver": 2}, "num_full_subsolver: unknown CP-SAT parameter"),
        ({"num_full_subsolvers": "two"}, "num_full_subsolvers: 'two' is not a valid value"),
        ({"search_branching": "SIDEWAYS"}, "search_branching: 'SIDEWAYS' is not a valid value"),
        ({"max_time_in_seconds": 5}, "max_time_in_seconds: set by the engine; use the `time_limit` setting"),
        ({"num_workers": 8}, "use the `workers` setting"),
    ],
)
def test_bad_cp_sat_parameters_are_rejected_by_name(parameters: dict, message: str) -> None:
    with pytest.raises(ValueError, match="cp_sat_parameters") as caught:
        SolverSettings(cp_sat_parameters=parameters)
    assert message in str(caught.value)


@pytest.mark.slow
def test_large_staffed_models_switch_to_the_start_order_search_once_cp_sat_stalls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Above the size for the start-order search from the start, CP-SAT's own search runs
    first; once it stalls the rest of the time goes to a warm solve with the start-order
    search beside it. One worker, or more tasks than the switch is for: no switch."""
    seen = _record_solves(monkeypatch, _search_shape)
    stalls_at_once = StallTuning(cp_sat=Stall(minimum=0.0, share=0.0), probe_share_of_limit=0.0)
    tuning = SearchTuning(staffing=StaffingTuning(search_max_tasks=1), stalls=stalls_at_once)
    portfolio = parse_portfolio(generate_size("p10", seed=0))
    n = compile_problem(portfolio).num_tasks
    plan = solve(portfolio, SolverSettings(time_limit=3, workers=2, strategy="full", tuning=tuning))
    assert seen == [(0, 0), (2, n)]
    assert plan.stats.get("switched_to_start_order_search") is True
    assert plan.status.has_plan and not check_plan(portfolio, plan)
    seen.clear()
    solve(portfolio, SolverSettings(time_limit=2, workers=1, strategy="full", tuning=tuning))
    assert seen == [(0, 0)]
    seen.clear()
    too_large = tuning.model_copy(
        update={"staffing": StaffingTuning(search_max_tasks=1, switch_max_tasks=n - 1)}
    )
    solve(portfolio, SolverSettings(time_limit=2, workers=2, strategy="full", tuning=too_large))
    assert seen == [(0, 0)]


def test_a_deterministic_run_whose_charges_fall_short_is_cut_by_the_wall_guard() -> None:
    # charges a thousand times too small: the budget would last for minutes, the guard ends it
    pf = parse_portfolio(generate_size("p10", seed=2))
    cheap = SearchTuning(
        deterministic=DeterministicTuning(
            seconds_per_unit=0.001, seconds_per_unit_per_shared_interval=0, seconds_per_model_element=0
        )
    )
    cut = solve(pf, SolverSettings(time_limit=2, deterministic=True, tuning=cheap, explain=False))
    assert cut.stats.get("cut_by_wall_guard") is True
    assert cut.status.has_plan and check_plan(pf, cut) == []
    assert cut.solve_seconds <= 2 + 1.0


@pytest.mark.slow
def test_a_calibrated_deterministic_run_ends_in_its_time_and_repeats_itself() -> None:
    pf = parse_portfolio(generate_size("demo", seed=1))
    chosen = SolverSettings(time_limit=3, deterministic=True, seed=2, explain=False)
    plans = [solve(pf, chosen) for _ in range(2)]
    for plan in plans:
        assert plan.solve_seconds <= 3 + 1.0
    if not any(p.stats.get("cut_by_wall_guard") for p in plans):  # a busy machine may cut one
        assert len({p.model_dump_json(include={"assignments", "objective"}) for p in plans}) == 1


def test_portfolios_whose_people_share_their_days_are_searched_by_neighbourhoods() -> None:
    demo = compile_problem(parse_portfolio(generate_size("demo", seed=1)))
    small = compile_problem(parse_portfolio(generate_size("p10", seed=0)))
    assert optimiser.shared_interval_count(demo) > FullModelTuning().max_shared_intervals
    assert not optimiser.solves_whole(demo, SolverSettings())
    assert optimiser.solves_whole(small, SolverSettings())
    assert optimiser.solves_whole(demo, SolverSettings(strategy="full"))
    # a one-task-at-a-time person is no shared interval, whatever the size
    one_at_a_time = compile_problem(portfolio([person("ann")], [project("a", [task("t", 2)])]))
    assert optimiser.shared_interval_count(one_at_a_time) == 0


@pytest.mark.slow
@pytest.mark.parametrize("lanes", [1, 2])
def test_lns_lanes_give_valid_plans_from_the_neighbourhoods(lanes: int) -> None:
    pf = parse_portfolio(generate_size("p10", seed=3))
    tuning = SearchTuning.model_validate({"lns": {"lanes": lanes}})
    plan = solve(pf, SolverSettings(time_limit=4, strategy="lns", seed=1, tuning=tuning))
    assert plan.status.has_plan and check_plan(pf, plan) == []
    moves = plan.stats["lns_moves"]
    assert isinstance(moves, dict)
    assert set(moves) <= {name for name, _ in optimiser.NEIGHBOURHOODS}
    assert sum(int(str(m).split("/")[1]) for m in moves.values()) > 0
    assert plan.stats.get("lns_lanes", 1) == lanes


def test_gain_scoring_keeps_every_neighbourhood_in_play() -> None:
    # how many kinds a timed run draws depends on the machine; the floor under the draw
    # weights, which keeps each of them drawable, does not
    tuning = LnsTuning()
    scores = {name: 0.0 for name, _ in optimiser.NEIGHBOURHOODS} | {"late_projects": 40.0}
    weights = optimiser._weights(scores, tuning)
    assert min(weights) == pytest.approx(tuning.gain_floor * max(weights)) and min(weights) > 0


def test_the_time_slices_try_every_search_and_return_a_checked_plan_no_worse() -> None:
    """The bandit after CP-SAT's first solve of a pool-only model: CP-SAT, the rebuilds and
    both population islands each get slices, and the plan is valid and no worse."""
    pf = parse_portfolio(read_instance("psplib", public_file("psplib_rcpsp", "j120", "j12060_10.sm")).portfolio)
    problem = compile_problem(pf)
    levelling, value, _ = best_levelling(problem)
    assert value is not None
    tuning = SearchTuning(population=PopulationTuning(min_generations=10))  # 3 s buy enough
    settings = SolverSettings(time_limit=3, workers=2, seed=0, tuning=tuning)
    began = time.perf_counter()
    search = optimiser._Search(problem, settings, began, None, None)
    result = optimiser.OptimiseResult(dict(levelling.placements), value, None, False, 0.0)
    optimiser._bandit(search, result)
    arms = result.stats["bandit"]
    assert isinstance(arms, dict)
    assert set(arms) == {"cp-sat", "rebuilds", "population-1", "population-2"}
    assert all(arm["slices"] >= 1 for arm in arms.values())
    assert result.objective <= value and result.objective == objective_of(problem, result.placements)
    assert valid_placements(pf, problem, result.placements)
