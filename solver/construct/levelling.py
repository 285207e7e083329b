"""Serial resource levelling: the PM-tool baseline and the optimiser's warm start.

Tasks are taken one at a time in priority order (committed before proposed,
then project priority, due date and critical-path latest start) once all their
predecessors are placed. Each goes to the earliest run of working days where
its dependencies hold and enough distinct eligible people are free for the
whole run (capacity %, absences, join/leave dates, parallel-project limits).
Effort-driven tasks try every crew size and keep the earliest finish. Proposed
projects come last and are left out whole when any task of theirs does not fit.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from solver.problem import Mode, Point, Problem
from solver.windows import TimeWindows, due_windows, time_windows


@dataclass(frozen=True)
class Placement:
    """Where and by whom one task is done."""

    task: int
    start: int
    mode: Mode
    people: tuple[tuple[int, int], ...]  # (person, requirement)

    @property
    def end(self) -> int:
        """Exclusive end day."""
        return self.start + self.mode.length


@dataclass
class LevellingResult:
    """Outcome of a levelling pass."""

    placements: dict[int, Placement]
    failed: list[tuple[int, str]] = field(default_factory=list)  # committed tasks not placed
    left_out: list[int] = field(default_factory=list)  # proposed projects left out

    @property
    def complete(self) -> bool:
        """Whether every committed task is placed within its window."""
        return not self.failed


class _Capacity:
    """Remaining capacity per person and day, with undo for tentative projects."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        cap = problem.person_capacity[:, None] * problem.person_available
        self.free = cap.astype(np.int16)
        self.limited = {int(i) for i in np.flatnonzero(problem.person_max_parallel_projects > 0)}
        self.on_project: dict[tuple[int, int], np.ndarray] = {}
        self.project_count = {i: np.zeros(problem.num_days, dtype=np.int16) for i in self.limited}
        self.pool_free = np.repeat(problem.pool_capacity[:, None], problem.num_days, axis=1).astype(np.int64)
        self.budget_left = problem.budget_limit.astype(np.int64).copy()
        # Σ over unplaced tasks of their cheapest consumption: what must stay in each budget
        self.budget_reserved = np.zeros(problem.num_budgets, dtype=np.int64)
        self.cheapest: dict[int, dict[int, int]] = {}
        for t, modes in enumerate(problem.task_modes):
            for b in {b for m in modes for b, _ in m.consumes}:
                low = min(dict(m.consumes).get(b, 0) for m in modes)
                self.cheapest.setdefault(t, {})[b] = low
                self.budget_reserved[b] += low
        self.journal: list[Placement] | None = None

    def usable(
        self,
        people: np.ndarray,
        alloc: int,
        lo: int,
        hi: int,
        project: int,
        limited_rows: list[int] | None = None,
    ) -> np.ndarray:
        """Bool ``len(people) × (hi-lo)``: who can take ``alloc`` % on each day.

        ``limited_rows``: the rows of ``people`` with a parallel-project limit, when the
        caller has them at hand (they are found otherwise).
        """
        ok = self.free[people, lo:hi] >= alloc
        if self.limited:
            if limited_rows is None:
                limited_rows = np.flatnonzero(self.problem.person_max_parallel_projects[people] > 0).tolist()
            for row in limited_rows:
                person = int(people[row])
                limit = self.problem.person_max_parallel_projects[person]
                mask = self.on_project.get((person, project))
                room = self.project_count[person][lo:hi] < limit
                if mask is not None:
                    room |= mask[lo:hi] > 0
                ok[row] &= room
        return ok

    def affordable(self, task: int, mode: Mode) -> bool:
        """Whether ``mode`` leaves every budget enough for the project's unplaced tasks."""
        cheapest = self.cheapest.get(task, {})
        return all(
            amount - cheapest.get(b, 0) <= self.budget_left[b] - self.budget_reserved[b]
            for b, amount in mode.consumes
        )

    def consumption_share(self, mode: Mode) -> float:
        """How much of its budgets' limits a mode uses (0 without consumption)."""
        limits = self.problem.budget_limit
        return sum(amount / max(1, int(limits[b])) for b, amount in mode.consumes)

    def book(self, placement: Placement, sign: int = 1) -> None:
        """Take (``sign=1``) or give back (``-1``) what a placement uses."""
        pb = self.problem
        lo, hi = placement.start, placement.end
        project = int(pb.task2project[placement.task])
        for person, req in placement.people:
            self._book_person(person, int(pb.req_allocation[req]), lo, hi, project, sign)
        for pool, units in placement.mode.pools:
            self.pool_free[pool, lo:hi] -= sign * units
        for b, amount in placement.mode.consumes:
            self.budget_left[b] -= sign * amount
        for b, low in self.cheapest.get(placement.task, {}).items():
            self.budget_reserved[b] -= sign * low
        if self.journal is not None and sign == 1:
            self.journal.append(placement)

    def _book_person(self, person: int, alloc: int, lo: int, hi: int, project: int, sign: int) -> None:
        self.free[person, lo:hi] -= sign * alloc
        if person in self.limited:
            key = (person, project)
            mask = self.on_project.get(key)
            if mask is None:
                mask = self.on_project[key] = np.zeros(self.problem.num_days, dtype=np.int16)
            before = mask[lo:hi] > 0
            mask[lo:hi] += sign
            after = mask[lo:hi] > 0
            self.project_count[person][lo:hi] += after.astype(np.int16) - before.astype(np.int16)

    def rollback(self) -> None:
        """Give back everything booked since the journal was opened."""
        assert self.journal is not None
        journal, self.journal = self.journal, None
        for placement in reversed(journal):
            self.book(placement, sign=-1)


def _window_all(ok: np.ndarray, length: int) -> np.ndarray:
    """``out[:, t]`` is True where ``ok[:, t:t+length]`` is all True."""
    if length <= 0:
        return np.ones((ok.shape[0], ok.shape[1] + 1), dtype=bool)
    # erosion by doubling windows: a few vectorised ANDs, ~3× faster than a running sum
    run, width = ok, 1
    while 2 * width <= length:
        run = run[:, :-width] & run[:, width:]
        width *= 2
    if width < length:
        rest = length - width
        run = run[:, :-rest] & run[:, rest:]
    return run


class _Placer:
    """Finds the earliest feasible start and crew of one task against the capacity."""

    def __init__(self, problem: Problem, capacity: _Capacity, windows: TimeWindows) -> None:
        self.thrifty = False  # pick the cheapest mode against budgets, not the fastest
        self.problem = problem
        self.cap = capacity
        self.windows = windows
        self.project_team: dict[int, set[int]] = {}
        self.keep_teams = True  # staff from the project's own people first, as a PM would

    def earliest(self, task: int, mode: Mode, est: int, end_min: int) -> Placement | None:
        """Earliest placement with start ≥ est and end ≥ end_min in this mode."""
        pb = self.problem
        length = mode.length
        est = max(est, end_min - length)
        fixed = int(pb.task_fixed_start[task])
        horizon = pb.num_days
        if fixed >= 0:
            if fixed < est or fixed + length > horizon:
                return None
            return self._try_range(task, mode, fixed, fixed + length)
        step = 32 + 2 * length
        lo = est
        while lo + length <= horizon:
            hi = min(horizon, lo + length + step)
            found = self._try_range(task, mode, lo, hi)
            if found is not None:
                return found
            lo = hi - length + 1
            step *= 2
        return None

    def _try_range(self, task: int, mode: Mode, lo: int, hi: int) -> Placement | None:
        """Earliest start ``s`` in ``[lo, hi-length]`` that can be staffed."""
        pb = self.problem
        length = mode.length
        project = int(pb.task2project[task])
        slots = pb.slots(task, mode)
        fixed_people = pb.task_fixed_people[task]
        feasible = np.ones(hi - lo - length + 1, dtype=bool)
        for pool, units in mode.pools:
            ok = self.cap.pool_free[pool : pool + 1, lo:hi] >= units
            feasible &= _window_all(ok, length)[0]
        if not feasible.any():
            return None
        runs = []
        for req, count in slots:
            people = pb.req_eligible[req]
            ok = self.cap.usable(
                people, int(pb.req_allocation[req]), lo, hi, project, pb.req_limited_rows[req]
            )
            run = _window_all(ok, length)
            runs.append(run)
            feasible &= run.sum(axis=0) >= count
        for person in fixed_people:
            # a pinned person must be free for one of the task's requirements
            allocs = {
                int(pb.req_allocation[r]) for r, _ in slots if person in set(pb.req_eligible[r].tolist())
            }
            if not allocs:
                return None
            ok = self.cap.usable(np.array([person]), min(allocs), lo, hi, project)
            feasible &= _window_all(ok, length)[0]
        for offset in np.flatnonzero(feasible).tolist():
            staff = self._staff(task, slots, runs, offset)
            if staff is not None:
                return Placement(task, lo + offset, mode, staff)
        return None

    def _staff(
        self,
        task: int,
        slots: list[tuple[int, int]],
        runs: list[np.ndarray],
        offset: int,
    ) -> tuple[tuple[int, int], ...] | None:
        """Pick distinct people for every slot, most constrained requirement first."""
        pb = self.problem
        team = self.project_team.get(int(pb.task2project[task]), set()) if self.keep_teams else set()
        fixed = list(pb.task_fixed_people[task])
        chosen: list[tuple[int, int]] = []
        used: set[int] = set()
        candidates = []
        for k, (req, count) in enumerate(slots):
            free = runs[k][:, offset]
            candidates.append((int(free.sum()) - count, k, req, count, free))
        candidates.sort()
        # pinned people first, each into a requirement they qualify for
        need = {req: count for _, _, req, count, _ in candidates}
        for person in fixed:
            for _, _k, req, _, free in candidates:
                elig = pb.req_eligible[req]
                pos = np.searchsorted(elig, person)
                if need[req] > 0 and pos < elig.size and elig[pos] == person and free[pos]:
                    chosen.append((person, req))
                    used.add(person)
                    need[req] -= 1
                    break
            else:
                return None
        for _, _k, req, _, free in candidates:
            if need[req] <= 0:
                continue
            elig = pb.req_eligible[req]
            preferred = pb.req_preference[req]
            people = elig[preferred[free[preferred]]].tolist()
            if team:  # the project's own people first (continuity)
                people = [p for p in people if p in team] + [p for p in people if p not in team]
            for person in people:
                if person in used:
                    continue
                chosen.append((person, req))
                used.add(person)
                need[req] -= 1
                if need[req] == 0:
                    break
            if need[req] > 0:
                return None
        return tuple(chosen)

    def commit(self, placement: Placement) -> None:
        project = int(self.problem.task2project[placement.task])
        self.cap.book(placement)
        self.project_team.setdefault(project, set()).update(p for p, _ in placement.people)


def _ready_bounds(problem: Problem, task: int, placed: dict[int, Placement]) -> tuple[int, int]:
    """Earliest start and earliest exclusive end allowed by placed predecessors."""
    est = int(problem.task_earliest_start[task])
    end_min = 0
    for k in problem.task_preds[task]:
        prec = problem.precedences[k]
        pred = placed[prec.pred]
        value = (pred.end if prec.pred_point == Point.END else pred.start) + prec.delay
        if prec.succ_point == Point.START:
            est = max(est, value)
        else:
            end_min = max(end_min, value)
    return est, end_min


PriorityKey = Callable[[int], tuple[float, ...]]

LEVELLING_RULES = ("priority", "deadline", "thrifty")
"""The rules :func:`level` knows; solving tries each that applies and keeps the best.

``thrifty`` orders like ``priority`` but picks each task's cheapest mode against
the project budgets (only used when the portfolio has budgets)."""


def levelling_rules(problem: Problem) -> list[str]:
    """The rules of :data:`LEVELLING_RULES` that apply to ``problem`` (``thrifty`` only with budgets)."""
    return [r for r in LEVELLING_RULES if r != "thrifty" or problem.num_budgets]


def priority_rule(problem: Problem, windows: TimeWindows) -> PriorityKey:
    """MS Project-style order: project priority, due date, then latest start."""
    target = np.where(problem.project_has_due, problem.project_due, problem.project_deadline)
    latest_start = windows.latest_end - windows.min_length

    def key(task: int) -> tuple[float, ...]:
        p = problem.task2project[task]
        return (-int(problem.project_priority[p]), int(target[p]), int(latest_start[task]), task)

    return key


def urgency_rule(
    days_per_priority: int, first: frozenset[int] = frozenset()
) -> Callable[[Problem, TimeWindows], PriorityKey]:
    """Due date first, with each priority step worth ``days_per_priority`` working days.

    A project one priority higher goes as if it were due that many days earlier:
    between "priority first" (a huge value) and "due date first" (zero). The
    optimiser tries a few such orders as starting points. Projects in ``first`` go
    before all others (a project the order left without room).
    """

    def rule(problem: Problem, windows: TimeWindows) -> PriorityKey:
        target = np.where(problem.project_has_due, problem.project_due, problem.project_deadline)
        urgency = target - days_per_priority * problem.project_priority
        latest_start = windows.latest_end - windows.min_length

        def key(task: int) -> tuple[float, ...]:
            p = problem.task2project[task]
            return (0 if p in first else 1, int(urgency[p]), int(latest_start[task]), task)

        return key

    return rule


def slack_rule(
    days_per_priority: int,
    first: frozenset[int] = frozenset(),
    delay: np.ndarray | None = None,
    due: TimeWindows | None = None,
) -> Callable[[Problem, TimeWindows], PriorityKey]:
    """Task by task, least slack against its project's due date first.

    A task's urgency is the latest start that still lets its project finish by the due
    date (:func:`~solver.windows.due_windows`), less ``days_per_priority`` working days
    per priority step, plus the project's ``delay`` in working days (how far it is
    asked to yield; see :func:`solver.construct.task_orders.yield_search`). Unlike
    :func:`urgency_rule` projects are not taken whole: a task with a long chain behind
    it goes before the short last steps of another project. Projects in ``first`` go
    before all others. ``due``: the problem's :func:`~solver.windows.due_windows`, when
    the caller already has them (they depend on neither ``first`` nor ``delay``).
    """

    def rule(problem: Problem, windows: TimeWindows) -> PriorityKey:
        latest = due or due_windows(problem)
        shift = days_per_priority * problem.project_priority.astype(float)
        if delay is not None:
            shift = shift - delay
        urgency = (latest.latest_end - latest.min_length) - shift[problem.task2project]

        def key(task: int) -> tuple[float, ...]:
            first_rank = 0 if problem.task2project[task] in first else 1
            return (first_rank, float(urgency[task]), task)

        return key

    return rule


def deadline_rule(problem: Problem, windows: TimeWindows) -> PriorityKey:
    """Latest-start-first: tasks with the least slack against hard windows go first."""
    latest_start = windows.latest_end - windows.min_length

    def key(task: int) -> tuple[float, ...]:
        p = problem.task2project[task]
        return (int(latest_start[task]), -int(problem.project_priority[p]), task)

    return key


def level(
    problem: Problem,
    rule: str = "priority",
    windows: TimeWindows | None = None,
    prefixed: dict[int, Placement] | None = None,
    *,
    order: Callable[[Problem, TimeWindows], PriorityKey] | None = None,
    interleave: frozenset[int] = frozenset(),
    keep_teams: bool = True,
) -> LevellingResult:
    """Run one serial levelling pass.

    Parameters
    ----------
    problem
        The compiled problem.
    rule
        ``"priority"`` (project priority first) or ``"deadline"`` (least slack first).
    windows
        Precomputed :func:`~solver.windows.time_windows` (saves time on repeated passes).
    prefixed
        Placements that are already decided (replanning: work done or in progress); they
        are booked first and never moved. A proposed project with prefixed work is kept.
    order
        A task order to use instead of the rule's (e.g. :func:`urgency_rule`).
    interleave
        Proposed projects placed in the same pass as the committed ones, in order,
        instead of after them. Their tasks then count in ``failed``: the caller
        decides what to leave out (see :func:`level_interleaved`).
    keep_teams
        Staff each task from its project's people first, as a PM would (the levelling
        baseline). Without it the least over-qualified free people go first, which packs
        tighter (see :func:`objective_staffing`).
    """
    windows = windows or time_windows(problem)
    key = (order or (deadline_rule if rule == "deadline" else priority_rule))(problem, windows)
    cap = _Capacity(problem)
    placer = _Placer(problem, cap, windows)
    placer.thrifty = rule == "thrifty"
    placer.keep_teams = keep_teams
    placed: dict[int, Placement] = {}
    for placement in (prefixed or {}).values():
        placer.commit(placement)
        placed[placement.task] = placement
    result = LevellingResult(placed)
    started = {int(problem.task2project[t]) for t in placed}
    committed = problem.project_committed.copy()
    committed[list(started | set(interleave))] = True
    committed_tasks = [
        t for t in range(problem.num_tasks) if committed[problem.task2project[t]] and t not in placed
    ]
    blocked = _serial(problem, placer, placed, committed_tasks, key, result.failed)
    del blocked
    # proposed projects, one at a time, all or nothing
    pending = sorted(
        (p for p in range(problem.num_projects) if not committed[p]),
        key=lambda p: (-int(problem.project_priority[p]), p),
    )
    progress = True
    while pending and progress:
        progress = False
        for p in list(pending):
            tasks = problem.project2tasks[p]
            external = {
                problem.precedences[k].pred
                for t in tasks
                for k in problem.task_preds[t]
                if problem.task2project[problem.precedences[k].pred] != p
            }
            if any(problem.task2project[x] in pending for x in external):
                continue
            pending.remove(p)
            progress = True
            if any(x not in placed for x in external):
                result.left_out.append(p)
                continue
            cap.journal = []
            failures: list[tuple[int, str]] = []
            _serial(problem, placer, placed, tasks, key, failures)
            if failures:
                cap.rollback()
                for t in tasks:
                    placed.pop(t, None)
                result.left_out.append(p)
            else:
                cap.journal = None
    result.left_out.extend(pending)
    return result


def _serial(
    problem: Problem,
    placer: _Placer,
    placed: dict[int, Placement],
    tasks: list[int],
    key: PriorityKey,
    failures: list[tuple[int, str]],
) -> set[int]:
    """Place ``tasks`` in priority order; returns tasks left unplaced."""
    members = set(tasks)
    waiting = {
        t: sum(1 for k in problem.task_preds[t] if problem.precedences[k].pred in members) for t in tasks
    }
    heap = [(key(t), t) for t in tasks if waiting[t] == 0]
    heapq.heapify(heap)
    unplaced = set(tasks)
    while heap:
        _, task = heapq.heappop(heap)
        if any(problem.precedences[k].pred not in placed for k in problem.task_preds[task]):
            failures.append((task, "a predecessor could not be placed"))
            continue
        est, end_min = _ready_bounds(problem, task, placed)
        best: Placement | None = None
        affordable = [m for m in problem.task_modes[task] if placer.cap.affordable(task, m)]
        if placer.thrifty:
            affordable.sort(key=placer.cap.consumption_share)
        for mode in affordable:
            found = placer.earliest(task, mode, est, end_min)
            if found is not None and (best is None or found.end < best.end):
                best = found
            if best is not None and placer.thrifty:
                break  # the cheapest mode that fits: budgets last for the whole project
        if best is None:
            why = (
                "no run of working days with enough free qualified people"
                if affordable
                else "every mode would overrun a project budget"
            )
            failures.append((task, why))
        else:
            placer.commit(best)
            placed[task] = best
            unplaced.discard(task)
            if best.end > problem.task_latest_end[task]:
                failures.append((task, "finishes after its deadline or latest finish"))
        for k in problem.task_succs[task]:
            succ = problem.precedences[k].succ
            if succ in waiting:
                waiting[succ] -= 1
                if waiting[succ] == 0:
                    heapq.heappush(heap, (key(succ), succ))
    return unplaced


def objective_staffing(problem: Problem) -> bool:
    """``keep_teams`` for levelling passes that search for the objective's best plan.

    Preferring the project's own people only pays when the objective counts team sizes
    (``continuity``); otherwise it ties people to projects and packs worse (RESULTS:
    Levelling baseline).
    """
    return problem.weights.continuity > 0


def level_interleaved(
    problem: Problem,
    order: Callable[[Problem, TimeWindows], PriorityKey],
    windows: TimeWindows | None = None,
    rounds: int = 3,
    keep_teams: bool = True,
) -> LevellingResult:
    """One pass with proposed projects placed in order among the committed ones.

    A proposed project that does not fit whole is taken out of the interleaving and
    the pass is repeated (at most ``rounds`` times); what is left is placed after the
    committed work, all or nothing, as in :func:`level`.
    """
    windows = windows or time_windows(problem)
    interleave = frozenset(int(p) for p in np.flatnonzero(~problem.project_committed))
    for _ in range(rounds):
        result = level(problem, windows=windows, order=order, interleave=interleave, keep_teams=keep_teams)
        misfits = {int(problem.task2project[t]) for t, _ in result.failed} & interleave
        if not misfits:
            return result
        interleave -= misfits
    return level(problem, windows=windows, order=order, interleave=interleave, keep_teams=keep_teams)
