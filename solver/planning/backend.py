"""Run backends: where a batch of independent solves (compare, sweeps, the service's sweep runs) executes.

A :class:`RunBackend` takes :class:`SolveJob` s and returns one plan per job that started:
at most ``parallel`` solves at a time, each verified by the engine's own checker (``solve``
does it). A :class:`~solver.stop.StopRequest` given to :meth:`RunBackend.run` stops the batch:
jobs not started are left out, running ones stop and return their best plan so far (status
``stopped``). A solve whose process dies (a crash in the native solver, a killed worker) is
retried once; a second death gives a ``no_solution`` plan that says so.

:class:`LocalBackend` (the default) forks one child process per solve from this process, so
nothing has to be started and the engine is imported once (in a daemonic process, such as a
service worker, which may not have children, the solves run one after another in the process). The Ray backend lives in
``api/backends/ray_backend.py`` (the solver never imports Ray) and follows the same protocol.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event
from typing import Protocol

from model.assemble import empty_plan
from model.plan import Plan, PlanStatus
from model.portfolio import Portfolio
from solver.settings import SolverSettings
from solver.solve import solve
from solver.stop import StopRequest

__all__ = [
    "MAX_ATTEMPTS",
    "DoneCallback",
    "LocalBackend",
    "RunBackend",
    "SolveJob",
    "StartCallback",
    "failed_plan",
    "parallel_solves",
    "solve_cpus",
]

MAX_ATTEMPTS = 2
"""A solve whose process dies is tried once more, then reported failed."""
POLL_SECONDS = 0.1  # how often a waiting batch looks at its stop request
STOP_REASON = "run stopped"

DoneCallback = Callable[[str, Plan], None]
"""Called with the job's name and its plan as each solve ends."""
StartCallback = Callable[[str, int, int], None]
"""Called with the job's name, the process id solving it and the attempt (1, 2) as it starts."""


@dataclass(frozen=True)
class SolveJob:
    """One solve of a batch: a name unique in the batch, a validated portfolio and its settings."""

    name: str
    portfolio: Portfolio
    settings: SolverSettings
    start: Plan | None = None  # a scenario's base plan: repaired, the solve's start (solve(start=…))


class RunBackend(Protocol):
    """Runs a batch of solves; see the module docstring for what every backend guarantees."""

    name: str

    def run(
        self,
        jobs: Sequence[SolveJob],
        parallel: int,
        on_done: DoneCallback | None = None,
        stop: StopRequest | None = None,
        on_start: StartCallback | None = None,
    ) -> dict[str, Plan]:
        """Solve ``jobs``, ``parallel`` at a time; name → plan of every job that started, in job order."""
        ...

    def capacity(self, settings: SolverSettings) -> int:
        """How many solves with ``settings`` fit side by side on this backend's cores."""
        ...


def parallel_solves(settings: SolverSettings, cores: int | None = None) -> int:
    """How many solves fit side by side: ``max(1, cores // workers per solve)``.

    A deterministic solve uses one worker whatever ``settings.workers`` says.
    """
    cores = cores if cores is not None else (os.cpu_count() or 1)
    return max(1, cores // solve_cpus(settings))


def solve_cpus(settings: SolverSettings) -> int:
    """Cores one solve takes: its CP-SAT workers (one when deterministic)."""
    return 1 if settings.deterministic else settings.workers


def failed_plan(why: str, attempts: int) -> Plan:
    """The plan of a job whose solving process died on every attempt."""
    return empty_plan(
        PlanStatus.no_solution,
        explanation=[f"the solver process ended unexpectedly ({why}) on {attempts} attempt(s)"],
        stats={"failed": True, "attempts": attempts},
    )


def exit_text(exitcode: int | None) -> str:
    """How a child process ended, in words (``SIGKILL``, ``exit code 1``)."""
    if exitcode is not None and exitcode < 0:
        try:
            return signal.Signals(-exitcode).name
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit code {exitcode}"


def _child(job: SolveJob, stop_event: Event, conn: Connection) -> None:
    """A child's work: solve, stopping when the parent sets ``stop_event``; send the plan back."""
    for signum in (signal.SIGINT, signal.SIGTERM):  # the parent stops its children itself
        signal.signal(signum, signal.SIG_IGN)
    stop = StopRequest()

    def watch() -> None:
        # polled, never waited on: a child that ends while waiting would block the parent's set()
        while not stop_event.is_set():
            time.sleep(POLL_SECONDS)
        stop.request(STOP_REASON)

    threading.Thread(target=watch, daemon=True).start()
    conn.send(solve(job.portfolio, job.settings, stop=stop, start=job.start))
    conn.close()


@dataclass
class _Running:
    job: SolveJob
    attempt: int
    process: BaseProcess
    conn: Connection


class LocalBackend:
    """Solves in forked child processes of this process, ``parallel`` at a time (nothing to start).

    Parameters
    ----------
    cores
        Cores to plan for (default: this machine's).
    """

    name = "local"

    def __init__(self, cores: int | None = None) -> None:
        self.cores = cores
        self._context = mp.get_context("fork")

    def capacity(self, settings: SolverSettings) -> int:
        """See :func:`parallel_solves`."""
        return parallel_solves(settings, self.cores)

    def run(
        self,
        jobs: Sequence[SolveJob],
        parallel: int,
        on_done: DoneCallback | None = None,
        stop: StopRequest | None = None,
        on_start: StartCallback | None = None,
    ) -> dict[str, Plan]:
        """Solve ``jobs`` in child processes; see :class:`RunBackend`.

        Parameters
        ----------
        jobs
            The solves (names unique).
        parallel
            Solves at a time (at least 1).
        on_done
            Called in this process with each name and plan as its solve ends.
        stop
            When requested: no new solve starts, running ones return their best plan.
        on_start
            Called with each name, the child's process id and the attempt as it starts.

        Returns
        -------
        dict[str, Plan]
            Name → plan of every job that started, in the order of ``jobs``.
        """
        if mp.current_process().daemon:
            return self._run_here(jobs, on_done, stop, on_start)
        stop_event = self._context.Event()
        waiting = [(job, 1) for job in jobs]
        waiting.reverse()  # popped from the end: the first job starts first
        running: list[_Running] = []
        plans: dict[str, Plan] = {}
        try:
            while waiting or running:
                stopping = stop is not None and stop.requested
                if stopping:
                    stop_event.set()
                    waiting.clear()
                while waiting and len(running) < max(1, parallel):
                    job, attempt = waiting.pop()
                    running.append(self._start(job, attempt, stop_event, on_start))
                if not running:
                    break
                ready = wait([r.conn for r in running] + [r.process.sentinel for r in running], POLL_SECONDS)
                for item in [r for r in running if r.conn in ready or r.process.sentinel in ready]:
                    plan = self._collect(item, waiting, stopping)
                    running.remove(item)
                    if plan is not None:
                        plans[item.job.name] = plan
                        if on_done:
                            on_done(item.job.name, plan)
        finally:
            stop_event.set()  # a batch left early (an exception, a signal) stops its children
            for item in running:
                item.process.join(5.0)
                if item.process.is_alive():
                    item.process.kill()
                    item.process.join(1.0)
                item.conn.close()
        return {job.name: plans[job.name] for job in jobs if job.name in plans}

    @staticmethod
    def _run_here(
        jobs: Sequence[SolveJob],
        on_done: DoneCallback | None,
        stop: StopRequest | None,
        on_start: StartCallback | None,
    ) -> dict[str, Plan]:
        """One solve after another in this process: a daemonic process (a service worker) has no children."""
        plans: dict[str, Plan] = {}
        for job in jobs:
            if stop is not None and stop.requested:
                break
            if on_start:
                on_start(job.name, os.getpid(), 1)
            plans[job.name] = solve(job.portfolio, job.settings, stop=stop, start=job.start)
            if on_done:
                on_done(job.name, plans[job.name])
        return plans

    def _start(
        self, job: SolveJob, attempt: int, stop_event: Event, on_start: StartCallback | None
    ) -> _Running:
        receive, send = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=_child, args=(job, stop_event, send), name=f"pmo-solve-{job.name}"[:60], daemon=True
        )
        process.start()
        send.close()  # the child holds the only sending end: its death closes the pipe
        assert process.pid is not None
        if on_start:
            on_start(job.name, process.pid, attempt)
        return _Running(job, attempt, process, receive)

    def _collect(self, item: _Running, waiting: list[tuple[SolveJob, int]], stopping: bool) -> Plan | None:
        """The plan of a child that answered or ended; ``None`` when its job goes back to the queue."""
        try:
            plan: Plan = item.conn.recv()
        except (EOFError, OSError):
            plan = None  # type: ignore[assignment]
        item.process.join()
        item.conn.close()
        if plan is not None:
            return plan
        if item.attempt < MAX_ATTEMPTS and not stopping:
            waiting.append((item.job, item.attempt + 1))
            return None
        return failed_plan(exit_text(item.process.exitcode), item.attempt)
