"""The whole command within ``--time-limit``: what is left for the solve once start-up is spent.

The limit a user gives is wall time for the command, start-up and everything after the
search included: the solve gets the limit minus the seconds since the process started and
an estimate of what follows the search (verifying, explaining, writing and printing the
plan, which grows with the number of tasks). Deterministic runs keep the limit as given:
it counts CP-SAT's deterministic time there, and must not depend on the clock.
"""

from __future__ import annotations

import os
import time

_IMPORTED = time.monotonic()

# What follows the search (the checker, the KPIs, the explanation, the JSON), measured on
# generated p30, p120 and p200 (300, 800, 5,000 tasks): 0.17, 0.3-0.5 and 1.6 s.
AFTER_SEARCH_SECONDS = 0.15
AFTER_SEARCH_SECONDS_PER_TASK = 3e-4
# The search keeps at least this share of the limit, however long start-up took.
MIN_SEARCH_SHARE = 0.1


def process_seconds() -> float:
    """Wall seconds since this process started (Linux); elsewhere since this module was imported."""
    try:
        with open("/proc/self/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        with open("/proc/uptime", "rb") as handle:
            uptime = float(handle.read().split()[0])
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: start time since boot
        return max(0.0, uptime - started)
    except (OSError, ValueError, IndexError):
        return time.monotonic() - _IMPORTED


def solve_time_limit(time_limit: float, num_tasks: int, *, deterministic: bool = False) -> float:
    """The solver's time limit so that the command ends close to ``time_limit`` seconds.

    Parameters
    ----------
    time_limit
        The limit the user gave, for the whole command.
    num_tasks
        Tasks in the portfolio (what follows the search grows with them).
    deterministic
        Deterministic runs get ``time_limit`` unchanged.
    """
    if deterministic:
        return time_limit
    after = AFTER_SEARCH_SECONDS + AFTER_SEARCH_SECONDS_PER_TASK * num_tasks
    left = time_limit - process_seconds() - after
    return max(MIN_SEARCH_SHARE * time_limit, left)
