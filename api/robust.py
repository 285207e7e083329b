"""Robust plan selection: among near-best plans, the one most likely to finish committed projects on time.

``pmo solve --robust SHARE`` collects candidate plans from several searches of the same
portfolio (the levelling plan, then ``runs`` optimiser searches with consecutive seeds sharing
the time limit), keeps those whose objective is within ``SHARE`` of the best one, and returns
the candidate whose lowest on-time probability over committed projects with a due date is
highest (ties, e.g. when some committed project is late in every plan: the higher mean on-time
probability, then the lower objective). Every candidate comes from :func:`solver.solve.solve`, so
the plan returned is verified by the checker like any other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from api.risk_commands import DECISION_SAMPLES, attach_risk, on_time
from model.load import InvalidInput
from model.plan import Plan
from model.portfolio import Portfolio, ProjectStatus
from model.rules import Issue
from solver.settings import SolverSettings
from solver.stop import StopRequest

DEFAULT_RUNS = 4  # optimiser searches besides the levelling plan: a spread of plans at a modest cost
MAX_SHARE = 1.0  # within 100 % of the best objective at most: beyond that "near-best" means nothing


@dataclass(frozen=True)
class Candidate:
    """One plan the searches found, with what it costs and how safe its committed projects are."""

    label: str
    plan: Plan
    objective: float
    min_on_time: float
    mean_on_time: float


def committed_on_time(portfolio: Portfolio, plan: Plan) -> list[float]:
    """P(finish ≤ due) of each committed project with a due date.

    Parameters
    ----------
    portfolio
        The portfolio of the plan.
    plan
        A plan carrying ``plan.stats["risk"]`` (:func:`api.risk_commands.attach_risk`).

    Returns
    -------
    list[float]
        The probabilities; a committed project the risk figures do not cover counts as 0.
    """
    return [
        on_time(plan, p.id) or 0.0
        for p in portfolio.projects
        if p.status == ProjectStatus.committed and p.due is not None
    ]


def min_on_time(portfolio: Portfolio, plan: Plan) -> float:
    """The lowest P(finish ≤ due) over the committed projects with a due date (1 without any)."""
    return min(committed_on_time(portfolio, plan), default=1.0)


def within_share(candidates: list[Candidate], share: float) -> list[Candidate]:
    """The candidates whose objective is at most ``share`` above the best one (relative)."""
    best = min(c.objective for c in candidates)
    limit = best + share * abs(best) + 1e-9
    return [c for c in candidates if c.objective <= limit]


def pick(candidates: list[Candidate], share: float) -> Candidate:
    """The near-best candidate with the highest lowest on-time probability (ties: the higher mean
    on-time probability, then the lower objective).

    Parameters
    ----------
    candidates
        Plans with an objective (at least one).
    share
        How far above the best objective a candidate may be (0.05: 5 %).

    Returns
    -------
    Candidate
        The chosen one.
    """
    return max(within_share(candidates, share), key=lambda c: (c.min_on_time, c.mean_on_time, -c.objective))


def _candidate(portfolio: Portfolio, label: str, plan: Plan, samples: int) -> Candidate | None:
    if not plan.status.has_plan or plan.objective is None:
        return None
    attach_risk(portfolio, plan, samples)
    odds = committed_on_time(portfolio, plan)
    mean = sum(odds) / len(odds) if odds else 1.0
    return Candidate(label, plan, float(plan.objective), min(odds, default=1.0), mean)


def collect_candidates(
    portfolio: Portfolio,
    settings: SolverSettings,
    runs: int = DEFAULT_RUNS,
    samples: int = DECISION_SAMPLES,
    stop: StopRequest | None = None,
) -> tuple[list[Candidate], Plan]:
    """The plans of the levelling and of ``runs`` optimiser searches, each with its risk figures.

    Parameters
    ----------
    portfolio
        A validated portfolio.
    settings
        Solver settings; the time limit is shared by the ``runs`` searches.
    runs
        Optimiser searches (seeds ``settings.seed`` onwards); 0 keeps the levelling plan alone.
    samples
        Sampled schedules per candidate for its on-time probabilities.
    stop
        Ends the current search early; no further search starts.

    Returns
    -------
    tuple
        The candidates with a plan, and the last search's result (for when there is none).
    """
    from solver.solve import solve

    plans = [("levelling", solve(portfolio, settings.model_copy(update={"optimise": False}), stop=stop))]
    per_run = settings.time_limit / max(1, runs)
    for k in range(runs):
        if stop is not None and stop.requested:
            break
        seed = (settings.seed + k) % 2**31
        update = {"time_limit": per_run, "seed": seed}
        plans.append((f"seed {seed}", solve(portfolio, settings.model_copy(update=update), stop=stop)))
    found = [c for label, plan in plans if (c := _candidate(portfolio, label, plan, samples)) is not None]
    return found, plans[-1][1]


def robust_solve(
    portfolio: Portfolio,
    settings: SolverSettings,
    share: float,
    runs: int = DEFAULT_RUNS,
    samples: int = DECISION_SAMPLES,
    stop: StopRequest | None = None,
) -> Plan:
    """Solve ``portfolio`` several times and return the most robust near-best plan (see the module).

    Parameters
    ----------
    portfolio
        A validated portfolio.
    settings
        Solver settings; the time limit is shared by the ``runs`` searches.
    share
        Candidates may cost up to this share more than the best objective (0 … :data:`MAX_SHARE`).
    runs
        Optimiser searches, as :func:`collect_candidates`.
    samples
        Sampled schedules per candidate for its on-time probabilities.
    stop
        Ends the current search early; the candidates found so far are compared.

    Returns
    -------
    Plan
        The chosen plan, verified, with ``stats["risk"]`` and ``stats["robust"]`` (the share, each
        candidate's objective and lowest on-time probability, and which one was chosen). Without any
        plan, the last search's result.
    """
    found, last = collect_candidates(portfolio, settings, runs, samples, stop)
    if not found:
        return last
    chosen = pick(found, share)
    best = min(found, key=lambda c: c.objective)
    near = {id(c) for c in within_share(found, share)}
    chosen.plan.stats["robust"] = {
        "share": share,
        "chosen": chosen.label,
        "objective_cost_pct": cost_pct(chosen, best),
        "min_on_time_gain": round(chosen.min_on_time - best.min_on_time, 4),
        "candidates": [
            {
                "label": c.label,
                "objective": c.objective,
                "min_on_time": c.min_on_time,
                "mean_on_time": round(c.mean_on_time, 4),
                "within_share": id(c) in near,
            }
            for c in found
        ],
    }
    return chosen.plan


def cost_pct(chosen: Candidate, best: Candidate) -> float:
    """How much more the chosen candidate's objective is than the best one's, in per cent."""
    if not best.objective:
        return 0.0
    return round(100 * (chosen.objective - best.objective) / abs(best.objective), 2)


def share_issue(share: float) -> str | None:
    """What is wrong with a ``--robust`` share, or None."""
    if not (math.isfinite(share) and 0 <= share <= MAX_SHARE):
        return f"give a share of the best objective from 0 to {MAX_SHARE:g} (0.05: 5 %), not {share:g}"
    return None


def run_robust(
    portfolio: Portfolio,
    settings: SolverSettings,
    share: float,
    output: Path | None,
    report: Path | None,
    as_json: bool,
) -> NoReturn:
    """``pmo solve --robust SHARE``: the robust near-best plan, written and printed as a solve's.

    Exits 4 for a share out of range, else with the plan's status code.
    """
    from api.cli import _fail_invalid, _for_the_command, emit_plan, err_console, solve_or_stop
    from api.startup import import_cp_model_without_pandas
    from api.text import line

    problem = share_issue(share)
    if problem is not None:
        _fail_invalid(InvalidInput([Issue("--robust", problem)]), as_json)
    import_cp_model_without_pandas()
    budget = _for_the_command(settings, portfolio)
    plan = solve_or_stop(lambda stop: robust_solve(portfolio, budget, share, stop=stop))
    robust = plan.stats.get("robust")
    if isinstance(robust, dict) and not as_json:
        err_console.print(
            line(
                f"robust choice ({robust['chosen']} of {len(robust['candidates'])} plans): objective "
                f"+{robust['objective_cost_pct']:g} % against the best, lowest on-time probability of a "
                f"committed project {100 * min_on_time(portfolio, plan):.0f} % "
                f"({100 * robust['min_on_time_gain']:+.0f} pt)"
            )
        )
    emit_plan(portfolio, plan, output, report, as_json)
