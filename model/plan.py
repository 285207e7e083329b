"""Pydantic models of the plan (the output side of the contract)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import Field

from model.explanation import Explanation
from model.hard_rules import HardRule
from model.portfolio import Identifier, Int, Strict


class PlanStatus(StrEnum):
    """Outcome of a solve."""

    optimal = "optimal"
    feasible = "feasible"
    infeasible = "infeasible"
    no_solution = "no_solution"
    invalid = "invalid"
    stopped = "stopped"
    """Stopped early on request (a signal): the best plan found so far, verified, not proven best."""

    @property
    def has_plan(self) -> bool:
        """Whether a plan with assignments comes with this status."""
        return self in (PlanStatus.optimal, PlanStatus.feasible, PlanStatus.stopped)


class PersonAllocation(Strict):
    """A person on a task and the share of their day they give it."""

    id: Identifier = Field(description="Person id.")
    allocation: Int = Field(ge=1, le=100, description="Percent of the day given to the task.")


class PoolUse(Strict):
    """Units of a pool a task uses on each of its days."""

    id: Identifier = Field(description="Pool id.")
    units: Int = Field(ge=1, description="Units used per working day.")


class Assignment(Strict):
    """When a task runs and who does it."""

    project: Identifier = Field(description="Project id.")
    task: Identifier = Field(description="Task id within the project.")
    start: dt.date = Field(description="First working day (inclusive).")
    finish: dt.date = Field(description="Last working day (inclusive).")
    people: list[PersonAllocation] = Field(default_factory=list, description="Who works on it.")
    mode: Int | None = Field(
        default=None, ge=0, description="Index of the chosen mode (tasks with `modes` only)."
    )
    pools: list[PoolUse] = Field(
        default_factory=list, description="Pool units used (informative; derived from the mode)."
    )


class ProjectResult(Strict):
    """Where a project ends up in the plan."""

    id: str = Field(description="Project id.")
    scheduled: bool = Field(description="False for a proposed project left out of the plan.")
    start: dt.date | None = Field(default=None, description="Start of its first task.")
    finish: dt.date | None = Field(default=None, description="Finish of its last task.")
    due: dt.date | None = Field(default=None, description="The project's due date.")
    late_days: int = Field(default=0, ge=0, description="Working days finished after `due`.")


class Kpis(Strict):
    """Key figures computed from the plan alone."""

    weighted_tardiness: int = Field(default=0, description="Σ priority × late working days.")
    late_projects: int = Field(default=0, description="Number of scheduled projects finishing late.")
    late_days: int = Field(default=0, description="Σ late working days over projects.")
    makespan_days: int = Field(
        default=0, description="Working days from the horizon start to the last finish."
    )
    project_delay: int = Field(
        default=0, description="Σ working days each project ends after its release + critical path."
    )
    total_cost: float = Field(default=0, description="Σ person-day cost of the plan.")
    utilisation: dict[str, float] = Field(
        default_factory=dict,
        description="Per person: booked share of their available capacity over the horizon.",
    )
    utilisation_by_week: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="Per person, per ISO week (`2027-W05`): booked share of available capacity.",
    )


class Violation(Strict):
    """A broken hard rule found by the independent checker."""

    rule: str = Field(description="What is wrong, in a few readable words, e.g. 'Over capacity'.")
    hard_rule: HardRule | None = Field(
        default=None, description="The hard rule broken, e.g. `person_capacity` (see `model.hard_rules`)."
    )
    message: str = Field(description="What is wrong, in PMO words.")
    project: str | None = Field(default=None, description="Project concerned.")
    task: str | None = Field(default=None, description="Task concerned.")
    person: str | None = Field(default=None, description="Person concerned.")
    day: dt.date | None = Field(default=None, description="Day concerned.")


class ErrorItem(Strict):
    """A problem with the input, with its JSON path."""

    path: str = Field(description="JSON path, e.g. `projects[2].tasks[5].requirements[0].skill`.")
    message: str = Field(description="What is wrong.")


class TaskChange(Strict):
    """How a task differs from the baseline plan of a replan."""

    project: str = Field(description="Project id.")
    task: str = Field(description="Task id.")
    change: str = Field(description="`moved`, `restaffed`, `moved+restaffed`, `added` or `removed`.")
    old_start: dt.date | None = Field(default=None, description="Start in the baseline.")
    new_start: dt.date | None = Field(default=None, description="Start in the new plan.")
    old_finish: dt.date | None = Field(default=None, description="Finish in the baseline.")
    new_finish: dt.date | None = Field(default=None, description="Finish in the new plan.")
    shift_days: int = Field(default=0, description="Working days the start moved (later > 0).")
    people_added: list[str] = Field(default_factory=list, description="People now on the task.")
    people_removed: list[str] = Field(default_factory=list, description="People no longer on it.")


class Plan(Strict):
    """A staffing plan (or why there is none)."""

    status: PlanStatus = Field(
        description="optimal, feasible, stopped (early, on request), infeasible, no_solution or invalid."
    )
    objective: float | None = Field(default=None, description="Objective value of the plan.")
    lower_bound: float | None = Field(default=None, description="Proven lower bound.")
    solve_seconds: float = Field(default=0, description="Wall time spent solving.")
    assignments: list[Assignment] = Field(default_factory=list, description="Scheduled tasks.")
    projects: list[ProjectResult] = Field(default_factory=list, description="Per-project outcome.")
    unscheduled_projects: list[str] = Field(default_factory=list, description="Proposed projects left out.")
    kpis: Kpis = Field(default_factory=Kpis, description="Key figures of the plan.")
    violations: list[Violation] = Field(
        default_factory=list, description="Broken hard rules (always empty for a valid plan)."
    )
    errors: list[ErrorItem] = Field(default_factory=list, description="Input problems (invalid).")
    explanation: list[str] = Field(default_factory=list, description="Why there is no plan, in PMO terms.")
    changes: list[TaskChange] = Field(
        default_factory=list, description="Replanning: what changed against the baseline plan."
    )
    explanation_detail: Explanation | None = Field(
        default=None, description="Bottlenecks, why projects are late, slack, proposed projects."
    )
    stats: dict[str, Any] = Field(
        default_factory=dict,
        description="Solver statistics: method, time to first plan, gap, …",
    )
