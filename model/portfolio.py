"""Pydantic models of the portfolio (the input side of the contract).

The field-level rules (types, ranges, required fields) live here; rules that tie
several parts of the portfolio together (references, cycles, dates inside the
horizon) live in :mod:`model.rules` and are run by :func:`model.load.parse_portfolio`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic import Strict as StrictMode

from model.calendar import WorkCalendar
from model.identifiers import normal_id

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DEFAULT_WORKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
Int = Annotated[int, StrictMode()]
"""An integer that must be a JSON number (``"8"`` and ``true`` are rejected)."""
Level = Annotated[int, StrictMode(), Field(ge=1, le=5)]
Identifier = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(normal_id)]
"""An id: 1…200 characters, NFC-normalised, no invisible or control characters."""


class Strict(BaseModel):
    """Base of every contract model: unknown fields are errors, never ignored."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


def not_before(first_field: str) -> classmethod:  # type: ignore[type-arg]
    """A field validator: this date may not be before the date in ``first_field``."""

    def check(cls: type, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        first = info.data.get(first_field)
        if value is not None and first is not None and value < first:
            raise ValueError(
                f"reversed range: {info.field_name} {value.isoformat()} is before "
                f"{first_field} {first.isoformat()}"
            )
        return value

    return classmethod(check)


class DateRange(Strict):
    """An inclusive range of dates."""

    start: dt.date = Field(description="First date of the range (inclusive).")
    end: dt.date = Field(description="Last date of the range (inclusive).")

    _ordered = field_validator("end")(not_before("start"))


class Calendar(Strict):
    """The planning horizon and which of its days are working days."""

    start: dt.date = Field(description="First day of the planning horizon.")
    end: dt.date = Field(description="Last day of the planning horizon (inclusive).")
    workdays: list[Weekday] = Field(
        default_factory=lambda: list(DEFAULT_WORKDAYS),
        description="Weekdays that are working days (default Monday to Friday).",
        min_length=1,
    )
    holidays: list[dt.date] = Field(default_factory=list, description="Dates that are never working days.")

    _ordered = field_validator("end")(not_before("start"))


class Skill(Strict):
    """A skill that people have and tasks require."""

    id: Identifier = Field(description="Unique skill id, referenced by people and requirements.")
    name: str | None = Field(default=None, description="Readable name of the skill.")


class Person(Strict):
    """A named person who can be assigned to tasks."""

    id: Identifier = Field(description="Unique person id.")
    name: str | None = Field(default=None, description="Readable name.")
    skills: dict[Identifier, Level] = Field(
        default_factory=dict, description="Skill id → proficiency level 1 (novice) … 5 (expert)."
    )
    capacity: Int = Field(
        default=100, ge=1, le=100, description="Percent of a full working day this person can give."
    )
    available_from: dt.date | None = Field(
        default=None, description="Join date (inclusive); null = from the horizon start."
    )
    available_until: dt.date | None = Field(
        default=None, description="Leave date (inclusive); null = until the horizon end."
    )
    absences: list[DateRange] = Field(
        default_factory=list, description="Inclusive date ranges of leave (no work on those days)."
    )
    cost_per_day: float = Field(default=0, ge=0, description="Cost of a full (100 %) day.")
    max_parallel_projects: Int | None = Field(
        default=None,
        ge=1,
        description="At most this many different projects on any working day; null = no limit.",
    )

    _ordered = field_validator("available_until")(not_before("available_from"))


class Pool(Strict):
    """Capacity that is not a named person: contractors, rooms, rigs, an RCPSP resource."""

    id: Identifier = Field(description="Unique pool id, referenced by requirements.")
    name: str | None = Field(default=None, description="Readable name.")
    capacity: Int = Field(ge=0, le=1_000_000, description="Units available on every working day.")


class Requirement(Strict):
    """What a task needs for its whole length: named people with a skill, or pool units."""

    skill: Identifier | None = Field(default=None, description="Skill id the people must have.")
    pool: Identifier | None = Field(default=None, description="Pool id (instead of `skill`).")
    units: Int = Field(default=1, ge=1, le=1_000_000, description="Pool units (only with `pool`).")
    level: Level = Field(default=1, description="Minimum proficiency level 1…5.")
    count: Int = Field(
        default=1,
        ge=1,
        le=100,
        description="Number of people (ignored for effort-driven tasks: the crew size is chosen).",
    )
    allocation: Int = Field(
        default=100, ge=1, le=100, description="Percent of their day each person gives to the task."
    )

    @model_validator(mode="after")
    def _kind(self) -> Requirement:
        if (self.skill is None) == (self.pool is None):
            raise ValueError("give exactly one of `skill` and `pool`")
        # compared with the defaults (not with what was given) so a dumped plan round-trips
        if self.pool is not None:
            wrong = [
                name
                for name, default in (("level", 1), ("count", 1), ("allocation", 100))
                if getattr(self, name) != default
            ]
            if wrong:
                raise ValueError(
                    f"{', '.join(wrong)}: only for skill requirements (a pool requirement takes `units`)"
                )
        if self.skill is not None and self.units != 1:
            raise ValueError("`units` is only for pool requirements (use `count` for people)")
        return self

    @property
    def is_pool(self) -> bool:
        """Whether this asks for pool units rather than named people."""
        return self.pool is not None


Consumption = dict[Identifier, Annotated[int, StrictMode(), Field(ge=0)]]


class Mode(Strict):
    """One alternative way to run a task."""

    id: str | None = Field(default=None, description="Optional name of the mode.")
    duration: Int = Field(ge=1, description="Length in working days in this mode.")
    requirements: list[Requirement] = Field(default_factory=list, description="What the mode needs.")
    consumes: Consumption = Field(
        default_factory=dict, description="Project budget id → amount used (once) in this mode."
    )


class DependencyType(StrEnum):
    """Kinds of precedence between two tasks."""

    FS = "FS"
    SS = "SS"
    FF = "FF"
    SF = "SF"


class Dependency(Strict):
    """A precedence from a predecessor task to the task that holds it."""

    task: Identifier = Field(description="Predecessor: same-project task id or `project/task`.")
    type: DependencyType = Field(default=DependencyType.FS, description="FS, SS, FF or SF.")
    lag: Int = Field(default=0, ge=-10000, le=10000, description="Lag in working days (may be negative).")


class Crew(Strict):
    """Bounds on the crew size of an effort-driven task."""

    min: Int = Field(default=1, ge=1, le=100, description="Smallest crew.")
    max: Int = Field(default=1, ge=1, le=100, description="Largest crew.")

    @field_validator("max")
    @classmethod
    def _ordered(cls, value: int, info: ValidationInfo) -> int:
        low = info.data.get("min")
        if low is not None and value < low:
            raise ValueError(f"crew bounds reversed: max {value} < min {low}")
        return value


MAX_ESTIMATE_DAYS = 10_000  # as a duration (model.limits.InputLimits.max_duration_days)
EstimateDays = Annotated[float, Field(gt=0, le=MAX_ESTIMATE_DAYS)]


class Estimate(Strict):
    """A three-point estimate of a task's length in working days (schedule risk only)."""

    optimistic: EstimateDays = Field(description="Shortest credible length (working days, > 0).")
    likely: EstimateDays = Field(description="Most likely length (working days).")
    pessimistic: EstimateDays = Field(description="Longest credible length (working days).")

    @model_validator(mode="after")
    def _ordered(self) -> Estimate:
        if not self.optimistic <= self.likely <= self.pessimistic:
            raise ValueError(
                f"give optimistic ≤ likely ≤ pessimistic, not {self.optimistic:g}, {self.likely:g}, "
                f"{self.pessimistic:g}"
            )
        return self


class Spread(Strict):
    """A three-point estimate as shares of the planned length (likely = the planned length)."""

    optimistic: float = Field(
        gt=0, le=1, description="Shortest length as a share of the planned one (0 < x ≤ 1)."
    )
    pessimistic: float = Field(
        ge=1, le=100, description="Longest length as a share of the planned one (1 ≤ x ≤ 100)."
    )


class RiskSettings(Strict):
    """Portfolio-wide defaults of the schedule-risk analysis."""

    default_spread: Spread | None = Field(
        default=None, description="The estimate of every task without its own `estimate`; none: certain."
    )


class Task(Strict):
    """A unit of work: a fixed duration or an effort shared by a crew."""

    id: Identifier = Field(description="Task id, unique within its project.")
    name: str | None = Field(default=None, description="Readable name.")
    duration: Int | None = Field(default=None, ge=1, description="Fixed length in working days.")
    effort: float | None = Field(
        default=None, gt=0, description="Person-days shared by the crew (effort-driven task)."
    )
    crew: Crew | None = Field(default=None, description="Crew size bounds of an effort-driven task.")
    requirements: list[Requirement] = Field(default_factory=list, description="The people the task needs.")
    modes: list[Mode] | None = Field(
        default=None, min_length=1, description="Alternative modes; the optimiser picks one."
    )
    consumes: Consumption = Field(
        default_factory=dict, description="Project budget id → amount used (once) by the task."
    )
    dependencies: list[Dependency] = Field(default_factory=list, description="Predecessors.")
    fixed_start: dt.date | None = Field(default=None, description="Pinned start date.")
    fixed_people: list[Identifier] = Field(
        default_factory=list, description="Person ids that must be on this task."
    )
    earliest_start: dt.date | None = Field(default=None, description="Task window: earliest start.")
    latest_finish: dt.date | None = Field(default=None, description="Task window: latest finish.")
    estimate: Estimate | None = Field(
        default=None, description="Three-point estimate of the length for schedule risk (working days)."
    )

    @field_validator("effort")
    @classmethod
    def _hundredths(cls, value: float | None) -> float | None:
        # above 1e12 hundredths no float has a fraction left (and the input limits refuse it)
        if value is not None and value < 1e10 and abs(value * 100 - round(value * 100)) > 1e-6:
            raise ValueError("effort is counted in hundredths of a person-day: use at most two decimals")
        if value is not None and value < 0.005:
            raise ValueError("effort is counted in hundredths of a person-day: at least 0.01")
        return value

    @field_validator("crew")
    @classmethod
    def _crew_needs_effort(cls, value: Crew | None, info: ValidationInfo) -> Crew | None:
        # an absent key means `effort` itself failed validation: that error is enough
        if value is not None and "effort" in info.data and info.data["effort"] is None:
            raise ValueError("`crew` is only for effort-driven tasks (give `effort`, not `duration`)")
        return value

    @field_validator("requirements")
    @classmethod
    def _one_requirement_for_effort(cls, value: list[Requirement], info: ValidationInfo) -> list[Requirement]:
        both = info.data.get("duration") is not None  # the xor error says it better
        if info.data.get("effort") is not None and not both:
            if len(value) != 1:
                raise ValueError(f"an effort-driven task has exactly one requirement, not {len(value)}")
            if value[0].is_pool:
                raise ValueError("an effort-driven task's requirement must ask for a skill, not a pool")
        return value

    _window = field_validator("latest_finish")(not_before("earliest_start"))

    @model_validator(mode="after")
    def _shape(self) -> Task:
        given = [k for k in ("duration", "effort", "modes") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of `duration`, `effort` and `modes`")
        if self.modes is not None and (self.requirements or self.consumes):
            raise ValueError("a task with `modes` has its requirements and consumption in each mode")
        return self

    def mode_options(self) -> list[Mode]:
        """Duration, requirements and consumption of each way to run a non-effort task."""
        if self.modes is not None:
            return list(self.modes)
        assert self.duration is not None
        return [Mode(duration=self.duration, requirements=self.requirements, consumes=self.consumes)]

    def all_requirements(self) -> list[tuple[str, Requirement]]:
        """Every requirement with its path below the task (``requirements[0]``, ``modes[1].requirements[0]``)."""
        if self.modes is None:
            return [(f"requirements[{r}]", req) for r, req in enumerate(self.requirements)]
        return [
            (f"modes[{m}].requirements[{r}]", req)
            for m, mode in enumerate(self.modes)
            for r, req in enumerate(mode.requirements)
        ]

    @property
    def crew_bounds(self) -> tuple[int, int]:
        """Smallest and largest crew (effort-driven tasks; ``(1, 1)`` by default)."""
        crew = self.crew or Crew()
        return crew.min, crew.max

    def effort_length(self, crew_size: int) -> int:
        """Length in working days of an effort-driven task done by ``crew_size`` people."""
        assert self.effort is not None
        allocation = self.requirements[0].allocation
        # Integer arithmetic on hundredths avoids float rounding at exact multiples.
        numerator = round(self.effort * 100 * 100)
        denominator = crew_size * allocation * 100
        return max(1, -(-numerator // denominator))


class ProjectStatus(StrEnum):
    """Whether a project must be planned."""

    committed = "committed"
    proposed = "proposed"


class Project(Strict):
    """A project: tasks sharing a priority, release, due date and deadline."""

    id: Identifier = Field(description="Unique project id.")
    name: str | None = Field(default=None, description="Readable name.")
    priority: Int = Field(default=5, ge=1, le=10, description="Weight 1…10.")
    status: ProjectStatus = Field(
        default=ProjectStatus.committed,
        description="`committed` (must be planned) or `proposed` (planned only if capacity allows).",
    )
    release: dt.date | None = Field(
        default=None, description="No task starts before this date (default: horizon start)."
    )
    due: dt.date | None = Field(default=None, description="Soft target finish; lateness is penalised.")
    deadline: dt.date | None = Field(default=None, description="Hard latest finish of the project.")
    budgets: Consumption = Field(
        default_factory=dict, description="Consumable budget id → the project's total limit."
    )
    tasks: list[Task] = Field(default_factory=list, description="The project's tasks.")


class ObjectiveWeights(Strict):
    """Non-negative weights of the soft goals."""

    tardiness: float = Field(default=1000, ge=0, description="Σ priority × working days late against `due`.")
    completion: float = Field(
        default=1, ge=0, description="Σ priority × project finish day index (finish early)."
    )
    cost: float = Field(default=0, ge=0, description="Σ person-day cost.")
    continuity: float = Field(default=0, ge=0, description="Σ number of distinct people per project.")
    makespan: float = Field(
        default=0, ge=0, description="Working days from the horizon start to the plan's last finish."
    )
    project_delay: float = Field(
        default=0,
        ge=0,
        description="Σ (finish index + 1 − release index − critical path length) of planned projects.",
    )


class Portfolio(Strict):
    """A whole portfolio: calendar, skills, people, projects and objective weights."""

    name: str | None = Field(default=None, description="Name of the portfolio.")
    calendar: Calendar = Field(description="Planning horizon and working days.")
    skills: list[Skill] = Field(default_factory=list, description="Declared skills.")
    people: list[Person] = Field(default_factory=list, description="People.")
    pools: list[Pool] = Field(default_factory=list, description="Generic resource pools.")
    projects: list[Project] = Field(default_factory=list, description="Projects.")
    objective: ObjectiveWeights = Field(
        default_factory=ObjectiveWeights, description="Weights of the soft goals."
    )
    risk: RiskSettings | None = Field(
        default=None, description="Defaults of the schedule-risk analysis (`pmo risk`)."
    )

    # Derived lookups are cached with the state they were built from, so a portfolio changed
    # after first use (in place or through `model_copy(update=...)`) rebuilds them. They live
    # in the instance dict beside the fields (as `cached_property` values do), which pydantic
    # leaves out of equality and serialisation.
    @property
    def work_calendar(self) -> WorkCalendar:
        """The working-day calendar of the horizon."""
        cal = self.calendar
        key = (id(cal), cal.start, cal.end, tuple(cal.workdays), tuple(cal.holidays))
        cached = self.__dict__.get("_calendar_cache")
        if cached is None or cached[0] != key:
            cached = self.__dict__["_calendar_cache"] = (
                key,
                WorkCalendar(cal.start, cal.end, cal.workdays, cal.holidays),
            )
        return cached[1]  # type: ignore[no-any-return]

    def project(self, project_id: str) -> Project:
        """The project with id ``project_id``."""
        index: dict[str, int] = self.__dict__.get("_project_index", {})
        k = index.get(project_id)
        if k is None or k >= len(self.projects) or self.projects[k].id != project_id:
            index = self.__dict__["_project_index"] = {p.id: k for k, p in enumerate(self.projects)}
            k = index[project_id]
        return self.projects[k]

    def task_key(self, project_id: str, dep_task: str) -> tuple[str, str]:
        """Resolve a dependency reference seen from ``project_id`` to ``(project, task)``."""
        if "/" in dep_task:
            proj, task = dep_task.split("/", 1)
            return proj, task
        return project_id, dep_task
