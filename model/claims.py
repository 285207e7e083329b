"""What a plan says about itself, checked against what its assignments give.

The hard rules (:mod:`model.checker`) say whether the assignments are a valid plan; a plan
file also claims a status, an objective, a bound, project results, the proposed projects it
leaves out and KPIs. :func:`claim_violations` recomputes each claim that the plan makes and
reports every one that does not hold, so a plan with made-up figures is not passed as valid.
"""

from __future__ import annotations

import math
from typing import Any

from model.kpis import compute_kpis, objective_value, project_results, unscheduled_projects
from model.plan import Kpis, Plan, Violation
from model.portfolio import Portfolio

STATUS_CLAIM = "Status does not match"
OBJECTIVE_CLAIM = "Objective does not match"
BOUND_CLAIM = "Bound above the objective"
PROJECTS_CLAIM = "Project results do not match"
UNSCHEDULED_CLAIM = "Left-out projects do not match"
KPIS_CLAIM = "KPIs do not match"

RELATIVE_TOLERANCE = 1e-9


def _close(claimed: float, actual: float) -> bool:
    return math.isclose(claimed, actual, rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-6)


def _same(claimed: Any, actual: Any) -> bool:
    """Equal JSON values, numbers compared with a tolerance."""
    if isinstance(claimed, dict) and isinstance(actual, dict):
        return claimed.keys() == actual.keys() and all(_same(claimed[k], actual[k]) for k in claimed)
    if isinstance(claimed, list) and isinstance(actual, list):
        return len(claimed) == len(actual) and all(_same(a, b) for a, b in zip(claimed, actual, strict=True))
    if isinstance(claimed, int | float) and isinstance(actual, int | float):
        return _close(float(claimed), float(actual))
    return bool(claimed == actual)


def _differences(claimed: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    return [key for key in actual if not _same(claimed.get(key), actual[key])]


def claim_violations(portfolio: Portfolio, plan: Plan) -> list[Violation]:
    """Every claim of ``plan`` that its assignments do not bear out.

    A plan without a plan status (infeasible, no solution, invalid) must list no
    assignments. A plan with one has its objective, project results, left-out projects and
    KPIs recomputed; a claim left at its empty default is not a claim and is not compared.
    The bound is checked as far as a plan can show it: never above the objective.

    Parameters
    ----------
    portfolio
        The validated portfolio the plan is for.
    plan
        The plan whose claims to check.

    Returns
    -------
    list of Violation
        Empty when every claim holds.
    """
    if not plan.status.has_plan:
        if plan.assignments:
            return [
                Violation(
                    rule=STATUS_CLAIM,
                    message=f"the status is {plan.status.value} but the plan lists "
                    f"{len(plan.assignments)} assignment(s)",
                )
            ]
        return []
    found: list[Violation] = []
    results = project_results(portfolio, plan.assignments)
    objective = objective_value(portfolio, plan.assignments, results=results)
    if plan.objective is not None and not _close(plan.objective, objective):
        found.append(
            Violation(
                rule=OBJECTIVE_CLAIM,
                message=f"the plan claims {plan.objective:g}; its assignments give {objective:g}",
            )
        )
    if plan.lower_bound is not None and plan.lower_bound > objective + 1e-6 * max(1.0, abs(objective)):
        found.append(
            Violation(
                rule=BOUND_CLAIM,
                message=f"the claimed lower bound {plan.lower_bound:g} is above the plan's own objective {objective:g}",
            )
        )
    if plan.projects:
        claimed = {r.id: r.model_dump(mode="json") for r in plan.projects}
        actual = {r.id: r.model_dump(mode="json") for r in results}
        for pid in _differences(claimed, actual) + sorted(set(claimed) - set(actual)):
            found.append(
                Violation(
                    rule=PROJECTS_CLAIM,
                    message=f"the result of project {pid} does not match its assignments",
                    project=pid,
                )
            )
    left_out = unscheduled_projects(portfolio, results)
    if (plan.unscheduled_projects or plan.projects) and sorted(plan.unscheduled_projects) != sorted(left_out):
        found.append(
            Violation(
                rule=UNSCHEDULED_CLAIM,
                message=f"the plan lists {sorted(plan.unscheduled_projects)} as left out; its assignments "
                f"leave out {sorted(left_out)}",
            )
        )
    if plan.kpis != Kpis():
        claimed_kpis = plan.kpis.model_dump(mode="json")
        actual_kpis = compute_kpis(portfolio, plan.assignments, results=results).model_dump(mode="json")
        wrong = _differences(claimed_kpis, actual_kpis)
        if wrong:
            found.append(Violation(rule=KPIS_CLAIM, message=f"wrong KPI(s): {', '.join(wrong)}"))
    return found
