"""Fast objective of solver placements, the same definition as :mod:`model.kpis`.

The large-neighbourhood search compares thousands of candidate plans; building
contract assignments for each would dominate its time. Tests check that both
definitions agree.
"""

from __future__ import annotations

import numpy as np

from solver.levelling import Placement
from solver.problem import Problem


def objective_of(problem: Problem, placements: dict[int, Placement]) -> float:
    """The contract's objective of a set of placements (lower is better)."""
    weights = problem.portfolio.objective
    finish = np.full(problem.num_projects, -1, dtype=np.int64)
    cost = 0.0
    teams: dict[int, set[int]] = {}
    for t, pl in placements.items():
        p = int(problem.task2project[t])
        finish[p] = max(finish[p], pl.end - 1)
        length = pl.mode.length
        for person, req in pl.people:
            cost += float(problem.person_cost[person]) * int(problem.req_allocation[req]) / 100 * length
        teams.setdefault(p, set()).update(person for person, _ in pl.people)
    scheduled = finish >= 0
    priority = problem.project_priority
    late = np.where(problem.project_has_due & scheduled, np.maximum(0, finish - problem.project_due), 0)
    tardiness = float((priority * late).sum())
    completion = float((priority * np.where(scheduled, finish, 0)).sum())
    left_out = float((priority * (~scheduled & ~problem.project_committed)).sum() * problem.num_days)
    continuity = float(sum(len(team) for team in teams.values()))
    makespan = float(finish.max() + 1) if scheduled.any() else 0.0
    start = problem.project_release + problem.project_critical_path
    delay = float(np.where(scheduled, finish + 1 - start, 0).sum())
    return (
        weights.tardiness * (tardiness + left_out)
        + weights.completion * completion
        + weights.cost * cost
        + weights.continuity * continuity
        + weights.makespan * makespan
        + weights.project_delay * delay
    )


def project_lateness(problem: Problem, placements: dict[int, Placement]) -> np.ndarray:
    """Working days late per project (0 when on time, not planned or without a due date)."""
    finish = np.full(problem.num_projects, -1, dtype=np.int64)
    for t, pl in placements.items():
        p = int(problem.task2project[t])
        finish[p] = max(finish[p], pl.end - 1)
    return np.where(problem.project_has_due & (finish >= 0), np.maximum(0, finish - problem.project_due), 0)


def weighted_tardiness_of(problem: Problem, placements: dict[int, Placement]) -> int:
    """Σ priority × working days late of scheduled projects."""
    return int((problem.project_priority * project_lateness(problem, placements)).sum())


def project_finish_rows(project: np.ndarray, last_day: np.ndarray, num_projects: int) -> np.ndarray:
    """Last working day per project for every row of task last days (rows × tasks; the tasks'
    projects in ``project``); -1 for a project without tasks."""
    order = np.argsort(project, kind="stable")
    groups, first = np.unique(project[order], return_index=True)
    finish = np.full((len(last_day), num_projects), -1, dtype=np.int64)
    if len(order):
        finish[:, groups] = np.maximum.reduceat(last_day[:, order], first, axis=1)
    return finish
