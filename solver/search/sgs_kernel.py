"""Serial schedule generation compiled with numba: the population search's hot loop.

:func:`solver.search.population.build_reference` builds the schedules of a whole population
with numpy operations over all rows at once; each step of it touches every row's full
candidate list, so a schedule costs O(tasks²) array work plus Python overhead per task.
Here one row at a time is built in compiled code: the ready tasks in a short list, each
task's first start found by jumping past the latest day that has no room. The same rule
gives the same starts (the reference is what the tests hold it to); the compiled loop
releases the GIL, so it runs beside CP-SAT's threads on the other core.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _no_room(usage: np.ndarray, use: np.ndarray, capacity: np.ndarray, a: int, day: int) -> bool:
    for p in range(capacity.shape[0]):  # noqa: SIM110 (numba compiles loops, not generators)
        if usage[day, p] + use[a, p] > capacity[p]:
            return True
    return False


@njit(cache=True, nogil=True)
def _book(usage: np.ndarray, use: np.ndarray, a: int, at: int, days: int) -> None:
    for day in range(at, at + days):
        for p in range(use.shape[1]):
            usage[day, p] += use[a, p]


@njit(cache=True, nogil=True)
def build_rows(
    keys: np.ndarray,
    earliest: np.ndarray,
    latest: np.ndarray,
    length: np.ndarray,
    use: np.ndarray,
    scan: np.ndarray,
    uses_pools: np.ndarray,
    pinned: np.ndarray,
    pred_ptr: np.ndarray,
    pred_idx: np.ndarray,
    pred_lag: np.ndarray,
    succ_ptr: np.ndarray,
    succ_idx: np.ndarray,
    num_preds: np.ndarray,
    capacity: np.ndarray,
    horizon: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Serial schedule generation of every row of ``keys`` (rows × tasks).

    The arguments are those of :class:`solver.search.population.Batch` with the predecessor
    and successor lists as CSR arrays (``pred_ptr[i]:pred_ptr[i+1]`` index ``pred_idx`` and
    ``pred_lag``). Returns the starts (rows × tasks) and whether each row kept every window.
    """
    rows_n, n = keys.shape
    num_pools = capacity.shape[0]
    starts = np.zeros((rows_n, n), np.int64)
    ok = np.ones(rows_n, np.bool_)
    usage = np.zeros((horizon, num_pools), np.int32)
    waiting = np.empty(n, np.int64)
    ready = np.empty(n, np.int64)
    for r in range(rows_n):
        usage[:, :] = 0
        row_ok = True
        for i in range(n):  # pinned tasks first: the others fit around them
            if pinned[i] and uses_pools[i]:
                at = min(max(earliest[r, i], 0), horizon - length[i])
                _book(usage, use, i, at, length[i])
        for day in range(horizon):
            for p in range(num_pools):
                if usage[day, p] > capacity[p]:
                    row_ok = False
        count = 0
        for i in range(n):
            waiting[i] = num_preds[i]
            if waiting[i] == 0:
                ready[count] = i
                count += 1
        for _ in range(n):
            best = 0
            for k in range(1, count):  # the smallest key, ties to the lowest task
                a, b = ready[k], ready[best]
                if keys[r, a] < keys[r, b] or (keys[r, a] == keys[r, b] and a < b):
                    best = k
            a = ready[best]
            count -= 1
            ready[best] = ready[count]
            lo = earliest[r, a]
            for k in range(pred_ptr[a], pred_ptr[a + 1]):
                lo = max(lo, starts[r, pred_idx[k]] + pred_lag[k])
            hi = latest[r, a]
            if pinned[a]:
                row_ok = row_ok and lo <= hi
                s = earliest[r, a]
            else:
                s = lo
            days = scan[a]
            if days > 0:
                t = s
                while t <= hi and t + days <= horizon:
                    blocked = -1
                    for day in range(t + days - 1, t - 1, -1):  # the latest day without room
                        if _no_room(usage, use, capacity, a, day):
                            blocked = day
                            break
                    if blocked < 0:
                        break
                    t = blocked + 1
                s = t
            if s > hi or s + days > horizon:
                row_ok = False
                s = min(s, hi)
            if days > 0:
                _book(usage, use, a, s, days)
            starts[r, a] = s
            for k in range(succ_ptr[a], succ_ptr[a + 1]):
                j = succ_idx[k]
                waiting[j] -= 1
                if waiting[j] == 0:
                    ready[count] = j
                    count += 1
        ok[r] = row_ok
    return starts, ok


@njit(cache=True, nogil=True)
def _build(keys: np.ndarray, earliest: np.ndarray, latest: np.ndarray, net: tuple) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[type-arg]
    return build_rows(
        keys, earliest, latest, net[0], net[1], net[2], net[3], net[4], net[5], net[6], net[7], net[8], net[9],
        net[10], net[11], net[12],
    )


@njit(cache=True, nogil=True)
def row_values(starts: np.ndarray, length: np.ndarray, goal: tuple) -> np.ndarray:  # type: ignore[type-arg]
    """The objective of every row of starts, as
    :func:`solver.search.population._rows_value` (``goal``: see
    :func:`solver.search.population.kernel_goal`)."""
    project, priority, has_due, due, committed, target, num_days, weights = (
        goal[0], goal[1], goal[2], goal[3], goal[4], goal[5], goal[6], goal[7],
    )
    rows_n, n = starts.shape
    num_projects = priority.shape[0]
    values = np.empty(rows_n, np.float64)
    finish = np.empty(num_projects, np.int64)
    for r in range(rows_n):
        finish[:] = -1
        for i in range(n):
            finish[project[i]] = max(finish[project[i]], starts[r, i] + length[i] - 1)
        tardiness = left_out = completion = delay = 0
        makespan = 0
        for p in range(num_projects):
            if finish[p] >= 0:
                if has_due[p]:
                    tardiness += priority[p] * max(0, finish[p] - due[p])
                completion += priority[p] * finish[p]
                delay += finish[p] + 1 - target[p]
                makespan = max(makespan, finish[p] + 1)
            elif not committed[p]:
                left_out += priority[p]
        values[r] = (
            weights[0] * (float(tardiness) + float(left_out * num_days))
            + weights[1] * float(completion)
            + weights[2] * float(makespan)
            + weights[3] * float(delay)
        )
    return values


@njit(cache=True, nogil=True)
def build_and_improve_rows(
    keys: np.ndarray,
    earliest: np.ndarray,
    latest: np.ndarray,
    forward: tuple,  # type: ignore[type-arg]
    backward: tuple,  # type: ignore[type-arg]
    goal: tuple,  # type: ignore[type-arg]
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`solver.search.population.build_and_improve` compiled: each row built, then a
    backward and a forward pass; the better schedule per row and its value (inf: none)."""
    rows_n, n = keys.shape
    length, pinned = forward[0], forward[4]
    early = np.empty((rows_n, n), np.int64)
    late = np.empty((rows_n, n), np.int64)
    for r in range(rows_n):
        early[r] = earliest
        late[r] = latest
    starts, ok = _build(keys, early, late, forward)
    values = row_values(starts, length, goal)
    back_keys = np.empty((rows_n, n), np.float64)
    back_early = np.empty((rows_n, n), np.int64)
    back_late = np.empty((rows_n, n), np.int64)
    last = np.empty(rows_n, np.int64)
    for r in range(rows_n):
        if not ok[r]:
            values[r] = np.inf
        last[r] = 0
        for i in range(n):
            last[r] = max(last[r], starts[r, i] + length[i])
        for i in range(n):
            back_keys[r, i] = -float(starts[r, i] + length[i])
            back_late[r, i] = last[r] - earliest[i] - length[i]
            if pinned[i]:
                back_early[r, i] = back_late[r, i]
            else:
                back_early[r, i] = max(last[r] - min(latest[i] + length[i], last[r]), 0)
    back, back_ok = _build(back_keys, back_early, back_late, backward)
    right = np.empty((rows_n, n), np.float64)
    for r in range(rows_n):
        for i in range(n):
            right[r, i] = float(last[r] - back[r, i] - length[i])
    again, again_ok = _build(right, early, late, forward)
    improved = row_values(again, length, goal)
    for r in range(rows_n):
        if ok[r] and back_ok[r] and again_ok[r] and improved[r] < values[r]:
            values[r] = improved[r]
            starts[r] = again[r]
    return starts, values


@njit(cache=True, nogil=True)
def _as_keys(starts: np.ndarray, length: np.ndarray) -> np.ndarray:
    rows_n, n = starts.shape
    keys = np.empty((rows_n, n), np.float64)
    for r in range(rows_n):
        span = 0
        for i in range(n):
            span = max(span, starts[r, i] + length[i])
        for i in range(n):
            keys[r, i] = starts[r, i] / (span + 1.0)
    return keys


@njit(cache=True, nogil=True)
def draws(
    seed: int, size: int, num_elite: int, num_mutants: int, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One generation's random numbers from ``seed``: an elite and an other parent per
    child, the children's key choices (children × tasks), the mutants (mutants × tasks)."""
    np.random.seed(seed)
    children_n = size - num_elite - num_mutants
    elite = np.empty(children_n, np.int64)
    other = np.empty(children_n, np.int64)
    for c in range(children_n):
        elite[c] = np.random.randint(0, num_elite)
        other[c] = np.random.randint(num_elite, size)
    mask = np.random.random((children_n, n))
    mutants = np.random.random((num_mutants, n))
    return elite, other, mask, mutants


@njit(cache=True, nogil=True)
def evolve(
    keys: np.ndarray,
    starts: np.ndarray,
    values: np.ndarray,
    seed: int,
    count: int,
    num_elite: int,
    num_mutants: int,
    bias: float,
    earliest: np.ndarray,
    latest: np.ndarray,
    forward: tuple,  # type: ignore[type-arg]
    backward: tuple,  # type: ignore[type-arg]
    goal: tuple,  # type: ignore[type-arg]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``count`` generations of :func:`solver.search.population.generation_reference`, the
    ``g``-th with the random numbers :func:`draws` gives for ``seed + g``; returns the new
    keys, starts and values."""
    length = forward[0]
    size, n = keys.shape
    for g in range(count):
        elite_parents, other_parents, mask, mutants = draws(seed + g, size, num_elite, num_mutants, n)
        order = np.argsort(values, kind="mergesort")
        keys, starts, values = keys[order], starts[order], values[order]
        children_n = mask.shape[0]
        fresh = np.empty((children_n + mutants.shape[0], n), np.float64)
        for c in range(children_n):
            elite, other = keys[elite_parents[c]], keys[other_parents[c]]
            for i in range(n):
                fresh[c, i] = elite[i] if mask[c, i] < bias else other[i]
        fresh[children_n:] = mutants
        new_starts, new_values = build_and_improve_rows(fresh, earliest, latest, forward, backward, goal)
        old = np.empty((size, keys.shape[1]), np.float64)
        old[:num_elite] = keys[:num_elite]
        old[num_elite:] = fresh
        next_starts = np.empty_like(starts)
        next_starts[:num_elite] = starts[:num_elite]
        next_starts[num_elite:] = new_starts
        next_values = np.empty_like(values)
        next_values[:num_elite] = values[:num_elite]
        next_values[num_elite:] = new_values
        starts, values = next_starts, next_values
        keys = _as_keys(starts, length)
        for r in range(size):  # Lamarckian keys: the improved starts, ties kept in the old order
            low = old[r].min()
            for i in range(keys.shape[1]):
                keys[r, i] += 1e-6 * (old[r, i] - low)
    return keys, starts, values
