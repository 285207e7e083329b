"""SIGINT and SIGTERM: a running solve stops and keeps its best plan; otherwise the command ends.

:data:`GUARD` is installed by the entry point. While :func:`run_stoppable` runs a solve (in
a worker thread, so that the main thread takes the signal at once), the first signal asks
the solve to stop: it returns its best plan so far within a fraction of a second. While
results are written (:meth:`SignalGuard.deferred`) the first signal waits for the writing to
end. At any other time, or on a second signal, :class:`Interrupted` ends the command with
exit code 128 + the signal number and nothing more is written.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TypeVar

from solver.stop import StopRequest

SIGNALS = (signal.SIGINT, signal.SIGTERM)
JOIN_SECONDS = 0.05  # how often the main thread wakes to take a signal while a solve runs

T = TypeVar("T")


class Interrupted(BaseException):
    """A signal ended the command (a BaseException, like KeyboardInterrupt: no
    ``except Exception`` may swallow it)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)

    @property
    def exit_code(self) -> int:
        """128 + the signal number, as a shell reports a command ended by it."""
        return 128 + self.signum


class SignalGuard:
    """What a SIGINT or SIGTERM does at each moment of a command."""

    def __init__(self) -> None:
        self.stop: StopRequest | None = None  # set while a solve runs
        self.deferring = False  # set while results are written
        self.received: int | None = None  # the first signal taken

    def install(self) -> None:
        """Take SIGINT and SIGTERM from now on (main thread only)."""
        for signum in SIGNALS:
            signal.signal(signum, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        first = self.received is None
        if first:
            self.received = signum
        if first and self.stop is not None:
            self.stop.request(signal.Signals(signum).name)
            return
        if first and self.deferring:
            return
        raise Interrupted(signum)

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Let a first signal wait until the block ends (a second one still interrupts)."""
        self.deferring = True
        try:
            yield
        finally:
            self.deferring = False


GUARD = SignalGuard()


def run_stoppable(work: Callable[[StopRequest], T]) -> tuple[T, StopRequest]:
    """Run ``work`` in a worker thread with a :class:`StopRequest` that a signal sets.

    Returns what ``work`` returns and the request (``requested`` tells whether a signal
    stopped it). An exception in ``work`` is raised here.
    """
    stop = StopRequest()
    if GUARD.received is not None:  # a signal came before the solve began
        raise Interrupted(GUARD.received)
    outcome: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(work(stop))
        except BaseException as exc:  # raised again in the main thread
            errors.append(exc)

    thread = threading.Thread(target=target, name="solve", daemon=True)
    GUARD.stop = stop
    try:
        thread.start()
        while thread.is_alive():
            thread.join(JOIN_SECONDS)
    finally:
        GUARD.stop = None
    if errors:
        raise errors[0]
    return outcome[0], stop
