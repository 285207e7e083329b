"""Time to explain an infeasible portfolio (issue: ≤ 10 s at 120 projects).

Usage::

    python -m benchmarks.diagnose_bench --size p120

Two injected causes on a generated portfolio: (a) one project's deadline well before its critical
path allows; (b) every person with one skill leaves the company, so a committed slot has no
candidate. Prints the wall time of ``pmo solve`` up to the explanation and the first lines of it.
"""

from __future__ import annotations

import argparse
import copy
import time
from collections import Counter
from typing import Any

from api.generate import generate_size
from model.load import parse_portfolio
from solver.settings import SolverSettings
from solver.solve import solve


def _deadline(data: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    project = out["projects"][3]
    project["deadline"] = project.get("release") or out["calendar"]["start"]
    return out


def _skill_leaves(data: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    used = Counter(r["skill"] for p in out["projects"] for t in p["tasks"] for r in t.get("requirements", []))
    skill = min(used, key=lambda s: sum(1 for person in out["people"] if s in person["skills"]))
    for person in out["people"]:
        if skill in person["skills"]:
            person["available_until"] = out["calendar"]["start"]
    return out


def main(argv: list[str] | None = None) -> None:
    """Run both cases."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="p120")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    base = generate_size(args.size, seed=args.seed)
    for name, inject in (
        ("deadline before critical path", _deadline),
        ("a skill's holders all leave", _skill_leaves),
    ):
        began = time.perf_counter()
        plan = solve(parse_portfolio(inject(base)), SolverSettings(time_limit=10))
        wall = time.perf_counter() - began
        print(
            f"| {args.size} | {name} | {plan.status.value} | {wall:.2f} s | {len(plan.explanation)} reason(s) |"
        )
        for line in plan.explanation[:2]:
            print(f"    {line}")


if __name__ == "__main__":
    main()
