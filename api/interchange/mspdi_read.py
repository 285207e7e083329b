"""An MS Project XML (MSPDI) file read as a portfolio, with its assignments as pins.

Level-1 summary tasks become projects (deeper summary tasks are flattened into their
project), leaf tasks become tasks with their durations, links (type and lag), constraints
and resource assignments; work resources become people (generic ones become pools), the
project calendar gives workdays and holidays, each resource calendar's exceptions the
person's absences. Skills come from a resource text field whose alias is ``Skills``
(``pm:4, analyst:3``) or from a mapping file. Whatever has no place in the contract is
listed in :attr:`MspdiImport.notes`, never dropped silently. Files written by
:mod:`api.interchange.mspdi_write` come back whole: its custom fields carry what MS
Project has no field for.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from lxml import etree

from api.interchange import mspdi_fields as f
from api.interchange.cells import CellMap
from model.calendar import WorkCalendar
from model.limits import DEFAULT_LIMITS, InputLimits
from model.load import InvalidInput, capped, parse_portfolio
from model.portfolio import Portfolio
from model.rules import Issue

Data = dict[str, Any]
GENERAL_SKILL = "general"
"""The skill given to resources whose skills are not known (so their assignments can be pinned)."""


class Pins(StrEnum):
    """Which parts of the file's schedule become pins of the portfolio."""

    all = "all"  # every scheduled task's start, and the people assigned
    people = "people"  # only the people assigned
    none = "none"  # nothing: the optimiser plans from scratch


@dataclass
class MspdiImport:
    """A portfolio read from MSPDI and what of the file it could not carry."""

    portfolio: Portfolio
    notes: list[str] = field(default_factory=list)


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname


def _qualified(node: etree._Element, name: str) -> str:
    """``name`` in the namespace of ``node`` (files of later MS Project versions too)."""
    tag = node.tag
    return tag[: tag.index("}") + 1] + name if isinstance(tag, str) and tag.startswith("{") else name


def _child(node: etree._Element, name: str) -> etree._Element | None:
    return node.find(_qualified(node, name))


def _children(node: etree._Element | None, name: str) -> Iterator[etree._Element]:
    if node is None:
        return iter(())
    return node.iterfind(_qualified(node, name))


def _text(node: etree._Element, name: str) -> str | None:
    child = _child(node, name)
    if child is None or child.text is None or not child.text.strip():
        return None
    return child.text.strip()


def _raw(node: etree._Element, name: str) -> str | None:
    """A text element as written (names keep their spaces), ``None`` when empty."""
    child = _child(node, name)
    return child.text if child is not None and child.text else None


def _int(node: etree._Element, name: str, default: int | None = None) -> int | None:
    text = _text(node, name)
    try:
        return int(float(text)) if text is not None else default
    except ValueError:
        return default


def _float(node: etree._Element, name: str) -> float | None:
    text = _text(node, name)
    try:
        value = float(text) if text is not None else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def _bool(node: etree._Element, name: str) -> bool:
    return (_text(node, name) or "0").lower() in ("1", "true")


def _date(node: etree._Element, name: str) -> dt.date | None:
    text = _text(node, name)
    if text is None:
        return None
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            return None


def parse_mspdi(data: bytes) -> etree._Element:
    """The root of an MSPDI document (entities are never expanded, nothing is fetched).

    Raises
    ------
    InvalidInput
        Not well-formed XML, or its root is not an MS Project ``Project``.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InvalidInput([Issue("", f"not well-formed XML: {exc}")]) from None
    if _local(root) != "Project" or not (etree.QName(root).namespace or "").startswith(f.NAMESPACE):
        raise InvalidInput([Issue("", f"not an MS Project XML file: the root is <{_local(root)}>")])
    return root


def _aliases(root: etree._Element) -> dict[str, str]:
    """Custom field alias (lower case) → FieldID."""
    out: dict[str, str] = {}
    for item in _children(_child(root, "ExtendedAttributes"), "ExtendedAttribute"):
        field_id, alias = _text(item, "FieldID"), _text(item, "Alias")
        if field_id and alias:
            out.setdefault(alias.lower(), field_id)
    return out


def _custom(node: etree._Element, field_id: str | None) -> str | None:
    if field_id is None:
        return None
    for item in _children(node, "ExtendedAttribute"):
        if _text(item, "FieldID") == field_id:
            return _text(item, "Value")
    return None


def _json(text: str | None, where: str, notes: list[str]) -> Data:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        notes.append(f"{where}: the PMO custom field is not JSON; ignored")
        return {}
    return value if isinstance(value, dict) else {}


def _days(minutes: float, per_day: int) -> float:
    return minutes / per_day


def _date_range(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


@dataclass
class _Reader:
    root: etree._Element
    skill_map: Mapping[str, Mapping[str, int]]
    pins: Pins
    horizon_end: dt.date | None
    notes: list[str] = field(default_factory=list)
    where: CellMap = field(default_factory=CellMap)
    skills: dict[str, None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.aliases = _aliases(self.root)
        self.per_day = _int(self.root, "MinutesPerDay", f.MINUTES_PER_DAY) or f.MINUTES_PER_DAY
        finish = _text(self.root, "DefaultFinishTime")
        try:
            self.day_finish = dt.time.fromisoformat(finish) if finish else f.DAY_FINISH
        except ValueError:
            self.day_finish = f.DAY_FINISH
        self.work_calendar: WorkCalendar | None = None
        self.calendars = {_int(c, "UID"): c for c in _children(_child(self.root, "Calendars"), "Calendar")}

    def start_day(self, node: etree._Element) -> dt.date | None:
        """The working day a task starts on: a start at the end of a day (a milestone after
        its predecessor) is the next working day."""
        text = _text(node, "Start")
        if text is None or self.work_calendar is None:
            return None
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
        day = moment.date() + dt.timedelta(days=1 if moment.time() >= self.day_finish else 0)
        index = self.work_calendar.ceil_index(day)
        return self.work_calendar.date(index) if index < self.work_calendar.num_days else None

    def field_id(self, alias: str) -> str | None:
        return self.aliases.get(alias.lower())

    # ------------------------------------------------------------------ calendars

    def _exceptions(self, calendar: etree._Element, what: str) -> list[tuple[dt.date, dt.date]]:
        ranges: list[tuple[dt.date, dt.date]] = []
        for item in _children(_child(calendar, "Exceptions"), "Exception"):
            period = _child(item, "TimePeriod")
            first = _date(period, "FromDate") if period is not None else None
            last = _date(period, "ToDate") if period is not None else None
            name = _text(item, "Name") or "exception"
            if first is None or last is None:
                continue
            if _bool(item, "DayWorking"):
                self.notes.append(
                    f"{what}: the working-day exception '{name}' ({first}…{last}) is not mapped"
                )
                continue
            kind = _int(item, "Type", 1)
            if kind != 1:
                self.notes.append(f"{what}: the recurring exception '{name}' is taken as {first}…{last} only")
            ranges.append((first, last))
        for day in _children(_child(calendar, "WeekDays"), "WeekDay"):
            if _int(day, "DayType") != 0 or _bool(day, "DayWorking"):
                continue
            period = _child(day, "TimePeriod")
            first = _date(period, "FromDate") if period is not None else None
            last = _date(period, "ToDate") if period is not None else None
            if first is not None and last is not None:
                ranges.append((first, last))
        return ranges

    def calendar(self, start: dt.date, end: dt.date) -> Data:
        uid = _int(self.root, "CalendarUID", f.STANDARD_CALENDAR_UID)
        base = self.calendars.get(uid)
        if base is None:
            base = next(iter(self.calendars.values()), None)
        workdays = list(f.DAY_TYPES)[1:6]
        holidays: list[str] = []
        if base is not None:
            days = {
                _int(d, "DayType"): _bool(d, "DayWorking")
                for d in _children(_child(base, "WeekDays"), "WeekDay")
                if _int(d, "DayType") not in (None, 0)
            }
            if days:
                workdays = [
                    f.WEEKDAY_OF_TYPE[c]
                    for c in (2, 3, 4, 5, 6, 7, 1)
                    if days.get(c, f.WEEKDAY_OF_TYPE[c] not in ("sat", "sun"))
                ]
            ranges = self._exceptions(base, "project calendar")
            found = {d for a, b in ranges for d in _date_range(max(a, start), min(b, end))}
            holidays = [d.isoformat() for d in sorted(found)]
        return {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "workdays": workdays,
            "holidays": holidays,
        }

    # ------------------------------------------------------------------ resources

    def _skills_of(self, node: etree._Element, rid: str, name: str | None, extra: Data) -> dict[str, int]:
        for key in (rid, name):
            if key is not None and key in self.skill_map:
                return {str(k): int(v) for k, v in self.skill_map[key].items()}
        if isinstance(extra.get("skills"), dict):
            return {str(k): int(v) for k, v in extra["skills"].items()}
        text = _custom(node, self.field_id(f.RESOURCE_SKILLS_FIELD[2]))
        if not text:
            return {}
        skills, bad = f.parse_skills(text)
        if bad:
            self.notes.append(f"resource '{rid}': skills not read: {', '.join(bad)[:200]} (give skill:level)")
        return skills

    def resources(
        self, start: dt.date, end: dt.date
    ) -> tuple[list[Data], list[Data], dict[int, tuple[str, str]]]:
        people: list[Data] = []
        pools: list[Data] = []
        by_uid: dict[int, tuple[str, str]] = {}
        taken: set[str] = set()
        for node in _children(_child(self.root, "Resources"), "Resource"):
            uid = _int(node, "UID")
            name = _raw(node, "Name")
            if uid is None or (uid == 0 and name is None) or _bool(node, "IsNull"):
                continue
            rid = (_text(node, "Code") or name or f"resource-{uid}").replace("/", "-")
            if rid in taken:
                rid = f"{rid} ({uid})"
            taken.add(rid)
            where = f"Resource UID {uid} '{name or rid}'"
            kind = _int(node, "Type", 1)
            if kind != 1:
                self.notes.append(f"{where}: {'material' if kind == 0 else 'cost'} resources are not mapped")
                continue
            units = _float(node, "MaxUnits")
            units = 1.0 if units is None else units
            shown = None if name == rid else name
            if _bool(node, "IsGeneric"):
                by_uid[uid] = ("pool", rid)
                self.where.put(f"pools[{len(pools)}]", where)
                pools.append({"id": rid, "name": shown, "capacity": max(0, round(units))})
                continue
            extra = _json(_custom(node, self.field_id(f.RESOURCE_EXTRA_FIELD[2])), where, self.notes)
            skills = self._skills_of(node, rid, name, extra)
            self.skills.update(dict.fromkeys(skills))
            capacity = round(units * 100)
            if capacity > 100:
                self.notes.append(
                    f"{where}: max units {units:g} capped at 100 % (a person gives at most a full day)"
                )
            rate = _float(node, "StandardRate") or 0.0
            person: Data = {
                "id": rid,
                "name": shown,
                "skills": skills,
                "capacity": min(100, max(1, capacity)),
                "cost_per_day": round(rate * self.per_day / 60, 6),
                "available_from": self._clip_date(_date(node, "AvailableFrom"), start, end),
                "available_until": self._clip_date(_date(node, "AvailableTo"), start, end),
                "max_parallel_projects": extra.get("max_parallel_projects"),
                "absences": self._absences(node, where, start, end),
            }
            by_uid[uid] = ("person", rid)
            self.where.put(f"people[{len(people)}]", where)
            people.append(person)
        return people, pools, by_uid

    @staticmethod
    def _clip_date(day: dt.date | None, start: dt.date, end: dt.date) -> str | None:
        """A join or leave date inside the horizon (outside it, it changes nothing)."""
        return day.isoformat() if day is not None and start <= day <= end else None

    def _absences(self, node: etree._Element, where: str, start: dt.date, end: dt.date) -> list[Data]:
        uid = _int(node, "CalendarUID")
        calendar = self.calendars.get(uid)
        if calendar is None:
            return []
        if list(_children(_child(calendar, "WeekDays"), "WeekDay")) and any(
            _int(d, "DayType") not in (None, 0) for d in _children(_child(calendar, "WeekDays"), "WeekDay")
        ):
            self.notes.append(
                f"{where}: the resource calendar's own working week is not mapped (use capacity)"
            )
        out = []
        for first, last in self._exceptions(calendar, where):
            first, last = max(first, start), min(last, end)
            if first <= last:
                out.append({"start": first.isoformat(), "end": last.isoformat()})
        return out

    # ------------------------------------------------------------------ tasks

    def tasks(self) -> list[tuple[etree._Element, int]]:
        """Every task with its outline level (the project summary task UID 0 left out)."""
        out = []
        for node in _children(_child(self.root, "Tasks"), "Task"):
            level = _int(node, "OutlineLevel", 1) or 0
            if (_int(node, "UID") == 0 and level == 0) or _bool(node, "IsNull"):
                continue
            out.append((node, max(level, 1)))
        return out


def _duration_days(reader: _Reader, node: etree._Element, where: str) -> int:
    text = _text(node, "Duration")
    minutes = f.duration_minutes(text) if text else None
    if minutes is None:
        reader.notes.append(f"{where}: no readable duration; taken as 1 working day")
        return 1
    if (_int(node, "DurationFormat", f.DAYS_FORMAT) or f.DAYS_FORMAT) in f.ELAPSED_FORMATS:
        reader.notes.append(f"{where}: an elapsed duration is taken as working time")
    days = _days(minutes, reader.per_day)
    if days <= 0:
        reader.notes.append(f"{where}: a milestone becomes a 1-day task")
        return 1
    whole = math.ceil(days - 1e-9)
    if abs(whole - days) > 1e-6:
        reader.notes.append(f"{where}: duration {days:.2f} working days rounded up to {whole}")
    return whole


def _lag_days(reader: _Reader, link: etree._Element, kind: str, where: str) -> int:
    lag = _int(link, "LinkLag", 0) or 0
    form = _int(link, "LagFormat", f.DAYS_FORMAT) or f.DAYS_FORMAT
    if form in f.PERCENT_FORMATS:
        reader.notes.append(f"{where}: a percent lag is not mapped (taken as 0)")
        return 0
    if form in f.ELAPSED_FORMATS:
        reader.notes.append(f"{where}: an elapsed lag is taken as working time")
    days = lag / (reader.per_day * 10)
    whole = round(days)
    if abs(whole - days) > 1e-6:
        reader.notes.append(f"{where}: lag {days:.2f} working days rounded to {whole}")
    return whole - 1 if kind == "SF" else whole  # MS Project's SF lag 0 is the contract's SF lag −1


class _Projects:
    """Turns the outline of tasks into projects and tasks."""

    def __init__(self, reader: _Reader, resources: dict[int, tuple[str, str]], people: list[Data]) -> None:
        self.reader = reader
        self.resources = resources
        self.people = {p["id"]: p for p in people}
        self.id_field = reader.field_id(f.TASK_ID_FIELD[2])
        self.extra_field = reader.field_id(f.TASK_EXTRA_FIELD[2])
        self.projects: list[Data] = []
        self.task_of_uid: dict[int, tuple[Data, Data]] = {}
        self.summary_uids: set[int] = set()
        self.assignments = self._assignments()

    def _assignments(self) -> dict[int, list[tuple[str, str, float]]]:
        out: dict[int, list[tuple[str, str, float]]] = {}
        for node in _children(_child(self.reader.root, "Assignments"), "Assignment"):
            task, resource = _int(node, "TaskUID"), _int(node, "ResourceUID")
            if task is None or resource is None or resource < 0:
                continue
            found = self.resources.get(resource)
            if found is None:
                self.reader.notes.append(
                    f"Assignment UID {_int(node, 'UID')}: resource UID {resource} is not mapped"
                )
                continue
            units = _float(node, "Units")
            out.setdefault(task, []).append((*found, 1.0 if units is None else units))
        return out

    def _unique(self, wanted: str, taken: set[str], uid: int) -> str:
        ident = wanted.replace("/", "-").strip() or f"task-{uid}"
        if ident in taken:
            ident = f"{ident} ({uid})"
        taken.add(ident)
        return ident

    def build(self, tasks: list[tuple[etree._Element, int]], default_name: str) -> list[Data]:
        """The projects of the task outline: level-1 summary tasks, and one project for any
        task outside them (named after the file)."""
        current: Data | None = None
        loose: Data | None = None
        project_ids: set[str] = set()
        task_ids: dict[int, set[str]] = {}
        links: list[tuple[Data, Data, etree._Element, str]] = []
        for k, (node, level) in enumerate(tasks):
            uid = _int(node, "UID") or 0
            name = _raw(node, "Name") or f"task {uid}"
            summary = _bool(node, "Summary") or (k + 1 < len(tasks) and tasks[k + 1][1] > level)
            if summary:
                self.summary_uids.add(uid)
                if uid in self.assignments:
                    self.reader.notes.append(
                        f"Task UID {uid} '{name}': assignments on a summary task are not mapped"
                    )
            if summary and level == 1:
                current = self._project(node, uid, name, project_ids)
                continue
            if summary:
                self.reader.notes.append(
                    f"Task UID {uid} '{name}': a nested summary task is flattened into its project"
                )
                continue
            if level == 1:
                current = None
            owner = current
            if owner is None:
                if loose is None:
                    loose = {"id": self._unique(default_name, project_ids, 0), "tasks": []}
                    self.projects.append(loose)
                owner = loose
            task = self._task(node, uid, name, owner, task_ids.setdefault(id(owner), set()))
            where = f"Task UID {uid} '{name}'"
            links.extend((owner, task, link, where) for link in _children(node, "PredecessorLink"))
        self._links(links)
        return self.projects

    def _project(self, node: etree._Element, uid: int, name: str, taken: set[str]) -> Data:
        where = f"Task UID {uid} '{name}'"
        ident = _custom(node, self.id_field) or name
        extra = _json(_custom(node, self.extra_field), where, self.reader.notes)
        priority = _int(node, "Priority", 500)
        project: Data = {
            "id": self._unique(ident, taken, uid),
            "name": None if name == ident else name,
            "priority": min(10, max(1, round((priority if priority is not None else 500) / 100))),
            "due": (_date(node, "Deadline") or None),
            "tasks": [],
        }
        project["due"] = project["due"].isoformat() if project["due"] else None
        code = _int(node, "ConstraintType", f.ASAP)
        day = _date(node, "ConstraintDate")
        if code == f.FINISH_NO_LATER and day is not None:
            project["deadline"] = day.isoformat()
        elif code == f.START_NO_EARLIER and day is not None:
            project["release"] = day.isoformat()
        elif code not in (f.ASAP, None):
            self.reader.notes.append(f"{where}: constraint type {code} on a summary task is not mapped")
        for key in ("status", "budgets", "release", "deadline"):
            if extra.get(key) is not None:
                project[key] = extra[key]
        if extra.get("left_out"):
            project["_left_out"] = True
        self.reader.where.put(f"projects[{len(self.projects)}]", where)
        self.projects.append(project)
        return project

    def _requirements(self, uses: list[tuple[str, str, float]], where: str) -> list[Data]:
        out: dict[tuple[Any, ...], Data] = {}
        for kind, rid, units in uses:
            if kind == "pool":
                key: tuple[Any, ...] = ("pool", rid)
                item = out.setdefault(key, {"pool": rid, "units": 0})
                item["units"] += max(1, round(units))
                continue
            allocation = min(100, max(1, round(units * 100)))
            if units > 1:
                self.reader.notes.append(f"{where}: {rid} at {units * 100:.0f} % capped at 100 %")
            skills = self.people[rid]["skills"]
            if not skills:  # so that the person assigned can be pinned on the task
                skills[GENERAL_SKILL] = 1
                self.reader.skills.setdefault(GENERAL_SKILL, None)
            skill = next(iter(skills))
            key = ("skill", skill, allocation)
            item = out.setdefault(key, {"skill": skill, "count": 0, "allocation": allocation})
            item["count"] += 1
        return list(out.values())

    def _task(self, node: etree._Element, uid: int, name: str, project: Data, taken: set[str]) -> Data:
        where = f"Task UID {uid} '{name}'"
        ident = _custom(node, self.id_field) or name
        extra = _json(_custom(node, self.extra_field), where, self.reader.notes)
        task: Data = {"id": self._unique(ident, taken, uid), "name": None if name == ident else name}
        uses = self.assignments.get(uid, [])
        if "effort" in extra:
            task["effort"] = extra["effort"]
            if extra.get("crew") is not None:
                task["crew"] = extra["crew"]
        elif extra.get("modes"):
            task["modes"] = extra["modes"]
        else:
            task["duration"] = _duration_days(self.reader, node, where)
        if "modes" not in task:
            task["requirements"] = extra.get("requirements", self._requirements(uses, where))
        if extra.get("consumes"):
            task["consumes"] = extra["consumes"]
        code = _int(node, "ConstraintType", f.ASAP)
        day = _date(node, "ConstraintDate")
        native = {
            f.MUST_START_ON: "fixed_start",
            f.START_NO_EARLIER: "earliest_start",
            f.FINISH_NO_LATER: "latest_finish",
        }
        if code in native and day is not None:
            task[native[code]] = day.isoformat()
        elif code == f.MUST_FINISH_ON and day is not None:
            task["latest_finish"] = day.isoformat()
            self.reader.notes.append(f"{where}: 'must finish on' is taken as a latest finish")
        elif code not in (f.ASAP, None):
            self.reader.notes.append(f"{where}: constraint type {code} is not mapped")
        for key in ("fixed_start", "earliest_start", "latest_finish"):
            if extra.get(key) is not None:
                task[key] = extra[key]
        if _text(node, "Deadline") is not None:
            self.reader.notes.append(f"{where}: a task deadline (a soft flag in MS Project) is not mapped")
        start = self.reader.start_day(node)
        if self.reader.pins == Pins.all and start is not None and not project.get("_left_out"):
            task["fixed_start"] = start.isoformat()
        if self.reader.pins != Pins.none:
            people = [rid for kind, rid, _ in uses if kind == "person"]
            if people:
                task["fixed_people"] = list(dict.fromkeys(people))
        if "fixed_people" not in task and extra.get("fixed_people"):
            task["fixed_people"] = extra["fixed_people"]
        index = len(project["tasks"])
        self.reader.where.put(f"projects[{self.projects.index(project)}].tasks[{index}]", where)
        project["tasks"].append(task)
        self.task_of_uid[uid] = (project, task)
        return task

    def _links(self, links: list[tuple[Data, Data, etree._Element, str]]) -> None:
        for project, task, link, where in links:
            pred_uid = _int(link, "PredecessorUID")
            found = self.task_of_uid.get(pred_uid) if pred_uid is not None else None
            if found is None:
                what = "a summary task" if pred_uid in self.summary_uids else f"unknown task UID {pred_uid}"
                self.reader.notes.append(f"{where}: the link from {what} is not mapped")
                continue
            pred_project, pred = found
            kind = f.LINK_KINDS.get(_int(link, "Type", 1) or 0, "FS") if _text(link, "Type") else "FS"
            ref = pred["id"] if pred_project is project else f"{pred_project['id']}/{pred['id']}"
            lag = _lag_days(self.reader, link, kind, where)
            task.setdefault("dependencies", []).append({"task": ref, "type": kind, "lag": lag})


def _horizon(
    root: etree._Element, tasks: list[tuple[etree._Element, int]], end: dt.date | None
) -> tuple[dt.date, dt.date]:
    starts = [d for node, _ in tasks if (d := _date(node, "Start")) is not None]
    finishes = [d for node, _ in tasks if (d := _date(node, "Finish")) is not None]
    first = _date(root, "StartDate") or min(starts, default=None) or dt.date.today()
    if starts:
        first = min(first, min(starts))
    last = end or _date(root, "FinishDate") or max(finishes, default=first + dt.timedelta(days=365))
    if finishes:
        last = max(last, max(finishes))
    return first, last


def read_portfolio_mspdi(
    data: bytes,
    *,
    skills: Mapping[str, Mapping[str, int]] | None = None,
    pins: Pins = Pins.all,
    horizon_end: dt.date | None = None,
    limits: InputLimits = DEFAULT_LIMITS,
) -> MspdiImport:
    """Read an MSPDI file as a portfolio.

    Parameters
    ----------
    data
        The XML file's bytes.
    skills
        Resource name or code → ``{skill: level}``; wins over the resources' Skills field.
        A resource with no known skill gets :data:`GENERAL_SKILL` at level 1.
    pins
        ``all`` pins each scheduled task's start and assigned people, ``people`` only the
        people, ``none`` nothing.
    horizon_end
        Last day of the planning horizon (default: the file's finish date, or its last finish).
    limits
        Input limits, as for a JSON portfolio.

    Returns
    -------
    MspdiImport
        The portfolio and a note on everything of the file it does not carry.

    Raises
    ------
    InvalidInput
        Not an MSPDI file, or the portfolio it gives is invalid (each issue names the task or
        resource by its UID).
    """
    if len(data) > limits.max_file_bytes:
        raise InvalidInput([Issue("", f"larger than the input limit of {limits.max_file_bytes:,} bytes")])
    root = parse_mspdi(data)
    reader = _Reader(root, skills or {}, pins, horizon_end)
    tasks = reader.tasks()
    start, end = _horizon(root, tasks, horizon_end)
    calendar = reader.calendar(start, end)
    reader.work_calendar = WorkCalendar(
        start, end, calendar["workdays"], [dt.date.fromisoformat(d) for d in calendar["holidays"]]
    )
    people, pools, by_uid = reader.resources(start, end)
    builder = _Projects(reader, by_uid, people)
    title = _raw(root, "Title") or _raw(root, "Name") or "project"
    projects = builder.build(tasks, title)
    for project in projects:
        project.pop("_left_out", None)
        for task in project["tasks"]:
            for r in task.get("requirements", []):
                if r.get("skill") is not None:
                    reader.skills.setdefault(r["skill"], None)
            for mode in task.get("modes") or []:
                for r in mode.get("requirements", []):
                    if r.get("skill") is not None:
                        reader.skills.setdefault(r["skill"], None)
    portfolio_data: Data = {
        "name": _raw(root, "Title"),
        "calendar": calendar,
        "skills": [{"id": s} for s in reader.skills],
        "people": people,
        "pools": pools,
        "projects": projects,
    }
    try:
        portfolio = parse_portfolio(portfolio_data, limits)
    except InvalidInput as exc:
        raise InvalidInput(capped(reader.where.issues(exc.issues), limits)) from None
    return MspdiImport(portfolio, reader.notes)
