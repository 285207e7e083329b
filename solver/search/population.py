"""Population search for plans that decide task times only: a genetic algorithm whose
hot loop is compiled.

Each individual is a vector of random keys (the biased random-key genetic algorithm of
Gonçalves, Mendes and Resende): its schedule is built by serial schedule generation in key
order (the smallest key among the tasks whose predecessors are placed, at the first start
from its earliest one where the pools have room) and improved by a backward and a forward
pass (forward-backward improvement, Valls et al.), and the improved starts become its keys
(Lamarckian). Each generation keeps the best (a fifth by default), adds a few random
individuals and fills the rest with children that take each key from an elite parent with a
set probability (0.7 by default; sizes and shares are
:class:`~solver.settings.PopulationTuning`). The first population is the incumbent, keys of
priority rules that know the objective (:func:`objective_keys`) with noisy copies of them,
and random keys.

The generations run in :mod:`solver.search.sgs_kernel` (numba, without the GIL, many
generations per call), so the search has a core of its own beside CP-SAT's threads. The
numpy versions of the same steps (:func:`build_reference`,
:func:`build_and_improve_reference`, :func:`generation_reference`) build a whole
population at once with array operations; they are the reference the compiled kernels are
tested against (RESULTS: Population search).

Like the schedule search it keeps presence, modes and people as in the incumbent, so it
applies when nobody is staffed and no task can switch modes. Windows, pins, every kind of
dependency with its lag, and pool capacity hold in every schedule it returns (a row that
misses a window is discarded). The objective (:func:`_rows_value`, the contract's terms
that depend on times) must not decrease when a task ends later.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from solver.construct.levelling import Placement
from solver.evaluate import finish_terms, project_finish_rows
from solver.problem import Problem
from solver.search.schedule_search import ModeSwitch, Network, SearchStats, network
from solver.settings import PopulationTuning

INFEASIBLE = np.inf


@dataclass(frozen=True)
class Batch:
    """A network as padded index arrays, to build many schedules of it at once.

    ``pred``/``pred_lag``: each task's predecessors (padded with the sentinel ``size``, lag
    0) and the lags of ``start[task] >= start[pred] + lag``; ``succ``: its distinct
    successors (padded with ``size``); ``scan``: the length a task needs room for (0 when
    it uses no pool). ``reverse``: the network with every arrow turned round and time
    running backwards from the end of the plan, for the backward pass.
    """

    size: int
    length: np.ndarray
    use: np.ndarray  # tasks × pools
    scan: np.ndarray
    pred: np.ndarray
    pred_lag: np.ndarray
    succ: np.ndarray
    num_preds: np.ndarray
    pinned: np.ndarray
    capacity: np.ndarray
    csr: tuple[np.ndarray, ...]  # pred_ptr, pred_idx, pred_lag, succ_ptr, succ_idx for the kernel
    window: int  # days of timetable a row looks at first
    max_window: int  # ... and at most, doubling on each miss
    horizon: int  # days per row in the timetable (the plan's horizon plus room to look)


def kernel_network(b: Batch) -> tuple[object, ...]:
    """``b`` as the tuple the compiled kernels take (:mod:`solver.search.sgs_kernel`)."""
    return (b.length, b.use, b.scan, b.use.any(axis=1), b.pinned, *b.csr, b.num_preds, b.capacity, b.horizon)


def _pad(lists: list[list[tuple[int, int]]], size: int) -> tuple[np.ndarray, np.ndarray]:
    width = max(1, max((len(x) for x in lists), default=0))
    index = np.full((len(lists), width), size, dtype=np.int64)
    lag = np.zeros((len(lists), width), dtype=np.int64)
    for i, row in enumerate(lists):
        for k, (j, d) in enumerate(row):
            index[i, k], lag[i, k] = j, d
    return index, lag


def _csr(lists: list[list[tuple[int, int]]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ptr = np.zeros(len(lists) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(row) for row in lists])
    index = np.array([j for row in lists for j, _ in row], dtype=np.int64)
    lag = np.array([d for row in lists for _, d in row], dtype=np.int64)
    return ptr, index, lag


def batch(net: Network, *, reverse: bool = False, tuning: PopulationTuning | None = None) -> Batch:
    """The arrays of ``net`` (or of its reverse) for :func:`build`; ``tuning`` sets the
    timetable window (None: the defaults)."""
    tuning = tuning if tuning is not None else PopulationTuning()
    length = net.length
    if reverse:
        # start[b] >= start[a] + lag  <=>  r[a] >= r[b] + lag + length[b] - length[a],
        # with r = end of plan - end of task
        preds = [
            [(j, lag + int(length[j]) - int(length[i])) for j, lag in net.succs[i]] for i in range(net.size)
        ]
    else:
        preds = [list(p) for p in net.preds]
    succs: list[list[int]] = [[] for _ in range(net.size)]
    for i, row in enumerate(preds):
        for j in dict.fromkeys(j for j, _ in row):
            succs[j].append(i)
    pred, pred_lag = _pad(preds, net.size)
    succ, _ = _pad([[(j, 0) for j in row] for row in succs], net.size)
    pred_ptr, pred_idx, pred_lag_flat = _csr(preds)
    succ_ptr, succ_idx, _ = _csr([[(j, 0) for j in row] for row in succs])
    use = net.use[:, :, 0].astype(np.int32)
    scan = np.where(net.uses_pools & ~net.pinned, length, 0)
    window = max(tuning.min_window_days, 2 * int(scan.max(initial=0)))
    return Batch(
        size=net.size,
        length=length,
        use=use,
        scan=scan,
        pred=pred,
        pred_lag=pred_lag,
        succ=succ,
        num_preds=np.array([len(dict.fromkeys(j for j, _ in row)) for row in preds], dtype=np.int64),
        pinned=net.pinned,
        capacity=net.problem.pool_capacity.astype(np.int32),
        csr=(pred_ptr, pred_idx, pred_lag_flat, succ_ptr, succ_idx),
        window=window,
        max_window=tuning.max_window_growth * window,
        horizon=net.horizon + (tuning.max_window_growth + 1) * window + int(length.max(initial=0)),
    )


def build(
    b: Batch, keys: np.ndarray, earliest: np.ndarray, latest: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Serial schedule generation for every row of ``keys``, compiled
    (:mod:`solver.search.sgs_kernel`); the same starts as :func:`build_reference`."""
    if not len(keys):
        return np.zeros(keys.shape, dtype=np.int64), np.ones(0, dtype=bool)
    return _kernel("build_rows")(
        np.ascontiguousarray(keys, dtype=np.float64),
        np.ascontiguousarray(np.broadcast_to(earliest, keys.shape), dtype=np.int64),
        np.ascontiguousarray(np.broadcast_to(latest, keys.shape), dtype=np.int64),
        *kernel_network(b),
    )


def _kernel(name: str) -> Callable[..., Any]:
    """A compiled function of :mod:`solver.search.sgs_kernel` (imported on first use: numba
    compiles or loads the kernels then)."""
    from solver.search import sgs_kernel

    function: Callable[..., Any] = getattr(sgs_kernel, name)
    return function


def build_reference(
    b: Batch, keys: np.ndarray, earliest: np.ndarray, latest: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Serial schedule generation for every row of ``keys`` at once, in numpy: the
    reference the compiled :func:`build` is tested against.

    Each row places its tasks one by one, the smallest key first among those whose
    predecessors are placed, at the first start from its earliest one (window and
    predecessors) where the pools have room; pinned tasks keep their start (``earliest`` =
    ``latest``) and hold their room from the outset. ``earliest`` and ``latest`` are per row
    (rows × tasks). Returns the starts (rows × tasks) and whether each row kept every window.
    """
    rows_n, n = keys.shape
    rows = np.arange(rows_n)
    horizon = b.horizon
    num_pools = len(b.capacity)
    usage = np.zeros((rows_n * horizon, num_pools), dtype=np.int32)
    ok = np.ones(rows_n, dtype=bool)
    pins = np.flatnonzero(b.pinned & (b.use.any(axis=1)))
    for i in pins.tolist():  # pinned tasks first: the others fit around them
        at = np.clip(earliest[:, i], 0, horizon - int(b.length[i]))
        _book(
            usage,
            rows * horizon + at,
            np.full(rows_n, b.length[i]),
            np.broadcast_to(b.use[i], (rows_n, num_pools)),
        )
    ok &= (usage <= b.capacity).all(axis=1).reshape(rows_n, horizon).all(axis=1)
    starts = np.full((rows_n, n + 1), np.iinfo(np.int64).min // 4, dtype=np.int64)
    waiting = np.zeros((rows_n, n + 1), dtype=np.int64)
    waiting[:, :n] = b.num_preds
    remaining = np.full((rows_n, n + 1), np.inf)
    remaining[:, :n] = keys
    candidates = np.where(waiting == 0, remaining, np.inf)
    for _ in range(n):
        a = candidates.argmin(axis=1)
        candidates[rows, a] = np.inf
        remaining[rows, a] = np.inf
        nexts = b.succ[a]
        # successors are distinct (only the padding repeats, and the padding column is unused)
        left = waiting[rows[:, None], nexts] - 1
        waiting[rows[:, None], nexts] = left
        ready = left == 0
        candidates[rows[:, None], nexts] = np.where(
            ready, remaining[rows[:, None], nexts], candidates[rows[:, None], nexts]
        )
        candidates[:, n] = np.inf
        lo = np.maximum(earliest[rows, a], (starts[rows[:, None], b.pred[a]] + b.pred_lag[a]).max(axis=1))
        hi = latest[rows, a]
        pinned = b.pinned[a]
        ok &= ~(pinned & (lo > hi))
        s = np.where(pinned, earliest[rows, a], lo)
        d = b.scan[a]
        q = b.use[a]
        ok &= _first_room(b, usage, s, hi, d, q)
        ok &= s <= hi
        s = np.minimum(s, hi)
        booked = np.flatnonzero(d > 0)
        _book(usage, booked * horizon + s[booked], d[booked], q[booked])
        starts[rows, a] = s
    return starts[:, :n], ok


def _first_room(
    b: Batch, usage: np.ndarray, s: np.ndarray, hi: np.ndarray, d: np.ndarray, q: np.ndarray
) -> np.ndarray:
    """Move each row's start ``s`` (in place) to the first one from it where ``d`` days of
    ``q`` units fit in the row's timetable; False for rows where none does up to ``hi``.

    Rows look at a window of the timetable at a time, doubling it on each miss."""
    ok = np.ones(len(s), dtype=bool)
    todo = np.flatnonzero(d > 0)
    width = b.window
    while len(todo):
        span = np.arange(width)
        at = np.minimum(s[todo], hi[todo] + 1)
        cells = (todo * b.horizon + at)[:, None] + span[None, :]
        room = (usage[cells] + q[todo][:, None, :] <= b.capacity).all(axis=2)
        blocked = np.zeros((len(todo), width + 1), dtype=np.int32)
        np.cumsum(~room, axis=1, out=blocked[:, 1:])
        ends = np.minimum(span[None, :] + d[todo][:, None], width)
        fits = (span[None, :] + d[todo][:, None] <= width) & (
            np.take_along_axis(blocked, ends, axis=1) == blocked[:, :-1]
        )
        found = fits.any(axis=1)
        s[todo[found]] = at[found] + fits[found].argmax(axis=1)
        missed = todo[~found]
        s[missed] = at[~found] + width - d[missed] + 1
        late = s[missed] > hi[missed]
        ok[missed[late]] = False  # no room up to the latest start: the row is discarded
        todo = missed[~late]
        width = min(2 * width, b.max_window)
    return ok


def _book(usage: np.ndarray, at: np.ndarray, length: np.ndarray, units: np.ndarray) -> None:
    """Take ``units`` for ``length`` days from flat timetable position ``at`` (one per row)."""
    if not len(at):
        return
    steps = np.arange(int(length.max(initial=0)))
    inside = steps[None, :] < length[:, None]
    cells = (at[:, None] + steps[None, :])[inside]
    usage[cells] += np.repeat(units, length, axis=0)  # cells are distinct: rows never share one


@dataclass
class Population:
    """The state of the search, kept between the rounds it gets."""

    net: Network
    forward: Batch
    backward: Batch
    keys: np.ndarray
    starts: np.ndarray
    values: np.ndarray
    rng: np.random.Generator
    value_rows: Callable[[np.ndarray], np.ndarray]  # objective per row of starts
    tuning: PopulationTuning
    reported: float = INFEASIBLE  # the best value handed out (or handed in) so far
    schedules: int = 0
    goal: tuple[object, ...] = field(default=())  # the objective as the compiled kernels take it
    kernel_forward: tuple[object, ...] = field(default=())  # forward and backward as they take them
    kernel_backward: tuple[object, ...] = field(default=())


def applies(
    problem: Problem, placements: dict[int, Placement], tuning: PopulationTuning | None = None
) -> bool:
    """Whether the search can improve this plan: nobody staffed, no mode to switch, neither
    too small nor too big (``min_tasks`` to ``max_tasks`` of ``tuning``; None: the defaults)."""
    tuning = tuning if tuning is not None else PopulationTuning()
    return (
        tuning.min_tasks <= len(placements) <= (tuning.max_tasks or len(placements))
        and not any(pl.people or pl.mode.slots for pl in placements.values())
        and not ModeSwitch(problem, placements)
    )


def build_seconds(problem: Problem, placements: dict[int, Placement], tuning: PopulationTuning | None = None) -> float:
    """What building one schedule of this plan costs, in seconds: ``sample_rows`` schedules
    from random keys, the faster of two timings once the kernels are loaded."""
    tuning = tuning if tuning is not None else PopulationTuning()
    net = network(problem, placements)
    forward = batch(net, tuning=tuning)
    rng = np.random.default_rng(0)
    build(forward, rng.random((1, net.size)), net.earliest, net.latest)  # loads the kernels
    keys = rng.random((tuning.sample_rows, net.size))
    timings = []
    for _ in range(2):  # the faster of two: a busy core slows one of them
        began = time.perf_counter()
        build(forward, keys, net.earliest, net.latest)
        timings.append(time.perf_counter() - began)
    return min(timings) / tuning.sample_rows


def sized(
    problem: Problem, placements: dict[int, Placement], time_limit: float, tuning: PopulationTuning | None = None
) -> PopulationTuning | None:
    """The tuning the search takes this plan with, or None when it does not: it applies
    (:func:`applies`) and the time limit buys ``min_generations`` generations at the speed
    measured on the plan (:func:`build_seconds`; three builds per new individual), with
    ``size`` individuals or, halving, no fewer than ``min_size``."""
    tuning = tuning if tuning is not None else PopulationTuning()
    if not applies(problem, placements, tuning):
        return None
    per_build = build_seconds(problem, placements, tuning)
    size = tuning.size
    while size >= tuning.min_size:
        candidate = tuning.model_copy(update={"size": size})
        generation = 3 * (size - candidate.num_elite) * per_build
        if time_limit >= tuning.min_generations * generation:
            return candidate
        size //= 2
    return None


def _rows_value(problem: Problem, net: Network) -> Callable[[np.ndarray], np.ndarray]:
    """The objective of every row of starts: the contract's terms that depend on times
    (:func:`~solver.evaluate.finish_terms`); cost and team sizes need people, which these
    plans have none of."""
    weights = problem.weights
    project = problem.task2project[net.tasks]

    def value(starts: np.ndarray) -> np.ndarray:
        finish = project_finish_rows(project, starts + net.length - 1, problem.num_projects)
        terms = finish_terms(problem, finish)
        return (
            weights.tardiness * (terms.tardiness + terms.left_out)
            + weights.completion * terms.completion
            + weights.makespan * terms.makespan
            + weights.project_delay * terms.delay
        )

    return value


def kernel_goal(problem: Problem, net: Network) -> tuple[object, ...]:
    """The objective of :func:`_rows_value` as the tuple the compiled kernels take."""
    w = problem.weights
    return (
        problem.task2project[net.tasks].astype(np.int64),
        problem.project_priority.astype(np.int64),
        problem.project_has_due.astype(bool),
        problem.project_due.astype(np.int64),
        problem.project_committed.astype(bool),
        (problem.project_release + problem.project_critical_path).astype(np.int64),
        int(problem.num_days),
        np.array([w.tardiness, w.completion, w.makespan, w.project_delay], dtype=np.float64),
    )


def build_and_improve(pop: Population, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Build the rows' schedules, improve each by a backward and a forward pass; the better
    of the built and the improved schedule per row and its value (inf: no schedule).
    Compiled; the same as :func:`build_and_improve_reference`."""
    net = pop.net
    pop.schedules += 3 * len(keys)
    starts, values = _kernel("build_and_improve_rows")(
        np.ascontiguousarray(keys, dtype=np.float64),
        net.earliest,
        net.latest,
        pop.kernel_forward,
        pop.kernel_backward,
        pop.goal,
    )
    return starts, values


def build_and_improve_reference(pop: Population, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`build_and_improve` in numpy over all rows at once (the reference)."""
    net = pop.net
    rows_n = len(keys)
    earliest = np.broadcast_to(net.earliest, (rows_n, net.size))
    latest = np.broadcast_to(net.latest, (rows_n, net.size))
    starts, ok = build_reference(pop.forward, keys, earliest, latest)
    values = np.where(ok, pop.value_rows(starts), INFEASIBLE)
    # backward pass: time runs back from each row's last end; the keys put later ends first
    ends = starts + net.length
    last = ends.max(axis=1, keepdims=True)
    back_earliest = last - np.minimum(net.latest + net.length, last)
    back_latest = last - net.earliest - net.length
    back_earliest = np.where(net.pinned, back_latest, np.maximum(back_earliest, 0))
    back, back_ok = build_reference(pop.backward, -ends.astype(np.float64), back_earliest, back_latest)
    right = last - back - net.length
    forward, forward_ok = build_reference(pop.forward, right.astype(np.float64), earliest, latest)
    both = ok & back_ok & forward_ok
    improved_values = np.where(both, pop.value_rows(forward), INFEASIBLE)
    better = improved_values < values
    pop.schedules += 3 * rows_n
    return np.where(better[:, None], forward, starts), np.where(better, improved_values, values)


def _as_keys(starts: np.ndarray, length: np.ndarray) -> np.ndarray:
    span = (starts + length).max(axis=1, keepdims=True) + 1.0
    return starts / span


def _topological(net: Network) -> list[int]:
    """The tasks in an order where every predecessor comes first."""
    waiting = [len(dict.fromkeys(j for j, _ in row)) for row in net.preds]
    succs = [list(dict.fromkeys(j for j, _ in row)) for row in net.succs]
    order = [i for i in range(net.size) if waiting[i] == 0]
    for i in order:  # grows while it is read
        for j in succs[i]:
            waiting[j] -= 1
            if waiting[j] == 0:
                order.append(j)
    return order


def objective_keys(problem: Problem, net: Network) -> np.ndarray:
    """Keys from priority rules that know the objective (rows × tasks; smaller first).

    Latest starts (each task as late as its successors and its project's target finish
    allow, ignoring the pools): the target is the due date where lateness is weighed and
    the project has one, its release plus critical path where delay is, else the horizon.
    And the same with each task's slack (latest minus earliest start) divided by its
    project's priority, so that priority projects go first under weighted tardiness or
    completion. Rows that only repeat another are dropped.
    """
    weights = problem.weights
    project = problem.task2project[net.tasks]
    target = np.full(problem.num_projects, net.horizon, dtype=np.int64)
    if weights.project_delay > 0:
        target = np.minimum(target, problem.project_release + problem.project_critical_path)
    if weights.tardiness > 0:
        target = np.where(problem.project_has_due, np.minimum(target, problem.project_due + 1), target)
    order = _topological(net)
    early = net.earliest.astype(np.float64).copy()
    for i in order:
        for j, lag in net.preds[i]:
            early[i] = max(early[i], early[j] + lag)
    late = _latest_starts(net, order, target[project])
    priority = np.maximum(problem.project_priority[project].astype(np.float64), 1e-9)
    rows = [late, early + (late - early) / priority]
    if weights.makespan > 0:
        rows.append(_latest_starts(net, order, np.full(net.size, net.horizon, dtype=np.int64)))
    ranks = [np.argsort(row, kind="stable") for row in rows]
    return np.vstack([row for k, row in enumerate(rows) if not any(np.array_equal(ranks[k], r) for r in ranks[:k])])


def _latest_starts(net: Network, order: list[int], finish_by: np.ndarray) -> np.ndarray:
    """Each task's latest start with its successors at theirs and every task ending by
    ``finish_by`` (per task), pools ignored."""
    late = (finish_by - net.length).astype(np.float64)
    for i in reversed(order):
        for j, lag in net.succs[i]:
            late[i] = min(late[i], late[j] - lag)
    return late


def start(
    problem: Problem, placements: dict[int, Placement], seed: int = 0, tuning: PopulationTuning | None = None
) -> Population:
    """A first population: the plan itself, keys from priority rules that know the
    objective (:func:`objective_keys`) and noisy copies of them, and random keys, each
    built and improved (``tuning``: sizes and shares; None: the defaults)."""
    tuning = tuning if tuning is not None else PopulationTuning()
    net = network(problem, placements)
    rng = np.random.default_rng(seed)
    first = net.starts_of(placements)[None, :]
    base = _as_keys(first, net.length)
    size = tuning.size
    seeded = base
    if tuning.objective_keys:
        ruled = objective_keys(problem, net)
        spread = max(1.0, float(np.ptp(ruled)))
        copies = int(tuning.rule_share * size)
        noise = rng.normal(0, tuning.rule_noise * spread, (copies, net.size))
        seeded = np.vstack([base, ruled, ruled[rng.integers(0, len(ruled), copies)] + noise])[:size]
    keys = np.vstack([seeded, rng.random((size - len(seeded), net.size))])
    pop = Population(
        net=net,
        forward=batch(net, tuning=tuning),
        backward=batch(net, reverse=True, tuning=tuning),
        keys=keys,
        starts=np.repeat(first, size, axis=0),
        values=np.full(size, INFEASIBLE),
        rng=rng,
        value_rows=_rows_value(problem, net),
        tuning=tuning,
        goal=kernel_goal(problem, net),
    )
    pop.kernel_forward, pop.kernel_backward = kernel_network(pop.forward), kernel_network(pop.backward)
    pop.starts, pop.values = build_and_improve(pop, keys)
    pop.starts[0], pop.values[0] = first[0], pop.value_rows(first)[0]
    pop.reported = float(pop.values[0])
    pop.keys = _as_keys(pop.starts, net.length)
    return pop


def adopt(pop: Population, placements: dict[int, Placement]) -> None:
    """Put a plan of the same tasks (another search's) in place of the worst individual."""
    starts = pop.net.starts_of(placements)
    worst = int(np.argmax(pop.values))
    pop.starts[worst] = starts
    pop.values[worst] = pop.value_rows(starts[None, :])[0]
    pop.keys[worst] = _as_keys(starts[None, :], pop.net.length)[0]
    pop.reported = min(pop.reported, float(pop.values[worst]))


def _seed(pop: Population) -> int:
    return int(pop.rng.integers(0, 1 << 62))


def generation(pop: Population, count: int = 1) -> None:
    """``count`` generations in one compiled call (without the GIL): as
    :func:`generation_reference` with seeds ``s``, ``s + 1``, … (``s`` drawn from the
    population's random numbers)."""
    tuning = pop.tuning
    pop.keys, pop.starts, pop.values = _kernel("evolve")(
        pop.keys,
        pop.starts,
        pop.values,
        _seed(pop),
        count,
        tuning.num_elite,
        tuning.num_mutants,
        tuning.elite_key_bias,
        pop.net.earliest,
        pop.net.latest,
        pop.kernel_forward,
        pop.kernel_backward,
        pop.goal,
    )
    pop.schedules += 3 * count * (tuning.size - tuning.num_elite)


def generation_reference(pop: Population, seed: int) -> None:
    """One generation in numpy, with the random numbers of ``seed``
    (:func:`solver.search.sgs_kernel.draws`): elites kept, mutants and children built and
    improved."""
    order = np.argsort(pop.values, kind="stable")
    keys, starts, values = pop.keys[order], pop.starts[order], pop.values[order]
    tuning = pop.tuning
    num_elite = tuning.num_elite
    elite, other, mask, mutants = _kernel("draws")(seed, tuning.size, num_elite, tuning.num_mutants, pop.net.size)
    children = np.where(mask < tuning.elite_key_bias, keys[elite], keys[other])
    new_starts, new_values = build_and_improve_reference(pop, np.vstack([children, mutants]))
    pop.starts = np.vstack([starts[:num_elite], new_starts])
    pop.values = np.concatenate([values[:num_elite], new_values])
    # Lamarckian keys: the improved schedule's starts, ties kept in the old order
    old = np.vstack([keys[:num_elite], children, mutants])
    pop.keys = _as_keys(pop.starts, pop.net.length) + 1e-6 * (old - old.min(axis=1, keepdims=True))


def improve(
    pop: Population,
    value: Callable[[dict[int, Placement]], float],
    *,
    stop: Callable[[], bool],
    stats: SearchStats | None = None,
) -> Iterator[tuple[dict[int, Placement], float]]:
    """Generations until ``stop()`` (asked once per call of the compiled loop, every
    :meth:`~solver.settings.PopulationTuning.generations_per_call` generations); yields each
    plan better than any handed out or in before, with its exact ``value``."""
    stats = stats if stats is not None else SearchStats()
    count = pop.tuning.generations_per_call(pop.net.size)
    while True:
        i = int(np.argmin(pop.values))
        if pop.values[i] < pop.reported - 1e-9:
            pop.reported = float(pop.values[i])
            plan = pop.net.plan(pop.starts[i])
            stats.improvements += 1
            yield plan, value(plan)
        if stop():
            return
        before = pop.schedules
        generation(pop, count)
        stats.rebuilds += pop.schedules - before
