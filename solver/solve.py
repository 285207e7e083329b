"""Solve orchestration: checks, levelling, optimisation, verification."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from model.assemble import assemble_plan, empty_plan
from model.kpis import objective_value
from model.plan import Plan, PlanStatus
from model.portfolio import Portfolio
from solver.convert import to_assignments
from solver.feasibility import infeasibility_reasons
from solver.levelling import LevellingResult, level
from solver.problem import Problem, compile_problem
from solver.settings import SolverSettings


@dataclass(frozen=True)
class Progress:
    """A progress event: a better plan was found or the bound moved."""

    seconds: float
    objective: float | None
    bound: float | None
    message: str = ""

    @property
    def gap(self) -> float | None:
        """Relative gap between objective and bound (None until both are known)."""
        if self.objective is None or self.bound is None:
            return None
        if self.objective == 0:
            return 0.0
        return max(0.0, (self.objective - self.bound) / abs(self.objective))


ProgressCallback = Callable[[Progress], None]

LEVELLING_RULES = ("priority", "deadline")


def best_levelling(problem: Problem) -> tuple[LevellingResult, float | None, list[LevellingResult]]:
    """Run every levelling rule; the complete plan with the lowest objective wins."""
    results = [level(problem, rule) for rule in LEVELLING_RULES]
    best: LevellingResult | None = None
    best_value: float | None = None
    for result in results:
        if not result.complete:
            continue
        value = objective_value(
            problem.portfolio, to_assignments(problem, result.placements.values())
        )
        if best_value is None or value < best_value:
            best, best_value = result, value
    return (best or results[0]), best_value, results


def unplaced_explanation(problem: Problem, result: LevellingResult) -> list[str]:
    """What levelling could not place, in PMO words."""
    lines = []
    for task, why in result.failed[:20]:
        lines.append(f"could not place {problem.task_name(task)}: {why}")
    if len(result.failed) > 20:
        lines.append(f"… and {len(result.failed) - 20} more task(s)")
    lines.append(
        "this is no proof that no plan exists; give the optimiser more time or relax the "
        "deadlines named above"
    )
    return lines


def solve(
    portfolio: Portfolio,
    settings: SolverSettings | None = None,
    progress: ProgressCallback | None = None,
) -> Plan:
    """Plan a validated portfolio.

    Parameters
    ----------
    portfolio
        A portfolio that passed :func:`model.load.parse_portfolio`.
    settings
        Time limit, workers, seed; defaults to :class:`SolverSettings`.
    progress
        Called on every improvement.

    Returns
    -------
    Plan
        Verified by the independent checker; ``infeasible`` and ``no_solution``
        are statuses, never exceptions.
    """
    settings = settings or SolverSettings()
    began = time.perf_counter()
    problem = compile_problem(portfolio)
    reasons = infeasibility_reasons(problem)
    if reasons:
        return empty_plan(
            PlanStatus.infeasible,
            explanation=[str(r) for r in reasons],
            solve_seconds=time.perf_counter() - began,
            stats={"method": "necessary checks"},
        )
    result, value, _ = best_levelling(problem)
    elapsed = time.perf_counter() - began
    if value is None:
        return empty_plan(
            PlanStatus.no_solution,
            explanation=unplaced_explanation(problem, result),
            solve_seconds=elapsed,
            stats={"method": "levelling"},
        )
    if progress:
        progress(Progress(elapsed, value, None, "levelling"))
    stats = {
        "method": "levelling",
        "first_plan_seconds": round(elapsed, 3),
        "levelling_objective": value,
        "left_out": [problem.project_ids[p] for p in result.left_out],
    }
    return assemble_plan(
        portfolio,
        to_assignments(problem, result.placements.values()),
        PlanStatus.feasible,
        solve_seconds=time.perf_counter() - began,
        stats=stats,
    )
