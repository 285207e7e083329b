"""What a replan changed, for people: the terminal summary and the markdown report's sections.

A replan's plan carries its changes (``plan.changes``) and, in ``plan.stats["replan"]``, the
projects changed since the baseline, each project's finish and lateness before and after,
and why each changed project still late stays where it is (:func:`solver.planning.replan.replan`).
"""

from __future__ import annotations

from typing import Any

from rich.console import Console

from api.risk_commands import RISK_STATS, on_time_text
from api.text import line, md_cell
from model.plan import Plan, TaskChange

SHOWN_CHANGES = 30  # changes printed on the terminal (--json, -o and --report list every one)
REPORTED_CHANGES = 2000  # rows of the report's Changes table: a readable document, not a dump


def _span(start: object, finish: object) -> str:
    return f"{start} – {finish}"


def change_text(change: TaskChange) -> str:
    """One change in words, with its dates: ``moved 2027-05-03 – 2027-05-14 → 2027-06-01 –
    2027-06-11 (+14 working days); +bob, -alice``."""
    if change.change == "added":
        return f"added {_span(change.new_start, change.new_finish)}"
    if change.change == "removed":
        return f"removed (was {_span(change.old_start, change.old_finish)})"
    parts = [change.change]
    if "moved" in change.change:
        parts.append(
            f"{_span(change.old_start, change.old_finish)} → {_span(change.new_start, change.new_finish)} "
            f"({change.shift_days:+d} working days)"
        )
    else:
        parts.append(_span(change.new_start, change.new_finish))
    people = [f"+{p}" for p in change.people_added] + [f"-{p}" for p in change.people_removed]
    text = " ".join(parts)
    return f"{text}; {', '.join(people)}" if people else text


def _replan_stats(plan: Plan) -> dict[str, Any]:
    stats = plan.stats.get("replan")
    return stats if isinstance(stats, dict) else {}


def shown_projects(plan: Plan) -> list[dict[str, Any]]:
    """The before/after rows worth showing: projects changed since the baseline, and those
    whose finish or lateness moved."""
    stats = _replan_stats(plan)
    changed = {c["project"] for c in stats.get("changed_projects", [])}
    return [
        row
        for row in stats.get("projects", [])
        if row["project"] in changed
        or row["finish_before"] != row["finish_after"]
        or row["late_days_before"] != row["late_days_after"]
    ]


def _cell(value: object) -> str:
    return "—" if value is None else str(value)


def _figures(plan: Plan) -> str:
    changed = plan.stats.get("changed_tasks", 0)
    total = plan.stats.get("baseline_tasks", 0)
    cost = plan.stats.get("disruption_cost", 0)
    return (
        f"{len(plan.changes)} change(s) against the baseline ({changed} of {total} tasks changed, "
        f"disruption cost {cost:,.0f})"
    )


def print_replan(console: Console, plan: Plan, shown: int = SHOWN_CHANGES) -> None:
    """Print what a replan changed: the figures, the projects changed since the baseline,
    each shown project's finish and lateness before → after, why changed projects stay where
    they are, and the first ``shown`` changes with their dates ("… N more" for the rest)."""
    stats = _replan_stats(plan)
    console.print(line(_figures(plan)))
    for c in stats.get("changed_projects", []):
        console.print(line(f"  changed since the baseline: {c['project']}: {c['change']}"))
    rows = shown_projects(plan)
    if rows:
        console.print(line(("Projects, before → after", "bold")))
        risk = RISK_STATS in plan.stats
        for row in rows:
            odds = f", on time {on_time_text(plan, row['project'])}" if risk else ""
            console.print(
                line(
                    f"  {row['project']} (priority {row['priority']}): finish {_cell(row['finish_before'])} → "
                    f"{_cell(row['finish_after'])}, late days {_cell(row['late_days_before'])} → "
                    f"{_cell(row['late_days_after'])}{odds}"
                )
            )
    for reason in stats.get("reasons", []):
        console.print(line("  • ", reason))
    if plan.changes:
        console.print(line(("Changes", "bold")))
    for change in plan.changes[:shown]:
        console.print(line(f"  {change.project}/{change.task}: {change_text(change)}"))
    if len(plan.changes) > shown:
        console.print(line(f"  … {len(plan.changes) - shown:,} more (-o, --json or --report list them all)"))


def replan_markdown(plan: Plan, reported: int = REPORTED_CHANGES) -> list[str]:
    """The report's replan sections (empty for a plan that is not a replan): what changed
    since the baseline and why, a before/after table per project, and a Changes table
    (the first ``reported`` changes, then "… N more").

    Parameters
    ----------
    plan
        A plan, a replan's or not.
    reported
        Rows of the Changes table at most.

    Returns
    -------
    list[str]
        Markdown lines to append to the report (none for a plan that is not a replan).
    """
    stats = _replan_stats(plan)
    if not stats and not plan.changes:
        return []
    lines = ["", "## Replan", "", _figures(plan) + "."]
    changed = stats.get("changed_projects", [])
    if changed:
        lines += ["", "Changed since the baseline:", ""]
        lines += [f"- {md_cell(c['project'])}: {md_cell(c['change'])}" for c in changed]
    reasons = stats.get("reasons", [])
    if reasons:
        lines += ["", "Why:", ""] + [f"- {md_cell(r)}" for r in reasons]
    rows = shown_projects(plan)
    if rows:
        risk = RISK_STATS in plan.stats
        lines += [
            "",
            "## Projects before and after",
            "",
            "| project | priority | due | finish before | finish after | late days before | late days after |"
            + (" on time after |" if risk else ""),
            "|---|---|---|---|---|---|---|" + ("---|" if risk else ""),
        ]
        keys = (
            "project",
            "priority",
            "due",
            "finish_before",
            "finish_after",
            "late_days_before",
            "late_days_after",
        )
        for row in rows:
            values = [_cell(row[k]) for k in keys] + ([on_time_text(plan, row["project"])] if risk else [])
            lines.append("| " + " | ".join(md_cell(v) for v in values) + " |")
    lines += ["", "## Changes", ""]
    if not plan.changes:
        return [*lines, "No task changed: the baseline is kept."]
    lines += [
        "| project | task | change | start before | finish before | start after | finish after | "
        "shift (working days) | people added | people removed |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in plan.changes[:reported]:
        cells = (
            c.project,
            c.task,
            c.change,
            _cell(c.old_start),
            _cell(c.old_finish),
            _cell(c.new_start),
            _cell(c.new_finish),
            f"{c.shift_days:+d}",
            ", ".join(c.people_added),
            ", ".join(c.people_removed),
        )
        lines.append("| " + " | ".join(md_cell(x) for x in cells) + " |")
    if len(plan.changes) > reported:
        lines += ["", f"… {len(plan.changes) - reported:,} more (the plan JSON lists every change)."]
    return lines
