"""Pydantic models of a feasible plan's explanation (part of the plan's contract).

An :class:`Explanation` tells a PMO *why the plan looks the way it does*: which
skills (or pools) are the bottlenecks week by week, why each late project is late
(its critical chain in the plan and what each task waited for), how much each task
may slip, and where the proposed projects stand. It is computed from a portfolio
and a plan by :func:`solver.analysis.explain.explain_plan`; every list item carries a
readable ``message`` next to its structured data.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field

from model.portfolio import Strict


class Bottleneck(Strict):
    """A skill level (or a pool) booked close to or over its capacity in one ISO week."""

    week: str = Field(description="ISO week, e.g. `2027-W14`.")
    skill: str | None = Field(default=None, description="Skill id (None for a pool).")
    level: int | None = Field(
        default=None, description="Demand counts slots asking for ≥ this level; capacity people at ≥ it."
    )
    pool: str | None = Field(default=None, description="Pool id (None for a skill).")
    demand: float = Field(description="Person-days (pool unit-days) the plan books on it that week.")
    capacity: float = Field(
        description="Capacity-days of the people holding the skill at the level (availability × capacity %), "
        "or pool units × working days."
    )
    utilisation: float = Field(description="demand / capacity (may exceed 1 only for an invalid plan).")
    holders: int = Field(default=0, description="People holding the skill at the level (skills only).")
    holders_booked: float | None = Field(
        default=None,
        description="Share of the holders' capacity booked on any work that week (skills only).",
    )
    message: str = Field(description="Readable summary.")


class WaitCause(StrEnum):
    """Why a person could not take a task that waited."""

    busy = "busy"
    absent = "absent"
    project_limit = "project_limit"


class BusyPerson(Strict):
    """A qualified person who could not take a waiting task during its wait."""

    person: str = Field(description="Person id.")
    cause: WaitCause = Field(description="busy (booked on other tasks), absent, or project_limit.")
    tasks: list[str] = Field(
        default_factory=list, description="`project/task` names the person was booked on during the wait."
    )
    until: dt.date | None = Field(
        default=None, description="Last day of the booking (or absence) that overlaps the wait the most."
    )
    message: str = Field(description="Readable, e.g. `bruno on crm/backend until 2027-03-12`.")


class Shortage(Strict):
    """A requirement (or pool) of a waiting task that could not be filled earlier."""

    skill: str | None = Field(default=None, description="Skill asked for (None for a pool).")
    level: int | None = Field(default=None, description="Minimum level asked for.")
    pool: str | None = Field(default=None, description="Pool id (None for a skill).")
    needed: int = Field(description="People (pool units) the task needs.")
    eligible: int = Field(default=0, description="People who hold the skill at the level.")
    blocked_starts: int = Field(
        description="How many of the earlier start days this requirement alone made impossible."
    )
    busy: list[BusyPerson] = Field(
        default_factory=list, description="Qualified people who were busy or absent (the first few)."
    )
    more_busy: int = Field(default=0, description="Further busy or absent people not listed.")


class LinkKind(StrEnum):
    """How a task on a critical chain got its start."""

    dependency = "dependency"  # a dependency is tight: it started as soon as the predecessor allowed
    wait = "wait"  # it started later than its dependencies and window allowed
    release = "release"  # it started on its project's release (or its own earliest start)
    horizon = "horizon"  # it started on the first day of the horizon
    fixed = "fixed"  # its start is pinned


class ChainLink(Strict):
    """One task of a late project's critical chain in the plan (last task first)."""

    project: str = Field(description="Project id of the task.")
    task: str = Field(description="Task id.")
    start: dt.date = Field(description="Planned start.")
    finish: dt.date = Field(description="Planned finish.")
    kind: LinkKind = Field(description="How the task got its start.")
    predecessor: str | None = Field(
        default=None,
        description="`project/task` that bound the start (dependency), or after which the wait began.",
    )
    dependency: str | None = Field(default=None, description="Type and lag, e.g. `FS+0`.")
    wait_days: int = Field(
        default=0, description="Working days between the earliest allowed and the actual start."
    )
    waited_for: list[Shortage] = Field(
        default_factory=list, description="Requirements that could not be filled during the wait."
    )
    message: str = Field(description="Readable summary of this link.")


class LateProject(Strict):
    """A scheduled project that finishes after its due date, and why."""

    project: str = Field(description="Project id.")
    priority: int = Field(description="Project priority.")
    due: dt.date = Field(description="Due date.")
    finish: dt.date = Field(description="Planned finish.")
    late_days: int = Field(description="Working days late.")
    chain: list[ChainLink] = Field(
        default_factory=list, description="Critical chain in the plan, from the last-finishing task back."
    )
    wait_days: int = Field(default=0, description="Σ working days the chain's tasks waited for resources.")
    message: str = Field(description="Readable explanation.")


class TaskSlack(Strict):
    """Schedule slack of one task (people ignored)."""

    project: str = Field(description="Project id.")
    task: str = Field(description="Task id.")
    start: dt.date = Field(description="Planned start.")
    finish: dt.date = Field(description="Planned finish.")
    slack: int = Field(
        description="Total schedule slack in working days: how far the task may slip (its successors slipping "
        "with it as far as they can) before delaying its project's planned finish or breaking a dependency, "
        "deadline, latest finish or the horizon end. People are ignored."
    )
    free_slack: int = Field(
        description="Working days it may slip with every other task held where the plan puts it."
    )
    critical: bool = Field(description="slack == 0.")


class ProposedOutcome(Strict):
    """Where a proposed project stands in the plan."""

    project: str = Field(description="Project id.")
    priority: int = Field(description="Project priority.")
    included: bool = Field(description="Whether the plan schedules it.")
    earliest_start: dt.date | None = Field(
        default=None,
        description="Left out only: the earliest start found by inserting it into the plan's remaining "
        "capacity (committed work unchanged).",
    )
    earliest_finish: dt.date | None = Field(
        default=None, description="Left out only: finish of that insertion."
    )
    fits: bool | None = Field(
        default=None,
        description="Left out only: whether that insertion meets its deadline and windows (None: not tried).",
    )
    late_days: int | None = Field(
        default=None, description="Left out only: working days that insertion would finish after `due`."
    )
    message: str = Field(description="Readable summary.")


class Explanation(Strict):
    """Why a feasible plan looks the way it does."""

    bottlenecks: list[Bottleneck] = Field(
        default_factory=list, description="Skill levels and pools at ≥ 85 % of capacity, most severe first."
    )
    late_projects: list[LateProject] = Field(
        default_factory=list, description="Late projects, most weighted lateness first."
    )
    slack: list[TaskSlack] = Field(default_factory=list, description="Schedule slack of every planned task.")
    proposed: list[ProposedOutcome] = Field(default_factory=list, description="Every proposed project.")
    summary: list[str] = Field(default_factory=list, description="3–6 readable lines for the CLI.")
