"""iCalendar per person: parsed back, one event per assignment of that person."""

from __future__ import annotations

import datetime as dt

from api.interchange.ical import calendar_file_name, person_calendar, person_calendars
from tests.api.interchange.helpers import assert_calendars_match, small_plan
from tests.conftest import small_portfolio

STAMP = dt.datetime(2027, 1, 1, 12, 0, tzinfo=dt.UTC)


def test_each_persons_calendar_parses_back_to_their_assignments() -> None:
    portfolio, plan = small_portfolio(), small_plan()
    files = person_calendars(portfolio, plan, stamp=STAMP)
    assert sorted(files) == sorted(f"{p.id}.ics" for p in portfolio.people)
    assert_calendars_match(portfolio, plan, files)


def test_same_plan_same_bytes_with_a_fixed_stamp() -> None:
    portfolio, plan = small_portfolio(), small_plan()
    assert person_calendar(portfolio, plan, "alice", stamp=STAMP) == person_calendar(
        portfolio, plan, "alice", stamp=STAMP
    )


def test_file_names_are_safe() -> None:
    assert calendar_file_name("alice") == "alice.ics"
    assert calendar_file_name("../étienne x") == "étienne_x.ics"
    assert calendar_file_name("///") == "person.ics"
