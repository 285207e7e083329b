"""A sweep on the local backend and on a local Ray, same machine, same run: the backend's overhead.

Usage::

    python -m benchmarks.sweep_bench --size p60 --seed 0 --time-limit 10 --scenarios 16

The grid is ``hire: skill=backend count=0..3`` × four priority options of the portfolio's
first project (none, 1, 5, 10): 16 scenarios, the baseline among them (``--scenarios 8`` keeps
the first two priority options). Each backend solves them all, ``--parallel`` at a time
(default: what fits on the cores with one CP-SAT worker per solve). Per backend: wall time,
the ideal wall time (Σ solve seconds / parallel), the overhead (wall − ideal) and its share of
the wall time; Ray's start-up is shown apart. Also the per-scenario costs that
``docs/scaling.md`` builds on: portfolio and plan sizes as JSON, mean solve seconds.
Target: Ray's overhead ≤ 10 % of its wall time.
"""

from __future__ import annotations

import argparse
import math
import time
from typing import Any

from api.backends.ray_backend import RayBackend
from api.generate import generate_size
from api.sweep import SweepResult, SweepScenario, expand, run_sweep
from model.load import parse_portfolio
from solver.planning.backend import LocalBackend, RunBackend
from solver.settings import SolverSettings

TARGET_SHARE = 0.10


def grid(first_project: str, scenarios: int) -> list[dict[str, Any]]:
    """The axes: hires × priority options of one project (16 or 8 scenarios)."""
    options: list[list[dict[str, Any]]] = [[]] + [
        [{"op": "change_priority", "project": first_project, "priority": p}] for p in (1, 5, 10)
    ]
    return [
        {"op": "hire", "skill": "backend", "level": 3, "count": [0, 1, 2, 3]},
        {"name": "priority", "options": options[: max(1, scenarios // 4)]},
    ]


def measure(
    backend: RunBackend, scenarios: list[SweepScenario], settings: SolverSettings, parallel: int
) -> tuple[SweepResult, dict[str, float]]:
    """Solve the sweep once; its result and timing figures."""
    began = time.perf_counter()
    result = run_sweep(scenarios, settings, backend, parallel=parallel)
    wall = time.perf_counter() - began
    solve_total = sum(p.solve_seconds for p in result.plans.values())
    ideal = solve_total / parallel
    return result, {
        "wall": wall,
        "ideal": ideal,
        "overhead": wall - ideal,
        "share": (wall - ideal) / wall,
        "per_scenario": solve_total / len(scenarios),
    }


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="p60")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--scenarios", type=int, choices=(4, 8, 12, 16), default=16)
    parser.add_argument("--parallel", type=int, default=None)
    args = parser.parse_args(argv)

    base = parse_portfolio(generate_size(args.size, args.seed))
    scenarios = expand(base, grid(base.projects[0].id, args.scenarios))
    settings = SolverSettings(time_limit=args.time_limit, workers=1)
    local = LocalBackend()
    parallel = args.parallel or local.capacity(settings)

    ray = RayBackend()
    began = time.perf_counter()
    ray.connect()
    ray_start = time.perf_counter() - began
    try:
        rows = []
        for backend in (local, ray):
            result, figures = measure(backend, scenarios, settings, parallel)
            rows.append((backend.name, result, figures))
    finally:
        ray.close()

    sizes = [len(s.portfolio.model_dump_json().encode()) for s in scenarios]
    plans = [len(p.model_dump_json().encode()) for _, r, _ in rows for p in r.plans.values()]
    print(
        f"{len(scenarios)} scenarios of {args.size} (seed {args.seed}), {args.time_limit:g} s each, "
        f"1 CP-SAT worker, {parallel} at a time"
    )
    print(
        f"{'backend':<8} {'wall s':>8} {'ideal s':>8} {'overhead s':>11} {'share':>7} {'solve s/scen':>13} plans"
    )
    for name, result, f in rows:
        with_plan = sum(r.has_plan for r in result.scenarios)
        print(
            f"{name:<8} {f['wall']:>8.1f} {f['ideal']:>8.1f} {f['overhead']:>11.2f} {100 * f['share']:>6.1f}% "
            f"{f['per_scenario']:>13.2f} {with_plan}/{len(scenarios)}"
        )
    ray_share = rows[1][2]["share"]
    print(f"ray start-up (not in the wall times): {ray_start:.1f} s")
    print(
        f"portfolio JSON per scenario: {sum(sizes) / len(sizes) / 1024:.0f} KiB (max {max(sizes) / 1024:.0f}); "
        f"plan JSON: {sum(plans) / len(plans) / 1024:.0f} KiB (max {max(plans) / 1024:.0f})"
    )
    verdict = "met" if ray_share <= TARGET_SHARE else "missed"
    print(
        f"target: Ray overhead ≤ {100 * TARGET_SHARE:.0f} % of wall time: {verdict} ({100 * ray_share:.1f} %)"
    )
    waves = math.ceil(len(scenarios) / parallel)
    print(
        f"({waves} wave(s) of {parallel}; overhead per scenario on Ray: {rows[1][2]['overhead'] / len(scenarios):.2f} s)"
    )


if __name__ == "__main__":
    main()
