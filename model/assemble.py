"""Turn a set of assignments into a complete, verified :class:`~model.plan.Plan`."""

from __future__ import annotations

from typing import Any

from model.checker import check_assignments
from model.kpis import compute_kpis, objective_value, project_results, unscheduled_projects
from model.plan import Assignment, Plan, PlanStatus
from model.portfolio import Portfolio


def assemble_plan(
    portfolio: Portfolio,
    assignments: list[Assignment],
    status: PlanStatus,
    *,
    lower_bound: float | None = None,
    solve_seconds: float = 0.0,
    stats: dict[str, Any] | None = None,
) -> Plan:
    """Build a plan with project results, KPIs and the checker's verdict.

    A plan claimed ``optimal`` or ``feasible`` that the independent checker
    rejects is downgraded to ``no_solution`` and keeps its violations, so a
    broken plan is never returned as valid.
    """
    ordered = sorted(assignments, key=lambda a: (a.start, a.project, a.task))
    violations = check_assignments(portfolio, ordered)
    results = project_results(portfolio, ordered)
    stats = dict(stats or {})
    if status.has_plan and violations:
        stats["rejected_by_checker"] = len(violations)
        status = PlanStatus.no_solution
    return Plan(
        status=status,
        objective=objective_value(portfolio, ordered),
        lower_bound=lower_bound,
        solve_seconds=round(solve_seconds, 3),
        assignments=ordered,
        projects=results,
        unscheduled_projects=unscheduled_projects(portfolio, results),
        kpis=compute_kpis(portfolio, ordered),
        violations=violations,
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
