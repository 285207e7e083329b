"""``pmo sweep``: the command line of scenario sweeps (:mod:`api.sweep`); the engine loads only when it runs."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from model.load import InvalidInput

if TYPE_CHECKING:
    from api.sweep import SweepResult

CRITERIA_TEXT = "weighted_lateness, late_projects, late_days, cost, makespan, objective, left_out"


def _sweep_command(
    base_file: Path,
    vary: list[str] | None,
    sweep_file: Path | None,
    rank_by: str | None,
    time_limit: float | None,
    workers: int | None,
    seed: int | None,
    deterministic: bool,
    parallel: int | None,
    backend_name: str,
    ray_address: str | None,
    report: Path | None,
    as_json: bool,
) -> NoReturn:
    from api.backends import backend_or_exit
    from api.cli import (
        ExitCode,
        _fail_invalid,
        _settings_or_exit,
        check_outputs_or_exit,
        console,
        err_console,
        for_the_largest,
        load_portfolio_or_exit,
        solved_note,
        write_or_exit,
    )
    from api.interrupt import GUARD, run_stoppable
    from api.startup import import_cp_model_without_pandas
    from api.text import line

    import_cp_model_without_pandas()
    from api.sweep import expand, load_sweep_file, parse_rank_by, parse_vary, run_sweep, sweep_markdown

    settings = _settings_or_exit(as_json, time_limit, workers, seed, None, deterministic, True)
    check_outputs_or_exit(as_json, report=report)
    base = load_portfolio_or_exit(base_file, as_json)
    try:
        axes: list[Any] = []
        paths: list[str] = []
        file_rank: Any = None
        if sweep_file is not None:
            data = load_sweep_file(sweep_file)
            axes, file_rank = list(data.get("vary", [])), data.get("rank_by")
            paths = [f"{sweep_file}: vary[{k}]" for k in range(len(axes))]
        for k, text in enumerate(vary or []):
            axes.append(parse_vary(text, f"--vary[{k}]"))
            paths.append(f"--vary[{k}]")
        criteria = parse_rank_by(rank_by if rank_by is not None else file_rank)
        scenarios = expand(base, axes, "--vary", paths=paths)
    except InvalidInput as exc:
        _fail_invalid(exc, as_json)
    budget = for_the_largest(settings, (s.portfolio for s in scenarios))
    done = solved_note(as_json)
    with backend_or_exit(backend_name, ray_address, parallel, as_json) as backend:
        result, _ = run_stoppable(
            lambda stop: run_sweep(
                scenarios, budget, backend, parallel=parallel, rank_by=criteria, stop=stop, on_done=done
            )
        )
    if result.stopped:
        err_console.print(
            line("stopped: finished scenarios and the running ones' best plans (verified) are kept")
        )
    with GUARD.deferred():
        if report:
            write_or_exit(report, sweep_markdown(result))
        if as_json:
            print(result.model_dump_json(indent=2))
        else:
            _print_table(console, result)
    if result.stopped:
        raise typer.Exit(ExitCode.STOPPED)
    raise typer.Exit(ExitCode.PLAN if any(r.has_plan for r in result.scenarios) else ExitCode.NO_SOLUTION)


def _print_table(console: Any, result: "SweepResult") -> None:
    from rich.table import Table

    from api.sweep import COLUMNS, sweep_rows_text, sweep_summary
    from api.text import line

    table = Table(title="Scenario sweep", title_justify="left")
    for name in COLUMNS:
        table.add_column(name, justify="left" if name in ("scenario", "status") else "right")
    for cells in sweep_rows_text(result):
        table.add_row(*(line(c) for c in cells))
    console.print(table)
    console.print(line(sweep_summary(result)))


def register(app: Any) -> None:
    """Add ``pmo sweep`` to the CLI."""
    from api.options import BackendOpt, Deterministic, JsonFlag, Parallel, Seed, TimeLimit, Workers

    @app.command("sweep")
    def sweep_command(
        base_file: Annotated[Path, typer.Argument(help="The base portfolio JSON file.")],
        vary: Annotated[
            list[str] | None,
            typer.Option(
                "--vary", help='An axis: "OP: FIELD=VALUES …" (a,b,c or LOW..HIGH); repeat for a grid.'
            ),
        ] = None,
        sweep_file: Annotated[
            Path | None, typer.Option("--file", help="Axes (and rank_by) from a TOML or JSON sweep file.")
        ] = None,
        rank_by: Annotated[
            str | None,
            typer.Option("--rank-by", help=f"Criteria, lexicographic: {CRITERIA_TEXT}."),
        ] = None,
        time_limit: TimeLimit = None,
        workers: Workers = None,
        seed: Seed = None,
        deterministic: Deterministic = False,
        parallel: Parallel = None,
        backend: BackendOpt = "local",
        ray_address: Annotated[
            str | None,
            typer.Option(
                "--ray-address", help="Ray cluster address (default $PMO_RAY_ADDRESS, else a local Ray)."
            ),
        ] = None,
        report: Annotated[
            Path | None, typer.Option("--report", help="Write a markdown report here (the ranked table).")
        ] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """Solve a grid of what-if changes to BASE and rank the scenarios (weighted lateness, late projects, cost)."""
        _sweep_command(
            base_file, vary, sweep_file, rank_by, time_limit, workers, seed, deterministic,
            parallel, backend, ray_address, report, as_json,
        )  # fmt: skip
