"""Stable quality: the same portfolio solved with many seeds, and how far the results spread.

Usage::

    python -m benchmarks.stability_bench --portfolios demo p60 --limits 10 30 --seeds 0-9 \\
        [--engine base=/tmp/base --engine new=.] [--out benchmarks/out/stability.md]

A portfolio is ``demo`` (``examples/demo.json``), a generated size (``p60`` is ``pmo generate
p60 --seed 0``; ``demo@3`` is ``pmo generate demo --seed 3``) or a JSON file. Each solve runs
in a fresh process with the default settings (2 workers) and the seed as the solver's seed;
the portfolio stays the same. Per portfolio and limit the table gives the objective's median,
best and worst, the spread (worst − best, in % of the best), the weighted tardiness (WT) of
the best and worst plan and its range, and the median time to the best plan.

``--engine NAME=PATH`` (repeatable) runs the engine of another checkout (e.g. a git worktree
of an earlier commit) beside this one: each seed is solved by every engine in turn, so a
busy machine slows them alike, and the table gets a row per engine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

COLUMNS = [
    "portfolio",
    "engine",
    "limit_s",
    "seeds",
    "objective_median",
    "objective_min",
    "objective_max",
    "spread_pct",
    "wt_min",
    "wt_max",
    "wt_spread",
    "best_s_median",
    "wall_s_max",
]


def _portfolio_data(name: str, root: Path) -> dict[str, Any]:
    if name == "demo":
        return json.loads((root / "examples" / "demo.json").read_text())
    if name.endswith(".json"):
        return json.loads(Path(name).read_text())
    from api.generate import generate_size

    size, _, seed = name.partition("@")
    return generate_size(size, seed=int(seed or 0))


def solve_one(name: str, seed: int, limit: float) -> dict[str, Any]:
    """One solve with the default settings and ``seed``: objective, WT, time to the best plan."""
    from model.load import parse_portfolio
    from solver.settings import SolverSettings
    from solver.solve import solve

    portfolio = parse_portfolio(_portfolio_data(name, ROOT))
    began = time.perf_counter()
    plan = solve(portfolio, SolverSettings(time_limit=limit, seed=seed))
    return {
        "objective": plan.objective,
        "wt": plan.kpis.weighted_tardiness,
        "late_days": plan.kpis.late_days,
        "best_s": plan.stats.get("best_plan_seconds"),
        "wall_s": round(time.perf_counter() - began, 2),
        "valid": plan.status.has_plan and not plan.violations,
        "method": plan.stats.get("method"),
        "late_days_bound": plan.stats.get("late_days_bound"),
        "late_days_bound_method": plan.stats.get("late_days_bound_method"),
        "gap_pct": plan.stats.get("gap_pct"),
    }


def _run(engine: Path | None, name: str, seed: int, limit: float) -> dict[str, Any]:
    """``solve_one`` in a fresh process, with ``engine`` (a checkout) first on the path."""
    env = dict(os.environ)
    root = engine or ROOT
    env["PYTHONPATH"] = str(root)
    portfolio = name if not name.endswith(".json") else str(Path(name).resolve())
    if name == "demo":  # the demo of this checkout, whichever engine solves it
        portfolio = str(ROOT / "examples" / "demo.json")
    command = [sys.executable, str(Path(__file__).resolve()), "--one", portfolio, str(seed), str(limit)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=root, env=env, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        return {"error": (done.stderr or done.stdout)[-500:]}
    row: dict[str, Any] = json.loads(lines[-1])
    return row


def summarise(name: str, engine: str, limit: float, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One table row from the runs of one portfolio, engine and limit."""
    ok = [r for r in runs if "error" not in r and r.get("objective") is not None]
    objectives = [float(r["objective"]) for r in ok]
    if not objectives:
        return {"portfolio": name, "engine": engine, "limit_s": limit, "seeds": 0}
    best, worst = min(objectives), max(objectives)
    wts = [int(r["wt"]) for r in ok]
    times = [float(r["best_s"]) for r in ok if r.get("best_s") is not None]
    return {
        "portfolio": name,
        "engine": engine,
        "limit_s": limit,
        "seeds": len(ok),
        "objective_median": statistics.median(objectives),
        "objective_min": best,
        "objective_max": worst,
        "spread_pct": round(100 * (worst - best) / best, 1) if best > 0 else 0.0,
        "wt_min": min(wts),
        "wt_max": max(wts),
        "wt_spread": max(wts) - min(wts),
        "best_s_median": statistics.median(times) if times else None,
        "wall_s_max": max(float(r["wall_s"]) for r in ok),
        "invalid": sum(1 for r in ok if not r["valid"]),
        "errors": len(runs) - len(ok),
    }


def _seeds(text: list[str]) -> list[int]:
    out: list[int] = []
    for item in text:
        lo, _, hi = item.partition("-")
        out += list(range(int(lo), int(hi) + 1)) if hi else [int(lo)]
    return out


def main(argv: list[str] | None = None) -> None:
    """Run the study and print (and optionally write) the table and the runs."""
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--one":
        print(json.dumps(solve_one(argv[1], int(argv[2]), float(argv[3]))), flush=True)
        return
    from benchmarks.measure import markdown_table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portfolios", nargs="+", default=["demo"])
    parser.add_argument("--limits", nargs="+", type=float, default=[10.0])
    parser.add_argument("--seeds", nargs="+", default=["0-9"], help="seeds or ranges (0-9)")
    parser.add_argument("--engine", action="append", default=[], help="NAME=PATH of another checkout")
    parser.add_argument("--out", type=Path, help="write the markdown (table and runs) here too")
    args = parser.parse_args(argv)
    engines: list[tuple[str, Path | None]] = [("this", None)]
    for item in args.engine:
        label, _, path = item.partition("=")
        engines.append((label, Path(path).resolve()))
    rows, runs_text = [], []
    for name in args.portfolios:
        for limit in args.limits:
            runs: dict[str, list[dict[str, Any]]] = {label: [] for label, _ in engines}
            for seed in _seeds(args.seeds):
                for label, path in engines:
                    run = _run(path, name, seed, limit)
                    run["seed"] = seed
                    runs[label].append(run)
                    line = f"{name} {limit:g} s {label} seed {seed}: {json.dumps(run)}"
                    runs_text.append(line)
                    print(line, flush=True)
            for label, _ in engines:
                rows.append(summarise(name, label, limit, runs[label]))
    text = markdown_table(rows, COLUMNS) + "\n"
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n" + "\n".join(f"    {line}" for line in runs_text) + "\n")


if __name__ == "__main__":
    main()
