"""Batch replanning: re-optimise what is not started yet, moving as little as possible.

Work that finished before the as-of date, and work in progress, stays exactly as
in the baseline (same start, people and mode); so does anything starting before
an optional freeze date. Everything else may move, no earlier than the as-of
day, and each change against the baseline costs (moved task, shifted day,
person taken off) — with an optional hard cap on the number of changed tasks.
The baseline warm-starts the search when it is still valid.

The search works around what changed since the baseline (:func:`changed_projects`):
neighbourhoods of those projects and the work competing with them for the same people.
While some of them are late, it first looks for where they could go if moving cost
nothing (each levelled first, then a search with zero disruption weights); the search at
the real weights starts from that plan and undoes the changes that buy nothing. The best
plan at the real weights is kept, and for each changed project still late the replan says
what moving it earlier would have cost and gained (:mod:`solver.planning.replan_probes`).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from model.assemble import assemble_plan, empty_plan
from model.checker import check_assignments
from model.kpis import project_results
from model.plan import Assignment, Plan, PlanStatus, ProjectResult, TaskChange, Violation
from model.portfolio import Portfolio
from model.rules import Issue
from solver.construct.levelling import Placement, level, levelling_rules
from solver.convert import from_assignments, to_assignments
from solver.evaluate import objective_of
from solver.planning.disruption import Disruption, DisruptionWeights
from solver.planning.replan_probes import Probes
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
    previous: Portfolio | None = None  # the portfolio the baseline was made for, when known


_NOTHING_CHANGED = (
    "no project changed since the baseline, as far as the baseline tells (its due dates, the priorities "
    "of its late projects, its people); with the baseline's portfolio every priority, due date, deadline "
    "and person is compared"
)
UNDO_SECONDS, UNDO_SHARE = 0.5, 0.1  # at most, of the time limit: for putting back needless changes
FREE_SHARE = 0.4  # of the time limit, for the search with every change free when changed projects are late


def _share(settings: SolverSettings, began: float, share: float) -> SolverSettings:
    """The settings of a search that may use ``share`` of the time left (of the whole limit
    in deterministic runs, whose charged seconds must not depend on the clock)."""
    elapsed = 0.0 if settings.deterministic else time.perf_counter() - began
    return settings.model_copy(update={"time_limit": elapsed + share * (settings.time_limit - elapsed)})


def request_issues(portfolio: Portfolio, baseline: Plan, request: ReplanRequest) -> list[Issue]:
    """What makes a replan request invalid input, the first offender of each kind.

    Parameters
    ----------
    portfolio
        The portfolio to replan.
    baseline
        The plan being executed.
    request
        The as-of and freeze dates (they must lie in the portfolio's horizon).

    Returns
    -------
    list[Issue]
        Empty when the request is valid; else the dates outside the horizon (paths
        ``--as-of``, ``--freeze-until``) and the first project or task of the baseline the
        portfolio does not have (``baseline: assignments[i].task``), with a count of the rest.
    """
    issues = []
    cal = portfolio.calendar
    for option, day in (("--as-of", request.as_of), ("--freeze-until", request.freeze_until)):
        if day is not None and not cal.start <= day <= cal.end:
            issues.append(
                Issue(option, f"{day} is outside the portfolio's horizon ({cal.start} to {cal.end})")
            )
    tasks = {p.id: {t.id for t in p.tasks} for p in portfolio.projects}
    foreign = []
    for i, a in enumerate(baseline.assignments):
        if a.project not in tasks:
            foreign.append(
                Issue(
                    f"baseline: assignments[{i}].project", f"'{a.project}' is not a project of the portfolio"
                )
            )
        elif a.task not in tasks[a.project]:
            foreign.append(
                Issue(
                    f"baseline: assignments[{i}].task",
                    f"'{a.project}/{a.task}' is not a task of the portfolio",
                )
            )
    foreign += [
        Issue(f"baseline: projects[{i}].id", f"'{r.id}' is not a project of the portfolio")
        for i, r in enumerate(baseline.projects)
        if r.id not in tasks
    ]
    if foreign:
        first = foreign[0]
        more = f" ({len(foreign) - 1} more name(s) the portfolio does not have)" if len(foreign) > 1 else ""
        issues.append(Issue(first.path, first.message + more))
    return issues


def changed_projects(
    portfolio: Portfolio, baseline: Plan, violations: list[Violation], previous: Portfolio | None = None
) -> dict[str, str]:
    """The projects changed since the baseline, each with what changed.

    Priority, due date and deadline against ``previous`` (the baseline's portfolio) when
    given; else the due dates the baseline states, the priorities its explanation states for
    its late projects, and the deadlines its finishes now miss. People: projects whose
    baseline work a changed person does (``previous`` given) or that the ``violations`` of
    the baseline against the portfolio name (an absence, a person gone, a skill lost).
    Projects without baseline work are new.

    Parameters
    ----------
    portfolio
        The portfolio to replan.
    baseline
        The plan being executed.
    violations
        The checker's verdict on ``baseline`` against ``portfolio``.
    previous
        The portfolio ``baseline`` was made for, when known.

    Returns
    -------
    dict[str, str]
        Project id → what changed, in words (``priority 2 → 10; due 2027-05-14 → 2027-04-30``).
    """
    before = {r.id: r for r in baseline.projects}
    late = baseline.explanation_detail.late_projects if baseline.explanation_detail else []
    stated = {lp.project: lp.priority for lp in late}
    old = {p.id: p for p in previous.projects} if previous is not None else {}
    workers: dict[str, set[str]] = {}
    for a in baseline.assignments:
        workers.setdefault(a.project, set()).update(person.id for person in a.people)
    moved_people = _changed_people(portfolio, previous) if previous is not None else set()
    broken = {v.project for v in violations if v.project is not None}
    out: dict[str, str] = {}
    for project in portfolio.projects:
        why = []
        was, result = old.get(project.id), before.get(project.id)
        priority = was.priority if was is not None else stated.get(project.id)
        if priority is not None and priority != project.priority:
            why.append(f"priority {priority} → {project.priority}")
        due = was.due if was is not None else result.due if result is not None else project.due
        if due != project.due:
            why.append(f"due {due or 'none'} → {project.due or 'none'}")
        if was is not None and was.deadline != project.deadline:
            why.append(f"deadline {was.deadline or 'none'} → {project.deadline or 'none'}")
        elif (
            was is None and project.deadline and result and result.finish and result.finish > project.deadline
        ):
            why.append(f"deadline {project.deadline} (the baseline finished {result.finish})")
        people = sorted(workers.get(project.id, set()) & moved_people)
        if people:
            why.append("people changed: " + ", ".join(people[:3]) + (" …" if len(people) > 3 else ""))
        elif project.id in broken:
            why.append("its baseline work no longer fits the portfolio")
        if project.id not in workers and project.id not in baseline.unscheduled_projects and project.tasks:
            why.append("not in the baseline")
        if why:
            out[project.id] = "; ".join(why)
    return out


def _changed_people(portfolio: Portfolio, previous: Portfolio) -> set[str]:
    """People who left, or whose skills, capacity, availability or absences changed."""
    old = {p.id: p.model_dump(mode="json") for p in previous.people}
    new = {p.id: p.model_dump(mode="json") for p in portfolio.people}
    return {pid for pid, data in old.items() if new.get(pid) != data}


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
    for rule in levelling_rules(problem):
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


def before_after(portfolio: Portfolio, baseline: Plan, assignments: list[Assignment]) -> list[dict[str, Any]]:
    """Per project: finish and working days late in the baseline and in the new plan, both
    against the portfolio's due dates (None: not scheduled)."""
    old = project_results(portfolio, baseline.assignments)
    new = project_results(portfolio, assignments)
    return [_row(project.priority, a, b) for project, a, b in zip(portfolio.projects, old, new, strict=True)]


def _row(priority: int, old: ProjectResult, new: ProjectResult) -> dict[str, Any]:
    return {
        "project": new.id,
        "priority": priority,
        "due": new.due.isoformat() if new.due else None,
        "finish_before": old.finish.isoformat() if old.finish else None,
        "finish_after": new.finish.isoformat() if new.finish else None,
        "late_days_before": old.late_days if old.scheduled else None,
        "late_days_after": new.late_days if new.scheduled else None,
    }


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
    The request is assumed valid (:func:`request_issues` says what is not).

    Returns
    -------
    Plan
        Verified by the independent checker, with ``changes`` listing every task
        that moved, changed people, appeared or disappeared against the baseline, and
        ``stats["replan"]``: the projects changed since the baseline and what changed,
        each project's finish and lateness before and after, and why each changed project
        still late stays where it is (or what moving it cost and gained).
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
    changed = changed_projects(
        portfolio, baseline, check_assignments(portfolio, baseline.assignments), request.previous
    )
    index = {pid: p for p, pid in enumerate(problem.project_ids)}
    focus = tuple(index[pid] for pid in changed)
    disruption = Disruption(reference, request.weights, frozen, day, request.max_changes, focus)
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
    probes = Probes(problem, disruption, settings, stop, progress, began)
    probes.valid = lambda plan: not check_assignments(portfolio, to_assignments(problem, plan.values()))
    placements = start
    if settings.optimise:

        def on_improvement(seconds: float, objective: float, bound: float | None, message: str) -> None:
            if progress:
                progress(Progress(seconds, objective, bound, message))

        probing = bool(probes.probed(start))
        if probing:
            start = probes.levelled(start)
        kept = start
        if probing and not request.weights.free:
            # where the changed projects could go if moving cost nothing: a real search, whose
            # plan the search at the real weights then trims (the changes that buy nothing undone)
            free = optimise(
                problem,
                start,
                _share(settings, began, FREE_SHARE),
                began=began,
                on_improvement=lambda seconds, *_: (
                    progress(Progress(seconds, None, None, "probing with every change free"))
                    if progress
                    else None
                ),
                disruption=disruption.without_weights(),
                stop=stop,
            )
            probes.pool.append(free.placements)
            stats["free_probe_changed_tasks"] = disruption.change_count(free.placements)
            blends = probes.blends(start, free.placements)
            best = min(blends, key=probes.value, default=start)
            if probes.value(best) < probes.value(start) - 1e-9:
                start = best  # part of the free plan pays already: the search polishes it
            elif objective_of(problem, free.placements) < objective_of(problem, start) - 1e-9:
                start = free.placements  # none pays yet: the search trims the free plan
        # the end of the time limit is for putting back the changes that buy nothing
        undo = min(UNDO_SECONDS, UNDO_SHARE * settings.time_limit)
        rest = settings.model_copy(update={"time_limit": settings.time_limit - undo})
        if settings.deterministic and probes.pool:  # charged seconds: the free search's share is spent
            rest = settings.model_copy(update={"time_limit": (1 - FREE_SHARE) * settings.time_limit})
        result = optimise(
            problem,
            start,
            rest,
            began=began,
            on_improvement=on_improvement,
            disruption=disruption,
            stop=stop,
        )
        placements = probes.undo(probes.best(result.placements, kept), began + settings.time_limit)
        stats.update(result.stats)
        stats["best_plan_seconds"] = round(result.best_seconds, 3)
        stats["probe_candidates"] = len(probes.pool)
    stats["changed_tasks"] = disruption.change_count(placements)
    stats["baseline_tasks"] = len(reference)
    stats["disruption_cost"] = disruption.cost(placements)
    assignments = to_assignments(problem, placements.values())
    stats["replan"] = {
        "changed_projects": [{"project": pid, "change": why} for pid, why in changed.items()],
        "projects": before_after(portfolio, baseline, assignments),
        "reasons": probes.reasons(placements) if changed else [_NOTHING_CHANGED],
    }
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
