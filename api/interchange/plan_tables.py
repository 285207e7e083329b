"""A plan as flat tables: assignments, weekly load per person, projects against due, late projects.

The plan workbook (:mod:`api.interchange.plan_xlsx`) and the CSV files
(:mod:`api.interchange.csv_export`) are both written from these tables, so they always
say the same thing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from model.explanation import Explanation
from model.kpis import compute_kpis, project_results
from model.plan import Plan
from model.portfolio import Portfolio


@dataclass(frozen=True)
class Table:
    """A named table: column names and rows of plain values (text, numbers, dates, ``None``)."""

    name: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    note: str = ""


TABLE_NAMES = ("assignments", "load", "projects", "late_projects", "late_chains")
"""Every table of a plan, in the order of the workbook's sheets."""


def assignments_table(portfolio: Portfolio, plan: Plan) -> Table:
    """One row per person on a task (one row with no person for a task without people)."""
    cal = portfolio.work_calendar
    names = {p.id: p.name for p in portfolio.people}
    projects = {p.id: p for p in portfolio.projects}
    rows: list[tuple[Any, ...]] = []
    for a in sorted(plan.assignments, key=lambda a: (a.start, a.project, a.task)):
        project = projects.get(a.project)
        task = next((t for t in project.tasks if t.id == a.task), None) if project else None
        days = cal.floor_index(a.finish) - cal.ceil_index(a.start) + 1
        pools = ", ".join(f"{u.id}×{u.units}" for u in a.pools) or None
        common = (
            a.project,
            project.name if project else None,
            a.task,
            task.name if task else None,
            a.start,
            a.finish,
            days,
        )
        people: list[tuple[Any, ...]] = [(p.id, names.get(p.id), p.allocation) for p in a.people]
        for person in people or [(None, None, None)]:
            rows.append((*common, *person, a.mode, pools))
    return Table(
        "assignments",
        (
            "project",
            "project_name",
            "task",
            "task_name",
            "start",
            "finish",
            "working_days",
            "person",
            "person_name",
            "allocation",
            "mode",
            "pools",
        ),
        rows,
        "one row per person on a task; allocation in percent of the person's day",
    )


def load_table(portfolio: Portfolio, plan: Plan) -> Table:
    """Per person and ISO week: the share of their available capacity the plan books."""
    cal = portfolio.work_calendar
    weeks = sorted({cal.iso_week(i) for i in range(cal.num_days)})
    by_week = compute_kpis(portfolio, plan.assignments).utilisation_by_week
    rows = [(p.id, p.name, *(by_week.get(p.id, {}).get(w) for w in weeks)) for p in portfolio.people]
    return Table(
        "load",
        ("person", "person_name", *weeks),
        rows,
        "booked share of available capacity per ISO week (blank: not available that week)",
    )


def projects_table(portfolio: Portfolio, plan: Plan) -> Table:
    """Per project: planned start and finish against due date and deadline."""
    results = {r.id: r for r in project_results(portfolio, plan.assignments)}
    rows = []
    for p in portfolio.projects:
        r = results.get(p.id)
        scheduled = r is not None and r.scheduled
        late = r.late_days if r is not None else 0
        outcome = "left out" if not scheduled else ("late" if late > 0 else "on time")
        rows.append(
            (
                p.id,
                p.name,
                p.priority,
                p.status.value,
                r.start if r else None,
                r.finish if r else None,
                p.due,
                p.deadline,
                late if scheduled else None,
                outcome,
            )
        )
    return Table(
        "projects",
        (
            "project",
            "name",
            "priority",
            "status",
            "start",
            "finish",
            "due",
            "deadline",
            "late_days",
            "outcome",
        ),
        rows,
        "late_days: working days finished after due",
    )


def explanation_of(portfolio: Portfolio, plan: Plan) -> Explanation:
    """The plan's explanation: the one it carries, else computed from the plan."""
    if plan.explanation_detail is not None:
        return plan.explanation_detail
    from solver.analysis.explain import explain_plan

    return explain_plan(portfolio, plan)


def late_tables(explanation: Explanation) -> tuple[Table, Table]:
    """Why projects are late: one row per late project, and the chain of tasks behind each."""
    late = Table(
        "late_projects",
        ("project", "priority", "due", "finish", "late_days", "wait_days", "explanation"),
        [
            (x.project, x.priority, x.due, x.finish, x.late_days, x.wait_days, x.message)
            for x in explanation.late_projects
        ],
        "most weighted lateness first",
    )
    chains = Table(
        "late_chains",
        ("project", "step", "chain_project", "task", "start", "finish", "how", "wait_days", "explanation"),
        [
            (
                x.project,
                k,
                link.project,
                link.task,
                link.start,
                link.finish,
                link.kind.value,
                link.wait_days,
                link.message,
            )
            for x in explanation.late_projects
            for k, link in enumerate(x.chain, start=1)
        ],
        "the critical chain of each late project, from its last task back",
    )
    return late, chains


def plan_tables(portfolio: Portfolio, plan: Plan) -> list[Table]:
    """Every table of a plan, in the order of :data:`TABLE_NAMES`."""
    late, chains = late_tables(explanation_of(portfolio, plan))
    return [
        assignments_table(portfolio, plan),
        load_table(portfolio, plan),
        projects_table(portfolio, plan),
        late,
        chains,
    ]


def cell_text(value: Any) -> str:
    """A table value as CSV text: dates ISO, ``None`` empty."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)
