"""CP-SAT constraint families, one function each, applied in :data:`CONSTRAINTS` order.

Every function has the signature ``(model, scope, variables) -> None``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model

from model.hard_rules import HardRule
from solver.construct.levelling import Placement
from solver.cpsat.scope import Scope
from solver.cpsat.variables import Variables, make_variables
from solver.problem import Point


def task_windows(model: cp_model.CpModel, scope: Scope, v: Variables) -> None:
    """Release, deadline and task windows (domains), pinned starts, one mode per task."""
    pb = scope.problem
    w = scope.windows
    for t, tv in v.tasks.items():
        lo, hi = int(w.earliest_start[t]), int(w.latest_end[t])
        if hi - int(w.min_length[t]) < lo:
            # no room at all: the task (and so its project) cannot be planned here
            if tv.present is not None:
                model.add(tv.present == 0)
            else:
                model.add_bool_or([])
        ct = model.add(tv.end <= hi)
        if tv.present is not None:  # an absent task's variables are free
            ct.only_enforce_if(tv.present)
        if pb.task_fixed_start[t] >= 0:
            model.add(tv.start == int(pb.task_fixed_start[t]))
        bools = [b for _, b in tv.modes if b is not None]
        if bools:
            model.add(sum(bools) == (tv.present if tv.present is not None else 1))


def staffing(model: cp_model.CpModel, scope: Scope, v: Variables) -> None:
    """Each slot filled by a distinct candidate; a person fills one slot per task; pins held."""
    pb = scope.problem
    for t, tv in v.tasks.items():
        reqs = pb.task2requirements[t]
        on = tv.present if tv.present is not None else 1
        for r in reqs:
            xs = [v.assign[(r, i)] for i in scope.candidates[r].tolist()]
            need = tv.mode_count(r)
            if tv.present is None:
                model.add(sum(xs) == need)
            else:
                model.add(sum(xs) == need).only_enforce_if(tv.present)
                model.add(sum(xs) == 0).only_enforce_if(~tv.present)
        by_person: dict[int, list[cp_model.IntVar]] = {}
        for r in reqs:
            for i in scope.candidates[r].tolist():
                by_person.setdefault(i, []).append(v.assign[(r, i)])
        for i, xs in by_person.items():
            if len(xs) > 1:
                model.add(sum(xs) == v.works[(t, i)])
        for i in pb.task_fixed_people[t]:
            lit = v.works.get((t, i))
            if lit is None:
                model.add_bool_or([])  # a pinned person can never be on the task here
            else:
                model.add(lit == on)


def _point(pl: Placement, point: Point) -> int:
    return pl.end if point == Point.END else pl.start


def dependencies(model: cp_model.CpModel, scope: Scope, v: Variables) -> None:
    """FS/SS/FF/SF with lags between free tasks, and between free tasks and fixed ones.

    The windows already hold the fixed neighbours for fixed-length tasks; with a
    variable length (crew or mode choice) only an explicit constraint is exact.
    """
    pb = scope.problem
    for t, tv in v.tasks.items():
        for k in pb.task_preds[t]:
            prec = pb.precedences[k]
            after = tv.end if prec.succ_point == Point.END else tv.start
            pred = v.tasks.get(prec.pred)
            if pred is None:
                fixed = scope.incumbent.get(prec.pred)
                if fixed is None:
                    # the predecessor's (proposed) project is left out: so is this one
                    model.add(tv.present == 0) if tv.present is not None else model.add_bool_or([])
                    continue
                ct = model.add(after >= _point(fixed, prec.pred_point) + prec.delay)
            else:
                if pred.present is not None and tv.present is not None:
                    model.add_implication(tv.present, pred.present)
                before = pred.end if prec.pred_point == Point.END else pred.start
                ct = model.add(after >= before + prec.delay)
            lits = [x for x in (tv.present, pred.present if pred else None) if x is not None]
            if lits:
                ct.only_enforce_if(lits)
        for k in pb.task_succs[t]:
            prec = pb.precedences[k]
            if prec.succ in v.tasks or prec.succ not in scope.incumbent:
                continue
            before = tv.end if prec.pred_point == Point.END else tv.start
            ct = model.add(_point(scope.incumbent[prec.succ], prec.succ_point) >= before + prec.delay)
            if tv.present is not None:
                ct.only_enforce_if(tv.present)


def _segments(values: np.ndarray, lo: int) -> list[tuple[int, int, int]]:
    """Runs ``(start, length, value)`` of equal non-zero values in ``values`` (offset ``lo``)."""
    out = []
    n = values.size
    k = 0
    while k < n:
        j = k
        while j + 1 < n and values[j + 1] == values[k]:
            j += 1
        if values[k] > 0:
            out.append((lo + k, j - k + 1, int(values[k])))
        k = j + 1
    return out


def person_capacity(model: cp_model.CpModel, scope: Scope, v: Variables) -> None:
    """Daily allocation within capacity; days blocked by absences or fixed work are taken."""
    pb = scope.problem
    w = scope.windows
    for i, tasks in v.person_tasks().items():
        cap = int(pb.person_capacity[i])
        lo = min(int(w.earliest_start[t]) for t in tasks)
        hi = max(int(w.latest_end[t]) for t in tasks)
        blocked = cap - np.clip(scope.remaining[i, lo:hi], 0, cap)
        demands: list[int] = []
        intervals = []
        for t in tasks:
            tv = v.tasks[t]
            allocations = {
                r: int(pb.req_allocation[r]) for r in pb.task2requirements[t] if (r, i) in v.assign
            }
            if len(set(allocations.values())) == 1:
                demands.append(next(iter(allocations.values())))
                intervals.append(
                    model.new_optional_interval_var(
                        tv.start, tv.length, tv.end, v.works[(t, i)], f"on[{t},{i}]"
                    )
                )
                continue
            # eligible for slots of different allocations: the one filled is charged, not the
            # largest (a 50 % slot beside other 50 % work is a valid plan the checker accepts)
            for r, allocation in allocations.items():
                demands.append(allocation)
                intervals.append(
                    model.new_optional_interval_var(
                        tv.start, tv.length, tv.end, v.assign[(r, i)], f"on[{t},{r},{i}]"
                    )
                )
        fixed = _segments(blocked, lo)
        exclusive = all(d == cap for d in demands) and all(b == cap for _, _, b in fixed)
        fixed_iv = [model.new_fixed_size_interval_var(s, n, f"blocked[{i},{s}]") for s, n, _ in fixed]
        if exclusive:
            model.add_no_overlap(intervals + fixed_iv)
        elif len(intervals) > 1 or fixed:
            model.add_cumulative(intervals + fixed_iv, demands + [b for _, _, b in fixed], cap)


def parallel_projects(model: cp_model.CpModel, scope: Scope, v: Variables) -> None:
    """At most ``max_parallel_projects`` distinct projects a day for people who have a limit.

    Modelled per person as a cumulative of capacity ``limit`` in which each task of a
    project counts 1 (tasks of one project overlapping count once in the contract, so
    this is slightly stricter than the rule but never looser).
    """
    pb = scope.problem
    w = scope.windows
    fixed_by_person: dict[int, list[tuple[int, int, int]]] = {}
    for pl in scope.fixed_placements():
        project = int(pb.task2project[pl.task])
        for person, _ in pl.people:
            if pb.person_max_parallel_projects[person] > 0:
                fixed_by_person.setdefault(person, []).append((pl.start, pl.end, project))
    for i, tasks in v.person_tasks().items():
        limit = int(pb.person_max_parallel_projects[i])
        if limit <= 0:
            continue
        lo = min(int(w.earliest_start[t]) for t in tasks)
        # empty windows (latest end before earliest start) leave no day: the windows rule fails them
        hi = max(lo, max(int(w.latest_end[t]) for t in tasks))
        count = np.zeros(hi - lo, dtype=np.int32)
        seen: dict[int, np.ndarray] = {}
        for s, e, project in fixed_by_person.get(i, []):
            mask = seen.setdefault(project, np.zeros(hi - lo, dtype=bool))
            mask[max(s, lo) - lo : max(min(e, hi) - lo, 0)] = True
        for mask in seen.values():
            count += mask
        fixed = _segments(np.minimum(count, limit), lo)
        intervals = [
            model.new_optional_interval_var(
                v.tasks[t].start, v.tasks[t].length, v.tasks[t].end, v.works[(t, i)], f"proj[{t},{i}]"
            )
            for t in tasks
        ]
        fixed_iv = [model.new_fixed_size_interval_var(s, n, f"projblk[{i},{s}]") for s, n, _ in fixed]
        model.add_cumulative(intervals + fixed_iv, [1] * len(intervals) + [c for _, _, c in fixed], limit)


def _supply_cumulative(
    model: cp_model.CpModel,
    scope: Scope,
    v: Variables,
    items: list[tuple[int, int]],
    holders: np.ndarray,
    name: str,
) -> None:
    """Cumulative: the allocation of the slots of ``items`` ((task, requirement) pairs) never
    exceeds the summed free capacity of the people ``holders`` (a mask over all people)."""
    pb = scope.problem
    w = scope.windows
    lo = min(int(w.earliest_start[t]) for t, _ in items)
    hi = max(int(w.latest_end[t]) for t, _ in items)
    supply = np.clip(scope.remaining[holders, lo:hi], 0, None).sum(axis=0)
    top = int(supply.max()) if supply.size else 0
    by_task: dict[int, list[int]] = {}
    for t, r in items:
        by_task.setdefault(t, []).append(r)
    intervals, demands = [], []
    for t, reqs in by_task.items():
        tv = v.tasks[t]
        for (mode, _), interval in zip(tv.modes, tv.mode_intervals, strict=True):
            demand = sum(c * int(pb.req_allocation[r]) for r, c in mode.slots if r in reqs)
            if demand:
                intervals.append(interval)
                demands.append(demand)
    fixed = _segments(top - supply, lo)
    intervals += [model.new_fixed_size_interval_var(s, n, f"{name}[{s}]") for s, n, _ in fixed]
    demands += [b for _, _, b in fixed]
    model.add_cumulative(intervals, demands, top)


def _redundant_staffing_pays(scope: Scope, v: Variables) -> bool:
    """Whether the model is small enough for the redundant staffing cumulatives: they close
    proofs on small models but slow every step of a large one (``redundant_constraints_max_tasks``
    of :class:`~solver.settings.StaffingTuning`)."""
    return len(v.tasks) <= scope.redundant_staffing_max_tasks


def skill_pools(model: cp_model.CpModel, scope: Scope, v: Variables) -> None:
    """Redundant: demand for each skill level never exceeds what its holders can give.

    For skill ``s`` and level ``l``, only people with ``s >= l`` can fill slots asking
    for ``s`` at level ``l`` or above, so the summed allocation of those slots is at
    most the summed free capacity of those people, day by day. This lets CP-SAT
    reason about time and crews before it commits to names.
    """
    if not _redundant_staffing_pays(scope, v):
        return
    pb = scope.problem
    groups: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for t in v.tasks:
        for r in pb.task2requirements[t]:
            for level in range(1, int(pb.req_level[r]) + 1):
                groups.setdefault((pb.req_skill[r], level), []).append((t, r))
    for (skill, level), items in groups.items():
        if len(items) < 2:
            continue
        holders = pb.holders(skill, level)
        _supply_cumulative(model, scope, v, items, holders, f"pool[{skill},{level}]")


def head_count(model: cp_model.CpModel, scope: Scope, v: Variables) -> None:
    """Redundant: all slots at once never exceed what everyone who could fill one can give.

    A person fills one slot of a task, whatever their skills, so the slots of tasks
    running on the same day need that many people (in allocation) among those eligible
    for any of them. The per-skill pools miss this whenever people hold several of the
    skills asked for: each skill alone may have enough holders while together they do
    not, and proofs on such models need it (RESULTS: Redundant constraints).
    """
    if not _redundant_staffing_pays(scope, v):
        return
    pb = scope.problem
    items = [(t, r) for t in v.tasks for r in pb.task2requirements[t]]
    skills = {pb.req_skill[r] for _, r in items}
    if len({t for t, _ in items}) < 2 or len(skills) < 2:  # one skill: its pool says it all
        return
    holders = np.zeros(pb.num_people, dtype=bool)
    for _, r in items:
        holders[pb.req_eligible[r]] = True
    _supply_cumulative(model, scope, v, items, holders, "heads")


def pool_capacity(model: cp_model.CpModel, scope: Scope, v: Variables) -> None:
    """Pool units in use on any day stay within the pool's capacity (fixed tasks use some)."""
    pb = scope.problem
    if pb.num_pools == 0:
        return
    used = np.zeros((pb.num_pools, pb.num_days), dtype=np.int64)
    for pl in scope.fixed_placements():
        for pool, units in pl.mode.pools:
            used[pool, pl.start : pl.end] += units
    # A multi-mode task enters with its own interval (the chosen mode's length) and a demand
    # that depends on the mode, not with one optional interval per mode: fewer intervals make
    # CP-SAT's steps faster on multi-mode models (RESULTS: Redundant constraints).
    usage: dict[int, list[tuple[cp_model.IntervalVar, cp_model.LinearExprT]]] = {}
    for tv in v.tasks.values():
        for pool, amounts in tv.amounts_by_mode(lambda mode: mode.pools).items():
            usage.setdefault(pool, []).append((tv.interval, tv.mode_demand(model, amounts)))
    for pool, items in usage.items():
        cap = int(pb.pool_capacity[pool])
        fixed = _segments(np.minimum(used[pool], cap), 0)
        intervals = [iv for iv, _ in items]
        intervals += [model.new_fixed_size_interval_var(s, n, f"poolused[{pool},{s}]") for s, n, _ in fixed]
        model.add_cumulative(intervals, [u for _, u in items] + [b for _, _, b in fixed], cap)


def budgets(model: cp_model.CpModel, scope: Scope, v: Variables) -> None:
    """Each project's consumption of each budget stays within its limit."""
    pb = scope.problem
    if pb.num_budgets == 0:
        return
    spent = pb.budget_use(pl.mode for pl in scope.fixed_placements())
    terms: dict[int, list[cp_model.LinearExprT]] = {}
    for tv in v.tasks.values():
        for budget, amounts in tv.amounts_by_mode(lambda mode: mode.consumes).items():
            expr = tv.mode_amount(amounts)
            if tv.present is not None and len(tv.modes) == 1:
                expr = amounts[tv.modes[0][0]] * tv.present
            terms.setdefault(budget, []).append(expr)
    for budget, exprs in terms.items():
        model.add(sum(exprs) <= int(pb.budget_limit[budget]) - int(spent[budget]))


def project_finish(model: cp_model.CpModel, scope: Scope, v: Variables) -> None:
    """Project finish is its last task's end; lateness counts working days past due."""
    pb = scope.problem
    free = scope.free_set
    for p, finish in v.project_finish.items():
        fixed_ends = [
            scope.incumbent[t].end for t in pb.project2tasks[p] if t not in free and t in scope.incumbent
        ]
        if fixed_ends:
            model.add(finish >= max(fixed_ends))
        for t in pb.project2tasks[p]:
            tv = v.tasks.get(t)
            if tv is None:
                continue
            ct = model.add(finish >= tv.end)
            if tv.present is not None:
                ct.only_enforce_if(tv.present)
        late = v.project_late.get(p)
        if late is not None:
            present = v.project_present.get(p)
            ct = model.add(late >= finish - 1 - int(pb.project_due[p]))
            if present is not None:
                ct.only_enforce_if(present)


def change_budget(model: cp_model.CpModel, scope: Scope, v: Variables) -> None:
    """Replanning: at most ``max_changes`` baseline tasks may change (start, mode or people)."""
    d = scope.disruption
    if d is None or d.max_changes is None:
        return
    free = scope.free_set
    already = sum(1 for t in d.reference if t not in free and d.changed(t, scope.incumbent.get(t)))
    changed = []
    for t, tv in v.tasks.items():
        ref = d.reference.get(t)
        if ref is None:
            continue
        change = model.new_bool_var(f"changed[{t}]")
        model.add(tv.start == ref.start).only_enforce_if(~change)
        for mode, lit in tv.modes:
            if lit is not None and mode == ref.mode:
                model.add_implication(~change, lit)
        for person, _ in ref.people:
            lit = v.works.get((t, person))
            if lit is None:
                model.add(change == 1)
            else:
                model.add_implication(~change, lit)
        changed.append(change)
    model.add(sum(changed) <= max(0, d.max_changes - already))


Family = Callable[[cp_model.CpModel, Scope, Variables], None]

CONSTRAINTS: tuple[Family, ...] = (
    task_windows,
    staffing,
    dependencies,
    person_capacity,
    parallel_projects,
    pool_capacity,
    budgets,
    skill_pools,
    head_count,
    project_finish,
    change_budget,
)
"""The constraint families, in the order they are added."""

RULE_FAMILIES: dict[HardRule, tuple[Family | Callable[..., Variables], ...]] = {
    # by construction: one interval per task on the working-day axis of the horizon
    HardRule.PLAN_STRUCTURE: (make_variables,),
    # one presence literal per proposed project, shared by its tasks; committed tasks always present
    HardRule.COMPLETE_PROJECTS: (make_variables,),
    HardRule.TASK_WINDOWS: (task_windows,),
    HardRule.DEPENDENCIES: (dependencies,),
    # a task's modes (crew sizes, durations) are its length choices, made in the variables
    HardRule.STAFFING: (staffing, make_variables),
    # only available people are candidates; absences are blocked days of the person's capacity
    HardRule.AVAILABILITY: (make_variables, person_capacity),
    HardRule.PERSON_CAPACITY: (person_capacity,),
    HardRule.PARALLEL_PROJECTS: (parallel_projects,),
    HardRule.POOL_CAPACITY: (pool_capacity,),
    HardRule.BUDGETS: (budgets,),
}
"""What enforces each hard rule in the model: the family of the rule's own name, and where the
variables do it by construction."""
