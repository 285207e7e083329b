"""A plan as MS Project XML (MSPDI): calendars, one summary task per project, tasks, links,
resources and assignments, in the element order of Microsoft's published schema.

Every document is checked against the schema subset :mod:`api.interchange.mspdi_schema`
before it is returned. The mapping (and what MS Project has no field for) is in
``docs/interchange.md``; :mod:`api.interchange.mspdi_read` reads it back.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from lxml import etree

from api.interchange import mspdi_fields as f
from api.interchange.mspdi_schema import validate_mspdi
from model.calendar import WorkCalendar
from model.plan import Assignment, Plan
from model.portfolio import Person, Pool, Portfolio, Project, Task

E = etree.Element


def _sub(parent: etree._Element, tag: str, text: Any = None) -> etree._Element:
    child = etree.SubElement(parent, f"{{{f.NAMESPACE}}}{tag}")
    if text is not None:
        child.text = _text(text)
    return child


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f.decimal_text(value)
    # XML 1.0 cannot hold these characters at all
    return _NOT_XML.sub("\ufffd", str(value))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _extended(parent: etree._Element, field: tuple[str, str, str], value: str | None) -> None:
    if value:
        node = _sub(parent, "ExtendedAttribute")
        _sub(node, "FieldID", field[0])
        _sub(node, "Value", value)


def _compact(data: dict[str, Any]) -> str | None:
    """A custom field's JSON (``None`` when there is nothing to carry)."""
    kept = {k: v for k, v in data.items() if v not in (None, [], {})}
    return json.dumps(kept, separators=(",", ":"), ensure_ascii=False, default=str) if kept else None


# --------------------------------------------------------------------------- calendars


def _working_times(parent: etree._Element) -> None:
    times = _sub(parent, "WorkingTimes")
    for start, finish in f.WORKING_TIMES:
        slot = _sub(times, "WorkingTime")
        _sub(slot, "FromTime", start)
        _sub(slot, "ToTime", finish)


def _exceptions(parent: etree._Element, ranges: list[tuple[dt.date, dt.date, str]]) -> None:
    if not ranges:
        return
    node = _sub(parent, "Exceptions")
    for first, last, name in ranges:
        item = _sub(node, "Exception")
        _sub(item, "EnteredByOccurrences", False)
        period = _sub(item, "TimePeriod")
        _sub(period, "FromDate", f.timestamp(first, dt.time(0, 0)))
        _sub(period, "ToDate", f.timestamp(last, dt.time(23, 59)))
        _sub(item, "Occurrences", 1)
        _sub(item, "Name", name)
        _sub(item, "Type", 1)
        _sub(item, "DayWorking", False)


def _calendars(root: etree._Element, portfolio: Portfolio, person_calendar: dict[str, int]) -> None:
    calendars = _sub(root, "Calendars")
    base = _sub(calendars, "Calendar")
    _sub(base, "UID", f.STANDARD_CALENDAR_UID)
    _sub(base, "Name", "Standard")
    _sub(base, "IsBaseCalendar", True)
    _sub(base, "BaseCalendarUID", -1)
    days = _sub(base, "WeekDays")
    for name, code in sorted(f.DAY_TYPES.items(), key=lambda item: item[1]):
        day = _sub(days, "WeekDay")
        _sub(day, "DayType", code)
        working = name in portfolio.calendar.workdays
        _sub(day, "DayWorking", working)
        if working:
            _working_times(day)
    _exceptions(base, [(d, d, "Holiday") for d in sorted(set(portfolio.calendar.holidays))])
    for person in portfolio.people:
        cal = _sub(calendars, "Calendar")
        _sub(cal, "UID", person_calendar[person.id])
        _sub(cal, "Name", _clip(person.name or person.id, 512))
        _sub(cal, "IsBaseCalendar", False)
        _sub(cal, "BaseCalendarUID", f.STANDARD_CALENDAR_UID)
        _exceptions(cal, [(a.start, a.end, "Absence") for a in person.absences])


# --------------------------------------------------------------------------- tasks


def _constraint(
    fixed: dt.date | None, earliest: dt.date | None, latest: dt.date | None
) -> tuple[int, dt.date | None, dict[str, Any]]:
    """The one native constraint of a task (pin, then window start, then window end) and the rest."""
    rest: dict[str, Any] = {"fixed_start": fixed, "earliest_start": earliest, "latest_finish": latest}
    for key, code in (
        ("fixed_start", f.MUST_START_ON),
        ("earliest_start", f.START_NO_EARLIER),
        ("latest_finish", f.FINISH_NO_LATER),
    ):
        if rest[key] is not None:
            day = rest.pop(key)
            return code, day, {k: v.isoformat() for k, v in rest.items() if v is not None}
    return f.ASAP, None, {}


def _planned_length(cal: WorkCalendar, task: Task, a: Assignment | None) -> int:
    if a is not None:
        return cal.floor_index(a.finish) - cal.ceil_index(a.start) + 1
    if task.effort is not None:
        return task.effort_length(task.crew_bounds[1])
    return min(m.duration for m in task.mode_options())


def _task_extra(task: Task, rest: dict[str, Any], planned: bool) -> str | None:
    """What MS Project cannot hold of a task: requirements, effort and crew, modes, consumption
    (and the fixed people of a task the plan leaves out, which no assignment carries)."""
    data: dict[str, Any] = {
        "fixed_people": None if planned else task.fixed_people,
        "requirements": [r.model_dump(exclude_defaults=True) for r in task.requirements],
        "effort": task.effort,
        "crew": task.crew.model_dump() if task.crew is not None else None,
        "modes": [m.model_dump(exclude_defaults=True) for m in task.modes] if task.modes else None,
        "consumes": task.consumes,
        **rest,
    }
    return _compact(data)


class _Tasks:
    """Writes the summary and leaf tasks, numbering them as MS Project does."""

    def __init__(self, root: etree._Element, portfolio: Portfolio, plan: Plan) -> None:
        self.node = _sub(root, "Tasks")
        self.portfolio = portfolio
        self.cal = portfolio.work_calendar
        self.by_task = {(a.project, a.task): a for a in plan.assignments}
        self.uid: dict[tuple[str, str], int] = {}
        next_uid = 1
        for p in portfolio.projects:
            next_uid += 1  # the summary task's UID
            for t in p.tasks:
                self.uid[(p.id, t.id)] = next_uid
                next_uid += 1

    def write(self) -> None:
        uid = 0
        for j, project in enumerate(self.portfolio.projects, start=1):
            uid += 1
            self._summary(uid, j, project)
            uid += len(project.tasks)
            for k, task in enumerate(project.tasks, start=1):
                self._leaf(project, task, f"{j}.{k}")

    def _common(
        self, node: etree._Element, uid: int, name: str, kind: int, outline: str, level: int, priority: int
    ) -> None:
        _sub(node, "UID", uid)
        _sub(node, "ID", uid)
        _sub(node, "Name", _clip(name, 512))
        _sub(node, "Type", kind)
        _sub(node, "OutlineNumber", outline)
        _sub(node, "OutlineLevel", level)
        _sub(node, "Priority", priority * 100)

    def _summary(self, uid: int, j: int, project: Project) -> None:
        node = _sub(self.node, "Task")
        self._common(node, uid, project.name or project.id, 1, str(j), 1, project.priority)
        spans = [
            self.by_task[(project.id, t.id)] for t in project.tasks if (project.id, t.id) in self.by_task
        ]
        if spans:
            first = min(a.start for a in spans)
            last = max(a.finish for a in spans)
            _sub(node, "Start", f.timestamp(first, f.DAY_START))
            _sub(node, "Finish", f.timestamp(last, f.DAY_FINISH))
            _sub(
                node, "Duration", f.duration_text(self.cal.floor_index(last) - self.cal.ceil_index(first) + 1)
            )
            _sub(node, "DurationFormat", f.DAYS_FORMAT)
        _sub(node, "Milestone", False)
        _sub(node, "Summary", True)
        window = {"deadline": project.deadline, "release": project.release}
        code, day = f.ASAP, None
        for key, kind in (("deadline", f.FINISH_NO_LATER), ("release", f.START_NO_EARLIER)):
            if window[key] is not None:
                code, day = kind, window.pop(key)
                break
        _sub(node, "ConstraintType", code)
        if day is not None:
            _sub(
                node,
                "ConstraintDate",
                f.timestamp(day, f.DAY_FINISH if code == f.FINISH_NO_LATER else f.DAY_START),
            )
        if project.due is not None:
            _sub(node, "Deadline", f.timestamp(project.due, f.DAY_FINISH))
        _extended(node, f.TASK_ID_FIELD, project.id)
        extra = {
            "status": project.status.value if project.status.value != "committed" else None,
            "left_out": True if project.tasks and not spans else None,
            "budgets": project.budgets,
            **{k: v.isoformat() for k, v in window.items() if v is not None},
        }
        _extended(node, f.TASK_EXTRA_FIELD, _compact(extra))

    def _earliest(self, project: Project, task: Task, length: int) -> int:
        """The earliest start index the dependencies (on planned dates) and windows allow."""
        cal = self.cal
        lows = [0]
        for day in (project.release, task.earliest_start):
            if day is not None:
                lows.append(cal.ceil_index(day))
        for dep in task.dependencies:
            pred = self.by_task.get(self.portfolio.task_key(project.id, dep.task))
            if pred is None:
                continue
            ps, pf = cal.ceil_index(pred.start), cal.floor_index(pred.finish)
            lows.append(
                {
                    "FS": pf + 1 + dep.lag,
                    "SS": ps + dep.lag,
                    "FF": pf + dep.lag - (length - 1),
                    "SF": ps + dep.lag - (length - 1),
                }[dep.type.value]
            )
        return max(lows)

    def _leaf(self, project: Project, task: Task, outline: str) -> None:
        key = (project.id, task.id)
        a = self.by_task.get(key)
        node = _sub(self.node, "Task")
        effort = task.effort is not None
        self._common(
            node, self.uid[key], task.name or task.id, 2 if effort else 1, outline, 2, project.priority
        )
        length = _planned_length(self.cal, task, a)
        if a is not None:
            _sub(node, "Start", f.timestamp(a.start, f.DAY_START))
            _sub(node, "Finish", f.timestamp(a.finish, f.DAY_FINISH))
        _sub(node, "Duration", f.duration_text(length))
        _sub(node, "DurationFormat", f.DAYS_FORMAT)
        if effort:
            assert task.effort is not None
            _sub(node, "Work", f.duration_text(task.effort))
        _sub(node, "EffortDriven", effort)
        _sub(node, "Milestone", False)
        _sub(node, "Summary", False)
        code, day, rest = _constraint(task.fixed_start, task.earliest_start, task.latest_finish)
        _sub(node, "ConstraintType", code)
        if day is not None:
            _sub(
                node,
                "ConstraintDate",
                f.timestamp(day, f.DAY_FINISH if code == f.FINISH_NO_LATER else f.DAY_START),
            )
        if a is not None:
            delay = self.cal.ceil_index(a.start) - self._earliest(project, task, length)
            if delay > 0:  # what levelling added, so MS Project's own rescheduling keeps the plan
                _sub(node, "LevelingDelay", delay * f.MINUTES_PER_DAY * 10)
                _sub(node, "LevelingDelayFormat", f.DAYS_FORMAT)
        for dep in task.dependencies:
            link = _sub(node, "PredecessorLink")
            _sub(link, "PredecessorUID", self.uid[self.portfolio.task_key(project.id, dep.task)])
            _sub(link, "Type", f.LINK_TYPES[dep.type.value])
            # MS Project's SF lag 0 lets the finish fall on the working day before the start
            lag = dep.lag + 1 if dep.type.value == "SF" else dep.lag
            _sub(link, "LinkLag", lag * f.MINUTES_PER_DAY * 10)
            _sub(link, "LagFormat", f.DAYS_FORMAT)
        _extended(node, f.TASK_ID_FIELD, task.id)
        _extended(node, f.TASK_EXTRA_FIELD, _task_extra(task, rest, a is not None))


# --------------------------------------------------------------------------- resources


def _resource(
    parent: etree._Element, uid: int, person: Person | None, pool: Pool | None, calendar_uid: int | None
) -> None:
    node = _sub(parent, "Resource")
    item = person if person is not None else pool
    assert item is not None
    _sub(node, "UID", uid)
    _sub(node, "ID", uid)
    _sub(node, "Name", _clip(item.name or item.id, 512))
    _sub(node, "Type", 1)
    _sub(node, "Code", item.id)
    if person is not None:
        _sub(node, "MaxUnits", person.capacity / 100)
        if person.available_from is not None:
            _sub(node, "AvailableFrom", f.timestamp(person.available_from, f.DAY_START))
        if person.available_until is not None:
            _sub(node, "AvailableTo", f.timestamp(person.available_until, f.DAY_FINISH))
        _sub(node, "StandardRate", person.cost_per_day / (f.MINUTES_PER_DAY / 60))
        _sub(node, "StandardRateFormat", 3)
        _sub(node, "CalendarUID", calendar_uid)
        _sub(node, "IsGeneric", False)
        plain = all("," not in s and ";" not in s for s in person.skills)
        _extended(node, f.RESOURCE_SKILLS_FIELD, f.skills_text(person.skills) if plain else None)
        extra = {
            "max_parallel_projects": person.max_parallel_projects,
            "skills": None if plain else person.skills,
        }
        _extended(node, f.RESOURCE_EXTRA_FIELD, _compact(extra))
    else:
        assert pool is not None
        _sub(node, "MaxUnits", float(pool.capacity))
        _sub(node, "IsGeneric", True)


def _assignments(
    root: etree._Element,
    portfolio: Portfolio,
    plan: Plan,
    task_uid: dict[tuple[str, str], int],
    resource_uid: dict[str, int],
) -> None:
    node = _sub(root, "Assignments")
    cal = portfolio.work_calendar
    uid = 0
    for a in plan.assignments:
        days = cal.floor_index(a.finish) - cal.ceil_index(a.start) + 1
        uses = [(resource_uid[f"person:{p.id}"], p.allocation / 100) for p in a.people]
        uses += [(resource_uid[f"pool:{u.id}"], float(u.units)) for u in a.pools]
        for resource, units in uses:
            uid += 1
            item = _sub(node, "Assignment")
            _sub(item, "UID", uid)
            _sub(item, "TaskUID", task_uid[(a.project, a.task)])
            _sub(item, "ResourceUID", resource)
            _sub(item, "Finish", f.timestamp(a.finish, f.DAY_FINISH))
            _sub(item, "Start", f.timestamp(a.start, f.DAY_START))
            _sub(item, "Units", units)
            _sub(item, "Work", f.duration_text(days * units))


def plan_mspdi_tree(portfolio: Portfolio, plan: Plan) -> etree._ElementTree:
    """The MSPDI document of a plan (checked by the caller against ``portfolio``)."""
    root = E(f"{{{f.NAMESPACE}}}Project", nsmap={None: f.NAMESPACE})
    cal = portfolio.calendar
    _sub(root, "SaveVersion", f.SAVE_VERSION)
    _sub(root, "Name", _clip(portfolio.name or "portfolio", 255))
    if portfolio.name:
        _sub(root, "Title", _clip(portfolio.name, 512))
    _sub(root, "ScheduleFromStart", True)
    _sub(root, "StartDate", f.timestamp(cal.start, f.DAY_START))
    _sub(root, "FinishDate", f.timestamp(cal.end, f.DAY_FINISH))
    _sub(root, "CalendarUID", f.STANDARD_CALENDAR_UID)
    _sub(root, "DefaultStartTime", f.DAY_START.isoformat())
    _sub(root, "DefaultFinishTime", f.DAY_FINISH.isoformat())
    _sub(root, "MinutesPerDay", f.MINUTES_PER_DAY)
    _sub(root, "MinutesPerWeek", f.MINUTES_PER_DAY * len(set(cal.workdays)))
    _sub(root, "DaysPerMonth", 20)
    _sub(root, "DefaultTaskType", 1)
    _sub(root, "DurationFormat", f.DAYS_FORMAT)
    _sub(root, "WorkFormat", 3)
    _sub(root, "HonorConstraints", True)
    _sub(root, "NewTasksEffortDriven", False)
    _sub(root, "WeekStartDay", 1)
    attributes = _sub(root, "ExtendedAttributes")
    for field_id, field_name, alias in f.CUSTOM_FIELDS:
        item = _sub(attributes, "ExtendedAttribute")
        _sub(item, "FieldID", field_id)
        _sub(item, "FieldName", field_name)
        _sub(item, "Alias", alias)
    person_calendar = {p.id: 100 + i for i, p in enumerate(portfolio.people)}
    _calendars(root, portfolio, person_calendar)
    tasks = _Tasks(root, portfolio, plan)
    tasks.write()
    resources = _sub(root, "Resources")
    resource_uid: dict[str, int] = {}
    for person in portfolio.people:
        resource_uid[f"person:{person.id}"] = len(resource_uid) + 1
        _resource(resources, len(resource_uid), person, None, person_calendar[person.id])
    for pool in portfolio.pools:
        resource_uid[f"pool:{pool.id}"] = len(resource_uid) + 1
        _resource(resources, len(resource_uid), None, pool, None)
    _assignments(root, portfolio, plan, tasks.uid, resource_uid)
    return etree.ElementTree(root)


def plan_mspdi(portfolio: Portfolio, plan: Plan) -> bytes:
    """The MSPDI bytes of a plan, checked against the schema subset.

    Raises
    ------
    ValueError
        The document breaks the schema subset (a bug: every export is checked).
    """
    data = etree.tostring(
        plan_mspdi_tree(portfolio, plan),
        xml_declaration=True,
        encoding="UTF-8",
        pretty_print=True,
        standalone=True,
    )
    problems = validate_mspdi(data)
    if problems:
        raise ValueError("the MSPDI export breaks its schema: " + "; ".join(problems[:5]))
    return data
