"""Run the installed ``pmo`` command in a child process and measure it.

Wall time and the child's own peak memory (from ``wait4``, so each run is measured alone);
optionally a signal sent some seconds after the start, timing how long the child takes to
end after it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PMO = Path(sys.executable).with_name("pmo")
POLL_SECONDS = 0.01


@dataclass(frozen=True)
class Run:
    """How one ``pmo`` run ended."""

    code: int  # exit code; -N when killed by signal N (a timeout kills with SIGKILL)
    seconds: float  # wall time from start to exit
    peak_mb: float  # the child's maximum resident set size
    stdout: str
    stderr: str
    after_signal: float | None = None  # seconds from the signal to the exit

    @property
    def output(self) -> str:
        """Standard output and standard error together."""
        return self.stdout + self.stderr

    def first_line(self) -> str:
        """The first non-blank line of standard error (else of standard output)."""
        for text in (self.stderr, self.stdout):
            for line in text.splitlines():
                if line.strip(" ╭╮╰╯─│"):
                    return line.strip(" │")
        return ""


def run_pmo(
    args: list[str],
    *,
    timeout: float = 60.0,
    signum: int | None = None,
    signal_after: float = 0.0,
    cwd: Path | None = None,
) -> Run:
    """Run ``pmo args`` and wait for it (killing it after ``timeout`` seconds).

    With ``signum``, send that signal ``signal_after`` seconds after the start.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
        began = time.perf_counter()
        proc = subprocess.Popen([str(PMO), *args], stdout=out, stderr=err, cwd=cwd, env=env)
        sent: float | None = None
        status = rusage = None
        while status is None:
            pid, raw, usage = os.wait4(proc.pid, os.WNOHANG)
            now = time.perf_counter()
            if pid:
                status, rusage = raw, usage
                break
            if signum is not None and sent is None and now - began >= signal_after:
                os.kill(proc.pid, signum)
                sent = now
            if now - began > timeout:
                os.kill(proc.pid, signal.SIGKILL)
            time.sleep(POLL_SECONDS)
        ended = time.perf_counter()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            code=proc.returncode,
            seconds=ended - began,
            peak_mb=rusage.ru_maxrss / 1024 if rusage else 0.0,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            after_signal=None if sent is None else ended - sent,
        )
