"""Schedule risk (``pmo risk``): speed at 10,000 samples and accuracy against a large reference.

Usage::

    python -m benchmarks.risk_bench --sizes p120 p200 --solve-limit 10 --samples 10000 --reference 200000

For each generated size: the optimiser's plan at ``--solve-limit`` s, every task given the
default spread ``--spread`` (optimistic and pessimistic shares of the planned length), then
:func:`model.risk.analyse_risk` timed at ``--samples`` (the best of ``--repeat`` runs) and run
once at ``--reference`` samples with another seed. The table gives the time and, against the
reference, the largest and the mean difference over projects of P(on time) and P(by deadline)
(percentage points), of the tasks' criticality, and the largest P50 / P80 difference in
working days. Targets: p120 (800 tasks) ≤ 2 s, p200 (5,000 tasks) ≤ 10 s, within ±1 point.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import numpy as np

from api.generate import generate_size
from model.load import parse_portfolio
from model.plan import Plan
from model.portfolio import Portfolio
from model.risk import RiskReport, analyse_risk
from solver.settings import SolverSettings
from solver.solve import solve


def uncertain(size: str, seed: int, spread: Sequence[float]) -> Portfolio:
    """The generated portfolio of ``size`` with every task given the default ``spread``."""
    data = generate_size(size, seed=seed)
    data["risk"] = {"default_spread": {"optimistic": spread[0], "pessimistic": spread[1]}}
    return parse_portfolio(data)


def _gaps(a: list[float | None], b: list[float | None]) -> tuple[float, float]:
    """Largest and mean absolute difference, in percentage points, where both are given."""
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    if not pairs:
        return 0.0, 0.0
    diff = np.abs(np.array([x - y for x, y in pairs])) * 100
    return float(diff.max()), float(diff.mean())


def _day_gap(portfolio: Portfolio, one: RiskReport, other: RiskReport) -> int:
    cal = portfolio.work_calendar
    gaps = [
        abs(cal.ceil_index(getattr(x, f)) - cal.ceil_index(getattr(y, f)))
        for x, y in zip(one.projects, other.projects, strict=True)
        for f in ("p50_finish", "p80_finish")
    ]
    return max(gaps, default=0)


def run(size: str, args: argparse.Namespace) -> list[str]:
    """One row of the table for ``size``."""
    portfolio = uncertain(size, args.seed, args.spread)
    plan: Plan = solve(
        portfolio, SolverSettings(time_limit=args.solve_limit, workers=2, seed=args.seed, explain=False)
    )
    assert plan.status.has_plan, f"no plan for {size}"
    times = []
    for _ in range(args.repeat):
        began = time.perf_counter()
        report = analyse_risk(portfolio, plan, args.samples, seed=1)
        times.append(time.perf_counter() - began)
    reference = analyse_risk(portfolio, plan, args.reference, seed=2)
    on_time = _gaps([p.p_on_time for p in report.projects], [p.p_on_time for p in reference.projects])
    deadline = _gaps(
        [p.p_by_deadline for p in report.projects], [p.p_by_deadline for p in reference.projects]
    )
    crit = {(t.project, t.task): t.criticality for t in reference.tasks}
    critical = _gaps([t.criticality for t in report.tasks], [crit[(t.project, t.task)] for t in report.tasks])
    tasks = len(plan.assignments)
    return [
        size,
        f"{tasks:,}",
        f"{min(times):.2f}",
        f"{on_time[0]:.2f} / {on_time[1]:.2f}",
        f"{deadline[0]:.2f} / {deadline[1]:.2f}",
        f"{critical[0]:.2f} / {critical[1]:.2f}",
        str(_day_gap(portfolio, report, reference)),
    ]


def main(argv: Sequence[str] | None = None) -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", nargs="+", default=["p120", "p200"])
    parser.add_argument("--seed", type=int, default=1, help="generator and solver seed")
    parser.add_argument("--solve-limit", type=float, default=10.0, help="seconds for the plan")
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--reference", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (the best counts)")
    parser.add_argument(
        "--spread", type=float, nargs=2, default=[0.8, 1.6], metavar=("OPTIMISTIC", "PESSIMISTIC")
    )
    args = parser.parse_args(argv)
    header = [
        "size",
        "tasks",
        f"seconds ({args.samples:,})",
        "P(on time) max / mean pp",
        "P(by deadline) max / mean pp",
        "criticality max / mean pp",
        "P50/P80 max days",
    ]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for size in args.sizes:
        print("| " + " | ".join(run(size, args)) + " |", flush=True)


if __name__ == "__main__":
    main()
