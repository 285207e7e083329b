"""Levelling vs optimiser vs the straightforward CP-SAT model on generated portfolios.

Usage::

    python -m benchmarks.optimiser_bench --sizes p10 p30 p60 p120 p150 p200 \\
        --limits 10 60 --workers 2 --seeds 0 --baseline --out benchmarks/out/optimiser.md

Each run is a fresh process (peak memory is its own). Prints one markdown
table per size, plus the ratio of the optimiser's weighted tardiness to
levelling's and to the baseline's measured in the same run.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from api.generate import generate_size
from benchmarks.measure import markdown_table, run_isolated
from benchmarks.naive_model import solve_naive
from model.checker import check_assignments
from model.kpis import compute_kpis, objective_value
from model.load import parse_portfolio
from solver.convert import to_assignments
from solver.problem import compile_problem
from solver.settings import SolverSettings
from solver.solve import best_levelling, solve

COLUMNS = [
    "size",
    "seed",
    "method",
    "limit_s",
    "tasks",
    "people",
    "status",
    "weighted_tardiness",
    "objective",
    "bound",
    "gap_pct",
    "first_plan_s",
    "best_s",
    "total_s",
    "peak_mb",
    "valid",
]


def _portfolio(size: str, seed: int) -> Any:
    return parse_portfolio(generate_size(size, seed=seed))


def _shape(portfolio: Any) -> dict[str, Any]:
    return {
        "tasks": sum(len(p.tasks) for p in portfolio.projects),
        "people": len(portfolio.people),
    }


def run_levelling(size: str, seed: int) -> dict[str, Any]:
    """Levelling alone: the PM-tool baseline."""
    portfolio = _portfolio(size, seed)
    began = time.perf_counter()
    problem = compile_problem(portfolio)
    result, value, _ = best_levelling(problem)
    elapsed = time.perf_counter() - began
    assignments = to_assignments(problem, result.placements.values())
    kpis = compute_kpis(portfolio, assignments)
    return {
        **_shape(portfolio),
        "status": "feasible" if value is not None else "incomplete",
        "weighted_tardiness": kpis.weighted_tardiness,
        "objective": objective_value(portfolio, assignments),
        "first_plan_s": round(elapsed, 3),
        "total_s": round(elapsed, 3),
        "valid": not check_assignments(portfolio, assignments),
    }


def run_optimiser(size: str, seed: int, limit: float, workers: int) -> dict[str, Any]:
    """The engine: levelling then CP-SAT (full model or LNS)."""
    portfolio = _portfolio(size, seed)
    plan = solve(portfolio, SolverSettings(time_limit=limit, workers=workers, seed=seed))
    gap = None
    if plan.objective and plan.lower_bound is not None:
        gap = round(100 * max(0.0, plan.objective - plan.lower_bound) / plan.objective, 2)
    return {
        **_shape(portfolio),
        "status": plan.status.value,
        "weighted_tardiness": plan.kpis.weighted_tardiness,
        "objective": plan.objective,
        "bound": plan.lower_bound,
        "gap_pct": gap,
        "first_plan_s": plan.stats.get("first_plan_seconds"),
        "best_s": plan.stats.get("best_plan_seconds"),
        "total_s": plan.solve_seconds,
        "valid": not plan.violations and plan.status.has_plan,
        "method_detail": plan.stats.get("method"),
    }


def run_baseline(size: str, seed: int, limit: float, workers: int) -> dict[str, Any]:
    """The straightforward model with the levelling hint (what a user would write)."""
    portfolio = _portfolio(size, seed)
    began = time.perf_counter()
    problem = compile_problem(portfolio)
    result, _, _ = best_levelling(problem)
    sub = solve_naive(problem, result.placements, time_limit=limit, workers=workers, seed=seed)
    elapsed = time.perf_counter() - began
    placements = sub.placements if sub.placements is not None else result.placements
    assignments = to_assignments(problem, placements.values())
    kpis = compute_kpis(portfolio, assignments)
    return {
        **_shape(portfolio),
        "status": sub.status.lower(),
        "weighted_tardiness": kpis.weighted_tardiness,
        "objective": objective_value(portfolio, assignments),
        "bound": sub.bound,
        "first_plan_s": round(sub.first_solution_seconds, 3) if sub.first_solution_seconds else None,
        "total_s": round(elapsed, 3),
        "valid": not check_assignments(portfolio, assignments),
    }


def main(argv: list[str] | None = None) -> None:
    """Run the study and print (and optionally write) the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["p10", "p30", "p60", "p120", "p150", "p200"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--limits", nargs="+", type=float, default=[10.0, 60.0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline", action="store_true", help="also run the straightforward model")
    parser.add_argument("--out", type=Path, help="write the markdown here too")
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = []
    sections = []
    for size in args.sizes:
        size_rows = []
        for seed in args.seeds:
            base = {"size": size, "seed": seed}
            level_row = {**base, "method": "levelling", **run_isolated(run_levelling, size, seed)}
            size_rows.append(level_row)
            print(level_row, flush=True)
            for limit in args.limits:
                row = {
                    **base,
                    "method": "optimiser",
                    "limit_s": limit,
                    **run_isolated(run_optimiser, size, seed, limit, args.workers),
                }
                size_rows.append(row)
                print(row, flush=True)
            if args.baseline:
                limit = max(args.limits)
                row = {
                    **base,
                    "method": "straightforward",
                    "limit_s": limit,
                    **run_isolated(run_baseline, size, seed, limit, args.workers),
                }
                size_rows.append(row)
                print(row, flush=True)
        rows += size_rows
        sections.append(f"### {size}\n\n" + markdown_table(size_rows, COLUMNS))
    text = "\n\n".join(sections) + "\n"
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


if __name__ == "__main__":
    main()
