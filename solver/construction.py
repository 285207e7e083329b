"""More starting plans for the optimiser: levelling in other task orders.

Levelling in priority order is what a PM tool does, and the optimiser's
baseline. On a loaded portfolio other orders often start it far better:
proposed projects placed among the committed ones by their priority (not after
all of them), and due dates traded against priority (see
:func:`~solver.levelling.urgency_rule`). Each order is one levelling pass.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from solver.bounds import TimeWindows, time_windows
from solver.levelling import (
    LevellingResult,
    PriorityKey,
    level_interleaved,
    priority_rule,
    urgency_rule,
)
from solver.problem import Problem

OrderFactory = Callable[[frozenset[int]], Callable[[Problem, TimeWindows], PriorityKey]]

ORDERS: tuple[tuple[str, OrderFactory], ...] = (
    ("priority, proposed interleaved", lambda first: priority_rule),
    ("urgency 10 days per priority step", lambda first: urgency_rule(10, first)),
    ("urgency 20 days per priority step", lambda first: urgency_rule(20, first)),
    ("urgency 40 days per priority step", lambda first: urgency_rule(40, first)),
)
"""Named orders; each takes the projects to place first (see :func:`level_repaired`)."""
REPAIR_ROUNDS = 3


def level_repaired(problem: Problem, order: OrderFactory, windows: TimeWindows) -> LevellingResult:
    """Level in ``order``; committed projects it leaves without room go first next time.

    A due-date order can leave a committed project with no run of free people before
    the horizon ends; moving that project to the front (a few rounds at most) usually
    fixes it at little cost to the rest.
    """
    first: frozenset[int] = frozenset()
    result = level_interleaved(problem, order(first), windows)
    for _ in range(REPAIR_ROUNDS):
        if result.complete:
            break
        stuck = {int(problem.task2project[t]) for t, _ in result.failed} - first
        if not stuck:
            break
        first |= stuck
        result = level_interleaved(problem, order(first), windows)
    return result


def construct(problem: Problem, budget_seconds: float | None = None) -> list[tuple[str, LevellingResult]]:
    """Complete plans from every order in :data:`ORDERS` (stops early past ``budget_seconds``).

    Without a budget every order runs, so the result does not depend on the clock.
    """
    began = time.perf_counter()
    windows = time_windows(problem)
    plans = []
    for name, order in ORDERS:
        result = level_repaired(problem, order, windows)
        if result.complete:
            plans.append((name, result))
        if budget_seconds is not None and time.perf_counter() - began > budget_seconds:
            break
    return plans
