"""Replanning after priority changes, on a generated portfolio.

Usage::

    python -m benchmarks.replan_bench --size p60 --baseline-limit 10 --replan-limit 5 --seeds 0 1 2
    python -m benchmarks.replan_bench --study cold --size p60 --baseline-limit 60 --cold-limit 60

``latest`` (the default): the baseline is the optimiser's plan at ``--baseline-limit`` s; the
three latest projects of the baseline go to priority 10 and the portfolio is replanned as of a
quarter into its horizon, with ``--replan-limit`` s for the whole replan (as ``pmo replan -t``
counts it, start-up aside), at the default disruption weights and with every weight at zero.
Per replan seed: wall time, share of tasks changed, and each raised project's finish in the
baseline, at the default weights and at zero weights; the targets: no raised project later
than in the baseline, each strictly earlier where the zero-weight replan finishes it earlier.

``cold``: one project's priority goes to 10, replanned as of the first day (nothing done yet)
and solved cold for ``--cold-limit`` s: the replan's objective against the cold solve's.
"""

from __future__ import annotations

import argparse
import copy
import time
from typing import Any

from api.budget import AFTER_SEARCH_SECONDS, AFTER_SEARCH_SECONDS_PER_TASK
from api.generate import generate_size
from model.checker import check_plan
from model.load import parse_portfolio
from model.plan import Plan
from model.portfolio import Portfolio
from solver.planning.disruption import DisruptionWeights
from solver.planning.replan import ReplanRequest, replan
from solver.settings import SolverSettings
from solver.solve import solve


def _replan(
    portfolio: Portfolio, baseline: Plan, request: ReplanRequest, limit: float, workers: int, seed: int
) -> tuple[Plan, float]:
    """A verified replan within ``limit`` seconds of wall time (the CLI's share for writing kept)."""
    tasks = sum(len(p.tasks) for p in portfolio.projects)
    search = max(0.1 * limit, limit - AFTER_SEARCH_SECONDS - AFTER_SEARCH_SECONDS_PER_TASK * tasks)
    began = time.perf_counter()
    plan = replan(
        portfolio,
        baseline,
        request,
        SolverSettings(time_limit=search, workers=workers, seed=seed, explain=False),
    )
    wall = time.perf_counter() - began
    assert plan.status.has_plan and check_plan(portfolio, plan) == [], "a replan must pass the checker"
    return plan, wall


def latest_study(args: argparse.Namespace) -> None:
    """Raise the three latest projects to priority 10 and replan a quarter into the horizon."""
    data = generate_size(args.size, seed=args.seed)
    before = parse_portfolio(data)
    settings = SolverSettings(time_limit=args.baseline_limit, workers=args.workers)
    baseline = solve(before, settings)
    late = sorted((r for r in baseline.projects if r.scheduled), key=lambda r: (-r.late_days, r.id))[:3]
    raised = [r.id for r in late]
    changed: dict[str, Any] = copy.deepcopy(data)
    for project in changed["projects"]:
        if project["id"] in raised:
            project["priority"] = 10
    portfolio = parse_portfolio(changed)
    cal = portfolio.calendar
    as_of = cal.start + (cal.end - cal.start) / 4
    print(
        f"{args.size} seed {args.seed}: baseline objective {baseline.objective:,.0f} at {args.baseline_limit:g} s; "
        f"raised to priority 10: {', '.join(f'{r.id} ({r.late_days} days late)' for r in late)}; as of {as_of}"
    )
    print(
        "| seed | wall s | changed tasks | objective | disruption | "
        + " | ".join(f"{pid} finish: baseline / default / zero weights" for pid in raised)
        + " | no later | earlier where zero shows it |"
    )
    print("|---" * (7 + len(raised)) + "|")
    base_finish = {r.id: r.finish for r in baseline.projects}
    for seed in args.seeds:
        default, wall = _replan(
            portfolio, baseline, ReplanRequest(as_of=as_of), args.replan_limit, args.workers, seed
        )
        zero, _ = _replan(
            portfolio,
            baseline,
            ReplanRequest(as_of=as_of, weights=DisruptionWeights(0.0, 0.0, 0.0)),
            args.replan_limit,
            args.workers,
            seed,
        )
        after = {r.id: r.finish for r in default.projects}
        free = {r.id: r.finish for r in zero.projects}
        no_later = all(after[p] <= base_finish[p] for p in raised)  # type: ignore[operator]
        earlier = all(after[p] < base_finish[p] for p in raised if free[p] < base_finish[p])  # type: ignore[operator]
        share = 100 * default.stats["changed_tasks"] / max(1, default.stats["baseline_tasks"])
        cells = " | ".join(f"{base_finish[p]} / {after[p]} / {free[p]}" for p in raised)
        print(
            f"| {seed} | {wall:.2f} | {default.stats['changed_tasks']} of {default.stats['baseline_tasks']} "
            f"({share:.1f} %) | {default.objective:,.0f} | {default.stats['disruption_cost']:,.0f} | {cells} | "
            f"{'yes' if no_later else 'NO'} | {'yes' if earlier else 'NO'} |"
        )
        for reason in default.stats["replan"]["reasons"]:
            print(f"    {reason}")


def cold_study(args: argparse.Namespace) -> None:
    """One project's priority to 10, replanned from the first day, against a cold solve."""
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
    new, wall = _replan(
        changed, baseline, ReplanRequest(as_of=changed.calendar.start), args.replan_limit, args.workers, 0
    )
    assert new.objective is not None
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


def main(argv: list[str] | None = None) -> None:
    """Run the study and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", choices=("latest", "cold"), default="latest")
    parser.add_argument("--size", default="p60")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated portfolio")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="replan seeds (latest study)")
    parser.add_argument(
        "--project", type=int, default=7, help="index of the project whose priority changes (cold)"
    )
    parser.add_argument("--baseline-limit", type=float, default=10)
    parser.add_argument("--replan-limit", type=float, default=5)
    parser.add_argument("--cold-limit", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    (latest_study if args.study == "latest" else cold_study)(args)


if __name__ == "__main__":
    main()
