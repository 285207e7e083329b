"""Domain model of the contract: portfolio, plan, rules, checker and KPIs.

This package never imports ortools or fastapi.
"""

from model.assemble import assemble_plan, empty_plan
from model.calendar import WorkCalendar
from model.checker import check_assignments, check_plan
from model.kpis import compute_kpis, objective_breakdown, objective_value
from model.limits import DEFAULT_LIMITS, InputLimits
from model.load import InvalidInput, parse_model, parse_portfolio, read_json
from model.plan import Assignment, Kpis, PersonAllocation, Plan, PlanStatus, ProjectResult, Violation
from model.portfolio import Portfolio, Project, ProjectStatus, Task
from model.rules import Issue

__all__ = [
    "DEFAULT_LIMITS",
    "Assignment",
    "InputLimits",
    "InvalidInput",
    "Issue",
    "Kpis",
    "PersonAllocation",
    "Plan",
    "PlanStatus",
    "Portfolio",
    "Project",
    "ProjectResult",
    "ProjectStatus",
    "Task",
    "Violation",
    "WorkCalendar",
    "assemble_plan",
    "check_assignments",
    "check_plan",
    "compute_kpis",
    "empty_plan",
    "objective_breakdown",
    "objective_value",
    "parse_model",
    "parse_portfolio",
    "read_json",
]
