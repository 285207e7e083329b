"""Levelling time and weighted tardiness on the generated sizes (issue: place 5,000 tasks × 300 people in < 2 s).

Usage::

    python -m benchmarks.levelling_bench --sizes tiny demo p10 p30 p60 p120 p150 p200 --repeat 3

Times ``compile_problem`` + every levelling rule (what ``pmo solve --levelling-only`` does before
verification) and, separately, one priority-rule pass; reports medians over ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import time

from api.generate import generate_size
from benchmarks.measure import markdown_table
from model.load import parse_portfolio
from solver.construct.levelling import level
from solver.evaluate import project_lateness, weighted_tardiness_of
from solver.problem import compile_problem
from solver.solve import best_levelling

COLUMNS = [
    "size",
    "projects",
    "tasks",
    "people",
    "days",
    "level_priority_s",
    "compile_and_all_rules_s",
    "complete",
    "weighted_tardiness",
    "late_projects",
]


def main(argv: list[str] | None = None) -> None:
    """Print the levelling table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", nargs="+", default=["tiny", "demo", "p10", "p30", "p60", "p120", "p150", "p200"]
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rows = []
    for size in args.sizes:
        portfolio = parse_portfolio(generate_size(size, seed=args.seed))
        single, total = [], []
        for _ in range(args.repeat):
            began = time.perf_counter()
            problem = compile_problem(portfolio)
            result, value, _ = best_levelling(problem)
            total.append(time.perf_counter() - began)
            began = time.perf_counter()
            level(problem)
            single.append(time.perf_counter() - began)
        finish_late = int((project_lateness(problem, result.placements) > 0).sum())
        rows.append(
            {
                "size": size,
                "projects": problem.num_projects,
                "tasks": problem.num_tasks,
                "people": problem.num_people,
                "days": problem.num_days,
                "level_priority_s": round(statistics.median(single), 3),
                "compile_and_all_rules_s": round(statistics.median(total), 3),
                "complete": value is not None,
                "weighted_tardiness": weighted_tardiness_of(problem, result.placements),
                "late_projects": finish_late,
            }
        )
        print(rows[-1], flush=True)
    print(markdown_table(rows, COLUMNS))


if __name__ == "__main__":
    main()
