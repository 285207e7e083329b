"""Squeaky-wheel levelling: repeat levelling, giving late projects more weight each pass.

A serial levelling pass decides which project grabs scarce people first. After
each pass the projects that ended late "squeak": their weight grows with
priority × late days, so the next pass serves them earlier. Cheap (one pass is
a levelling run) and often halves the tardiness of plain priority levelling,
which makes it a much better warm start for CP-SAT.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import numpy as np

from solver.bounds import time_windows
from solver.evaluate import objective_of
from solver.levelling import LevellingResult, level
from solver.problem import Problem


@dataclass
class SqueakyResult:
    """Best levelling found and how the search went."""

    result: LevellingResult
    objective: float
    passes: int


def project_lateness(problem: Problem, result: LevellingResult) -> np.ndarray:
    """Working days late per project (0 when on time, unscheduled or without due date)."""
    finish = np.full(problem.num_projects, -1, dtype=np.int64)
    for t, pl in result.placements.items():
        p = int(problem.task2project[t])
        finish[p] = max(finish[p], pl.end - 1)
    return np.where(problem.project_has_due & (finish >= 0), np.maximum(0, finish - problem.project_due), 0)


def squeaky_wheel(
    problem: Problem,
    start: LevellingResult,
    start_value: float,
    *,
    seconds: float,
    seed: int = 0,
    max_passes: int = 200,
) -> SqueakyResult:
    """Improve a complete levelling by re-weighting late projects for ``seconds``.

    Only complete passes (every committed task placed in its window) are kept.
    """
    rng = random.Random(seed)
    windows = time_windows(problem)
    priority = problem.project_priority.astype(np.float64)
    weight = priority.copy()
    best, best_value = start, start_value
    current = start
    passes = 0
    deadline = time.perf_counter() + seconds
    while passes < max_passes and time.perf_counter() < deadline:
        late = project_lateness(problem, current)
        if not late.any():
            break
        scale = max(1.0, float(np.median(late[late > 0])))
        weight = 0.9 * weight + priority * late / scale
        noisy = weight * np.array([1 + 0.1 * rng.random() for _ in range(problem.num_projects)])
        current = level(problem, weight=noisy, windows=windows)
        passes += 1
        if not current.complete:
            current = best
            continue
        value = objective_of(problem, current.placements)
        if value < best_value:
            best, best_value = current, value
    return SqueakyResult(best, best_value, passes)
