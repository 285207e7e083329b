"""Turn a set of assignments into a complete, verified :class:`~model.plan.Plan`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from model.checker import check_assignments
from model.explanation import Explanation
from model.kpis import compute_kpis, objective_value, project_results, unscheduled_projects
from model.plan import Assignment, Plan, PlanStatus, TaskChange
from model.portfolio import Portfolio

Explainer = Callable[[list[Assignment]], Explanation]
"""Explains a verified plan from its assignments (ordered by start)."""

BOUND_TOLERANCE = 1e-6


def assemble_plan(
    portfolio: Portfolio,
    assignments: list[Assignment],
    status: PlanStatus,
    *,
    lower_bound: float | None = None,
    solve_seconds: float = 0.0,
    stats: dict[str, Any] | None = None,
    explain: Explainer | None = None,
    changes: Callable[[list[Assignment]], list[TaskChange]] | None = None,
) -> Plan:
    """Build a plan once, complete: project results, KPIs, the checker's verdict, its
    final status and, when asked, its explanation and change list.

    A plan claimed ``optimal`` or ``feasible`` that the independent checker rejects is
    downgraded to ``no_solution`` and keeps its violations, so a broken plan is never
    returned as valid. A ``feasible`` plan whose objective meets ``lower_bound`` is
    ``optimal``: the bound proves it.

    Parameters
    ----------
    explain, changes
        Called with the ordered assignments of a plan that passed the checker; their
        results become ``explanation_detail`` and ``changes``.
    """
    ordered = sorted(assignments, key=lambda a: (a.start, a.project, a.task))
    violations = check_assignments(portfolio, ordered)
    results = project_results(portfolio, ordered)
    objective = objective_value(portfolio, ordered, results=results)
    stats = dict(stats or {})
    if status.has_plan and violations:
        stats["rejected_by_checker"] = len(violations)
        status = PlanStatus.no_solution
    elif (
        status in (PlanStatus.feasible, PlanStatus.stopped)
        and lower_bound is not None
        and objective <= lower_bound + BOUND_TOLERANCE
    ):
        status = PlanStatus.optimal
    verified = status.has_plan and not violations
    return Plan(
        status=status,
        objective=objective,
        lower_bound=lower_bound,
        solve_seconds=round(solve_seconds, 3),
        assignments=ordered,
        projects=results,
        unscheduled_projects=unscheduled_projects(portfolio, results),
        kpis=compute_kpis(portfolio, ordered, results=results),
        violations=violations,
        explanation_detail=explain(ordered) if explain is not None and verified else None,
        changes=changes(ordered) if changes is not None and verified else [],
        stats=stats,
    )


def empty_plan(
    status: PlanStatus,
    *,
    explanation: list[str] | None = None,
    solve_seconds: float = 0.0,
    stats: dict[str, Any] | None = None,
) -> Plan:
    """A plan without assignments (infeasible, no solution or invalid input)."""
    return Plan(
        status=status,
        solve_seconds=round(solve_seconds, 3),
        explanation=list(explanation or []),
        stats=dict(stats or {}),
    )
