"""Schedule search for plans that decide task times only: serial schedule generation and
double justification on a numpy timetable, iterated from the incumbent.

CP-SAT's improvement stalls on large pool-only models, where each of its neighbourhood steps
re-solves a big model (RESULTS: Schedule search). The classic RCPSP moves
are cheap there: rebuild the plan task by task in a slightly perturbed
order of its own start times (serial schedule generation), then shift every task as late
(right) and then as early (left) as the others allow (double justification, Valls et al.).
Each rebuild takes a fraction of a second in numpy and never breaks a rule: the search only
ever keeps complete plans that respect windows, pins, precedences and pool capacity.

Presence and people stay as in the incumbent, so the search applies when no task has people
to staff (:func:`applies`); the objective must not decrease when a task ends later (every
contract term is like that once people are fixed). Where tasks have alternative modes without
people, part of the rebuilds first switch one or two tasks to another mode their project's
budgets allow (:class:`ModeSwitch`): CP-SAT's first choice of modes is otherwise locked in.
"""

from __future__ import annotations

import dataclasses
import heapq
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from solver.construct.levelling import Placement
from solver.problem import Point, Problem
from solver.settings import ScheduleSearchTuning, Stall


@dataclass(frozen=True)
class Network:
    """The placed tasks of a plan as index arrays (``i`` = position in ``tasks``).

    A precedence ``point(b) >= point(a) + delay`` becomes ``start[b] >= start[a] + lag``.
    """

    problem: Problem
    tasks: list[int]
    placements: list[Placement]
    length: np.ndarray
    use: np.ndarray  # tasks × pools × 1: units taken while the task runs
    uses_pools: np.ndarray  # bool per task
    earliest: np.ndarray  # first allowed start
    latest: np.ndarray  # last allowed start
    pinned: np.ndarray  # bool: a fixed start, never moved
    preds: list[list[tuple[int, int]]]  # (i of the predecessor, lag)
    succs: list[list[tuple[int, int]]]  # (i of the successor, lag)
    horizon: int

    @property
    def size(self) -> int:
        """Number of placed tasks."""
        return len(self.tasks)

    def plan(self, starts: np.ndarray) -> dict[int, Placement]:
        """Placements with these starts (same modes and people)."""
        return {
            t: dataclasses.replace(pl, start=int(s))
            for t, pl, s in zip(self.tasks, self.placements, starts.tolist(), strict=True)
        }

    def starts_of(self, placements: dict[int, Placement]) -> np.ndarray:
        """Start of each task of the network in a plan of the same tasks."""
        return np.array([placements[t].start for t in self.tasks], dtype=np.int64)

    def free_capacity(self, starts: np.ndarray | None = None) -> np.ndarray:
        """Units left per pool and day (``starts`` = None: an empty timetable)."""
        capacity = self.problem.pool_capacity.astype(np.int64)[:, None]
        if starts is None:
            return np.repeat(capacity, self.horizon, axis=1)
        tasks, pools = np.nonzero(self.use[:, :, 0])
        units = self.use[tasks, pools, 0]
        change = np.zeros((len(capacity), self.horizon + 1), dtype=np.int64)
        np.add.at(change, (pools, starts[tasks]), units)
        np.add.at(change, (pools, starts[tasks] + self.length[tasks]), -units)
        return capacity - np.cumsum(change[:, : self.horizon], axis=1)

    def book(self, free: np.ndarray, i: int, start: int, sign: int) -> None:
        """Take (``sign`` -1) or give back (+1) the units task ``i`` uses from ``start``."""
        free[:, start : start + int(self.length[i])] += sign * self.use[i]


def applies(placements: dict[int, Placement]) -> bool:
    """Whether the search can improve this plan: tasks placed, nobody to staff."""
    return bool(placements) and not any(pl.people or pl.mode.slots for pl in placements.values())


def network(problem: Problem, placements: dict[int, Placement]) -> Network:
    """Index the placed tasks of a plan (precedences to tasks not placed are dropped)."""
    tasks = sorted(placements)
    index = {t: i for i, t in enumerate(tasks)}
    pls = [placements[t] for t in tasks]
    length = np.array([pl.mode.length for pl in pls], dtype=np.int64)
    preds: list[list[tuple[int, int]]] = [[] for _ in tasks]
    succs: list[list[tuple[int, int]]] = [[] for _ in tasks]
    for prec in problem.precedences:
        a, b = index.get(prec.pred), index.get(prec.succ)
        if a is None or b is None:
            continue
        shift_a = int(length[a]) if prec.pred_point == Point.END else 0
        shift_b = int(length[b]) if prec.succ_point == Point.END else 0
        lag = shift_a + prec.delay - shift_b
        preds[b].append((a, lag))
        succs[a].append((b, lag))
    use = np.zeros((len(tasks), problem.num_pools), dtype=np.int64)
    for i, pl in enumerate(pls):
        for pool, units in pl.mode.pools if pl.mode.length > 0 else ():  # length 0: uses nothing
            use[i, pool] += units
    fixed = problem.task_fixed_start[tasks]
    latest_end = problem.task_latest_end[tasks]
    return Network(
        problem=problem,
        tasks=tasks,
        placements=pls,
        length=length,
        use=use[:, :, None],
        uses_pools=np.asarray(use.any(axis=1)),
        earliest=np.where(fixed >= 0, fixed, problem.task_earliest_start[tasks]).astype(np.int64),
        latest=np.where(fixed >= 0, fixed, np.minimum(latest_end, problem.num_days) - length).astype(
            np.int64
        ),
        pinned=fixed >= 0,
        preds=preds,
        succs=succs,
        horizon=int(problem.num_days) + 1,
    )


def _fit(net: Network, free: np.ndarray, i: int, lo: int, hi: int, *, last: bool) -> int | None:
    """First (or last) start in ``[lo, hi]`` where task ``i`` has room in ``free``."""
    length = int(net.length[i])
    at = hi if last else lo
    if (free[:, at : at + length] >= net.use[i]).all():  # the usual case: no scan needed
        return at
    room = (free[:, lo : hi + length] >= net.use[i]).all(axis=0)
    blocked = np.zeros(len(room) + 1, dtype=np.int64)
    np.cumsum(~room, out=blocked[1:])
    fits = np.flatnonzero(blocked[length:] == blocked[: hi - lo + 1])
    if not len(fits):
        return None
    return lo + int(fits[-1] if last else fits[0])


def justify(net: Network, starts: np.ndarray, *, right: bool) -> np.ndarray:
    """Shift each task as far right (or left) as the others allow, one after the other.

    Right: in order of decreasing end, never past the current last end; left: in order of
    increasing start. Only moves into room the timetable has, so the plan stays feasible and
    its last end never grows.
    """
    starts = starts.copy()
    ends = starts + net.length
    free = net.free_capacity(starts)
    last_end = int(ends.max())
    order = np.lexsort((-starts, -ends)) if right else np.lexsort((ends, starts))
    for i in order.tolist():
        if net.pinned[i]:
            continue
        s, length = int(starts[i]), int(net.length[i])
        if right:
            lo, hi = s, min(int(net.latest[i]), last_end - length)
            for j, lag in net.succs[i]:
                hi = min(hi, int(starts[j]) - lag)
        else:
            lo, hi = int(net.earliest[i]), s
            for j, lag in net.preds[i]:
                lo = max(lo, int(starts[j]) + lag)
        if hi <= lo:
            continue
        if not net.uses_pools[i]:
            starts[i] = hi if right else lo
            continue
        net.book(free, i, s, +1)
        new = _fit(net, free, i, lo, hi, last=right)
        assert new is not None  # the current start always fits
        starts[i] = new
        net.book(free, i, new, -1)
    return starts


def double_justify(
    net: Network, starts: np.ndarray, value: Callable[[np.ndarray], float]
) -> tuple[np.ndarray, float]:
    """Right then left justification, repeated while the objective improves; the result and
    its value."""
    best, best_value = starts, value(starts)
    while True:
        candidate = justify(net, justify(net, best, right=True), right=False)
        candidate_value = value(candidate)
        if candidate_value >= best_value - 1e-9:
            if candidate_value <= best_value + 1e-9:
                return candidate, candidate_value
            return best, best_value
        best, best_value = candidate, candidate_value


def serial_schedule(
    net: Network, keys: np.ndarray, tuning: ScheduleSearchTuning | None = None
) -> np.ndarray | None:
    """Place the tasks one by one, smallest key first among those whose predecessors are
    placed, each at its earliest start with room; None when a task misses its window.

    Pinned tasks hold their room from the start; the others fit around them. ``tuning``
    (None: the defaults) sets the window looked at for room at a time.
    """
    fit_window = (tuning if tuning is not None else ScheduleSearchTuning()).fit_window_days
    free = net.free_capacity()
    for i in np.flatnonzero(net.pinned).tolist():
        net.book(free, i, int(net.earliest[i]), -1)
    if (free < 0).any():
        return None
    waiting = [len(p) for p in net.preds]
    key_list = keys.tolist()
    ready = [(key_list[i], i) for i in range(net.size) if waiting[i] == 0]
    heapq.heapify(ready)
    starts = np.full(net.size, -1, dtype=np.int64)
    placed = 0
    while ready:
        _, i = heapq.heappop(ready)
        lo, latest = int(net.earliest[i]), int(net.latest[i])
        for j, lag in net.preds[i]:
            lo = max(lo, int(starts[j]) + lag)
        if lo > latest:
            return None
        start = lo
        if not net.pinned[i] and net.uses_pools[i]:
            fitted = _first_fit(net, free, i, lo, latest, fit_window)
            if fitted is None:
                return None
            start = fitted
            net.book(free, i, start, -1)
        starts[i] = start
        placed += 1
        for j, _ in net.succs[i]:
            waiting[j] -= 1
            if waiting[j] == 0:
                heapq.heappush(ready, (key_list[j], j))
    return starts if placed == net.size else None


def _first_fit(net: Network, free: np.ndarray, i: int, lo: int, latest: int, window: int) -> int | None:
    step = 4 * int(net.length[i]) + window
    while lo <= latest:
        hi = min(latest, lo + step)
        start = _fit(net, free, i, lo, hi, last=False)
        if start is not None:
            return start
        lo = hi + 1
    return None


class ModeSwitch:
    """Switches of placed, unpinned tasks to another pool-only mode, within the budgets.

    Built from a plan; :meth:`propose` draws a neighbouring choice of modes for the same
    tasks, or None when no task can switch.
    """

    def __init__(self, problem: Problem, placements: dict[int, Placement]) -> None:
        self.problem = problem
        fixed = problem.task_fixed_start
        self.choices = {
            t: list(dict.fromkeys(m for m in problem.task_modes[t] if not m.slots))
            for t in sorted(placements)
            if fixed[t] < 0 and len(problem.task_modes[t]) > 1
        }
        self.tasks = [t for t, modes in self.choices.items() if len(modes) > 1]

    def __bool__(self) -> bool:
        return bool(self.tasks)

    def propose(
        self, placements: dict[int, Placement], pick: random.Random, *, switches: int, tries: int = 8
    ) -> dict[int, Placement] | None:
        """The plan with up to ``switches`` tasks in another mode (starts kept, to be rebuilt);
        None when no switch within the budgets was found in ``tries`` draws per switch."""
        if not self.tasks:
            return None
        limit = self.problem.budget_limit
        used = self.problem.budget_use(pl.mode for pl in placements.values())
        changed = dict(placements)
        done = 0
        for _ in range(switches * tries):
            if done == switches:
                break
            t = pick.choice(self.tasks)
            old = changed[t].mode
            others = [m for m in self.choices[t] if m != old]
            if not others:  # placed in a mode with people (not a choice here)
                continue
            new = pick.choice(others)
            after = used.copy()
            for budget, amount in old.consumes:
                after[budget] -= amount
            for budget, amount in new.consumes:
                after[budget] += amount
            if (after > limit).any():
                continue
            used = after
            changed[t] = dataclasses.replace(changed[t], mode=new)
            done += 1
        return changed if done else None


@dataclass
class SearchStats:
    """What one run of :func:`improve` did."""

    rebuilds: int = 0
    infeasible: int = 0
    accepted: int = 0
    improvements: int = 0
    mode_switches: int = 0  # accepted rebuilds with modes switched


def improve(
    problem: Problem,
    placements: dict[int, Placement],
    value: Callable[[dict[int, Placement]], float],
    *,
    stop: Callable[[], bool],
    seed: int = 0,
    stats: SearchStats | None = None,
    tuning: ScheduleSearchTuning | None = None,
) -> Iterator[tuple[dict[int, Placement], float]]:
    """Iterated rebuilds from a plan; yields each strictly better plan and its value.

    Each step rebuilds the current plan in the order of its starts plus random noise
    (:func:`serial_schedule`), double-justifies it and keeps it when it is no worse (ties move
    the search along plateaus). Where tasks have alternative modes, a share of the steps
    first switches one or two of them (:class:`ModeSwitch`). ``stop`` is asked before every
    step. ``tuning``: noise, window and share of mode switches (None: the defaults).
    """
    stats = stats if stats is not None else SearchStats()
    tuning = tuning if tuning is not None else ScheduleSearchTuning()
    net = network(problem, placements)
    switch = ModeSwitch(problem, placements)

    def valuer(of: Network) -> Callable[[np.ndarray], float]:
        return lambda starts: value(of.plan(starts))

    value_of = valuer(net)
    rng = np.random.default_rng(seed)
    pick = random.Random(seed)
    current = net.starts_of(placements)
    best_value = current_value = value_of(current)
    justified, justified_value = double_justify(net, current, value_of)
    if justified_value < best_value - 1e-9:
        current, current_value = justified, justified_value
        best_value = current_value
        stats.improvements += 1
        yield net.plan(current), current_value
    while not stop():
        stats.rebuilds += 1
        trial = net
        if switch and pick.random() < tuning.mode_switch_share:
            switched = switch.propose(net.plan(current), pick, switches=pick.choice((1, 1, 2)))
            if switched is not None:
                trial = network(problem, switched)
        keys = current + rng.random(net.size) * pick.choice(tuning.noise_levels_days)
        rebuilt = serial_schedule(trial, keys, tuning)
        if rebuilt is None:
            stats.infeasible += 1
            continue
        trial_value = value_of if trial is net else valuer(trial)
        candidate, candidate_value = double_justify(trial, rebuilt, trial_value)
        if candidate_value > current_value + 1e-9:
            continue
        stats.accepted += 1
        if trial is not net:
            stats.mode_switches += 1
            net, value_of = trial, trial_value
        current, current_value = candidate, candidate_value
        if current_value < best_value - 1e-9:
            best_value = current_value
            stats.improvements += 1
            yield net.plan(current), current_value


def stall_stop(
    limit_at: float, stall: Stall | None, *, bound_reached: Callable[[], bool] = lambda: False
) -> tuple[Callable[[], bool], Callable[[], None]]:
    """A ``stop`` test for :func:`improve` and the function to call on each improvement.

    The search stops at ``limit_at`` (``perf_counter`` seconds), when ``bound_reached()``, or
    on a ``stall`` counted in rebuilds (``stop`` is asked once per rebuild; None: never).
    """
    rebuilds = [0, 0]  # run, at the last improvement

    def stop() -> bool:
        rebuilds[0] += 1
        since = rebuilds[0] - rebuilds[1]
        stalled = stall is not None and stall.exceeded(since, rebuilds[0])
        return time.perf_counter() >= limit_at or stalled or bound_reached()

    def improved() -> None:
        rebuilds[1] = rebuilds[0]

    return stop, improved
