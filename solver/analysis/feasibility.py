"""Cheap necessary checks that prove a portfolio infeasible, in PMO words.

Each check is a relaxation of the hard rules, so a reason it reports is a proof
that no plan exists. Only committed projects count: a proposed project that
cannot fit is simply left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from model.hard_rules import HardRule
from solver.problem import Mode, Problem
from solver.windows import TimeWindows, time_windows


@dataclass(frozen=True)
class Reason:
    """Why no plan exists: the rule, what breaks it and what would fix it."""

    rule: str
    message: str
    project: str | None = None
    task: str | None = None
    hard_rule: HardRule | None = None  # the contract rule that cannot hold
    projects: tuple[str, ...] = ()  # every project involved, when more than one is

    def __str__(self) -> str:
        return self.message


def _window_text(problem: Problem, lo: int, hi: int) -> str:
    cal = problem.calendar
    lo = min(max(lo, 0), cal.num_days - 1)
    hi = min(max(hi, lo), cal.num_days - 1)
    return f"{cal.date(lo).isoformat()} and {cal.date(hi).isoformat()}"


def critical_path(problem: Problem, windows: TimeWindows) -> list[Reason]:
    """A committed task's chain of predecessors cannot fit before its hard limit."""
    reasons = []
    fixed = problem.task_fixed_start
    own_end = np.where(
        fixed >= 0,
        np.minimum(problem.task_latest_end, fixed + windows.max_length),
        problem.task_latest_end,
    )
    worst: dict[int, tuple[int, int]] = {}
    for t in range(problem.num_tasks):
        p = int(problem.task2project[t])
        if not problem.project_committed[p]:
            continue
        excess = int(windows.earliest_start[t] + windows.min_length[t] - own_end[t])
        if excess > 0 and excess > worst.get(p, (0, -1))[0]:
            worst[p] = (excess, t)
    for p, (excess, t) in worst.items():
        project_id, task_id = problem.task_ids[t]
        latest_finish = problem.task_latest_finish_date[t]
        deadline = problem.project_deadline_date[p]
        chain = " → ".join(problem.task_name(x) for x in windows.chain(problem, t))
        if fixed[t] >= 0 and fixed[t] + windows.max_length[t] == own_end[t]:
            limit = f"the fixed start {problem.calendar.date(int(fixed[t])).isoformat()} of {problem.task_name(t)}"
            fix = f"move it {excess} working day(s) later"
        elif (
            latest_finish is not None
            and own_end[t] == problem.task_latest_end[t]
            and (
                deadline is None or problem.calendar.floor_index(latest_finish) < problem.project_deadline[p]
            )
        ):
            limit = f"the latest finish {latest_finish.isoformat()} of {problem.task_name(t)}"
            fix = f"move it {excess} working day(s) later"
        elif deadline is not None:
            limit = f"the deadline of {project_id} ({deadline.isoformat()})"
            fix = f"slip it by {excess} working day(s)"
        else:
            limit = "the end of the planning horizon"
            fix = f"extend the horizon by {excess} working day(s)"
        reasons.append(
            Reason(
                "Deadline too early",
                f"{limit} is {excess} working day(s) too early for its critical path ({chain}); {fix}",
                project=project_id,
                task=task_id,
                hard_rule=HardRule.TASK_WINDOWS,
            )
        )
    return reasons


def _free_run_ok(available: np.ndarray, length: int) -> np.ndarray:
    """Per row: whether some run of ``length`` consecutive available days exists."""
    if length > available.shape[1]:
        return np.zeros(available.shape[0], dtype=bool)
    csum = np.zeros((available.shape[0], available.shape[1] + 1), dtype=np.int32)
    np.cumsum(available, axis=1, out=csum[:, 1:])
    runs = csum[:, length:] - csum[:, : available.shape[1] - length + 1]
    return (runs == length).any(axis=1)


def _slot_shortfall(
    problem: Problem, windows: TimeWindows, t: int, mode: Mode, cum: np.ndarray
) -> Reason | None:
    """Why ``mode`` of task ``t`` can never be staffed or pooled (None when it might be)."""
    length = mode.length
    lo = int(windows.earliest_start[t])
    hi = int(windows.latest_end[t])
    p = int(problem.task2project[t])
    for pool, units in mode.pools:
        if units > problem.pool_capacity[pool]:
            return Reason(
                "Pool too small",
                f"{problem.task_name(t)} needs {units} units of pool {problem.pool_ids[pool]}, which "
                f"has only {int(problem.pool_capacity[pool])}; add {units - int(problem.pool_capacity[pool])}",
                project=problem.project_ids[p],
                task=problem.task_ids[t][1],
                hard_rule=HardRule.POOL_CAPACITY,
            )
    for r, needed in mode.slots:
        people = problem.req_eligible[r]
        # people with no unavailable day in the window qualify at once (most of them);
        # only the others need the run-length scan
        clear = (cum[people, hi] - cum[people, lo]) == hi - lo
        count = int(clear.sum()) if hi - lo >= length else 0
        if count < needed and hi - lo >= length:
            rest = people[~clear]
            count += int(_free_run_ok(problem.person_available[rest, lo:hi], length).sum())
        if count >= needed:
            continue
        skill, level = problem.req_skill[r], int(problem.req_level[r])
        alloc = int(problem.req_allocation[r])
        at = f" at {alloc} %" if alloc < 100 else ""
        who = "no one" if count == 0 else f"only {count} of the {needed} people needed"
        return Reason(
            "No qualified person available",
            f"{who} with {skill} ≥ {level}{at} is available for {length} consecutive working "
            f"day(s) between {_window_text(problem, lo, hi - 1)}, as "
            f"{problem.task_name(t)} needs; add {needed - count} such person(s) or widen "
            "its window",
            project=problem.project_ids[p],
            task=problem.task_ids[t][1],
            hard_rule=HardRule.STAFFING,
        )
    return None


def slot_candidates(problem: Problem, windows: TimeWindows) -> list[Reason]:
    """A committed task has no mode whose slots enough people (or pool units) could ever fill."""
    reasons = []
    cum = np.zeros((problem.num_people, problem.num_days + 1), dtype=np.int32)  # available days before d
    np.cumsum(problem.person_available, axis=1, out=cum[:, 1:])
    for t in range(problem.num_tasks):
        p = int(problem.task2project[t])
        if not problem.project_committed[p]:
            continue
        if windows.latest_end[t] - windows.earliest_start[t] < windows.min_length[t]:
            continue  # the critical-path check explains this one
        shortfalls = [_slot_shortfall(problem, windows, t, mode, cum) for mode in problem.task_modes[t]]
        first = shortfalls[0]
        if first is not None and all(s is not None for s in shortfalls):
            reasons.append(first)
    return reasons


def budget_limits(problem: Problem, windows: TimeWindows) -> list[Reason]:
    """A committed project's cheapest modes already consume more than a budget allows."""
    reasons = []
    need = np.zeros(problem.num_budgets, dtype=np.int64)
    for modes in problem.task_modes:
        for b in {b for m in modes for b, _ in m.consumes}:
            need[b] += min(dict(m.consumes).get(b, 0) for m in modes)
    for b, (project, name) in enumerate(problem.budget_ids):
        if problem.project_committed[problem.budget2project[b]] and need[b] > problem.budget_limit[b]:
            reasons.append(
                Reason(
                    "Budget too small",
                    f"project {project} needs at least {int(need[b])} of budget {name} with its "
                    f"cheapest modes, but the limit is {int(problem.budget_limit[b])}; raise it by "
                    f"{int(need[b] - problem.budget_limit[b])}",
                    project=project,
                    hard_rule=HardRule.BUDGETS,
                )
            )
    return reasons


def skill_capacity(problem: Problem, windows: TimeWindows) -> list[Reason]:
    """Committed demand for a skill level exceeds the capacity-days of everyone who has it."""
    reasons = []
    supply_days = problem.person_available.sum(axis=1) * problem.person_capacity / 100.0
    demand: dict[tuple[str, int], float] = {}
    for r in range(problem.num_requirements):
        t = int(problem.req2task[r])
        if not problem.project_committed[problem.task2project[t]]:
            continue
        alloc = problem.req_allocation[r] / 100.0
        modes = problem.task_modes[t]
        if not all(any(req == r for req, _ in m.slots) for m in modes):
            continue  # another mode can do without this requirement
        work = min(m.length * dict(m.slots)[r] * alloc for m in modes)
        skill = problem.req_skill[r]
        for level in range(1, int(problem.req_level[r]) + 1):
            demand[(skill, level)] = demand.get((skill, level), 0.0) + work
    for (skill, level), need in sorted(demand.items()):
        holders = problem.holders(skill, level)
        supply = float(supply_days[holders].sum()) if holders.size else 0.0
        if need > supply + 1e-9:
            # report the highest level at which the skill runs short, once per skill
            if any(
                s == skill and lv > level and n > float(supply_days[problem.holders(skill, lv)].sum())
                for (s, lv), n in demand.items()
            ):
                continue
            reasons.append(
                Reason(
                    "Skill capacity too low",
                    f"committed work needs {need:.0f} person-days of {skill} ≥ {level} but "
                    f"everyone with it can give at most {supply:.0f} in the horizon; add "
                    f"{need - supply:.0f} person-days of {skill} ≥ {level} capacity",
                    hard_rule=HardRule.PERSON_CAPACITY,
                )
            )
    return reasons


def pinned_demand(problem: Problem, windows: TimeWindows) -> list[Reason]:
    """Committed tasks pinned to overlapping days ask more of a skill level than its holders give.

    On each working day, the slots of pinned tasks (one way to run) that ask for a skill at
    a level or above need their allocations from the people holding it there; more than
    their capacity that day proves the pins cannot all hold. Once per skill, its first day.
    """
    need: dict[tuple[str, int], np.ndarray] = {}
    on: dict[tuple[str, int], list[list[int]]] = {}
    for t in np.flatnonzero(problem.task_fixed_start >= 0):
        if not problem.project_committed[problem.task2project[t]] or len(problem.task_modes[t]) != 1:
            continue
        mode = problem.task_modes[t][0]
        first = int(problem.task_fixed_start[t])
        days = slice(first, min(first + mode.length, problem.num_days))
        for r, count in mode.slots:
            skill = problem.req_skill[r]
            for level in range(1, int(problem.req_level[r]) + 1):
                key = (skill, level)
                if key not in need:
                    need[key] = np.zeros(problem.num_days)
                    on[key] = [[] for _ in range(problem.num_days)]
                need[key][days] += count * problem.req_allocation[r]
                for d in range(days.start, days.stop):
                    on[key][d].append(int(t))
    reasons, reported = [], set()
    for (skill, level), demand in sorted(need.items(), key=lambda kv: -kv[0][1]):  # highest level first
        holders = problem.holders(skill, level)
        supply = (problem.person_available[holders] * problem.person_capacity[holders, None]).sum(axis=0)
        short = np.flatnonzero(demand > supply)
        if skill in reported or not short.size:
            continue
        reported.add(skill)
        d = int(short[0])
        tasks = on[(skill, level)][d]
        names = ", ".join(problem.task_name(t) for t in tasks[:5]) + (" …" if len(tasks) > 5 else "")
        project_id, task_id = problem.task_ids[tasks[-1]]
        reasons.append(
            Reason(
                "Pins overbook a skill",
                f"on {problem.calendar.date(d).isoformat()} the pinned tasks {names} need "
                f"{demand[d] / 100:g} person-days of {skill} ≥ {level}, but its holders can give "
                f"{supply[d] / 100:g} that day; move one of the pins or add such a person",
                project=project_id,
                task=task_id,
                hard_rule=HardRule.PERSON_CAPACITY,
                projects=tuple(dict.fromkeys(problem.task_ids[t][0] for t in tasks)),
            )
        )
    return reasons


Check = Callable[[Problem, TimeWindows], list[Reason]]

NECESSARY_CHECKS: tuple[Check, ...] = (
    critical_path,
    slot_candidates,
    budget_limits,
    skill_capacity,
    pinned_demand,
)
"""The cheap checks, in the order they run."""


def infeasibility_reasons(problem: Problem) -> list[Reason]:
    """Reasons that prove no plan exists (empty when the cheap checks pass)."""
    windows = time_windows(problem)
    return [reason for check in NECESSARY_CHECKS for reason in check(problem, windows)]
