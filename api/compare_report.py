"""Human-readable scenario comparisons: rich tables for the terminal, plain text, markdown.

The data comes from :func:`solver.planning.compare.compare`; the first scenario is the baseline
and every other column shows its value with the change against the baseline.
"""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.table import Table

from api.risk_commands import RISK_STATS, on_time, on_time_text
from api.text import line, plain
from solver.planning.compare import (
    UNCHANGED,
    Comparison,
    PersonCell,
    PersonRow,
    ProjectCell,
    ScenarioOutcome,
)

__all__ = [
    "comparison_data",
    "comparison_markdown",
    "comparison_on_time",
    "comparison_tables",
    "print_comparison",
    "render_comparison",
]

MINUS = "−"


def _noise_note(comparison: Comparison) -> str:
    return (
        "each scenario started from the baseline's plan repaired to it; an objective change within "
        f"{100 * comparison.noise:g} % of the baseline's is solver noise"
    )


def _signed(value: float, digits: int = 0, suffix: str = "") -> str:
    if abs(value) < 0.5 * 10**-digits:
        return f"±0{suffix}"
    text = f"{abs(value):,.{digits}f}"
    return f"{'+' if value > 0 else MINUS}{text}{suffix}"


# (label, attribute, decimals, percent?)
_FIGURES: tuple[tuple[str, str, int, bool], ...] = (
    ("objective", "objective", 0, False),
    ("weighted tardiness", "weighted_tardiness", 0, False),
    ("late projects", "late_projects", 0, False),
    ("late days", "late_days", 0, False),
    ("makespan (working days)", "makespan_days", 0, False),
    ("cost", "total_cost", 0, False),
    ("mean utilisation", "mean_utilisation", 1, True),
    ("proposed left out", "left_out", 0, False),
)


def _figure_cell(outcome: ScenarioOutcome, attr: str, digits: int, percent: bool) -> str:
    if outcome.figures is None:
        return "—"
    value = getattr(outcome.figures, attr)
    if value is None:
        return "—"
    scale = 100 if percent else 1
    suffix = " %" if percent else ""
    text = f"{value * scale:,.{digits}f}{suffix}"
    if outcome.delta is not None:
        delta = getattr(outcome.delta, attr)
        if delta is not None:
            text += f" ({_signed(delta * scale, digits, ' pt' if percent else '')})"
    return text


def _difference(outcome: ScenarioOutcome) -> str:
    """Whether a scenario's change of objective says something about the change or only
    reflects solver noise."""
    if outcome.baseline:
        return "baseline"
    if outcome.delta is None or outcome.noise_threshold is None:
        return "—"
    if outcome.start == UNCHANGED:
        return "none: the baseline's plan"
    if outcome.within_noise:
        return f"within solver noise (≤ {outcome.noise_threshold:,.0f})"
    return "beyond solver noise"


def _summary_rows(comparison: Comparison) -> list[list[str]]:
    rows = [["status", *(s.status.value for s in comparison.scenarios)]]
    for label, attr, digits, percent in _FIGURES:
        rows.append([label, *(_figure_cell(s, attr, digits, percent) for s in comparison.scenarios)])
    rows.append(["objective change", *(_difference(s) for s in comparison.scenarios)])
    rows.append(["solve seconds", *(f"{s.solve_seconds:.1f}" for s in comparison.scenarios)])
    return rows


def _project_cell(cell: ProjectCell) -> str:
    if cell.state == "absent":
        return "absent"
    if cell.state == "left_out":
        return "left out"
    if cell.state == "no_plan" or cell.finish is None:
        return "—"
    text = cell.finish.isoformat()
    if cell.finish_delta_days:
        text += f" ({_signed(cell.finish_delta_days)} d)"
    if cell.late_days:
        text += f", {cell.late_days} d late"
    return text


def _with_risk(comparison: Comparison) -> bool:
    """Whether the scenarios' plans carry on-time probabilities (``--risk-samples`` not 0)."""
    return any(RISK_STATS in plan.stats for plan in comparison.plans.values())


def _project_header(comparison: Comparison) -> list[str]:
    """The project table's scenario columns: each scenario's finish, then its on-time probability."""
    risk = _with_risk(comparison)
    return [c for n in comparison.names for c in ((n, f"{n} on time") if risk else (n,))]


def _project_rows(comparison: Comparison) -> list[list[str]]:
    risk = _with_risk(comparison)
    rows = []
    for row in comparison.projects:
        cells = []
        for n in comparison.names:
            cells.append(_project_cell(row.cells[n]))
            if risk:
                plan = comparison.plans.get(n)
                cells.append(on_time_text(plan, row.id) if plan is not None else "—")
        rows.append([row.id, str(row.priority), *cells])
    return rows


def comparison_data(comparison: Comparison, with_plans: bool = False) -> dict[str, Any]:
    """The comparison as JSON data (``pmo compare --json``), with ``on_time`` (:func:`comparison_on_time`).

    Parameters
    ----------
    comparison
        The comparison.
    with_plans
        Add each scenario's plan JSON (``plans``).

    Returns
    -------
    dict
        JSON-ready data.
    """
    data = comparison.dump(with_plans=with_plans)
    data["on_time"] = comparison_on_time(comparison)
    return data


def comparison_on_time(comparison: Comparison) -> dict[str, dict[str, float | None]]:
    """Per scenario with on-time probabilities, each project's P(finish ≤ due) (None: no due date).

    Parameters
    ----------
    comparison
        A comparison whose plans went through :func:`api.risk_commands.attach_risk`.

    Returns
    -------
    dict
        Scenario name → project id → probability; empty when no plan carries risk.
    """
    return {
        name: {row.id: on_time(plan, row.id) for row in comparison.projects}
        for name, plan in comparison.plans.items()
        if RISK_STATS in plan.stats
    }


def _names_text(items: list[str], limit: int = 4) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" +{len(items) - limit} more" if len(items) > limit else "")


def _move_row(
    person: PersonRow, name: str, base_cell: PersonCell, cell: PersonCell
) -> tuple[float, list[str]] | None:
    """``(weight, row)`` of one person in one scenario, or ``None`` when nothing changes."""
    if cell.present and not base_cell.present:
        what = "new: " + (_names_text(cell.projects) or "no work")
        weight = 1000.0
    elif base_cell.present and not cell.present:
        what = "gone: frees " + (_names_text(base_cell.projects) or "no work")
        weight = 1000.0
    elif cell.moved:
        parts = []
        if cell.added_projects:
            parts.append("+ " + _names_text(cell.added_projects))
        if cell.removed_projects:
            parts.append(f"{MINUS} " + _names_text(cell.removed_projects))
        what = "; ".join(parts) or "same projects"
        weight = len(cell.added_projects) + len(cell.removed_projects) + abs(cell.utilisation_delta or 0.0)
    else:
        return None
    util = f"{100 * cell.utilisation:.0f} %" if cell.utilisation is not None else "—"
    if cell.utilisation_delta is not None:
        util += f" ({_signed(100 * cell.utilisation_delta, 0, ' pt')})"
    tasks = f"+{len(cell.added_tasks)} {MINUS}{len(cell.removed_tasks)}" if cell.present else "—"
    return weight, [person.id, name, util, what, tasks]


def _move_rows(comparison: Comparison, limit: int | None = None) -> tuple[list[list[str]], int]:
    """Rows of people whose work changes (biggest changes first) and how many were left out."""
    base = comparison.baseline
    if not comparison.outcome(base).has_plan:
        return [], 0
    found: list[tuple[float, int, list[str]]] = []
    for person in comparison.people:
        for k, name in enumerate(comparison.names[1:]):
            cell = person.cells[name]
            if not cell.planned:
                continue
            row = _move_row(person, name, person.cells[base], cell)
            if row is not None:
                found.append((-row[0], k, row[1]))
    found.sort(key=lambda x: (x[0], x[1]))
    rows = [r for _, _, r in found]
    if limit is not None and len(rows) > limit:
        return rows[:limit], len(rows) - limit
    return rows, 0


MOVE_COLUMNS = ["person", "scenario", "utilisation", "projects joined (+) / left (−)", "tasks"]


def comparison_tables(comparison: Comparison, max_moves: int | None = 40) -> list[Table]:
    """The rich tables of a comparison: summary, projects, who moves to what.

    Parameters
    ----------
    comparison
        The result of :func:`solver.planning.compare.compare`.
    max_moves
        At most this many rows in the "who moves to what" table (biggest changes
        first); ``None`` for all.
    """
    names = comparison.names
    summary = Table(title=plain(f"Scenarios (baseline: {comparison.baseline})"))
    summary.add_column("")
    for name in names:
        summary.add_column(plain(name), justify="right")
    for row in _summary_rows(comparison):
        summary.add_row(*(plain(cell) for cell in row))

    title = "Project finish (Δ working days vs baseline)"
    if _with_risk(comparison):
        title += " and P(finish ≤ due)"
    projects = Table(title=title)
    widest = max((len(p.id) for p in comparison.projects), default=7)
    projects.add_column("project", min_width=min(widest, 36))
    projects.add_column("prio", justify="right")
    for name in _project_header(comparison):
        projects.add_column(plain(name), justify="right")
    for row in _project_rows(comparison):
        projects.add_row(*(plain(cell) for cell in row))

    tables = [summary, projects]
    moves, hidden = _move_rows(comparison, max_moves)
    if moves:
        title = "Who moves to what (vs baseline)"
        if hidden:
            title += f": the {len(moves)} biggest changes, {hidden} more not shown"
        people = Table(title=title)
        for col in MOVE_COLUMNS:
            people.add_column(col, justify="right" if col == "tasks" else "left")
        for row in moves:
            people.add_row(*(plain(cell) for cell in row))
        tables.append(people)
    return tables


def print_comparison(console: Console, comparison: Comparison, max_moves: int | None = 40) -> None:
    """Print the comparison tables to a rich console (see :func:`comparison_tables`)."""
    for table in comparison_tables(comparison, max_moves):
        console.print(table)
    for outcome in comparison.scenarios:
        for text in outcome.explanation:
            console.print(line(f"{outcome.name}: {text}"))
    console.print(
        f"{len(comparison.scenarios)} scenario(s) solved in {comparison.wall_seconds:.1f} s "
        f"({comparison.parallel} at a time); {_noise_note(comparison)}"
    )


def render_comparison(comparison: Comparison, width: int = 120, max_moves: int | None = 40) -> str:
    """The comparison as plain text tables (no colours), e.g. for logs and benchmarks.

    Parameters
    ----------
    comparison
        The result of :func:`solver.planning.compare.compare`.
    width
        Line width in characters.
    max_moves
        At most this many "who moves to what" rows; ``None`` for all.

    Returns
    -------
    str
        The tables, one after the other.
    """
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, no_color=True, highlight=False, force_terminal=False)
    print_comparison(console, comparison, max_moves)
    return buffer.getvalue()


def md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A markdown table's lines (pipes in the header and the cells escaped)."""

    def esc(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["| " + " | ".join(esc(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return lines


def comparison_markdown(comparison: Comparison) -> str:
    """The comparison as a markdown report (summary, projects, who moves to what).

    Parameters
    ----------
    comparison
        The result of :func:`solver.planning.compare.compare`.

    Returns
    -------
    str
        Markdown text.
    """
    names = comparison.names
    lines = [f"# Scenario comparison (baseline: {comparison.baseline})", ""]
    lines += md_table(["", *names], _summary_rows(comparison))
    note = _noise_note(comparison)
    lines += ["", note[0].upper() + note[1:] + "."]
    lines += [
        "",
        "## Projects",
        "",
        "Finish date, change in working days against the baseline, lateness"
        + (", and the probability of finishing by the due date." if _with_risk(comparison) else "."),
        "",
    ]
    lines += md_table(["project", "priority", *_project_header(comparison)], _project_rows(comparison))
    moves, _ = _move_rows(comparison)
    lines += ["", "## Who moves to what", ""]
    if moves:
        lines += md_table(MOVE_COLUMNS, moves)
    else:
        lines.append("No one's work changes.")
    notes = [f"* {o.name}: {line}" for o in comparison.scenarios for line in o.explanation]
    if notes:
        lines += ["", "## Why some scenarios have no plan", "", *notes]
    lines.append("")
    return "\n".join(lines)
