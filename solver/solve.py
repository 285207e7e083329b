"""Solve orchestration: checks, levelling, optimisation, verification."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from model.assemble import Explainer, assemble_plan, empty_plan
from model.plan import Plan, PlanStatus
from model.portfolio import Portfolio
from solver.analysis.diagnose import diagnose
from solver.analysis.explain import explain_assignments
from solver.analysis.feasibility import infeasibility_reasons
from solver.analysis.fixes import infeasible_explanation
from solver.bounds.capacity import CapacityBound, capacity_bound
from solver.construct.levelling import LevellingResult, Placement, level, levelling_rules
from solver.construct.repair import repair_plan
from solver.convert import to_assignments
from solver.evaluate import objective_of, project_lateness
from solver.problem import Problem, compile_problem
from solver.search.optimiser import assignment_count, optimise, solve_whole
from solver.settings import SolverSettings
from solver.stop import StopRequest, stopped
from solver.windows import time_windows


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


def best_levelling(
    problem: Problem,
    on_first: Callable[[float], None] | None = None,
    stop: StopRequest | None = None,
    deadline: float | None = None,
) -> tuple[LevellingResult, float | None, list[LevellingResult]]:
    """Run every levelling rule; the complete plan with the lowest objective wins.

    ``on_first`` is called with the objective of the first complete plan, as soon as it exists.
    A ``stop`` request ends the rules early (with the best complete plan so far, if any); so
    does the ``deadline`` (a ``perf_counter`` time), once one complete plan exists.
    """
    rules = levelling_rules(problem)
    windows = time_windows(problem)
    results: list[LevellingResult] = []
    best: LevellingResult | None = None
    best_value: float | None = None
    for rule in rules:
        if results and stopped(stop):
            break
        if best is not None and deadline is not None and time.perf_counter() > deadline:
            break
        result = level(problem, rule, windows=windows)
        results.append(result)
        if not result.complete:
            continue
        value = objective_of(problem, result.placements)
        if best_value is None and on_first is not None:
            on_first(value)
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
    stop: StopRequest | None = None,
    *,
    start: Plan | None = None,
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
    stop
        When requested (from another thread), the search ends within a fraction of a
        second: the best plan so far is verified and returned with status ``stopped``,
        without an explanation; before any plan exists, ``no_solution``.
    start
        A plan of a close portfolio (a scenario's base plan): repaired to this one
        (:func:`~solver.construct.repair.repair_plan`), it is the search's start and hint
        unless levelling is better, so the result is never worse than the repaired plan.

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
        # the proof says what cannot hold; the fixes, each proven by a checked plan, what to change
        lines, fixes = infeasible_explanation(
            portfolio, reasons, [str(r) for r in reasons], _left(settings, began), stop
        )
        return empty_plan(
            PlanStatus.infeasible,
            explanation=lines,
            solve_seconds=time.perf_counter() - began,
            stats={"method": "necessary checks", **fixes},
        )
    first: list[float] = []

    def on_first(value: float) -> None:
        first.append(time.perf_counter() - began)
        if progress:
            progress(Progress(first[0], value, None, "levelling"))

    # the clock never decides a deterministic run
    deadline = None if settings.deterministic else began + settings.time_limit
    result, value, _ = best_levelling(problem, on_first, stop, deadline)
    repaired = None
    if start is not None and start.status.has_plan:
        repaired = repair_plan(portfolio, problem, start.assignments, start.unscheduled_projects)
    if value is None and repaired is None:
        return _without_levelling(portfolio, problem, result, settings, began, stop)
    stats: dict[str, object] = {
        "method": "levelling",
        "first_plan_seconds": round(first[0] if first else time.perf_counter() - began, 3),
        "levelling_objective": value,
    }
    placements = result.placements
    if repaired is not None:
        better = value is None or repaired.objective <= value
        stats["warm_start"] = repaired.summary + ("" if better else "; levelling was better")
        if better:
            placements = repaired.placements
    status = PlanStatus.feasible
    capacity = capacity_bound(problem, deadline)  # never below the critical-path bound: it starts there
    bound = capacity.objective
    if capacity.binding:
        # the people (or pool) whose capacity alone proves the bound: the portfolio's bottleneck
        stats["bound_from"] = ", ".join(capacity.binding)
    # levelling and the bound alone took the whole limit: no search, no explanation
    spent = deadline is not None and time.perf_counter() > deadline
    if settings.optimise:

        def on_improvement(seconds: float, objective: float, lb: float | None, source: str) -> None:
            if progress:
                progress(Progress(seconds, objective, lb if lb is not None else bound, source))

        opt = optimise(
            problem,
            placements,
            settings,
            began=began,
            on_improvement=on_improvement,
            lower_bound=bound,
            stop=stop,
        )
        placements = opt.placements
        stats.update(opt.stats)
        stats["best_plan_seconds"] = round(opt.best_seconds, 3)
        if opt.bound is not None and opt.bound > bound:
            bound = opt.bound
            stats["bound_method"] = "cp-sat (whole model)"
        if opt.optimal:
            status = PlanStatus.optimal
    stats.update(gap_stats(problem, placements, bound, capacity))
    status = _stopped_status(status, stop, stats)
    return assemble_plan(
        portfolio,
        to_assignments(problem, placements.values()),
        status,
        lower_bound=bound,
        solve_seconds=time.perf_counter() - began,
        stats=stats,
        explain=_explainer(problem, settings, status, spent, stats),
    )


def gap_stats(
    problem: Problem, placements: dict[int, Placement], bound: float, capacity: CapacityBound
) -> dict[str, object]:
    """The plan's gap in PMO words, for ``plan.stats``: the late working days no plan can avoid
    (``late_days_bound``, proven by ``late_days_bound_method``), this plan's
    (``late_days``) and the share of them not proven unavoidable (``late_days_gap_pct``);
    the objective's gap to its bound (``gap_pct``) and what proves that bound
    (``bound_method``, unless the whole-model search already named it)."""
    objective = objective_of(problem, placements)
    late = int(project_lateness(problem, placements).sum())
    floor = capacity.lateness.days
    out: dict[str, object] = {
        "late_days": late,
        "late_days_bound": floor,
        "late_days_bound_method": capacity.lateness.method,
        "late_days_gap_pct": round(100 * (late - floor) / late, 1) if late else 0.0,
        "gap_pct": round(100 * max(0.0, objective - bound) / abs(objective), 1) if objective else 0.0,
    }
    if bound <= capacity.objective + 1e-9:
        out["bound_method"] = (
            "capacity of " + ", ".join(capacity.binding) if capacity.binding else "critical path"
        )
    return out


def _left(settings: SolverSettings, began: float) -> float:
    """Seconds of the time limit still left (a twentieth kept for writing the plan)."""
    return max(0.0, 0.95 * settings.time_limit - (time.perf_counter() - began))


def _stopped_status(status: PlanStatus, stop: StopRequest | None, stats: dict[str, object]) -> PlanStatus:
    """``stopped`` for a plan not proven best when the solve was asked to stop (recorded in ``stats``)."""
    if stop is None or not stop.requested:
        return status
    stats["stopped_by"] = stop.reason
    return status if status == PlanStatus.optimal else PlanStatus.stopped


def _explainer(
    problem: Problem,
    settings: SolverSettings,
    status: PlanStatus = PlanStatus.feasible,
    spent: bool = False,
    stats: dict[str, object] | None = None,
) -> Explainer | None:
    """The plan's explanation (bottlenecks, why late, slack), when the settings ask for it:
    not for a stopped solve (its caller wants it to end now), nor when the time limit was
    ``spent`` before the search (said in ``stats``: ``pmo explain`` gives it later)."""
    if not settings.explain or status == PlanStatus.stopped:
        return None
    if spent:
        if stats is not None:
            stats["explanation"] = "left out: the time limit was spent"
        return None
    return lambda assignments: explain_assignments(problem, assignments)


def _without_levelling(
    portfolio: Portfolio,
    problem: Problem,
    result: LevellingResult,
    settings: SolverSettings,
    began: float,
    stop: StopRequest | None,
) -> Plan:
    """Levelling could not place everything: let CP-SAT search (small models) or give up."""
    explanation = unplaced_explanation(problem, result)
    small = assignment_count(problem) <= settings.tuning.full_model.max_assignments * 2
    if settings.optimise and small and not stopped(stop):
        remaining = max(0.1, settings.time_limit - (time.perf_counter() - began))
        sub = solve_whole(problem, {}, result.placements, settings, remaining, stop=stop)
        stats: dict[str, object] = {"method": "cp-sat full model", "cp_sat_status": sub.status}
        if sub.cut_by_wall:
            stats["cut_by_wall_guard"] = True
        if sub.status == "INFEASIBLE":
            remaining = max(1.0, settings.time_limit - (time.perf_counter() - began))
            reasons = diagnose(problem, seconds=remaining / 2)  # the other half proves fixes
            head = ["these rules cannot all hold together; relaxing any one of them as shown is enough:"]
            lines = (
                head + [f"{r.rule}: {r.message}" for r in reasons]
                if reasons
                else [
                    "the optimiser proved that no plan satisfies every hard rule (people, skills and "
                    "capacity together; no deadline or pin alone is to blame)"
                ]
            )
            lines, fixes = infeasible_explanation(portfolio, reasons, lines, _left(settings, began), stop)
            return empty_plan(
                PlanStatus.infeasible,
                explanation=lines,
                solve_seconds=time.perf_counter() - began,
                stats={**stats, **fixes},
            )
        if sub.placements is not None:
            status = PlanStatus.optimal if sub.status == "OPTIMAL" else PlanStatus.feasible
            status = _stopped_status(status, stop, stats)
            return assemble_plan(
                portfolio,
                to_assignments(problem, sub.placements.values()),
                status,
                lower_bound=sub.bound,
                solve_seconds=time.perf_counter() - began,
                stats=stats,
                explain=_explainer(problem, settings, status),
            )
    stats = {"method": "levelling"}
    _stopped_status(PlanStatus.no_solution, stop, stats)
    return empty_plan(
        PlanStatus.no_solution,
        explanation=explanation,
        solve_seconds=time.perf_counter() - began,
        stats=stats,
    )
