"""More starting plans for the optimiser: levelling in other task orders.

Levelling in priority order is what a PM tool does, and the optimiser's
baseline. On a loaded portfolio other orders start it far better: task by task
by slack against the due date, traded against priority (see
:func:`~solver.construct.levelling.slack_rule`), searched by :func:`yield_search`, in
which projects late in one plan are asked to yield in the next; then, as a
safety net, orders that take projects whole (:data:`PROJECT_ORDERS`: proposed
projects placed among the committed ones by their priority, whole projects by
due date traded against priority). Each order is one levelling pass; passes
here staff for the objective (:func:`~solver.construct.levelling.objective_staffing`).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator

import numpy as np

from solver.construct.levelling import (
    LevellingResult,
    Placement,
    PriorityKey,
    level_interleaved,
    objective_staffing,
    priority_rule,
    slack_rule,
    urgency_rule,
)
from solver.evaluate import project_lateness
from solver.problem import Problem
from solver.settings import ConstructionTuning
from solver.windows import TimeWindows, due_windows, time_windows

OrderFactory = Callable[[frozenset[int]], Callable[[Problem, TimeWindows], PriorityKey]]


def slack_order_name(days_per_priority: int) -> str:
    """Name of the slack order with that step (as in :func:`all_orders`)."""
    return f"slack, {days_per_priority} days per priority step"


def _slack_order(days_per_priority: int) -> OrderFactory:
    return lambda first: slack_rule(days_per_priority, first)


def slack_orders(steps: tuple[int, ...]) -> tuple[tuple[str, OrderFactory], ...]:
    """The plain slack orders, one per step (each is the first pass of a :func:`yield_search`)."""
    return tuple((slack_order_name(k), _slack_order(k)) for k in steps)


PROJECT_ORDERS: tuple[tuple[str, OrderFactory], ...] = (
    ("priority, proposed interleaved", lambda first: priority_rule),
    ("urgency 10 days per priority step", lambda first: urgency_rule(10, first)),
    ("urgency 20 days per priority step", lambda first: urgency_rule(20, first)),
    ("urgency 40 days per priority step", lambda first: urgency_rule(40, first)),
)
"""Orders that take projects whole. They rarely beat the slack orders on portfolios with
due dates (never on the generated ones) but are a safety net for portfolios unlike them."""


def all_orders(tuning: ConstructionTuning) -> tuple[tuple[str, OrderFactory], ...]:
    """Named orders, the slack orders of ``tuning.slack_steps`` then :data:`PROJECT_ORDERS`;
    each takes the projects to place first (see :func:`level_repaired`)."""
    return slack_orders(tuning.slack_steps) + PROJECT_ORDERS


def level_repaired(
    problem: Problem, order: OrderFactory, windows: TimeWindows, *, repair_rounds: int
) -> LevellingResult:
    """Level in ``order``; committed projects it leaves without room go first next time.

    A due-date order can leave a committed project with no run of free people before
    the horizon ends; moving that project to the front (``repair_rounds`` at most) usually
    fixes it at little cost to the rest.
    """
    first: frozenset[int] = frozenset()
    keep_teams = objective_staffing(problem)
    result = level_interleaved(problem, order(first), windows, keep_teams=keep_teams)
    for _ in range(repair_rounds):
        if result.complete:
            break
        stuck = {int(problem.task2project[t]) for t, _ in result.failed} - first
        if not stuck:
            break
        first |= stuck
        result = level_interleaved(problem, order(first), windows, keep_teams=keep_teams)
    return result


def construct(
    problem: Problem,
    budget_seconds: float | None = None,
    orders: tuple[tuple[str, OrderFactory], ...] | None = None,
    stop: Callable[[], bool] | None = None,
    *,
    tuning: ConstructionTuning | None = None,
) -> list[tuple[str, LevellingResult]]:
    """Complete plans from every order in ``orders`` (None: :func:`all_orders` of ``tuning``;
    stops early past ``budget_seconds``, or when ``stop()`` says so). ``tuning`` (None: the
    defaults) also sets the repair rounds.

    Without a budget every order runs, so the result does not depend on the clock.
    """
    tuning = tuning if tuning is not None else ConstructionTuning()
    began = time.perf_counter()
    windows = time_windows(problem)
    plans = []
    for name, order in orders if orders is not None else all_orders(tuning):
        result = level_repaired(problem, order, windows, repair_rounds=tuning.repair_rounds)
        if result.complete:
            plans.append((name, result))
        if budget_seconds is not None and time.perf_counter() - began > budget_seconds:
            break
        if stop is not None and stop():
            break
    return plans


def yield_search(
    problem: Problem,
    days_per_priority: int,
    value: Callable[[dict[int, Placement]], float],
    stop: Callable[[], bool],
    seed: int = 0,
    *,
    tuning: ConstructionTuning | None = None,
) -> Iterator[tuple[str, LevellingResult, float]]:
    """Slack orders in which the projects late in the last plan yield.

    Yields each plan better than the best so far: its name, the plan and its ``value``.

    On a loaded portfolio not every project can be on time, and trying to save them all
    makes many a little late. Each pass moves every late project back in the order by
    ``yield_step`` × days late × (``yield_middle_priority`` / priority)² working days
    (:class:`~solver.settings.ConstructionTuning`; scaled by one random factor in 0.5…1.5),
    so the hopeless, low-priority ones give way and the others finish in time. The squared
    ratio beat the plain one, and late projects going *first* instead, as squeaky-wheel
    optimisation would, made plans worse (RESULTS: Slack orders and the yield search).

    After ``yield_patience`` passes without a better plan the search returns to the best
    order so far, and gives up after ``yield_returns`` such returns in a row. ``stop`` is
    asked before every pass. The first pass is the plain slack order. ``tuning``: None for
    the defaults.
    """
    tuning = tuning if tuning is not None else ConstructionTuning()
    rng = random.Random(seed)
    windows = time_windows(problem)
    due = due_windows(problem)
    keep_teams = objective_staffing(problem)
    yield_weight = (tuning.yield_middle_priority / problem.project_priority) ** 2
    first: frozenset[int] = frozenset()
    delay = np.zeros(problem.num_projects)
    best_delay = delay
    best: LevellingResult | None = None
    current: LevellingResult | None = None
    best_value = float("inf")
    passes = stale = returns = 0  # passes: those in which late projects yielded
    while not stop():
        if current is not None:
            late = project_lateness(problem, current.placements)
            if not late.any():
                return
            delay = delay + tuning.yield_step * rng.uniform(0.5, 1.5) * late * yield_weight
            passes += 1
        order = slack_rule(days_per_priority, first, delay, due)
        result = level_interleaved(problem, order, windows, keep_teams=keep_teams)
        if not result.complete:
            stuck = {int(problem.task2project[t]) for t, _ in result.failed} - first
            if not stuck:
                return
            first |= stuck  # as in level_repaired: a project left without room goes first
            continue
        current = result
        objective = value(result.placements)
        if objective < best_value - 1e-9:
            best, best_value, best_delay, stale, returns = result, objective, delay, 0, 0
            name = slack_order_name(days_per_priority)
            if passes:
                name += f", late projects yielding ({passes} passes)"
            yield name, result, objective
        else:
            stale += 1
            if stale >= tuning.yield_patience and best is not None:
                returns += 1
                if returns > tuning.yield_returns:
                    return
                current, delay, stale = best, best_delay, 0
