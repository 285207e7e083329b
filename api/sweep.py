"""Scenario sweeps: a grid of typed changes expanded into scenarios, solved on a run backend, ranked.

A sweep is a list of **axes**. Each axis is one change of the scenario format (``docs/scenarios.md``)
in which some fields take several values (a list: one dimension each), or an explicit list of
``options`` (each a list of changes). The scenarios are the cartesian product of the axes'
points. On the command line an axis is ``OP: FIELD=VALUES …`` (``--vary "hire: skill=qa
level=2 count=0..3"``); values are ``a,b,c`` lists or ``LOW..HIGH`` integer ranges.
``priority``, ``due``, ``deadline`` and ``capacity`` take ids as keys (``priority:
prj004=1,5,10``). ``hire`` with ``count=0`` is "no hire". The scenario with no change is the
baseline (added when the grid lacks it). Results are ranked by the PMO's criteria, lexicographic.
"""

from __future__ import annotations

import itertools
import json
import re
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from model.load import InvalidInput, decode_text, read_bytes
from model.plan import Plan, PlanStatus
from model.portfolio import Portfolio
from model.rules import Issue
from model.scenario import apply_changes, parse_scenario
from solver.planning.backend import RunBackend, SolveJob
from solver.planning.compare import Figures
from solver.settings import SolverSettings
from solver.stop import StopRequest

__all__ = [
    "COLUMNS",
    "CRITERIA",
    "DEFAULT_RANK_BY",
    "MAX_SCENARIOS",
    "SweepResult",
    "SweepRow",
    "SweepScenario",
    "expand",
    "load_sweep_file",
    "parse_rank_by",
    "parse_vary",
    "rank",
    "run_sweep",
    "sweep_markdown",
    "sweep_rows_text",
    "sweep_summary",
]

MAX_SCENARIOS = 1000
BASE_NAME = "base"
CRITERIA: dict[str, str] = {
    "weighted_lateness": "weighted_tardiness",
    "late_projects": "late_projects",
    "late_days": "late_days",
    "cost": "total_cost",
    "makespan": "makespan_days",
    "objective": "objective",
    "left_out": "left_out",
}
"""Ranking criterion → the :class:`~solver.planning.compare.Figures` field it reads (lower is better)."""
DEFAULT_RANK_BY = ("weighted_lateness", "late_projects", "cost")
SHORTHANDS: dict[str, tuple[str, str, str]] = {
    "priority": ("change_priority", "project", "priority"),
    "due": ("change_due", "project", "due"),
    "deadline": ("change_deadline", "project", "deadline"),
    "capacity": ("change_capacity", "person", "capacity"),
}
"""Axis shorthand → (op, the field its keys fill, the field its values fill)."""
_RANGE = re.compile(r"^(-?\d+)\.\.(-?\d+)$")
_INT = re.compile(r"^-?\d+$")
_FLOAT = re.compile(r"^-?\d+\.\d*$")
_CHANGE_PATH = re.compile(r"^(after )?changes\[(\d+)\]")


# --------------------------------------------------------------------------- the axes


def _scalar(text: str) -> Any:
    """A command-line value: an integer, a decimal, true/false/null, else the text (dates stay text)."""
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return {"true": True, "false": False, "null": None}.get(text, text)


def _values(text: str, at: str) -> Any:
    found = _RANGE.match(text)
    if found:
        low, high = int(found[1]), int(found[2])
        if high < low or high - low >= MAX_SCENARIOS:
            raise InvalidInput([Issue(at, f"range '{text}': give LOW..HIGH with LOW ≤ HIGH")])
        return list(range(low, high + 1))
    parts = [_scalar(p.strip()) for p in text.split(",")]
    return parts if len(parts) > 1 else parts[0]


def parse_vary(text: str, at: str = "--vary") -> dict[str, Any]:
    """One ``--vary`` axis, ``OP: FIELD=VALUES …``, as the axis object of a sweep file.

    Raises
    ------
    InvalidInput
        Naming ``at`` and what is wrong.
    """
    op, colon, rest = text.partition(":")
    op = op.strip()
    if not colon or not op:
        raise InvalidInput(
            [Issue(at, f"'{text[:60]}': give OP: FIELD=VALUES … (e.g. hire: skill=qa count=0..2)")]
        )
    axis: dict[str, Any] = {"op": op}
    for token in rest.split():
        key, equals, value = token.partition("=")
        if not equals or not key or not value:
            raise InvalidInput([Issue(f"{at}.{key or token}", f"'{token[:60]}': give FIELD=VALUES")])
        if key in axis:
            raise InvalidInput([Issue(f"{at}.{key}", "given twice")])
        axis[key] = _values(value, f"{at}.{key}")
    return axis


@dataclass(frozen=True)
class _Point:
    label: str
    changes: tuple[dict[str, Any], ...]


def _dimensions(fields: dict[str, Any]) -> list[tuple[str, list[Any]]]:
    return [(k, v if isinstance(v, list) else [v]) for k, v in fields.items()]


def _points(axis: Any, at: str) -> list[_Point]:
    """The points of one axis: each a label (what varies) and the changes it makes."""
    if not isinstance(axis, dict):
        raise InvalidInput([Issue(at, "give an axis object: {op: …, FIELD: [values]} or {options: […]}")])
    if "options" in axis:
        return _option_points(axis, at)
    axis = dict(axis)
    op = axis.pop("op", None)
    if not isinstance(op, str):
        raise InvalidInput([Issue(f"{at}.op", "give the change's `op` (or `options`)")])
    dims = _dimensions(axis)
    if not dims:
        raise InvalidInput([Issue(at, f"'{op}': give at least one FIELD=VALUES")])
    varying = [k for k, values in dims if len(values) > 1]
    out = []
    for combo in itertools.product(*(values for _, values in dims)):
        chosen = dict(zip((k for k, _ in dims), combo, strict=True))
        label = ",".join(f"{k}={chosen[k]}" for k in varying)
        out.append(_Point(f"{op} {label}" if label else op, _changes(op, chosen)))
    return out


def _changes(op: str, chosen: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    if op in SHORTHANDS:
        real, key_field, value_field = SHORTHANDS[op]
        return tuple({"op": real, key_field: k, value_field: v} for k, v in chosen.items())
    if op == "hire" and chosen.get("count") == 0:
        return ()  # no hire: the axis's baseline point
    return ({"op": op, **chosen},)


def _option_points(axis: dict[str, Any], at: str) -> list[_Point]:
    options = axis["options"]
    name = axis.get("name", "option")
    if not isinstance(options, list) or not options or set(axis) - {"options", "name"}:
        raise InvalidInput([Issue(at, "an options axis is {name: …, options: [[changes…], …]}")])
    out = []
    for k, option in enumerate(options):
        label = f"{name}={k}"
        if isinstance(option, dict):
            label, option = str(option.get("name", label)), option.get("changes", [])
        if not isinstance(option, list) or not all(isinstance(c, dict) for c in option):
            raise InvalidInput([Issue(f"{at}.options[{k}]", "give a list of changes")])
        out.append(_Point(label, tuple(option)))
    return out


@dataclass(frozen=True)
class SweepScenario:
    """One scenario of a sweep: its name, its changes (scenario format) and its portfolio."""

    name: str
    changes: list[dict[str, Any]]
    portfolio: Portfolio


def _mapped(issue: Issue, origin: list[int], paths: Sequence[str], name: str) -> Issue:
    """An issue of ``changes[k]`` of a scenario, named after the axis it came from."""
    found = _CHANGE_PATH.match(issue.path)
    if not found:
        return Issue(f"scenario '{name}': {issue.path}".rstrip(": "), issue.message)
    axis = paths[origin[int(found[2])]]
    rest = issue.path[found.end() :]
    if found[1]:  # "after changes[k] (op): path": the portfolio it left was invalid
        return Issue(f"{axis} (scenario '{name}'){rest}", issue.message)
    return Issue(f"{axis}{rest}", issue.message)


def expand(
    base: Portfolio,
    axes: Sequence[Any],
    at: str = "vary",
    limit: int = MAX_SCENARIOS,
    paths: Sequence[str] | None = None,
) -> list[SweepScenario]:
    """The scenarios of a sweep: the product of the axes' points, the baseline first.

    Parameters
    ----------
    base
        The validated base portfolio.
    axes
        Axis objects (see the module docstring).
    at
        How the axes are named in errors (``vary``: ``vary[0]``, ``vary[1]`` …).
    limit
        Most scenarios allowed.
    paths
        Each axis's own name in errors instead (``sweep.toml: vary[0]``, ``--vary[0]``).

    Raises
    ------
    InvalidInput
        Each problem with its path: ``vary[1].priority: Input should be less than or equal to 10``.
    """
    if not axes:
        raise InvalidInput([Issue(at, "give at least one axis to vary")])
    paths = list(paths) if paths is not None else [f"{at}[{i}]" for i in range(len(axes))]
    grids = [_points(axis, path) for axis, path in zip(axes, paths, strict=True)]
    count = 1
    for grid in grids:
        count *= len(grid)
    if count > limit:
        raise InvalidInput([Issue(at, f"{count:,} scenarios: at most {limit:,}")])
    out: list[SweepScenario] = []
    issues: dict[tuple[str, str], Issue] = {}
    for combo in itertools.product(*grids):
        changes = [c for point in combo for c in point.changes]
        origin = [i for i, point in enumerate(combo) for _ in point.changes]
        labels = [p.label for p, grid in zip(combo, grids, strict=True) if len(grid) > 1]
        name = " · ".join(labels) if changes else BASE_NAME
        try:
            portfolio = apply_changes(base, parse_scenario({"changes": changes}).changes)
        except InvalidInput as exc:
            for issue in exc.issues:
                mapped = _mapped(issue, origin, paths, name)
                issues.setdefault((mapped.path, mapped.message), mapped)
            continue
        out.append(SweepScenario(name, changes, portfolio))
    if issues:
        raise InvalidInput(list(issues.values()))
    out.sort(key=lambda s: s.name != BASE_NAME)  # stable: the baseline first, then grid order
    if not out or out[0].name != BASE_NAME:
        out.insert(0, SweepScenario(BASE_NAME, [], base))
    return out


def load_sweep_file(path: Path) -> dict[str, Any]:
    """A sweep file (TOML, or JSON when it ends in ``.json``): ``vary`` (axes) and ``rank_by``.

    Raises
    ------
    InvalidInput
        The file cannot be read, does not parse, or has other keys.
    """
    text = decode_text(read_bytes(path), str(path))
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InvalidInput(
            [Issue(str(path), f"not valid {path.suffix.lstrip('.') or 'TOML'}: {exc}")]
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("vary", []), list):
        raise InvalidInput([Issue(f"{path}: vary", "give `vary`: a list of axes")])
    extra = set(data) - {"vary", "rank_by"}
    if extra:
        raise InvalidInput([Issue(f"{path}: {sorted(extra)[0]}", "unknown key (vary, rank_by)")])
    return data


def parse_rank_by(value: str | Sequence[str] | None, at: str = "--rank-by") -> list[str]:
    """Ranking criteria from ``a,b,c`` or a list; the default when none.

    Raises
    ------
    InvalidInput
        An unknown criterion, naming ``at``.
    """
    if value is None:
        return list(DEFAULT_RANK_BY)
    names = [v.strip() for v in (value.split(",") if isinstance(value, str) else value) if v.strip()]
    unknown = [n for n in names if n not in CRITERIA]
    if unknown or not names:
        shown = unknown[0][:40] if unknown else ""
        raise InvalidInput([Issue(at, f"unknown criterion '{shown}' (one of {', '.join(CRITERIA)})")])
    return names


# --------------------------------------------------------------------------- results


class SweepRow(BaseModel):
    """One scenario of a sweep, in rank order."""

    model_config = ConfigDict(extra="forbid")

    rank: int = Field(description="1 is best; scenarios without a plan come last.")
    name: str = Field(description="What varies in this scenario (`base`: nothing).")
    changes: list[dict[str, Any]] = Field(description="Its changes, in the scenario format.")
    status: PlanStatus = Field(description="Status of its plan (`stopped`: cut short with its best plan).")
    has_plan: bool = Field(description="Whether it has a plan (optimal, feasible or stopped).")
    figures: Figures | None = Field(default=None, description="Headline figures; null without a plan.")
    delta: Figures | None = Field(default=None, description="Figures minus the baseline's.")
    solve_seconds: float = Field(default=0, description="Wall time of its solve.")
    message: str | None = Field(default=None, description="Why it has no plan, or why it failed.")


class SweepResult(BaseModel):
    """A sweep's scenarios, ranked."""

    model_config = ConfigDict(extra="forbid")

    baseline: str = Field(default=BASE_NAME, description="The scenario without changes.")
    rank_by: list[str] = Field(description="Criteria, lexicographic, lower first.")
    backend: str = Field(description="Where the solves ran (`local`, `ray`).")
    parallel: int = Field(description="Solves at a time.")
    wall_seconds: float = Field(default=0, description="Wall time of all the solves together.")
    stopped: bool = Field(default=False, description="Whether the sweep was stopped before its end.")
    scenarios: list[SweepRow] = Field(description="Every scenario solved, best first.")
    not_run: list[str] = Field(default_factory=list, description="Scenarios a stop left unsolved.")
    plans: dict[str, Plan] = Field(default_factory=dict, exclude=True, description="Name → plan.")


def _figures(plan: Plan) -> Figures | None:
    return Figures.of(plan) if plan.status.has_plan else None


def rank(
    scenarios: Sequence[SweepScenario], plans: dict[str, Plan], rank_by: Sequence[str]
) -> list[SweepRow]:
    """Rows of the solved scenarios, best first: by ``rank_by`` (lexicographic), then grid order."""
    base_plan = plans.get(BASE_NAME)
    base = _figures(base_plan) if base_plan is not None else None
    solved = [(k, s, plans[s.name]) for k, s in enumerate(scenarios) if s.name in plans]

    def key(item: tuple[int, SweepScenario, Plan]) -> tuple[Any, ...]:
        k, _, plan = item
        figures = _figures(plan)
        if figures is None:
            return (1, (), k)
        return (0, tuple(getattr(figures, CRITERIA[c]) or 0 for c in rank_by), k)

    rows = []
    for position, (_, scenario, plan) in enumerate(sorted(solved, key=key), start=1):
        figures = _figures(plan)
        rows.append(
            SweepRow(
                rank=position,
                name=scenario.name,
                changes=scenario.changes,
                status=plan.status,
                has_plan=figures is not None,
                figures=figures,
                delta=figures.minus(base) if figures and base and scenario.name != BASE_NAME else None,
                solve_seconds=plan.solve_seconds,
                message=None if figures else ("; ".join(plan.explanation[:2]) or None),
            )
        )
    return rows


def run_sweep(
    scenarios: Sequence[SweepScenario],
    settings: SolverSettings,
    backend: RunBackend,
    *,
    parallel: int | None = None,
    rank_by: Sequence[str] = DEFAULT_RANK_BY,
    stop: StopRequest | None = None,
    on_done: Callable[[str, Plan], None] | None = None,
) -> SweepResult:
    """Solve every scenario on ``backend`` and rank them.

    Parameters
    ----------
    scenarios
        From :func:`expand`.
    settings
        Settings of each solve (each gets the whole time limit).
    backend
        Where the solves run.
    parallel
        Solves at a time (default: what fits on the backend).
    rank_by
        Criteria (:data:`CRITERIA`).
    stop
        When requested: finished results are kept, running solves keep their best plan, the rest is
        listed in ``not_run``.
    on_done
        Called with each name and plan as its solve ends.
    """
    chosen = min(len(scenarios), parallel or backend.capacity(settings))
    began = time.perf_counter()
    jobs = [SolveJob(s.name, s.portfolio, settings) for s in scenarios]
    plans = backend.run(jobs, chosen, on_done=on_done, stop=stop)
    return SweepResult(
        rank_by=list(rank_by),
        backend=backend.name,
        parallel=chosen,
        wall_seconds=round(time.perf_counter() - began, 3),
        stopped=stop is not None and stop.requested,
        scenarios=rank(scenarios, plans, rank_by),
        not_run=[s.name for s in scenarios if s.name not in plans],
        plans=plans,
    )


# --------------------------------------------------------------------------- rendering


COLUMNS = ["rank", "scenario", "status", "weighted lateness", "Δ", "late projects", "cost", "Δ cost", "s"]


def _signed(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:+,.0f}".replace("-", "−")


def sweep_rows_text(result: SweepResult) -> list[list[str]]:
    """The ranked table's cells, as text (the terminal and the markdown report show the same)."""
    rows = []
    for row in result.scenarios:
        f, d = row.figures, row.delta
        rows.append(
            [
                str(row.rank),
                row.name,
                row.status.value,
                f"{f.weighted_tardiness:,}" if f else "—",
                _signed(d.weighted_tardiness) if d else "",
                str(f.late_projects) if f else "—",
                f"{f.total_cost:,.0f}" if f else "—",
                _signed(d.total_cost) if d else "",
                f"{row.solve_seconds:.1f}",
            ]
        )
    return rows


def sweep_summary(result: SweepResult) -> str:
    text = (
        f"{len(result.scenarios)} scenario(s) on the {result.backend} backend, {result.parallel} at a time, "
        f"{result.wall_seconds:.1f} s; ranked by {', '.join(result.rank_by)}"
    )
    if result.stopped:
        text += f"; stopped: {len(result.not_run)} not run"
    return text


def sweep_markdown(result: SweepResult) -> str:
    """The sweep as a markdown report: the ranked table and each scenario's changes."""
    from api.compare_report import md_table

    def esc(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["# Scenario sweep", "", sweep_summary(result) + ".", ""]
    lines += md_table(COLUMNS, sweep_rows_text(result))
    lines += ["", "## Changes", ""]
    for row in result.scenarios:
        changes = ", ".join(json.dumps(c, ensure_ascii=False) for c in row.changes) or "none"
        lines.append(
            f"* **{esc(row.name)}**: {esc(changes)}" + (f" — {esc(row.message)}" if row.message else "")
        )
    if result.not_run:
        lines += ["", "Not run (stopped): " + esc(", ".join(result.not_run))]
    return "\n".join(lines) + "\n"
