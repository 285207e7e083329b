"""Robust plan selection (``pmo solve --robust SHARE``): what it costs and what it buys.

Usage::

    python -m benchmarks.robust_bench --sizes p10 p30 --time-limit 20 --runs 4 --shares 0 0.02 0.05 0.1

For each generated size, every task given the default spread ``--spread``: the candidates of
:func:`api.robust.collect_candidates` (the levelling plan and ``--runs`` optimiser searches sharing
``--time-limit`` s), collected once; then, per share, the plan :func:`api.robust.pick` chooses.
The table gives the candidates within the share, the best objective and the chosen plan's, the
cost in per cent of the objective, and the lowest on-time probability of a committed project in
the best-objective plan and in the chosen one (what the share buys, in percentage points), and
the mean on-time probability of committed projects (the tie-break when the lowest is 0 in both).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

from api.robust import collect_candidates, cost_pct, pick, within_share
from benchmarks.risk_bench import uncertain
from solver.settings import SolverSettings


def rows(size: str, args: argparse.Namespace) -> list[list[str]]:
    """The table's rows of ``size``, one per share."""
    portfolio = uncertain(size, args.seed, args.spread)
    settings = SolverSettings(time_limit=args.time_limit, workers=2, seed=args.seed, explain=False)
    began = time.perf_counter()
    found, _ = collect_candidates(portfolio, settings, args.runs, args.samples)
    seconds = time.perf_counter() - began
    if not found:
        return [[size, "—", "no plan", *["—"] * 8]]
    best = min(found, key=lambda c: (c.objective, -c.min_on_time))
    out = []
    for share in args.shares:
        chosen = pick(found, share)
        out.append(
            [
                size,
                f"{100 * share:g} %",
                f"{len(within_share(found, share))} / {len(found)}",
                f"{best.objective:,.0f}",
                f"{chosen.objective:,.0f} ({chosen.label})",
                f"{cost_pct(chosen, best):+.1f} %",
                f"{100 * best.min_on_time:.1f} %",
                f"{100 * chosen.min_on_time:.1f} %",
                f"{100 * (chosen.min_on_time - best.min_on_time):+.1f}",
                f"{100 * best.mean_on_time:.1f} % → {100 * chosen.mean_on_time:.1f} %",
                f"{seconds:.1f}",
            ]
        )
    return out


def main(argv: Sequence[str] | None = None) -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", nargs="+", default=["p10", "p30"])
    parser.add_argument("--seed", type=int, default=1, help="generator and solver seed")
    parser.add_argument("--time-limit", type=float, default=20.0, help="seconds shared by the searches")
    parser.add_argument("--runs", type=int, default=4, help="optimiser searches (consecutive seeds)")
    parser.add_argument("--samples", type=int, default=2_000, help="risk samples per candidate")
    parser.add_argument("--shares", type=float, nargs="+", default=[0.0, 0.02, 0.05, 0.1, 0.25])
    parser.add_argument(
        "--spread", type=float, nargs=2, default=[0.8, 1.6], metavar=("OPTIMISTIC", "PESSIMISTIC")
    )
    args = parser.parse_args(argv)
    header = [
        "size",
        "share",
        "within / candidates",
        "best objective",
        "chosen objective",
        "cost",
        "min P(on time), best plan",
        "min P(on time), chosen",
        "gain (pt)",
        "mean P(on time), best → chosen",
        "seconds (all candidates)",
    ]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for size in args.sizes:
        for row in rows(size, args):
            print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
