"""Hardening measurements of the ``pmo`` command line (issue targets in brackets).

* ``corpus``: every malformed input of :mod:`benchmarks.malformed` (exit 4 with the path at
  fault, no traceback, each ≤ 2 s and ≤ 300 MB) and the hostile valid ones (end normally).
* ``limit``: a generated p120 portfolio under ``--time-limit 1/2/5`` (wall ≤ 2.0 / 3.0 / 6.0 s).
* ``signals``: SIGINT and SIGTERM before the first plan, during the search (the best plan is
  written, verified by ``pmo check``, within 1 s of the signal).

``python -m benchmarks.hardening_bench [corpus|limit|signals|all]``
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from benchmarks.malformed import HOSTILE, MALFORMED, Case
from benchmarks.pmo_process import Run, run_pmo

MAX_SECONDS = 2.0
MAX_MB = 300.0
LIMITS = ((1.0, 2.0), (2.0, 3.0), (5.0, 6.0))  # --time-limit, target wall seconds
SIGNAL_RUNS = (  # signal, seconds after the start, --time-limit
    (signal.SIGINT, 0.3, 30.0),
    (signal.SIGINT, 2.5, 30.0),
    (signal.SIGTERM, 2.5, 30.0),
    (signal.SIGTERM, 6.0, 30.0),
)


def judge(case: Case, run: Run, scale: float = 1.0) -> str:
    """``ok`` when the run ended as the case says, else what went wrong (time targets
    multiplied by ``scale``)."""
    if "Traceback" in run.output:
        return "traceback"
    if run.code != case.code:
        return f"exit {run.code}"
    if case.expect not in run.output:
        return "message"
    if run.seconds > MAX_SECONDS * scale:
        return "slow"
    if run.peak_mb > MAX_MB:
        return "memory"
    return "ok"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def corpus(folder: Path, scale: float = 1.0, retry_slow: bool = False) -> bool:
    """Run every case; print the table and the counts. True when all are as they should be.

    ``retry_slow``: a case over the time target runs once more and its faster run counts
    (on shared cores a neighbour's burst can stall any one run).
    """
    print(f"{'input':32} {'exit':>4} {'s':>5} {'MB':>5}  {'verdict':9} first line of message")
    verdicts: dict[str, list[str]] = {"malformed": [], "hostile": []}
    slowest = 0.0
    heaviest = 0.0
    for kind, cases in (("malformed", MALFORMED), ("hostile", HOSTILE)):
        for case in cases:
            scratch = folder / case.name
            scratch.mkdir(parents=True, exist_ok=True)
            run = run_pmo(case.build(scratch), timeout=30)
            verdict = judge(case, run, scale)
            if verdict == "slow" and retry_slow:
                run = min(run, run_pmo(case.build(scratch), timeout=30), key=lambda r: r.seconds)
                verdict = judge(case, run, scale)
            verdicts[kind].append(verdict)
            slowest = max(slowest, run.seconds)
            heaviest = max(heaviest, run.peak_mb)
            first = _cut(run.first_line(), 70)
            print(f"{case.name:32} {run.code:>4} {run.seconds:5.2f} {run.peak_mb:5.0f}  {verdict:9} {first}")
    bad = verdicts["malformed"]
    clear = bad.count("ok")
    print()
    print(f"malformed: {clear} of {len(bad)} clear exit-4 errors naming the path; others: "
          f"{', '.join(f'{v} × {bad.count(v)}' for v in sorted(set(bad) - {'ok'})) or 'none'}")
    good = verdicts["hostile"]
    print(f"hostile valid inputs: {good.count('ok')} of {len(good)} ended normally")
    print(f"slowest run {slowest:.2f} s, largest {heaviest:.0f} MB (targets ≤ {MAX_SECONDS} s, ≤ {MAX_MB:.0f} MB)")
    return clear == len(bad) and good.count("ok") == len(good)


def _portfolio(folder: Path) -> Path:
    path = folder / "p120.json"
    if not path.exists():
        run = run_pmo(["generate", "p120", "--seed", "1", "-o", str(path)])
        assert run.code == 0, run.output
    return path


def limit(folder: Path, scale: float = 1.0) -> bool:
    """End-to-end wall time of ``pmo solve`` on p120 under each time limit."""
    portfolio = _portfolio(folder)
    ok = True
    print(f"{'--time-limit':>12} {'wall s':>7} {'target':>7} {'solve s':>8}  status")
    for seconds, target in LIMITS:
        run = run_pmo(["solve", str(portfolio), "-t", str(seconds), "--json"], timeout=60)
        plan = json.loads(run.stdout) if run.code == 0 else {}
        ok &= run.seconds <= target * scale
        print(
            f"{seconds:12.1f} {run.seconds:7.2f} {target:7.1f} {plan.get('solve_seconds', 0):8.2f}  "
            f"{plan.get('status', run.first_line())}"
        )
    return ok


def signals(folder: Path, scale: float = 1.0) -> bool:
    """SIGINT and SIGTERM at several moments of a p120 solve."""
    portfolio = _portfolio(folder)
    ok = True
    print(f"{'signal':8} {'at s':>5} {'exit':>5} {'to exit s':>9}  plan written, check")
    for signum, after, time_limit in SIGNAL_RUNS:
        out = folder / f"plan-{signum.name}-{after}.json"
        out.unlink(missing_ok=True)
        run = run_pmo(
            ["solve", str(portfolio), "-t", str(time_limit), "-o", str(out)],
            signum=signum,
            signal_after=after,
            timeout=time_limit + 30,
        )
        written = "nothing written"
        if out.exists():
            status = json.loads(out.read_text())["status"]
            check = run_pmo(["check", str(portfolio), str(out)])
            written = f"status {status}, check exit {check.code}"
            ok &= check.code == 0 and run.code == 5
        else:
            ok &= run.code == 128 + signum
        ok &= run.after_signal is not None and run.after_signal <= 1.0 * scale
        print(f"{signum.name:8} {after:5.1f} {run.code:5} {run.after_signal or 0:9.2f}  {written}")
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen measurements; exit 0 when every target is met."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", nargs="?", default="all", choices=("corpus", "limit", "signals", "all"))
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply the time targets (a loaded machine)"
    )
    parser.add_argument("--retry-slow", action="store_true", help="run a corpus case over its time once more")
    args = parser.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.2f}; time targets × {args.scale:g}")
    ok = True
    with tempfile.TemporaryDirectory(prefix="pmo-hardening-") as scratch:
        folder = Path(scratch)
        if args.what in ("corpus", "all"):
            print("== corpus")
            ok &= corpus(folder, args.scale, args.retry_slow)
            print()
        for name, measure in (("limit", limit), ("signals", signals)):
            if args.what in (name, "all"):
                print(f"== {name}")
                ok &= measure(folder, args.scale)
                print()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
