"""Improve a plan with CP-SAT: the full model when it is small, large-neighbourhood search when not."""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from solver.construct.levelling import Placement
from solver.construct.task_orders import PROJECT_ORDERS, SLACK_STEPS, construct, yield_search
from solver.cpsat.model import (
    BuiltModel,
    SubResult,
    Watch,
    add_hint,
    add_start_order_search,
    build_model,
    has_decisions_beyond_times,
    solve_model,
)
from solver.cpsat.scope import build_scope
from solver.evaluate import objective_of
from solver.planning.disruption import Disruption
from solver.problem import Problem
from solver.search import population, schedule_search
from solver.search.neighbourhoods import NEIGHBOURHOODS
from solver.settings import SolverSettings, Stall

# Above this many (requirement, candidate) pairs the full model's presolve alone
# takes seconds (see shared notes); neighbourhoods keep each CP-SAT model small.
FULL_MODEL_MAX_ASSIGNMENTS = 6000
# At most this share of the time limit goes to levelling in other orders before CP-SAT
# (the search among orders gives up earlier when it stops finding better plans).
CONSTRUCTION_SHARE = 0.5
# Deterministic runs cannot read the clock: a levelling pass is charged this many
# deterministic seconds per task (about its wall time on a 2-core sandbox).
LEVELLING_SECONDS_PER_TASK = 1e-4
LEVELLING_MIN_SECONDS = 0.01
LNS_START_SIZE = 60
LNS_MIN_SIZE = 12
LNS_MAX_SIZE = 400
LNS_MAX_DELAY = 30  # working days a freed task may end later than in the incumbent
LNS_MAX_ADVANCE = 60  # … and start earlier
LNS_MAX_CANDIDATES = 8  # people per requirement in a neighbourhood
LNS_MIN_STEP_DETERMINISTIC = 0.05  # deterministic seconds charged at least per neighbourhood
# Neighbourhood models are small and solved hundreds of times: no symmetry detection saves
# presolve time. Not `max_presolve_iterations=1`, although it was faster: with 2 workers
# OR-Tools 9.15 dies with SIGSEGV on some models under it (tests/data/lns_crash_model.pbtxt.gz).
LNS_PARAMETERS: dict[str, object] = {"symmetry_level": 0}
# Models that decide task times only (pools, no people, one mode per task, no optional
# projects): CP-SAT's generic neighbourhoods free random start variables with the rest
# fixed, which rarely shortens a makespan or a delay, and on these models one step can take
# 10-170x its deterministic budget in wall time (one graph_var_lns step ran 16 s of a 20 s
# MPLIB solve). Only the scheduling neighbourhoods (time windows, intervals, precedences),
# in short steps: hard j120 instances at 10 s, gap 9.5 -> 7.4 %. Models with modes or
# people keep the defaults: there the generic ones pay (MISTA, 10 s: 11 of 15 worse without).
TIMES_ONLY_PARAMETERS: dict[str, object] = {
    "ignore_subsolvers": [
        "graph_arc_lns",
        "graph_cst_lns",
        "graph_dec_lns",
        "graph_var_lns",
        "rnd_cst_lns",
        "rnd_var_lns",
        "feasibility_pump",
    ],
    "lns_initial_deterministic_limit": 0.02,
}

# Whole models that staff named people, with 2 workers: a second full search, "fixed", that
# sets task starts earliest first (solver.cpsat.model.add_start_order_search) beside the
# default one, instead of CP-SAT's neighbourhoods. With the head-count cumulative, MSPSP set-2c
# at 10 s: 14 of 14 instances that were not proven are proven (10 with the head count alone;
# 12 with the second search but without the strategy).
STAFFING_PARAMETERS: dict[str, object] = {"num_full_subsolvers": 2}
# It is a complete search, which closes proofs on tens of tasks, not hundreds; on larger models
# the thread it takes from the neighbourhoods is missed. Measured at 10 s against the engine
# without it: MSPSP instances of 20-30 tasks never worse; set-2b with 58 tasks worse on 9 of
# 33, better on 2; iMOPSE (sample of 20) worse on 4, all of 200-500 tasks; generated p30
# (300 tasks) 40-70 % worse on two of three seeds.
STAFFING_SEARCH_MAX_TASKS = 50
# Up to this many tasks the search is taken up later, once CP-SAT's own search stalls
# (:func:`_switches_to_a_staffing_search`). MSPSP's 58-task instances: at 10 s level on plans
# over two runs (9 better, 8 worse of 66; from the start: 2 better, 9 worse of 33) with more
# proven (16 against 15 and 14); at 60 s on the six hardest, better on 3 with each of two seeds
# (worse on 0 and 1), two known optima reached that the default search never reached.
# Not above: generated p30 (300 tasks) was worse on all three seeds with the switch.
STAFFING_SWITCH_MAX_TASKS = 100

# CP-SAT and the schedule search count as stalled once they have not improved for
# max(minimum, share × their running time), CP-SAT in seconds, the schedule search in
# rebuilds (one takes 0.01 s on 120 tasks, 0.3 s on 1,440). CP-SAT alone stalls early on
# large pool-only models (MPLIB, 1,440 tasks: one plan at ~1.2 s, nothing more in 10 s),
# where rebuilds improve for tens of seconds; on j120 it finds better plans every second or
# two, which this rule leaves alone.
CP_SAT_STALL = Stall(minimum=1.0, share=0.5)
# Before the first look beside it, CP-SAT may also go this share of the time limit without a
# better plan: a long solve can afford the patience. On multi-mode models (MISTA) CP-SAT finds
# better plans every one to three seconds for the whole minute; stopped at its first 1 s gap
# and then warm-restarted in turns with the rebuilds, it ended worse at 60 s than CP-SAT alone
# on 8 of 15 (better on 4), and on 11 of 15 with the rebuilds capped at half the time. At 10 s
# this is the 1 s minimum, where the rebuilds pay (MPLIB).
PROBE_STALL_SHARE_OF_LIMIT = 0.1
SCHEDULE_STALL = Stall(minimum=30, share=0.5)
# The population search counts in generations (64 schedules each, 0.1 s on 120 tasks).
POPULATION_STALL = Stall(minimum=10, share=0.5)
MIN_ROUND_SECONDS = 0.2  # no new round with less time than this left
PROBE_POLL_SECONDS = 0.05  # how often the first round looks whether CP-SAT has stalled

Improvement = Callable[[float, float, float | None, str], None]  # seconds, objective, bound, source


@dataclass
class OptimiseResult:
    """Best plan found and what it took."""

    placements: dict[int, Placement]
    objective: float
    bound: float | None
    optimal: bool
    best_seconds: float
    stats: dict[str, object] = field(default_factory=dict)


def probe_stall(time_limit: float) -> Stall:
    """When CP-SAT counts as stalled before the first look beside it: as
    :data:`CP_SAT_STALL`, and at least :data:`PROBE_STALL_SHARE_OF_LIMIT` of the time limit
    without a better plan."""
    patience = max(CP_SAT_STALL.minimum, PROBE_STALL_SHARE_OF_LIMIT * time_limit)
    return Stall(minimum=patience, share=CP_SAT_STALL.share)


def assignment_count(problem: Problem) -> int:
    """Number of (requirement, eligible person) pairs: the size of the full model."""
    return int(sum(len(e) for e in problem.req_eligible))


def optimise(
    problem: Problem,
    start: dict[int, Placement],
    settings: SolverSettings,
    *,
    began: float,
    on_improvement: Improvement | None = None,
    disruption: Disruption | None = None,
    lower_bound: float | None = None,
) -> OptimiseResult:
    """Improve ``start`` until the time limit; never returns anything worse.

    With ``disruption`` (replanning) the frozen tasks never move and every change
    against the baseline is charged in the objective. A proven ``lower_bound`` ends the
    search as soon as a plan reaches it.
    """
    search = _Search(problem, settings, began, on_improvement, disruption, lower_bound)
    incumbent = dict(start)
    result = OptimiseResult(incumbent, search.value(incumbent), None, False, time.perf_counter() - began)
    full = settings.strategy == "full" or (
        settings.strategy == "auto" and assignment_count(problem) <= FULL_MODEL_MAX_ASSIGNMENTS
    )
    if disruption is None:
        _construct(search, result)
    if search.reached_bound(result.objective):
        result.optimal = True
        result.stats["method"] = "levelling (meets the lower bound)"
        return result
    if full:
        _full_model(search, result)
    else:
        _lns(search, result)
    return result


@dataclass
class _Search:
    """What every step of the search shares."""

    problem: Problem
    settings: SolverSettings
    began: float
    on_improvement: Improvement | None
    disruption: Disruption | None
    lower_bound: float | None = None
    spent_det: float = 0.0  # deterministic seconds spent (deterministic mode)
    population: population.Population | None = None  # kept between schedule rounds

    def reached_bound(self, objective: float) -> bool:
        """Whether ``objective`` meets the proven lower bound (nothing better exists)."""
        return self.lower_bound is not None and objective <= self.lower_bound + 1e-6

    def value(self, placements: dict[int, Placement]) -> float:
        """Objective of a plan, with the disruption cost when replanning."""
        value = objective_of(self.problem, placements)
        if self.disruption is not None:
            value += self.disruption.cost(placements)
        return value

    def movable(self, tasks: list[int]) -> list[int]:
        """The tasks a neighbourhood may free (frozen work never moves)."""
        if self.disruption is None:
            return tasks
        frozen = self.disruption.frozen
        return [t for t in tasks if t not in frozen]


def _remaining(settings: SolverSettings, began: float, spent_det: float) -> float:
    if settings.deterministic:
        return settings.time_limit - spent_det
    return settings.time_limit - (time.perf_counter() - began)


def solve_whole(
    problem: Problem,
    incumbent: dict[int, Placement],
    hint: dict[int, Placement],
    settings: SolverSettings,
    time_limit: float,
    *,
    disruption: Disruption | None = None,
    on_solution: Callable[[float, float, float], None] | None = None,
    stop_at: float | None = None,
    warm: bool = False,
    watch: Watch | None = None,
    staffing_search: bool | None = None,
) -> SubResult:
    """One CP-SAT model of every task that may move (all but the frozen ones when replanning).

    Proposed projects without frozen work may be left out. ``incumbent`` holds the fixed
    placements (and the people worth keeping as candidates); ``hint`` warm-starts the search
    (pool-only models take it only when ``warm``: the hint is then better than CP-SAT's own
    first plans). ``watch`` lets another thread follow and stop the solve.
    ``staffing_search``: run the start-order search beside CP-SAT's default one (None: when
    :func:`_runs_a_staffing_search` says so).
    """
    frozen = disruption.frozen if disruption is not None else set()
    free = [t for t in range(problem.num_tasks) if t not in frozen]
    proposed = {
        p
        for p in range(problem.num_projects)
        if not problem.project_committed[p] and not any(t in frozen for t in problem.project2tasks[p])
    }
    built = build_model(build_scope(problem, free, incumbent, proposed, disruption=disruption))
    if warm or built.variables.assign or disruption is not None:
        add_hint(built, hint)
    # else: pools only, no named people. There CP-SAT's own first plans beat the levelling
    # plan as a start by far (10 s, MPLIB 887 vs 955, MISTA B-4 −19 %): the hint anchors
    # its search to the levelling plan, which it then rarely leaves.
    if staffing_search is None:
        staffing_search = _runs_a_staffing_search(built, settings)
    if staffing_search:
        add_start_order_search(built)
    return solve_model(
        built,
        time_limit=time_limit,
        workers=settings.workers,
        seed=settings.seed,
        deterministic=settings.deterministic,
        log=settings.log,
        on_solution=on_solution,
        stop_at=stop_at,
        extra_params=with_overrides(settings, _whole_model_parameters(built, settings, staffing_search)),
        watch=watch,
    )


def _runs_a_staffing_search(built: BuiltModel, settings: SolverSettings) -> bool:
    """Whether a whole-model solve runs the start-order search beside CP-SAT's default one:
    with people to name, at most :data:`STAFFING_SEARCH_MAX_TASKS` tasks, and a second
    worker (a single worker keeps CP-SAT's own search)."""
    v = built.variables
    return (
        bool(v.assign)
        and len(v.tasks) <= STAFFING_SEARCH_MAX_TASKS
        and settings.workers >= 2
        and not settings.deterministic
    )


def _whole_model_parameters(
    built: BuiltModel, settings: SolverSettings, staffing_search: bool
) -> dict[str, object] | None:
    """CP-SAT parameters of a whole-model solve (``staffing_search``: it has the start strategy)."""
    if not has_decisions_beyond_times(built):
        return TIMES_ONLY_PARAMETERS
    # From 3 workers CP-SAT runs its "fixed" search itself once the model has a strategy;
    # with 2 it runs one full search and gives the other thread to neighbourhoods: ask for two.
    if staffing_search and settings.workers == 2:
        return STAFFING_PARAMETERS
    return None


def with_overrides(settings: SolverSettings, engine: dict[str, object] | None) -> dict[str, object] | None:
    """The engine's CP-SAT parameters for a solve with the user's ``cp_sat_parameters`` over
    them (a user value replaces the engine's, lists included)."""
    if not settings.cp_sat_parameters:
        return engine
    return {**(engine or {}), **settings.cp_sat_parameters}


def _construct(search: _Search, result: OptimiseResult) -> None:
    """Search among slack orders from each step in turn while it pays, then try the orders
    that take projects whole.

    All of it shares at most :data:`CONSTRUCTION_SHARE` of the time limit; deterministic
    runs try every fixed order and charge each levelling pass by the number of tasks.
    """
    problem, settings = search.problem, search.settings
    budget = CONSTRUCTION_SHARE * settings.time_limit
    charge = max(LEVELLING_MIN_SECONDS, LEVELLING_SECONDS_PER_TASK * problem.num_tasks)

    def out_of_budget() -> bool:
        if settings.deterministic:
            return search.spent_det > budget
        return time.perf_counter() - search.began > budget

    def stop() -> bool:  # asked before each pass: in deterministic mode the pass is charged here
        if settings.deterministic:
            search.spent_det += charge
        return out_of_budget()

    for step in SLACK_STEPS:
        if out_of_budget():
            break
        for name, plan, value in yield_search(problem, step, search.value, stop, settings.seed):
            _start_from(search, result, name, plan.placements, value)
    if settings.deterministic or not out_of_budget():
        left = None if settings.deterministic else budget - (time.perf_counter() - search.began)
        plans = construct(problem, left, PROJECT_ORDERS)
        search.spent_det += charge * len(plans)
        for name, plan in plans:
            _start_from(search, result, name, plan.placements, search.value(plan.placements))


def _start_from(
    search: _Search, result: OptimiseResult, name: str, placements: dict[int, Placement], value: float
) -> None:
    if value < result.objective - 1e-9:
        result.placements = dict(placements)
        result.objective = value
        result.best_seconds = time.perf_counter() - search.began
        result.stats["start"] = name
        if search.on_improvement:
            search.on_improvement(result.best_seconds, value, result.bound, name)


def _full_model(search: _Search, result: OptimiseResult) -> None:
    """CP-SAT on the whole model; alternated with schedule rebuilds when they pay.

    When no task has people to staff and CP-SAT stalls, the schedule search
    (:mod:`solver.search.schedule_search`) starts from CP-SAT's plan beside the running solve. If it
    finds nothing better, CP-SAT keeps its search (and its progress towards a proof) to the
    end. If it does, CP-SAT is stopped and the two take turns, each until it stalls, CP-SAT
    warm-started from the better plan. The first turn that finds nothing hands the rest of
    the time to the other. Where the population search applies
    (:func:`solver.search.population.applies`) it takes the rebuilds' place, starts beside
    CP-SAT without waiting for a stall and, once ahead, keeps the rest of the time
    (:func:`_probe_beside`).
    """
    settings = search.settings
    alternate = (
        settings.schedule_search
        and not settings.deterministic
        and search.disruption is None
        and schedule_search.applies(result.placements)
    )
    result.stats["method"] = "cp-sat full model"
    switch = not alternate and _switches_to_a_staffing_search(search, result)
    stall = probe_stall(settings.time_limit) if switch else None
    sub, beaten = _cp_sat_round(search, result, probe=alternate, stall=stall)
    rounds = 1
    if switch and sub.status == "FEASIBLE" and not result.optimal and not _out_of_time(search):
        _cp_sat_round(search, result, warm=True, staffing_search=True)
        rounds += 1
        result.stats["switched_to_start_order_search"] = True
    if not (alternate and beaten and sub.status == "FEASIBLE"):
        result.stats["cp_sat_rounds"] = rounds
        return
    while not result.optimal and not _out_of_time(search):
        before = result.objective
        sub, _ = _cp_sat_round(search, result, warm=True, stall=CP_SAT_STALL)
        rounds += 1
        if result.optimal or _out_of_time(search) or sub.status != "FEASIBLE":
            break
        if result.objective >= before - 1e-9:  # CP-SAT found nothing: rebuilds to the end
            _schedule_round(search, result, result.placements, stall=None)
            break
        if not _schedule_round(search, result, result.placements, stall=SCHEDULE_STALL):
            result.optimal = _proven(search, result)
            if not result.optimal and not _out_of_time(search):  # CP-SAT to the end
                _cp_sat_round(search, result, warm=True)
                rounds += 1
            break
        result.optimal = _proven(search, result)
    result.optimal = result.optimal or _proven(search, result)
    result.stats["cp_sat_rounds"] = rounds


def _switches_to_a_staffing_search(search: _Search, result: OptimiseResult) -> bool:
    """Whether a whole-model solve too large for the start-order search from the start
    (:data:`STAFFING_SEARCH_MAX_TASKS`) takes it up once CP-SAT's own search stalls: people
    to name, at most :data:`STAFFING_SWITCH_MAX_TASKS` tasks, a second worker, not
    deterministic, not a replan."""
    settings = search.settings
    return (
        search.disruption is None
        and settings.workers >= 2
        and not settings.deterministic
        and STAFFING_SEARCH_MAX_TASKS < search.problem.num_tasks <= STAFFING_SWITCH_MAX_TASKS
        and any(pl.people for pl in result.placements.values())
    )


def _out_of_time(search: _Search) -> bool:
    return _remaining(search.settings, search.began, search.spent_det) < MIN_ROUND_SECONDS


def _proven(search: _Search, result: OptimiseResult) -> bool:
    """Whether the incumbent meets a proven bound (the relaxation's or CP-SAT's)."""
    return search.disruption is None and (
        search.reached_bound(result.objective)
        or (result.bound is not None and result.objective <= result.bound + 1e-6)
    )


def _cp_sat_round(
    search: _Search,
    result: OptimiseResult,
    *,
    warm: bool = False,
    probe: bool = False,
    stall: Stall | None = None,
    staffing_search: bool | None = None,
) -> tuple[SubResult, bool]:
    """One CP-SAT solve of the whole model for the time left, or until a ``stall``; and
    whether the schedule search beat it.

    ``warm``: hinted with the incumbent. ``probe``: the solve runs in a thread; once it
    stalls, the schedule search runs from its plan meanwhile, and stops it as soon as it finds
    a better one.
    """
    problem, settings, began = search.problem, search.settings, search.began
    free = search.movable(list(range(problem.num_tasks)))

    best_seen = [result.objective]
    found_at = [result.best_seconds]
    own_best = [math.inf]  # CP-SAT's best in this round, what a probe beside it must beat
    own_bound = [-math.inf]  # and its bound: a probe that reaches it can end

    def report(seconds: float, objective: float, bound: float) -> None:
        own_best[0] = min(own_best[0], objective)
        own_bound[0] = max(own_bound[0], bound)
        # CP-SAT may report plans worse than the incumbent (e.g. before it repairs the hint),
        # or worse than what the schedule search found meanwhile
        if objective < min(best_seen[0], result.objective) - 1e-9:
            best_seen[0] = objective
            found_at[0] = time.perf_counter() - began
            if search.on_improvement:
                search.on_improvement(found_at[0], objective, bound, "cp-sat")

    limit = max(0.1, _remaining(settings, began, search.spent_det))
    watch = None
    if probe:
        watch = Watch(probe_stall(settings.time_limit), stop_on_stall=False)
    elif stall is not None:
        watch = Watch(stall, stop_on_stall=True)

    def run() -> SubResult:
        return solve_whole(
            problem,
            result.placements,
            result.placements,
            settings,
            limit,
            disruption=search.disruption,
            on_solution=report,
            stop_at=search.lower_bound if search.disruption is None else None,
            warm=warm,
            watch=watch,
            staffing_search=staffing_search,
        )

    beaten = False
    if probe and watch is not None:
        sub, beaten = _probe_beside(
            search, result, run, watch, rival=lambda: own_best[0], bound=lambda: own_bound[0]
        )
    else:
        sub = run()
    result.stats["cp_sat_status"] = sub.status
    if _accept(search, result, sub, free):
        result.best_seconds = min(result.best_seconds, found_at[0])
    if sub.bound is not None and search.disruption is None:
        result.bound = sub.bound if result.bound is None else max(result.bound, sub.bound)
    result.optimal = _proven(search, result) or (
        search.disruption is None
        and sub.status == "OPTIMAL"
        and result.objective <= (sub.objective or 0) + 1e-6
    )
    return sub, beaten


def _probe_beside(
    search: _Search,
    result: OptimiseResult,
    run: Callable[[], SubResult],
    watch: Watch,
    *,
    rival: Callable[[], float],
    bound: Callable[[], float],
) -> tuple[SubResult, bool]:
    """Run the solve in a thread; when it stalls, the schedule search from its plan (or from
    the incumbent, if that is better). Returns the solve's result and whether the schedule
    search beat both the incumbent and the solve's best plan (``rival``: the solve may still
    find better ones meanwhile).

    Where the population search applies, it does not wait for a stall: it starts once the
    solve has had the stall's patience (easy models are proven by then), and once ahead of
    the solve it stops it and has the rest of the time (``bound``: the solve's bound so far,
    which ends it too).
    """
    outcome: list[SubResult] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(run())
        except BaseException as exc:  # re-raised in this thread below
            errors.append(exc)

    uses_population = population.applies(search.problem, result.placements)
    patience = watch.stall.minimum
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    probed = beaten = False
    while thread.is_alive():
        thread.join(PROBE_POLL_SECONDS)
        due = watch.stalled() or (uses_population and time.perf_counter() - watch.began >= patience)
        if not probed and thread.is_alive() and due and watch.plan is not None:
            probed = True
            start = watch.plan if search.value(watch.plan) < result.objective else result.placements
            beaten = _schedule_round(
                search,
                result,
                start,
                stall=None if uses_population else SCHEDULE_STALL,
                on_better=watch.stop,
                running=watch.finished,
                rival=rival,
                bound=bound,
            )
    if errors:
        raise errors[0]
    return outcome[0], beaten


def _schedule_round(
    search: _Search,
    result: OptimiseResult,
    start: dict[int, Placement],
    *,
    stall: Stall | None = SCHEDULE_STALL,
    on_better: Callable[[], None] | None = None,
    running: threading.Event | None = None,
    rival: Callable[[], float] | None = None,
    bound: Callable[[], float] | None = None,
) -> bool:
    """Schedule rebuilds from ``start`` until they ``stall`` (None: until the time limit);
    True if they beat the incumbent (and the ``rival``'s current value, if given).

    ``on_better`` is called on the first plan that beats them; with ``running`` (a solve
    beside this search) the search also ends when that solve ends without being stopped.
    """
    settings, began = search.settings, search.began
    beside = running

    def ended() -> bool:
        reached = bound is not None and result.objective <= bound() + 1e-6
        return reached or _proven(search, result) or (beside is not None and beside.is_set())

    stats = schedule_search.SearchStats()
    steps: Iterator[tuple[dict[int, Placement], float]]
    uses_population = population.applies(search.problem, start)
    if uses_population and stall is not None:
        stall = POPULATION_STALL
    stop, improved = schedule_search.stall_stop(began + settings.time_limit, stall, bound_reached=ended)
    if uses_population:
        steps = population.improve(_population(search, start), search.value, stop=stop, stats=stats)
    else:
        steps = schedule_search.improve(
            search.problem, start, search.value, stop=stop, seed=settings.seed, stats=stats
        )
    found = False
    for placements, value in steps:
        improved()
        # it counts only ahead of the incumbent and of the rival (CP-SAT's best beside it):
        # started from a CP-SAT plan worse than the incumbent, beating that plan is not enough
        ahead = value < result.objective - 1e-9 and (rival is None or value < rival() - 1e-9)
        if not found and ahead:
            found = True
            if on_better is not None:
                beside = None  # the solve beside is asked to stop: its end no longer ends this search
                on_better()
        if ahead:
            result.placements, result.objective = placements, value
            result.best_seconds = time.perf_counter() - began
            if search.on_improvement:
                search.on_improvement(result.best_seconds, value, result.bound, "schedule search")
    total = result.stats.setdefault("schedule_search", {"rebuilds": 0, "improvements": 0, "mode_switches": 0})
    assert isinstance(total, dict)
    total["rebuilds"] += stats.rebuilds
    total["improvements"] += stats.improvements
    total["mode_switches"] += stats.mode_switches
    return found


def _population(search: _Search, start: dict[int, Placement]) -> population.Population:
    """The population search's state, started from ``start`` or, when it already runs on
    the same tasks, with ``start`` (another search's plan) in place of its worst individual."""
    pop = search.population
    if pop is None or pop.net.tasks != sorted(start):
        pop = search.population = population.start(search.problem, start, seed=search.settings.seed)
    else:
        population.adopt(pop, start)
    return pop


def _accept(search: _Search, result: OptimiseResult, sub: SubResult, free: list[int]) -> bool:
    """Take the sub-solution if it is at least as good (a tie keeps the search moving)."""
    if sub.placements is None:
        return False
    freed = set(free)
    candidate = {t: pl for t, pl in result.placements.items() if t not in freed}
    candidate.update(sub.placements)
    return _take(search, result, candidate)


def _take(search: _Search, result: OptimiseResult, candidate: dict[int, Placement]) -> bool:
    """Keep a complete candidate plan if it is at least as good; True when strictly better."""
    value = search.value(candidate)
    if value < result.objective - 1e-9:
        result.placements = candidate
        result.objective = value
        result.best_seconds = time.perf_counter() - search.began
        return True
    if value <= result.objective + 1e-9:
        result.placements = candidate
    return False


def _lns(search: _Search, result: OptimiseResult) -> None:
    problem, settings, began, on_improvement = (
        search.problem,
        search.settings,
        search.began,
        search.on_improvement,
    )
    if not search.movable(list(range(problem.num_tasks))):
        return
    rng = random.Random(settings.seed)
    picks = dict(NEIGHBOURHOODS)
    scores = {name: 1.0 for name in picks}
    size = LNS_START_SIZE
    iterations = improvements = 0
    tries: dict[str, int] = {}
    gains: dict[str, int] = {}
    while True:
        remaining = _remaining(settings, began, search.spent_det)
        if remaining < 0.05 or (search.disruption is None and search.reached_bound(result.objective)):
            break
        name = rng.choices(list(scores), weights=list(scores.values()))[0]
        tries[name] = tries.get(name, 0) + 1
        free = search.movable(picks[name](problem, result.placements, size, rng))
        if not free:
            iterations += 1
            search.spent_det += LNS_MIN_STEP_DETERMINISTIC
            continue
        optional = {int(problem.task2project[t]) for t in free if t not in result.placements}
        scope = build_scope(
            problem,
            free,
            result.placements,
            optional,
            max_delay=LNS_MAX_DELAY,
            max_advance=LNS_MAX_ADVANCE,
            disruption=search.disruption,
            max_candidates=LNS_MAX_CANDIDATES,
        )
        built = build_model(scope)
        add_hint(built, result.placements)
        limit = min(settings.lns_seconds, remaining)
        sub = solve_model(
            built,
            time_limit=limit,
            workers=settings.workers,
            seed=rng.randrange(1 << 30),
            deterministic=settings.deterministic,
            extra_params=with_overrides(settings, LNS_PARAMETERS),
            track=False,
        )
        # Tiny neighbourhoods cost CP-SAT almost no deterministic time but Python real work:
        # charge each step at least a little so deterministic runs end in bounded wall time.
        search.spent_det += max(sub.deterministic_seconds, LNS_MIN_STEP_DETERMINISTIC)
        iterations += 1
        improved = _accept(search, result, sub, free)
        if improved:
            improvements += 1
            gains[name] = gains.get(name, 0) + 1
            scores[name] += 1.0
            if on_improvement:
                on_improvement(time.perf_counter() - began, result.objective, result.bound, name)
        else:
            scores[name] = max(0.2, scores[name] * 0.95)
        if sub.status == "OPTIMAL" and sub.wall_seconds < 0.5 * limit:
            size = min(LNS_MAX_SIZE, int(size * 1.15) + 1)
        elif sub.status != "OPTIMAL":
            size = max(LNS_MIN_SIZE, int(size * 0.85))
    result.stats.update(
        {
            "method": "levelling + cp-sat lns",
            "lns_iterations": iterations,
            "lns_improvements": improvements,
            "lns_final_size": size,
            "lns_moves": {n: f"{gains.get(n, 0)}/{tries[n]}" for n in sorted(tries)},
        }
    )
