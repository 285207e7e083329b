"""Batch replanning: re-optimise what is not started yet, moving as little as possible.

Work that finished before the as-of date, and work in progress, stays exactly as
in the baseline (same start, people and mode); so does anything starting before
an optional freeze date. Everything else may move, no earlier than the as-of
day, and each change against the baseline costs (moved task, shifted day,
person taken off) — with an optional hard cap on the number of changed tasks.
The baseline warm-starts the search when it is still valid.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace

import numpy as np

from model.assemble import assemble_plan, empty_plan
from model.checker import check_assignments
from model.plan import Assignment, Plan, PlanStatus, TaskChange
from model.portfolio import Portfolio
from solver.construct.levelling import LEVELLING_RULES, Placement, level
from solver.convert import from_assignments, to_assignments
from solver.evaluate import objective_of
from solver.planning.disruption import Disruption, DisruptionWeights
from solver.problem import Problem, compile_problem
from solver.search.optimiser import optimise, solve_whole
from solver.settings import SolverSettings
from solver.solve import Progress, ProgressCallback
from solver.stop import StopRequest


@dataclass(frozen=True)
class ReplanRequest:
    """What the PMO asks of a replan."""

    as_of: dt.date
    freeze_until: dt.date | None = None
    max_changes: int | None = None
    weights: DisruptionWeights = field(default_factory=DisruptionWeights)


def _frozen_day(problem: Problem, request: ReplanRequest) -> int:
    cal = problem.calendar
    day = cal.ceil_index(request.as_of)
    if request.freeze_until is not None:
        day = max(day, cal.floor_index(request.freeze_until) + 1)
    return day


def change_list(baseline: list[Assignment], plan: list[Assignment], portfolio: Portfolio) -> list[TaskChange]:
    """Per task: how the new plan differs from the baseline."""
    cal = portfolio.work_calendar
    old = {(a.project, a.task): a for a in baseline}
    new = {(a.project, a.task): a for a in plan}
    changes = []
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        if a is None and b is not None:
            changes.append(
                TaskChange(
                    project=key[0], task=key[1], change="added", new_start=b.start, new_finish=b.finish
                )
            )
        elif b is None and a is not None:
            changes.append(
                TaskChange(
                    project=key[0], task=key[1], change="removed", old_start=a.start, old_finish=a.finish
                )
            )
        elif a is not None and b is not None:
            moved = a.start != b.start or a.finish != b.finish
            before, after = {p.id for p in a.people}, {p.id for p in b.people}
            if not moved and before == after:
                continue
            kind = "+".join(k for k, flag in (("moved", moved), ("restaffed", before != after)) if flag)
            shift = cal.ceil_index(b.start) - cal.ceil_index(a.start)
            changes.append(
                TaskChange(
                    project=key[0],
                    task=key[1],
                    change=kind,
                    old_start=a.start,
                    new_start=b.start,
                    old_finish=a.finish,
                    new_finish=b.finish,
                    shift_days=shift,
                    people_added=sorted(after - before),
                    people_removed=sorted(before - after),
                )
            )
    return changes


def _start_plan(
    portfolio: Portfolio, problem: Problem, reference: dict[int, Placement], frozen: set[int], day: int
) -> tuple[dict[int, Placement] | None, str]:
    """The baseline itself when it is still valid (checked on ``portfolio``, which ``problem``
    was compiled from), else a levelling around the frozen work."""
    early = [t for t, pl in reference.items() if t not in frozen and pl.start < day]
    missing = [
        t
        for p in np.flatnonzero(problem.project_committed)
        for t in problem.project2tasks[p]
        if t not in reference
    ]
    broken = (
        [] if early or missing else check_assignments(portfolio, to_assignments(problem, reference.values()))
    )
    if not early and not missing and not broken:
        return dict(reference), "baseline"
    # say why the baseline could not be the start: a replan that moves everything needs a reason
    why = (
        f"{problem.task_name(early[0])} would start before the as-of day"
        if early
        else f"{problem.task_name(missing[0])} is not in the baseline"
        if missing
        else f"{broken[0].rule}: {broken[0].message}"
    )
    prefixed = {t: reference[t] for t in frozen}
    best: dict[int, Placement] | None = None
    for rule in [r for r in LEVELLING_RULES if r != "thrifty" or problem.num_budgets]:
        result = level(problem, rule, prefixed=prefixed)
        if result.complete and (
            best is None or objective_of(problem, result.placements) < objective_of(problem, best)
        ):
            best = result.placements
    return best, f"levelling around frozen work (baseline not usable: {why})"


def _cp_sat_start(
    problem: Problem, disruption: Disruption, settings: SolverSettings, began: float
) -> dict[int, Placement] | None:
    """Levelling failed around the frozen work: let CP-SAT look for any plan (hinted by the baseline)."""
    frozen = {t: disruption.reference[t] for t in disruption.frozen}
    limit = max(0.5, (settings.time_limit - (time.perf_counter() - began)) / 2)
    sub = solve_whole(problem, frozen, disruption.reference, settings, limit, disruption=disruption)
    if sub.placements is None:
        return None
    return {**frozen, **sub.placements}


def replan(
    portfolio: Portfolio,
    baseline: Plan,
    request: ReplanRequest,
    settings: SolverSettings | None = None,
    progress: ProgressCallback | None = None,
    stop: StopRequest | None = None,
) -> Plan:
    """Replan ``portfolio`` from ``baseline`` as of ``request.as_of``.

    A ``stop`` request ends the search early with the best plan so far (status ``stopped``).

    Returns
    -------
    Plan
        Verified by the independent checker, with ``changes`` listing every task
        that moved, changed people, appeared or disappeared against the baseline.
    """
    settings = settings or SolverSettings()
    began = time.perf_counter()
    problem = compile_problem(portfolio)
    day = _frozen_day(problem, request)
    reference = from_assignments(problem, baseline.assignments)
    frozen = {t for t, pl in reference.items() if pl.start < day}
    # nothing not yet started may start before the as-of (or freeze) day
    movable = np.array([t not in frozen for t in range(problem.num_tasks)])
    problem = replace(
        problem,
        task_earliest_start=np.where(
            movable, np.maximum(problem.task_earliest_start, day), problem.task_earliest_start
        ),
    )
    disruption = Disruption(reference, request.weights, frozen, day, request.max_changes)
    start, source = _start_plan(portfolio, problem, reference, frozen, day)
    if start is None and settings.optimise:
        start, source = _cp_sat_start(problem, disruption, settings, began), "cp-sat around frozen work"
    if start is None:
        return empty_plan(
            PlanStatus.no_solution,
            explanation=[
                "the baseline no longer fits the portfolio and levelling around the frozen work could not "
                "place every committed task; relax deadlines or move the as-of date"
            ],
            solve_seconds=time.perf_counter() - began,
            stats={"method": "replan"},
        )
    stats: dict[str, object] = {
        "method": "replan",
        "start": source,
        "frozen_tasks": len(frozen),
        "first_plan_seconds": round(time.perf_counter() - began, 3),
    }
    placements = start
    if settings.optimise:

        def on_improvement(seconds: float, objective: float, bound: float | None, message: str) -> None:
            if progress:
                progress(Progress(seconds, objective, bound, message))

        result = optimise(
            problem,
            start,
            settings,
            began=began,
            on_improvement=on_improvement,
            disruption=disruption,
            stop=stop,
        )
        placements = result.placements
        stats.update(result.stats)
        stats["best_plan_seconds"] = round(result.best_seconds, 3)
    stats["changed_tasks"] = disruption.change_count(placements)
    stats["baseline_tasks"] = len(reference)
    stats["disruption_cost"] = disruption.cost(placements)
    assignments = to_assignments(problem, placements.values())
    status = PlanStatus.feasible
    if stop is not None and stop.requested:
        status = PlanStatus.stopped
        stats["stopped_by"] = stop.reason
    return assemble_plan(
        portfolio,
        assignments,
        status,
        solve_seconds=time.perf_counter() - began,
        stats=stats,
        changes=lambda ordered: change_list(baseline.assignments, ordered, portfolio),
    )
