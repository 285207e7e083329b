"""A lower bound from capacity: the work a group of people (or a pool) can do must fit in its days.

The critical-path bound ignores people, so on an overloaded portfolio it says
almost nothing. This relaxation keeps capacity but forgets names, task order
and contiguity. For one *resource class* (the people who could fill the
requirements of a skill at or above a level, or one pool) it asks: if every
project's work for that class could be poured into any day between its
earliest start and its latest end, at most at the rate its tasks could absorb,
how cheaply could the class's daily capacity serve it? That is a min-cost
transportation problem (projects → days), solved exactly as a network flow.

Why the cost is a valid bound: a unit of project ``p``'s work done on day ``t``
by a task with ``tail`` working days of its project still to follow forces
``p`` to finish on day ``t + tail`` or later, so every cost term of ``p`` that
grows with its finish is at least its value at ``max(t + tail, earliest
finish)``. The project's real cost is at least that of its *latest* unit and
so at least the *average* over its units, which is linear in the flow. A
proposed project may instead be left out, at its contract penalty. Every
class gives a bound on its own; the best one counts.

For the makespan term the same network answers a yes/no question by max
flow: can the class serve every committed project if no unit may imply a
finish after day ``T``? A binary search finds the smallest such ``T``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from solver.bounds.precedence import critical_path_floor, finish_cost
from solver.problem import Point, Problem
from solver.windows import TimeWindows, time_windows

COST_SCALE = 10_000  # integer flow costs: objective units × COST_SCALE, rounded down


@dataclass(frozen=True)
class ResourceClass:
    """Requirements whose candidates all lie in one set of people (or one pool)."""

    name: str
    capacity: np.ndarray  # per day, in percent of a person-day (pool: units)
    requirements: frozenset[int]  # empty for a pool
    pool: int = -1


@dataclass(frozen=True)
class ClassBound:
    """The bound one resource class gives."""

    resource: str
    value: float


def tails(problem: Problem, windows: TimeWindows) -> np.ndarray:
    """Working days a project must still run after each task's exclusive end (shortest modes)."""
    min_len = windows.min_length
    tail = np.zeros(problem.num_tasks, dtype=np.int64)
    for t in reversed(windows.order):
        project = problem.task2project[t]
        for k in problem.task_succs[t]:
            prec = problem.precedences[k]
            s = prec.succ
            if problem.task2project[s] != project:
                continue
            after = tail[s] + prec.delay
            after += min_len[s] if prec.succ_point == Point.START else 0
            after -= min_len[t] if prec.pred_point == Point.START else 0
            tail[t] = max(tail[t], after)
    return tail


def resource_classes(problem: Problem) -> list[ResourceClass]:
    """One class per (skill, level) that requirements ask for, plus one per pool."""
    by_key: dict[tuple[str, int], set[int]] = {}
    for r in range(problem.num_requirements):
        by_key.setdefault((problem.req_skill[r], int(problem.req_level[r])), set()).add(r)
    person_days = problem.person_capacity[:, None].astype(np.int64) * problem.person_available
    classes = []
    for (skill, level), _ in sorted(by_key.items()):
        # every requirement of this skill at this level or above: their candidates all
        # hold the skill at ≥ level, so together they compete for the same people
        reqs = frozenset(r for (s, lvl), rs in by_key.items() if s == skill and lvl >= level for r in rs)
        people = np.unique(np.concatenate([problem.req_eligible[r] for r in reqs]))
        capacity = person_days[people].sum(axis=0) if people.size else np.zeros(problem.num_days, np.int64)
        classes.append(ResourceClass(f"{skill} ≥ {level}", capacity, reqs))
    for pool, name in enumerate(problem.pool_ids):
        capacity = np.full(problem.num_days, int(problem.pool_capacity[pool]), dtype=np.int64)
        classes.append(ResourceClass(f"pool {name}", capacity, frozenset(), pool))
    return classes


def _demand(problem: Problem, task: int, resource: ResourceClass) -> tuple[int, int]:
    """Least work (unit-days) any mode of ``task`` puts on a class, and the most per day."""
    least, rate = None, 0
    for mode in problem.task_modes[task]:
        if resource.pool >= 0:
            per_day = sum(units for pool, units in mode.pools if pool == resource.pool)
        else:
            per_day = sum(
                count * int(problem.req_allocation[r])
                for r, count in mode.slots
                if r in resource.requirements
            )
        work = per_day * mode.length
        least = work if least is None else min(least, work)
        rate = max(rate, per_day)
    return least or 0, rate


@dataclass(frozen=True)
class _Demand:
    """One project's work for a class: how much, how fast, on which days, finishing when."""

    project: int
    total: int
    rate: int
    days: np.ndarray  # the days a unit of this work could be done on
    finish: np.ndarray  # per such day: the earliest the project could then finish


def _demands(
    problem: Problem,
    resource: ResourceClass,
    windows: TimeWindows,
    tail: np.ndarray,
    earliest_finish: np.ndarray,
) -> list[_Demand]:
    out = []
    never = np.iinfo(np.int64).max
    for p in range(problem.num_projects):
        work = []
        for t in problem.project2tasks[p]:
            amount, rate = _demand(problem, t, resource)
            if amount > 0:
                work.append((t, amount, rate))
        if not work:
            continue
        # a unit on a day implies at least the shortest tail among the tasks that could
        # be working then (a task works only inside its own window)
        tail_on_day = np.full(problem.num_days, never, dtype=np.int64)
        for t, _, _ in work:
            lo, hi = int(windows.earliest_start[t]), min(problem.num_days, int(windows.latest_end[t]))
            tail_on_day[lo:hi] = np.minimum(tail_on_day[lo:hi], tail[t])
        days = np.flatnonzero(tail_on_day < never)
        finish = np.maximum(days + tail_on_day[days], int(earliest_finish[p]))
        total = sum(a for _, a, _ in work)
        out.append(_Demand(p, total, max(1, sum(r for _, _, r in work)), days, finish))
    return out


def _network(
    demands: list[_Demand], capacity: np.ndarray, arc_cost: list[np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Arcs source → project → day → sink: (tails, heads, capacities, costs); sink is the last node."""
    days = capacity.size
    day_node = 1 + len(demands)
    sink = day_node + days
    tails_, heads_, caps, costs = [], [], [], []
    for i, d in enumerate(demands):
        tails_ += [np.array([0]), np.full(d.days.size, 1 + i)]
        heads_ += [np.array([1 + i]), day_node + d.days]
        caps += [np.array([d.total]), np.full(d.days.size, d.rate)]
        costs += [np.zeros(1, np.int64), arc_cost[i] if arc_cost else np.zeros(d.days.size, np.int64)]
    tails_.append(day_node + np.arange(days))  # each day serves at most its capacity
    heads_.append(np.full(days, sink))
    caps.append(capacity.astype(np.int64))
    costs.append(np.zeros(days, np.int64))
    return (
        np.concatenate(tails_).astype(np.int32),
        np.concatenate(heads_).astype(np.int32),
        np.concatenate(caps).astype(np.int64),
        np.concatenate(costs).astype(np.int64),
    )


def class_cost_bound(
    problem: Problem, demands: list[_Demand], capacity: np.ndarray, project_floor: np.ndarray
) -> float | None:
    """The finish-driven cost terms, bounded by one class (None when its flow cannot be routed).

    ``project_floor`` is each project's cost at its critical-path finish; projects without
    work for this class count with it.
    """
    if not demands:
        return None
    arc_cost = []
    for d in demands:
        value = finish_cost(problem, d.project, d.finish)
        arc_cost.append(np.floor(value * COST_SCALE / d.total).astype(np.int64))
    tails_, heads_, caps, costs = _network(demands, capacity, arc_cost)
    sink = 1 + len(demands) + capacity.size
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails_, heads_, caps, costs)
    for i, d in enumerate(demands):
        if not problem.project_committed[d.project]:
            # a proposed project may be left out, at its contract penalty
            penalty = problem.weights.tardiness * float(problem.project_priority[d.project])
            flow.add_arc_with_capacity_and_unit_cost(
                1 + i, sink, d.total, int(penalty * problem.num_days * COST_SCALE / d.total)
            )
    needed = sum(d.total for d in demands)
    flow.set_node_supply(0, needed)
    flow.set_node_supply(sink, -needed)
    if flow.solve() != flow.OPTIMAL:
        return None
    served = {d.project for d in demands}
    rest = sum(float(project_floor[p]) for p in range(problem.num_projects) if p not in served)
    return flow.optimal_cost() / COST_SCALE + rest


def class_makespan_bound(problem: Problem, demands: list[_Demand], capacity: np.ndarray) -> int | None:
    """Fewest days in which one class can serve every committed project (None: never)."""
    demands = [d for d in demands if problem.project_committed[d.project]]
    if not demands:
        return None
    tails_, heads_, caps, _ = _network(demands, capacity)
    # per arc (in _network's order): the finish it implies; -1 where it implies none
    finish = np.concatenate(
        [x for d in demands for x in (np.full(1, -1), d.finish)] + [np.full(capacity.size, -1)]
    )
    needed = sum(d.total for d in demands)

    def fits(days: int) -> bool:
        flow = max_flow.SimpleMaxFlow()
        flow.add_arcs_with_capacity(tails_, heads_, np.where(finish < days, caps, 0))
        sink = 1 + len(demands) + capacity.size
        return flow.solve(0, sink) == flow.OPTIMAL and flow.optimal_flow() >= needed

    lo = int(max(d.finish.min() for d in demands)) + 1
    hi = problem.num_days
    if not fits(hi):
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if fits(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


@dataclass(frozen=True)
class CapacityBound:
    """What capacity proves about every plan.

    Attributes
    ----------
    objective
        Lower bound on the objective (finish-driven terms and makespan; cost and
        continuity count as zero).
    makespan
        Fewest working days in which every committed project can finish.
    classes
        Each class's bound on the finish-driven terms, best first.
    binding
        Names of the classes whose capacity sets the bound (the bottleneck), if any.
    lateness
        What the same relaxation proves about late working days (:class:`LatenessBound`).
    """

    objective: float
    makespan: int
    classes: list[ClassBound]
    binding: list[str]  # the classes that set it (empty: the critical path alone does)
    lateness: LatenessBound


def capacity_bound(problem: Problem, deadline: float | None = None) -> CapacityBound:
    """The best of every class's bounds, never below the critical-path bound.

    Past ``deadline`` (a ``perf_counter`` time) the classes not yet bounded are left out:
    the best of the others is still a bound.
    """
    weights = problem.weights
    windows = time_windows(problem)
    tail = tails(problem, windows)
    floor = critical_path_floor(problem, windows)
    earliest_finish = floor.earliest_finish
    makespan = floor.makespan
    finish_terms = float(floor.cost.sum())
    per_class = []
    finish_from = makespan_from = None
    late_floor = _late_days_floor(problem, floor.earliest_finish)
    late_days, late_from = float(late_floor.sum()), "critical path"
    for resource in resource_classes(problem):
        if deadline is not None and time.perf_counter() > deadline:
            break
        demands = _demands(problem, resource, windows, tail, earliest_finish)
        late = class_late_days_bound(problem, demands, resource.capacity, late_floor)
        if late is not None and late > late_days + 1e-9:
            late_days, late_from = late, f"capacity of {resource.name}"
        value = class_cost_bound(problem, demands, resource.capacity, floor.cost)
        if value is not None:
            per_class.append(ClassBound(resource.name, value))
            if value > finish_terms + 1e-9:
                finish_terms, finish_from = value, resource.name
        if weights.makespan:
            days = class_makespan_bound(problem, demands, resource.capacity)
            if days is not None and days > makespan:
                makespan, makespan_from = days, resource.name
    per_class.sort(key=lambda c: -c.value)
    binding = list(dict.fromkeys(n for n in (finish_from, makespan_from) if n is not None))
    lateness = LatenessBound(int(np.ceil(late_days - 1e-6)), late_from)
    return CapacityBound(finish_terms + weights.makespan * makespan, makespan, per_class, binding, lateness)


@dataclass(frozen=True)
class LatenessBound:
    """What any plan must have of late working days (Σ over projects), and what proves it.

    Attributes
    ----------
    days
        Working days late, summed over the projects, in every plan (proposed projects
        count with none: they may be left out).
    method
        What proves it: ``critical path`` (each committed project at its earliest
        finish), ``capacity of <class>`` (the relaxation of this module, with every unit
        of work costed by the late days it implies).
    """

    days: int
    method: str


def _late_days(problem: Problem, p: int, finish: np.ndarray) -> np.ndarray:
    """Working days project ``p`` is late at each finish day given (0 without a due date)."""
    if not problem.project_has_due[p]:
        return np.zeros(finish.shape, dtype=float)
    return np.maximum(0, finish - int(problem.project_due[p])).astype(float)


def class_late_days_bound(
    problem: Problem, demands: list[_Demand], capacity: np.ndarray, project_floor: np.ndarray
) -> float | None:
    """Late days bounded by one class: the min-cost flow of :func:`class_cost_bound` with
    each unit costed by the late days its day implies (averaged over the project's units,
    as there), committed projects only; ``project_floor``: each project's late days at its
    critical-path finish, for the projects this class does not serve."""
    demands = [d for d in demands if problem.project_committed[d.project]]
    if not demands:
        return None
    arc_cost = [
        np.floor(_late_days(problem, d.project, d.finish) * COST_SCALE / d.total).astype(np.int64)
        for d in demands
    ]
    tails_, heads_, caps, costs = _network(demands, capacity, arc_cost)
    sink = 1 + len(demands) + capacity.size
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails_, heads_, caps, costs)
    needed = sum(d.total for d in demands)
    flow.set_node_supply(0, needed)
    flow.set_node_supply(sink, -needed)
    if flow.solve() != flow.OPTIMAL:
        return None
    served = {d.project for d in demands}
    rest = sum(float(project_floor[p]) for p in range(problem.num_projects) if p not in served)
    return flow.optimal_cost() / COST_SCALE + rest


def _late_days_floor(problem: Problem, earliest_finish: np.ndarray) -> np.ndarray:
    """Per project: working days late at its critical-path finish (0 for a proposed one, which
    may be left out)."""
    return np.array(
        [
            float(_late_days(problem, p, earliest_finish[p : p + 1])[0])
            if problem.project_committed[p]
            else 0.0
            for p in range(problem.num_projects)
        ]
    )


def late_days_bound(problem: Problem, deadline: float | None = None) -> LatenessBound:
    """The best of the critical path's and every class's late-days bounds (past ``deadline``,
    a ``perf_counter`` time, the classes not yet bounded are left out)."""
    return capacity_bound(problem, deadline).lateness
