"""The status report (:class:`model.actuals.StatusReport`) as terminal tables and as markdown."""

from __future__ import annotations

from collections.abc import Sequence

from model.actuals import StatusReport

SHOWN_LATE = 15  # late tasks listed on the terminal and in the report; --json lists all
Section = tuple[str, list[str], Sequence[Sequence[str]], int]


def _spi(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _slip(value: int | None) -> str:
    return "—" if value is None else f"{value:+d}"


def sections(report: StatusReport) -> list[Section]:
    """Each table of the report: title, columns, rows and how many leading columns hold names."""
    projects = [
        (
            r.project,
            str(r.baseline_finish or "—"),
            str(r.forecast_finish or "—"),
            _slip(r.slip_days),
            f"{r.planned_value:g}",
            f"{r.earned_value:g}",
            _spi(r.spi),
            f"{r.late_to_start}/{r.late_to_finish}",
        )
        for r in report.projects
    ]
    out: list[Section] = [
        (
            f"Status as of {report.status_date}: SPI {_spi(report.spi)} (EV / PV over person-days)",
            ["project", "baseline", "forecast", "slip", "PV", "EV", "SPI", "late s/f"],
            projects,
            1,
        )
    ]
    for title, late in (
        ("Late to start (baseline start passed, not started)", report.late_to_start),
        ("Late to finish (baseline finish passed, not finished)", report.late_to_finish),
    ):
        if late:
            rows = [
                (t.project, t.task, str(t.baseline_start), str(t.baseline_finish), str(t.forecast_finish or "—"))
                for t in late[:SHOWN_LATE]
            ]
            out.append((title, ["project", "task", "baseline start", "baseline finish", "forecast finish"], rows, 2))
    if report.slip_tasks:
        rows = [
            (d.project, d.task, ", ".join(d.people), str(d.own_slip_days), _slip(d.slip_days))
            for d in report.slip_tasks
        ]
        title = "Pain points: tasks on the forecast's chains that add the most slip"
        out.append((title, ["project", "task", "people", "adds (wd)", "slip (wd)"], rows, 3))
    if report.slip_people:
        people = [(p.person, ", ".join(p.tasks), str(p.own_slip_days)) for p in report.slip_people]
        out.append(("Pain points: people whose tasks add the most slip", ["person", "tasks", "adds (wd)"], people, 2))
    return out


def print_status(report: StatusReport) -> None:
    """The report as rich tables on the terminal."""
    from api.cli import console
    from api.risk_commands import _table
    from api.text import line

    for title, columns, rows, text_columns in sections(report):
        console.print(_table(title, columns, rows, text_columns))
    console.print(line("slip: working days; late s/f: tasks late to start / to finish; " + report.spi_method))
    if report.forecast_status not in ("optimal", "feasible", "stopped"):
        console.print(line(("no forecast plan", "red"), f": the replan ended {report.forecast_status}"))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def status_markdown(report: StatusReport) -> str:
    """The report as a markdown document (``pmo status --report FILE.md``)."""
    parts = [f"# Status as of {report.status_date}", "", f"Forecast plan: {report.forecast_status}. {report.spi_method}.", ""]
    for title, columns, rows, _ in sections(report):
        parts += [f"## {_cell(title)}", "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        parts += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
        parts.append("")
    return "\n".join(parts)
