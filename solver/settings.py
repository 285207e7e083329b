"""Solver settings as typed data, with presets and TOML loading."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from solver.cpsat.parameters import ParameterValue, check_parameters


@dataclass(frozen=True)
class Stall:
    """When a search that has a plan counts as stalled: no better plan for
    ``max(minimum, share × its running time)``, in the search's own units (seconds for
    CP-SAT, rebuilds for the schedule search)."""

    minimum: float
    share: float

    def exceeded(self, since_progress: float, running: float) -> bool:
        """Whether this long without progress, after this long running, is a stall."""
        return since_progress > max(self.minimum, self.share * running)


Preset = Literal["fast", "balanced", "thorough"]


class SolverSettings(BaseModel):
    """How long and how hard to search.

    ``deterministic`` runs one worker with a deterministic time limit so the same
    seed always gives the same plan (the time limit then counts CP-SAT's
    deterministic seconds, not wall seconds).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    time_limit: float = Field(default=10.0, gt=0, description="Wall-clock seconds for the whole solve.")
    workers: int = Field(default=2, ge=1, le=64, description="CP-SAT search workers.")
    seed: int = Field(default=0, ge=0, description="Random seed.")
    deterministic: bool = Field(default=False, description="Reproducible mode: 1 worker, deterministic time.")
    optimise: bool = Field(default=True, description="Improve the levelling plan with CP-SAT.")
    schedule_search: bool = Field(
        default=True,
        description="When no task has people to staff, alternate CP-SAT with schedule rebuilds "
        "(serial generation + double justification) whenever CP-SAT stalls.",
    )
    lns_seconds: float = Field(default=0.5, gt=0, description="Time limit of one neighbourhood re-solve.")
    strategy: Literal["auto", "full", "lns"] = Field(
        default="auto",
        description="`full`: one CP-SAT model of everything; `lns`: neighbourhoods around the "
        "incumbent; `auto`: full for small portfolios, LNS for large ones.",
    )
    log: bool = Field(default=False, description="Print CP-SAT's search log.")
    explain: bool = Field(
        default=True, description="Attach bottlenecks, late-project reasons and slack to the plan."
    )
    cp_sat_parameters: dict[str, ParameterValue] = Field(
        default_factory=dict,
        description="CP-SAT parameters set on every optimiser solve (whole model and "
        "neighbourhoods), over the engine's own choice, e.g. {num_full_subsolvers = 2}. For "
        "experiments: time limit, workers, seed and log have their own settings.",
    )

    @field_validator("cp_sat_parameters")
    @classmethod
    def _known_parameters(cls, value: dict[str, ParameterValue]) -> dict[str, ParameterValue]:
        check_parameters(value)
        return value

    @classmethod
    def preset(cls, name: Preset, **overrides: object) -> SolverSettings:
        """Settings of a named preset, with overrides."""
        presets: dict[str, dict[str, object]] = {
            "fast": {"time_limit": 5.0},
            "balanced": {"time_limit": 30.0},
            "thorough": {"time_limit": 120.0},
        }
        base = presets[name]
        return cls.model_validate({**base, **overrides})

    @classmethod
    def from_toml(cls, path: Path) -> SolverSettings:
        """Load settings from the ``[solver]`` table (or the top level) of a TOML file."""
        table = toml_table(path)
        preset = table.pop("preset", None)
        return cls.preset(preset, **table) if preset else cls.model_validate(table)  # type: ignore[arg-type]


def toml_table(path: Path) -> dict[str, object]:
    """The ``[solver]`` table (or the top level) of a TOML settings file.

    Raises
    ------
    OSError, tomllib.TOMLDecodeError
        The file cannot be read or is not TOML.
    """
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    table = data.get("solver", data)
    return dict(table) if isinstance(table, dict) else {}
