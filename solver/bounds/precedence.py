"""A cheap lower bound on the objective from the precedence graph alone.

Each project finishes no earlier than its critical path allows; people are
ignored, so the bound is valid for every plan (and weak when capacity binds).
The per-project pieces are shared with the capacity relaxation
(:mod:`solver.bounds.capacity`), which starts from them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver.problem import Problem
from solver.windows import TimeWindows, time_windows


def finish_cost(problem: Problem, p: int, finish: np.ndarray) -> np.ndarray:
    """The cost terms of project ``p`` that grow with its finish day, for each finish day given."""
    weights = problem.weights
    prio = float(problem.project_priority[p])
    cost = weights.completion * prio * finish.astype(float)
    if problem.project_has_due[p]:
        cost += weights.tardiness * prio * np.maximum(0, finish - int(problem.project_due[p]))
    if weights.project_delay:
        start = int(problem.project_release[p] + problem.project_critical_path[p])
        cost += weights.project_delay * np.maximum(0, finish + 1 - start)
    return cost


@dataclass(frozen=True)
class CriticalPathFloor:
    """What the precedence graph alone proves, per project and for the makespan."""

    earliest_finish: np.ndarray  # per project: last day it can finish at the earliest
    cost: np.ndarray  # per project: finish-driven cost at that day (a proposed one: at most its penalty)
    makespan: int  # working days every committed project needs at least


def critical_path_floor(problem: Problem, windows: TimeWindows) -> CriticalPathFloor:
    """Each project at its earliest possible finish (see :class:`CriticalPathFloor`)."""
    weights = problem.weights
    task_finish = windows.earliest_start + windows.min_length - 1
    earliest_finish = np.zeros(problem.num_projects, dtype=np.int64)
    cost = np.zeros(problem.num_projects)
    for p, tasks in enumerate(problem.project2tasks):
        if not tasks:
            continue
        earliest_finish[p] = int(task_finish[tasks].max())
        cost[p] = float(finish_cost(problem, p, earliest_finish[p : p + 1])[0])
        if not problem.project_committed[p]:
            penalty = weights.tardiness * float(problem.project_priority[p]) * problem.num_days
            cost[p] = min(cost[p], penalty)
    committed = [
        p for p in range(problem.num_projects) if problem.project_committed[p] and problem.project2tasks[p]
    ]
    makespan = int(earliest_finish[committed].max()) + 1 if committed else 0
    return CriticalPathFloor(earliest_finish, cost, makespan)


def critical_path_bound(problem: Problem) -> float:
    """Tardiness, completion, project-delay and makespan terms at every project's earliest finish."""
    floor = critical_path_floor(problem, time_windows(problem))
    return float(floor.cost.sum()) + problem.weights.makespan * floor.makespan
