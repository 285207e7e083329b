"""Options several ``pmo`` commands share (typer annotations), in a module of their own so that the
command modules :mod:`api.cli` imports at its start can use them too."""

from pathlib import Path
from typing import Annotated

import typer

JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]
TimeLimit = Annotated[
    float | None,
    typer.Option("--time-limit", "-t", help="Seconds for the whole command, start-up and output included."),
]
Workers = Annotated[int | None, typer.Option("--workers", "-w", help="CP-SAT workers (default 2).")]
Seed = Annotated[int | None, typer.Option("--seed", help="Random seed (0 … 2147483647).")]
PresetOpt = Annotated[
    str | None, typer.Option("--preset", help="fast, balanced or thorough.", show_default=False)
]
Deterministic = Annotated[
    bool, typer.Option("--deterministic", help="Reproducible: 1 worker, deterministic time limit.")
]
Optimise = Annotated[
    bool, typer.Option("--optimise/--levelling-only", help="Improve the levelling plan with CP-SAT.")
]
Output = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write the plan JSON here (- for standard output)."),
]
Report = Annotated[
    Path | None, typer.Option("--report", help="Write a report here: HTML for a .html file, else markdown.")
]
SettingsFile = Annotated[
    Path | None,
    typer.Option(
        "--settings", help="Solver settings from a TOML file (\\[solver] table); options override it."
    ),
]
Parallel = Annotated[int | None, typer.Option("--parallel", help="Solves at a time.")]
BackendOpt = Annotated[str, typer.Option("--backend", help="local (child processes) or ray.")]
