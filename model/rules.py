"""Cross-reference rules of a portfolio, one function per rule.

Each rule takes a schema-valid :class:`~model.portfolio.Portfolio` and yields
:class:`Issue` objects naming the JSON path and the problem. They run in the
order of :data:`REFERENCE_RULES`; :func:`model.load.parse_portfolio` reports all
issues at once so a PMO can fix the file in one go.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from model.portfolio import Person, Pool, Portfolio, Project, ProjectStatus, Skill


@dataclass(frozen=True)
class Issue:
    """One problem in the input: where (JSON path) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


Rule = Callable[[Portfolio], Iterator[Issue]]


def _duplicates(ids: list[str]) -> set[str]:
    return {i for i, n in Counter(ids).items() if n > 1}


def duplicate_ids(portfolio: Portfolio) -> Iterator[Issue]:
    """Skill, person, project ids are unique; task ids are unique within a project."""
    groups: tuple[tuple[str, Sequence[Skill | Person | Pool | Project]], ...] = (
        ("skills", portfolio.skills),
        ("people", portfolio.people),
        ("pools", portfolio.pools),
        ("projects", portfolio.projects),
    )
    for field, items in groups:
        dups = _duplicates([x.id for x in items])
        for i, x in enumerate(items):
            if x.id in dups:
                yield Issue(f"{field}[{i}].id", f"duplicate id '{x.id}'")
    for p, project in enumerate(portfolio.projects):
        dups = _duplicates([t.id for t in project.tasks])
        for t, task in enumerate(project.tasks):
            if task.id in dups:
                yield Issue(
                    f"projects[{p}].tasks[{t}].id",
                    f"duplicate task id '{task.id}' in project '{project.id}'",
                )
            if "/" in task.id:
                yield Issue(
                    f"projects[{p}].tasks[{t}].id",
                    f"task id '{task.id}' may not contain '/' (it separates project and task)",
                )
    for p, project in enumerate(portfolio.projects):
        if "/" in project.id:
            yield Issue(f"projects[{p}].id", f"project id '{project.id}' may not contain '/'")


def unknown_skills(portfolio: Portfolio) -> Iterator[Issue]:
    """Every skill a person has or a requirement asks for is declared; so is every pool."""
    known = {s.id for s in portfolio.skills}
    pools = {p.id for p in portfolio.pools}
    for i, person in enumerate(portfolio.people):
        for skill in person.skills:
            if skill not in known:
                yield Issue(f"people[{i}].skills.{skill}", f"unknown skill '{skill}'")
    for p, project in enumerate(portfolio.projects):
        for t, task in enumerate(project.tasks):
            for where, req in task.all_requirements():
                path = f"projects[{p}].tasks[{t}].{where}"
                if req.skill is not None and req.skill not in known:
                    yield Issue(f"{path}.skill", f"unknown skill '{req.skill}'")
                if req.pool is not None and req.pool not in pools:
                    yield Issue(f"{path}.pool", f"unknown pool '{req.pool}'")


def unknown_budgets(portfolio: Portfolio) -> Iterator[Issue]:
    """Every consumed budget is one of the project's budgets."""
    for p, project in enumerate(portfolio.projects):
        for t, task in enumerate(project.tasks):
            uses = [("consumes", task.consumes)]
            uses += [(f"modes[{m}].consumes", mode.consumes) for m, mode in enumerate(task.modes or [])]
            for where, consumes in uses:
                for key in consumes:
                    if key not in project.budgets:
                        yield Issue(
                            f"projects[{p}].tasks[{t}].{where}.{key}",
                            f"unknown budget '{key}' (project '{project.id}' has "
                            f"{', '.join(project.budgets) or 'no budgets'})",
                        )


def unknown_people(portfolio: Portfolio) -> Iterator[Issue]:
    """Every person in `fixed_people` exists, once, and can fill one of the task's slots."""
    people = {x.id: x for x in portfolio.people}
    for p, project in enumerate(portfolio.projects):
        for t, task in enumerate(project.tasks):
            path = f"projects[{p}].tasks[{t}].fixed_people"
            for dup in _duplicates(task.fixed_people):
                yield Issue(path, f"person '{dup}' listed more than once")
            slots = (
                task.crew_bounds[1]
                if task.effort is not None
                else max(
                    sum(r.count for r in mode.requirements if not r.is_pool) for mode in task.mode_options()
                )
            )
            if len(set(task.fixed_people)) > slots:
                yield Issue(
                    path,
                    f"{len(set(task.fixed_people))} fixed people but the task has only {slots} slot(s)",
                )
            for k, pid in enumerate(task.fixed_people):
                person = people.get(pid)
                if person is None:
                    yield Issue(f"{path}[{k}]", f"unknown person '{pid}'")
                elif not any(
                    r.skill is not None
                    and person.skills.get(r.skill, 0) >= r.level
                    and r.allocation <= person.capacity
                    for _, r in task.all_requirements()
                ):
                    yield Issue(
                        f"{path}[{k}]",
                        f"person '{pid}' cannot fill any requirement of task '{task.id}' "
                        "(skill, level or capacity)",
                    )


def unknown_tasks(portfolio: Portfolio) -> Iterator[Issue]:
    """Every dependency names an existing task other than the task itself."""
    tasks = {(pr.id, t.id) for pr in portfolio.projects for t in pr.tasks}
    for p, project in enumerate(portfolio.projects):
        for t, task in enumerate(project.tasks):
            for d, dep in enumerate(task.dependencies):
                key = portfolio.task_key(project.id, dep.task)
                path = f"projects[{p}].tasks[{t}].dependencies[{d}].task"
                if key not in tasks:
                    yield Issue(path, f"unknown task '{dep.task}'")
                elif key == (project.id, task.id):
                    yield Issue(path, f"task '{task.id}' depends on itself")


def _edges(portfolio: Portfolio) -> dict[tuple[str, str], list[tuple[tuple[str, str], str]]]:
    """Successors of each task (in portfolio order) with the path of the dependency."""
    succ: dict[tuple[str, str], list[tuple[tuple[str, str], str]]] = {
        (pr.id, t.id): [] for pr in portfolio.projects for t in pr.tasks
    }
    for p, project in enumerate(portfolio.projects):
        for t, task in enumerate(project.tasks):
            for d, dep in enumerate(task.dependencies):
                key = portfolio.task_key(project.id, dep.task)
                if key in succ and key != (project.id, task.id):
                    path = f"projects[{p}].tasks[{t}].dependencies[{d}].task"
                    succ[key].append(((project.id, task.id), path))
    return succ


def dependency_cycles(portfolio: Portfolio) -> Iterator[Issue]:
    """The dependency graph has no cycle (each cycle found is named)."""
    succ = _edges(portfolio)
    colour: dict[tuple[str, str], int] = dict.fromkeys(succ, 0)
    reported: set[frozenset[tuple[str, str]]] = set()
    for root in succ:
        if colour[root]:
            continue
        stack: list[tuple[tuple[str, str], int]] = [(root, 0)]
        path: list[tuple[str, str]] = []
        while stack:
            node, i = stack.pop()
            if i == 0:
                colour[node] = 1
                path.append(node)
            nxt = succ[node]
            if i < len(nxt):
                stack.append((node, i + 1))
                child, dep_path = nxt[i]
                if colour[child] == 0:
                    stack.append((child, 0))
                elif colour[child] == 1:
                    cycle = path[path.index(child) :]
                    key = frozenset(cycle)
                    if key not in reported:
                        reported.add(key)
                        names = " → ".join(f"{p}/{t}" for p, t in [*cycle, child])
                        yield Issue(dep_path, f"dependency cycle: {names}")
            else:
                colour[node] = 2
                path.pop()


def committed_on_proposed(portfolio: Portfolio) -> Iterator[Issue]:
    """A committed project never depends on a proposed one."""
    status = {pr.id: pr.status for pr in portfolio.projects}
    for p, project in enumerate(portfolio.projects):
        if project.status != ProjectStatus.committed:
            continue
        for t, task in enumerate(project.tasks):
            for d, dep in enumerate(task.dependencies):
                other, _ = portfolio.task_key(project.id, dep.task)
                if status.get(other) == ProjectStatus.proposed:
                    yield Issue(
                        f"projects[{p}].tasks[{t}].dependencies[{d}].task",
                        f"committed project '{project.id}' may not depend on proposed project '{other}'",
                    )


def dates_in_horizon(portfolio: Portfolio) -> Iterator[Issue]:
    """Project and task dates lie in the horizon; pinned starts are working days."""
    cal = portfolio.calendar
    wc = portfolio.work_calendar

    def outside(path: str, day: dt.date | None) -> Iterator[Issue]:
        if day is not None and not cal.start <= day <= cal.end:
            yield Issue(
                path,
                f"date {day.isoformat()} is outside the horizon "
                f"{cal.start.isoformat()}…{cal.end.isoformat()}",
            )

    if wc.num_days == 0:
        yield Issue("calendar", "the horizon has no working day")
    for p, project in enumerate(portfolio.projects):
        for field in ("release", "due", "deadline"):
            yield from outside(f"projects[{p}].{field}", getattr(project, field))
        for t, task in enumerate(project.tasks):
            for field in ("fixed_start", "earliest_start", "latest_finish"):
                yield from outside(f"projects[{p}].tasks[{t}].{field}", getattr(task, field))
            fs = task.fixed_start
            if fs is not None and cal.start <= fs <= cal.end and not wc.is_working_day(fs):
                yield Issue(
                    f"projects[{p}].tasks[{t}].fixed_start",
                    f"{fs.isoformat()} is not a working day",
                )


def reversed_ranges(portfolio: Portfolio) -> Iterator[Issue]:
    """A project's release is not after its deadline; task windows fit their pins."""
    for p, project in enumerate(portfolio.projects):
        if project.release and project.deadline and project.deadline < project.release:
            yield Issue(
                f"projects[{p}].deadline",
                f"reversed range: deadline {project.deadline.isoformat()} is before release "
                f"{project.release.isoformat()}",
            )
        for t, task in enumerate(project.tasks):
            fs = task.fixed_start
            if fs and task.latest_finish and fs > task.latest_finish:
                yield Issue(
                    f"projects[{p}].tasks[{t}].fixed_start",
                    f"fixed_start {fs.isoformat()} is after latest_finish {task.latest_finish.isoformat()}",
                )
            if fs and task.earliest_start and fs < task.earliest_start:
                yield Issue(
                    f"projects[{p}].tasks[{t}].fixed_start",
                    f"fixed_start {fs.isoformat()} is before earliest_start "
                    f"{task.earliest_start.isoformat()}",
                )
            if fs and project.release and fs < project.release:
                yield Issue(
                    f"projects[{p}].tasks[{t}].fixed_start",
                    f"fixed_start {fs.isoformat()} is before the project's release "
                    f"{project.release.isoformat()}",
                )


REFERENCE_RULES: tuple[Rule, ...] = (
    duplicate_ids,
    unknown_skills,
    unknown_budgets,
    unknown_people,
    unknown_tasks,
    dependency_cycles,
    committed_on_proposed,
    dates_in_horizon,
    reversed_ranges,
)
"""The cross-reference rules, in the order they run."""


def reference_issues(portfolio: Portfolio) -> list[Issue]:
    """All cross-reference issues of a schema-valid portfolio."""
    return [issue for rule in REFERENCE_RULES for issue in rule(portfolio)]
