"""Deterministic runs against the clock: wall time, CPU time, the wall guard, reproducibility.

Usage::

    python -m benchmarks.deterministic_bench --portfolios demo p10 p30 p60 --limits 5 \\
        --seeds 0 --repeat 2 [--cli] [--out benchmarks/out/deterministic.md]

Each portfolio is solved ``--repeat`` times per seed with ``deterministic=True``, each run in
a fresh process. A portfolio is a generated size (``demo`` is ``examples/demo.json``;
``p60@3`` is ``pmo generate p60 --seed 3``) or a JSON file. The table gives the solve's wall
seconds (``plan.solve_seconds``), the process CPU seconds of the solve (about what the wall
time would be with the cores to itself: deterministic runs use one worker), whether the
wall guard cut the run, and whether every repeat gave the same plan. ``--cli`` times the
whole ``pmo solve … --deterministic`` command instead (start-up and output included).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from api.generate import generate_size
from benchmarks.measure import markdown_table, run_isolated
from model.load import parse_portfolio
from solver.settings import SolverSettings
from solver.solve import solve

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "demo.json"

COLUMNS = [
    "portfolio",
    "seed",
    "limit_s",
    "runs",
    "wall_s",
    "cpu_s",
    "cli_wall_s",
    "cut_by_guard",
    "same_plan",
    "objective",
]


def portfolio_data(name: str) -> dict[str, Any]:
    """The portfolio JSON of a benchmark name (see the module docstring)."""
    if name == "demo":
        return json.loads(DEMO.read_text())
    if Path(name).suffix == ".json":
        return json.loads(Path(name).read_text())
    size, _, seed = name.partition("@")
    return generate_size(size, seed=int(seed or 0))


def _fingerprint(plan: Any) -> str:
    dump = plan.model_dump_json(include={"assignments", "objective"})
    return hashlib.sha256(dump.encode()).hexdigest()[:12]


def run_once(name: str, seed: int, limit: float) -> dict[str, Any]:
    """One deterministic solve: wall and CPU seconds, guard, plan fingerprint."""
    portfolio = parse_portfolio(portfolio_data(name))
    before = resource.getrusage(resource.RUSAGE_SELF)
    began = time.perf_counter()
    plan = solve(portfolio, SolverSettings(time_limit=limit, seed=seed, deterministic=True))
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "cut": bool(plan.stats.get("cut_by_wall_guard")),
        "fingerprint": _fingerprint(plan),
        "objective": plan.objective,
    }


def run_cli(name: str, seed: int, limit: float) -> dict[str, Any]:
    """The whole ``pmo solve --deterministic`` command, timed from outside."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "portfolio.json"
        path.write_text(json.dumps(portfolio_data(name)))
        command = [sys.executable, "-m", "api.cli", "solve", str(path), "-t", str(limit)]
        command += ["--deterministic", "--seed", str(seed), "--json"]
        began = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
        wall = time.perf_counter() - began
    stats = json.loads(done.stdout).get("stats", {}) if done.stdout.strip().startswith("{") else {}
    return {"wall_s": round(wall, 2), "cut": bool(stats.get("cut_by_wall_guard")), "exit": done.returncode}


def main(argv: list[str] | None = None) -> None:
    """Run the study and print (and optionally write) the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portfolios", nargs="+", default=["demo", "p10", "p30", "p60"])
    parser.add_argument("--limits", nargs="+", type=float, default=[5.0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--cli", action="store_true", help="also time the whole pmo command")
    parser.add_argument("--out", type=Path, help="write the markdown here too")
    args = parser.parse_args(argv)
    rows = []
    for name in args.portfolios:
        for limit in args.limits:
            for seed in args.seeds:
                runs = [run_isolated(run_once, name, seed, limit) for _ in range(args.repeat)]
                errors = [r["error"] for r in runs if "error" in r]
                if errors:
                    print(f"{name} seed {seed}: {errors[0]}", file=sys.stderr)
                    continue
                row: dict[str, Any] = {
                    "portfolio": name,
                    "seed": seed,
                    "limit_s": limit,
                    "runs": len(runs),
                    "wall_s": max(r["wall_s"] for r in runs),
                    "cpu_s": max(r["cpu_s"] for r in runs),
                    "cut_by_guard": sum(r["cut"] for r in runs),
                    "same_plan": len({r["fingerprint"] for r in runs}) == 1,
                    "objective": runs[0]["objective"],
                }
                if args.cli:
                    cli = run_cli(name, seed, limit)
                    row["cli_wall_s"] = cli["wall_s"]
                    row["cut_by_guard"] += int(cli["cut"])
                rows.append(row)
                print(row, flush=True)
    text = markdown_table(rows, COLUMNS) + "\n"
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


if __name__ == "__main__":
    main()
