"""Fast objective of solver placements, the same definition as :mod:`model.kpis`.

The large-neighbourhood search compares thousands of candidate plans; building
contract assignments for each would dominate its time. Tests check that both
definitions agree.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from solver.construct.levelling import Placement
from solver.problem import Problem


class FinishTerms(NamedTuple):
    """The objective's terms that depend on project finishes only, unweighted (arrays over
    the leading axes of the finishes they were computed from)."""

    tardiness: np.ndarray  # Σ priority × working days late
    left_out: np.ndarray  # Σ priority of proposed projects left out (× horizon days)
    completion: np.ndarray  # Σ priority × finish day
    makespan: np.ndarray  # last finish + 1 (0 when nothing is planned)
    delay: np.ndarray  # Σ (end − release − critical path) of planned projects


def finish_terms(problem: Problem, finish: np.ndarray) -> FinishTerms:
    """:class:`FinishTerms` of project finish days (… × projects; -1: not planned)."""
    scheduled = finish >= 0
    priority = problem.project_priority
    late = np.where(problem.project_has_due & scheduled, np.maximum(0, finish - problem.project_due), 0)
    start = problem.project_release + problem.project_critical_path
    return FinishTerms(
        tardiness=(priority * late).sum(axis=-1).astype(np.float64),
        left_out=(priority * (~scheduled & ~problem.project_committed)).sum(axis=-1).astype(np.float64)
        * problem.num_days,
        completion=(priority * np.where(scheduled, finish, 0)).sum(axis=-1).astype(np.float64),
        makespan=np.where(scheduled.any(axis=-1), finish.max(axis=-1) + 1, 0).astype(np.float64),
        delay=np.where(scheduled, finish + 1 - start, 0).sum(axis=-1).astype(np.float64),
    )


def objective_of(problem: Problem, placements: dict[int, Placement]) -> float:
    """The contract's objective of a set of placements (lower is better)."""
    weights = problem.weights
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
    terms = finish_terms(problem, finish)
    continuity = float(sum(len(team) for team in teams.values()))
    return (
        weights.tardiness * (float(terms.tardiness) + float(terms.left_out))
        + weights.completion * float(terms.completion)
        + weights.cost * cost
        + weights.continuity * continuity
        + weights.makespan * float(terms.makespan)
        + weights.project_delay * float(terms.delay)
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
