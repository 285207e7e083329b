"""Solve a public benchmark file and report the plan in the family's own terms.

The benchmark readers (:mod:`api.formats`) turn every family into an ordinary
portfolio whose contract objective *is* (or dominates) the family's objective, and the
engine solves it like any portfolio. This module maps the plan back:

* **makespan** families (``psplib``, ``mplib``, ``imopse``, ``mspsp``): the objective is
  ``plan.kpis.makespan_days`` (time 0 = the horizon start = the benchmark's time 0). The
  contract objective is ``makespan × w`` with every other weight 0, so the family's lower
  bound is ``⌈contract bound / w⌉`` (the makespan is an integer).
* **total project delay** families: ``rcmp`` (MPSPLIB; contract weight ``project_delay`` 1)
  and ``mista`` (contract ``1000 × TPD + TMS``). The objective is ``plan.kpis.project_delay``
  and the total makespan TMS (last finish − first release) is reported beside it.

The lower bound on the total project delay (TPD) when the contract objective also weighs
the makespan (MISTA: ``wD = 1000``, ``wM = 1``) is derived as follows. Let ``LB`` be the
engine's proven bound on ``wD·TPD + wM·M`` over all plans, ``t*`` the smallest TPD of any
plan and ``x*`` a plan that reaches it. Every project finishes at
``release + critical path + its own delay``, and each delay is ≥ 0, so the makespan of any
plan is at most ``R + TPD`` with ``R = max over projects (release + critical path)``. Hence

``LB ≤ wD·t* + wM·M(x*) ≤ wD·t* + wM·(R + t*)``  ⇒  ``t* ≥ (LB − wM·R) / (wD + wM)``,

and, as ``t*`` is at most the TPD ``T`` of the plan found,

``LB ≤ wD·t* + wM·(R + T)``  ⇒  ``t* ≥ (LB − wM·(R + T)) / wD``.

The bound reported is the ceiling of the larger of the two (and at least 0). The
tempting ``⌊LB / 1000⌋`` is *not* valid in general: it assumes that the plan with the
least delay has a makespan below 1000, and a weighted-sum optimum does not even have to
have the least delay when makespans can differ by 1000 or more. It coincides with the
second formula whenever ``R + T ≤ 999`` (true for the MISTA A/B instances, whose makespans
are a few hundred days at most), which is also exactly when a contract-optimal plan is
TPD-optimal. So a plan is reported ``optimal`` in family terms only when the family bound
reaches its objective, or when the contract objective is the family objective itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.formats import BENCHMARK_LIMITS, Instance, read_instance
from model.kpis import critical_path_lengths
from model.load import parse_portfolio
from model.plan import Plan, PlanStatus
from model.portfolio import ObjectiveWeights, Portfolio
from solver.settings import SolverSettings
from solver.solve import Progress, solve
from solver.stop import StopRequest

FAMILIES = ("psplib", "rcmp", "mplib", "mista", "imopse", "mspsp")
"""The benchmark formats ``pmo solve --format`` accepts."""

MAKESPAN = "makespan"
TOTAL_PROJECT_DELAY = "total_project_delay"

_EPS = 1e-6


@dataclass(frozen=True)
class FamilyTerms:
    """A plan's figures in a benchmark family's own terms.

    Attributes
    ----------
    objective
        Makespan or total project delay of the plan (None without a plan).
    lower_bound
        Proven lower bound on that objective over all plans (None if not derivable).
    status
        ``optimal`` only when the family objective is proven optimal; otherwise the
        plan's status (``optimal`` becomes ``feasible`` when only the contract objective
        is proven).
    tms
        Total makespan (last finish − first release), reported for every family.
    contract_objective, contract_lower_bound, contract_status
        The plan's own objective, bound and status (contract units).
    """

    objective: float | None
    lower_bound: float | None
    status: PlanStatus
    tms: int | None
    contract_objective: float | None
    contract_lower_bound: float | None
    contract_status: PlanStatus


def _ceil(value: float) -> int:
    """Ceiling that forgives float noise (``42.0000001`` → 42)."""
    return math.ceil(value - _EPS)


def active_weights(weights: ObjectiveWeights) -> dict[str, float]:
    """The objective terms with a positive weight (name → weight)."""
    return {name: float(w) for name, w in weights.model_dump().items() if w > 0}


def release_index(portfolio: Portfolio, project_id: str) -> int:
    """Working-day index of a project's release (0 without one)."""
    project = portfolio.project(project_id)
    return portfolio.work_calendar.ceil_index(project.release) if project.release else 0


def release_plus_critical_path(portfolio: Portfolio) -> int:
    """``R`` = max over projects of (release index + critical path length).

    A lower bound on the makespan, and every plan's makespan is at most ``R`` plus its
    total project delay.
    """
    paths = critical_path_lengths(portfolio)
    return max((release_index(portfolio, p.id) + paths[p.id] for p in portfolio.projects), default=0)


def makespan_bound(weights: ObjectiveWeights, contract_bound: float | None) -> float | None:
    """Lower bound on the makespan from a bound on the contract objective.

    Valid only when the makespan is the sole weighted term (``⌈bound / w⌉``); None otherwise.
    """
    active = active_weights(weights)
    if contract_bound is None or set(active) != {"makespan"}:
        return None
    return float(max(0, _ceil(contract_bound / active["makespan"])))


def delay_bound(
    weights: ObjectiveWeights,
    contract_bound: float | None,
    reach: int,
    delay_found: float | None,
) -> float | None:
    """Lower bound on the total project delay from a bound on the contract objective.

    Parameters
    ----------
    weights
        The portfolio's objective weights; only ``project_delay`` (> 0) and ``makespan``
        may be positive, else there is no bound (None).
    contract_bound
        Proven lower bound on the contract objective.
    reach
        ``R`` of :func:`release_plus_critical_path`.
    delay_found
        Total project delay of the best plan found (tightens the bound), or None.

    Returns
    -------
    float or None
        See the module docstring for the derivation.
    """
    active = active_weights(weights)
    if contract_bound is None or "project_delay" not in active or set(active) - {"project_delay", "makespan"}:
        return None
    w_delay = active["project_delay"]
    w_span = active.get("makespan", 0.0)
    if not w_span:
        return float(max(0, _ceil(contract_bound / w_delay)))
    candidates = [0, _ceil((contract_bound - w_span * reach) / (w_delay + w_span))]
    if delay_found is not None:
        candidates.append(_ceil((contract_bound - w_span * (reach + delay_found)) / w_delay))
    return float(max(candidates))


def family_terms(objective: str, portfolio: Portfolio, plan: Plan) -> FamilyTerms:
    """The plan's objective, bound, status and TMS in the family's terms.

    Parameters
    ----------
    objective
        The family objective: ``"makespan"`` or ``"total_project_delay"``
        (:attr:`api.formats.Instance.objective`).
    portfolio
        The portfolio the plan is for.
    plan
        A plan of the engine (contract units).

    Raises
    ------
    ValueError
        For an unknown family objective.
    """
    if objective not in (MAKESPAN, TOTAL_PROJECT_DELAY):
        raise ValueError(f"unknown family objective '{objective}'")
    has_plan = plan.status.has_plan
    weights = portfolio.objective
    first_release = min((release_index(portfolio, p.id) for p in portfolio.projects), default=0)
    tms = plan.kpis.makespan_days - first_release if has_plan else None
    if objective == MAKESPAN:
        value: float | None = float(plan.kpis.makespan_days) if has_plan else None
        bound = makespan_bound(weights, plan.lower_bound)
        exact = set(active_weights(weights)) == {"makespan"}
    else:
        value = float(plan.kpis.project_delay) if has_plan else None
        reach = release_plus_critical_path(portfolio)
        bound = delay_bound(weights, plan.lower_bound, reach, value)
        exact = set(active_weights(weights)) == {"project_delay"}
    status = plan.status
    if has_plan:
        proven = bound is not None and value is not None and bound >= value - _EPS
        status = (
            PlanStatus.optimal
            if proven or (exact and plan.status == PlanStatus.optimal)
            else PlanStatus.feasible
        )
    return FamilyTerms(
        objective=value,
        lower_bound=bound,
        status=status,
        tms=tms,
        contract_objective=plan.objective,
        contract_lower_bound=plan.lower_bound,
        contract_status=plan.status,
    )


def in_family_terms(instance: Instance, portfolio: Portfolio, plan: Plan) -> Plan:
    """A copy of ``plan`` with objective, bound and status in the family's terms.

    The contract figures and the family's reference values go into ``stats``:
    ``contract_objective``, ``contract_lower_bound``, ``contract_status``, ``family``,
    ``family_objective``, ``instance``, ``best_known``, ``best_lower_bound`` and ``tms``.
    """
    terms = family_terms(instance.objective, portfolio, plan)
    stats: dict[str, Any] = {
        **plan.stats,
        "contract_objective": terms.contract_objective,
        "contract_lower_bound": terms.contract_lower_bound,
        "contract_status": terms.contract_status.value,
        "family": instance.family,
        "family_objective": instance.objective,
        "instance": instance.name,
        "best_known": instance.best_known,
        "best_lower_bound": instance.best_lower_bound,
        "tms": terms.tms,
    }
    return plan.model_copy(
        update={
            "objective": terms.objective,
            "lower_bound": terms.lower_bound,
            "status": terms.status,
            "stats": stats,
        }
    )


def solve_instance(
    instance: Instance,
    settings: SolverSettings | None = None,
    progress: Callable[[Progress], None] | None = None,
    stop: StopRequest | None = None,
) -> tuple[Portfolio, Plan]:
    """Parse and solve a benchmark instance; the plan is in the family's terms.

    Parameters
    ----------
    instance
        As returned by :func:`api.formats.read_instance`.
    settings
        Solver settings (default :class:`SolverSettings`).
    progress
        Passed to :func:`solver.solve.solve`; its events are in contract units.
    stop
        Passed to :func:`solver.solve.solve`: ends the search early when requested.
    """
    portfolio = parse_portfolio(instance.portfolio, BENCHMARK_LIMITS)
    plan = solve(portfolio, settings or SolverSettings(), progress, stop)
    return portfolio, in_family_terms(instance, portfolio, plan)


def solve_benchmark_file(
    path: Path,
    family: str,
    settings: SolverSettings | None = None,
    progress: Callable[[Progress], None] | None = None,
    stop: StopRequest | None = None,
) -> tuple[Portfolio, Plan]:
    """Read, parse and solve a public benchmark file.

    Parameters
    ----------
    path
        The instance file (``.sm``, ``.rcmp``, MPLIB ``.txt``, MISTA problem ``.txt``,
        ``.def`` or ``.dzn``).
    family
        One of :data:`FAMILIES`.
    settings
        Solver settings.
    progress
        Progress callback of :func:`solver.solve.solve` (contract units).
    stop
        Ends the search early when requested (see :func:`solver.solve.solve`).

    Returns
    -------
    tuple
        The portfolio and the plan, whose ``objective``, ``lower_bound`` and ``status`` are
        in the family's terms (makespan or total project delay); the contract's figures
        are in ``plan.stats`` (see :func:`in_family_terms`).

    Raises
    ------
    KeyError
        For an unknown family.
    ValueError
        If the file is malformed (the message names the file and the place).
    model.load.InvalidInput
        If the reader produced a portfolio the contract rejects (a reader bug).
    """
    if family not in FAMILIES:
        raise KeyError(f"unknown benchmark format '{family}' (one of {', '.join(FAMILIES)})")
    instance = read_instance(family, Path(path))
    return solve_instance(instance, settings, progress, stop)
