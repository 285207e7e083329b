"""Compare 4 scenarios of a 60-project portfolio in ≤ 60 s wall.

Usage::

    python -m benchmarks.compare_bench                      # p60, seed 0, 20 s per solve, 1 worker
    python -m benchmarks.compare_bench --size p30 --time-limit 10 --markdown out/compare.md
    python -m benchmarks.compare_bench --trust --seeds 10 --repeat 3   # scenarios as changes of their base

``--trust`` measures what a what-if can be trusted for: an unchanged scenario gets the
base plan, identical, for every seed (default and deterministic settings, ``--unchanged-size``
at ``--unchanged-time-limit``); the same one-change scenario ("priority shift") compared
``--repeat`` times on ``--size`` at ``--time-limit``: the spread of its objective, against
the relative noise threshold :data:`solver.planning.compare.DEFAULT_NOISE`.

Scenarios, all built with the scenario ops of ``model/scenario.py`` on the generated
portfolio: the baseline; two hires with the most demanded skill; a new high-priority
project (a copy of a committed project, due early); one project's priority shifted
to 10. :func:`solver.planning.compare.compare` solves them ``cores // workers`` at a time
(2 at a time on 2 cores with 1 worker each), so 4 solves of 20 s take about 40 s.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

from api.compare_report import comparison_markdown, render_comparison
from api.generate import generate_size
from model.load import parse_portfolio
from model.portfolio import Portfolio
from model.scenario import apply_scenario, parse_scenario
from solver.planning.compare import DEFAULT_NOISE, compare, parallel_solves
from solver.settings import SolverSettings

WALL_TARGET_SECONDS = 60.0


def skill_demand(data: dict[str, Any]) -> Counter[str]:
    """Person-days asked per skill (duration × count × allocation, or effort)."""
    demand: Counter[str] = Counter()
    for project in data["projects"]:
        for task in project["tasks"]:
            if task.get("modes"):
                duration, requirements = task["modes"][0]["duration"], task["modes"][0]["requirements"]
            else:
                duration, requirements = task.get("duration"), task.get("requirements", [])
            for req in requirements:
                if "skill" not in req or req["skill"] is None:
                    continue
                if task.get("effort") is not None:
                    demand[req["skill"]] += task["effort"]
                else:
                    demand[req["skill"]] += duration * req.get("count", 1) * req.get("allocation", 100) / 100
    return demand


def _hire_change(data: dict[str, Any]) -> dict[str, Any]:
    skill, _ = skill_demand(data).most_common(1)[0]
    levels = [
        req.get("level", 1)
        for project in data["projects"]
        for task in project["tasks"]
        for req in task.get("requirements", [])
        if req.get("skill") == skill
    ]
    rates = sorted(p.get("cost_per_day", 0) for p in data["people"] if skill in p["skills"])
    return {
        "op": "hire",
        "role": f"{skill} (new hire)",
        "skill": skill,
        "level": max(levels, default=3),
        "count": 2,
        "cost_per_day": rates[len(rates) // 2] if rates else 0,
    }


def _urgent_project(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of the first committed project: priority 10, due early, no links outside itself."""
    template = next(p for p in data["projects"] if p.get("status", "committed") == "committed")
    project = copy.deepcopy(template)
    start = dt.date.fromisoformat(data["calendar"]["start"])
    project.update(
        id="urgent-regulatory",
        name="Urgent regulatory project",
        priority=10,
        release=start.isoformat(),
        due=(start + dt.timedelta(days=120)).isoformat(),
        deadline=None,
    )
    for task in project["tasks"]:
        task["dependencies"] = [d for d in task.get("dependencies", []) if "/" not in d["task"]]
        task.pop("fixed_start", None)
        task.pop("fixed_people", None)
    return {"op": "add_project", "project": project}


def _priority_shift(data: dict[str, Any]) -> dict[str, Any]:
    """Raise the lowest-priority committed project to priority 10."""
    committed = [p for p in data["projects"] if p.get("status", "committed") == "committed"]
    target = min(committed, key=lambda p: (p.get("priority", 5), p["id"]))
    return {"op": "change_priority", "project": target["id"], "priority": 10}


def build_scenarios(data: dict[str, Any]) -> dict[str, Portfolio]:
    """The four portfolios to compare, baseline first."""
    changes = {
        "hire 2": _hire_change(data),
        "urgent project": _urgent_project(data),
        "priority shift": _priority_shift(data),
    }
    out = {"baseline": parse_portfolio(copy.deepcopy(data))}
    for name, change in changes.items():
        scenario = parse_scenario({"name": name, "base": data, "changes": [change]})
        out[name] = apply_scenario(scenario)
    return out


def unchanged_rows(data: dict[str, Any], seeds: int, time_limit: float) -> list[tuple[str, int, int]]:
    """Per settings kind: (kind, seeds whose unchanged scenario got the base plan exactly, seeds)."""
    base = parse_portfolio(copy.deepcopy(data))
    same = apply_scenario(parse_scenario({"name": "same", "base": data, "changes": []}))
    rows = []
    for kind, deterministic in (("default", False), ("deterministic", True)):
        identical = 0
        for seed in range(seeds):
            settings = SolverSettings(time_limit=time_limit, seed=seed, deterministic=deterministic)
            plans = compare({"base": base, "same": same}, settings).plans
            identical += plans["same"].assignments == plans["base"].assignments
        rows.append((kind, identical, seeds))
    return rows


def repeat_rows(
    portfolios: dict[str, Portfolio], name: str, repeat: int, settings: SolverSettings
) -> list[float]:
    """The objective of scenario ``name`` over ``repeat`` comparisons with its baseline."""
    chosen = {k: portfolios[k] for k in ("baseline", name)}
    out = []
    for k in range(repeat):
        comparison = compare(chosen, settings)
        outcome, base = comparison.outcome(name), comparison.outcome("baseline")
        assert outcome.figures is not None and base.figures is not None
        print(
            f"  run {k + 1}: baseline {base.figures.objective:,.0f}, {name} {outcome.figures.objective:,.0f} "
            f"(start: {outcome.start}; within noise: {outcome.within_noise})",
            flush=True,
        )
        out.append(float(outcome.figures.objective or 0.0))
    return out


def trust(args: argparse.Namespace) -> int:
    """The ``--trust`` tables; exit 0 when both targets are met."""
    data = generate_size(args.unchanged_size, 0)
    rows = [] if args.skip_unchanged else unchanged_rows(data, args.seeds, args.unchanged_time_limit)
    print(
        f"unchanged scenario on {args.unchanged_size} at {args.unchanged_time_limit:g} s, seeds 0–{args.seeds - 1}:"
    )
    print("| settings | identical to the base plan |\n|---|---|")
    for kind, identical, seeds in rows:
        print(f"| {kind} | {identical}/{seeds} |")
    portfolios = build_scenarios(generate_size(args.size, args.seed))
    settings = SolverSettings(time_limit=args.time_limit, seed=args.seed, deterministic=args.deterministic)
    print(
        f"'priority shift' on {args.size} seed {args.seed} compared {args.repeat} times at {args.time_limit:g} s:"
    )
    values = repeat_rows(portfolios, "priority shift", args.repeat, settings)
    spread = (max(values) - min(values)) / min(values) if min(values) > 0 else 0.0
    print("| runs | min | max | spread | noise threshold |\n|---|---|---|---|---|")
    print(
        f"| {len(values)} | {min(values):,.0f} | {max(values):,.0f} | {100 * spread:.2f} % | {100 * DEFAULT_NOISE:g} % |"
    )
    met = all(identical == seeds for _, identical, seeds in rows) and spread <= DEFAULT_NOISE
    return 0 if met else 1


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 0 if the wall time (``--trust``: both targets) is within the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="p60")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--time-limit", type=float, default=None, help="per solve (default 20 s; --trust: 10 s)"
    )
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--markdown", type=Path, default=None, help="also write a markdown report here")
    parser.add_argument("--trust", action="store_true", help="the scenario-as-change targets instead")
    parser.add_argument("--seeds", type=int, default=10, help="--trust: seeds of the unchanged scenario")
    parser.add_argument("--repeat", type=int, default=3, help="--trust: comparisons of one scenario")
    parser.add_argument("--unchanged-size", default="demo")
    parser.add_argument("--deterministic", action="store_true", help="--trust: the repeated comparisons too")
    parser.add_argument(
        "--skip-unchanged", action="store_true", help="--trust: only the repeated comparisons"
    )
    parser.add_argument("--unchanged-time-limit", type=float, default=2.0)
    args = parser.parse_args(argv)
    if args.trust:
        args.time_limit = args.time_limit or 10.0
        return trust(args)
    args.time_limit = args.time_limit or 20.0

    began = time.perf_counter()
    data = generate_size(args.size, args.seed)
    portfolios = build_scenarios(data)
    prepared = time.perf_counter() - began
    settings = SolverSettings(time_limit=args.time_limit, workers=args.workers, seed=args.seed)
    print(
        f"{args.size} seed {args.seed}: {len(portfolios)} scenarios, {args.time_limit:g} s per solve, "
        f"{args.workers} worker(s), {parallel_solves(settings)} solve(s) at a time on "
        f"{os.cpu_count()} core(s); scenarios built in {prepared:.1f} s",
        flush=True,
    )

    def done(name: str, plan: Any) -> None:
        print(
            f"  {name}: {plan.status.value}, objective {plan.objective}, {plan.solve_seconds:.1f} s",
            flush=True,
        )

    comparison = compare(portfolios, settings, on_done=done)
    wall = time.perf_counter() - began
    print(render_comparison(comparison, width=140))
    verdict = "within" if wall <= WALL_TARGET_SECONDS else "OVER"
    print(
        f"wall time {wall:.1f} s (solves {comparison.wall_seconds:.1f} s) — {verdict} the "
        f"{WALL_TARGET_SECONDS:.0f} s target"
    )
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(comparison_markdown(comparison), encoding="utf-8")
    return 0 if wall <= WALL_TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
