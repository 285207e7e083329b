"""Conversions between solver placements and contract assignments."""

from __future__ import annotations

from collections.abc import Iterable

from model.plan import Assignment, PersonAllocation, PoolUse
from solver.construct.levelling import Placement
from solver.problem import Mode, Problem


def to_assignments(problem: Problem, placements: Iterable[Placement]) -> list[Assignment]:
    """Contract assignments (dates, named people) of solver placements."""
    cal = problem.calendar
    out = []
    for pl in placements:
        project, task = problem.task_ids[pl.task]
        out.append(
            Assignment(
                project=project,
                task=task,
                start=cal.date(pl.start),
                finish=cal.date(pl.end - 1),
                people=[
                    PersonAllocation(
                        id=problem.person_ids[person],
                        allocation=int(problem.req_allocation[req]),
                    )
                    for person, req in sorted(pl.people, key=lambda x: (x[1], x[0]))
                ],
                mode=pl.mode.index,
                pools=[PoolUse(id=problem.pool_ids[pool], units=units) for pool, units in pl.mode.pools],
            )
        )
    return out


def _match_people(
    problem: Problem, mode: Mode, people: list[tuple[int, int]]
) -> tuple[tuple[int, int], ...] | None:
    """Assign each ``(person, allocation)`` to one slot of ``mode`` (augmenting paths).

    A person fits a slot when they are eligible for its requirement and work on it at that
    requirement's allocation: two requirements of one skill at 100 % and 50 % must not swap
    their people. None when they do not fit.
    """
    slots = [r for r, count in mode.slots for _ in range(count)]
    if len(slots) != len(people):
        return None
    eligible = [
        [
            k
            for k, r in enumerate(slots)
            if int(problem.req_allocation[r]) == allocation
            and person in set(problem.req_eligible[r].tolist())
        ]
        for person, allocation in people
    ]
    owner = [-1] * len(slots)

    def augment(u: int, seen: set[int]) -> bool:
        for k in eligible[u]:
            if k not in seen:
                seen.add(k)
                if owner[k] == -1 or augment(owner[k], seen):
                    owner[k] = u
                    return True
        return False

    if not all(augment(u, set()) for u in range(len(people))):
        return None
    return tuple((people[u][0], slots[k]) for k, u in enumerate(owner))


def from_assignments(problem: Problem, assignments: Iterable[Assignment]) -> dict[int, Placement]:
    """Solver placements of a plan's assignments (those that still fit the portfolio).

    An assignment is skipped when its task, a person or its dates no longer exist,
    or its people and length match none of the task's modes.
    """
    cal = problem.calendar
    task_index = {key: t for t, key in enumerate(problem.task_ids)}
    person_index = {pid: i for i, pid in enumerate(problem.person_ids)}
    out: dict[int, Placement] = {}
    for a in assignments:
        t = task_index.get((a.project, a.task))
        if t is None or not (cal.is_working_day(a.start) and cal.is_working_day(a.finish)):
            continue
        start, end = cal.index(a.start), cal.index(a.finish) + 1
        people = [(person_index.get(p.id), p.allocation) for p in a.people]
        known = [(i, allocation) for i, allocation in people if i is not None]
        if len(known) != len(people):
            continue
        for mode in problem.task_modes[t]:
            if mode.length != end - start or (mode.index is not None and mode.index != a.mode):
                continue
            matched = _match_people(problem, mode, known)
            if matched is not None:
                out[t] = Placement(t, start, mode, matched)
                break
    return out
