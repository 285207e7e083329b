"""Improve a plan with CP-SAT: the full model when it is small, large-neighbourhood search when not."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from solver.cpsat.model import SubResult, add_hint, build_model, solve_model
from solver.cpsat.scope import build_scope
from solver.evaluate import objective_of
from solver.levelling import Placement
from solver.lns import NEIGHBOURHOODS
from solver.problem import Problem
from solver.settings import SolverSettings

# Above this many (requirement, candidate) pairs the full model's presolve alone
# takes seconds (see shared notes); neighbourhoods keep each CP-SAT model small.
FULL_MODEL_MAX_ASSIGNMENTS = 6000
LNS_START_SIZE = 60
LNS_MIN_SIZE = 12
LNS_MAX_SIZE = 400
LNS_MAX_DELAY = 30  # working days a freed task may end later than in the incumbent
# Neighbourhood models are small and solved hundreds of times: a single presolve pass
# and no symmetry detection cut their solve time by about a third (measured on p60).
LNS_PARAMETERS: dict[str, object] = {"max_presolve_iterations": 1, "symmetry_level": 0}

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


def optimise(
    problem: Problem,
    start: dict[int, Placement],
    settings: SolverSettings,
    *,
    began: float,
    on_improvement: Improvement | None = None,
) -> OptimiseResult:
    """Improve ``start`` until the time limit; never returns anything worse."""
    incumbent = dict(start)
    value = objective_of(problem, incumbent)
    result = OptimiseResult(incumbent, value, None, False, time.perf_counter() - began)
    full = settings.strategy == "full" or (
        settings.strategy == "auto" and assignment_count(problem) <= FULL_MODEL_MAX_ASSIGNMENTS
    )
    if full:
        _full_model(problem, result, settings, began, on_improvement)
    else:
        _lns(problem, result, settings, began, on_improvement)
    return result


def _remaining(settings: SolverSettings, began: float, spent_det: float) -> float:
    if settings.deterministic:
        return settings.time_limit - spent_det
    return settings.time_limit - (time.perf_counter() - began)


def _full_model(
    problem: Problem,
    result: OptimiseResult,
    settings: SolverSettings,
    began: float,
    on_improvement: Improvement | None,
) -> None:
    proposed = {p for p in range(problem.num_projects) if not problem.project_committed[p]}
    scope = build_scope(problem, list(range(problem.num_tasks)), result.placements, proposed)
    built = build_model(scope)
    add_hint(built, result.placements)

    def report(seconds: float, objective: float, bound: float) -> None:
        if on_improvement:
            on_improvement(time.perf_counter() - began, objective, bound, "cp-sat")

    limit = max(0.1, _remaining(settings, began, 0.0))
    sub = solve_model(
        built,
        time_limit=limit,
        workers=settings.workers,
        seed=settings.seed,
        deterministic=settings.deterministic,
        log=settings.log,
        on_solution=report,
    )
    result.stats.update({"method": "cp-sat full model", "cp_sat_status": sub.status})
    _accept(problem, result, sub, began, whole=True)
    if sub.bound is not None:
        result.bound = sub.bound
    result.optimal = sub.status == "OPTIMAL" and result.objective <= (sub.objective or 0) + 1e-6


def _accept(problem: Problem, result: OptimiseResult, sub: SubResult, began: float, whole: bool) -> bool:
    if sub.placements is None:
        return False
    if whole:
        candidate = sub.placements
    else:
        candidate = dict(result.placements)
        candidate.update(sub.placements)
    value = objective_of(problem, candidate)
    if value < result.objective - 1e-9:
        result.placements = candidate
        result.objective = value
        result.best_seconds = time.perf_counter() - began
        return True
    if value <= result.objective + 1e-9 and not whole:
        result.placements = candidate  # a sideways move keeps the search moving
    return False


def _lns(
    problem: Problem,
    result: OptimiseResult,
    settings: SolverSettings,
    began: float,
    on_improvement: Improvement | None,
) -> None:
    rng = random.Random(settings.seed)
    scores = {name: 1.0 for name, _ in NEIGHBOURHOODS}
    size = LNS_START_SIZE
    spent_det = 0.0
    iterations = improvements = 0
    while True:
        remaining = _remaining(settings, began, spent_det)
        if remaining < 0.05:
            break
        name, pick = rng.choices(NEIGHBOURHOODS, weights=[scores[n] for n, _ in NEIGHBOURHOODS])[0]
        free = pick(problem, result.placements, size, rng)
        if not free:
            break
        optional = {int(problem.task2project[t]) for t in free if t not in result.placements}
        scope = build_scope(problem, free, result.placements, optional, max_delay=LNS_MAX_DELAY)
        built = build_model(scope)
        add_hint(built, result.placements)
        limit = min(settings.lns_seconds, remaining)
        sub = solve_model(
            built,
            time_limit=limit,
            workers=settings.workers,
            seed=rng.randrange(1 << 30),
            deterministic=settings.deterministic,
            extra_params=LNS_PARAMETERS,
        )
        spent_det += sub.deterministic_seconds
        iterations += 1
        improved = _accept(problem, result, sub, began, whole=False)
        if improved:
            improvements += 1
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
        }
    )
