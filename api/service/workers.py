"""The worker processes, supervised from the web process: runs never execute in the web process.

``run_workers`` processes (forked from a server process that imported the engine once) each
take one queued run at a time from the database, so the cap on concurrent runs holds however
many are submitted. A worker that dies (a crash inside the native solver) fails its run,
which keeps its best stored plan, and is replaced; a run that overstays its time limit
is ended the same way.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import signal
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.process import BaseProcess

from sqlalchemy import select

from api.service import runs
from api.service.db import Database
from api.service.models import RunRecord, utcnow
from api.service.settings import Settings
from api.service.store import as_utc

log = logging.getLogger("pmo.service")
PRELOAD = ["api.service.execute"]  # the forkserver imports the engine once; each worker starts warm


def run_worker(*args: object) -> None:
    """A worker process's entry: the engine is imported there (and in the forkserver), never in the web process."""
    from api.service.execute import worker_main

    worker_main(*args)  # type: ignore[arg-type]


SUPERVISE_SECONDS = 0.2
OVERDUE_CHECK_SECONDS = 5.0
OVERDUE_GRACE_SECONDS = 60.0
STOP_WAIT_SECONDS = 10.0


@contextmanager
def main_script_hidden() -> Iterator[None]:
    """Hide the main script from a worker being started: a worker needs nothing from it, and
    multiprocessing would import it again in every worker (seconds, and code never meant for one)."""
    main = sys.modules["__main__"]
    saved: dict[str, object] = {n: main.__dict__[n] for n in ("__spec__", "__file__") if n in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__dict__["__spec__"] = None
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


def exit_description(exitcode: int | None) -> str:
    """How a process ended, in words (``SIGSEGV``, ``exit code 1``)."""
    if exitcode is None:
        return "still running"
    if exitcode < 0:
        try:
            return signal.Signals(-exitcode).name
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit code {exitcode}"


class WorkerPool:
    """Worker processes fed by the database queue.

    Parameters
    ----------
    database
        The service's database.
    settings
        ``run_workers`` is the number of processes, so of runs at once.
    """

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(PRELOAD)
        self.instance = uuid.uuid4().hex[:12]
        self._wake = self.context.Event()
        self._shutdown = self.context.Event()
        self._processes: list[BaseProcess | None] = [None] * settings.run_workers
        self._halt = threading.Event()
        self._supervisor: threading.Thread | None = None
        self._lock = threading.Lock()
        self._last_overdue_check = 0.0

    def _prefix(self, index: int) -> str:
        return f"{self.instance}:{index}"

    def token(self, index: int, pid: int | None) -> str:
        """The token a worker writes its runs under."""
        return f"{self._prefix(index)}:{pid}"

    def start(self) -> None:
        """Start every worker and the supervising thread."""
        with self._lock:
            for index in range(len(self._processes)):
                self._spawn(index)
        self._supervisor = threading.Thread(target=self._supervise, name="worker-supervisor", daemon=True)
        self._supervisor.start()

    def _spawn(self, index: int) -> None:
        process = self.context.Process(
            target=run_worker,
            args=(self.database.url, self._prefix(index), self.settings, self._wake, self._shutdown),
            name=f"pmo-worker-{index}",
            daemon=True,
        )
        with main_script_hidden():
            process.start()
        self._processes[index] = process

    def wake(self) -> None:
        """Tell idle workers a run is waiting."""
        self._wake.set()

    def alive(self) -> int:
        """Workers running now."""
        return sum(1 for p in self._processes if p is not None and p.is_alive())

    def pids(self) -> list[int]:
        """Process ids of the workers."""
        return [p.pid for p in self._processes if p is not None and p.pid is not None]

    def _supervise(self) -> None:
        while not self._halt.wait(SUPERVISE_SECONDS):
            try:
                with self._lock:
                    if self._halt.is_set():
                        return
                    for index, process in enumerate(self._processes):
                        if process is not None and not process.is_alive():
                            self._replace(index, process)
                    self._end_overdue()
            except Exception:  # the supervisor must outlive any database hiccup
                log.exception("supervising the workers")

    def _replace(self, index: int, process: BaseProcess) -> None:
        why = exit_description(process.exitcode)
        log.error("worker %s ended unexpectedly (%s); starting another", process.name, why)
        message = f"the solver process ended unexpectedly ({why}); the best plan stored before is kept"
        with self.database.write() as session:
            runs.fail_running(session, self.token(index, process.pid), message)
        self._spawn(index)

    def _end_overdue(self) -> None:
        now = utcnow()
        if (now.timestamp() - self._last_overdue_check) < OVERDUE_CHECK_SECONDS:
            return
        self._last_overdue_check = now.timestamp()
        with self.database.read() as session:
            rows = session.execute(
                select(RunRecord.worker, RunRecord.started_at, RunRecord.time_limit).where(
                    RunRecord.state == runs.RUNNING
                )
            ).all()
        for worker, started, limit in rows:
            if not worker or started is None:
                continue
            grace = max(OVERDUE_GRACE_SECONDS, 0.5 * limit)
            if now - as_utc(started) < dt.timedelta(seconds=limit + grace):
                continue
            for index, process in enumerate(self._processes):
                if process is not None and self.token(index, process.pid) == worker and process.is_alive():
                    with self.database.write() as session:
                        runs.fail_running(
                            session, worker, f"the run did not end within its time limit and {grace:.0f} s"
                        )
                    process.kill()

    def _busy_tokens(self) -> set[str]:
        with self.database.read() as session:
            return {
                w
                for w in session.scalars(select(RunRecord.worker).where(RunRecord.state == runs.RUNNING))
                if w
            }

    def stop(self) -> None:
        """Stop the workers: their running solves stop with their best plans, as ``interrupted`` runs;
        idle workers end at once."""
        with self._lock:
            self._halt.set()
        self._shutdown.set()
        self._wake.set()
        busy = self._busy_tokens()
        for index, process in enumerate(self._processes):
            if process is not None and self.token(index, process.pid) not in busy:
                process.kill()  # nothing to keep: a run it claims meanwhile is marked interrupted below
        for process in self._processes:
            if process is not None:
                process.join(STOP_WAIT_SECONDS)
                if process.is_alive():
                    process.kill()
                    process.join(1.0)
        if self._supervisor is not None:
            self._supervisor.join(2.0)
        with self.database.write() as session:
            for index, process in enumerate(self._processes):
                if process is not None:
                    runs.interrupt_running(session, worker=self.token(index, process.pid))
