"""Human-readable summaries of a plan: rich tables for the terminal, markdown for reports."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from api.replan_report import replan_markdown
from api.text import line, md_cell, plain
from model.explanation import Explanation
from model.plan import Plan, PlanStatus
from model.portfolio import Portfolio

STATUS_TEXT = {
    PlanStatus.optimal: "optimal plan (proven best)",
    PlanStatus.feasible: "valid plan (not proven best)",
    PlanStatus.stopped: "stopped early: the best valid plan found so far (not proven best)",
    PlanStatus.infeasible: "infeasible: no plan satisfies the hard rules",
    PlanStatus.no_solution: "no plan found in time",
    PlanStatus.invalid: "invalid input",
}


def _project_rows(portfolio: Portfolio, plan: Plan) -> list[list[str]]:
    names = {p.id: p for p in portfolio.projects}
    rows = []
    for r in plan.projects:
        project = names[r.id]
        finish = r.finish.isoformat() if r.finish else "left out"
        due = r.due.isoformat() if r.due else "—"
        late = str(r.late_days) if r.scheduled else "—"
        rows.append([r.id, project.status.value, str(project.priority), finish, due, late])
    return rows


def _gap_text(plan: Plan) -> str:
    if plan.objective is None or plan.lower_bound is None:
        return "—"
    if plan.objective == 0:
        return "0 %"
    return f"{100 * max(0.0, plan.objective - plan.lower_bound) / abs(plan.objective):.1f} %"


def _bound_text(plan: Plan) -> str:
    """The lower bound, and what proves it when that is known."""
    if plan.lower_bound is None:
        return "—"
    method = plan.stats.get("bound_method")
    source = plan.stats.get("bound_from")
    why = method if method else (f"capacity of {source}" if source else None)
    return f"{plan.lower_bound:,.0f}" + (f" ({why})" if why else "")


def lateness_text(plan: Plan) -> str | None:
    """The lateness bound in working days, in PMO words (None when the solve did not give one)."""
    bound = plan.stats.get("late_days_bound")
    if bound is None:
        return None
    method = plan.stats.get("late_days_bound_method", "")
    late = plan.kpis.late_days
    gap = plan.stats.get("late_days_gap_pct")
    text = f"lateness: at least {bound} late day(s) in any plan ({method}); this plan has {late}"
    return text + (f" (gap {gap:.1f} %)" if isinstance(gap, int | float) and late else "")


def print_summary(console: Console, portfolio: Portfolio, plan: Plan) -> None:
    """Print the plan summary: status, projects vs due, utilisation, violations.

    Every id, name and message is printed as literal text (never as markup).
    """
    console.print(line((portfolio.name or "Portfolio", "bold"), f": {STATUS_TEXT[plan.status]}"))
    for text in plan.explanation:
        console.print(line("  • ", text))
    for err in plan.errors:
        console.print(line("  • ", f"{err.path}: {err.message}"))
    if not plan.status.has_plan and not plan.assignments:
        return
    k = plan.kpis
    console.print(
        line(
            f"objective {plan.objective:,.0f}  bound {_bound_text(plan)}  gap {_gap_text(plan)}  "
            f"solved in {plan.solve_seconds:.1f} s"
        )
    )
    lateness = lateness_text(plan)
    if lateness:
        console.print(line(lateness))
    if plan.stats.get("cut_by_wall_guard"):
        console.print(line("deterministic run cut by the wall-clock guard: another run may differ"))
    console.print(
        f"weighted tardiness {k.weighted_tardiness}  late projects {k.late_projects}  "
        f"late days {k.late_days}  makespan {k.makespan_days} working days  cost {k.total_cost:,.0f}",
        markup=False,
    )
    table = Table(title="Projects", show_lines=False)
    for col in ("project", "status", "priority", "finish", "due", "late days"):
        table.add_column(col, justify="right" if col in ("priority", "late days") else "left")
    for row in _project_rows(portfolio, plan):
        style = "red" if row[5] not in ("0", "—") else None
        table.add_row(*(plain(cell) for cell in row), style=style)
    console.print(table)
    people = Table(title="Utilisation")
    people.add_column("person")
    people.add_column("utilisation", justify="right")
    for pid, u in sorted(k.utilisation.items(), key=lambda x: -x[1]):
        people.add_row(plain(pid), f"{100 * u:.0f} %")
    console.print(people)
    if plan.unscheduled_projects:
        console.print(line("left out (proposed): ", ", ".join(plan.unscheduled_projects)))
    if plan.violations:
        console.print(line((f"{len(plan.violations)} violation(s):", "red")))
        for v in plan.violations[:30]:
            console.print(line("  ", (v.rule, "red"), f": {v.message}"))


def markdown_report(portfolio: Portfolio, plan: Plan) -> str:
    """A markdown report of the plan (what `pmo solve --report` writes)."""
    lines = [f"# {md_cell(portfolio.name or 'Portfolio')}: staffing plan", ""]
    lines.append(f"Status: **{STATUS_TEXT[plan.status]}**")
    lines.extend(f"- {line}" for line in plan.explanation)
    if plan.status.has_plan:
        k = plan.kpis
        lateness = lateness_text(plan)
        lines += [
            "",
            f"Objective {plan.objective:,.0f}, lower bound {_bound_text(plan)}, gap {_gap_text(plan)}, "
            f"solved in {plan.solve_seconds:.1f} s.",
            *(["", f"{lateness[:1].upper()}{lateness[1:]}."] if lateness else []),
            "",
            "| KPI | value |",
            "|---|---|",
            f"| weighted tardiness | {k.weighted_tardiness} |",
            f"| late projects | {k.late_projects} |",
            f"| late days | {k.late_days} |",
            f"| makespan (working days) | {k.makespan_days} |",
            f"| total cost | {k.total_cost:,.0f} |",
            "",
            "## Projects",
            "",
            "| project | status | priority | finish | due | late days |",
            "|---|---|---|---|---|---|",
        ]
        lines += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in _project_rows(portfolio, plan)]
        lines += replan_markdown(plan)  # a replan's changes and before/after (nothing for a solve)
        lines += ["", "## Utilisation", "", "| person | utilisation |", "|---|---|"]
        lines += [
            f"| {md_cell(pid)} | {100 * u:.0f} % |"
            for pid, u in sorted(k.utilisation.items(), key=lambda x: -x[1])
        ]
        lines += [
            "",
            "## Assignments",
            "",
            "| project | task | start | finish | people |",
            "|---|---|---|---|---|",
        ]
        for a in plan.assignments:
            people = ", ".join(f"{p.id} ({p.allocation} %)" for p in a.people)
            lines.append(
                f"| {md_cell(a.project)} | {md_cell(a.task)} | {a.start} | {a.finish} | {md_cell(people)} |"
            )
    if plan.violations:
        lines += ["", "## Violations", ""]
        lines += [f"- **{v.rule}**: {v.message}" for v in plan.violations]
    return "\n".join(lines) + "\n"


def print_explanation(console: Console, detail: Explanation) -> None:
    """Print a plan's explanation: summary, bottlenecks, late projects, proposed projects."""
    for text in detail.summary:
        console.print(line("• ", text))
    if detail.bottlenecks:
        console.print(line(("Bottlenecks", "bold")))
        for b in detail.bottlenecks[:10]:
            console.print(line("  ", b.message))
    if detail.late_projects:
        console.print(line(("Why projects are late", "bold")))
        for late in detail.late_projects[:15]:
            console.print(line("  ", late.message))
    if detail.proposed:
        console.print(line(("Proposed projects", "bold")))
        for outcome in detail.proposed:
            console.print(line("  ", outcome.message))
