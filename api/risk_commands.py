"""``pmo risk PORTFOLIO PLAN``: the schedule risk of a plan (a Monte Carlo simulation, :mod:`model.risk`).

Exit codes are the CLI's: 0 analysed, 4 invalid input (a plan that is not a valid plan of the
portfolio included), 1 internal error.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from api.options import JsonFlag
from model.load import InvalidInput
from model.plan import Plan
from model.portfolio import Portfolio
from model.risk import DEFAULT_SAMPLES, MAX_SAMPLES, RiskReport, StartPolicy
from model.rules import Issue

SHOWN_ROWS = 15  # of the task and people tables; --json lists all
DECISION_SAMPLES = 2_000  # compare and replan: on-time estimates within about ±1 pt, in well under a second
DECISION_SEED = 0  # fixed, so the same plan always shows the same probabilities
RISK_STATS = "risk"  # the key of plan.stats that holds a plan's on-time probabilities


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f} %"


def risk_stats(report: RiskReport) -> dict[str, Any]:
    """The JSON-ready summary of a risk report that a plan carries in ``plan.stats["risk"]``.

    Parameters
    ----------
    report
        A report of :func:`model.risk.analyse_risk`.

    Returns
    -------
    dict
        ``samples``, ``seed``, ``uncertain_tasks`` and ``projects``: project id → ``p_on_time``,
        ``p_by_deadline``, ``p50_finish``, ``p80_finish`` (ISO) and ``s_curve`` (``[p, date]`` pairs).
    """
    return {
        "samples": report.samples,
        "seed": report.seed,
        "uncertain_tasks": report.uncertain_tasks,
        "projects": {
            p.project: {
                "p_on_time": p.p_on_time,
                "p_by_deadline": p.p_by_deadline,
                "p50_finish": p.p50_finish.isoformat(),
                "p80_finish": p.p80_finish.isoformat(),
                "s_curve": [[q.p, q.finish.isoformat()] for q in p.s_curve],
            }
            for p in report.projects
        },
    }


def attach_risk(portfolio: Portfolio, plan: Plan, samples: int = DECISION_SAMPLES) -> Plan:
    """Put the plan's on-time probabilities in ``plan.stats["risk"]`` (:func:`risk_stats`).

    Parameters
    ----------
    portfolio
        The portfolio the plan was made for.
    plan
        A verified plan; one without assignments is left as it is.
    samples
        Sampled schedules; 0 leaves the plan as it is.

    Returns
    -------
    Plan
        The same plan object.
    """
    if samples > 0 and plan.status.has_plan and plan.assignments:
        from model.risk import analyse_risk

        report = analyse_risk(portfolio, plan, samples, DECISION_SEED)
        plan.stats = {**plan.stats, RISK_STATS: risk_stats(report)}  # a copied plan may share the dict
    return plan


def on_time(plan: Plan, project: str) -> float | None:
    """P(finish ≤ due) of ``project`` from ``plan.stats["risk"]`` (None without it or a due date)."""
    risk = plan.stats.get(RISK_STATS)
    row = risk.get("projects", {}).get(project) if isinstance(risk, dict) else None
    value = row.get("p_on_time") if isinstance(row, dict) else None
    return float(value) if isinstance(value, int | float) else None


def on_time_text(plan: Plan, project: str) -> str:
    """The on-time probability of ``project`` in ``plan`` as text ("—" when not known)."""
    value = on_time(plan, project)
    return "—" if value is None else f"{100 * value:.0f} %"


def check_risk_samples(samples: int, as_json: bool) -> None:
    """Exit 4 unless ``--risk-samples`` is 0 (off) or a valid sample count."""
    from api.cli import _fail_invalid

    if not 0 <= samples <= MAX_SAMPLES:
        issue = Issue("--risk-samples", f"give 0 (off) to {MAX_SAMPLES:,}, not {samples:,}")
        _fail_invalid(InvalidInput([issue]), as_json)


RiskSamples = Annotated[
    int,
    typer.Option(
        "--risk-samples",
        help="Sampled schedules for each project's on-time probability (0: off).",
    ),
]


def _table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]], text_columns: int) -> Table:
    """A table whose first ``text_columns`` columns hold names (cut, left) and the rest figures
    (right, never cut: on a narrow terminal the names give way)."""
    from api.text import plain

    table = Table(title=title)
    for k, name in enumerate(columns):
        if k < text_columns:
            table.add_column(name)
        else:
            widest = max((len(row[k]) for row in rows), default=1)
            table.add_column(name, justify="right", no_wrap=True, min_width=widest)
    for row in rows:
        table.add_row(*(plain(cell, 40) if k < text_columns else cell for k, cell in enumerate(row)))
    return table


def print_risk(report: RiskReport) -> None:
    """The report as tables: projects, the most critical tasks, the people most often on late chains."""
    from api.cli import console
    from api.text import line

    title = f"Schedule risk ({report.samples:,} samples, seed {report.seed}, {report.policy.value} starts)"
    columns = ["project", "plan", "due", "on time", "P50", "P80", "deadline", "by deadline"]
    rows: list[Sequence[str]] = [
        (
            p.project,
            str(p.plan_finish),
            str(p.due or "—"),
            _percent(p.p_on_time),
            str(p.p50_finish),
            str(p.p80_finish),
            str(p.deadline or "—"),
            _percent(p.p_by_deadline),
        )
        for p in report.projects
    ]
    if not any(p.deadline for p in report.projects):  # the deadline columns would be empty
        columns, rows = columns[:-2], [row[:-2] for row in rows]
    console.print(_table(title, columns, rows, 1))
    title = "Most critical tasks (share of samples on the chain that sets the project's finish)"
    rows = [(t.project, t.task, _percent(t.criticality)) for t in report.tasks[:SHOWN_ROWS]]
    console.print(_table(title, ("project", "task", "criticality"), rows, 2))
    late = [(p.person, _percent(p.on_late_chain)) for p in report.people if p.on_late_chain > 0]
    if late:
        title = "People on the chain behind a late finish (share of samples)"
        console.print(_table(title, ("person", "on a late chain"), late[:SHOWN_ROWS], 1))
    if report.uncertain_tasks == 0:
        console.print(
            line("no task has an uncertain length (tasks[].estimate, risk.default_spread): the plan's dates")
        )


def risk_command(
    portfolio_file: Annotated[Path, typer.Argument(help="Portfolio file (JSON, .xlsx or MS Project XML).")],
    plan_file: Annotated[Path, typer.Argument(help="A plan of that portfolio (JSON).")],
    samples: Annotated[
        int, typer.Option("--samples", "-n", help=f"Sampled schedules (1 … {MAX_SAMPLES:,}).")
    ] = DEFAULT_SAMPLES,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same figures).")] = 0,
    policy: Annotated[
        StartPolicy,
        typer.Option(
            "--policy", help="planned: no task starts before its planned start; earliest: as soon as it can."
        ),
    ] = StartPolicy.planned,
    as_json: JsonFlag = False,
) -> None:
    """Schedule risk of a plan: on-time probabilities, P50/P80 finishes, critical tasks and people
    (exit 0, or 4 for invalid input)."""
    from api.cli import _fail_invalid, load_plan_or_exit, load_portfolio_or_exit
    from model.risk import analyse_risk

    if not 1 <= samples <= MAX_SAMPLES:
        _fail_invalid(
            InvalidInput([Issue("--samples", f"give 1 to {MAX_SAMPLES:,}, not {samples:,}")]), as_json
        )
    if not 0 <= seed < 2**63:
        _fail_invalid(InvalidInput([Issue("--seed", "give a seed from 0 to 2^63 - 1")]), as_json)
    portfolio = load_portfolio_or_exit(portfolio_file, as_json)
    plan = load_plan_or_exit(plan_file, as_json)
    try:
        report = analyse_risk(portfolio, plan, samples, seed, policy, where=str(plan_file))
    except InvalidInput as exc:
        _fail_invalid(exc, as_json, "plan")
    if as_json:
        print(report.model_dump_json(indent=2))
    else:
        print_risk(report)
    raise typer.Exit(0)


def register(app: typer.Typer) -> None:
    """Add ``risk`` to the ``pmo`` command line."""
    app.command("risk")(risk_command)
