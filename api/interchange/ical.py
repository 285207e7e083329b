"""A plan as iCalendar (RFC 5545): one calendar per person, one all-day event per assignment.

Each event runs from the task's first to its last working day (``DTEND`` is the day after,
as all-day events have it), names the project and the task, and says the person's
allocation and who else is on the task. Event UIDs are stable (``project/task/person``), so
a calendar imported again updates its events instead of doubling them.
"""

from __future__ import annotations

import datetime as dt
import re

from icalendar import Calendar, Event

from model.plan import Assignment, Plan
from model.portfolio import Portfolio

PRODID = "-//pmo-planner//staffing plan//EN"
UID_DOMAIN = "pmo-planner"
_UNSAFE = re.compile(r"[^\w.-]+")


def calendar_file_name(person_id: str) -> str:
    """A file name for a person's calendar (``alice.ics``; what is not a letter, digit, ``.``
    or ``-`` becomes ``_``)."""
    return f"{_UNSAFE.sub('_', person_id).strip('._') or 'person'}.ics"


def _by_person(plan: Plan) -> dict[str, list[Assignment]]:
    out: dict[str, list[Assignment]] = {}
    for a in sorted(plan.assignments, key=lambda a: (a.start, a.project, a.task)):
        for p in a.people:
            out.setdefault(p.id, []).append(a)
    return out


def _calendar(
    portfolio: Portfolio, person_id: str, assignments: list[Assignment], when: dt.datetime
) -> bytes:
    people = {p.id: p for p in portfolio.people}
    person = people[person_id]
    projects = {p.id: p for p in portfolio.projects}
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    # an X- property is written as it is: a line break in a name would end the content line
    calname = " ".join(f"{person.name or person.id}: {portfolio.name or 'plan'}".split())
    cal.add("x-wr-calname", calname)
    for a in assignments:
        mine = next(p for p in a.people if p.id == person_id)
        project = projects.get(a.project)
        task = next((t for t in project.tasks if t.id == a.task), None) if project else None
        others = [people[p.id].name or p.id for p in a.people if p.id != person_id and p.id in people]
        event = Event()
        event.add("uid", f"{a.project}/{a.task}/{person_id}@{UID_DOMAIN}")
        event.add("dtstamp", when)
        event.add("dtstart", a.start)
        event.add("dtend", a.finish + dt.timedelta(days=1))
        project_name = project.name if project and project.name else a.project
        event.add("summary", f"{project_name}: {task.name if task and task.name else a.task}")
        lines = [f"{mine.allocation} % of the day", f"project {a.project}, task {a.task}"]
        if others:
            lines.append("with " + ", ".join(others))
        event.add("description", "\n".join(lines))
        event.add("categories", [a.project])
        event.add("transp", "OPAQUE")
        cal.add_component(event)
    return cal.to_ical()


def _stamp(stamp: dt.datetime | None) -> dt.datetime:
    return stamp or dt.datetime.now(dt.UTC).replace(microsecond=0)


def person_calendar(
    portfolio: Portfolio, plan: Plan, person_id: str, *, stamp: dt.datetime | None = None
) -> bytes:
    """The ``.ics`` bytes of one person's assignments.

    Parameters
    ----------
    portfolio, plan
        The plan (checked by the caller against the portfolio).
    person_id
        Whose calendar.
    stamp
        ``DTSTAMP`` of every event (default: now, UTC).

    Raises
    ------
    KeyError
        ``person_id`` is not a person of the portfolio.
    """
    if person_id not in {p.id for p in portfolio.people}:
        raise KeyError(person_id)
    return _calendar(portfolio, person_id, _by_person(plan).get(person_id, []), _stamp(stamp))


def person_calendars(
    portfolio: Portfolio, plan: Plan, *, stamp: dt.datetime | None = None
) -> dict[str, bytes]:
    """``{file name: .ics bytes}`` for every person of the portfolio (see :func:`person_calendar`)."""
    by_person = _by_person(plan)
    when = _stamp(stamp)
    out: dict[str, bytes] = {}
    for person in portfolio.people:
        name = calendar_file_name(person.id)
        if name in out:  # two ids that differ only in unsafe characters
            name = name.removesuffix(".ics") + f"-{len(out)}.ics"
        out[name] = _calendar(portfolio, person.id, by_person.get(person.id, []), when)
    return out
