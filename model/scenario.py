"""What-if scenarios: a base portfolio plus an ordered list of typed changes.

A scenario names its base portfolio (inline, or a file: either a portfolio or
another scenario, so scenarios build on scenarios) and lists changes such as
``hire``, ``remove_person`` or ``change_priority``. Applying it yields a new
portfolio validated by :func:`model.load.parse_portfolio`. Every problem is an
:class:`~model.rules.Issue` with a path into the scenario document:

* a change naming something that does not exist:
  ``changes[3].project: unknown project 'crmm'``;
* a change that leaves the portfolio invalid: the portfolio's issue, prefixed with
  the change that introduced it, e.g.
  ``after changes[2] (add_task): projects[0].tasks[6].dependencies[0].task: unknown task 'x'``
  (``after changes:`` when no single change can be blamed);
* problems inside a referenced file: prefixed with ``base[file.json]``.

The format is documented in ``docs/scenarios.md``. Pure Python: no solver here.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    Tag,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from model.limits import clip
from model.load import (
    InvalidInput,
    issues_from_validation_error,
    parse_portfolio,
    read_json,
    validate_portfolio,
)
from model.portfolio import (
    Crew,
    Dependency,
    Identifier,
    Int,
    Level,
    ObjectiveWeights,
    Person,
    Portfolio,
    Project,
    ProjectStatus,
    Requirement,
    Skill,
    Task,
    not_before,
)
from model.rules import Issue

__all__ = [
    "OPS",
    "AddAbsence",
    "AddPerson",
    "AddProject",
    "AddSkill",
    "AddTask",
    "Change",
    "ChangeCapacity",
    "ChangeDeadline",
    "ChangeDue",
    "ChangeObjective",
    "ChangePriority",
    "ChangeSkills",
    "Hire",
    "ModifyPerson",
    "ModifyProject",
    "ModifyTask",
    "RemovePerson",
    "RemoveProject",
    "RemoveTask",
    "Scenario",
    "apply_changes",
    "apply_scenario",
    "is_scenario_data",
    "load_for_compare",
    "load_portfolio_or_scenario",
    "load_scenario",
    "parse_scenario",
    "scenario_portfolio",
]

PortfolioData = dict[str, Any]
"""A portfolio as plain JSON data (what the changes edit)."""


class _Model(BaseModel):
    """Base of the scenario models: unknown fields are errors; ``from`` is an alias."""

    model_config = ConfigDict(
        extra="forbid",
        allow_inf_nan=False,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )


# --------------------------------------------------------------------------- helpers on portfolio data


def _index_of(items: list[dict[str, Any]], item_id: str) -> int | None:
    for i, item in enumerate(items):
        if item.get("id") == item_id:
            return i
    return None


def _find_project(data: PortfolioData, pid: str, at: str, issues: list[Issue]) -> dict[str, Any] | None:
    i = _index_of(data["projects"], pid)
    if i is None:
        issues.append(Issue(at, f"unknown project '{pid}'"))
        return None
    project: dict[str, Any] = data["projects"][i]
    return project


def _find_person(data: PortfolioData, pid: str, at: str, issues: list[Issue]) -> dict[str, Any] | None:
    i = _index_of(data["people"], pid)
    if i is None:
        issues.append(Issue(at, f"unknown person '{pid}'"))
        return None
    person: dict[str, Any] = data["people"][i]
    return person


def _find_task(
    data: PortfolioData, pid: str, tid: str, at: str, issues: list[Issue]
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    project = _find_project(data, pid, f"{at}.project", issues)
    if project is None:
        return None
    i = _index_of(project["tasks"], tid)
    if i is None:
        issues.append(Issue(f"{at}.task", f"unknown task '{tid}' in project '{pid}'"))
        return None
    return project, project["tasks"][i]


def _check_skills(data: PortfolioData, skills: Mapping[str, int], at: str, issues: list[Issue]) -> None:
    known = {s["id"] for s in data["skills"]}
    for skill in skills:
        if skill not in known:
            issues.append(Issue(f"{at}.{skill}", f"unknown skill '{skill}'"))


def _dependency_target(holder_project: str, ref: str) -> tuple[str, str]:
    if "/" in ref:
        proj, task = ref.split("/", 1)
        return proj, task
    return holder_project, ref


def _dependents(data: PortfolioData, removed: Callable[[str, str], bool]) -> list[tuple[str, str, str]]:
    """``(holder project, holder task, reference)`` of every dependency on a removed task.

    Dependencies held by removed tasks themselves are not listed.
    """
    out = []
    for project in data["projects"]:
        for task in project["tasks"]:
            if removed(project["id"], task["id"]):
                continue
            for dep in task["dependencies"]:
                if removed(*_dependency_target(project["id"], dep["task"])):
                    out.append((project["id"], task["id"], dep["task"]))
    return out


def _drop_dependencies(data: PortfolioData, removed: Callable[[str, str], bool]) -> None:
    for project in data["projects"]:
        for task in project["tasks"]:
            task["dependencies"] = [
                d for d in task["dependencies"] if not removed(*_dependency_target(project["id"], d["task"]))
            ]


def _describe(items: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _reject_null_check(cls: type, value: Any, info: ValidationInfo) -> Any:
    if value is None:
        raise ValueError(f"`{info.field_name}` may not be null (leave it out to keep the current value)")
    return value


_reject_null: classmethod = classmethod(_reject_null_check)  # type: ignore[type-arg]


# --------------------------------------------------------------------------- changes


class _Change(_Model):
    """Common behaviour of every change.

    A change dumps only the fields it was given (and its ``op``), so that a dumped
    ``modify_*`` change does not turn "leave as is" into "set to null".
    """

    @model_serializer(mode="wrap")
    def _only_given(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        fields = type(self).model_fields
        keep = {"op"} | self.model_fields_set | {fields[n].alias or n for n in self.model_fields_set}
        return {k: v for k, v in data.items() if k in keep}

    def apply(self, data: PortfolioData, at: str) -> list[Issue]:
        """Edit ``data`` in place; return the issues (paths below ``at``) if the change cannot apply."""
        raise NotImplementedError

    def _given(self, names: Sequence[str]) -> dict[str, Any]:
        """The fields among ``names`` that the change sets, as JSON data."""
        fields = [n for n in names if n in self.model_fields_set]
        return self.model_dump(mode="json", include=set(fields), by_alias=False)


ADDRESS_FIELDS = frozenset({"op", "project", "task", "person"})
"""Fields of a change that say what it changes, not what it sets."""


def settable_fields(change: type[_Change]) -> tuple[str, ...]:
    """The fields a ``modify_*`` change sets, in declaration order: all but its address."""
    return tuple(name for name in change.model_fields if name not in ADDRESS_FIELDS)


class AddSkill(_Change):
    """Declare a new skill."""

    op: Literal["add_skill"] = Field(description="Change kind.")
    skill: Skill = Field(description="The skill object (as in `skills[]` of the portfolio).")

    def apply(self, data: PortfolioData, at: str) -> list[Issue]:
        if _index_of(data["skills"], self.skill.id) is not None:
            return [Issue(f"{at}.skill.id", f"skill '{self.skill.id}' already exists")]
        data["skills"].append(self.skill.model_dump(mode="json"))
        return []


class AddProject(_Change):
    """Add a whole project."""

    op: Literal["add_project"] = Field(description="Change kind.")
    project: Project = Field(description="The project object (as in `projects[]` of the portfolio).")

    def apply(self, data: PortfolioData, at: str) -> list[Issue]:
        if _index_of(data["projects"], self.project.id) is not None:
            return [Issue(f"{at}.project.id", f"project '{self.project.id}' already exists")]
        data["projects"].append(self.project.model_dump(mode="json"))
        return []


class RemoveProject(_Change):
    """Remove a project and its tasks."""

    op: Literal["remove_project"] = Field(description="Change kind.")
    project: Identifier = Field(description="Id of the project to remove.")
    cascade: bool = Field(
        default=False,
        description="Also drop other projects' dependencies on its tasks (otherwise they are an error).",
    )

    def apply(self, data: PortfolioData, at: str) -> list[Issue]:
        issues: list[Issue] = []
        if _find_project(data, self.project, f"{at}.project", issues) is None:
            return issues

        def removed(pid: str, tid: str) -> bool:
            return pid == self.project

        users = _dependents(data, removed)
        if users and not self.cascade:
            names = [f"{p}/{t} → {ref}" for p, t, ref in users]
            return [
                Issue(
                    f"{at}.project",
                    f"other projects depend on project '{self.project}' ({_describe(names)}); "
                    'set "cascade": true to drop those dependencies',
                )
            ]
        _drop_dependencies(data, removed)
        data["projects"] = [p for p in data["projects"] if p["id"] != self.project]
        return []


def _set_project_fields(data: PortfolioData, pid: str, values: dict[str, Any], at: str) -> list[Issue]:
    issues: list[Issue] = []
    project = _find_project(data, pid, f"{at}.project", issues)
    if project is not None:
        project.update(values)
    return issues


class ModifyProject(_Change):
    """Set fields of a project; fields left out keep their value, ``null`` clears a date."""

    op: Literal["modify_project"] = Field(description="Change kind.")
    project: Identifier = Field(description="Id of the project to modify.")
    name: str | None = Field(default=None, description="New readable name.")
    priority: Int | None = Field(default=None, ge=1, le=10, description="New priority 1…10.")
    status: ProjectStatus | None = Field(default=None, description="`committed` or `proposed`.")
    release: dt.date | None = Field(default=None, description="New release date; null = horizon start.")
    due: dt.date | None = Field(default=None, description="New due date; null = none.")
    deadline: dt.date | None = Field(default=None, description="New hard deadline; null = none.")

    _not_null = field_validator("priority", "status")(_reject_null)

    @model_validator(mode="after")
    def _something(self) -> ModifyProject:
        if not self.model_fields_set & set(_PROJECT_FIELDS):
            raise ValueError(f"give at least one field to change ({', '.join(_PROJECT_FIELDS)})")
        return self

    def apply(self, data: PortfolioData, at: str) -> list[Issue]:
        return _set_project_fields(data, self.project, self._given(_PROJECT_FIELDS), at)


_PROJECT_FIELDS = settable_fields(ModifyProject)
"""Project fields a scenario can set."""


class ChangePriority(_Change):
    """Shortcut: set a project's priority."""

    op: Literal["change_priority"] = Field(description="Change kind.")
    project: Identifier = Field(description="Project id.")
    priority: Int = Field(ge=1, le=10, description="New priority 1…10.")

    def apply(self, data: PortfolioData, at: str) -> list[Issue]:
        return _set_project_fields(data, self.project, {"priority": self.priority}, at)


class ChangeDue(_Change):
    """Shortcut: set (or clear) a project's soft due date."""

    op: Literal["change_due"] = Field(description="Change kind.")
    project: Identifier = Field(description="Project id.")
    due: dt.date | None = Field(description="New due date; null = no due date.")

    def apply(self, data: PortfolioData, at: str) -> list[Issue]:
        due = self.due.isoformat() if self.due else None
        return _set_project_fields(data, self.project, {"due": due}, at)


class ChangeDeadline(_Change):
    """Shortcut: set (or clear) a project's hard deadline."""

    op: Literal["change_deadline"] = Field(description="Change kind.")
    project: Identifier = Field(description="Project id.")
    deadline: dt.date | None = Field(description="New hard deadline; null = no deadline.")

    def apply(self, data: PortfolioData, at: str) -> list[Issue]:
        deadline = self.deadline.isoformat() if self.deadline else None
        return _set_project_fields(data, self.project, {"deadline": deadline}, at)


class AddTask(_Change):
    """Add a task to an existing project."""

    op: Literal["add_task"] = Field(description="Change kind.")
    project: Identifier = Field(description="Id of the project that gets the task.")
    task: Task = Field(description="The task object (as in `projects[].tasks[]`).")

    def apply(self, data: PortfolioData, at: str) -> list[Issue]:
        issues: list[Issue] = []
        project = _find_project(data, self.project, f"{at}.project", issues)
        if project is None:
            return issues
        if _index_of(project["tasks"], self.task.id) is not None:
            return [
                Issue(f"{at}.task.id", f"task '{self.task.id}' already exists in project '{self.project}'")
            ]
        project["tasks"].append(self.task.model_dump(mode="json"))
        return []


class RemoveTask(_Change):
    """Remove a task."""

    op: Literal["remove_task"] = Field(description="Change kind.")
    project: Identifier = Field(description="Project id.")
    task: Identifier = Field(description="Id of the task to remove (within the project).")
    cascade: bool = Field(
        default=False,
        description="Also drop the dependencies of other tasks on it (otherwise they are an error).",
    )

    def apply(self, data: PortfolioData, at: str) -> list[Issue]:
        issues: list[Issue] = []
        found = _find_task(data, self.project, self.task, at, issues)
        if found is None:
            return issues
        project, _ = found

        def removed(pid: str, tid: str) -> bool:
            return (pid, tid) == (self.project, self.task)

        users = _dependents(data, removed)
        if users and not self.cascade:
            names = [f"{p}/{t}" for p, t, _ in users]
            return [
                Issue(
                    f"{at}.task",
                    f"task '{self.project}/{self.task}' is a predecessor of {_describe(names)}; "
                    'set "cascade": true to drop those dependencies',
                )
            ]
        _drop_dependencies(data, removed)
        project["tasks"] = [t for t in project["tasks"] if t["id"] != self.task]
        return []


class ModifyTask(_Change):
    """Set fields of a task; fields left out keep their value.

    Giving ``duration`` makes the task fixed-length (its ``effort``, ``crew`` and
    ``modes`` are cleared); giving ``effort`` makes it effort-driven (its ``duration``
    and ``modes`` are cleared).
    """

    op: Literal["modify_task"] = Field(description="Change kind.")
    project: Identifier = Field(description="Project id.")
    task: Identifier = Field(description="Id of the task to modify (within the project).")
    name: str | None = Field(default=None, description="New readable name.")
    duration: Int | None = Field(default=None, ge=1, description="New fixed length in working days.")
    effort: float | None = Field(default=None, gt=0, description="New effort in person-days.")
    crew: Crew | None = Field(default=None, description="New crew bounds; null = the default 1…1.")
    requirements: list[Requirement] | None = Field(default=None, description="New requirements (replaced).")
    dependencies: list[Dependency] | None = Field(default=None, description="New predecessors (replaced).")
    earliest_start: dt.date | None = Field(default=None, description="New earliest start; null = none.")
    latest_finish: dt.date | None = Field(default=None, description="New latest finish; null = none.")
    fixed_start: dt.date | None = Field(default=None, description="New pinned start; null = unpinned.")
    fixed_people: list[Identifier] | None = Field(
        default=None, description="New pinned people (replaced; [] = none)."
    )

    _not_null = field_validator("duration", "effort", "requirements", "dependencies", "fixed_people")(
        _reject_null
    )

    @model_validator(mode="after")
    def _something(self) -> ModifyTask:
        given = self.model_fields_set & set(_TASK_FIELDS)
        if not given:
            raise ValueError(f"give at least one field to change ({', '.join(_TASK_FIELDS)})")
        if {"duration", "effort"} <= given:
            raise ValueError("give at most one of `duration` and `effort`")
        return self

    def apply(self, data: PortfolioData, at: str) -> list[Issue]:
        issues: list[Issue] = []
        found = _find_task(data, self.project, self.task, at, issues)
        if found is None:
            return issues
        _, task = found
        for k, pid in enumerate(self.fixed_people or []):
            if _index_of(data["people"], pid) is None:
                issues.append(Issue(f"{at}.fixed_people[{k}]", f"unknown person '{pid}'"))
        if issues:
            return issues
        values = self._given(_TASK_FIELDS)
        if "duration" in values:
            task.update(effort=None, crew=None, modes=None)
        if "effort" in values:
            task.update(duration=None, modes=None)
        task.update(values)
        return []


_TASK_FIELDS = settable_fields(ModifyTask)
"""Task fields a scenario can set."""


class AddPerson(_Change):
    """Add a named person."""

    op: Literal["add_person"] = Field(description="Change kind.")
    person: Person = Field(description="The person object (as in `people[]` of the portfolio).")

    def apply(self, data: PortfolioData, at: str) -> list[Issue]:
        if _index_of(data["people"], self.person.id) is not None:
            return [Issue(f"{at}.person.id", f"person '{self.person.id}' already exists")]
        issues: list[Issue] = []
        _check_skills(data, self.person.skills, f"{at}.person.skills", issues)
        if not issues:
            data["people"].append(self.person.model_dump(mode="json"))
        return issues


class RemovePerson(_Change):
    """Remove a person (someone leaves)."""

    op: Literal["remove_person"] = Field(description="Change kind.")
    person: Identifier = Field(description="Id of the person to remove.")
    cascade: bool = Field(
        default=False,
        description="Also unpin them from `fixed_people` of tasks (otherwise a pin is an error).",
    )

    def apply(self, data: PortfolioData, at: str) -> list[Issue]:
        issues: list[Issue] = []
        if _find_person(data, self.person, f"{at}.person", issues) is None:
            return issues
        pinned = [
            (project, task)
            for project in data["projects"]
            for task in project["tasks"]
            if self.person in task["fixed_people"]
        ]
        if pinned and not self.cascade:
            names = [f"{p['id']}/{t['id']}" for p, t in pinned]
            return [
                Issue(
                    f"{at}.person",
                    f"person '{self.person}' is pinned (fixed_people) on {_describe(names)}; "
                    'set "cascade": true to unpin them',
                )
            ]
        for _, task in pinned:
            task["fixed_people"] = [x for x in task["fixed_people"] if x != self.person]
        data["people"] = [x for x in data["people"] if x["id"] != self.person]
        return []


def _set_person_fields(
    data: PortfolioData,
    pid: str,
    values: dict[str, Any],
    at: str,
    add_skills: Mapping[str, int] | None = None,
) -> list[Issue]:
    issues: list[Issue] = []
    person = _find_person(data, pid, f"{at}.person", issues)
    if person is None:
        return issues
    if "skills" in values:
        _check_skills(data, values["skills"], f"{at}.skills", issues)
    if add_skills:
        _check_skills(data, add_skills, f"{at}.add_skills", issues)
    if issues:
        return issues
    person.update(values)
    if add_skills:
        person["skills"] = {**person["skills"], **add_skills}
    return []


class ModifyPerson(_Change):
    """Set fields of a person; fields left out keep their value."""

    op: Literal["modify_person"] = Field(description="Change kind.")
    person: Identifier = Field(description="Id of the person to modify.")
    name: str | None = Field(default=None, description="New readable name.")
    capacity: Int | None = Field(default=None, ge=1, le=100, description="New capacity, percent of a day.")
    skills: dict[str, Level] | None = Field(
        default=None, description="New skills: replaces all of them (skill id → level)."
    )
    add_skills: dict[str, Level] | None = Field(
        default=None, description="Skills to add or re-level, keeping the others (applied after `skills`)."
    )
    available_from: dt.date | None = Field(default=None, description="New join date; null = horizon start.")
    available_until: dt.date | None = Field(default=None, description="New leave date; null = horizon end.")
    cost_per_day: float | None = Field(default=None, ge=0, description="New cost of a full day.")
    max_parallel_projects: Int | None = Field(
        default=None, ge=1, description="New limit of parallel projects; null = no limit."
    )

    _not_null = field_validator("capacity", "skills", "add_skills", "cost_per_day")(_reject_null)

    @model_validator(mode="after")
    def _something(self) -> ModifyPerson:
        if not self.model_fields_set & set(_PERSON_FIELDS):
            raise ValueError(f"give at least one field to change ({', '.join(_PERSON_FIELDS)})")
        return self

    def apply(self, data: PortfolioData, at: str) -> list[Issue]:
        values = self._given([f for f in _PERSON_FIELDS if f != "add_skills"])
        return _set_person_fields(data, self.person, values, at, self.add_skills)


_PERSON_FIELDS = settable_fields(ModifyPerson)
"""Person fields a scenario can set (``add_skills`` edits ``skills``)."""


class ChangeCapacity(_Change):
    """Shortcut: set a person's capacity."""

    op: Literal["change_capacity"] = Field(description="Change kind.")
    person: Identifier = Field(description="Person id.")
    capacity: Int = Field(ge=1, le=100, description="New capacity, percent of a full working day.")

    def apply(self, data: PortfolioData, at: str) -> list[Issue]:
        return _set_person_fields(data, self.person, {"capacity": self.capacity}, at)


class ChangeSkills(_Change):
    """Shortcut: replace a person's skills."""

    op: Literal["change_skills"] = Field(description="Change kind.")
    person: Identifier = Field(description="Person id.")
    skills: dict[str, Level] = Field(description="The person's new skills (skill id → level 1…5).")

    def apply(self, data: PortfolioData, at: str) -> list[Issue]:
        return _set_person_fields(data, self.person, {"skills": dict(self.skills)}, at)


class AddAbsence(_Change):
    """Add a period of leave to a person."""

    op: Literal["add_absence"] = Field(description="Change kind.")
    person: Identifier = Field(description="Person id.")
    start: dt.date = Field(description="First day of leave (inclusive).")
    end: dt.date = Field(description="Last day of leave (inclusive).")

    _ordered = field_validator("end")(not_before("start"))

    def apply(self, data: PortfolioData, at: str) -> list[Issue]:
        issues: list[Issue] = []
        person = _find_person(data, self.person, f"{at}.person", issues)
        if person is not None:
            person["absences"].append({"start": self.start.isoformat(), "end": self.end.isoformat()})
        return issues


class Hire(_Change):
    """Add placeholder people with one main skill (a planned hire or a contractor).

    The new people get ids ``hire-<skill>-<n>``, numbered on from any such id that
    already exists.
    """

    op: Literal["hire"] = Field(description="Change kind.")
    role: str | None = Field(default=None, description="Readable role, used in the new people's names.")
    skill: Identifier = Field(description="Main skill of the hires (a declared skill id).")
    level: Level = Field(default=3, description="Level 1…5 of the main skill.")
    other_skills: dict[str, Level] = Field(
        default_factory=dict, description="Further skills of each hire (skill id → level)."
    )
    count: Int = Field(default=1, ge=1, le=100, description="How many people to hire.")
    from_: dt.date | None = Field(
        default=None, alias="from", description="First working date of the hires; null = horizon start."
    )
    until: dt.date | None = Field(default=None, description="Last date of the hires; null = horizon end.")
    capacity: Int = Field(default=100, ge=1, le=100, description="Capacity of each hire, percent of a day.")
    cost_per_day: float = Field(default=0, ge=0, description="Cost of a full day of each hire.")
    max_parallel_projects: Int | None = Field(
        default=None, ge=1, description="Parallel-project limit of each hire; null = no limit."
    )

    @field_validator("until")
    @classmethod
    def _ordered(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        first = info.data.get("from_")
        if value is not None and first is not None and value < first:
            raise ValueError(f"reversed range: until {value.isoformat()} is before from {first.isoformat()}")
        return value

    def new_ids(self, taken: set[str]) -> list[str]:
        """Ids of the hires, skipping the ids in ``taken``."""
        out: list[str] = []
        n = 0
        while len(out) < self.count:
            n += 1
            pid = f"hire-{self.skill}-{n}"
            if pid not in taken:
                out.append(pid)
        return out

    def apply(self, data: PortfolioData, at: str) -> list[Issue]:
        if _index_of(data["skills"], self.skill) is None:
            return [Issue(f"{at}.skill", f"unknown skill '{self.skill}'")]
        issues: list[Issue] = []
        _check_skills(data, self.other_skills, f"{at}.other_skills", issues)
        if issues:
            return issues
        role = self.role or f"{self.skill} hire"
        for pid in self.new_ids({x["id"] for x in data["people"]}):
            number = pid.rsplit("-", 1)[1]
            person = Person(
                id=pid,
                name=f"{role} #{number}",
                skills={**self.other_skills, self.skill: self.level},
                capacity=self.capacity,
                available_from=self.from_,
                available_until=self.until,
                cost_per_day=self.cost_per_day,
                max_parallel_projects=self.max_parallel_projects,
            )
            data["people"].append(person.model_dump(mode="json"))
        return []


_OBJECTIVE_FIELDS = tuple(ObjectiveWeights.model_fields)
"""The weights a scenario can change: every weight of the objective."""


class ChangeObjective(_Change):
    """Set some weights of the objective; the others keep their value."""

    op: Literal["change_objective"] = Field(description="Change kind.")
    tardiness: float | None = Field(default=None, ge=0, description="Weight of priority × late days.")
    completion: float | None = Field(default=None, ge=0, description="Weight of priority × finish day.")
    cost: float | None = Field(default=None, ge=0, description="Weight of person-day cost.")
    continuity: float | None = Field(default=None, ge=0, description="Weight of distinct people per project.")
    makespan: float | None = Field(default=None, ge=0, description="Weight of the plan's makespan.")
    project_delay: float | None = Field(default=None, ge=0, description="Weight of the total project delay.")

    _not_null = field_validator(*_OBJECTIVE_FIELDS)(_reject_null)

    @model_validator(mode="after")
    def _something(self) -> ChangeObjective:
        if not self.model_fields_set & set(_OBJECTIVE_FIELDS):
            raise ValueError(f"give at least one weight ({', '.join(_OBJECTIVE_FIELDS)})")
        return self

    def apply(self, data: PortfolioData, at: str) -> list[Issue]:
        data["objective"].update(self._given(_OBJECTIVE_FIELDS))
        return []


Change = Annotated[
    AddSkill
    | AddProject
    | RemoveProject
    | ModifyProject
    | ChangePriority
    | ChangeDue
    | ChangeDeadline
    | AddTask
    | RemoveTask
    | ModifyTask
    | AddPerson
    | RemovePerson
    | ModifyPerson
    | ChangeCapacity
    | ChangeSkills
    | AddAbsence
    | Hire
    | ChangeObjective,
    Field(discriminator="op"),
]
"""One change of a scenario, chosen by its ``op``."""

_CHANGE_CLASSES: tuple[type[_Change], ...] = (
    AddSkill,
    AddProject,
    RemoveProject,
    ModifyProject,
    ChangePriority,
    ChangeDue,
    ChangeDeadline,
    AddTask,
    RemoveTask,
    ModifyTask,
    AddPerson,
    RemovePerson,
    ModifyPerson,
    ChangeCapacity,
    ChangeSkills,
    AddAbsence,
    Hire,
    ChangeObjective,
)
OPS: tuple[str, ...] = tuple(get_args(c.model_fields["op"].annotation)[0] for c in _CHANGE_CLASSES)
"""Every ``op`` a change may have."""


# --------------------------------------------------------------------------- scenario


def _base_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "file"
    if isinstance(value, (dict, Portfolio)):
        return "inline"
    return None


BaseRef = Annotated[
    Annotated[Portfolio, Tag("inline")] | Annotated[str, Tag("file")],
    Discriminator(
        _base_kind,
        custom_error_type="base_kind",
        custom_error_message="give a portfolio object or the name of a portfolio or scenario file",
    ),
]


class Scenario(_Model):
    """A what-if scenario: a base portfolio and the changes to make to it, in order."""

    name: str | None = Field(default=None, description="Short name of the scenario (shown in comparisons).")
    description: str | None = Field(default=None, description="What the scenario asks, in PMO words.")
    base: BaseRef | None = Field(
        default=None,
        description=(
            "The portfolio the changes apply to: an inline portfolio object, or the name of a "
            "portfolio or scenario JSON file (relative to this scenario's file). Null: the "
            "changes apply to a base given by the caller (e.g. the first file of `pmo compare`)."
        ),
    )
    changes: list[Change] = Field(default_factory=list, description="The changes, applied in order.")

    _source: Path | None = PrivateAttr(default=None)

    @property
    def source(self) -> Path | None:
        """The file this scenario was loaded from (``None`` if built in memory)."""
        return self._source


_TAG_AFTER_CHANGE = re.compile(r"^changes\[(\d+)\]\.(" + "|".join(OPS) + r")(?=\.|$)")


def _scenario_issues(exc: ValidationError) -> list[Issue]:
    """Issues of a scenario's schema errors, without pydantic's union tags in the paths."""
    out = []
    for err, issue in zip(exc.errors(include_url=False), issues_from_validation_error(exc), strict=True):
        path = _TAG_AFTER_CHANGE.sub(r"changes[\1]", issue.path)
        if path.startswith("base.inline"):
            path = "base" + path[len("base.inline") :]
        elif path.startswith("base.file"):
            path = "base" + path[len("base.file") :]
        message = issue.message
        if err["type"] == "union_tag_invalid":
            tag = err.get("ctx", {}).get("tag", "?")
            path, message = f"{path}.op", f"unknown op '{tag}' (one of {', '.join(OPS)})"
        elif err["type"] == "union_tag_not_found":
            path, message = f"{path}.op", f"missing `op` (one of {', '.join(OPS)})"
        out.append(Issue(path, message))
    return out


def parse_scenario(data: Any) -> Scenario:
    """Validate a scenario document (schema only; references are checked when it is applied).

    Parameters
    ----------
    data
        A dict, JSON text or a :class:`~pathlib.Path` to a JSON file.

    Raises
    ------
    InvalidInput
        With every schema problem, each naming its path in the scenario.
    """
    source = data if isinstance(data, Path) else None
    if isinstance(data, (str, bytes, Path)):
        data = read_json(data)
    return _scenario_from_data(data, source)


def _scenario_from_data(data: Any, source: Path | None) -> Scenario:
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(_scenario_issues(exc)) from None
    if source is not None:
        scenario._source = source.resolve()
    return scenario


def load_scenario(path: Path) -> Scenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    path
        A scenario JSON file; a relative ``base`` in it is resolved against its folder.

    Returns
    -------
    Scenario
        The validated scenario (its :attr:`Scenario.source` is ``path``).

    Raises
    ------
    InvalidInput
        If the file cannot be read, is not JSON or breaks the scenario schema.
    """
    return parse_scenario(Path(path))


PortfolioReader = Callable[[Path], Portfolio | None]
"""Reads a portfolio file in a format the model does not parse itself (a workbook, MS Project
XML, known to the caller); ``None`` when the file is not one of them (it is then read as JSON).
Passed in by the interfaces, so the model never imports them."""


def _other_format(path: Path, read_other: PortfolioReader | None) -> Portfolio | None:
    return read_other(path) if read_other is not None else None


def is_scenario_data(data: Any) -> bool:
    """Whether parsed JSON is a scenario (it has ``base`` or ``changes``) rather than a portfolio."""
    return isinstance(data, dict) and ("base" in data or "changes" in data)


def _prefixed(issues: Sequence[Issue], prefix: str) -> list[Issue]:
    out = []
    for issue in issues:
        if not issue.path:
            path = prefix
        elif issue.path.startswith("after changes"):
            path = f"{prefix} {issue.path}"
        else:
            path = f"{prefix}.{issue.path}"
        out.append(Issue(path, issue.message))
    return out


def _validated_state(data: PortfolioData) -> list[Issue]:
    try:
        validate_portfolio(data)
    except InvalidInput as exc:
        return exc.issues
    return []


def _blame(base: PortfolioData, changes: Sequence[_Change], final: Sequence[Issue]) -> list[Issue]:
    """Prefix each issue of the changed portfolio with the change that introduced it.

    The portfolio is rebuilt change by change; an issue is blamed on the change after
    which its message appears and stays until the end. When that is ambiguous the
    prefix is only ``after changes``.
    """
    data = copy.deepcopy(base)
    seen: list[set[str]] = []
    for k, change in enumerate(changes):
        change.apply(data, f"changes[{k}]")
        seen.append({i.message for i in _validated_state(data)})
    out = []
    for issue in final:
        culprit: int | None = None
        for k in range(len(changes) - 1, -1, -1):
            if issue.message not in seen[k]:
                break
            culprit = k
        if culprit is None:
            prefix = "after changes"
        else:
            prefix = f"after changes[{culprit}] ({changes[culprit].op})"  # type: ignore[attr-defined]
        out.append(Issue(f"{prefix}: {issue.path}" if issue.path else prefix, issue.message))
    return out


def apply_changes(base: Portfolio, changes: Sequence[_Change]) -> Portfolio:
    """Apply changes, in order, to a validated portfolio.

    Parameters
    ----------
    base
        The portfolio to start from (it is not modified).
    changes
        Scenario changes (:data:`Change`).

    Returns
    -------
    Portfolio
        The changed portfolio, validated by :func:`model.load.parse_portfolio`.

    Raises
    ------
    InvalidInput
        ``changes[k]…`` issues when a change names something unknown or cannot apply
        (all such issues at once); otherwise the changed portfolio's issues, prefixed
        ``after changes[k] (op):`` with the change that introduced them.
    """
    start = base.model_dump(mode="json")
    data = copy.deepcopy(start)
    issues: list[Issue] = []
    for k, change in enumerate(changes):
        issues += change.apply(data, f"changes[{k}]")
    if issues:
        raise InvalidInput(issues)
    try:
        return validate_portfolio(data)
    except InvalidInput as exc:
        raise InvalidInput(_blame(start, changes, exc.issues)) from None


def _read_base_file(
    ref: str, base_dir: Path, chain: tuple[Path, ...], root: Path | None, read_other: PortfolioReader | None
) -> Portfolio:
    """The portfolio named by a scenario's ``base`` file reference (issues prefixed ``base[ref]``);
    with a ``root``, the file must lie in it (symbolic links resolved)."""
    path = (base_dir / ref).resolve()
    if root is not None and not path.is_relative_to(root):
        raise InvalidInput(
            [Issue("base", f"'{clip(ref)}' is outside {root}: a base must be in the scenario's folder or below")]
        )
    prefix = f"base[{ref}]"
    if path in chain:
        names = " → ".join(p.name for p in (*chain[chain.index(path) :], path))
        raise InvalidInput([Issue("base", f"scenario reference cycle: {names}")])
    try:
        other = _other_format(path, read_other)
    except InvalidInput as exc:
        raise InvalidInput(_prefixed(exc.issues, prefix)) from None
    if other is not None:
        return other
    try:
        data = read_json(path)
    except InvalidInput as exc:
        if exc.issues and exc.issues[0].path == str(path):
            why = exc.issues[0].message.removeprefix("cannot read file: ")
            raise InvalidInput([Issue("base", f"cannot read '{ref}': {why}")]) from None
        raise InvalidInput(_prefixed(exc.issues, prefix)) from None
    try:
        if is_scenario_data(data):
            inner = _scenario_from_data(data, path)
            return _resolve(inner, path.parent, (*chain, path), None, root, read_other)
        return validate_portfolio(data)
    except InvalidInput as exc:
        raise InvalidInput(_prefixed(exc.issues, prefix)) from None


def _resolve(
    scenario: Scenario,
    base_dir: Path,
    chain: tuple[Path, ...],
    default_base: Portfolio | None,
    root: Path | None = None,
    read_other: PortfolioReader | None = None,
) -> Portfolio:
    base = scenario.base
    if base is None:
        if default_base is None:
            raise InvalidInput([Issue("base", "no base portfolio: give `base` (an object or a file name)")])
        start = default_base
    elif isinstance(base, str):
        start = _read_base_file(base, base_dir, chain, root, read_other)
    else:
        try:
            start = parse_portfolio(base.model_dump(mode="json"))
        except InvalidInput as exc:
            raise InvalidInput(_prefixed(exc.issues, "base")) from None
    return apply_changes(start, scenario.changes)


def apply_scenario(
    scenario: Scenario,
    base_dir: Path | None = None,
    *,
    default_base: Portfolio | None = None,
    confine: bool = False,
    read_other: PortfolioReader | None = None,
) -> Portfolio:
    """Resolve a scenario's base (following scenario files) and apply its changes.

    Parameters
    ----------
    scenario
        A validated scenario.
    base_dir
        Folder a relative ``base`` file name is resolved against; default: the folder of
        the file the scenario was loaded from, else the current directory.
    default_base
        The portfolio to use when the scenario has no ``base``.
    confine
        Every base file, down the chain, must lie in ``base_dir`` or below it (``../`` and
        absolute paths that leave it are errors).
    read_other
        Reads base files of other formats (see :data:`PortfolioReader`); default: JSON only.

    Returns
    -------
    Portfolio
        The changed portfolio, validated.

    Raises
    ------
    InvalidInput
        With path-precise issues: ``changes[k]…`` for a change that cannot apply,
        ``after changes[k] (op): …`` for an invalid result, ``base[file]…`` for
        problems in a referenced file, and a named reference cycle between files.
    """
    source = scenario.source
    if base_dir is None:
        base_dir = source.parent if source is not None else Path(".")
    chain = (source,) if source is not None else ()
    root = Path(base_dir).resolve() if confine else None
    return _resolve(scenario, Path(base_dir), chain, default_base, root, read_other)


def scenario_portfolio(path: Path | str, *, default_base: Portfolio | None = None) -> Portfolio:
    """Load a scenario file, resolve its base and apply its changes.

    Parameters
    ----------
    path
        A scenario JSON file.
    default_base
        The portfolio to use when the scenario has no ``base``.

    Returns
    -------
    Portfolio
        The scenario's portfolio, validated.

    Raises
    ------
    InvalidInput
        See :func:`apply_scenario`.
    """
    return apply_scenario(load_scenario(Path(path)), default_base=default_base)


def load_portfolio_or_scenario(
    path: Path | str,
    *,
    default_base: Portfolio | None = None,
    confine: bool = False,
    read_other: PortfolioReader | None = None,
) -> Portfolio:
    """Load a file that is either a portfolio or a scenario (which is then applied).

    Parameters
    ----------
    path
        A portfolio or scenario JSON file (a scenario has ``base`` or ``changes``).
    default_base
        The portfolio a scenario without ``base`` applies to.
    confine
        Base files must lie in the scenario's folder or below (see :func:`apply_scenario`).
    read_other
        Reads portfolio files of other formats, here and as bases (see :data:`PortfolioReader`).

    Raises
    ------
    InvalidInput
        See :func:`model.load.parse_portfolio` and :func:`apply_scenario`.
    """
    path = Path(path)
    other = _other_format(path, read_other)
    if other is not None:
        return other
    data = read_json(path)
    if not is_scenario_data(data):
        return validate_portfolio(data)
    return apply_scenario(
        _scenario_from_data(data, path), default_base=default_base, confine=confine, read_other=read_other
    )


def _label(path: Path, portfolio: Portfolio) -> str:
    try:
        data = read_json(path)
    except InvalidInput:  # a file of another format: its portfolio's name
        data = {"name": portfolio.name}
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) and name.strip() else path.stem


def load_for_compare(
    paths: Sequence[Path | str], *, confine: bool = False, read_other: PortfolioReader | None = None
) -> dict[str, Portfolio]:
    """The portfolios of ``pmo compare``: the first file is the baseline.

    Each file is a portfolio or a scenario; a scenario without ``base`` applies to the
    baseline. Labels are the files' ``name`` (else their stem), made unique with
    ``#2``, ``#3`` … suffixes.

    Parameters
    ----------
    paths
        Baseline first, then the scenarios.
    confine
        Each scenario's base files must lie in its folder or below (see :func:`apply_scenario`).
    read_other
        Reads portfolio files of other formats, given or as bases (see :data:`PortfolioReader`).

    Returns
    -------
    dict[str, Portfolio]
        Label → validated portfolio, in the order of ``paths``.

    Raises
    ------
    InvalidInput
        Every problem of every file, each path prefixed with the file name
        (``hire.json: changes[0].skill: unknown skill 'dta'``).
    """
    if not paths:
        raise InvalidInput([Issue("", "no files to compare")])
    out: dict[str, Portfolio] = {}
    issues: list[Issue] = []
    baseline: Portfolio | None = None
    for k, raw in enumerate(paths):
        path = Path(raw)
        try:
            portfolio = load_portfolio_or_scenario(
                path, default_base=baseline, confine=confine, read_other=read_other
            )
        except InvalidInput as exc:
            issues += [
                Issue(f"{path.name}: {i.path}" if i.path else path.name, i.message) for i in exc.issues
            ]
            continue
        if k == 0:
            baseline = portfolio
        label = _label(path, portfolio)
        unique, n = label, 1
        while unique in out:
            n += 1
            unique = f"{label} #{n}"
        out[unique] = portfolio
    if issues:
        raise InvalidInput(issues)
    return out
