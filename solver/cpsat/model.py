"""Build, hint, solve and read back a CP-SAT model of a scope."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from solver.construct.levelling import Placement
from solver.cpsat.constraints import CONSTRAINTS, Family
from solver.cpsat.objective import SCALE, set_objective
from solver.cpsat.parameters import as_text
from solver.cpsat.scope import Scope
from solver.cpsat.variables import Variables, make_variables
from solver.settings import Stall

STALL_POLL_SECONDS = 0.05  # how often a stall watcher looks at the clock


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

    With ``stop_on_stall`` the solve stops itself on a stall. Only plans count as progress:
    on large pool-only models CP-SAT's bound creeps up for a minute while its plan stays put.
    """

    def __init__(self, stall: Stall, *, stop_on_stall: bool) -> None:
        self.stall = stall
        self.stop_on_stall = stop_on_stall
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
        while not self.finished.wait(STALL_POLL_SECONDS):
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
    extra_params: dict[str, object] | None = None,
    track: bool = True,
    stop_at: float | None = None,
    watch: Watch | None = None,
) -> SubResult:
    """Solve the model and read back the free tasks' placements.

    ``stop_at``: a proven lower bound on the objective (contract units); the search stops
    as soon as a plan reaches it. ``watch``: lets another thread follow and stop the solve
    (needs ``track``; not in deterministic runs, which cannot read the clock).
    """
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = 1 if deterministic else workers
    params.random_seed = seed
    if deterministic:
        params.max_deterministic_time = time_limit
    else:
        params.max_time_in_seconds = time_limit
    params.log_search_progress = log
    if extra_params and not params.merge_text_format(as_text(extra_params)):
        raise ValueError(f"CP-SAT did not take the parameters {extra_params}")
    # Neighbourhood solves pass no callback: hundreds of them run per minute and a Python
    # callback from CP-SAT's threads costs time (and is one less moving part).
    watching = watch if track and not deterministic else None
    callback = _Progress(built, on_solution, stop_at, watching) if track else None
    if watching is not None:
        watching.attach(solver)
    try:
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
    return SubResult(
        status=name,
        placements=placements,
        objective=objective,
        bound=bound,
        wall_seconds=solver.wall_time,
        deterministic_seconds=solver.deterministic_time,
        first_solution_seconds=callback.first if callback else None,
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
