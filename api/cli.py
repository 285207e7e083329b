"""The ``pmo`` command line.

Exit codes: 0 a valid plan, 2 infeasible (or, for ``check``, the plan breaks a
hard rule), 3 no plan found in time, 4 invalid input, 1 internal error.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tomllib
from enum import IntEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress

from api.report import markdown_report, print_explanation, print_summary
from model.assemble import empty_plan
from model.checker import check_plan
from model.load import InvalidInput, parse_model, parse_portfolio
from model.plan import ErrorItem, Plan, PlanStatus, TaskChange
from model.portfolio import Portfolio
from model.rules import Issue
from solver.settings import Preset, SolverSettings, toml_table
from solver.solve import Progress, solve


class ExitCode(IntEnum):
    """Documented exit codes of the CLI."""

    PLAN = 0
    INTERNAL_ERROR = 1
    INFEASIBLE = 2
    NO_SOLUTION = 3
    INVALID_INPUT = 4


STATUS_EXIT = {
    PlanStatus.optimal: ExitCode.PLAN,
    PlanStatus.feasible: ExitCode.PLAN,
    PlanStatus.infeasible: ExitCode.INFEASIBLE,
    PlanStatus.no_solution: ExitCode.NO_SOLUTION,
    PlanStatus.invalid: ExitCode.INVALID_INPUT,
}

app = typer.Typer(
    help="Optimised, verified staffing plans for a portfolio of projects.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
err_console = Console(stderr=True, soft_wrap=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]


def _fail_invalid(exc: InvalidInput, as_json: bool, what: str = "input") -> NoReturn:
    if as_json:
        plan = empty_plan(PlanStatus.invalid)
        plan.errors = [ErrorItem(path=i.path, message=i.message) for i in exc.issues]
        print(plan.model_dump_json(indent=2))
    else:
        err_console.print(f"[red]invalid {what}[/red] ({len(exc.issues)} problem(s)):")
        for issue in exc.issues:
            err_console.print(f"  {issue}", markup=False, highlight=False)
    raise typer.Exit(ExitCode.INVALID_INPUT)


def load_portfolio_or_exit(path: Path, as_json: bool) -> Portfolio:
    """Parse a portfolio file, exiting with code 4 and path-precise errors if invalid."""
    try:
        return parse_portfolio(path)
    except InvalidInput as exc:
        _fail_invalid(exc, as_json)


def load_plan_or_exit(path: Path, as_json: bool, what: str = "plan") -> Plan:
    """Parse a plan file, exiting with code 4 and path-precise errors if invalid."""
    try:
        return parse_model(Plan, path)
    except InvalidInput as exc:
        _fail_invalid(exc, as_json, what)


def write_json(path: Path, text: str) -> None:
    """Write a file atomically so an interrupted run never leaves half a plan."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def emit_plan(
    portfolio: Portfolio,
    plan: Plan,
    output: Path | None,
    report: Path | None,
    as_json: bool,
) -> NoReturn:
    """Write and print a plan, then exit with the code of its status."""
    text = plan.model_dump_json(indent=2)
    if output:
        write_json(output, text)
    if report:
        write_json(report, markdown_report(portfolio, plan))
    if as_json:
        print(text)
    else:
        print_summary(console, portfolio, plan)
        if output:
            console.print(f"plan written to {output}")
        if report:
            console.print(f"report written to {report}")
    raise typer.Exit(STATUS_EXIT[plan.status])


def _settings(
    time_limit: float | None,
    workers: int | None,
    seed: int | None,
    preset: str | None,
    deterministic: bool,
    optimise: bool,
    settings_file: Path | None = None,
) -> SolverSettings:
    """Settings from the command line, over a TOML settings file if one is given.

    Raises
    ------
    InvalidInput
        The file cannot be read, is not TOML, or a setting is invalid (each issue names it).
    """
    table: dict[str, object] = {}
    if settings_file is not None:
        try:
            table = toml_table(settings_file)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InvalidInput([Issue(str(settings_file), str(exc))]) from None
    # flags left at their defaults do not override the file
    overrides: dict[str, object] = {"deterministic": True} if deterministic else {}
    if not optimise:
        overrides["optimise"] = False
    for key, value in (("time_limit", time_limit), ("workers", workers), ("seed", seed), ("preset", preset)):
        if value is not None:
            overrides[key] = value
    merged = {**table, **overrides}
    chosen = merged.pop("preset", None)
    if chosen is not None:
        if chosen not in Preset.__args__:  # type: ignore[attr-defined]
            raise InvalidInput([Issue("preset", f"unknown preset '{chosen}' (fast, balanced, thorough)")])
        merged = {**SolverSettings.preset(str(chosen)).model_dump(exclude_unset=True), **merged}  # type: ignore[arg-type]
    return parse_model(SolverSettings, merged)


TimeLimit = Annotated[float | None, typer.Option("--time-limit", "-t", help="Seconds to search.")]
Workers = Annotated[int | None, typer.Option("--workers", "-w", help="CP-SAT workers (default 2).")]
Seed = Annotated[int | None, typer.Option("--seed", help="Random seed.")]
PresetOpt = Annotated[
    str | None, typer.Option("--preset", help="fast, balanced or thorough.", show_default=False)
]
Deterministic = Annotated[
    bool, typer.Option("--deterministic", help="Reproducible: 1 worker, deterministic time limit.")
]
Optimise = Annotated[
    bool, typer.Option("--optimise/--levelling-only", help="Improve the levelling plan with CP-SAT.")
]
Output = Annotated[Path | None, typer.Option("--output", "-o", help="Write the plan JSON here.")]
Report = Annotated[Path | None, typer.Option("--report", help="Write a markdown report here.")]


def _run_solve(
    portfolio: Portfolio,
    settings: SolverSettings,
    output: Path | None,
    report: Path | None,
    as_json: bool,
) -> NoReturn:
    if as_json:
        plan = solve(portfolio, settings)
    else:
        plan = solve_with_progress(portfolio, settings)
    emit_plan(portfolio, plan, output, report, as_json)


def solve_with_progress(portfolio: Portfolio, settings: SolverSettings) -> Plan:
    """Solve while a progress bar shows time, objective, bound and gap (on stderr)."""
    columns = (
        TextColumn("[bold]solving[/bold]"),
        BarColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[status]}"),
    )
    with RichProgress(*columns, console=err_console, transient=True) as bar:
        job = bar.add_task("solve", total=settings.time_limit, status="levelling…")

        def on_progress(event: Progress) -> None:
            gap = f"{100 * event.gap:.1f} %" if event.gap is not None else "—"
            bound = f"{event.bound:,.0f}" if event.bound is not None else "—"
            objective = f"{event.objective:,.0f}" if event.objective is not None else "—"
            bar.update(
                job,
                completed=min(event.seconds, settings.time_limit),
                status=f"objective {objective}  bound {bound}  gap {gap}  ({event.message})",
            )

        return solve(portfolio, settings, on_progress)


@app.command("solve")
def solve_command(
    portfolio_file: Annotated[Path, typer.Argument(help="Portfolio JSON file.")],
    output: Output = None,
    report: Report = None,
    time_limit: TimeLimit = None,
    workers: Workers = None,
    seed: Seed = None,
    preset: PresetOpt = None,
    deterministic: Deterministic = False,
    optimise: Optimise = True,
    as_json: JsonFlag = False,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="Read a public benchmark file instead: psplib, rcmp, mplib, mista, imopse or mspsp "
            "(objective and bound are then in the family's terms).",
        ),
    ] = None,
    settings_file: Annotated[
        Path | None,
        typer.Option(
            "--settings",
            help="Solver settings from a TOML file ([solver] table: time_limit, workers, seed, "
            "preset, cp_sat_parameters, ...); options given here override it.",
        ),
    ] = None,
) -> None:
    """Plan a portfolio: print the summary, optionally write the plan and a report."""
    if preset is not None and preset not in Preset.__args__:  # type: ignore[attr-defined]
        err_console.print(f"--preset: unknown preset '{preset}' (fast, balanced, thorough)")
        raise typer.Exit(ExitCode.INVALID_INPUT)
    try:
        settings = _settings(time_limit, workers, seed, preset, deterministic, optimise, settings_file)
    except InvalidInput as exc:
        _fail_invalid(exc, as_json, "settings")
    if fmt is not None:
        _solve_benchmark(portfolio_file, fmt, settings, output, report, as_json)
    portfolio = load_portfolio_or_exit(portfolio_file, as_json)
    _run_solve(portfolio, settings, output, report, as_json)


def _solve_benchmark(
    path: Path, fmt: str, settings: SolverSettings, output: Path | None, report: Path | None, as_json: bool
) -> NoReturn:
    from api.benchmark_format import solve_benchmark_file
    from api.formats import READER_MODULES

    if fmt not in READER_MODULES:
        err_console.print(f"--format: unknown format '{fmt}' ({', '.join(READER_MODULES)})")
        raise typer.Exit(ExitCode.INVALID_INPUT)
    try:
        portfolio, plan = solve_benchmark_file(path, fmt, settings)
    except (ValueError, OSError) as exc:
        _fail_invalid(InvalidInput([Issue(str(path), str(exc))]), as_json, f"{fmt} file")
    emit_plan(portfolio, plan, output, report, as_json)


@app.command("check")
def check_command(
    portfolio_file: Annotated[Path, typer.Argument(help="Portfolio JSON file.")],
    plan_file: Annotated[Path, typer.Argument(help="Plan JSON file to verify.")],
    as_json: JsonFlag = False,
) -> None:
    """Verify a plan against every hard rule (exit 0 valid, 2 violations, 4 invalid input)."""
    portfolio = load_portfolio_or_exit(portfolio_file, as_json)
    plan = load_plan_or_exit(plan_file, as_json)
    violations = check_plan(portfolio, plan)
    if as_json:
        print(json.dumps([v.model_dump(mode="json") for v in violations], indent=2))
    elif violations:
        console.print(f"[red]{len(violations)} violation(s)[/red]")
        for v in violations:
            console.print(f"  [red]{v.rule}[/red]: {v.message}")
    else:
        console.print("[green]valid[/green]: the plan satisfies every hard rule")
    raise typer.Exit(ExitCode.INFEASIBLE if violations else ExitCode.PLAN)


@app.command("demo")
def demo_command(
    output: Output = Path("out/demo-plan.json"),
    report: Report = Path("out/demo-report.md"),
    time_limit: TimeLimit = None,
    workers: Workers = None,
    seed: Seed = None,
    as_json: JsonFlag = False,
) -> None:
    """Solve the embedded demo portfolio (20 projects, 40 people, 9 months)."""
    from api.generate import generate_size

    portfolio = parse_portfolio(generate_size("demo", seed=7))
    settings = _settings(time_limit, workers, seed, None, False, True)
    _run_solve(portfolio, settings, output, report, as_json)


@app.command("generate")
def generate_command(
    size: Annotated[str, typer.Argument(help="Named size (tiny, demo, p10 … p200).")] = "demo",
    output: Output = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    projects: Annotated[
        int | None, typer.Option("--projects", help="Ad-hoc size: number of projects.")
    ] = None,
    people: Annotated[int | None, typer.Option("--people", help="Ad-hoc size: number of people.")] = None,
    months: Annotated[int | None, typer.Option("--months", help="Ad-hoc size: horizon in months.")] = None,
) -> None:
    """Generate a realistic, solvable portfolio (seeded)."""
    from api.generate import SIZES, generate, generate_size, spec_for

    if projects is not None:
        data = generate(spec_for(projects, people, months), seed=seed)
    elif size in SIZES:
        data = generate_size(size, seed=seed)
    else:
        err_console.print(f"unknown size '{size}'; choose one of {', '.join(SIZES)}")
        raise typer.Exit(ExitCode.INVALID_INPUT)
    text = json.dumps(data, indent=2)
    if output:
        write_json(output, text)
        console.print(f"portfolio written to {output}")
    else:
        print(text)


@app.command("explain")
def explain_command(
    portfolio_file: Annotated[Path, typer.Argument(help="Portfolio JSON file.")],
    plan_file: Annotated[Path | None, typer.Argument(help="Plan JSON (default: solve first).")] = None,
    time_limit: TimeLimit = None,
    as_json: JsonFlag = False,
) -> None:
    """Explain a plan: bottleneck skills and weeks, why projects are late, slack, proposed projects.

    For an infeasible portfolio: the conflicting rules and what would fix them.
    """
    from solver.analysis.explain import explain_plan

    portfolio = load_portfolio_or_exit(portfolio_file, as_json)
    if plan_file is None:
        plan = solve(portfolio, _settings(time_limit, None, None, None, False, True))
    else:
        plan = load_plan_or_exit(plan_file, as_json)
    if not plan.status.has_plan:
        if as_json:
            print(json.dumps({"status": plan.status.value, "explanation": plan.explanation}, indent=2))
        else:
            print_summary(console, portfolio, plan)
        raise typer.Exit(STATUS_EXIT[plan.status])
    detail = explain_plan(portfolio, plan)
    if as_json:
        print(detail.model_dump_json(indent=2))
    else:
        print_explanation(console, detail)
    raise typer.Exit(ExitCode.PLAN)


@app.command("compare")
def compare_command(
    files: Annotated[
        list[Path], typer.Argument(help="Baseline portfolio, then scenario or portfolio files.")
    ],
    time_limit: TimeLimit = None,
    workers: Workers = None,
    seed: Seed = None,
    report: Report = None,
    as_json: JsonFlag = False,
) -> None:
    """Solve a baseline and what-if scenarios side by side (in parallel within the cores)."""
    from api.compare_report import comparison_markdown, print_comparison
    from model.scenario import load_for_compare
    from solver.planning.compare import compare

    try:
        portfolios = load_for_compare(files)
    except InvalidInput as exc:
        _fail_invalid(exc, as_json)
    settings = _settings(time_limit, workers, seed, None, False, True)

    def done(label: str, plan: Plan) -> None:
        if not as_json:
            err_console.print(f"solved {label}: {plan.status.value} in {plan.solve_seconds:.1f} s")

    comparison = compare(portfolios, settings, on_done=done)
    if report:
        write_json(report, comparison_markdown(comparison))
    if as_json:
        print(comparison.model_dump_json(indent=2))
    else:
        print_comparison(console, comparison)
    raise typer.Exit(ExitCode.PLAN)


@app.command("replan")
def replan_command(
    portfolio_file: Annotated[Path, typer.Argument(help="The (changed) portfolio JSON file.")],
    baseline_file: Annotated[Path, typer.Option("--baseline", help="The plan being executed.")],
    as_of: Annotated[str, typer.Option("--as-of", help="Date from which to replan (ISO).")],
    max_changes: Annotated[
        int | None, typer.Option("--max-changes", help="At most this many tasks may change.")
    ] = None,
    freeze_until: Annotated[
        str | None, typer.Option("--freeze-until", help="No change to work starting before this date.")
    ] = None,
    move_weight: Annotated[float, typer.Option(help="Cost of moving a task.")] = 500.0,
    shift_weight: Annotated[float, typer.Option(help="Cost per working day a task shifts.")] = 50.0,
    people_weight: Annotated[float, typer.Option(help="Cost per person taken off a task.")] = 500.0,
    output: Output = None,
    report: Report = None,
    time_limit: TimeLimit = None,
    workers: Workers = None,
    seed: Seed = None,
    as_json: JsonFlag = False,
) -> None:
    """Replan from a baseline: done and in-progress work stays, the rest moves as little as it can."""
    from solver.planning.disruption import DisruptionWeights
    from solver.planning.replan import ReplanRequest, replan

    portfolio = load_portfolio_or_exit(portfolio_file, as_json)
    baseline = load_plan_or_exit(baseline_file, as_json, "baseline plan")
    issues = []
    dates = {}
    for name, text in (("--as-of", as_of), ("--freeze-until", freeze_until)):
        if text is None:
            continue
        try:
            dates[name] = dt.date.fromisoformat(text)
        except ValueError:
            issues.append(Issue(name, f"not an ISO date: '{text}'"))
    if max_changes is not None and max_changes < 0:
        issues.append(Issue("--max-changes", "must be 0 or more"))
    if issues:
        _fail_invalid(InvalidInput(issues), as_json)
    request = ReplanRequest(
        as_of=dates["--as-of"],
        freeze_until=dates.get("--freeze-until"),
        max_changes=max_changes,
        weights=DisruptionWeights(move_weight, shift_weight, people_weight),
    )
    plan = replan(portfolio, baseline, request, _settings(time_limit, workers, seed, None, False, True))
    if not as_json and plan.status.has_plan:
        changed = plan.stats.get("changed_tasks", 0)
        total = plan.stats.get("baseline_tasks", 0)
        console.print(
            f"{len(plan.changes)} change(s) against the baseline ({changed} of {total} tasks changed)"
        )
        for change in plan.changes[:30]:
            console.print(f"  {change.project}/{change.task}: {change.change} {_change_text(change)}")
    emit_plan(portfolio, plan, output, report, as_json)


def _change_text(change: TaskChange) -> str:
    parts = []
    if change.old_start != change.new_start:
        parts.append(f"{change.old_start} → {change.new_start}")
    if change.people_added:
        parts.append("+" + ", +".join(change.people_added))
    if change.people_removed:
        parts.append("-" + ", -".join(change.people_removed))
    return "  ".join(parts)


def main() -> None:
    """Entry point: run the CLI; unexpected errors exit 1 with a message, not a traceback."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(ExitCode.INTERNAL_ERROR)
    except Exception as exc:
        err_console.print(f"[red]internal error[/red]: {type(exc).__name__}: {exc}", markup=True)
        sys.exit(ExitCode.INTERNAL_ERROR)


if __name__ == "__main__":
    main()
