"""The portfolio workbook: its sheets, their columns, and what each column holds.

Row 1 of every sheet holds the column names, row 2 a note on each column (never read),
data starts on row 3. The People sheet has one column per skill after its fixed columns
(the level 1…5 of each person, blank for none). The Settings sheet is a list of
``setting | value`` rows. Writer and reader share these tables, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What a column's cells hold."""

    ID = "id"  # text; a number typed into an id cell is read as its digits
    TEXT = "text"
    INT = "int"
    NUMBER = "number"
    DATE = "date"
    IDS = "ids"  # comma-separated ids
    AMOUNTS = "amounts"  # comma-separated `id=amount`
    CHOICE = "choice"  # one of a fixed list
    WORKDAYS = "workdays"  # comma-separated weekday names


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its name (row 1), kind, note (row 2) and, for choices, the list."""

    name: str
    kind: Kind
    note: str
    choices: tuple[str, ...] = ()
    lookup: str | None = None  # sheet whose first column lists the allowed values


@dataclass(frozen=True)
class Sheet:
    """A sheet of the workbook and its columns in order."""

    name: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        return next(c for c in self.columns if c.name == name)


HEADER_ROW = 1
NOTES_ROW = 2
FIRST_DATA_ROW = 3
VALIDATION_ROWS = 1000
"""Data-validation lists and rules cover the rows up to this one (or the data, if longer)."""

DEPENDENCY_KINDS = ("FS", "SS", "FF", "SF")
STATUSES = ("committed", "proposed")
SKILL_PREFIX = "skill:"
"""A People column named ``skill:<id>`` is always a skill column (for a skill named like a fixed column)."""

SETTINGS = Sheet(
    "Settings",
    (
        Column("setting", Kind.TEXT, "name, start, end, workdays, holiday (one row each), objective weights"),
        Column("value", Kind.TEXT, "dates as YYYY-MM-DD; workdays as mon, tue, …; weights ≥ 0"),
    ),
)
SETTING_NOTES: dict[str, str] = {
    "name": "name of the portfolio",
    "start": "first day of the planning horizon",
    "end": "last day of the planning horizon (inclusive)",
    "workdays": "working weekdays, e.g. mon, tue, wed, thu, fri",
    "holiday": "a date that is never a working day (one row per holiday)",
    "tardiness": "weight of priority × working days late against due",
    "completion": "weight of priority × finish day (finish early)",
    "cost": "weight of person-day cost",
    "continuity": "weight of distinct people per project",
    "makespan": "weight of the plan's last finish",
    "project_delay": "weight of each project's delay against its critical path",
}
OBJECTIVE_SETTINGS = ("tardiness", "completion", "cost", "continuity", "makespan", "project_delay")

SKILLS = Sheet(
    "Skills",
    (
        Column("id", Kind.ID, "unique skill id (used as a People column and in Requirements)"),
        Column("name", Kind.TEXT, "readable name"),
    ),
)
PEOPLE = Sheet(
    "People",
    (
        Column("id", Kind.ID, "unique person id"),
        Column("name", Kind.TEXT, "readable name"),
        Column("capacity", Kind.INT, "percent of a day, 1–100 (blank: 100)"),
        Column("available_from", Kind.DATE, "join date (blank: horizon start)"),
        Column("available_until", Kind.DATE, "leave date (blank: horizon end)"),
        Column("cost_per_day", Kind.NUMBER, "cost of a full day (blank: 0)"),
        Column("max_parallel_projects", Kind.INT, "at most this many projects a day (blank: no limit)"),
    ),
)
SKILL_COLUMN_NOTE = "level 1–5 (blank: none)"
ABSENCES = Sheet(
    "Absences",
    (
        Column("person", Kind.ID, "person id", lookup="People"),
        Column("start", Kind.DATE, "first day of leave"),
        Column("end", Kind.DATE, "last day of leave (inclusive)"),
    ),
)
POOLS = Sheet(
    "Pools",
    (
        Column("id", Kind.ID, "unique pool id (contractors, rooms, rigs)"),
        Column("name", Kind.TEXT, "readable name"),
        Column("capacity", Kind.INT, "units available on every working day"),
    ),
)
PROJECTS = Sheet(
    "Projects",
    (
        Column("id", Kind.ID, "unique project id"),
        Column("name", Kind.TEXT, "readable name"),
        Column("priority", Kind.INT, "1–10 (blank: 5)"),
        Column("status", Kind.CHOICE, "committed or proposed (blank: committed)", choices=STATUSES),
        Column("release", Kind.DATE, "no task starts before (blank: horizon start)"),
        Column("due", Kind.DATE, "soft target finish"),
        Column("deadline", Kind.DATE, "hard latest finish"),
    ),
)
BUDGETS = Sheet(
    "Budgets",
    (
        Column("project", Kind.ID, "project id", lookup="Projects"),
        Column("budget", Kind.ID, "consumable budget id"),
        Column("limit", Kind.INT, "the project's total limit"),
    ),
)
TASKS = Sheet(
    "Tasks",
    (
        Column("project", Kind.ID, "project id", lookup="Projects"),
        Column("id", Kind.ID, "task id, unique within its project"),
        Column("name", Kind.TEXT, "readable name"),
        Column("duration", Kind.INT, "working days (or give effort, or modes on the Modes sheet)"),
        Column("effort", Kind.NUMBER, "person-days shared by the crew"),
        Column("crew_min", Kind.INT, "effort tasks: smallest crew"),
        Column("crew_max", Kind.INT, "effort tasks: largest crew"),
        Column("consumes", Kind.AMOUNTS, "budget=amount, …"),
        Column("fixed_start", Kind.DATE, "pinned start date"),
        Column("fixed_people", Kind.IDS, "person ids that must be on it, comma-separated"),
        Column("earliest_start", Kind.DATE, "task window: earliest start"),
        Column("latest_finish", Kind.DATE, "task window: latest finish"),
    ),
)
MODES = Sheet(
    "Modes",
    (
        Column("project", Kind.ID, "project id", lookup="Projects"),
        Column("task", Kind.ID, "task id"),
        Column("mode", Kind.INT, "0, 1, 2, … (as in the plan's assignments)"),
        Column("id", Kind.TEXT, "optional name of the mode"),
        Column("duration", Kind.INT, "working days in this mode"),
        Column("consumes", Kind.AMOUNTS, "budget=amount, …"),
    ),
)
REQUIREMENTS = Sheet(
    "Requirements",
    (
        Column("project", Kind.ID, "project id", lookup="Projects"),
        Column("task", Kind.ID, "task id"),
        Column("mode", Kind.INT, "blank: the task's own; a number: that mode's"),
        Column("skill", Kind.ID, "skill id (or give pool)", lookup="Skills"),
        Column("level", Kind.INT, "minimum level 1–5 (blank: 1)"),
        Column("count", Kind.INT, "people (blank: 1)"),
        Column("allocation", Kind.INT, "percent of their day, 1–100 (blank: 100)"),
        Column("pool", Kind.ID, "pool id (instead of skill)", lookup="Pools"),
        Column("units", Kind.INT, "pool units (blank: 1)"),
    ),
)
DEPENDENCIES = Sheet(
    "Dependencies",
    (
        Column("project", Kind.ID, "project id of the successor", lookup="Projects"),
        Column("task", Kind.ID, "successor task id"),
        Column("predecessor", Kind.ID, "task id of the same project, or project/task"),
        Column("type", Kind.CHOICE, "FS, SS, FF or SF (blank: FS)", choices=DEPENDENCY_KINDS),
        Column("lag", Kind.INT, "working days, may be negative (blank: 0)"),
    ),
)

SHEETS: tuple[Sheet, ...] = (
    SETTINGS,
    SKILLS,
    PEOPLE,
    ABSENCES,
    POOLS,
    PROJECTS,
    BUDGETS,
    TASKS,
    MODES,
    REQUIREMENTS,
    DEPENDENCIES,
)
REQUIRED_SHEETS = frozenset({"Settings", "Skills", "People", "Projects", "Tasks"})
"""Sheets every workbook has; the others may be left out when empty."""

ACTUALS = Sheet(
    "Actuals",
    (
        Column("project", Kind.ID, "project id"),
        Column("task", Kind.ID, "task id (a task not listed, or without actual_start, has not started)"),
        Column("actual_start", Kind.DATE, "day work began (on or before the status date)"),
        Column("actual_finish", Kind.DATE, "last working day of a done task (blank: not done)"),
        Column("percent_complete", Kind.NUMBER, "0–100, work done of an unfinished task"),
        Column("remaining_days", Kind.NUMBER, "working days left (instead of percent_complete)"),
        Column("status_date", Kind.DATE, "the status date, in the first data row (YYYY-MM-DD)"),
    ),
)
"""The status update (actuals) sheet: its own workbook, or a sheet added to the portfolio's."""
