"""Keys that know the objective: the engine on pool-only portfolios with due dates and
priorities, with and without the priority-rule keys in the population search's first
population (:func:`solver.search.population.objective_keys`).

Usage::

    python -m benchmarks.keys_bench --sizes p30 p60 --seeds 0-2 --time-limit 10 [--alone] [--out FILE.md]

``--alone``: the population search by itself (no CP-SAT, one core) from the best levelling
plan for the time limit, so that its own first population is what differs.

A pool-only portfolio is a generated one (``pmo generate SIZE --seed K``) with every skill
turned into a pool of as many units as people hold the skill, every requirement into that
many units of its pool, every project committed and no hard deadline: releases, due dates,
priorities, dependencies and the weighted-tardiness objective stay. Each solve runs in a
fresh process with 2 workers; each seed's portfolio is solved with the keys on and off in
turn, so a busy machine slows both alike. An effort-driven task runs with its largest crew (its effort
over the crew, rounded up, in days). The table gives per size and setting the median
objective, the median weighted tardiness (WT) and how often each setting was better.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path
from typing import Any

from benchmarks.measure import markdown_table, run_isolated


def pool_only(data: dict[str, Any]) -> dict[str, Any]:
    """The generated portfolio ``data`` with people turned into pools (see the module)."""
    holders: dict[str, int] = {}
    for person in data["people"]:
        for skill in person["skills"]:
            holders[skill] = holders.get(skill, 0) + 1
    projects = []
    for project in data["projects"]:
        tasks = []
        for task in project["tasks"]:
            units: dict[str, int] = {}
            for req in task.get("requirements", []):
                units[req["skill"]] = units.get(req["skill"], 0) + int(req.get("count", 1))
            crew = int(task.get("crew", {}).get("max", 1)) if "effort" in task else 1
            requirements = [  # an effort-driven task runs with its largest crew
                {"pool": skill, "units": min(n * crew, holders[skill])} for skill, n in units.items() if skill in holders
            ]
            kept = {k: v for k, v in task.items() if k not in ("requirements", "deadline", "effort", "crew")}
            if "effort" in task:
                kept["duration"] = max(1, -(-int(task["effort"]) // crew))
            tasks.append({**kept, "requirements": requirements})
        kept_project = {k: v for k, v in project.items() if k not in ("tasks", "deadline", "status")}
        projects.append({**kept_project, "status": "committed", "tasks": tasks})
    return {
        "name": f"{data['name']} (pools only)",
        "calendar": data["calendar"],
        "pools": [{"id": skill, "capacity": n} for skill, n in sorted(holders.items())],
        "projects": projects,
        "objective": data["objective"],
    }


def _solve(size: str, seed: int, time_limit: float, keys: bool) -> dict[str, Any]:
    from api.generate import generate_size
    from model.load import parse_portfolio
    from model.plan import PlanStatus
    from solver.settings import PopulationTuning, SearchTuning, SolverSettings
    from solver.solve import solve

    portfolio = parse_portfolio(pool_only(generate_size(size, seed=seed)))
    tuning = SearchTuning(population=PopulationTuning(objective_keys=keys))
    plan = solve(portfolio, SolverSettings(time_limit=time_limit, workers=2, seed=0, tuning=tuning))
    assert plan.status in (PlanStatus.feasible, PlanStatus.optimal), plan.status
    return {"objective": plan.objective, "wt": plan.kpis.weighted_tardiness, "method": plan.stats.get("method")}


def _alone(size: str, seed: int, time_limit: float, keys: bool) -> dict[str, Any]:
    import time

    from api.generate import generate_size
    from model.load import parse_portfolio
    from solver.evaluate import objective_of, weighted_tardiness_of
    from solver.problem import compile_problem
    from solver.search import population
    from solver.settings import PopulationTuning
    from solver.solve import best_levelling

    portfolio = parse_portfolio(pool_only(generate_size(size, seed=seed)))
    problem = compile_problem(portfolio)
    levelling, _, _ = best_levelling(problem)
    began = time.perf_counter()
    pop = population.start(problem, levelling.placements, seed=0, tuning=PopulationTuning(objective_keys=keys))
    best = levelling.placements
    for plan, _ in population.improve(pop, lambda p: 0.0, stop=lambda: time.perf_counter() - began > time_limit):
        best = plan
    return {"objective": objective_of(problem, best), "wt": weighted_tardiness_of(problem, best), "method": "population alone"}


def main(argv: list[str] | None = None) -> int:
    """Run the comparison and print (and optionally write) the table."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.keys_bench", description=__doc__.split("\n")[0])
    p.add_argument("--sizes", nargs="+", default=["p30", "p60"])
    p.add_argument("--seeds", default="0-2", help="portfolio seeds, e.g. 0-2")
    p.add_argument("--time-limit", type=float, default=10.0)
    p.add_argument("--alone", action="store_true", help="the population search by itself, no CP-SAT")
    p.add_argument("--out", type=Path)
    args = p.parse_args(argv)
    first, _, last = args.seeds.partition("-")
    seeds = range(int(first), int(last or first) + 1)
    rows = []
    for size in args.sizes:
        results: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
        for seed in seeds:
            for keys in (True, False):
                out = run_isolated(_alone if args.alone else _solve, size, seed, args.time_limit, keys)
                results[keys].append(out)
                print(f"{size} seed {seed} keys={'on' if keys else 'off'}: {out}", flush=True)
        pairs = list(zip(results[True], results[False], strict=True))
        for keys in (True, False):
            own = results[keys]
            better = sum(1 for on, off in pairs if (on if keys else off)["objective"] < (off if keys else on)["objective"] - 1e-9)
            rows.append(
                {
                    "size": size,
                    "objective keys": "on" if keys else "off",
                    "seeds": len(own),
                    "objective median": statistics.median(r["objective"] for r in own),
                    "WT median": statistics.median(r["wt"] for r in own),
                    "better on": f"{better} of {len(pairs)}",
                }
            )
    table = markdown_table(rows, list(rows[0]))
    print(table)
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
