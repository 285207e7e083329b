"""Infeasible portfolios: time to explain them, and whether each carries a proven fix.

Usage::

    python -m benchmarks.diagnose_bench --size p120 --seeds 0 1 2 --time-limit 10
    python -m benchmarks.diagnose_bench --size demo --seeds 0 1 2

Generated portfolios made infeasible in one way each: the horizon too short for the longest
critical path; one project's deadline too tight for its critical path; a requirement at a
level nobody holds; more tasks pinned to one day than people who can do them; every person
with one skill leaving. Each is solved with ``solve`` at the time limit; the table gives the
status, the wall time, the kinds of proven fix and the time spent finding them, and the
totals: how many of the portfolios proven infeasible carry at least one proven fix.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from api.generate import generate_size
from model.load import parse_portfolio
from solver.problem import compile_problem
from solver.settings import SolverSettings
from solver.solve import solve

Data = dict[str, Any]


def _used_skills(data: Data) -> Counter[str]:
    return Counter(
        r["skill"]
        for p in data["projects"]
        for t in p["tasks"]
        for r in t.get("requirements", [])
        if r.get("skill")
    )


def _clamp(day: str | None, last: str) -> str | None:
    return None if day is None else min(day, last)


def _short_horizon(data: Data) -> Data:
    """The horizon ends a twentieth before the latest critical-path finish of a committed project."""
    out = copy.deepcopy(data)
    problem = compile_problem(parse_portfolio(copy.deepcopy(data)))
    committed = problem.project_committed
    longest = int(max(problem.project_release[committed] + problem.project_critical_path[committed]))
    end = problem.calendar.date(max(1, longest * 19 // 20)).isoformat()
    out["calendar"]["end"] = end
    out["calendar"]["holidays"] = [h for h in out["calendar"].get("holidays", []) if h <= end]
    for p in out["projects"]:
        for key in ("release", "due", "deadline"):
            if p.get(key) is not None:
                p[key] = _clamp(p[key], end)
        for t in p["tasks"]:
            for key in ("fixed_start", "earliest_start", "latest_finish"):
                if t.get(key) is not None:
                    t[key] = _clamp(t[key], end)
    for person in out["people"]:
        for key in ("available_from", "available_until"):
            if person.get(key) is not None:
                person[key] = _clamp(person[key], end)
        person["absences"] = [a for a in person.get("absences", []) if a["start"] <= end]
        for a in person["absences"]:
            a["end"] = min(a["end"], end)
    return out


def _tight_deadline(data: Data) -> Data:
    """The committed project with the longest critical path gets half of it before its deadline."""
    out = copy.deepcopy(data)
    problem = compile_problem(parse_portfolio(copy.deepcopy(data)))
    committed = [p for p in range(problem.num_projects) if problem.project_committed[p]]
    p = max(committed, key=lambda q: int(problem.project_critical_path[q]))
    day = int(problem.project_release[p]) + int(problem.project_critical_path[p]) // 2
    out["projects"][p]["deadline"] = problem.calendar.date(day).isoformat()
    if out["projects"][p].get("due") and out["projects"][p]["due"] > out["projects"][p]["deadline"]:
        out["projects"][p]["due"] = out["projects"][p]["deadline"]
    return out


def _level_nobody_has(data: Data) -> Data:
    """A committed requirement one level above everyone's (of a skill below level 5 for all)."""
    out = copy.deepcopy(data)
    top = {
        s: max((person["skills"].get(s, 0) for person in out["people"]), default=0) for s in _used_skills(out)
    }
    for p in out["projects"]:
        if p.get("status", "committed") != "committed":
            continue
        for t in p["tasks"]:
            for r in t.get("requirements", []):
                if r.get("skill") in top and top[r["skill"]] < 5:
                    r["level"] = top[r["skill"]] + 1
                    return out
    raise ValueError("every skill has a holder at level 5")


def _over_pinned(data: Data) -> Data:
    """More first tasks pinned to one day than people who hold the skill of their first requirement."""
    out = copy.deepcopy(data)
    start = out["calendar"]["start"]
    firsts: dict[str, list[tuple[dict[str, Any], str]]] = {}
    for p in out["projects"]:
        if p.get("status", "committed") != "committed":
            continue
        for t in p["tasks"]:
            reqs = t.get("requirements", [])
            if not t.get("dependencies") and reqs and reqs[0].get("skill"):
                firsts.setdefault(reqs[0]["skill"], []).append((t, p.get("release") or start))
    holders = {s: sum(1 for person in out["people"] if s in person["skills"]) for s in firsts}
    skill = max(firsts, key=lambda s: len(firsts[s]) - holders[s])
    pinned = firsts[skill][: holders[skill] + 1]
    day = dt.date.fromisoformat(max(release for _, release in pinned))
    while day.weekday() >= 5 or day.isoformat() in out["calendar"].get("holidays", []):
        day += dt.timedelta(days=1)
    for t, _ in pinned:
        t["fixed_start"] = day.isoformat()
        t["requirements"][0]["allocation"] = 100  # each pinned task takes a holder's whole day
    return out


def _skill_leaves(data: Data) -> Data:
    """Every person with the least-held skill leaves on their first day."""
    out = copy.deepcopy(data)
    used = _used_skills(out)
    skill = min(used, key=lambda s: sum(1 for person in out["people"] if s in person["skills"]))
    for person in out["people"]:
        if skill in person["skills"]:
            person["available_until"] = person.get("available_from") or out["calendar"]["start"]
    return out


CASES: dict[str, Callable[[Data], Data]] = {
    "horizon too short": _short_horizon,
    "deadline too tight": _tight_deadline,
    "level nobody has": _level_nobody_has,
    "over-pinned": _over_pinned,
    "a skill's holders leave": _skill_leaves,
}


def main(argv: list[str] | None = None) -> None:
    """Run every case on every seed and print the table and the totals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="p120")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--verbose", action="store_true", help="print each plan's fixes")
    args = parser.parse_args(argv)
    print("| size | seed | case | status | wall | fixes (kind: seconds) |")
    print("|---|---|---|---|---|---|")
    proven = with_fix = 0
    walls: list[float] = []
    for seed in args.seeds:
        base = generate_size(args.size, seed=seed)
        for name, inject in CASES.items():
            portfolio = parse_portfolio(inject(base))
            began = time.perf_counter()
            plan = solve(portfolio, SolverSettings(time_limit=args.time_limit, workers=args.workers))
            wall = time.perf_counter() - began
            fixes = plan.stats.get("fixes", [])
            kinds = ", ".join(f"{f['kind']}: {f['seconds']:.1f}" for f in fixes) or "—"
            print(f"| {args.size} | {seed} | {name} | {plan.status.value} | {wall:.2f} s | {kinds} |")
            if args.verbose:
                for f in fixes:
                    print(f"    {f['message']}")
            if plan.status.value == "infeasible":
                proven += 1
                with_fix += bool(fixes)
                walls.append(wall)
    worst = max(walls) if walls else 0.0
    print(
        f"\n{with_fix} of {proven} portfolios proven infeasible carry at least one proven fix; "
        f"slowest {worst:.2f} s at a {args.time_limit:g} s limit"
    )


if __name__ == "__main__":
    main()
