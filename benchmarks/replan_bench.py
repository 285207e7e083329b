"""Replanning after a priority change vs a cold solve, on a generated portfolio.

Usage::

    python -m benchmarks.replan_bench --size p60 --baseline-limit 60 --replan-limit 5 --cold-limit 60

Baseline: the optimiser's plan at ``--baseline-limit`` s. Then one project's priority goes to 10
and the portfolio is replanned as of its first day (nothing done yet, so the cold solve faces the
same rules) within ``--replan-limit`` s, warm-started from the baseline, and solved cold for
``--cold-limit`` s. Reports objectives (contract terms, without the disruption cost), the gap of
the replan to the cold solve and the share of baseline tasks the replan changed.
"""

from __future__ import annotations

import argparse
import time

from api.generate import generate_size
from model.checker import check_plan
from model.load import parse_portfolio
from solver.planning.replan import ReplanRequest, replan
from solver.settings import SolverSettings
from solver.solve import solve


def main(argv: list[str] | None = None) -> None:
    """Run the study and print one line per measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="p60")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--project", type=int, default=7, help="index of the project whose priority changes")
    parser.add_argument("--baseline-limit", type=float, default=60)
    parser.add_argument("--replan-limit", type=float, default=5)
    parser.add_argument("--cold-limit", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    data = generate_size(args.size, seed=args.seed)
    portfolio = parse_portfolio(data)
    baseline = solve(
        portfolio, SolverSettings(time_limit=args.baseline_limit, workers=args.workers, explain=False)
    )
    print(f"baseline: {baseline.status.value} objective {baseline.objective:,.0f}")
    project = data["projects"][args.project]
    print(f"priority of {project['id']}: {project.get('priority', 5)} → 10")
    project["priority"] = 10
    changed = parse_portfolio(data)
    began = time.perf_counter()
    settings = SolverSettings(time_limit=args.replan_limit, workers=args.workers, explain=False)
    new = replan(changed, baseline, ReplanRequest(as_of=changed.calendar.start), settings)
    wall = time.perf_counter() - began
    assert new.objective is not None and check_plan(changed, new) == []
    share = new.stats["changed_tasks"] / max(1, new.stats["baseline_tasks"])
    print(
        f"replan: {new.status.value} objective {new.objective:,.0f} in {wall:.1f} s wall; "
        f"{new.stats['changed_tasks']} of {new.stats['baseline_tasks']} tasks changed ({100 * share:.1f} %); "
        f"start: {new.stats['start']}"
    )
    cold = solve(changed, SolverSettings(time_limit=args.cold_limit, workers=args.workers, explain=False))
    assert cold.objective is not None
    gap = 100 * (new.objective - cold.objective) / cold.objective
    print(f"cold {args.cold_limit:.0f} s: objective {cold.objective:,.0f}; replan vs cold: {gap:+.2f} %")
    print(
        f"| {args.size} | {args.replan_limit:.0f} s | {wall:.1f} | {new.objective:,.0f} | "
        f"{cold.objective:,.0f} | {gap:+.2f} % | {100 * share:.1f} % |"
    )


if __name__ == "__main__":
    main()
