"""Input limits: how large a document may be, and the range of every number in a portfolio.

The defaults are far beyond any real portfolio; they exist so that a malformed or hostile
input is refused in bounded time and memory, with its JSON path, before anything is built
from it. :func:`model.load.read_json` applies the document limits (size, depth, string and
key lengths, integer digits); :func:`portfolio_limit_issues` the portfolio's magnitudes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from model.portfolio import Person, Pool, Portfolio, Skill
from model.rules import Issue


class InputLimits(BaseModel):
    """Bounds on an input document and on the numbers of a portfolio.

    Every bound is inclusive. A document or portfolio outside them is invalid input
    (each problem named by its JSON path), never a crash or an unbounded run.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_file_bytes: int = Field(default=16 * 2**20, ge=1, description="Size of a JSON or TOML file.")
    max_depth: int = Field(default=32, ge=1, le=500, description="Nesting of arrays and objects.")
    max_string_length: int = Field(default=100_000, ge=1, description="Characters in any string value.")
    max_array_length: int = Field(default=100_000, ge=1, description="Items in any array or object.")
    max_key_length: int = Field(default=200, ge=1, description="Characters in any object key.")
    max_integer_digits: int = Field(default=18, ge=1, le=18, description="Digits of any integer.")
    max_issues: int = Field(default=100, ge=1, description="Problems reported (the rest are counted).")
    max_projects: int = Field(default=5_000, ge=1, description="Projects in a portfolio.")
    max_tasks: int = Field(default=50_000, ge=1, description="Tasks in a portfolio, all projects together.")
    max_people: int = Field(default=10_000, ge=0, description="People in a portfolio.")
    max_name_length: int = Field(default=1_000, ge=1, description="Characters in a readable name.")
    max_horizon_years: int = Field(default=100, ge=1, le=1000, description="Length of the planning horizon.")
    max_duration_days: int = Field(default=10_000, ge=1, description="Working days of a task or mode.")
    max_effort_days: float = Field(default=1e6, gt=0, description="Person-days of an effort-driven task.")
    max_cost_per_day: float = Field(default=1e6, ge=0, description="A person's cost of a full day.")
    max_weight: float = Field(default=1e6, ge=0, description="Each objective weight.")
    max_amount: int = Field(default=10**12, ge=0, description="A budget limit or a consumed amount.")


DEFAULT_LIMITS = InputLimits()
"""The limits every entry point applies unless it is given others."""


def clip(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was (for messages that quote input)."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def _over(path: str, what: str, value: float, limit: float) -> Issue:
    return Issue(path, f"{what} {value:,.6g} is above the input limit {limit:,.6g}")


def _names(portfolio: Portfolio) -> Iterator[tuple[str, str | None]]:
    yield "name", portfolio.name
    groups: tuple[tuple[str, Sequence[Skill | Person | Pool]], ...] = (
        ("skills", portfolio.skills),
        ("people", portfolio.people),
        ("pools", portfolio.pools),
    )
    for field, items in groups:
        for k, item in enumerate(items):
            yield f"{field}[{k}].name", item.name
    for p, project in enumerate(portfolio.projects):
        yield f"projects[{p}].name", project.name
        for t, task in enumerate(project.tasks):
            yield f"projects[{p}].tasks[{t}].name", task.name
            for m, mode in enumerate(task.modes or []):
                yield f"projects[{p}].tasks[{t}].modes[{m}].id", mode.id


def _amounts(portfolio: Portfolio) -> Iterator[tuple[str, int]]:
    for p, project in enumerate(portfolio.projects):
        for key, limit in project.budgets.items():
            yield f"projects[{p}].budgets.{key}", limit
        for t, task in enumerate(project.tasks):
            for key, amount in task.consumes.items():
                yield f"projects[{p}].tasks[{t}].consumes.{key}", amount
            for m, mode in enumerate(task.modes or []):
                for key, amount in mode.consumes.items():
                    yield f"projects[{p}].tasks[{t}].modes[{m}].consumes.{key}", amount


def count_issues(data: Any, limits: InputLimits = DEFAULT_LIMITS) -> list[Issue]:
    """Too many projects, tasks or people in parsed portfolio JSON, counted before the
    schema is checked (its errors grow with the number of items)."""
    if not isinstance(data, dict):
        return []
    issues = []
    projects = data.get("projects")
    if isinstance(projects, list):
        if len(projects) > limits.max_projects:
            issues.append(Issue("projects", f"{len(projects):,} projects; the input limit is {limits.max_projects:,}"))
        tasks = sum(
            len(p["tasks"]) for p in projects if isinstance(p, dict) and isinstance(p.get("tasks"), list)
        )
        if tasks > limits.max_tasks:
            issues.append(Issue("projects", f"{tasks:,} tasks in all; the input limit is {limits.max_tasks:,}"))
    people = data.get("people")
    if isinstance(people, list) and len(people) > limits.max_people:
        issues.append(Issue("people", f"{len(people):,} people; the input limit is {limits.max_people:,}"))
    return issues


def horizon_issues(portfolio: Portfolio, limits: InputLimits = DEFAULT_LIMITS) -> list[Issue]:
    """The horizon longer than the input limit (checked before anything builds the
    working-day calendar, whose size follows the horizon)."""
    cal = portfolio.calendar
    if cal.end - cal.start <= dt.timedelta(days=round(limits.max_horizon_years * 365.25)):
        return []
    years = (cal.end - cal.start).days / 365.25
    return [
        Issue(
            "calendar.end",
            f"the horizon spans {years:,.1f} years; the input limit is {limits.max_horizon_years}",
        )
    ]


def shape_issues(portfolio: Portfolio, limits: InputLimits = DEFAULT_LIMITS) -> list[Issue]:
    """No projects at all, and names longer than the limit."""
    issues = []
    if not portfolio.projects:
        issues.append(Issue("projects", "the portfolio has no projects: there is nothing to plan"))
    for path, name in _names(portfolio):
        if name is not None and len(name) > limits.max_name_length:
            issues.append(
                Issue(path, f"{len(name):,} characters; the input limit is {limits.max_name_length:,}")
            )
    return issues


def magnitude_issues(portfolio: Portfolio, limits: InputLimits = DEFAULT_LIMITS) -> list[Issue]:
    """Every number of a schema-valid portfolio above its limit (costs, weights, durations,
    efforts, budgets and amounts)."""
    issues: list[Issue] = []
    for k, person in enumerate(portfolio.people):
        if person.cost_per_day > limits.max_cost_per_day:
            issues.append(
                _over(f"people[{k}].cost_per_day", "cost", person.cost_per_day, limits.max_cost_per_day)
            )
    for field, weight in portfolio.objective:
        if weight > limits.max_weight:
            issues.append(_over(f"objective.{field}", "weight", weight, limits.max_weight))
    for p, project in enumerate(portfolio.projects):
        for t, task in enumerate(project.tasks):
            path = f"projects[{p}].tasks[{t}]"
            durations = [("duration", task.duration)]
            durations += [(f"modes[{m}].duration", mode.duration) for m, mode in enumerate(task.modes or [])]
            for where, days in durations:
                if days is not None and days > limits.max_duration_days:
                    issues.append(_over(f"{path}.{where}", "duration", days, limits.max_duration_days))
            if task.effort is not None and task.effort > limits.max_effort_days:
                issues.append(_over(f"{path}.effort", "effort", task.effort, limits.max_effort_days))
    for path, amount in _amounts(portfolio):
        if amount > limits.max_amount:
            issues.append(_over(path, "amount", amount, limits.max_amount))
    return issues


def portfolio_limit_issues(portfolio: Portfolio, limits: InputLimits = DEFAULT_LIMITS) -> list[Issue]:
    """Every place a schema-valid portfolio leaves the input limits."""
    return horizon_issues(portfolio, limits) + magnitude_issues(portfolio, limits) + shape_issues(portfolio, limits)
