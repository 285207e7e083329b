"""The contract's hard rules, one identity each.

A hard rule's value is its one name: the checker function that verifies it
(:data:`model.checker.CHECKS`), the CP-SAT constraint family that enforces it
(:data:`solver.cpsat.constraints.RULE_FAMILIES`) and every violation the checker reports
(:attr:`model.plan.Violation.hard_rule`) carry it. Its :attr:`~HardRule.label` is the
readable form for explanations and the UI.
"""

from __future__ import annotations

from enum import StrEnum


class HardRule(StrEnum):
    """A hard rule every returned plan satisfies (see ``docs/portfolio-format.md``)."""

    PLAN_STRUCTURE = "plan_structure"
    COMPLETE_PROJECTS = "complete_projects"
    TASK_WINDOWS = "task_windows"
    DEPENDENCIES = "dependencies"
    STAFFING = "staffing"
    AVAILABILITY = "availability"
    PERSON_CAPACITY = "person_capacity"
    PARALLEL_PROJECTS = "parallel_projects"
    POOL_CAPACITY = "pool_capacity"
    BUDGETS = "budgets"

    @property
    def label(self) -> str:
        """Readable name."""
        return _ABOUT[self][0]

    @property
    def description(self) -> str:
        """What the rule asks of a plan, in one sentence."""
        return _ABOUT[self][1]

    @property
    def contract_rules(self) -> tuple[int, ...]:
        """Numbers of the contract's hard rules it covers (empty for an extension)."""
        return _ABOUT[self][2]


_ABOUT: dict[HardRule, tuple[str, str, tuple[int, ...]]] = {
    HardRule.PLAN_STRUCTURE: (
        "Plan structure",
        "every assignment names a task of the portfolio, once, on working days of the horizon",
        (1,),
    ),
    HardRule.COMPLETE_PROJECTS: (
        "Complete projects",
        "every task of a committed project is scheduled; a proposed project is wholly in or out",
        (1, 2),
    ),
    HardRule.TASK_WINDOWS: (
        "Task windows",
        "no task starts before its release or earliest start, ends after its deadline or latest "
        "finish, or leaves its fixed start",
        (1, 4),
    ),
    HardRule.DEPENDENCIES: ("Dependencies", "every dependency (FS, SS, FF, SF with its lag) holds", (3,)),
    HardRule.STAFFING: (
        "Staffing",
        "every slot is filled by a distinct person with the skill at the level, fixed people are "
        "on their task, and a task's crew and length match its mode or effort",
        (4, 8),
    ),
    HardRule.AVAILABILITY: (
        "Availability",
        "nobody works outside their availability or on an absence",
        (5,),
    ),
    HardRule.PERSON_CAPACITY: (
        "Person capacity",
        "on every working day a person's allocations add up to at most their capacity",
        (6,),
    ),
    HardRule.PARALLEL_PROJECTS: (
        "Parallel projects",
        "on every working day a person works on at most `max_parallel_projects` projects",
        (7,),
    ),
    HardRule.POOL_CAPACITY: ("Pool capacity", "on every working day a pool's units in use fit its capacity", ()),
    HardRule.BUDGETS: ("Budgets", "what a project's tasks consume stays within each of its budgets", ()),
}
