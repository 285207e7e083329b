"""What the MSPDI writer and reader agree on: the namespace, the working day, custom fields, codes.

A working day is 08:00–12:00 and 13:00–17:00 (480 minutes), so one working day of the
contract is ``PT8H0M0S`` of duration and 4,800 tenths of a minute of link lag. What MS
Project has no field for travels in four text custom fields (named by their alias, so a
file that MS Project saved again still carries them).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

NAMESPACE = "http://schemas.microsoft.com/project"
SAVE_VERSION = 12  # the schema subset follows the published Project 2007 schema
MINUTES_PER_DAY = 480
DAY_START = dt.time(8, 0)
DAY_FINISH = dt.time(17, 0)
WORKING_TIMES = (("08:00:00", "12:00:00"), ("13:00:00", "17:00:00"))
STANDARD_CALENDAR_UID = 1

# custom fields: (FieldID, FieldName, Alias); FieldIDs are MS Project's own for these fields
TASK_ID_FIELD = ("188743731", "Text1", "PMO id")
TASK_EXTRA_FIELD = ("188743734", "Text2", "PMO task")
RESOURCE_SKILLS_FIELD = ("205520904", "Text1", "Skills")
RESOURCE_EXTRA_FIELD = ("205520905", "Text2", "PMO person")
CUSTOM_FIELDS = (TASK_ID_FIELD, TASK_EXTRA_FIELD, RESOURCE_SKILLS_FIELD, RESOURCE_EXTRA_FIELD)

# PredecessorLink/Type
LINK_TYPES = {"FF": 0, "FS": 1, "SF": 2, "SS": 3}
LINK_KINDS = {code: kind for kind, code in LINK_TYPES.items()}
# ConstraintType
ASAP, MUST_START_ON, MUST_FINISH_ON, START_NO_EARLIER, START_NO_LATER, FINISH_NO_EARLIER, FINISH_NO_LATER = (
    0,
    2,
    3,
    4,
    5,
    6,
    7,
)
DAYS_FORMAT = 7  # DurationFormat / LagFormat: working days
ELAPSED_FORMATS = frozenset({4, 6, 8, 10, 12, 36, 38, 40, 42, 44})
PERCENT_FORMATS = frozenset({19, 20, 51, 52})
# WeekDay/DayType: 1 = Sunday … 7 = Saturday
DAY_TYPES = {"sun": 1, "mon": 2, "tue": 3, "wed": 4, "thu": 5, "fri": 6, "sat": 7}
WEEKDAY_OF_TYPE = {code: day for day, code in DAY_TYPES.items()}

_DURATION = re.compile(
    r"-?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?\Z"
)


def timestamp(day: dt.date, time: dt.time) -> str:
    """An MSPDI date-time: ``2027-01-04T08:00:00``."""
    return dt.datetime.combine(day, time).isoformat(timespec="seconds")


def duration_text(days: float) -> str:
    """Working days as an MSPDI duration of working hours (``PT80H0M0S`` for 10 days)."""
    seconds = round(days * MINUTES_PER_DAY * 60)
    return f"PT{seconds // 3600}H{seconds % 3600 // 60}M{seconds % 60}S"


def duration_minutes(text: str) -> float | None:
    """Minutes of an ``xs:duration`` (days count as 24 hours, as MS Project writes them), or ``None``."""
    match = _DURATION.match(text.strip())
    if match is None:
        return None
    years, months, days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    if years or months:
        return None
    total = days * 1440 + hours * 60 + minutes + seconds / 60
    return -total if text.strip().startswith("-") else total


def decimal_text(value: float) -> str:
    """A number as ``xs:decimal`` text (no exponent)."""
    text = format(Decimal(repr(float(value))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def skills_text(skills: dict[str, int]) -> str:
    """``pm:4, analyst:3``: the Skills field of a resource."""
    return ", ".join(f"{skill}:{level}" for skill, level in skills.items())


def parse_skills(text: str) -> tuple[dict[str, int], list[str]]:
    """The skills of a Skills field (``pm:4, analyst:3``; a skill without a level is level 1),
    and the parts that could not be read."""
    skills: dict[str, int] = {}
    bad: list[str] = []
    for part in re.split(r"[,;]", text):
        part = part.strip()
        if not part:
            continue
        name, sep, level = part.rpartition(":")
        if not sep:
            name, level = part, "1"
        name = name.strip()
        if name and level.strip().isdigit() and 1 <= int(level) <= 5:
            skills[name] = int(level)
        else:
            bad.append(part)
    return skills, bad
