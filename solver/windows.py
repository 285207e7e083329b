"""Time windows from the precedence graph (critical-path forward and backward passes).

These bounds ignore people entirely, so they are necessary conditions: a task
can never start before ``earliest_start`` nor end after ``latest_end`` in any
valid plan. The CP-SAT model uses them as domains; the feasibility checks use
them to prove a deadline impossible and name the chain that causes it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from solver.problem import Point, Problem


@dataclass(frozen=True)
class TimeWindows:
    """Per task: earliest start, latest exclusive end, and the chain behind each earliest start."""

    earliest_start: np.ndarray
    latest_end: np.ndarray
    min_length: np.ndarray
    max_length: np.ndarray
    driver: np.ndarray  # precedence index that set earliest_start, -1 = own window
    order: list[int]  # a topological order of the tasks

    def chain(self, problem: Problem, task: int) -> list[int]:
        """Tasks on the critical chain that ends at ``task`` (first task first)."""
        out = [task]
        seen = {task}
        while self.driver[out[-1]] >= 0:
            pred = problem.precedences[int(self.driver[out[-1]])].pred
            if pred in seen:
                break
            seen.add(pred)
            out.append(pred)
        return out[::-1]


def topological_order(problem: Problem) -> list[int]:
    """Tasks ordered so that every predecessor comes before its successors."""
    indegree = np.array([len(p) for p in problem.task_preds], dtype=np.int64)
    queue = deque(int(t) for t in np.flatnonzero(indegree == 0))
    order = []
    while queue:
        t = queue.popleft()
        order.append(t)
        for k in problem.task_succs[t]:
            s = problem.precedences[k].succ
            indegree[s] -= 1
            if indegree[s] == 0:
                queue.append(s)
    if len(order) != problem.num_tasks:
        raise ValueError("dependency cycle")  # the model's rules reject cycles first
    return order


def time_windows(
    problem: Problem,
    pinned: dict[int, tuple[int, int]] | None = None,
    latest_end: np.ndarray | None = None,
) -> TimeWindows:
    """Forward and backward passes over the precedence graph.

    Parameters
    ----------
    problem
        The compiled problem.
    pinned
        Tasks held at ``(start, length)`` (the fixed part of a neighbourhood);
        by default every task is free and the bounds hold for every mode.
    latest_end
        Exclusive latest end per task to use instead of the hard one (see
        :func:`due_windows`).
    """
    n = problem.num_tasks
    min_len = np.array([min(m.length for m in ms) for ms in problem.task_modes], dtype=np.int64)
    max_len = np.array([max(m.length for m in ms) for ms in problem.task_modes], dtype=np.int64)
    order = topological_order(problem)
    es = problem.task_earliest_start.copy()
    fixed = problem.task_fixed_start.copy()
    le_own = (problem.task_latest_end if latest_end is None else latest_end).copy()
    for t, (start, length) in (pinned or {}).items():
        fixed[t] = start
        min_len[t] = max_len[t] = length
        es[t] = start
        le_own[t] = start + length
    es = np.where(fixed >= 0, np.maximum(es, fixed), es)
    driver = np.full(n, -1, dtype=np.int64)
    for t in order:
        if pinned and t in pinned:
            continue
        for k in problem.task_preds[t]:
            prec = problem.precedences[k]
            p = prec.pred
            value = es[p] + (min_len[p] if prec.pred_point == Point.END else 0) + prec.delay
            if prec.succ_point == Point.END:
                value -= max_len[t]
            if value > es[t]:
                es[t] = value
                driver[t] = k
    le = np.where(fixed >= 0, np.minimum(le_own, fixed + max_len), le_own)
    for t in reversed(order):
        if pinned and t in pinned:
            continue
        for k in problem.task_succs[t]:
            prec = problem.precedences[k]
            s = prec.succ
            latest = le[s] - (min_len[s] if prec.succ_point == Point.START else 0) - prec.delay
            if prec.pred_point == Point.START:
                latest += max_len[t]
            le[t] = min(le[t], latest)
    return TimeWindows(es, le, min_len, max_len, driver, order)


def due_windows(problem: Problem) -> TimeWindows:
    """Windows with every project's due date as its deadline (the hard deadline where none).

    ``latest_end - min_length`` is then the latest start that keeps a task's project
    on time as far as the precedence graph knows: negative slack when that is
    already impossible. Not a rule of the plan, a measure of urgency.
    """
    target = np.where(problem.project_has_due, problem.project_due, problem.project_deadline) + 1
    return time_windows(problem, latest_end=np.minimum(problem.task_latest_end, target[problem.task2project]))
