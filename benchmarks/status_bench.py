"""Progress against the baseline (``pmo status``): the time it takes beside the replan's.

Usage::

    python -m benchmarks.status_bench --sizes p200 --replan-limit 10 --share 0.3

For each generated size: its levelling plan as the baseline, and a synthetic status update at
``--share`` of the plan's span: every task due to start by then started 0…3 working days late
(a tenth not at all), finished when its baseline length and a 0…3 day overrun fit before the
status date, else in progress with a per cent complete. Timed in process: reading the portfolio,
baseline and actuals (validation included), deriving the replan's inputs, the replan at
``--replan-limit`` s, and the report; then ``pmo status`` end to end in a fresh process. Target:
everything but the replan ≤ 5 s on p200.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from api.generate import generate_size
from model.actuals import parse_actuals, status_report
from model.load import parse_model, parse_portfolio
from model.plan import Plan
from model.portfolio import Portfolio
from solver.planning.actuals import derived_inputs
from solver.planning.replan import ReplanRequest, replan
from solver.settings import SolverSettings
from solver.solve import solve

COLUMNS = ("size", "tasks", "started", "done", "read s", "derive s", "replan s", "report s", "overhead s", "pmo status s", "SPI")


def synthetic_actuals(portfolio: Portfolio, baseline: Plan, share: float, seed: int) -> dict[str, Any]:
    """A status update at ``share`` of the baseline's span, drifting from it at random."""
    cal = portfolio.work_calendar
    rng = random.Random(seed)
    spans = [(cal.index(a.start), cal.index(a.finish), a) for a in baseline.assignments]
    status = int(share * max(f for _, f, _ in spans))
    rows = []
    for first, last, a in spans:
        start = first + rng.randint(0, 3)
        if first > status or start > status or rng.random() < 0.1:
            continue
        row: dict[str, Any] = {"project": a.project, "task": a.task, "actual_start": cal.date(start).isoformat()}
        finish = start + last - first + rng.randint(0, 3)
        if finish <= status:
            row["actual_finish"] = cal.date(finish).isoformat()
        else:
            row["percent_complete"] = rng.randint(0, 90)
        rows.append(row)
    return {"status_date": cal.date(status).isoformat(), "tasks": rows}


def run(size: str, args: argparse.Namespace, folder: Path) -> list[str]:
    """One row of the table for ``size``."""
    data = generate_size(size, seed=args.seed)
    portfolio = parse_portfolio(data)
    baseline = solve(portfolio, SolverSettings(time_limit=60, optimise=False))
    files = {"portfolio": data, "plan": baseline.model_dump(mode="json"), "actuals": synthetic_actuals(portfolio, baseline, args.share, args.seed)}
    paths = {name: folder / f"{size}-{name}.json" for name in files}
    for name, content in files.items():
        paths[name].write_text(json.dumps(content))
    began = time.perf_counter()
    portfolio = parse_portfolio(paths["portfolio"])
    baseline = parse_model(Plan, paths["plan"])
    actuals = parse_actuals(paths["actuals"], portfolio, baseline)
    read = time.perf_counter() - began
    began = time.perf_counter()
    derived, reference, first = derived_inputs(portfolio, baseline, actuals, deadlines=False)
    derive = time.perf_counter() - began
    began = time.perf_counter()
    forecast = replan(derived, reference, ReplanRequest(as_of=first), SolverSettings(time_limit=args.replan_limit))
    replan_seconds = time.perf_counter() - began
    began = time.perf_counter()
    report = status_report(portfolio, baseline, actuals, forecast)
    report_seconds = time.perf_counter() - began
    command = [sys.executable, "-m", "api.cli", "status", str(paths["portfolio"]), "--baseline", str(paths["plan"])]
    command += ["--actuals", str(paths["actuals"]), "-t", str(args.replan_limit), "--json"]
    began = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    wall = time.perf_counter() - began
    done = sum("actual_finish" in r for r in files["actuals"]["tasks"])
    return [
        size, str(len(baseline.assignments)), str(len(actuals.tasks)), str(done), f"{read:.2f}", f"{derive:.2f}",
        f"{replan_seconds:.2f}", f"{report_seconds:.2f}", f"{read + derive + report_seconds:.2f}", f"{wall:.2f}",
        f"{report.spi}",
    ]


def main(argv: list[str] | None = None) -> None:
    """Print the table (markdown) for each size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["p200"])
    parser.add_argument("--replan-limit", type=float, default=10.0, help="Seconds for the replan.")
    parser.add_argument("--share", type=float, default=0.3, help="Status date at this share of the plan's span.")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            print("| " + " | ".join(run(size, args, Path(tmp))) + " |", flush=True)


if __name__ == "__main__":
    main()
