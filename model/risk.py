"""Schedule risk: a Monte Carlo simulation of a plan that keeps its people and their order of work.

Each sample draws every task's length from its three-point estimate (a triangular
distribution; ``tasks[].estimate`` or the portfolio's ``risk.default_spread``) and replays the
plan: the same people on every task, each person (and each pool) doing their tasks in the
plan's order. A task starts at the latest of its dependencies, the tasks its people and pools
finish before it in the plan, its release and earliest start, its pinned start, and (with the
``planned`` policy, the default) its planned start; it is pushed past any absence of its people.
Two tasks that did not overlap in the plan never overlap in a sample, so every sample keeps the
plan's hard rules on people and pools (a set of tasks that overlap in a sample overlapped
pairwise in the plan, hence on one common day of it).

Samples are a vector dimension: tasks are processed once, in a topological order of the
dependency and resource-order graph, each as numpy operations over all samples of a chunk.
Times are continuous, in working days from the horizon start; a task running over
``[start, end)`` finishes on working day ``ceil(end) - 1``, so lengths equal to the plan's
reproduce the plan's dates.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import math
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from pydantic import Field

from model.calendar import WorkCalendar
from model.checker import check_plan
from model.kpis import availability_matrix
from model.load import InvalidInput
from model.plan import Assignment, Plan
from model.portfolio import DependencyType, Portfolio, Strict, Task
from model.rules import Issue

DEFAULT_SAMPLES = 10_000
MAX_SAMPLES = 1_000_000
CHUNK_CELLS = 16_000_000  # task × sample cells simulated at once: about 64 MB per float32 array
MAX_CYCLE_PASSES = 100  # passes over a cyclic graph (negative lags, FF/SF links) before giving up
QUANTILES = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


class StartPolicy(StrEnum):
    """When a task may start in a sample."""

    planned = "planned"
    """Never before its planned start (people are booked from then): no uncertainty gives the plan."""
    earliest = "earliest"
    """As soon as its predecessors, people, pools and windows allow, even before its planned start."""


# --------------------------------------------------------------------------- the report


class QuantileFinish(Strict):
    """A point of a project's S-curve: it finishes on or before ``finish`` with probability ``p``."""

    p: float = Field(description="Probability.")
    finish: dt.date = Field(
        description="The earliest date by which the project finishes with that probability."
    )


class ProjectRisk(Strict):
    """How likely a project is to finish on time."""

    project: str = Field(description="Project id.")
    plan_finish: dt.date = Field(description="Finish in the plan.")
    due: dt.date | None = Field(default=None, description="The project's due date.")
    deadline: dt.date | None = Field(default=None, description="The project's deadline.")
    p_on_time: float | None = Field(description="P(finish ≤ due); null without a due date.")
    p_by_deadline: float | None = Field(description="P(finish ≤ deadline); null without a deadline.")
    p50_finish: dt.date = Field(description="Median finish.")
    p80_finish: dt.date = Field(description="Finish met with 80 % probability.")
    s_curve: list[QuantileFinish] = Field(description="Finish date by probability (the S-curve).")


class TaskRisk(Strict):
    """How often a task sets its project's finish."""

    project: str = Field(description="Project id.")
    task: str = Field(description="Task id.")
    criticality: float = Field(
        description="Share of samples in which the task is on the chain that sets its project's finish."
    )


class PersonRisk(Strict):
    """How often a person is on the chain behind a late finish."""

    person: str = Field(description="Person id.")
    on_late_chain: float = Field(
        description="Share of samples in which the person works on the chain that sets a late project finish."
    )


class RiskReport(Strict):
    """The result of a schedule-risk analysis of one plan."""

    samples: int = Field(description="Number of samples.")
    seed: int = Field(description="Random seed.")
    policy: StartPolicy = Field(description="When a task may start (`planned` or `earliest`).")
    uncertain_tasks: int = Field(description="Tasks whose length is uncertain.")
    order_conflicts: float = Field(
        default=0.0,
        description="Share of samples in which a link against the plan's order of work could not hold with it (left out).",
    )
    projects: list[ProjectRisk] = Field(description="Per scheduled project.")
    tasks: list[TaskRisk] = Field(description="Per scheduled task, most critical first.")
    people: list[PersonRisk] = Field(
        description="Per person with work in the plan, most often on a late chain first."
    )


# --------------------------------------------------------------------------- the network


@dataclass(frozen=True)
class Link:
    """A lower bound on a task's start from a predecessor: ``pred.start|end + offset (- own length)``."""

    pred: int
    from_end: bool
    offset: float
    minus_length: bool


@dataclass
class Network:
    """A plan as a graph over its tasks, numbered in processing (topological) order.

    Attributes
    ----------
    keys
        ``(project, task)`` of each task.
    project_of
        Index into ``projects`` of each task's project.
    low, mode, high
        Triangular parameters of each task's length in working days (equal: certain).
    floor
        Earliest start of each task (release, earliest start, pin, planned start by the policy).
    links
        The incoming links of each task.
    blocked
        Per task, the sorted, disjoint ``[a, b)`` working-day intervals none of its people can work.
    people_of
        Indices into ``people`` of each task's people.
    cyclic
        Whether the graph has a cycle (then simulated by repeated passes).
    """

    keys: list[tuple[str, str]]
    projects: list[str]
    project_of: np.ndarray
    plan_start: np.ndarray
    plan_end: np.ndarray
    low: np.ndarray
    mode: np.ndarray
    high: np.ndarray
    floor: np.ndarray
    links: list[list[Link]]
    blocked: list[np.ndarray]
    people: list[str]
    people_of: list[list[int]]
    cyclic: bool

    @property
    def size(self) -> int:
        """Number of tasks."""
        return len(self.keys)


def plan_issues(portfolio: Portfolio, plan: Plan, where: str = "plan") -> list[Issue]:
    """Why ``plan`` cannot be analysed for ``portfolio``: it has no assignments or breaks a hard rule."""
    if not plan.status.has_plan:
        return [Issue(where, f"the plan has no assignments to analyse (status {plan.status.value})")]
    return [
        Issue(where, f"not a valid plan of this portfolio: {v.rule}: {v.message}")
        for v in check_plan(portfolio, plan)
    ]


def _length_estimate(portfolio: Portfolio, task: Task, length: int) -> tuple[float, float, float]:
    """Triangular parameters of a task's length: its estimate (scaled to the planned length when
    that depends on a mode or a crew), else the portfolio's default spread, else certain."""
    if task.estimate is not None:
        e = task.estimate
        scale = 1.0 if task.duration is not None else length / e.likely
        return e.optimistic * scale, e.likely * scale, e.pessimistic * scale
    spread = portfolio.risk.default_spread if portfolio.risk is not None else None
    if spread is not None:
        return spread.optimistic * length, float(length), spread.pessimistic * length
    return float(length), float(length), float(length)


def _dependency_link(kind: DependencyType, pred: int, lag: int) -> Link:
    # continuous times: a task over [s, e) finishes on day e - 1 (see the module docstring)
    if kind is DependencyType.FS:
        return Link(pred, True, lag, False)
    if kind is DependencyType.SS:
        return Link(pred, False, lag, False)
    if kind is DependencyType.FF:
        return Link(pred, True, lag, True)
    return Link(pred, False, lag + 1, True)


def _resource_links(spans: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """``(before, after)`` pairs keeping one resource's plan order: each task after the tasks that
    end before it starts, less those implied through another such task."""
    by_end = sorted(spans, key=lambda s: s[2])
    ends = [s[2] for s in by_end]
    latest_start = list(np.maximum.accumulate([s[1] for s in by_end])) if by_end else []
    pairs: list[tuple[int, int]] = []
    for task, start, _ in spans:
        done = bisect.bisect_right(ends, start)  # tasks ending on or before this one's start
        if done == 0:
            continue
        # a task that ends before another one of them starts is implied through that one
        first = bisect.bisect_right(ends, latest_start[done - 1])
        pairs.extend((by_end[k][0], task) for k in range(first, done))
    return pairs


def _pool_ids(task: Task, a: Assignment) -> list[str]:
    if task.modes is None and task.effort is not None:
        return []
    mode = task.mode_options()[a.mode or 0]
    return [r.pool for r in mode.requirements if r.pool is not None]


def _blocked_runs(unavailable: np.ndarray) -> np.ndarray:
    """The ``[a, b)`` runs of True in a boolean day vector, as a ``k × 2`` array."""
    edges = np.diff(np.concatenate(([0], unavailable.astype(np.int8), [0])))
    return np.stack([np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)], axis=1).astype(np.float64)


def _topological(n: int, links: list[list[Link]], plan_start: list[int]) -> tuple[list[int], bool]:
    """Tasks in an order where every link goes forward (ties by planned start); the rest of a
    cycle, by planned start, at the end."""
    succ: list[list[int]] = [[] for _ in range(n)]
    indegree = [0] * n
    for i, incoming in enumerate(links):
        for link in incoming:
            succ[link.pred].append(i)
            indegree[i] += 1
    heap = [(plan_start[i], i) for i in range(n) if indegree[i] == 0]
    heapq.heapify(heap)
    order = []
    while heap:
        _, i = heapq.heappop(heap)
        order.append(i)
        for j in succ[i]:
            indegree[j] -= 1
            if indegree[j] == 0:
                heapq.heappush(heap, (plan_start[j], j))
    placed = set(order)
    rest = sorted((i for i in range(n) if i not in placed), key=lambda i: plan_start[i])
    return order + rest, bool(rest)


def build_network(
    portfolio: Portfolio, plan: Plan, policy: StartPolicy = StartPolicy.planned, where: str = "plan"
) -> Network:
    """The graph the simulation replays: tasks, links, windows, blocked days and estimates.

    Raises
    ------
    InvalidInput
        The plan has no assignments or is not a valid plan of ``portfolio`` (issues at ``where``).
    """
    issues = plan_issues(portfolio, plan, where)
    if issues:
        raise InvalidInput(issues)
    cal = portfolio.work_calendar
    tasks = {(p.id, t.id): t for p in portfolio.projects for t in p.tasks}
    assignments = sorted(plan.assignments, key=lambda a: (a.start, a.project, a.task))
    index = {(a.project, a.task): i for i, a in enumerate(assignments)}
    n = len(assignments)
    starts = [cal.index(a.start) for a in assignments]
    ends = [cal.index(a.finish) + 1 for a in assignments]
    links: list[list[Link]] = [[] for _ in range(n)]
    by_resource: dict[tuple[str, str], list[tuple[int, int, int]]] = defaultdict(list)
    floor = np.zeros(n)
    estimates = np.zeros((n, 3))
    for i, a in enumerate(assignments):
        task = tasks[(a.project, a.task)]
        project = portfolio.project(a.project)
        estimates[i] = _length_estimate(portfolio, task, ends[i] - starts[i])
        bounds = [cal.ceil_index(d) for d in (project.release, task.earliest_start, task.fixed_start) if d]
        if policy is StartPolicy.planned:
            bounds.append(starts[i])
        floor[i] = max(bounds, default=0)
        for dep in task.dependencies:
            pred = index.get(portfolio.task_key(a.project, dep.task))
            if pred is not None:
                links[i].append(_dependency_link(dep.type, pred, dep.lag))
        resources = [("person", p.id) for p in a.people] + [("pool", q) for q in _pool_ids(task, a)]
        for resource in dict.fromkeys(resources):
            by_resource[resource].append((i, starts[i], ends[i]))
    for spans in by_resource.values():
        for before, after in _resource_links(spans):
            links[after].append(Link(before, True, 0.0, False))
    order, cyclic = _topological(n, links, starts)
    position = {old: new for new, old in enumerate(order)}
    person_index = {p.id: k for k, p in enumerate(portfolio.people)}
    unavailable = ~availability_matrix(portfolio)
    runs = [_blocked_runs(row) for row in unavailable]
    people_of = [[person_index[p.id] for p in assignments[i].people] for i in order]
    blocked = [_merged([runs[k] for k in crew]) for crew in people_of]
    project_ids = list(dict.fromkeys(a.project for a in assignments))
    project_index = {p: k for k, p in enumerate(project_ids)}
    return Network(
        keys=[(assignments[i].project, assignments[i].task) for i in order],
        projects=project_ids,
        project_of=np.array([project_index[assignments[i].project] for i in order], dtype=np.int64),
        plan_start=np.array([starts[i] for i in order], dtype=np.float64),
        plan_end=np.array([ends[i] for i in order], dtype=np.float64),
        low=estimates[order, 0],
        mode=estimates[order, 1],
        high=estimates[order, 2],
        floor=floor[order],
        links=[
            [Link(position[k.pred], k.from_end, k.offset, k.minus_length) for k in links[i]] for i in order
        ],
        blocked=blocked,
        people=[p.id for p in portfolio.people],
        people_of=people_of,
        cyclic=cyclic,
    )


def _merged(runs: list[np.ndarray]) -> np.ndarray:
    """The union of ``[a, b)`` interval arrays as sorted, disjoint intervals."""
    every = np.concatenate(runs) if runs else np.zeros((0, 2))
    if len(every) == 0:
        return every
    every = every[np.argsort(every[:, 0])]
    out = [list(every[0])]
    for a, b in every[1:]:
        if a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return np.array(out)


# --------------------------------------------------------------------------- sampling


@dataclass
class Samples:
    """One chunk of sampled schedules: ``tasks × samples`` arrays in the network's task order.

    Attributes
    ----------
    start, end
        Start and end (exclusive) of each task, in working days from the horizon start.
    binding
        The predecessor whose link set each start (-1: its own floor or an absence did).
    conflict
        Per sample, whether links against the plan's order had to be left out (see :func:`simulate`).
    """

    start: np.ndarray
    end: np.ndarray
    binding: np.ndarray
    conflict: np.ndarray


def sample_lengths(net: Network, count: int, rng: np.random.Generator) -> np.ndarray:
    """Task lengths (``tasks × count``, float32) drawn from each task's triangular distribution.

    Latin hypercube: each task's ``count`` draws fall one in each of ``count`` equal strata of
    probability, in an order of their own (the estimates stay unbiased, their variance drops).
    """
    low, mode, high = (x[:, None].astype(np.float32) for x in (net.low, net.mode, net.high))
    width = high - low
    strata = rng.permuted(np.broadcast_to(np.arange(count, dtype=np.float32), (net.size, count)), axis=1)
    u = (strata + rng.random((net.size, count), dtype=np.float32)) / np.float32(count)
    u = np.minimum(u, np.float32(1 - 1e-7))  # float32 rounding may reach 1
    with np.errstate(invalid="ignore", divide="ignore"):
        turn = np.where(width > 0, (mode - low) / np.where(width > 0, width, 1), 0.0)
        rising = low + np.sqrt(u * width * (mode - low))
        falling = high - np.sqrt((1 - u) * width * (high - mode))
    return np.where(u < turn, rising, falling).astype(np.float32)


def simulate(net: Network, lengths: np.ndarray) -> Samples:
    """Replay the plan with the given task lengths (``tasks × samples``).

    On a cyclic graph (a dependency whose successor the plan runs before its predecessor: an
    FF or SF link, or a negative lag, against the resource order) the passes repeat until the
    starts settle; in a sample where they cannot (the lengths leave no schedule with both the
    link and the plan's order), the links against the order are left out and the sample is
    marked in :attr:`Samples.conflict`.
    """
    n, count = lengths.shape
    start = np.zeros((n, count), dtype=np.float32)
    end = np.zeros((n, count), dtype=np.float32)
    binding = np.full((n, count), -1, dtype=np.int32)
    conflict = np.zeros(count, dtype=bool)
    for _ in range(MAX_CYCLE_PASSES if net.cyclic else 1):
        before = start.copy() if net.cyclic else start
        for i in range(n):
            _place(net, i, lengths[i], start, end, binding, forward_only=False)
        if not net.cyclic or np.array_equal(before, start):
            return Samples(start, end, binding, conflict)
    conflict = np.any(before != start, axis=0)
    again = Samples(start[:, conflict], end[:, conflict], binding[:, conflict], conflict[conflict])
    for i in range(n):
        _place(net, i, lengths[i][conflict], again.start, again.end, again.binding, forward_only=True)
    start[:, conflict], end[:, conflict], binding[:, conflict] = again.start, again.end, again.binding
    return Samples(start, end, binding, conflict)


def _place(
    net: Network,
    i: int,
    length: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    binding: np.ndarray,
    *,
    forward_only: bool,
) -> None:
    best = np.full(length.shape, net.floor[i], dtype=np.float32)
    bound = np.full(length.shape, -1, dtype=np.int32)
    for link in net.links[i]:
        if forward_only and link.pred >= i:
            continue
        value = (end if link.from_end else start)[link.pred] + np.float32(link.offset)
        if link.minus_length:
            value = value - length
        later = value >= best  # on a tie the chain goes on through the predecessor
        best = np.where(later, value, best)
        bound = np.where(later, link.pred, bound)
    for a, b in net.blocked[i]:
        clash = (best < b) & (best + length > a)
        if clash.any():
            best = np.where(clash, np.float32(b), best)
            bound = np.where(clash, -1, bound)
    start[i] = best
    end[i] = best + length
    binding[i] = bound


def finish_days(end: np.ndarray) -> np.ndarray:
    """Working-day index of the finish of tasks ending (exclusive) at ``end``."""
    return np.ceil(end - np.float32(1e-4)).astype(np.int64) - 1


# --------------------------------------------------------------------------- statistics


@dataclass
class _Tally:
    """What the chunks add up: finish days per project, chain counts per task and person."""

    finishes: list[np.ndarray]
    critical: np.ndarray
    late_person: np.ndarray
    conflicts: int = 0


def _chains(net: Network, sample: Samples, late_of: np.ndarray, tally: _Tally) -> None:
    """Walk each project's chain from its finishing task up the binding links, in every sample."""
    n, count = sample.end.shape
    finals = np.empty((len(net.projects), count), dtype=np.int64)
    for k in range(len(net.projects)):
        members = np.flatnonzero(net.project_of == k)
        finals[k] = members[np.argmax(sample.end[members], axis=0)]
    cols = np.tile(np.arange(count), len(net.projects))
    owner = np.repeat(np.arange(len(net.projects)), count)
    node = finals.ravel()
    on_late = np.zeros((n, count), dtype=bool)
    late = late_of.ravel()
    for _ in range(n):  # a chain visits each task once; a zero-slack cycle of bindings must not loop
        if not node.size:
            break
        own = net.project_of[node] == owner
        tally.critical += np.bincount(node[own], minlength=n)
        on_late[node[late], cols[late]] = True
        node = sample.binding[node, cols].astype(np.int64)
        alive = node >= 0
        node, cols, owner, late = node[alive], cols[alive], owner[alive], late[alive]
    tasks_of: dict[int, list[int]] = defaultdict(list)
    for i, crew in enumerate(net.people_of):
        for p in crew:
            tasks_of[p].append(i)
    for p, mine in tasks_of.items():
        tally.late_person[p] += int(on_late[mine].any(axis=0).sum())


def _late_limits(portfolio: Portfolio, net: Network) -> tuple[np.ndarray, np.ndarray]:
    """Last on-time and last in-deadline working day of each project (a large number without one)."""
    cal = portfolio.work_calendar
    never = np.iinfo(np.int64).max
    due = np.array([cal.floor_index(d) if (d := portfolio.project(p).due) else never for p in net.projects])
    deadline = np.array(
        [cal.floor_index(d) if (d := portfolio.project(p).deadline) else never for p in net.projects]
    )
    return due, deadline


def extended_calendar(portfolio: Portfolio, last_index: int) -> WorkCalendar:
    """The portfolio's calendar, its working-day pattern continued past the horizon up to working day ``last_index``."""
    cal = portfolio.work_calendar
    if last_index < cal.num_days:
        return cal
    c = portfolio.calendar
    extra = math.ceil((last_index - cal.num_days + 1) * 7 / len(set(c.workdays))) + 14
    while True:
        longer = WorkCalendar(c.start, c.end + dt.timedelta(days=extra), c.workdays, c.holidays)
        if last_index < longer.num_days:
            return longer
        extra *= 2


def _check_counts(samples: int) -> None:
    if not 1 <= samples <= MAX_SAMPLES:
        raise InvalidInput([Issue("samples", f"give 1 to {MAX_SAMPLES:,} samples, not {samples:,}")])


def analyse_risk(
    portfolio: Portfolio,
    plan: Plan,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    policy: StartPolicy = StartPolicy.planned,
    where: str = "plan",
) -> RiskReport:
    """Schedule risk of ``plan``: per project the on-time probabilities and the S-curve of its
    finish, per task its criticality, per person how often they are on a late project's chain.

    Parameters
    ----------
    portfolio
        The validated portfolio (estimates in ``tasks[].estimate`` and ``risk.default_spread``).
    plan
        A valid plan of ``portfolio``.
    samples
        Number of sampled schedules (1 … :data:`MAX_SAMPLES`).
    seed
        Random seed: the same seed gives the same report.
    policy
        When a task may start (see :class:`StartPolicy`).
    where
        How issues name the plan (a file, a field).

    Raises
    ------
    InvalidInput
        A bad sample count, or a plan without assignments or not valid for ``portfolio``.
    """
    _check_counts(samples)
    net = build_network(portfolio, plan, policy, where)
    rng = np.random.default_rng(seed)
    due, deadline = _late_limits(portfolio, net)
    tally = _Tally([], np.zeros(net.size, dtype=np.int64), np.zeros(len(net.people), dtype=np.int64))
    chunk = max(1, min(samples, CHUNK_CELLS // max(1, net.size)))
    for first in range(0, samples, chunk):
        count = min(chunk, samples - first)
        sample = simulate(net, sample_lengths(net, count, rng))
        finish = np.empty((len(net.projects), count), dtype=np.int64)
        for k in range(len(net.projects)):
            finish[k] = finish_days(sample.end[net.project_of == k].max(axis=0))
        tally.finishes.append(finish)
        tally.conflicts += int(sample.conflict.sum())
        _chains(net, sample, finish > due[:, None], tally)
    return _report(portfolio, net, tally, samples, seed, policy, due, deadline)


def _report(
    portfolio: Portfolio,
    net: Network,
    tally: _Tally,
    samples: int,
    seed: int,
    policy: StartPolicy,
    due: np.ndarray,
    deadline: np.ndarray,
) -> RiskReport:
    finishes = np.concatenate(tally.finishes, axis=1)
    quantiles = np.quantile(finishes, QUANTILES, axis=1, method="inverted_cdf").astype(np.int64)
    cal = extended_calendar(portfolio, int(max(quantiles.max(), net.plan_end.max())))
    projects = []
    for k, pid in enumerate(net.projects):
        project = portfolio.project(pid)
        day = dict(zip(QUANTILES, (cal.date(int(q)) for q in quantiles[:, k]), strict=True))
        plan_finish = int(net.plan_end[net.project_of == k].max()) - 1
        projects.append(
            ProjectRisk(
                project=pid,
                plan_finish=cal.date(plan_finish),
                due=project.due,
                deadline=project.deadline,
                p_on_time=float(np.mean(finishes[k] <= due[k])) if project.due else None,
                p_by_deadline=float(np.mean(finishes[k] <= deadline[k])) if project.deadline else None,
                p50_finish=day[0.5],
                p80_finish=day[0.8],
                s_curve=[QuantileFinish(p=q, finish=d) for q, d in day.items()],
            )
        )
    tasks = [
        TaskRisk(project=p, task=t, criticality=float(c) / samples)
        for (p, t), c in zip(net.keys, tally.critical, strict=True)
    ]
    tasks.sort(key=lambda r: (-r.criticality, r.project, r.task))
    working = sorted({p for crew in net.people_of for p in crew})
    people = [
        PersonRisk(person=net.people[p], on_late_chain=float(tally.late_person[p]) / samples) for p in working
    ]
    people.sort(key=lambda r: (-r.on_late_chain, r.person))
    uncertain = int(np.count_nonzero(net.high > net.low))
    return RiskReport(
        samples=samples,
        seed=seed,
        policy=policy,
        uncertain_tasks=uncertain,
        order_conflicts=tally.conflicts / samples,
        projects=projects,
        tasks=tasks,
        people=people,
    )
