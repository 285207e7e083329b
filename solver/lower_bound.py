"""A cheap lower bound on the objective from the precedence graph alone.

Each project finishes no earlier than its critical path allows; people are
ignored, so the bound is valid for every plan (and weak when capacity binds).
"""

from __future__ import annotations

import numpy as np

from solver.bounds import time_windows
from solver.problem import Problem


def critical_path_bound(problem: Problem) -> float:
    """Tardiness and completion terms at every project's earliest possible finish."""
    weights = problem.portfolio.objective
    w = time_windows(problem)
    earliest_finish = w.earliest_start + w.min_length - 1
    total = 0.0
    if weights.makespan and problem.num_tasks:
        committed = [
            t for t in range(problem.num_tasks) if problem.project_committed[problem.task2project[t]]
        ]
        if committed:
            total += weights.makespan * (int(np.max(earliest_finish[committed])) + 1)
    for p in range(problem.num_projects):
        tasks = problem.project2tasks[p]
        if not tasks:
            continue
        finish = int(np.max(earliest_finish[tasks]))
        prio = int(problem.project_priority[p])
        late = max(0, finish - int(problem.project_due[p])) if problem.project_has_due[p] else 0
        planned = weights.tardiness * prio * late + weights.completion * prio * finish
        release_and_path = int(problem.project_release[p] + problem.project_critical_path[p])
        planned += weights.project_delay * max(0, finish + 1 - release_and_path)
        if not problem.project_committed[p]:
            planned = min(planned, weights.tardiness * prio * problem.num_days)
        total += planned
    return total
