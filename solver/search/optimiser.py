"""Improve a plan with CP-SAT: the full model when it is small, large-neighbourhood search when not."""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from solver.construct.levelling import Placement
from solver.construct.task_orders import PROJECT_ORDERS, construct, yield_search
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
from solver.search import bandit, population, schedule_search, warm
from solver.search.neighbourhoods import CHANGED_WORK, LATE_WORK, NEIGHBOURHOODS, changed_work
from solver.settings import LnsTuning, PopulationTuning, SolverSettings, Stall
from solver.stop import StopRequest, stopped

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


def assignment_count(problem: Problem) -> int:
    """Number of (requirement, eligible person) pairs: the size of the full model."""
    return int(sum(len(e) for e in problem.req_eligible))


def shared_interval_count(problem: Problem) -> int:
    """Optional intervals of people who share their days in the full model: one per task a
    person could work on (per allocation it could ask of them) for every person some task
    could book on less than their capacity (their days are a cumulative constraint, not a
    one-task-at-a-time one; see :func:`solver.cpsat.constraints.person_capacity`)."""
    allocations: dict[int, dict[int, set[int]]] = {}  # person -> task -> allocations asked
    for r in range(problem.num_requirements):
        task, allocation = int(problem.req2task[r]), int(problem.req_allocation[r])
        for person in problem.req_eligible[r].tolist():
            allocations.setdefault(person, {}).setdefault(task, set()).add(allocation)
    count = 0
    for person, tasks in allocations.items():
        capacity = int(problem.person_capacity[person])
        if any(a != capacity for asked in tasks.values() for a in asked):
            count += sum(len(asked) for asked in tasks.values())
    return count


def solves_whole(problem: Problem, settings: SolverSettings) -> bool:
    """Whether the optimiser solves one model of everything (else neighbourhoods).

    ``auto``: models of at most ``max_assignments`` (requirement, candidate) pairs and
    ``max_shared_intervals`` shared intervals (:func:`shared_interval_count`;
    :class:`~solver.settings.FullModelTuning`).
    """
    if settings.strategy != "auto":
        return settings.strategy == "full"
    tuning = settings.tuning.full_model
    return (
        assignment_count(problem) <= tuning.max_assignments
        and shared_interval_count(problem) <= tuning.max_shared_intervals
    )


def optimise(
    problem: Problem,
    start: dict[int, Placement],
    settings: SolverSettings,
    *,
    began: float,
    on_improvement: Improvement | None = None,
    disruption: Disruption | None = None,
    lower_bound: float | None = None,
    stop: StopRequest | None = None,
) -> OptimiseResult:
    """Improve ``start`` until the time limit; never returns anything worse.

    With ``disruption`` (replanning) the frozen tasks never move and every change
    against the baseline is charged in the objective. A proven ``lower_bound`` ends the
    search as soon as a plan reaches it; so does a ``stop`` request, with the best plan so far.
    """
    search = _Search(problem, settings, began, on_improvement, disruption, lower_bound, stop=stop)
    incumbent = dict(start)
    result = OptimiseResult(incumbent, search.value(incumbent), None, False, time.perf_counter() - began)
    full = solves_whole(problem, settings)
    if disruption is None:
        _construct(search, result)
    if search.reached_bound(result.objective):
        result.optimal = True
        result.stats["method"] = "levelling (meets the lower bound)"
    elif full:
        _full_model(search, result)
    else:
        _lns(search, result)
    if search.cut_by_wall_guard:
        result.stats["cut_by_wall_guard"] = True
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
    spent_det: float = 0.0  # seconds of the time limit charged so far (deterministic mode)
    population: population.Population | None = None  # kept between schedule rounds
    stop: StopRequest | None = None
    cut_by_wall_guard: bool = False  # a deterministic run that the wall clock ended
    population_tuning: PopulationTuning | None = None  # how the population search takes the plan
    population_measured: bool = False  # measured once, on the first plan it could take
    slices: bool | None = None  # whether slices follow the first look (:func:`_slices_pay`), decided once

    def uses_population(self, placements: dict[int, Placement]) -> bool:
        """Whether the population search takes this plan, and with how many individuals
        (:attr:`population_tuning`; :func:`solver.search.population.sized`)."""
        if not self.population_measured:
            self.population_measured = True
            tuning = self.settings.tuning.population
            self.population_tuning = population.sized(self.problem, placements, self.settings.time_limit, tuning)
        return self.population_tuning is not None

    @property
    def wall_deadline(self) -> float:
        """The ``time.perf_counter()`` time of the time limit (a deterministic run's guard)."""
        return self.began + self.settings.time_limit

    def wall_left(self) -> float:
        """Wall seconds until the time limit."""
        return self.wall_deadline - time.perf_counter()

    def guard(self, sub: SubResult | None = None) -> bool:
        """Whether the wall guard ends a deterministic run now (or ended ``sub``); remembered."""
        if self.settings.deterministic and (self.wall_left() <= 0 or (sub is not None and sub.cut_by_wall)):
            self.cut_by_wall_guard = True
        return self.cut_by_wall_guard

    def stopped(self) -> bool:
        """Whether the solve has been asked to stop early."""
        return stopped(self.stop)

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


def _remaining(search: _Search) -> float:
    """Seconds of the time limit left: charged ones in deterministic runs (0 once the wall
    guard has ended the run), wall seconds otherwise."""
    if search.stopped():
        return 0.0
    settings = search.settings
    if settings.deterministic:
        budget = settings.tuning.deterministic.search_share * settings.time_limit
        return 0.0 if search.guard() else budget - search.spent_det
    return search.wall_left()


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
    stop: StopRequest | None = None,
    wall_deadline: float | None = None,
) -> SubResult:
    """One CP-SAT model of every task that may move (all but the frozen ones when replanning).

    Proposed projects without frozen work may be left out. ``incumbent`` holds the fixed
    placements (and the people worth keeping as candidates); ``hint`` warm-starts the search
    (pool-only models take it only when ``warm``: the hint is then better than CP-SAT's own
    first plans). ``watch`` lets another thread follow and stop the solve.
    ``staffing_search``: run the start-order search beside CP-SAT's default one (None: when
    :func:`_runs_a_staffing_search` says so). ``stop``: ends the solve when requested.
    A deterministic solve gets the deterministic seconds that ``time_limit`` wall seconds
    buy on its model (:func:`~solver.cpsat.model.cp_sat_cost`) and ends at the
    ``time.perf_counter()`` time ``wall_deadline`` at the latest (None: ``time_limit`` from now).
    """
    frozen = disruption.frozen if disruption is not None else set()
    free = [t for t in range(problem.num_tasks) if t not in frozen]
    proposed = {
        p
        for p in range(problem.num_projects)
        if not problem.project_committed[p] and not any(t in frozen for t in problem.project2tasks[p])
    }
    scope = build_scope(
        problem, free, incumbent, proposed, disruption=disruption, staffing=settings.tuning.staffing
    )
    built = build_model(scope)
    if warm or built.variables.assign or disruption is not None:
        add_hint(built, hint)
    # else: pools only, nobody to name: a hint would anchor CP-SAT to the levelling plan, a worse
    # start than its own first plans (RESULTS history: pool-only models without the hint).
    if staffing_search is None:
        staffing_search = _runs_a_staffing_search(built, settings)
    if staffing_search:
        add_start_order_search(built)
    deterministic = settings.deterministic
    if deterministic and wall_deadline is None:
        wall_deadline = time.perf_counter() + time_limit
    return solve_model(
        built,
        time_limit=time_limit,
        workers=settings.workers,
        seed=settings.seed,
        deterministic=deterministic,
        log=settings.log,
        on_solution=on_solution,
        stop_at=stop_at,
        extra_params=with_overrides(settings, _whole_model_parameters(built, settings, staffing_search)),
        watch=watch,
        stop=stop,
        wall_deadline=wall_deadline if deterministic else None,
        calibration=settings.tuning.deterministic,
    )


def _runs_a_staffing_search(built: BuiltModel, settings: SolverSettings) -> bool:
    """Whether a whole-model solve runs the start-order search beside CP-SAT's default one:
    with people to name, at most ``search_max_tasks`` tasks (:class:`~solver.settings.StaffingTuning`),
    and a second worker (a single worker keeps CP-SAT's own search)."""
    v = built.variables
    return (
        bool(v.assign)
        and len(v.tasks) <= settings.tuning.staffing.search_max_tasks
        and settings.workers >= 2
        and not settings.deterministic
    )


def _whole_model_parameters(
    built: BuiltModel, settings: SolverSettings, staffing_search: bool
) -> Mapping[str, object] | None:
    """CP-SAT parameters of a whole-model solve (``staffing_search``: it has the start strategy)."""
    tuning = settings.tuning
    if not has_decisions_beyond_times(built):
        return tuning.full_model.times_only_cp_sat_parameters
    # From 3 workers CP-SAT runs its "fixed" search itself once the model has a strategy;
    # with 2 it runs one full search and gives the other thread to neighbourhoods: ask for two.
    if staffing_search and settings.workers == 2:
        return tuning.staffing.cp_sat_parameters
    return None


def with_overrides(
    settings: SolverSettings, engine: Mapping[str, object] | None
) -> Mapping[str, object] | None:
    """The engine's CP-SAT parameters for a solve with the user's ``cp_sat_parameters`` over
    them (a user value replaces the engine's, lists included)."""
    if not settings.cp_sat_parameters:
        return engine
    return {**(engine or {}), **settings.cp_sat_parameters}


def _construct(search: _Search, result: OptimiseResult) -> None:
    """Search among slack orders from each step in turn while it pays, then try the orders
    that take projects whole.

    All of it shares at most ``share_of_time_limit`` of the time limit, and the slack orders
    end once ``patience_share`` of it has passed without a better plan
    (:class:`~solver.settings.ConstructionTuning`); deterministic runs try every fixed order
    and charge each levelling pass by the number of tasks.
    """
    problem, settings = search.problem, search.settings
    tuning = settings.tuning.construction
    budget = tuning.share_of_time_limit * settings.time_limit
    patience = tuning.patience_share * settings.time_limit
    charge = max(tuning.min_deterministic_seconds, tuning.deterministic_seconds_per_task * problem.num_tasks)

    def spent() -> float:
        return search.spent_det if settings.deterministic else time.perf_counter() - search.began

    last = [spent()]  # when the last better plan came

    def out_of_budget() -> bool:
        if search.stopped() or (settings.deterministic and search.guard()):
            return True
        return spent() > budget

    def stalled() -> bool:
        return out_of_budget() or spent() - last[0] > patience

    def stop() -> bool:  # asked before each pass: in deterministic mode the pass is charged here
        if settings.deterministic:
            search.spent_det += charge
        return stalled()

    for step in tuning.slack_steps:
        if stalled():
            break
        for name, plan, value in yield_search(
            problem, step, search.value, stop, settings.seed, tuning=tuning
        ):
            if value < result.objective - 1e-9:
                last[0] = spent()
            _start_from(search, result, name, plan.placements, value)
    if (settings.deterministic and not search.guard()) or not out_of_budget():
        left = None if settings.deterministic else budget - (time.perf_counter() - search.began)
        plans = construct(problem, left, PROJECT_ORDERS, stop=search.stopped, tuning=tuning)
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
    """CP-SAT on the whole model; beside it, when they pay, the schedule searches.

    When no task has people to staff and CP-SAT stalls, the schedule search
    (:mod:`solver.search.schedule_search`) starts from CP-SAT's plan beside the running solve. If it
    finds nothing better, CP-SAT keeps its search (and its progress towards a proof) to the
    end. If it does, CP-SAT is stopped and the rest of the time goes in slices to the
    searches by what each buys (:func:`_bandit`). Where the population search applies
    (:func:`solver.search.population.applies`) it takes the rebuilds' place in that first
    look and starts beside CP-SAT without waiting for a stall (:func:`_probe_beside`).
    """
    settings = search.settings
    alternate = (
        settings.schedule_search
        and not settings.deterministic
        and search.disruption is None
        and schedule_search.applies(result.placements)
    )
    result.stats["method"] = "cp-sat full model"
    if alternate and population.applies(search.problem, result.placements, settings.tuning.population):
        warm.preload()  # while CP-SAT runs
    stalls = settings.tuning.stalls
    switch = not alternate and _switches_to_a_staffing_search(search, result)
    stall = stalls.probe_stall(settings.time_limit) if switch else None
    sub, beaten = _cp_sat_round(search, result, probe=alternate, stall=stall)
    rounds = 1
    if switch and sub.status == "FEASIBLE" and not result.optimal and not _out_of_time(search):
        _cp_sat_round(search, result, warm=True, staffing_search=True)
        rounds += 1
        result.stats["switched_to_start_order_search"] = True
    if not (alternate and beaten and sub.status == "FEASIBLE"):
        result.stats["cp_sat_rounds"] = rounds
        return
    if _slices_pay(search, result):
        result.stats["cp_sat_rounds"] = rounds
        if not result.optimal and not _out_of_time(search):
            _bandit(search, result)
        result.optimal = result.optimal or _proven(search, result)
        return
    while not result.optimal and not _out_of_time(search):  # CP-SAT and the rebuilds take turns
        before = result.objective
        sub, _ = _cp_sat_round(search, result, warm=True, stall=stalls.cp_sat)
        rounds += 1
        if result.optimal or _out_of_time(search) or sub.status != "FEASIBLE":
            break
        if result.objective >= before - 1e-9:  # CP-SAT found nothing: rebuilds to the end
            _schedule_round(search, result, result.placements, stall=None)
            break
        if not _schedule_round(search, result, result.placements, stall=stalls.schedule_search):
            result.optimal = _proven(search, result)
            if not result.optimal and not _out_of_time(search):  # CP-SAT to the end
                _cp_sat_round(search, result, warm=True)
                rounds += 1
            break
        result.optimal = _proven(search, result)
    result.optimal = result.optimal or _proven(search, result)
    result.stats["cp_sat_rounds"] = rounds


def _slices_pay(search: _Search, result: OptimiseResult) -> bool:
    """Whether the time after the first look goes in slices (:func:`_bandit`) rather than in
    turns of CP-SAT and the rebuilds, each until it stalls: where population islands apply,
    or no task can switch modes. Where modes can switch, CP-SAT's own search on all workers
    does the most, in long rounds (RESULTS: Time slices among the searches). Decided on the
    first call, so that the first look and what follows it agree."""
    if search.slices is None:
        search.slices = search.uses_population(result.placements) or not schedule_search.ModeSwitch(
            search.problem, result.placements
        )
    return search.slices


def _bandit(search: _Search, result: OptimiseResult) -> None:
    """The time left in slices among CP-SAT (warm-started, on ``cp_sat_workers``), the
    iterated rebuilds and, where it applies, population islands, by what each has been
    buying (:mod:`solver.search.bandit`); one lane per worker."""
    problem, settings = search.problem, search.settings
    tuning = settings.tuning
    lock = threading.Lock()
    proven = [False]

    def on_better(placements: dict[int, Placement], value: float, source: str) -> None:
        result.best_seconds = time.perf_counter() - search.began
        if search.on_improvement:
            search.on_improvement(result.best_seconds, value, result.bound, source)

    incumbent = bandit.Incumbent(result.placements, result.objective, on_better=on_better)

    def ended() -> bool:
        value = incumbent.best()[1]
        with lock:
            at_bound = result.bound is not None and value <= result.bound + 1e-6
        return proven[0] or search.stopped() or search.reached_bound(value) or at_bound

    islands_apply = search.uses_population(result.placements)
    lanes = max(1, settings.workers)
    cp_sat_settings = settings.model_copy(update={"workers": tuning.bandit.cp_sat_workers})

    def cp_sat(until: float) -> None:
        placements = incumbent.best()[0]
        sub = solve_whole(
            problem,
            placements,
            placements,
            cp_sat_settings,
            max(0.05, until - time.perf_counter()),
            warm=True,
            stop_at=search.lower_bound,
            stop=search.stop,
        )
        if sub.placements is not None:
            candidate = {**placements, **sub.placements}
            incumbent.offer(candidate, search.value(candidate), "cp-sat")
        with lock:
            if sub.bound is not None:
                result.bound = sub.bound if result.bound is None else max(result.bound, sub.bound)
        if sub.status == "OPTIMAL" and incumbent.best()[1] <= (sub.objective or 0) + 1e-6:
            proven[0] = True

    def stop_at(until: float) -> Callable[[], bool]:
        return lambda: time.perf_counter() >= until or ended()

    stats = schedule_search.SearchStats()  # the rebuilds' (one lane at a time runs them)
    generated = [0]  # the islands' schedules, counted under the lock
    rebuild_slices = [0]

    def rebuilds(until: float) -> None:
        placements, _ = incumbent.best()
        rebuild_slices[0] += 1
        for plan, value in schedule_search.improve(
            problem,
            placements,
            search.value,
            stop=stop_at(until),
            seed=settings.seed + rebuild_slices[0],
            stats=stats,
            tuning=tuning.schedule_search,
        ):
            incumbent.offer(plan, value, "rebuilds")

    islands: dict[int, population.Population] = {}

    def island(k: int) -> Callable[[float], None]:
        name = f"population-{k + 1}"

        def run(until: float) -> None:
            placements, value = incumbent.best()
            pop = islands.get(k)
            if pop is None or pop.net.tasks != sorted(placements):
                known = search.population if k == 0 else None
                if known is not None and known.net.tasks == sorted(placements):
                    pop = known
                else:
                    pop = population.start(
                        problem, placements, seed=settings.seed + k, tuning=search.population_tuning
                    )
                islands[k] = pop
            if value < pop.reported - 1e-9:
                population.adopt(pop, placements)
            before = pop.schedules
            for plan, plan_value in population.improve(pop, search.value, stop=stop_at(until)):
                incumbent.offer(plan, plan_value, name)
            with lock:
                generated[0] += pop.schedules - before

        return run

    arms = [bandit.Arm("cp-sat", cp_sat), bandit.Arm("rebuilds", rebuilds)]
    if islands_apply:
        arms += [bandit.Arm(f"population-{k + 1}", island(k)) for k in range(tuning.bandit.islands)]
    outcome = bandit.run_lanes(
        arms,
        incumbent,
        lanes=lanes,
        deadline=search.wall_deadline,
        ended=ended,
        tuning=tuning.bandit,
        time_limit=settings.time_limit,
        seed=settings.seed,
    )
    result.placements, result.objective = incumbent.best()
    result.optimal = proven[0] or _proven(search, result)
    result.stats["bandit"] = outcome.as_dict()
    stats.rebuilds += generated[0]
    _count_schedules(result, stats)


def _switches_to_a_staffing_search(search: _Search, result: OptimiseResult) -> bool:
    """Whether a whole-model solve too large for the start-order search from the start
    (``search_max_tasks``) takes it up once CP-SAT's own search stalls: people to name, at
    most ``switch_max_tasks`` tasks (:class:`~solver.settings.StaffingTuning`), a second
    worker, not deterministic, not a replan."""
    settings = search.settings
    staffing = settings.tuning.staffing
    return (
        search.disruption is None
        and settings.workers >= 2
        and not settings.deterministic
        and staffing.search_max_tasks < search.problem.num_tasks <= staffing.switch_max_tasks
        and any(pl.people for pl in result.placements.values())
    )


def _out_of_time(search: _Search) -> bool:
    return _remaining(search) < search.settings.tuning.full_model.min_round_seconds


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

    limit = max(0.1, _remaining(search))
    stalls = settings.tuning.stalls
    watch = None
    if probe:
        watch = Watch(stalls.probe_stall(settings.time_limit), stop_on_stall=False)
    elif stall is not None:
        watch = Watch(stall, stop_on_stall=True, poll_seconds=stalls.watch_poll_seconds)

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
            stop=search.stop,
            wall_deadline=search.wall_deadline,
        )

    beaten = False
    if probe and watch is not None:
        sub, beaten = _probe_beside(
            search, result, run, watch, rival=lambda: own_best[0], bound=lambda: own_bound[0]
        )
    else:
        sub = run()
    result.stats["cp_sat_status"] = sub.status
    search.guard(sub)
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
    find better ones meanwhile). Once ahead, the schedule search stops the solve and ends
    (the time slices take over); the solve's bound so far (``bound``) ends it too.

    Where the population search applies, it does not wait for a stall: it starts once the
    solve has had the stall's patience (easy models are proven by then).
    """
    outcome: list[SubResult] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(run())
        except BaseException as exc:  # re-raised in this thread below
            errors.append(exc)

    tuning = search.settings.tuning
    patience = watch.stall.minimum
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    uses_population = search.uses_population(result.placements)  # measured while the solve runs
    probed = beaten = False
    while thread.is_alive():
        thread.join(tuning.stalls.probe_poll_seconds)
        due = watch.stalled() or (uses_population and time.perf_counter() - watch.began >= patience)
        if not probed and thread.is_alive() and due and watch.plan is not None:
            probed = True
            start = watch.plan if search.value(watch.plan) < result.objective else result.placements
            beaten = _schedule_round(
                search,
                result,
                start,
                stall=None if uses_population else tuning.stalls.schedule_search,
                on_better=watch.stop,
                running=watch.finished,
                rival=rival,
                bound=bound,
                until_ahead=_slices_pay(search, result),
            )
    if errors:
        raise errors[0]
    return outcome[0], beaten


def _schedule_round(
    search: _Search,
    result: OptimiseResult,
    start: dict[int, Placement],
    *,
    stall: Stall | None,
    on_better: Callable[[], None] | None = None,
    running: threading.Event | None = None,
    rival: Callable[[], float] | None = None,
    bound: Callable[[], float] | None = None,
    until_ahead: bool = False,
) -> bool:
    """Schedule rebuilds from ``start`` until they ``stall`` (None: until the time limit; where
    the population search applies it counts its own stall, in generations);
    True if they beat the incumbent (and the ``rival``'s current value, if given).

    ``on_better`` is called on the first plan that beats them; with ``running`` (a solve
    beside this search) the search also ends when that solve ends without being stopped.
    ``until_ahead``: the search ends once it has beaten them (the bandit takes over).
    """
    settings, began = search.settings, search.began
    beside = running
    found = False

    def ended() -> bool:
        reached = bound is not None and result.objective <= bound() + 1e-6
        ended_beside = beside is not None and beside.is_set()
        ahead = until_ahead and found
        return reached or search.stopped() or _proven(search, result) or ended_beside or ahead

    stats = schedule_search.SearchStats()
    steps: Iterator[tuple[dict[int, Placement], float]]
    tuning = settings.tuning
    uses_population = search.uses_population(start)
    if uses_population and stall is not None:
        stall = tuning.stalls.population
    stop, improved = schedule_search.stall_stop(began + settings.time_limit, stall, bound_reached=ended)
    if uses_population:
        steps = population.improve(_population(search, start), search.value, stop=stop, stats=stats)
    else:
        steps = schedule_search.improve(
            search.problem,
            start,
            search.value,
            stop=stop,
            seed=settings.seed,
            stats=stats,
            tuning=tuning.schedule_search,
        )
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
    _count_schedules(result, stats)
    return found


def _count_schedules(result: OptimiseResult, stats: schedule_search.SearchStats) -> None:
    """Add a schedule search's counts to the result's ``schedule_search`` stats."""
    total = result.stats.setdefault("schedule_search", {"rebuilds": 0, "improvements": 0, "mode_switches": 0})
    assert isinstance(total, dict)
    total["rebuilds"] += stats.rebuilds
    total["improvements"] += stats.improvements
    total["mode_switches"] += stats.mode_switches


def _population(search: _Search, start: dict[int, Placement]) -> population.Population:
    """The population search's state, started from ``start`` or, when it already runs on
    the same tasks, with ``start`` (another search's plan) in place of its worst individual."""
    pop = search.population
    if pop is None or pop.net.tasks != sorted(start):
        settings = search.settings
        pop = search.population = population.start(
            search.problem, start, seed=settings.seed, tuning=search.population_tuning
        )
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


def neighbourhood_solve(
    problem: Problem,
    placements: dict[int, Placement],
    free: list[int],
    settings: SolverSettings,
    limit: float,
    *,
    disruption: Disruption | None,
    seed: int,
    stop: StopRequest | None = None,
    wall_deadline: float | None = None,
    max_delay: int | None = -1,
    max_advance: int | None = -1,
) -> Callable[[], SubResult]:
    """Build the CP-SAT model of one neighbourhood (``free`` move, the rest of ``placements``
    stays, hinted by ``placements``) and return the solve of it for ``limit`` seconds.

    ``max_delay`` and ``max_advance`` bound how far a freed task may move (working days;
    None: anywhere; -1: the LNS tuning's ``max_delay_days`` and ``max_advance_days``).
    """
    tuning = settings.tuning.lns
    optional = {int(problem.task2project[t]) for t in free if t not in placements}
    scope = build_scope(
        problem,
        free,
        placements,
        optional,
        max_delay=tuning.max_delay_days if max_delay == -1 else max_delay,
        max_advance=tuning.max_advance_days if max_advance == -1 else max_advance,
        disruption=disruption,
        max_candidates=tuning.max_candidates,
        staffing=settings.tuning.staffing,
    )
    built = build_model(scope)
    add_hint(built, placements)
    deterministic = settings.deterministic
    workers = 1 if deterministic else tuning.step_workers

    def run() -> SubResult:
        return solve_model(
            built,
            time_limit=limit,
            workers=workers,
            seed=seed,
            deterministic=deterministic,
            extra_params=with_overrides(settings, tuning.step_parameters(workers)),
            track=False,
            stop=stop,
            wall_deadline=wall_deadline if deterministic else None,
            calibration=settings.tuning.deterministic,
        )

    return run


def lns_lanes(settings: SolverSettings) -> int:
    """How many neighbourhood searches run side by side (one in deterministic runs)."""
    tuning = settings.tuning.lns
    if settings.deterministic:
        return 1
    return max(1, tuning.lanes or settings.workers // tuning.step_workers)


@dataclass(frozen=True)
class _Step:
    """A lane's next neighbourhood, built and ready to solve."""

    name: str
    free: list[int]
    solve: Callable[[], SubResult]
    limit: float


@dataclass
class _Lane:
    """One neighbourhood search: its own plan, random numbers, scores and size."""

    number: int
    placements: dict[int, Placement]
    objective: float
    rng: random.Random
    scores: dict[str, float]
    size: int
    stale: int = 0  # steps since this lane last improved its plan
    tries: dict[str, int] = field(default_factory=dict)
    gains: dict[str, int] = field(default_factory=dict)


def _weights(scores: dict[str, float], tuning: LnsTuning) -> list[float]:
    """Draw weights of the neighbourhoods from their scores: with ``gain`` scoring each keeps
    at least ``gain_floor`` of the best one's, so none is never tried again."""
    if tuning.scoring == "count":
        return list(scores.values())
    floor = tuning.gain_floor * max(scores.values())
    return [max(score, floor) for score in scores.values()]


def _score(
    scores: dict[str, float], name: str, improved: bool, before: float, after: float, tuning: LnsTuning
) -> None:
    """Update a neighbourhood's score after a step (see :class:`~solver.settings.LnsTuning`)."""
    if tuning.scoring == "count":
        scores[name] = scores[name] + 1.0 if improved else max(0.2, scores[name] * 0.95)
        return
    gain = 100 * max(0.0, before - after) / max(abs(before), 1e-9)
    scores[name] = tuning.gain_memory * scores[name] + (1 - tuning.gain_memory) * gain


def _lns(search: _Search, result: OptimiseResult) -> None:
    """Neighbourhoods around the incumbent, each a small CP-SAT model, until the time runs out.

    With ``lanes`` above one (:func:`lns_lanes`) that many searches run side by side, each
    in its own thread with its own plan and random numbers (so none waits for or undoes
    another), from the same start; a lane that has not improved for ``adopt_after`` steps
    while another holds a better plan takes that plan up. The result is the best plan of
    any lane.
    """
    problem, settings, began, on_improvement = (
        search.problem,
        search.settings,
        search.began,
        search.on_improvement,
    )
    if not search.movable(list(range(problem.num_tasks))):
        return
    tuning = settings.tuning.lns
    picks = dict(NEIGHBOURHOODS)
    disruption = search.disruption
    if disruption is not None and disruption.focus:
        # with every change free there is nothing to undo: the neighbourhood stays on the changes
        undo = None if disruption.weights.free else disruption.reference
        picks[CHANGED_WORK] = changed_work(disruption.focus, undo)
    count = lns_lanes(settings)
    deterministic = settings.deterministic
    lanes = [
        _Lane(
            k,
            result.placements,
            result.objective,
            random.Random(settings.seed if k == 0 else settings.seed * 7919 + k),
            # a replan is about what changed: its neighbourhood starts ahead of the late-work ones
            {
                name: (2 if name == CHANGED_WORK else 1) * tuning.late_work_weight
                if name in LATE_WORK
                else 1.0
                for name in picks
            },
            tuning.start_size,
        )
        for k in range(count)
    ]
    iterations = improvements = adoptions = 0

    def finished() -> bool:
        remaining = _remaining(search)
        return remaining < 0.05 or (search.disruption is None and search.reached_bound(result.objective))

    def prepare(lane: _Lane) -> _Step | None:
        """The lane's next neighbourhood and the solve of it (None: it frees nothing)."""
        nonlocal iterations
        name = lane.rng.choices(list(lane.scores), weights=_weights(lane.scores, tuning))[0]
        lane.tries[name] = lane.tries.get(name, 0) + 1
        free = search.movable(picks[name](problem, lane.placements, lane.size, lane.rng))
        if not free:
            iterations += 1
            search.spent_det += tuning.min_step_deterministic_seconds
            return None
        limit = min(settings.lns_seconds, _remaining(search))
        run = neighbourhood_solve(
            problem,
            lane.placements,
            free,
            settings,
            limit,
            disruption=search.disruption,
            seed=lane.rng.randrange(1 << 30),
            stop=search.stop,
            wall_deadline=search.wall_deadline,
            # work around a changed project may move anywhere: it gives way to (or takes) whole slots
            max_delay=None if name == CHANGED_WORK else -1,
            max_advance=None if name == CHANGED_WORK else -1,
        )
        return _Step(name, free, run, limit)

    def land(lane: _Lane, step: _Step, sub: SubResult) -> None:
        """Take a finished step's plan into its lane if it is as good; adapt the lane."""
        nonlocal iterations, improvements, adoptions
        name, free = step.name, step.free
        # Tiny neighbourhoods cost CP-SAT almost no deterministic time but Python real work:
        # charge each step at least a little so deterministic runs end in bounded wall time.
        search.spent_det += max(sub.charged_seconds, tuning.min_step_deterministic_seconds)
        search.guard(sub)
        iterations += 1
        improved = False
        before = lane.objective
        if sub.placements is not None:
            candidate = {t: pl for t, pl in lane.placements.items() if t not in set(free)}
            candidate.update(sub.placements)
            value = search.value(candidate)
            if value <= lane.objective + 1e-9:  # a tie keeps the search moving
                improved = value < lane.objective - 1e-9
                lane.placements, lane.objective = candidate, value
        _score(lane.scores, name, improved, before, lane.objective, tuning)
        if improved:
            lane.stale = 0
            lane.gains[name] = lane.gains.get(name, 0) + 1
            if _take(search, result, lane.placements):
                improvements += 1
                if on_improvement:
                    on_improvement(time.perf_counter() - began, result.objective, result.bound, name)
        else:
            lane.stale += 1
        # a deterministic run reads its charge, not the clock: a busy core must not change its path
        used = sub.charged_seconds if deterministic else sub.wall_seconds
        if sub.status == "OPTIMAL" and used < 0.5 * step.limit:
            lane.size = min(tuning.max_size, int(lane.size * 1.15) + 1)
        elif sub.status != "OPTIMAL":
            lane.size = max(tuning.min_size, int(lane.size * 0.85))
        if count > 1 and lane.stale >= tuning.adopt_after and result.objective < lane.objective - 1e-9:
            lane.placements, lane.objective, lane.stale = result.placements, result.objective, 0
            adoptions += 1

    if count == 1:
        lane = lanes[0]
        while not finished():
            step = prepare(lane)
            if step is not None:
                land(lane, step, step.solve())
    else:
        with ThreadPoolExecutor(count, thread_name_prefix="lns") as pool:
            running: dict[Future[SubResult], tuple[_Lane, _Step]] = {}
            idle = list(lanes)
            while True:
                while idle and not finished():
                    lane = idle.pop(0)
                    step = prepare(lane)
                    if step is None:
                        idle.append(lane)
                        continue
                    running[pool.submit(step.solve)] = (lane, step)
                if not running:
                    break
                done, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for future in done:
                    lane, step = running.pop(future)
                    land(lane, step, future.result())
                    idle.append(lane)
    tries: dict[str, int] = {}
    gains: dict[str, int] = {}
    for lane in lanes:
        for name, n in lane.tries.items():
            tries[name] = tries.get(name, 0) + n
        for name, n in lane.gains.items():
            gains[name] = gains.get(name, 0) + n
    result.stats.update(
        {
            "method": "levelling + cp-sat lns",
            "lns_iterations": iterations,
            "lns_improvements": improvements,
            "lns_final_size": lanes[0].size,
            "lns_moves": {n: f"{gains.get(n, 0)}/{tries[n]}" for n in sorted(tries)},
        }
    )
    if count > 1:
        result.stats["lns_lanes"] = count
        result.stats["lns_adoptions"] = adoptions
