"""The ``pmo`` command line.

Exit codes: 0 a valid plan, 2 infeasible (or, for ``check``, the plan breaks a hard rule),
3 no plan found in time, 4 invalid input (usage errors included), 5 stopped by SIGINT or
SIGTERM with the best plan so far written, 130 / 143 stopped by SIGINT / SIGTERM before any
plan existed (nothing written), 1 internal error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import sys
import tomllib
from collections.abc import Callable, Iterable
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress

from api.budget import solve_time_limit
from api.interrupt import GUARD, Interrupted, run_stoppable
from api.options import (
    BackendOpt,
    Deterministic,
    JsonFlag,
    Optimise,
    Output,
    Parallel,
    PresetOpt,
    Report,
    Seed,
    SettingsFile,
    TimeLimit,
    Workers,
)
from api.output import OutputError, check_target, is_stdout, write_text
from api.report import print_explanation, print_summary
from api.risk_commands import DECISION_SAMPLES, RiskSamples, attach_risk, check_risk_samples
from api.scenario_commands import load_input_or_exit, out_dir_targets, write_out_dir
from api.service.commands import register_service_commands
from api.startup import import_cp_model_without_pandas
from api.streams import guard_standard_streams
from api.text import console as make_console
from api.text import line
from api.usage import UsageGroup, show_version
from model.assemble import empty_plan
from model.checker import check_plan
from model.claims import claim_violations
from model.limits import DEFAULT_LIMITS
from model.load import (
    InvalidInput,
    Omitted,
    capped,
    decode_text,
    parse_model,
    parse_portfolio,
    problem_count,
    read_bytes,
)
from model.plan import ErrorItem, Plan, PlanStatus
from model.portfolio import Portfolio
from model.rules import Issue

if TYPE_CHECKING:  # the solver (and OR-Tools) load only for the commands that solve
    from solver.settings import SolverSettings
    from solver.solve import Progress
    from solver.stop import StopRequest


class ExitCode(IntEnum):
    """Documented exit codes of the CLI (and 128 + the signal number, see :mod:`api.interrupt`)."""

    PLAN = 0
    INTERNAL_ERROR = 1
    INFEASIBLE = 2
    NO_SOLUTION = 3
    INVALID_INPUT = 4
    STOPPED = 5


STATUS_EXIT = {
    PlanStatus.optimal: ExitCode.PLAN,
    PlanStatus.feasible: ExitCode.PLAN,
    PlanStatus.stopped: ExitCode.STOPPED,
    PlanStatus.infeasible: ExitCode.INFEASIBLE,
    PlanStatus.no_solution: ExitCode.NO_SOLUTION,
    PlanStatus.invalid: ExitCode.INVALID_INPUT,
}
SHOWN_ISSUES = 50  # printed on the terminal; --json lists up to the input limit

app = typer.Typer(
    cls=UsageGroup,
    help="Optimised, verified staffing plans for a portfolio of projects.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = make_console()
err_console = make_console(stderr=True)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=show_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Optimised, verified staffing plans for a portfolio of projects."""


def _fail_invalid(exc: InvalidInput, as_json: bool, what: str = "input") -> NoReturn:
    issues = capped(exc.issues, DEFAULT_LIMITS)
    if as_json:
        plan = empty_plan(PlanStatus.invalid)
        plan.errors = [ErrorItem(path=i.path, message=i.message) for i in issues]
        print(plan.model_dump_json(indent=2))
        raise typer.Exit(ExitCode.INVALID_INPUT)
    total = problem_count(issues)
    listed = [i for i in issues if not isinstance(i, Omitted)][:SHOWN_ISSUES]
    err_console.print(line((f"invalid {what}", "red"), f" ({total:,} problem(s)):"))
    for issue in listed:
        err_console.print(line(f"  {issue}"))
    if total > len(listed):
        err_console.print(line(f"  … and {total - len(listed):,} more problem(s) (--json lists more)"))
    raise typer.Exit(ExitCode.INVALID_INPUT)


def _not_mapped(note: str) -> None:
    err_console.print(line(f"not mapped: {note}"))


def read_other_portfolio(path: Path) -> Portfolio | None:
    """The portfolio of an .xlsx workbook or MS Project XML file (``None`` for JSON), its notes on
    standard error: the reader ``pmo compare`` gives scenarios for their files and bases."""
    from api.interchange.detect import read_other_format

    return read_other_format(path, on_note=_not_mapped)


def load_portfolio_or_exit(path: Path, as_json: bool) -> Portfolio:
    """Parse a portfolio file (JSON, an .xlsx workbook or MS Project XML, told by content),
    exiting with code 4 and path-precise errors if invalid."""
    from api.interchange.detect import read_portfolio_file

    try:
        return read_portfolio_file(path, on_note=_not_mapped)
    except InvalidInput as exc:
        _fail_invalid(exc, as_json)


def load_plan_or_exit(path: Path, as_json: bool, what: str = "plan") -> Plan:
    """Parse a plan file, exiting with code 4 and path-precise errors if invalid."""
    try:
        return parse_model(Plan, path)
    except InvalidInput as exc:
        _fail_invalid(exc, as_json, what)


def check_outputs_or_exit(as_json: bool, **targets: Path | None) -> None:
    """Refuse unusable output paths before any work is done (exit 4).

    ``targets`` maps option names (``output``, ``report``) to the paths given.
    """
    issues = []
    for option, path in targets.items():
        if path is None:
            continue
        try:
            check_target(path, f"--{option}")
        except OutputError as exc:
            issues.append(exc.issue)
    if issues:
        _fail_invalid(InvalidInput(issues), as_json, "output")


def write_or_exit(path: Path, text: str) -> None:
    """Write an output file atomically (exit 4 if it cannot be written after all)."""
    try:
        write_text(path, text)
    except OutputError as exc:
        _fail_invalid(InvalidInput([exc.issue]), False, "output")


def emit_plan(
    portfolio: Portfolio,
    plan: Plan,
    output: Path | None,
    report: Path | None,
    as_json: bool,
) -> NoReturn:
    """Write and print a plan, then exit with the code of its status.

    An existing ``output`` is replaced only by a plan: a result without one (infeasible,
    no plan found) leaves it as it was and says so. ``-o -`` prints the plan JSON instead
    of the summary.
    """
    text = plan.model_dump_json(indent=2)
    to_stdout = as_json or is_stdout(output)
    kept = False
    with GUARD.deferred():
        if output is not None and not is_stdout(output):
            kept = not plan.status.has_plan and os.path.lexists(output)
            if not kept:
                write_or_exit(output, text)
        if report is not None:
            from api.html_report import plan_report  # HTML for a .html path, else markdown

            write_or_exit(report, plan_report(report, portfolio, plan))
        if to_stdout:
            print(text)
        else:
            print_summary(console, portfolio, plan)
            if output is not None and not kept:
                console.print(line(f"plan written to {output}"))
            if report is not None and not is_stdout(report):
                console.print(line(f"report written to {report}"))
        if kept:
            err_console.print(
                line(f"{output} kept as it was: this result has no plan ({plan.status.value})")
            )
    raise typer.Exit(STATUS_EXIT[plan.status])


def _read_settings_table(path: Path) -> dict[str, object]:
    """The ``[solver]`` table of a TOML file read within the input limits."""
    from solver.settings import toml_table

    text = decode_text(read_bytes(path), str(path))
    try:
        return toml_table(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError) as exc:
        why = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise InvalidInput([Issue(str(path), f"not valid TOML: {why}")]) from None


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
    from solver.settings import Preset, SolverSettings

    table: dict[str, object] = {}
    if settings_file is not None:
        table = _read_settings_table(settings_file)
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
            shown = str(chosen)[:40]
            raise InvalidInput([Issue("preset", f"unknown preset '{shown}' (fast, balanced, thorough)")])
        merged = {**SolverSettings.preset(str(chosen)).model_dump(exclude_unset=True), **merged}  # type: ignore[arg-type]
    return parse_model(SolverSettings, merged)


def _settings_or_exit(as_json: bool, *args: object, **kwargs: object) -> SolverSettings:
    try:
        return _settings(*args, **kwargs)  # type: ignore[arg-type]
    except InvalidInput as exc:
        _fail_invalid(exc, as_json, "settings")




def _for_the_command(settings: SolverSettings, portfolio: Portfolio) -> SolverSettings:
    """The settings with the time limit the solve may use so the command ends on time."""
    tasks = sum(len(p.tasks) for p in portfolio.projects)
    limit = solve_time_limit(settings.time_limit, tasks, deterministic=settings.deterministic)
    return settings.model_copy(update={"time_limit": limit})


def for_the_largest(settings: SolverSettings, portfolios: Iterable[Portfolio]) -> SolverSettings:
    """:func:`_for_the_command` for the portfolio with the most tasks (of a compare or a sweep)."""
    largest = max(portfolios, key=lambda p: sum(len(x.tasks) for x in p.projects))
    return _for_the_command(settings, largest)


def solved_note(as_json: bool) -> Callable[[str, Plan], None]:
    """The ``on_done`` of parallel solves: a line on standard error as each one ends (none with --json)."""

    def done(name: str, plan: Plan) -> None:
        if not as_json:
            err_console.print(line(f"solved {name}: {plan.status.value} in {plan.solve_seconds:.1f} s"))

    return done


def solve_or_stop(work: Callable[[StopRequest], Plan]) -> Plan:
    """Run a solve that SIGINT and SIGTERM stop with its best plan.

    Exits with 128 + the signal number when a signal came before any plan existed
    (nothing is written).
    """
    plan, stop = run_stoppable(work)
    if stop.requested and not plan.status.has_plan:
        err_console.print(line(f"stopped by {stop.reason} before any plan was found: nothing written"))
        raise typer.Exit(128 + (GUARD.received or 2))
    if stop.requested:
        err_console.print(line(f"stopped by {stop.reason}: the best plan found so far (verified)"))
    return plan


def _run_solve(
    portfolio: Portfolio,
    settings: SolverSettings,
    output: Path | None,
    report: Path | None,
    as_json: bool,
) -> NoReturn:
    import_cp_model_without_pandas()
    from solver.solve import solve

    budget = _for_the_command(settings, portfolio)
    if as_json or is_stdout(output):
        plan = solve_or_stop(lambda stop: solve(portfolio, budget, stop=stop))
    else:
        plan = solve_with_progress(portfolio, budget, settings.time_limit)
    emit_plan(portfolio, plan, output, report, as_json)


def solve_with_progress(portfolio: Portfolio, settings: SolverSettings, shown_limit: float) -> Plan:
    """Solve while a progress bar shows time, objective, bound and gap (on stderr)."""
    import_cp_model_without_pandas()
    from solver.solve import solve

    return run_with_progress(
        lambda on_progress, stop: solve(portfolio, settings, on_progress, stop), shown_limit
    )


def run_with_progress(
    work: Callable[[Callable[[Progress], None], StopRequest], Plan],
    shown_limit: float,
    label: str = "solving",
) -> Plan:
    """Run a stoppable solve (``work`` takes the progress callback and the stop request) while
    a progress bar shows time, objective, bound and gap (on stderr)."""
    columns = (
        TextColumn(f"[bold]{label}[/bold]"),
        BarColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[status]}", markup=False),
    )
    with RichProgress(*columns, console=err_console, transient=True) as bar:
        job = bar.add_task("solve", total=shown_limit, status="levelling…")

        def on_progress(event: Progress) -> None:
            gap = f"{100 * event.gap:.1f} %" if event.gap is not None else "—"
            bound = f"{event.bound:,.0f}" if event.bound is not None else "—"
            objective = f"{event.objective:,.0f}" if event.objective is not None else "—"
            bar.update(
                job,
                completed=min(event.seconds, shown_limit),
                status=f"objective {objective}  bound {bound}  gap {gap}  ({event.message})",
            )

        return solve_or_stop(lambda stop: work(on_progress, stop))


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
            help="Solver settings from a TOML file (\\[solver] table: time_limit, workers, seed, "
            "preset, cp_sat_parameters, ...); options given here override it.",
        ),
    ] = None,
    robust: Annotated[
        float | None,
        typer.Option(
            "--robust",
            help="Among plans within this share of the best objective (0.05: 5 %), return the one "
            "whose least likely committed project is most likely on time.",
        ),
    ] = None,
) -> None:
    """Plan a portfolio: print the summary, optionally write the plan and a report."""
    settings = _settings_or_exit(
        as_json, time_limit, workers, seed, preset, deterministic, optimise, settings_file
    )
    check_outputs_or_exit(as_json, output=output, report=report)
    if fmt is not None:
        _solve_benchmark(portfolio_file, fmt, settings, output, report, as_json)
    portfolio = load_input_or_exit(portfolio_file, as_json)  # a portfolio or a scenario file
    if robust is not None:
        from api.robust import run_robust

        run_robust(portfolio, settings, robust, output, report, as_json)
    _run_solve(portfolio, settings, output, report, as_json)


def _solve_benchmark(
    path: Path, fmt: str, settings: SolverSettings, output: Path | None, report: Path | None, as_json: bool
) -> NoReturn:
    from api.formats import READER_MODULES

    if fmt not in READER_MODULES:
        issue = Issue("--format", f"unknown format '{fmt[:40]}' ({', '.join(READER_MODULES)})")
        _fail_invalid(InvalidInput([issue]), as_json)
    try:
        portfolio, plan = _solve_benchmark_stoppable(path, fmt, settings)
    except InvalidInput as exc:
        _fail_invalid(exc, as_json, f"{fmt} file")
    except (ValueError, OSError, RecursionError) as exc:
        _fail_invalid(InvalidInput([Issue(str(path), str(exc)[:500])]), as_json, f"{fmt} file")
    emit_plan(portfolio, plan, output, report, as_json)


def _solve_benchmark_stoppable(path: Path, fmt: str, settings: SolverSettings) -> tuple[Portfolio, Plan]:
    import_cp_model_without_pandas()
    from api.benchmark_format import solve_benchmark_file

    found: list[Portfolio] = []

    def work(stop: StopRequest) -> Plan:
        portfolio, plan = solve_benchmark_file(path, fmt, settings, stop=stop)
        found.append(portfolio)
        return plan

    plan = solve_or_stop(work)
    return found[0], plan


@app.command("check")
def check_command(
    portfolio_file: Annotated[Path, typer.Argument(help="Portfolio JSON file.")],
    plan_file: Annotated[Path, typer.Argument(help="Plan JSON file to verify.")],
    as_json: JsonFlag = False,
) -> None:
    """Verify a plan against every hard rule and every figure it claims (exit 0 valid, 2
    violations or wrong claims, 4 invalid input)."""
    portfolio = load_portfolio_or_exit(portfolio_file, as_json)
    plan = load_plan_or_exit(plan_file, as_json)
    violations = check_plan(portfolio, plan) + claim_violations(portfolio, plan)
    if as_json:
        print(json.dumps([v.model_dump(mode="json") for v in violations], indent=2))
    elif violations:
        console.print(line((f"{len(violations)} violation(s)", "red")))
        for v in violations:
            console.print(line("  ", (v.rule, "red"), f": {v.message}"))
    else:
        console.print(line(("valid", "green"), ": the plan satisfies every hard rule and its figures hold"))
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

    settings = _settings_or_exit(as_json, time_limit, workers, seed, None, False, True)
    check_outputs_or_exit(as_json, output=output, report=report)
    portfolio = parse_portfolio(generate_size("demo", seed=7))
    _run_solve(portfolio, settings, output, report, as_json)


GENERATE_MAX = {"--projects": 2_000, "--people": 10_000, "--months": 240}


@app.command("generate")
def generate_command(
    size: Annotated[str, typer.Argument(help="Named size (tiny, demo, p10 … p200).")] = "demo",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the generated portfolio JSON here (default: print it)."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.", min=0, max=2**63 - 1)] = 0,
    projects: Annotated[
        int | None, typer.Option("--projects", help="Ad-hoc size: number of projects.", min=1, max=2_000)
    ] = None,
    people: Annotated[
        int | None, typer.Option("--people", help="Ad-hoc size: number of people.", min=1, max=10_000)
    ] = None,
    months: Annotated[
        int | None, typer.Option("--months", help="Ad-hoc size: horizon in months.", min=1, max=240)
    ] = None,
) -> None:
    """Generate a realistic, solvable portfolio (seeded)."""
    from api.generate import SIZES, generate, generate_size, spec_for

    if output is not None:
        check_outputs_or_exit(False, output=output)
    if projects is not None:
        data = generate(spec_for(projects, people, months), seed=seed)
    elif size in SIZES:
        data = generate_size(size, seed=seed)
    else:
        issue = Issue("size", f"unknown size '{size[:40]}'; choose one of {', '.join(SIZES)}")
        _fail_invalid(InvalidInput([issue]), False)
    text = json.dumps(data, indent=2)
    if output is not None and not is_stdout(output):
        write_or_exit(output, text)
        console.print(line(f"portfolio written to {output}"))
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
    settings = _settings_or_exit(as_json, time_limit, None, None, None, False, True)
    portfolio = load_input_or_exit(portfolio_file, as_json)  # a portfolio or a scenario file
    import_cp_model_without_pandas()
    from solver.analysis.explain import explain_plan
    from solver.solve import solve

    if plan_file is None:
        budget = _for_the_command(settings, portfolio)
        plan = solve_or_stop(lambda stop: solve(portfolio, budget, stop=stop))
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
    base_anywhere: Annotated[
        bool,
        typer.Option(
            "--base-anywhere",
            help="Let a scenario's base file lie outside the scenario's folder (../, absolute paths).",
        ),
    ] = False,
    as_json: JsonFlag = False,
    deterministic: Deterministic = False,
    settings_file: SettingsFile = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out-dir", help="Write each scenario's applied portfolio and plan JSON here."),
    ] = None,
    noise: Annotated[
        float,
        typer.Option(
            "--noise", min=0, max=100, help="Objective changes within this % of the baseline's: noise."
        ),
    ] = 1.0,
    parallel: Parallel = None,
    backend_name: BackendOpt = "local",
    ray_address: Annotated[
        str | None, typer.Option("--ray-address", help="Ray cluster (default $PMO_RAY_ADDRESS, else a local Ray).")
    ] = None,
    risk_samples: RiskSamples = DECISION_SAMPLES,
) -> None:
    """Solve a baseline and what-if scenarios side by side (in parallel within the cores).

    A scenario's base files must lie in the scenario's folder or below it, unless
    --base-anywhere is given.
    """
    from model.scenario import load_for_compare

    settings = _settings_or_exit(
        as_json, time_limit, workers, seed, None, deterministic, True, settings_file
    )
    check_outputs_or_exit(as_json, report=report)
    check_risk_samples(risk_samples, as_json)
    try:
        portfolios = load_for_compare(files, confine=not base_anywhere, read_other=read_other_portfolio)
    except InvalidInput as exc:
        _fail_invalid(exc, as_json)
    targets = out_dir_targets(out_dir, list(portfolios)) if out_dir is not None else {}
    import_cp_model_without_pandas()
    from api.compare_report import print_comparison
    from solver.planning.compare import compare

    budget = for_the_largest(settings, portfolios.values())
    from api.backends import backend_or_exit

    with backend_or_exit(backend_name, ray_address, parallel, as_json) as backend:
        comparison = compare(
            portfolios,
            budget,
            max_parallel=parallel,
            on_done=solved_note(as_json),
            backend=backend,
            noise=noise / 100,
        )
    for name, plan in comparison.plans.items():  # each project's on-time probability beside its lateness
        attach_risk(portfolios[name], plan, risk_samples)
    with GUARD.deferred():
        if report:
            from api.html_report import comparison_report  # HTML for a .html path, else markdown

            write_or_exit(report, comparison_report(report, comparison, portfolios))
        if targets:
            write_out_dir(targets, portfolios, comparison.plans)
        if as_json:
            from api.compare_report import comparison_data

            print(json.dumps(comparison_data(comparison, with_plans=True), indent=2))
        else:
            print_comparison(console, comparison)
    raise typer.Exit(ExitCode.PLAN)


REPLAN_MAX_WEIGHT = 1e6  # as the objective weights of a portfolio (model.limits.InputLimits.max_weight)


def _replan_issues(
    as_of: str, freeze_until: str | None, max_changes: int | None, weights: dict[str, float]
) -> tuple[dict[str, dt.date], list[Issue]]:
    """The replan options' dates, and what is wrong with the options."""
    issues = []
    dates = {}
    for name, text in (("--as-of", as_of), ("--freeze-until", freeze_until)):
        if text is None:
            continue
        try:
            dates[name] = dt.date.fromisoformat(text)
        except ValueError:
            issues.append(Issue(name, f"not an ISO date: '{text[:40]}'"))
    if max_changes is not None and max_changes < 0:
        issues.append(Issue("--max-changes", "must be 0 or more"))
    for name, value in weights.items():
        if not (math.isfinite(value) and 0 <= value <= REPLAN_MAX_WEIGHT):
            issues.append(Issue(name, f"must be a number from 0 to {REPLAN_MAX_WEIGHT:,.0f}"))
    return dates, issues


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
    baseline_portfolio: Annotated[
        Path | None,
        typer.Option(
            "--baseline-portfolio",
            help="The portfolio the baseline was made for: what changed is then known exactly.",
        ),
    ] = None,
    actuals_file: Annotated[
        Path | None,
        typer.Option("--actuals", help="Status update (JSON or .xlsx): replan from the actuals (--as-of: their status date)."),
    ] = None,
    output: Output = None,
    report: Report = None,
    time_limit: TimeLimit = None,
    workers: Workers = None,
    seed: Seed = None,
    deterministic: Deterministic = False,
    as_json: JsonFlag = False,
    risk_samples: RiskSamples = DECISION_SAMPLES,
) -> None:
    """Replan from a baseline: done and in-progress work stays, the rest moves as little as it can."""
    check_risk_samples(risk_samples, as_json)
    weights = {"--move-weight": move_weight, "--shift-weight": shift_weight, "--people-weight": people_weight}
    dates, issues = _replan_issues(as_of, freeze_until, max_changes, weights)
    if issues:
        _fail_invalid(InvalidInput(issues), as_json)
    settings = _settings_or_exit(as_json, time_limit, workers, seed, None, deterministic, True)
    check_outputs_or_exit(as_json, output=output, report=report)
    portfolio = load_input_or_exit(portfolio_file, as_json)  # a portfolio or a scenario file
    baseline = load_plan_or_exit(baseline_file, as_json, "baseline plan")
    previous = load_portfolio_or_exit(baseline_portfolio, as_json) if baseline_portfolio else None
    import_cp_model_without_pandas()
    from solver.planning.disruption import DisruptionWeights
    from solver.planning.replan import ReplanRequest, replan, request_issues

    request = ReplanRequest(
        as_of=dates["--as-of"],
        freeze_until=dates.get("--freeze-until"),
        max_changes=max_changes,
        weights=DisruptionWeights(move_weight, shift_weight, people_weight),
        previous=previous,
    )
    issues = request_issues(portfolio, baseline, request)
    if issues:
        _fail_invalid(InvalidInput(issues), as_json)
    budget = _for_the_command(settings, portfolio)
    if actuals_file is not None:  # the actuals pinned in a derived portfolio and baseline, replanned alike
        from api.status_commands import derived_or_exit

        portfolio, baseline, request = derived_or_exit(actuals_file, portfolio, baseline, request, as_json)
    quiet = as_json or is_stdout(output)
    if quiet:
        plan = solve_or_stop(lambda stop: replan(portfolio, baseline, request, budget, stop=stop))
    else:
        plan = run_with_progress(
            lambda on_progress, stop: replan(portfolio, baseline, request, budget, on_progress, stop),
            settings.time_limit,
            "replanning",
        )
    attach_risk(portfolio, plan, risk_samples)  # each project's on-time probability beside its lateness
    if not quiet and plan.status.has_plan:
        from api.replan_report import print_replan

        print_replan(console, plan)
    emit_plan(portfolio, plan, output, report, as_json)


register_service_commands(app)


def _exit_now(code: int) -> NoReturn:
    """Exit at once: a solve thread may still be inside OR-Tools, which must not be torn down."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def main() -> None:
    """Entry point: run the CLI; unexpected errors exit 1 with a message, not a traceback.

    A reader that closes the pipe early does not change the exit code; SIGINT and SIGTERM
    are handled as :mod:`api.interrupt` says.
    """
    guard_standard_streams()
    GUARD.install()
    try:
        app()
    except SystemExit:
        raise
    except Interrupted as exc:
        err_console.print(line(f"interrupted by {exc}: nothing (more) written"))
        _exit_now(exc.exit_code)
    except Exception as exc:
        err_console.print(line(("internal error", "red"), f": {type(exc).__name__}: {exc}"))
        sys.exit(ExitCode.INTERNAL_ERROR)


from api.interchange.commands import register as _register_interchange  # noqa: E402 (needs `app`)

_register_interchange(app)

from api.scenario_commands import register as _register_scenario  # noqa: E402 (needs `app`)

_register_scenario(app)

from api.risk_commands import register as _register_risk  # noqa: E402 (needs `app`)

_register_risk(app)

from api.sweep_commands import register as _register_sweep  # noqa: E402 (needs `app`)

_register_sweep(app)

from api.status_commands import register as _register_status  # noqa: E402 (needs `app`)

_register_status(app)


if __name__ == "__main__":
    main()
