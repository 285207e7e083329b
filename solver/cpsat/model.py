"""Build, hint, solve and read back a CP-SAT model of a scope."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from solver.construct.levelling import Placement
from solver.cpsat.constraints import CONSTRAINTS, Family
from solver.cpsat.objective import SCALE, set_objective
from solver.cpsat.parameters import as_text
from solver.cpsat.scope import Scope
from solver.cpsat.variables import Variables, make_variables
from solver.settings import DeterministicTuning, Stall, StallTuning
from solver.stop import StopRequest, stopped

STOPPED_SECONDS = 0.01  # a solve that starts after a stop request only reads back its hint


@dataclass
class BuiltModel:
    """A CP-SAT model of a scope and its variables."""

    scope: Scope
    model: cp_model.CpModel
    variables: Variables
    build_seconds: float


@dataclass
class SubResult:
    """Outcome of one CP-SAT solve of a scope."""

    status: str  # OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN, MODEL_INVALID
    placements: dict[int, Placement] | None  # placements of the free tasks (present ones)
    objective: float | None  # in contract units
    bound: float | None  # in contract units
    wall_seconds: float
    deterministic_seconds: float
    first_solution_seconds: float | None
    cut_by_wall: bool = False  # a deterministic solve ended by its ``wall_deadline``: not reproducible
    charged_seconds: float = 0.0  # a calibrated deterministic solve: seconds of the run's limit it used


@dataclass(frozen=True)
class CpSatCost:
    """What a CP-SAT solve of one model costs in wall seconds on these machines (an estimate
    from the model alone, so deterministic runs can charge it without reading the clock)."""

    overhead: float  # presolve and loading
    per_unit: float  # wall seconds per deterministic second of search

    def units(self, seconds: float) -> float:
        """Deterministic seconds that ``seconds`` of wall time buy after the overhead."""
        return max(0.0, seconds - self.overhead) / self.per_unit

    def seconds(self, units: float) -> float:
        """Wall seconds charged for a solve that used ``units`` deterministic seconds."""
        return self.overhead + units * self.per_unit


def cp_sat_cost(model: cp_model.CpModel, tuning: DeterministicTuning) -> CpSatCost:
    """The :class:`CpSatCost` of ``model``: an overhead per variable and constraint, and a
    price per deterministic second that grows with the optional intervals in cumulative
    constraints (:class:`~solver.settings.DeterministicTuning`, RESULTS: Deterministic runs)."""
    proto = model.proto
    constraints = proto.constraints
    shared = 0
    for ct in constraints:
        if ct.has_cumulative():
            shared += sum(1 for k in ct.cumulative.intervals if constraints[k].enforcement_literal)
    elements = len(proto.variables) + len(constraints)
    per_unit = tuning.seconds_per_unit + tuning.seconds_per_unit_per_shared_interval * shared
    return CpSatCost(overhead=tuning.seconds_per_model_element * elements, per_unit=per_unit)


def build_model(scope: Scope, families: Sequence[Family] = CONSTRAINTS) -> BuiltModel:
    """Variables, each constraint family in order, then the objective."""
    began = time.perf_counter()
    model = cp_model.CpModel()
    variables = make_variables(model, scope)
    for family in families:
        family(model, scope, variables)
    set_objective(model, scope, variables)
    return BuiltModel(scope, model, variables, time.perf_counter() - began)


def has_decisions_beyond_times(built: BuiltModel) -> bool:
    """Whether the model decides more than task times: people, modes or optional projects."""
    v = built.variables
    return bool(v.assign or v.project_present) or any(len(tv.modes) > 1 for tv in v.tasks.values())


def add_start_order_search(built: BuiltModel) -> None:
    """Decision strategy: fix task starts, the earliest possible first, each to its earliest.

    CP-SAT's ``fixed`` subsolver follows it: the "set times" search that lazy clause
    generation solvers use on multi-skill scheduling, with names left to propagation.
    """
    starts = [tv.start for tv in built.variables.tasks.values()]  # in the scope's topological order
    built.model.add_decision_strategy(starts, cp_model.CHOOSE_LOWEST_MIN, cp_model.SELECT_MIN_VALUE)


def add_hint(built: BuiltModel, placements: dict[int, Placement]) -> None:
    """Hint every decision variable from a known plan (complete where the plan covers it)."""
    scope, model, v = built.scope, built.model, built.variables
    pb = scope.problem
    for p, present in v.project_present.items():
        model.add_hint(present, any(t in placements for t in pb.project2tasks[p]))
    for t, tv in v.tasks.items():
        pl = placements.get(t)
        if pl is None:
            for _, b in tv.modes:
                if b is not None:
                    model.add_hint(b, False)
            continue
        model.add_hint(tv.start, pl.start)
        model.add_hint(tv.end, pl.end)
        for mode, b in tv.modes:
            if b is not None:
                model.add_hint(b, mode == pl.mode)
        if len(tv.modes) > 1:
            model.add_hint(tv.length, pl.mode.length)  # type: ignore[arg-type]
            model.add_hint(tv.crew, pl.mode.crew)  # type: ignore[arg-type]
    chosen = {(req, person) for pl in placements.values() for person, req in pl.people}
    on = {(pl.task, person) for pl in placements.values() for person, _ in pl.people}
    for key, x in v.assign.items():
        model.add_hint(x, key in chosen)
    seen = {x.index for x in v.assign.values()}
    for key, lit in v.works.items():
        if lit.index not in seen:
            model.add_hint(lit, key in on)
    for p, finish in v.project_finish.items():
        ends = [placements[t].end for t in pb.project2tasks[p] if t in placements]
        ends += [
            scope.incumbent[t].end for t in pb.project2tasks[p] if t not in v.tasks and t in scope.incumbent
        ]
        value = max(ends) if ends else 0
        model.add_hint(finish, value)
        late = v.project_late.get(p)
        if late is not None:
            model.add_hint(late, max(0, value - 1 - int(pb.project_due[p])) if ends else 0)


class Watch:
    """Follows a running solve from another thread: its latest plan, whether it stalls (no
    better plan for a while, see :class:`~solver.settings.Stall`), and stops it.

    With ``stop_on_stall`` the solve stops itself on a stall, looked for every
    ``poll_seconds`` (None: :class:`~solver.settings.StallTuning`'s default). Only plans count
    as progress: on large pool-only models CP-SAT's bound creeps up while its plan stays put.
    """

    def __init__(self, stall: Stall, *, stop_on_stall: bool, poll_seconds: float | None = None) -> None:
        self.stall = stall
        self.stop_on_stall = stop_on_stall
        self.poll_seconds = poll_seconds if poll_seconds is not None else StallTuning().watch_poll_seconds
        self.began = time.perf_counter()
        self.last_progress = self.began
        self.plan: dict[int, Placement] | None = None  # the latest (best) plan of the solve
        self.finished = threading.Event()
        self._solver: cp_model.CpSolver | None = None

    def progressed(self) -> None:
        """A better plan was found (CP-SAT reports improving plans only)."""
        self.last_progress = time.perf_counter()

    def stalled(self) -> bool:
        """Whether the solve has a plan and has stalled."""
        now = time.perf_counter()
        return self.plan is not None and self.stall.exceeded(now - self.last_progress, now - self.began)

    def stop(self) -> None:
        """Ask the solve to stop (it returns its best plan so far)."""
        if self._solver is not None:
            self._solver.stop_search()

    def attach(self, solver: cp_model.CpSolver) -> None:
        """Follow ``solver`` (called by :func:`solve_model` before it starts)."""
        self._solver = solver
        if self.stop_on_stall:
            threading.Thread(target=self._stop_on_stall, daemon=True).start()

    def _stop_on_stall(self) -> None:
        while not self.finished.wait(self.poll_seconds):
            if self.stalled():
                self.stop()
                return


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(
        self,
        built: BuiltModel,
        on_solution: Callable[[float, float, float], None] | None,
        stop_at: float | None = None,
        watch: Watch | None = None,
    ) -> None:
        super().__init__()
        self.built = built
        self.first: float | None = None
        self.began = time.perf_counter()
        self.on_solution = on_solution
        self.stop_at = stop_at
        self.watch = watch

    def on_solution_callback(self) -> None:
        now = time.perf_counter() - self.began
        if self.first is None:
            self.first = now
        if self.watch is not None:
            self.watch.plan = read_placements(self.built, self)
            self.watch.progressed()
        if self.on_solution:
            self.on_solution(now, self.objective_value / SCALE, self.best_objective_bound / SCALE)
        if self.stop_at is not None and self.objective_value / SCALE <= self.stop_at + 1e-6:
            self.stop_search()  # a bound proved elsewhere says nothing better exists


def solve_model(
    built: BuiltModel,
    *,
    time_limit: float,
    workers: int,
    seed: int,
    deterministic: bool = False,
    log: bool = False,
    on_solution: Callable[[float, float, float], None] | None = None,
    extra_params: Mapping[str, object] | None = None,
    track: bool = True,
    stop_at: float | None = None,
    watch: Watch | None = None,
    stop: StopRequest | None = None,
    wall_deadline: float | None = None,
    calibration: DeterministicTuning | None = None,
) -> SubResult:
    """Solve the model and read back the free tasks' placements.

    ``stop_at``: a proven lower bound on the objective (contract units); the search stops
    as soon as a plan reaches it. ``watch``: lets another thread follow and stop the solve
    (needs ``track``; not in deterministic runs, which cannot read the clock). ``stop``:
    the solve ends as soon as it is requested, with its best plan so far. ``wall_deadline``: a
    deterministic solve (``time_limit`` in deterministic seconds) also ends at this
    ``time.perf_counter()`` time; the result says whether that cut it (``cut_by_wall``).
    With ``calibration`` a deterministic solve's ``time_limit`` is in seconds of the run's
    limit, not deterministic seconds: it gets what :func:`cp_sat_cost` says they buy, and
    ``charged_seconds`` says what it used.
    """
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = 1 if deterministic else workers
    params.random_seed = seed
    if stopped(stop):
        time_limit = STOPPED_SECONDS
    cost = cp_sat_cost(built.model, calibration) if deterministic and calibration is not None else None
    if deterministic:
        params.max_deterministic_time = time_limit if cost is None else cost.units(time_limit)
        if wall_deadline is not None:
            params.max_time_in_seconds = max(STOPPED_SECONDS, wall_deadline - time.perf_counter())
    else:
        params.max_time_in_seconds = time_limit
    params.log_search_progress = log
    # the caller owns SIGINT: CP-SAT's own handler would reset it to the default when it ends
    params.catch_sigint_signal = False
    if extra_params and not params.merge_text_format(as_text(extra_params)):
        raise ValueError(f"CP-SAT did not take the parameters {extra_params}")
    # Neighbourhood solves pass no callback: hundreds of them run per minute and a Python
    # callback from CP-SAT's threads costs time (and is one less moving part).
    watching = watch if track and not deterministic else None
    callback = _Progress(built, on_solution, stop_at, watching) if track else None
    if watching is not None:
        watching.attach(solver)
    try:
        if stop is None:
            status = solver.solve(built.model, callback)
        else:
            with stop.watching(solver):
                status = solver.solve(built.model, callback)
    finally:
        if watch is not None:
            watch.finished.set()
    name = solver.status_name(status)
    placements = None
    objective = bound = None
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        placements = read_placements(built, solver)
        objective = solver.objective_value / SCALE
        bound = solver.best_objective_bound / SCALE
    cut = (
        deterministic
        and wall_deadline is not None
        and not stopped(stop)
        and status not in (cp_model.OPTIMAL, cp_model.INFEASIBLE)
        and solver.wall_time >= params.max_time_in_seconds - 1e-3
        and solver.deterministic_time < params.max_deterministic_time
    )
    return SubResult(
        status=name,
        placements=placements,
        objective=objective,
        bound=bound,
        wall_seconds=solver.wall_time,
        deterministic_seconds=solver.deterministic_time,
        first_solution_seconds=callback.first if callback else None,
        cut_by_wall=cut,
        charged_seconds=cost.seconds(solver.deterministic_time) if cost is not None else 0.0,
    )


def read_placements(
    built: BuiltModel, solver: cp_model.CpSolver | cp_model.CpSolverSolutionCallback
) -> dict[int, Placement]:
    """Placements of the free tasks in the solver's (or a callback's) solution (absent tasks left out)."""
    scope, v = built.scope, built.variables
    pb = scope.problem
    out = {}
    for t, tv in v.tasks.items():
        if tv.present is not None and not solver.boolean_value(tv.present):
            continue
        mode = next(m for m, b in tv.modes if b is None or solver.boolean_value(b))
        people = tuple(
            (i, r)
            for r in pb.task2requirements[t]
            for i in scope.candidates[r].tolist()
            if solver.boolean_value(v.assign[(r, i)])
        )
        out[t] = Placement(t, int(solver.value(tv.start)), mode, people)
    return out
