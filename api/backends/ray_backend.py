"""The Ray run backend: the same batch of solves as :class:`~solver.planning.backend.LocalBackend`, on a Ray cluster.

Each solve runs in a :class:`SolveWorker` actor (one per concurrent solve, reused from job to
job, ``num_cpus`` = the solve's CP-SAT workers). An actor is threaded: while ``solve`` runs, its
``stop`` method sets the engine's :class:`~solver.stop.StopRequest`, so a stopped run keeps its
best plan, as locally. What travels is text: the portfolio's JSON to the actor, the plan's JSON
back; the driver checks every plan that comes back with the independent checker. An actor that
dies (a killed worker, a lost node) is replaced and its job tried once more, then reported failed.

Without an address a private Ray is started on this machine: every port on 127.0.0.1, no
dashboard, token authentication, no usage statistics. Ray is imported only here, and only when
a Ray backend is used (``pip install -e '.[ray]'``).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from model.checker import check_plan
from model.load import InvalidInput
from model.plan import Plan
from model.rules import Issue
from solver.planning.backend import (
    MAX_ATTEMPTS,
    POLL_SECONDS,
    STOP_REASON,
    DoneCallback,
    SolveJob,
    StartCallback,
    failed_plan,
    solve_cpus,
)
from solver.settings import SolverSettings
from solver.stop import StopRequest

__all__ = [
    "LOCAL_ENVIRONMENT",
    "LOOPBACK_ENVIRONMENT",
    "RayBackend",
    "SolveWorker",
    "local_environment",
    "start_local_ray",
]

LOOPBACK_ENVIRONMENT = {
    # Ray takes the loopback address as the node's only on a "single-machine" platform: then every
    # server (GCS, raylet, object manager, workers) listens on 127.0.0.1 alone, and a driver
    # connecting to such a cluster looks for it there
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
    "RAY_USAGE_STATS_ENABLED": "0",
}
LOCAL_ENVIRONMENT = {**LOOPBACK_ENVIRONMENT, "RAY_AUTH_MODE": "token"}
LOOPBACK_HOSTS = ("127.", "localhost", "[::1]", "ray://127.", "ray://localhost")


# what a sweep ships is text of a few MB at most: no need for the default 30 % of RAM
OBJECT_STORE_BYTES = 256 * 2**20


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise InvalidInput(
            [Issue("--backend", "Ray is not installed: pip install -e '.[ray]' (or use --backend local)")]
        ) from None
    return ray


def local_environment() -> None:
    """Set what a private local Ray needs before Ray is imported (it reads them at import, and the
    processes it starts inherit them): loopback only, token authentication with a fresh token."""
    for key, value in LOCAL_ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("RAY_AUTH_TOKEN", secrets.token_hex(32))


def start_local_ray(num_cpus: int | None = None) -> None:
    """Start a private Ray on this machine, every port on 127.0.0.1, no dashboard, token authentication.

    Raises
    ------
    RuntimeError
        When Ray would listen on another address than the loopback one (it is shut down again).
    """
    local_environment()
    ray = _ray()
    ray.init(
        num_cpus=num_cpus or os.cpu_count() or 1,
        include_dashboard=False,
        object_store_memory=OBJECT_STORE_BYTES,
        log_to_driver=False,
        configure_logging=False,
    )
    address = ray.get_runtime_context().gcs_address
    if not str(address).startswith("127."):
        ray.shutdown()
        raise RuntimeError(f"a local Ray would listen on {address}, not on 127.0.0.1: not started")


class SolveWorker:
    """What a Ray actor does: solve one portfolio at a time, stoppable from another call."""

    def __init__(self) -> None:
        self._stop: StopRequest | None = None

    def where(self) -> int:
        """The process id of this actor."""
        return os.getpid()

    def solve(self, portfolio_json: str, settings_json: str, start_json: str | None = None) -> str:
        """Solve (from the start plan, if any) and return the plan's JSON (the engine verified it)."""
        from model.load import parse_portfolio
        from solver.solve import solve

        self._stop = StopRequest()
        try:
            plan = solve(
                parse_portfolio(portfolio_json),
                SolverSettings.model_validate_json(settings_json),
                stop=self._stop,
                start=Plan.model_validate_json(start_json) if start_json else None,
            )
        finally:
            self._stop = None
        return plan.model_dump_json()

    def stop(self) -> None:
        """Ask the running solve to stop with its best plan."""
        if self._stop is not None:
            self._stop.request(STOP_REASON)


@dataclass
class _Slot:
    actor: Any
    job: SolveJob | None = None
    attempt: int = 0
    ref: Any = None


class RayBackend:
    """Solves on a Ray cluster, ``parallel`` actors at a time.

    Parameters
    ----------
    address
        The cluster (``HOST:PORT`` or ``ray://HOST:PORT``); ``None`` starts a private local Ray
        (:func:`start_local_ray`), or uses the Ray this process is already connected to.
    num_cpus
        CPUs of a local Ray (default: this machine's).
    token
        The cluster's authentication token (default: Ray's ``$RAY_AUTH_TOKEN`` or ``~/.ray/auth_token``).
    """

    name = "ray"

    def __init__(
        self, address: str | None = None, num_cpus: int | None = None, token: str | None = None
    ) -> None:
        self.address = address
        self.num_cpus = num_cpus
        self.token = token
        self._started = False

    def connect(self) -> Any:
        """Connect (or start a local Ray) once; the ``ray`` module."""
        if not self.address:
            local_environment()
        elif self.address.startswith(LOOPBACK_HOSTS):
            for key, value in LOOPBACK_ENVIRONMENT.items():
                os.environ.setdefault(key, value)
        if self.token:  # else the token comes from Ray's own places ($RAY_AUTH_TOKEN, ~/.ray/auth_token)
            os.environ.update(RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=self.token)
        ray = _ray()
        if not ray.is_initialized():
            if self.address:
                ray.init(address=self.address, log_to_driver=False, configure_logging=False)
            else:
                start_local_ray(self.num_cpus)
            self._started = True
        return ray

    def close(self) -> None:
        """Shut down the Ray this backend started (one it found running is left alone)."""
        if self._started:
            _ray().shutdown()
            self._started = False

    def capacity(self, settings: SolverSettings) -> int:
        """Solves that fit side by side on the cluster's CPUs."""
        cpus = int(self.connect().cluster_resources().get("CPU", 1))
        return max(1, cpus // solve_cpus(settings))

    def run(
        self,
        jobs: Sequence[SolveJob],
        parallel: int,
        on_done: DoneCallback | None = None,
        stop: StopRequest | None = None,
        on_start: StartCallback | None = None,
    ) -> dict[str, Plan]:
        """Solve ``jobs`` on Ray actors; see :class:`~solver.planning.backend.RunBackend`.

        Parameters
        ----------
        jobs
            The solves (names unique).
        parallel
            Actors, so solves at a time.
        on_done
            Called in this process with each name and plan as its solve ends.
        stop
            When requested: no new solve starts, running ones return their best plan.
        on_start
            Called with each name, the actor's process id and the attempt as it starts.

        Returns
        -------
        dict[str, Plan]
            Name → plan of every job that started, in the order of ``jobs``.
        """
        ray = self.connect()
        if not jobs:
            return {}
        cpus = solve_cpus(jobs[0].settings)
        actor_class = ray.remote(num_cpus=cpus, max_concurrency=2, max_restarts=0)(SolveWorker)
        waiting = [(job, 1) for job in reversed(jobs)]
        slots = [_Slot(actor_class.remote()) for _ in range(min(max(1, parallel), len(jobs)))]
        plans: dict[str, Plan] = {}
        stopping = False
        try:
            while True:
                if stop is not None and stop.requested and not stopping:
                    stopping = True
                    waiting.clear()
                    for slot in slots:
                        if slot.job is not None:
                            slot.actor.stop.remote()
                for slot in slots:
                    if slot.job is None and waiting:
                        self._start(ray, slot, *waiting.pop(), on_start, actor_class)
                busy = [s for s in slots if s.job is not None]
                if not busy:
                    break
                ready, _ = ray.wait([s.ref for s in busy], num_returns=1, timeout=POLL_SECONDS)
                for slot in [s for s in busy if s.ref in ready]:
                    job, plan = self._collect(ray, slot, actor_class, waiting, stopping)
                    if plan is not None:
                        plans[job.name] = plan
                        if on_done:
                            on_done(job.name, plan)
        finally:
            for slot in slots:
                ray.kill(slot.actor)
        return {job.name: plans[job.name] for job in jobs if job.name in plans}

    def _start(
        self,
        ray: Any,
        slot: _Slot,
        job: SolveJob,
        attempt: int,
        on_start: StartCallback | None,
        actor_class: Any,
    ) -> None:
        try:
            pid = ray.get(slot.actor.where.remote())
        except ray.exceptions.RayActorError:
            slot.actor = actor_class.remote()  # died idle: nothing lost, the job starts on a new actor
            pid = ray.get(slot.actor.where.remote())
        slot.job, slot.attempt = job, attempt
        start = job.start.model_dump_json() if job.start is not None else None
        slot.ref = slot.actor.solve.remote(
            job.portfolio.model_dump_json(), job.settings.model_dump_json(), start
        )
        if on_start:
            on_start(job.name, pid, attempt)

    def _collect(
        self,
        ray: Any,
        slot: _Slot,
        actor_class: Any,
        waiting: list[tuple[SolveJob, int]],
        stopping: bool,
    ) -> tuple[SolveJob, Plan | None]:
        """The job that ended and its plan; ``None`` when the job goes back to the queue."""
        job, attempt = slot.job, slot.attempt
        assert job is not None
        slot.job, slot.ref, ref = None, None, slot.ref
        try:
            plan = Plan.model_validate_json(ray.get(ref))
        except (ray.exceptions.RayActorError, ray.exceptions.WorkerCrashedError) as exc:
            ray.kill(slot.actor)
            slot.actor = actor_class.remote()
            if attempt < MAX_ATTEMPTS and not stopping:
                waiting.append((job, attempt + 1))
                return job, None
            return job, failed_plan(type(exc).__name__, attempt)
        if plan.status.has_plan and check_plan(job.portfolio, plan):
            return job, failed_plan("its plan broke the checker", attempt)
        return job, plan
