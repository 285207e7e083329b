"""What-if plumbing of ``pmo``: ``pmo scenario apply``, scenario files wherever a portfolio goes,
and the files ``pmo compare --out-dir`` writes.

A file is a scenario when it is JSON with a ``base`` or ``changes`` key
(:func:`model.scenario.is_scenario_data`); anything else is read as a portfolio (JSON, an
``.xlsx`` workbook or MS Project XML, told by content). A scenario's base files must lie in
its folder or below, as for ``pmo compare`` (``pmo scenario apply --base-anywhere`` lifts it).
Exit codes are the CLI's: 0 written, 4 invalid input, 1 internal error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from model.load import InvalidInput
from model.rules import Issue

if TYPE_CHECKING:
    from model.plan import Plan
    from model.portfolio import Portfolio

SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
MAX_STEM = 80  # characters of a scenario name kept in a file name


def _fail(exc: InvalidInput, as_json: bool = False) -> NoReturn:
    from api.cli import _fail_invalid

    _fail_invalid(exc, as_json)


def read_portfolio_or_scenario(
    path: Path, *, default_base: Portfolio | None = None, confine: bool = True
) -> Portfolio:
    """The portfolio of a portfolio file, or of a scenario file applied to its base.

    Parameters
    ----------
    path
        A portfolio (JSON, ``.xlsx``, MS Project XML) or a scenario JSON file.
    default_base
        The portfolio a scenario without ``base`` applies to.
    confine
        A scenario's base files must lie in its folder or below.

    Raises
    ------
    InvalidInput
        Every problem of the file (and of its base files), each with its path.
    """
    from api.cli import read_other_portfolio
    from model.scenario import load_portfolio_or_scenario

    return load_portfolio_or_scenario(
        path, default_base=default_base, confine=confine, read_other=read_other_portfolio
    )


def load_input_or_exit(path: Path, as_json: bool) -> Portfolio:
    """:func:`read_portfolio_or_scenario`, exiting with code 4 and path-precise errors if invalid."""
    try:
        return read_portfolio_or_scenario(path)
    except InvalidInput as exc:
        _fail(exc, as_json)


def file_stems(names: list[str]) -> dict[str, str]:
    """A safe, distinct file-name stem for each scenario name (``hire 2`` → ``hire-2``).

    Names are user text: only letters, digits, ``.``, ``_`` and ``-`` are kept, never a
    leading dot, and a repeat gets ``-2``, ``-3`` …
    """
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        stem = SAFE_NAME.sub("-", name).strip("-.")[:MAX_STEM] or "scenario"
        unique, n = stem, 1
        while unique.lower() in taken:
            n += 1
            unique = f"{stem}-{n}"
        taken.add(unique.lower())
        out[name] = unique
    return out


def out_dir_targets(out_dir: Path, names: list[str]) -> dict[str, tuple[Path, Path]]:
    """Scenario name → the portfolio and plan files ``pmo compare --out-dir`` writes for it.

    Checked before any solve: a target that cannot be written is exit 4 naming ``--out-dir``.
    """
    from api.output import OutputError, check_target

    if out_dir.exists() and not out_dir.is_dir():
        _fail(InvalidInput([Issue("--out-dir", f"{out_dir} is not a folder")]))
    targets = {
        name: (out_dir / f"{stem}.portfolio.json", out_dir / f"{stem}.plan.json")
        for name, stem in file_stems(names).items()
    }
    issues = []
    for paths in targets.values():
        for path in paths:
            try:
                check_target(path, "--out-dir")
            except OutputError as exc:
                issues.append(exc.issue)
    if issues:
        _fail(InvalidInput(issues[:1]))
    return targets


def write_out_dir(
    targets: Mapping[str, tuple[Path, Path]], portfolios: Mapping[str, Portfolio], plans: Mapping[str, Plan]
) -> None:
    """Write each scenario's applied portfolio and its plan (see :func:`out_dir_targets`)."""
    from api.cli import write_or_exit

    for name, (portfolio_path, plan_path) in targets.items():
        write_or_exit(portfolio_path, portfolio_json(portfolios[name]))
        write_or_exit(plan_path, plans[name].model_dump_json(indent=2))


def portfolio_json(portfolio: Portfolio) -> str:
    """A portfolio as the JSON file every command reads back."""
    return portfolio.model_dump_json(indent=2, exclude_defaults=True)  # as `pmo import` writes it


def register(app: typer.Typer) -> None:
    """Add the ``scenario`` command group to the ``pmo`` app."""
    group = typer.Typer(help="What-if scenarios: apply one to its base portfolio.", no_args_is_help=True)

    @group.command("apply")
    def apply_command(
        scenario_file: Annotated[Path, typer.Argument(help="Scenario JSON file (or a portfolio).")],
        output: Annotated[
            Path | None,
            typer.Option("--output", "-o", help="Write the applied portfolio JSON here (default: print it)."),
        ] = None,
        base: Annotated[
            Path | None,
            typer.Option("--base", help="The portfolio a scenario without `base` applies to."),
        ] = None,
        base_anywhere: Annotated[
            bool,
            typer.Option(
                "--base-anywhere",
                help="Let the scenario's base file lie outside its folder (../, absolute paths).",
            ),
        ] = False,
    ) -> None:
        """Apply a scenario to its base and write the resulting portfolio (validated)."""
        from api.cli import check_outputs_or_exit, console, load_portfolio_or_exit, write_or_exit
        from api.output import is_stdout
        from api.text import line

        check_outputs_or_exit(False, output=output)
        default_base = load_portfolio_or_exit(base, False) if base is not None else None
        try:
            portfolio = read_portfolio_or_scenario(
                scenario_file, default_base=default_base, confine=not base_anywhere
            )
        except InvalidInput as exc:
            _fail(exc)
        text = portfolio_json(portfolio)
        if output is None or is_stdout(output):
            print(text)
        else:
            write_or_exit(output, text)
            console.print(line(f"portfolio written to {output}"))

    app.add_typer(group, name="scenario")
