"""Conversions between solver placements and contract assignments."""

from __future__ import annotations

from collections.abc import Iterable

from model.plan import Assignment, PersonAllocation, PoolUse
from solver.levelling import Placement
from solver.problem import Problem


def to_assignments(problem: Problem, placements: Iterable[Placement]) -> list[Assignment]:
    """Contract assignments (dates, named people) of solver placements."""
    cal = problem.portfolio.work_calendar
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
