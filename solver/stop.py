"""A request to end a solve early and keep the best plan found so far.

Another thread (a signal handler, a service cancelling a job) calls :meth:`StopRequest.request`;
the search loops read :attr:`StopRequest.requested` between steps, and every CP-SAT solve
running at that moment is told to stop at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

# A solver registered just before its search begins misses the first stop_search call, so
# running solvers are told again for a short while.
REPEAT_SECONDS = 2.0
REPEAT_EVERY = 0.05


class Stoppable(Protocol):
    """Anything whose search can be stopped from another thread (a ``CpSolver``)."""

    def stop_search(self) -> None:
        """Stop the search; the solve returns its best plan so far."""


class StopRequest:
    """Set once, from any thread; a solve given it ends early with the best plan it has."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.RLock()  # request() may run in a signal handler of the same thread
        self._running: set[Stoppable] = set()
        self.reason = ""

    @property
    def requested(self) -> bool:
        """Whether the solve has been asked to stop."""
        return self._event.is_set()

    def request(self, reason: str) -> None:
        """Ask the solve to stop (``reason`` is recorded in the plan's stats); idempotent."""
        with self._lock:
            if self._event.is_set():
                return
            self.reason = reason
            self._event.set()
        self._stop_running()
        threading.Thread(target=self._repeat, daemon=True).start()

    def _stop_running(self) -> None:
        with self._lock:
            running = list(self._running)
        for solver in running:
            solver.stop_search()

    def _repeat(self) -> None:
        ends = time.monotonic() + REPEAT_SECONDS
        while time.monotonic() < ends:
            time.sleep(REPEAT_EVERY)
            self._stop_running()

    @contextmanager
    def watching(self, solver: Stoppable) -> Iterator[None]:
        """Stop ``solver`` if a stop is requested while it runs (or was before it started)."""
        with self._lock:
            self._running.add(solver)
        try:
            if self.requested:
                solver.stop_search()
            yield
        finally:
            with self._lock:
                self._running.discard(solver)


def stopped(stop: StopRequest | None) -> bool:
    """Whether ``stop`` is given and has been requested."""
    return stop is not None and stop.requested
