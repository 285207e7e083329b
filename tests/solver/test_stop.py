"""A stop request ends a solve early with its best plan, verified."""

from __future__ import annotations

import threading
import time

import pytest

from api.generate import generate_size
from model.checker import check_plan
from model.load import parse_portfolio
from model.plan import PlanStatus
from model.portfolio import Portfolio
from solver.settings import SolverSettings
from solver.solve import solve
from solver.stop import StopRequest


@pytest.fixture(scope="module")
def p30() -> Portfolio:
    return parse_portfolio(generate_size("p30", seed=1))


def _stop_after(stop: StopRequest, seconds: float) -> None:
    threading.Timer(seconds, stop.request, args=("test",)).start()


def test_a_stop_during_the_search_returns_the_best_plan_so_far(p30: Portfolio) -> None:
    stop = StopRequest()
    _stop_after(stop, 1.5)
    began = time.perf_counter()
    plan = solve(p30, SolverSettings(time_limit=30, seed=1), stop=stop)
    seconds = time.perf_counter() - began
    assert seconds < 1.5 + 1.0
    assert plan.status in (PlanStatus.stopped, PlanStatus.optimal)
    assert plan.stats["stopped_by"] == "test"
    assert check_plan(p30, plan) == []
    if plan.status == PlanStatus.stopped:
        assert plan.explanation_detail is None  # a stopped solve ends now, unexplained


def test_a_stop_before_the_solve_still_gives_the_levelling_plan(p30: Portfolio) -> None:
    stop = StopRequest()
    stop.request("early")
    began = time.perf_counter()
    plan = solve(p30, SolverSettings(time_limit=30), stop=stop)
    assert time.perf_counter() - began < 3
    assert plan.status.has_plan and check_plan(p30, plan) == []


def test_a_request_stops_a_running_solver_and_later_ones() -> None:
    class Solver:
        stopped = 0

        def stop_search(self) -> None:
            self.stopped += 1

    stop = StopRequest()
    running = Solver()
    with stop.watching(running):
        stop.request("first")
        stop.request("second")  # idempotent: the first reason stays
    assert running.stopped >= 1 and stop.reason == "first"
    late = Solver()
    with stop.watching(late):
        pass
    assert late.stopped == 1
