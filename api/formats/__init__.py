"""Readers that turn public benchmark files into portfolios of our contract.

Every family maps onto the same portfolio model (see ``benchmarks/README.md``):
RCPSP resources become generic pools, multi-skill resources become named people,
multi-mode activities become tasks with alternative modes, non-renewable resources
become project budgets. The engine then solves them like any portfolio.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.limits import InputLimits

BENCHMARK_START = "2000-01-03"  # a Monday; every day of the week is a working day

MAKESPAN_OBJECTIVE: dict[str, float] = {
    "tardiness": 0,
    "completion": 0,
    "cost": 0,
    "continuity": 0,
    "makespan": 1,
}
"""Objective weights of the families judged by makespan alone."""

BENCHMARK_LIMITS = InputLimits(max_horizon_years=200)
"""Input limits of benchmark portfolios: their horizon is the sum of all durations in
days, every day worked (iMOPSE's largest span 68 years)."""


@dataclass(frozen=True)
class Instance:
    """A benchmark instance as a portfolio, with what is known about it.

    Attributes
    ----------
    family, name
        Family key (``psplib``, ``rcmp``, ``mplib``, ``mista``, ``imopse``, ``mspsp``) and
        instance name (file stem, e.g. ``j301_1``).
    portfolio
        Contract JSON (a dict that :func:`model.load.parse_portfolio` accepts).
    objective
        The family's objective: ``"makespan"`` or ``"total_project_delay"``.
    best_known, best_lower_bound
        Best-known value and best proven lower bound in family terms (None if unknown).
    extra
        Anything else worth reporting (e.g. the family's critical path bound).
    """

    family: str
    name: str
    portfolio: dict[str, Any]
    objective: str
    best_known: float | None = None
    best_lower_bound: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


Reader = Callable[[Path], Instance]

READER_MODULES = {
    "psplib": "api.formats.psplib",
    "rcmp": "api.formats.rcmp",
    "mplib": "api.formats.rcmp",
    "mista": "api.formats.mista",
    "imopse": "api.formats.imopse",
    "mspsp": "api.formats.mspsp",
}
"""Family key → module that defines ``read(path) -> Instance`` (``read_mplib`` for mplib)."""


def reader(family: str) -> Reader:
    """The reader function of a family."""
    if family not in READER_MODULES:
        raise KeyError(f"unknown benchmark format '{family}' (one of {', '.join(READER_MODULES)})")
    module = importlib.import_module(READER_MODULES[family])
    return getattr(module, "read_mplib" if family == "mplib" else "read")  # type: ignore[no-any-return]


def read_instance(family: str, path: Path) -> Instance:
    """Read one benchmark file of ``family``."""
    return reader(family)(path)
