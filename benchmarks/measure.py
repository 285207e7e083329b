"""Run one measurement in a fresh process and report its peak memory.

Each run gets its own process so peak memory (max RSS) belongs to that run
alone and one run's garbage never slows the next.
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import statistics
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any


def _child(fn: Callable[..., dict[str, Any]], args: tuple[Any, ...], queue: Any) -> None:
    try:
        row = fn(*args)
    except Exception:
        row = {"error": traceback.format_exc(limit=3)}
    row["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    queue.put(row)


def run_isolated(fn: Callable[..., dict[str, Any]], *args: Any, timeout: float = 3600) -> dict[str, Any]:
    """Call ``fn(*args)`` in a forked process; returns its row plus ``peak_mb``."""
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(fn, args, queue))
    proc.start()
    deadline = time.monotonic() + timeout
    row: dict[str, Any] | None = None
    while row is None:
        try:
            row = queue.get(timeout=1.0)
        except Exception:  # queue.Empty: poll again, unless the child is gone
            if not proc.is_alive() and queue.empty():
                row = {"error": f"the run crashed (exit code {proc.exitcode})"}
            elif time.monotonic() > deadline:
                proc.kill()
                row = {"error": "timeout"}
    proc.join()
    return row


def markdown_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """Rows as a markdown table (missing cells shown as —)."""

    def cell(value: Any) -> str:
        if value is None:
            return "—"
        if isinstance(value, float):
            return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 100 else f"{value:,.0f}"
        return str(value)

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(r.get(c)) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def median(values: Sequence[float]) -> float | None:
    """Median, or None for no values."""
    return statistics.median(values) if values else None
