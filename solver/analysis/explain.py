"""Explanations of a feasible plan that a PMO can act on.

:func:`explain_plan` reads a portfolio and a plan (its assignments only: any plan
file works, solved here or not) and answers four questions:

* **Bottlenecks** -- which skill levels (and pools) are booked at ≥ 85 % of their
  capacity, per ISO week. Demand at level *L* counts every slot of the plan that
  asks for the skill at ≥ *L*; capacity counts the people holding it at ≥ *L*
  (availability × capacity %). For each skill and week the most severe level is
  reported.
* **Late projects** -- the critical chain of each late project *in the plan*:
  from its last-finishing task back through the dependency that is tight, or,
  where none is, the *wait*: the task started later than its dependencies and
  window allowed, because for each earlier start not enough qualified people
  (or pool units) were free; who was busy on what, or absent, is named.
* **Slack** -- *schedule slack* per task, in working days, ignoring people: how
  far the task may slip before delaying its project's planned finish or breaking a
  dependency, deadline, latest finish or the horizon (``slack``: successors slip
  with it as far as they can; ``free_slack``: everything else held as planned).
* **Proposed projects** -- included, or left out with the earliest dates it could
  have: a serial insertion of its tasks into the capacity the plan leaves free
  (:mod:`solver.construct.levelling`'s placer), so no other project moves.

All matrices are ``people × working days`` or ``(skill, level) × working days``
numpy arrays; the Python loops run over tasks, dependencies and chain links only.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass

import numpy as np

from model.explanation import (
    Bottleneck,
    BusyPerson,
    ChainLink,
    Explanation,
    LateProject,
    LinkKind,
    ProposedOutcome,
    Shortage,
    TaskSlack,
    WaitCause,
)
from model.plan import Assignment, Plan
from model.portfolio import Portfolio
from solver.construct.levelling import Placement, _Capacity, _Placer, _serial, priority_rule
from solver.problem import Mode, Point, Problem, compile_problem
from solver.windows import time_windows, topological_order

BOTTLENECK_THRESHOLD = 0.85
"""Utilisation from which a skill level or pool in a week counts as a bottleneck."""

MAX_BOTTLENECKS = 20
"""Bottlenecks listed at most (the most severe)."""

MAX_NAMES = 3
"""Busy people named at most per shortage."""

_MAX_CHAIN = 500  # links followed at most on one critical chain (a guard, chains are acyclic)
_UTILISATION_CAP = 99.99  # reported when demand meets no capacity at all (only in a broken plan)


# --------------------------------------------------------------------------- the plan on the index axis


@dataclass
class _PlanData:
    """The plan laid over the compiled problem."""

    problem: Problem
    start: np.ndarray  # per task: first day, -1 when not in the plan
    end: np.ndarray  # per task: exclusive end, -1 when not in the plan
    placements: dict[int, Placement]
    crew: dict[int, list[tuple[int, int]]]  # task -> (person, allocation %) as in the plan
    load: np.ndarray  # people × days: percent booked
    free: np.ndarray  # people × days: percent left (negative when unavailable but booked)
    pool_load: np.ndarray  # pools × days: units booked
    bookings: list[list[tuple[int, int, int]]]  # per person: (start, end, task)

    def name(self, task: int) -> str:
        """``project/task``."""
        return self.problem.task_name(task)

    def date(self, day: int) -> str:
        """ISO date of a working-day index (clamped into the horizon)."""
        cal = self.problem.calendar
        return cal.date(min(max(day, 0), cal.num_days - 1)).isoformat()


def _interval_sum(
    rows: int, days: int, row: list[int], lo: list[int], hi: list[int], amount: list[float]
) -> np.ndarray:
    """``out[r, d]`` = Σ amount of the intervals ``[lo, hi)`` of row ``r`` that contain day ``d``."""
    diff = np.zeros((rows, days + 1), dtype=np.float64)
    if row:
        r = np.asarray(row, dtype=np.int64)
        np.add.at(diff, (r, np.asarray(lo, dtype=np.int64)), amount)
        np.add.at(diff, (r, np.asarray(hi, dtype=np.int64)), -np.asarray(amount, dtype=np.float64))
    return np.cumsum(diff, axis=1)[:, :days]


def _mode_of(problem: Problem, task: int, a: Assignment, length: int, crew: int) -> Mode:
    """The compiled mode an assignment runs in, with the plan's length."""
    modes = problem.task_modes[task]
    if problem.task_effort[task]:
        chosen = next((m for m in modes if m.crew == crew), None)
    elif a.mode is not None:
        chosen = next((m for m in modes if m.index == a.mode), None)
    else:
        chosen = modes[0]
    if chosen is None:
        chosen = next((m for m in modes if m.length == length), modes[0])
    return chosen if chosen.length == length else dataclasses.replace(chosen, length=length)


def _match(problem: Problem, mode: Mode, crew: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """``(person, requirement)`` pairs: each person in a slot they qualify for, same allocation first."""
    left = dict(mode.slots)
    out = []
    for person, alloc in crew:

        def fit(r: int, person: int = person, alloc: int = alloc) -> tuple[bool, bool, bool]:
            elig = problem.req_eligible[r]
            pos = int(np.searchsorted(elig, person))
            qualified = pos < elig.size and int(elig[pos]) == person
            return left[r] <= 0, not qualified, int(problem.req_allocation[r]) != alloc

        options = sorted(left, key=fit)
        if options:
            left[options[0]] -= 1
            out.append((person, options[0]))
    return tuple(out)


def _plan_data(problem: Problem, assignments: list[Assignment]) -> _PlanData:
    cal = problem.calendar
    days = problem.num_days
    task_index = {key: t for t, key in enumerate(problem.task_ids)}
    person_index = {pid: i for i, pid in enumerate(problem.person_ids)}
    start = np.full(problem.num_tasks, -1, dtype=np.int64)
    end = np.full(problem.num_tasks, -1, dtype=np.int64)
    placements: dict[int, Placement] = {}
    crews: dict[int, list[tuple[int, int]]] = {}
    bookings: list[list[tuple[int, int, int]]] = [[] for _ in problem.person_ids]
    row: list[int] = []
    lo: list[int] = []
    hi: list[int] = []
    amount: list[float] = []
    for a in assignments:
        t = task_index.get((a.project, a.task))
        if t is None:
            continue
        s = min(cal.ceil_index(a.start), days)
        e = min(cal.floor_index(a.finish) + 1, days)
        if e <= s:
            continue
        start[t], end[t] = s, e
        crew = [(person_index[x.id], x.allocation) for x in a.people if x.id in person_index]
        crews[t] = crew
        mode = _mode_of(problem, t, a, e - s, len(crew))
        placements[t] = Placement(t, s, mode, ())  # people matched to slots only when needed
        for person, alloc in crew:
            bookings[person].append((s, e, t))
            row.append(person)
            lo.append(s)
            hi.append(e)
            amount.append(float(alloc))
    load = np.rint(_interval_sum(problem.num_people, days, row, lo, hi, amount)).astype(np.int64)
    offered = problem.person_capacity[:, None].astype(np.int64) * problem.person_available
    uses = [
        (pool, pl.start, pl.end, float(units)) for pl in placements.values() for pool, units in pl.mode.pools
    ]
    pool_load = _interval_sum(
        problem.num_pools,
        days,
        [u[0] for u in uses],
        [u[1] for u in uses],
        [u[2] for u in uses],
        [u[3] for u in uses],
    )
    return _PlanData(
        problem,
        start,
        end,
        placements,
        crews,
        load,
        offered - load,
        np.rint(pool_load).astype(np.int64),
        bookings,
    )


def _runs(ok: np.ndarray, length: int) -> np.ndarray:
    """``out[:, d]`` is True where ``ok[:, d:d+length]`` is all True."""
    csum = np.zeros((ok.shape[0], ok.shape[1] + 1), dtype=np.int64)
    np.cumsum(ok, axis=1, out=csum[:, 1:])
    return (csum[:, length:] - csum[:, : ok.shape[1] - length + 1]) == length  # type: ignore[no-any-return]


def _num(x: float) -> str:
    """``23.5``, ``20``."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _skill_label(skill: str, level: int) -> str:
    return f"{skill} ≥ {level}" if level > 1 else skill


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _week_starts(problem: Problem) -> tuple[list[str], np.ndarray]:
    """ISO week labels and the first working-day index of each week."""
    cal = problem.calendar
    labels = [cal.iso_week(i) for i in range(cal.num_days)]
    firsts = [i for i in range(len(labels)) if i == 0 or labels[i] != labels[i - 1]]
    return [labels[i] for i in firsts], np.asarray(firsts, dtype=np.int64)


# --------------------------------------------------------------------------- bottlenecks


def _utilisation(demand: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    fallback = np.where(demand > 1e-9, _UTILISATION_CAP, 0.0)
    util = np.divide(demand, capacity, out=fallback, where=capacity > 1e-9)
    return np.minimum(util, _UTILISATION_CAP)  # type: ignore[no-any-return]


def _bottlenecks(data: _PlanData, threshold: float, limit: int) -> list[Bottleneck]:
    """Skill levels and pools at ≥ ``threshold`` of their weekly capacity, most severe first."""
    pb = data.problem
    days = pb.num_days
    if days == 0:
        return []
    weeks, firsts = _week_starts(pb)
    # levels asked for per skill in the plan; demand at level L counts slots asking for ≥ L
    levels: dict[str, set[int]] = {}
    slots: list[tuple[str, int, int, int, float]] = []
    pool_row: list[int] = []
    pool_lo: list[int] = []
    pool_hi: list[int] = []
    pool_units: list[float] = []
    for t, pl in data.placements.items():
        s, e = int(data.start[t]), int(data.end[t])
        for r, count in pl.mode.slots:
            skill, level = pb.req_skill[r], int(pb.req_level[r])
            levels.setdefault(skill, set()).add(level)
            slots.append((skill, level, s, e, count * float(pb.req_allocation[r]) / 100.0))
        for pool, units in pl.mode.pools:
            pool_row.append(pool)
            pool_lo.append(s)
            pool_hi.append(e)
            pool_units.append(float(units))
    keys = sorted((skill, level) for skill, ls in levels.items() for level in ls)
    key_index = {k: i for i, k in enumerate(keys)}
    row: list[int] = []
    lo: list[int] = []
    hi: list[int] = []
    amount: list[float] = []
    for skill, level, s, e, work in slots:
        for other in levels[skill]:
            if other <= level:
                row.append(key_index[(skill, other)])
                lo.append(s)
                hi.append(e)
                amount.append(work)
    candidates: list[tuple[float, float, int, Bottleneck]] = []
    if keys:
        demand = np.add.reduceat(_interval_sum(len(keys), days, row, lo, hi, amount), firsts, axis=1)
        holders = np.array([pb.holders(skill, level) for skill, level in keys], dtype=np.float64)
        holders = holders.reshape(len(keys), pb.num_people)
        offered = pb.person_available * (pb.person_capacity[:, None] / 100.0)
        capacity = np.add.reduceat(holders @ offered, firsts, axis=1)
        booked = np.add.reduceat(holders @ (data.load / 100.0), firsts, axis=1)
        util = _utilisation(demand, capacity)
        held = _utilisation(booked, capacity)
        for skill in sorted(levels):
            rows = [key_index[(skill, level)] for level in sorted(levels[skill], reverse=True)]
            sub = util[rows]  # highest level first: ties go to the most specific level
            best = np.argmax(sub, axis=0)
            worst = sub[best, np.arange(len(weeks))]
            for w in np.flatnonzero(worst >= threshold).tolist():
                k = rows[int(best[w])]
                level = keys[k][1]
                d, c, u = float(demand[k, w]), float(capacity[k, w]), float(util[k, w])
                label = _skill_label(skill, level)
                message = (
                    f"{label}: {round(u * 100)} % of capacity in {weeks[w]} "
                    f"(demand {_num(d)} person-days, capacity {_num(c)})"
                )
                item = Bottleneck(
                    week=weeks[w],
                    skill=skill,
                    level=level,
                    demand=round(d, 2),
                    capacity=round(c, 2),
                    utilisation=round(u, 4),
                    holders=int(holders[k].sum()),
                    holders_booked=round(float(held[k, w]), 4),
                    message=message,
                )
                candidates.append((u, d, w, item))
    if pool_row:
        demand = np.add.reduceat(
            _interval_sum(pb.num_pools, days, pool_row, pool_lo, pool_hi, pool_units), firsts, axis=1
        )
        week_days = np.diff(np.append(firsts, days))
        capacity = pb.pool_capacity[:, None].astype(np.float64) * week_days[None, :]
        util = _utilisation(demand, capacity)
        for k, w in zip(*np.nonzero(util >= threshold), strict=True):
            d, c, u = float(demand[k, w]), float(capacity[k, w]), float(util[k, w])
            message = (
                f"pool {pb.pool_ids[k]}: {round(u * 100)} % of capacity in {weeks[w]} "
                f"(demand {_num(d)} unit-days, capacity {_num(c)})"
            )
            item = Bottleneck(
                week=weeks[w],
                pool=pb.pool_ids[k],
                demand=round(d, 2),
                capacity=round(c, 2),
                utilisation=round(u, 4),
                message=message,
            )
            candidates.append((u, d, int(w), item))
    candidates.sort(key=lambda x: (-x[0], -x[1], x[2], x[3].pool is not None, x[3].skill or x[3].pool or ""))
    return [item for *_, item in candidates[:limit]]


# --------------------------------------------------------------------------- late projects


def _limit_ok(data: _PlanData, people: np.ndarray, task: int, lo: int, hi: int) -> np.ndarray:
    """Bool ``people × [lo, hi)``: the parallel-project limit lets them join ``task``'s project."""
    pb = data.problem
    ok = np.ones((people.size, hi - lo), dtype=bool)
    project = int(pb.task2project[task])
    for row in np.flatnonzero(pb.person_max_parallel_projects[people] > 0).tolist():
        person = int(people[row])
        on_project = np.zeros(hi - lo, dtype=bool)
        others: dict[int, np.ndarray] = {}
        for s, e, t in data.bookings[person]:
            a, b = max(s, lo), min(e, hi)
            if t == task or a >= b:
                continue
            q = int(pb.task2project[t])
            mask = on_project if q == project else others.setdefault(q, np.zeros(hi - lo, dtype=bool))
            mask[a - lo : b - lo] = True
        count = sum((m.astype(np.int64) for m in others.values()), np.zeros(hi - lo, dtype=np.int64))
        ok[row] = (count < pb.person_max_parallel_projects[person]) | on_project
    return ok


def _busy_person(
    data: _PlanData, person: int, task: int, lo: int, hi: int, blocked: np.ndarray
) -> BusyPerson:
    """Why ``person`` could take ``task`` at no earlier start: ``blocked`` marks their unusable days."""
    pb = data.problem
    pid = pb.person_ids[person]
    absent = blocked & ~pb.person_available[person, lo:hi]
    overlaps: list[tuple[int, int, int]] = []  # (-overlap, end, task)
    booked = np.zeros(hi - lo, dtype=bool)
    for s, e, t in data.bookings[person]:
        a, b = max(s, lo), min(e, hi)
        if t != task and a < b:
            booked[a - lo : b - lo] = True
            overlaps.append((-int(blocked[a - lo : b - lo].sum()), e, t))
    busy_days = int((blocked & booked & ~absent).sum())
    absent_days = int(absent.sum())
    if overlaps and busy_days >= absent_days and busy_days > 0:
        overlaps.sort()
        _, e, t = overlaps[0]
        names = [data.name(x) for *_, x in overlaps]
        return BusyPerson(
            person=pid,
            cause=WaitCause.busy,
            tasks=names,
            until=pb.calendar.date(e - 1),
            message=f"{pid} on {names[0]} until {data.date(e - 1)}",
        )
    if absent_days:
        last = lo + int(np.flatnonzero(absent)[-1])
        return BusyPerson(
            person=pid,
            cause=WaitCause.absent,
            until=pb.calendar.date(last),
            message=f"{pid} absent until {data.date(last)}",
        )
    limit = int(pb.person_max_parallel_projects[person])
    if limit > 0:
        return BusyPerson(
            person=pid,
            cause=WaitCause.project_limit,
            tasks=[data.name(t) for *_, t in sorted(overlaps)],
            message=f"{pid} at the limit of {_plural(limit, 'parallel project')}",
        )
    return BusyPerson(person=pid, cause=WaitCause.busy, message=f"{pid} booked")


def _shortages(data: _PlanData, task: int, lo: int) -> list[Shortage]:
    """Requirements of ``task`` that made its starts ``lo … start-1`` impossible."""
    pb = data.problem
    pl = data.placements[task]
    s, e = int(data.start[task]), int(data.end[task])
    length = e - s
    hi = min(s - 1 + length, pb.num_days)  # the last earlier run ends (exclusive) here
    starts = s - lo
    out: list[tuple[int, Shortage]] = []
    own = dict(data.crew.get(task, []))
    for r, count in pl.mode.slots:
        if count <= 0:
            continue
        elig = pb.req_eligible[r]
        alloc = int(pb.req_allocation[r])
        window = data.free[elig, lo:hi].copy()
        for row in np.flatnonzero(np.isin(elig, list(own))).tolist():
            a, b = max(s, lo), min(e, hi)
            if a < b:
                window[row, a - lo : b - lo] += own[int(elig[row])]  # the task's own booking is no obstacle
        ok = (window >= alloc) & _limit_ok(data, elig, task, lo, hi)
        runs = _runs(ok, length)[:, :starts]
        blocked = int((runs.sum(axis=0) < count).sum())
        if blocked == 0:
            continue
        never = np.flatnonzero(~runs.any(axis=1))
        # name first those who were free again soonest (their last unusable day is earliest)
        last_blocked = (hi - lo - 1) - np.argmax((~ok[never])[:, ::-1], axis=1)
        named = never[np.lexsort((never, last_blocked))][:MAX_NAMES].tolist()
        busy = [_busy_person(data, int(elig[row]), task, lo, hi, ~ok[row]) for row in named]
        shortage = Shortage(
            skill=pb.req_skill[r],
            level=int(pb.req_level[r]),
            needed=int(count),
            eligible=int(elig.size),
            blocked_starts=blocked,
            busy=busy[:MAX_NAMES],
            more_busy=int(never.size) - len(busy),
        )
        out.append((blocked, shortage))
    for pool, units in pl.mode.pools:
        used = data.pool_load[pool, lo:hi].copy()
        a, b = max(s, lo), min(e, hi)
        if a < b:
            used[a - lo : b - lo] -= units  # the task's own units are no obstacle
        ok = (int(pb.pool_capacity[pool]) - used >= units)[None, :]
        blocked = int((~_runs(ok, length)[0, :starts]).sum())
        if blocked:
            out.append((blocked, Shortage(pool=pb.pool_ids[pool], needed=units, blocked_starts=blocked)))
    out.sort(key=lambda x: -x[0])
    return [sh for _, sh in out]


def _shortage_text(sh: Shortage) -> str:
    if sh.pool is not None:
        return f"pool {sh.pool} ({sh.needed} unit(s) a day)"
    assert sh.skill is not None and sh.level is not None
    label = _skill_label(sh.skill, sh.level)
    if sh.needed > 1:
        label = f"{sh.needed} × {label}"
    names = [b.message for b in sh.busy]
    if sh.more_busy:
        names.append(f"{sh.more_busy} more")
    return f"{label} ({', '.join(names)})" if names else label


def _dep_text(problem: Problem, k: int) -> str:
    prec = problem.precedences[k]
    return f"{prec.kind}{prec.lag:+d}"


def _link(data: _PlanData, task: int) -> tuple[ChainLink, int | None]:
    """How ``task`` got its start in the plan, and the predecessor to follow (if any)."""
    pb = data.problem
    cal = pb.calendar
    project, tid = pb.task_ids[task]
    s, e = int(data.start[task]), int(data.end[task])
    name = data.name(task)
    base = {"project": project, "task": tid, "start": cal.date(s), "finish": cal.date(e - 1)}
    if pb.task_fixed_start[task] >= 0:
        return ChainLink(
            **base, kind=LinkKind.fixed, message=f"{name} has a fixed start {data.date(s)}"
        ), None
    bounds: list[tuple[int, int, int]] = []  # (earliest start it allows, predecessor's end, precedence)
    for k in pb.task_preds[task]:
        prec = pb.precedences[k]
        if data.start[prec.pred] < 0:
            continue
        point = data.end[prec.pred] if prec.pred_point == Point.END else data.start[prec.pred]
        value = int(point) + prec.delay - ((e - s) if prec.succ_point == Point.END else 0)
        bounds.append((value, int(data.end[prec.pred]), k))
    tight = [b for b in bounds if b[0] >= s]
    if tight:
        _, _, k = max(tight)
        binding = pb.precedences[k].pred
        return (
            ChainLink(
                **base,
                kind=LinkKind.dependency,
                predecessor=data.name(binding),
                dependency=_dep_text(pb, k),
                message=f"{name} starts as soon as {data.name(binding)} allows ({_dep_text(pb, k)})",
            ),
            binding,
        )
    own = int(pb.task_earliest_start[task])
    allowed = max([own, 0] + [b[0] for b in bounds])
    driver = max((b for b in bounds if b[0] == allowed), default=None)
    if s <= allowed:
        p = int(pb.task2project[task])
        if own == 0:
            kind, text = LinkKind.horizon, "on the first day of the horizon"
        elif own == int(pb.project_release[p]):
            kind, text = LinkKind.release, f"on its project's release ({data.date(own)})"
        else:
            kind, text = LinkKind.release, f"on its earliest start ({data.date(own)})"
        return ChainLink(**base, kind=kind, message=f"{name} starts {text}"), None
    wait = s - allowed
    pred = pb.precedences[driver[2]].pred if driver is not None else None
    if pred is not None:
        after = f"after {data.name(pred)}"
    else:
        after = (
            f"after its earliest allowed start {data.date(allowed)}"
            if allowed > 0
            else "from the start of the horizon"
        )
    shortages = _shortages(data, task, allowed)
    if shortages:
        why = " and ".join(_shortage_text(sh) for sh in shortages)
        message = f"{name} waited {_plural(wait, 'working day')} for {why} {after}"
    else:
        message = (
            f"{name} waited {_plural(wait, 'working day')} {after} although enough qualified people "
            "were free (a scheduling choice, not a shortage)"
        )
    link = ChainLink(
        **base,
        kind=LinkKind.wait,
        predecessor=data.name(pred) if pred is not None else None,
        dependency=_dep_text(pb, driver[2]) if driver is not None else None,
        wait_days=wait,
        waited_for=shortages,
        message=message,
    )
    return link, pred


def _chain_text(names: list[str]) -> str:
    if len(names) > 6:
        return " → ".join([*names[:2], "…", *names[-2:]]) + f" ({len(names)} tasks)"
    return " → ".join(names)


def _late_projects(data: _PlanData) -> list[LateProject]:
    pb = data.problem
    cal = pb.calendar
    out: list[tuple[int, LateProject]] = []
    for p in range(pb.num_projects):
        tasks = [t for t in pb.project2tasks[p] if data.start[t] >= 0]
        if not tasks or not pb.project_has_due[p]:
            continue
        last = max(tasks, key=lambda t: (int(data.end[t]), int(data.start[t])))
        finish = int(data.end[last]) - 1
        late = finish - int(pb.project_due[p])
        if late <= 0:
            continue
        chain: list[ChainLink] = []
        seen: set[int] = set()
        current: int | None = last
        first = last
        while current is not None and current not in seen and len(chain) < _MAX_CHAIN:
            seen.add(current)
            first = current
            link, current = _link(data, current)
            chain.append(link)
        pid = pb.project_ids[p]
        head = f"{pid} is {_plural(late, 'working day')} late"
        waits = [link for link in chain if link.kind == LinkKind.wait]
        if waits:
            top = {id(link) for link in sorted(waits, key=lambda x: -x.wait_days)[:3]}
            body = "; ".join(link.message for link in reversed(chain) if id(link) in top)
        else:
            names = [f"{link.project}/{link.task}" for link in reversed(chain)]
            room = int(pb.project_due[p]) + 1 - int(data.start[first])
            span = int(data.end[last]) - int(data.start[first])
            body = (
                f"no task of its critical chain waited for people; {chain[-1].message}, and the chain "
                f"{_chain_text(names)} needs {_plural(span, 'working day')} where the due date leaves {room}"
            )
        priority = int(pb.project_priority[p])
        due = pb.project_due_date[p]
        assert due is not None
        item = LateProject(
            project=pid,
            priority=priority,
            due=due,
            finish=cal.date(finish),
            late_days=late,
            chain=chain,
            wait_days=sum(link.wait_days for link in waits),
            message=f"{head}: {body}",
        )
        out.append((priority * late, item))
    out.sort(key=lambda x: (-x[0], x[1].project))
    return [item for _, item in out]


# --------------------------------------------------------------------------- slack


def _slack(data: _PlanData) -> list[TaskSlack]:
    """Schedule slack (people ignored) of every planned task, in portfolio order."""
    pb = data.problem
    cal = pb.calendar
    start, end = data.start, data.end
    planned = start >= 0
    length = np.where(planned, end - start, 0)
    project_end = np.full(pb.num_projects, -1, dtype=np.int64)
    np.maximum.at(project_end, pb.task2project[planned], end[planned])
    latest_end = np.minimum(pb.task_latest_end, project_end[pb.task2project])
    latest_end = np.minimum(latest_end, pb.num_days)
    latest_start = latest_end - length  # total: successors slip with the task
    free_start = latest_start.copy()  # free: successors stay where the plan puts them
    fixed = pb.task_fixed_start >= 0
    for t in reversed(topological_order(pb)):
        if not planned[t]:
            continue
        if fixed[t]:
            latest_start[t] = free_start[t] = start[t]
            continue
        for k in pb.task_succs[t]:
            prec = pb.precedences[k]
            succ = prec.succ
            if not planned[succ]:
                continue
            shift = length[t] if prec.pred_point == Point.END else 0
            back = length[succ] if prec.succ_point == Point.END else 0
            latest_start[t] = min(latest_start[t], latest_start[succ] + back - prec.delay - shift)
            free_start[t] = min(free_start[t], start[succ] + back - prec.delay - shift)
    out = []
    for t in np.flatnonzero(planned).tolist():
        project, tid = pb.task_ids[t]
        slack = int(latest_start[t] - start[t])
        out.append(
            TaskSlack(
                project=project,
                task=tid,
                start=cal.date(int(start[t])),
                finish=cal.date(int(end[t]) - 1),
                slack=slack,
                free_slack=min(int(free_start[t] - start[t]), slack),
                critical=slack <= 0,
            )
        )
    return out


# --------------------------------------------------------------------------- proposed projects


def _proposed(data: _PlanData) -> list[ProposedOutcome]:
    pb = data.problem
    proposed = [p for p in range(pb.num_projects) if not pb.project_committed[p]]
    if not proposed:
        return []
    out = []
    inserter: _Inserter | None = None
    for p in sorted(proposed, key=lambda p: (-int(pb.project_priority[p]), p)):
        pid, priority = pb.project_ids[p], int(pb.project_priority[p])
        tasks = pb.project2tasks[p]
        planned = [t for t in tasks if data.start[t] >= 0]
        if planned:
            first = min(int(data.start[t]) for t in planned)
            last = max(int(data.end[t]) for t in planned) - 1
            out.append(
                ProposedOutcome(
                    project=pid,
                    priority=priority,
                    included=True,
                    message=f"{pid} (priority {priority}) is in the plan: {data.date(first)} … {data.date(last)}",
                )
            )
            continue
        inserter = inserter or _Inserter(data)
        out.append(inserter.insert(p))
    return out


class _Inserter:
    """Inserts one left-out proposed project at a time into the capacity the plan leaves free."""

    def __init__(self, data: _PlanData) -> None:
        pb = data.problem
        self.data = data
        windows = time_windows(pb)
        self.key = priority_rule(pb, windows)
        self.capacity = _Capacity(pb)
        for t, placement in data.placements.items():
            people = _match(pb, placement.mode, data.crew[t])
            self.capacity.book(dataclasses.replace(placement, people=people))
        self.placer = _Placer(pb, self.capacity, windows)
        self.placed = dict(data.placements)

    def insert(self, p: int) -> ProposedOutcome:
        """Earliest dates of project ``p`` in the remaining capacity (nothing else moves)."""
        data, pb = self.data, self.data.problem
        pid, priority = pb.project_ids[p], int(pb.project_priority[p])
        tasks = pb.project2tasks[p]
        head = f"{pid} (priority {priority}) is left out"
        missing = sorted(
            {
                pb.precedences[k].pred
                for t in tasks
                for k in pb.task_preds[t]
                if pb.task2project[pb.precedences[k].pred] != p and pb.precedences[k].pred not in self.placed
            }
        )
        if missing:
            return ProposedOutcome(
                project=pid,
                priority=priority,
                included=False,
                message=f"{head}; it depends on {data.name(missing[0])}, which the plan leaves out too",
            )
        self.capacity.journal = []
        failures: list[tuple[int, str]] = []
        try:
            _serial(pb, self.placer, self.placed, tasks, self.key, failures)
            got = [self.placed[t] for t in tasks if t in self.placed]
        finally:
            self.capacity.rollback()
            for t in tasks:
                self.placed.pop(t, None)
        if len(got) < len(tasks):
            t, why = next((f for f in failures if f[0] not in {g.task for g in got}), failures[0])
            return ProposedOutcome(
                project=pid,
                priority=priority,
                included=False,
                fits=False,
                message=f"{head}; it does not fit in the capacity the plan leaves free "
                f"({data.name(t)}: {why})",
            )
        first = min(g.start for g in got)
        last = max(g.end for g in got) - 1
        late = max(0, last - int(pb.project_due[p])) if pb.project_has_due[p] else 0
        fits = not failures
        text = f"{head}; in the capacity the plan leaves free it could run {data.date(first)} … {data.date(last)}"
        if late:
            text += f" ({_plural(late, 'working day')} after its due date)"
        if not fits:
            text += ", which breaks its deadline or a task window"
        else:
            text += " without moving any other project"
        cal = pb.calendar
        return ProposedOutcome(
            project=pid,
            priority=priority,
            included=False,
            earliest_start=cal.date(first),
            earliest_finish=cal.date(last),
            fits=fits,
            late_days=late if pb.project_has_due[p] else None,
            message=text,
        )


# --------------------------------------------------------------------------- summary and entry point


def _summary(
    data: _PlanData,
    bottlenecks: list[Bottleneck],
    late: list[LateProject],
    slack: list[TaskSlack],
    proposed: list[ProposedOutcome],
) -> list[str]:
    pb = data.problem
    scheduled = sum(1 for p in range(pb.num_projects) if any(data.start[t] >= 0 for t in pb.project2tasks[p]))
    lines = []
    if late:
        worst = late[0]
        lines.append(
            f"{len(late)} of {scheduled} scheduled project(s) late; most weighted: {worst.project} "
            f"({_plural(worst.late_days, 'working day')}, priority {worst.priority})"
        )
        waited: Counter[str] = Counter()
        for item in late:
            for link in item.chain:
                for sh in link.waited_for[:1]:
                    label = f"pool {sh.pool}" if sh.pool else _skill_label(sh.skill or "", sh.level or 1)
                    waited[label] += link.wait_days
        if waited:
            label, days = waited.most_common(1)[0]
            lines.append(
                f"late chains wait most for {label} ({_plural(days, 'working day')} of waiting in all)"
            )
        else:
            lines.append(
                "late chains do not wait for people: their dependency chains are too long for the due dates"
            )
    else:
        lines.append(f"all {scheduled} scheduled project(s) finish on time")
    if bottlenecks:
        lines.append(f"bottleneck: {bottlenecks[0].message}")
    else:
        lines.append(
            f"no skill or pool is booked at ≥ {round(BOTTLENECK_THRESHOLD * 100)} % of capacity in any week"
        )
    if slack:
        critical = sum(1 for s in slack if s.critical)
        median = float(np.median([s.slack for s in slack]))
        lines.append(
            f"{critical} of {len(slack)} task(s) critical (0 schedule slack); median slack {_num(median)} working days"
        )
    left = [o for o in proposed if not o.included]
    if proposed:
        text = f"proposed: {len(proposed) - len(left)} of {len(proposed)} in the plan"
        dated = [o for o in left if o.earliest_start is not None]
        if dated:
            o = dated[0]
            assert o.earliest_start is not None
            text += f"; {o.project} could start {o.earliest_start.isoformat()} at the earliest"
        elif left:
            text += f"; {left[0].project} does not fit in the capacity left"
        lines.append(text)
    return lines


def explain_plan(
    portfolio: Portfolio,
    plan: Plan,
    *,
    threshold: float = BOTTLENECK_THRESHOLD,
    max_bottlenecks: int = MAX_BOTTLENECKS,
    problem: Problem | None = None,
) -> Explanation:
    """Explain a plan: bottlenecks, why late projects are late, schedule slack, proposed projects.

    Parameters
    ----------
    portfolio
        The validated portfolio the plan was made for.
    plan
        Any plan of it; only its assignments are read (project results are recomputed).
        A plan without assignments gets an explanation with a one-line summary.
    threshold
        Utilisation (demand / capacity) from which a skill level or pool counts as a
        bottleneck in a week.
    max_bottlenecks
        Bottlenecks listed at most, most severe first.
    problem
        ``compile_problem(portfolio)`` when the caller already has it (saves compiling again).

    Returns
    -------
    Explanation
        JSON-serialisable (:class:`model.explanation.Explanation`).
    """
    if not plan.assignments:
        return Explanation(summary=[f"no plan to explain (status {plan.status.value})"])
    return explain_assignments(
        problem or compile_problem(portfolio),
        plan.assignments,
        threshold=threshold,
        max_bottlenecks=max_bottlenecks,
    )


def explain_assignments(
    problem: Problem,
    assignments: list[Assignment],
    *,
    threshold: float = BOTTLENECK_THRESHOLD,
    max_bottlenecks: int = MAX_BOTTLENECKS,
) -> Explanation:
    """:func:`explain_plan` of a plan's assignments on its compiled problem."""
    data = _plan_data(problem, assignments)
    bottlenecks = _bottlenecks(data, threshold, max_bottlenecks)
    late = _late_projects(data)
    slack = _slack(data)
    proposed = _proposed(data)
    return Explanation(
        bottlenecks=bottlenecks,
        late_projects=late,
        slack=slack,
        proposed=proposed,
        summary=_summary(data, bottlenecks, late, slack, proposed),
    )


__all__ = ["BOTTLENECK_THRESHOLD", "MAX_BOTTLENECKS", "MAX_NAMES", "explain_assignments", "explain_plan"]
