"""Request and response bodies of the API (the contract's own models are used as they are)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from model.plan import TaskChange, Violation
from model.scenario import Change
from solver.settings import SolverSettings

Ident = Annotated[str, Field(min_length=1, max_length=200, description="An id this workspace received.")]
MAX_COMPARED = 20


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- portfolios


class PortfolioSummary(BaseModel):
    """A stored portfolio, without its content."""

    id: str = Field(description="The portfolio's id.")
    name: str = Field(description="The portfolio's name (from its document).")
    version: int = Field(description="Its latest version (1, 2, …).")
    created_at: dt.datetime
    updated_at: dt.datetime


class PortfolioOut(PortfolioSummary):
    """A stored portfolio with its latest version's content (the contract's JSON)."""

    versions: list[int] = Field(description="Every version kept, oldest first.")
    portfolio: dict[str, Any] = Field(description="The latest version (schema: `Portfolio`).")


class ImportedPortfolioOut(PortfolioOut):
    """A portfolio stored from an uploaded file, with what the file held that it cannot carry."""

    format: Literal["json", "xlsx", "mspdi"] = Field(description="The format the file held (told by content).")
    notes: list[str] = Field(
        default_factory=list, description="What of an MS Project file is not mapped (empty for the others)."
    )


class VersionSummary(BaseModel):
    """One kept version of a portfolio."""

    number: int
    created_at: dt.datetime


# --------------------------------------------------------------------------- scenarios


class ScenarioIn(_Body):
    """A what-if scenario: a stored base and the CLI's typed changes, applied in order."""

    name: str | None = Field(default=None, max_length=1000, description="Short name, shown in comparisons.")
    description: str | None = Field(default=None, description="What the scenario asks, in PMO words.")
    portfolio: Ident | None = Field(default=None, description="Base: a stored portfolio …")
    version: int | None = Field(default=None, ge=1, description="… at this version (default: its latest).")
    scenario: Ident | None = Field(default=None, description="Base: another stored scenario (instead).")
    changes: list[Change] = Field(default_factory=list, description="The changes, applied in order.")


class ScenarioBase(_Body):
    """Where a scenario starts: a portfolio version or another scenario."""

    portfolio: Ident | None = None
    version: int | None = Field(default=None, ge=1)
    scenario: Ident | None = None


class ScenarioOut(BaseModel):
    """A stored scenario."""

    id: str
    name: str | None
    description: str | None
    base: ScenarioBase = Field(description="The portfolio version (or scenario) the changes apply to.")
    changes: list[dict[str, Any]] = Field(description="The changes as given.")
    created_at: dt.datetime
    portfolio: str = Field(description="Path of the applied portfolio.")


# --------------------------------------------------------------------------- runs


class _RunBody(_Body):
    settings: SolverSettings = Field(
        default_factory=SolverSettings, description="Solver settings, as the CLI's `SolverSettings`."
    )


class SolveRunIn(_RunBody):
    """Plan a stored portfolio (a version of it) or a scenario."""

    kind: Literal["solve"]
    portfolio: Ident | None = Field(default=None, description="The portfolio to plan …")
    version: int | None = Field(default=None, ge=1, description="… at this version (default: its latest).")
    scenario: Ident | None = Field(default=None, description="Or the scenario to plan.")


class CompareRunIn(_RunBody):
    """Solve scenarios side by side; the first one (or `portfolio`, when given) is the baseline."""

    kind: Literal["compare"]
    scenarios: list[Ident] = Field(min_length=1, max_length=MAX_COMPARED, description="The scenarios.")
    portfolio: Ident | None = Field(default=None, description="A portfolio to put first, as the baseline.")
    version: int | None = Field(default=None, ge=1, description="Its version (default: its latest).")


class ReplanRunIn(_RunBody):
    """Replan from a stored plan: work done or started before `as_of` stays, the rest moves as little as it can."""

    kind: Literal["replan"]
    baseline: Ident = Field(description="The plan being executed.")
    as_of: dt.date = Field(description="The day from which to replan.")
    freeze_until: dt.date | None = Field(
        default=None, description="No change to work starting before this day."
    )
    max_changes: int | None = Field(
        default=None, ge=0, le=1_000_000, description="At most this many tasks change."
    )
    move_weight: float = Field(default=500.0, ge=0, le=1e6, description="Cost of moving a task.")
    shift_weight: float = Field(default=50.0, ge=0, le=1e6, description="Cost per working day a task shifts.")
    people_weight: float = Field(default=500.0, ge=0, le=1e6, description="Cost per person taken off a task.")
    portfolio: Ident | None = Field(
        default=None, description="The changed portfolio (default: the latest version of the baseline's)."
    )
    version: int | None = Field(default=None, ge=1, description="Its version (default: its latest).")
    scenario: Ident | None = Field(default=None, description="Or a scenario to replan.")


class SweepRunIn(_RunBody):
    """A grid of typed changes to a stored portfolio, expanded into scenarios, solved and ranked (`pmo sweep`)."""

    kind: Literal["sweep"]
    portfolio: Ident = Field(description="The base portfolio.")
    version: int | None = Field(default=None, ge=1, description="Its version (default: its latest).")
    vary: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=20,
        description="Axes, as in a sweep file: `{op, FIELD: [values]…}` (a list is one dimension; "
        "`priority`/`due`/`deadline`/`capacity` take ids as keys) or `{name, options: [[changes…]…]}`.",
    )
    rank_by: list[str] | None = Field(
        default=None,
        description="Criteria, lexicographic, lower first (default weighted_lateness, late_projects, cost).",
    )
    parallel: int | None = Field(default=None, ge=1, le=256, description="Solves at a time (Ray backend).")


RunIn = Annotated[SolveRunIn | CompareRunIn | ReplanRunIn | SweepRunIn, Field(discriminator="kind")]

RunState = Literal["queued", "running", "completed", "infeasible", "cancelled", "failed", "interrupted"]


class RunTarget(BaseModel):
    """What one plan of a run is made for."""

    label: str = Field(description="Name of the plan in the run (the scenario's name in a comparison).")
    portfolio: str | None = Field(default=None, description="Portfolio id.")
    version: int | None = Field(default=None, description="Portfolio version.")
    scenario: str | None = Field(default=None, description="Scenario id.")


class RunOut(BaseModel):
    """A run: its state, its figures so far and where its plans are."""

    id: str
    kind: Literal["solve", "compare", "replan", "sweep"]
    state: RunState = Field(
        description="queued, running, completed, infeasible, cancelled, failed or interrupted (the server "
        "stopped during the run: its last stored plan is kept)."
    )
    created_at: dt.datetime
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    objective: float | None = Field(default=None, description="Objective of the best plan so far.")
    bound: float | None = Field(default=None, description="Proven lower bound of the objective.")
    gap: float | None = Field(default=None, description="(objective − bound) / objective, from 0.")
    gap_text: str = Field(description="How far the best plan may be from the best possible, in words.")
    queued_seconds: float | None = Field(default=None, description="Seconds from submission to start.")
    first_plan_seconds: float | None = Field(
        default=None, description="Seconds from start to the first plan."
    )
    plan: str | None = Field(default=None, description="Path of the best plan so far.")
    plans: dict[str, str] = Field(default_factory=dict, description="Label → path of each plan of the run.")
    comparison: str | None = Field(
        default=None, description="Path of the comparison (compare runs, when done)."
    )
    sweep: str | None = Field(default=None, description="Path of the ranked results (sweep runs, when done).")
    events: str = Field(description="Path of the run's server-sent events.")
    message: str | None = Field(
        default=None, description="Why the run failed, was infeasible or was interrupted."
    )
    targets: list[RunTarget] = Field(default_factory=list, description="What the plans are made for.")
    baseline: str | None = Field(default=None, description="Replan runs: the baseline plan's id.")
    request: dict[str, Any] = Field(description="The body the run was submitted with.")


# --------------------------------------------------------------------------- plans


class PlanSummary(BaseModel):
    """A stored plan, without its content."""

    id: str
    run: str | None = Field(description="The run that made it.")
    label: str
    status: str = Field(description="The plan's status (optimal, feasible, stopped, infeasible, …).")
    objective: float | None
    final: bool = Field(description="False while its run may still improve it.")
    portfolio: str | None = Field(description="The portfolio it was made for …")
    version: int | None = Field(description="… at exactly this version.")
    scenario: str | None = Field(description="Or the scenario it was made for.")
    baseline: str | None = Field(description="The plan it replans, if any.")
    created_at: dt.datetime
    updated_at: dt.datetime


class CheckReport(BaseModel):
    """The independent checker's verdict on a plan."""

    valid: bool = Field(description="True when the plan satisfies every hard rule.")
    violations: list[Violation] = Field(default_factory=list, description="Every broken hard rule.")


class PlanChanges(BaseModel):
    """How a replanned plan differs from its baseline."""

    baseline: str | None = Field(description="The baseline plan's id (null: the plan replans nothing).")
    changes: list[TaskChange] = Field(default_factory=list)


class CheckTarget(_Body):
    """The stored portfolio (version) or scenario a posted plan is checked against."""

    portfolio: Ident | None = None
    version: int | None = Field(default=None, ge=1)
    scenario: Ident | None = None


class CheckIn(CheckTarget):
    """A plan (the contract's JSON) and the stored portfolio or scenario to check it against."""

    plan: dict[str, Any] = Field(description="The plan (schema: `Plan`).")


class Health(BaseModel):
    """Liveness or readiness."""

    status: Literal["ok", "ready"]
    database: str | None = None
    workers: int | None = None
