"""The local run backend (solver/planning/backend.py): child processes, stop, retry of a dead child."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from model.checker import check_plan
from model.load import parse_portfolio
from model.plan import PlanStatus
from model.portfolio import Portfolio
from solver.planning.backend import LocalBackend, SolveJob, parallel_solves, solve_cpus
from solver.planning.compare import solve_all
from solver.settings import SolverSettings
from solver.stop import StopRequest
from tests.conftest import small_portfolio

FAST = SolverSettings(time_limit=2, workers=1, deterministic=True)
SLOW = SolverSettings(time_limit=30, workers=1)


@pytest.fixture(scope="module")
def slow_portfolio() -> Portfolio:
    """A portfolio whose search does not end within a few seconds (generated, p10)."""
    from api.generate import generate_size

    return parse_portfolio(generate_size("p10", 0))


def test_parallel_solves_counts_solver_workers() -> None:
    assert parallel_solves(SolverSettings(workers=2), cores=8) == 4
    assert parallel_solves(SolverSettings(workers=4, deterministic=True), cores=2) == 2
    assert parallel_solves(SolverSettings(workers=8), cores=2) == 1
    assert solve_cpus(SolverSettings(workers=3)) == 3


def test_jobs_solve_in_children_in_order() -> None:
    started: list[tuple[str, int, int]] = []
    done: list[str] = []
    jobs = [SolveJob(f"s{k}", small_portfolio(), FAST) for k in range(3)]
    plans = LocalBackend().run(
        jobs, 2, on_done=lambda n, _: done.append(n), on_start=lambda n, pid, a: started.append((n, pid, a))
    )
    assert list(plans) == ["s0", "s1", "s2"]
    assert sorted(done) == ["s0", "s1", "s2"]
    assert {a for _, _, a in started} == {1} and all(pid != os.getpid() for _, pid, _ in started)
    for plan in plans.values():
        assert plan.status.has_plan and not check_plan(small_portfolio(), plan)


def test_solve_all_uses_the_backend_given() -> None:
    calls: list[int] = []

    class Counting(LocalBackend):
        def run(self, jobs, parallel, on_done=None, stop=None, on_start=None):  # type: ignore[no-untyped-def]
            calls.append(parallel)
            return super().run(jobs, parallel, on_done, stop, on_start)

    plans = solve_all({"a": small_portfolio(), "b": small_portfolio()}, FAST, 2, backend=Counting())
    assert calls == [2] and [p.objective for p in plans.values()] == [plans["a"].objective] * 2


def test_stop_keeps_finished_results_and_running_best_plans(slow_portfolio: Portfolio) -> None:
    stop = StopRequest()
    jobs = [SolveJob("fast", small_portfolio(), FAST)] + [
        SolveJob(f"slow{k}", slow_portfolio, SLOW) for k in range(3)
    ]
    threading.Timer(4.0, stop.request, args=("test",)).start()
    began = time.monotonic()
    plans = LocalBackend().run(jobs, 2, stop=stop)
    assert time.monotonic() - began < 15
    assert list(plans) == ["fast", "slow0", "slow1"]  # slow2 never started
    assert plans["fast"].status in (PlanStatus.optimal, PlanStatus.feasible)
    for name in ("slow0", "slow1"):
        assert plans[name].status == PlanStatus.stopped and plans[name].assignments
        assert not check_plan(slow_portfolio, plans[name])


def _killer(victims: set[str], attempts: set[int]):  # type: ignore[no-untyped-def]
    seen: list[tuple[str, int]] = []

    def on_start(name: str, pid: int, attempt: int) -> None:
        seen.append((name, attempt))
        if name in victims and attempt in attempts:
            os.kill(pid, signal.SIGKILL)

    return on_start, seen


def test_a_killed_child_is_retried_once() -> None:
    on_start, seen = _killer({"victim"}, {1})
    jobs = [SolveJob("victim", small_portfolio(), FAST), SolveJob("other", small_portfolio(), FAST)]
    plans = LocalBackend().run(jobs, 2, on_start=on_start)
    assert ("victim", 2) in seen
    assert plans["victim"].status.has_plan and plans["other"].status.has_plan


def test_a_child_killed_twice_is_reported_failed_and_the_batch_completes() -> None:
    on_start, seen = _killer({"victim"}, {1, 2})
    jobs = [SolveJob("victim", small_portfolio(), FAST), SolveJob("other", small_portfolio(), FAST)]
    plans = LocalBackend().run(jobs, 1, on_start=on_start)
    assert [a for n, a in seen if n == "victim"] == [1, 2]
    assert plans["victim"].status == PlanStatus.no_solution
    assert "SIGKILL" in plans["victim"].explanation[0] and plans["victim"].stats["attempts"] == 2
    assert plans["other"].status.has_plan
