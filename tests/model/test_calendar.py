"""WorkCalendar: the mapping between ISO dates and working-day indices."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.calendar import WEEKDAYS, WorkCalendar
from tests.conftest import D, person, portfolio, project
from tests.conftest import task_with as task

# January 2027: Mon 4, Sat 9, Sun 10, Mon 11 … Fri 29, Sat 30, Sun 31.
JAN = WorkCalendar(D("2027-01-04"), D("2027-01-29"), holidays=[D("2027-01-11"), D("2027-01-20")])


def brute_force_days(
    start: dt.date, end: dt.date, workdays: list[str], holidays: list[dt.date]
) -> list[dt.date]:
    days = []
    day = start
    while day <= end:
        if WEEKDAYS[day.weekday()] in workdays and day not in holidays:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


# --------------------------------------------------------------------------- basics


def test_weekends_are_skipped() -> None:
    cal = WorkCalendar(D("2027-01-04"), D("2027-01-17"))
    assert cal.num_days == 10
    assert cal.date(4) == D("2027-01-08")  # Friday
    assert cal.date(5) == D("2027-01-11")  # next Monday
    assert not cal.is_working_day(D("2027-01-09"))
    assert not cal.is_working_day(D("2027-01-10"))
    assert all(d.weekday() < 5 for d in cal.dates)


def test_holidays_are_skipped() -> None:
    assert JAN.num_days == 20 - 2
    assert D("2027-01-11") not in JAN.dates
    assert D("2027-01-20") not in JAN.dates
    assert JAN.date(4) == D("2027-01-08")
    assert JAN.date(5) == D("2027-01-12")  # Monday 11 is a holiday
    assert not JAN.is_working_day(D("2027-01-11"))
    with pytest.raises(ValueError, match="not a working day"):
        JAN.index(D("2027-01-11"))


def test_holidays_outside_horizon_and_on_weekends_are_harmless() -> None:
    cal = WorkCalendar(
        D("2027-01-04"), D("2027-01-08"), holidays=[D("2026-12-25"), D("2027-01-09"), D("2027-01-04")]
    )
    assert cal.dates == [D("2027-01-05"), D("2027-01-06"), D("2027-01-07"), D("2027-01-08")]


def test_duplicate_holidays_count_once() -> None:
    cal = WorkCalendar(D("2027-01-04"), D("2027-01-08"), holidays=[D("2027-01-06"), D("2027-01-06")])
    assert cal.num_days == 4


def test_custom_workdays_sunday_to_thursday() -> None:
    cal = WorkCalendar(D("2027-01-01"), D("2027-01-14"), workdays=["sun", "mon", "tue", "wed", "thu"])
    # Fri 1 and Sat 2 are the weekend; Sun 3 is the first working day.
    assert cal.date(0) == D("2027-01-03")
    assert {d.weekday() for d in cal.dates} == {6, 0, 1, 2, 3}
    assert not cal.is_working_day(D("2027-01-08"))  # Friday
    assert not cal.is_working_day(D("2027-01-09"))  # Saturday
    assert cal.is_working_day(D("2027-01-10"))  # Sunday
    assert cal.num_days == 10


def test_single_workday_per_week() -> None:
    cal = WorkCalendar(D("2027-01-01"), D("2027-01-31"), workdays=["wed"])
    assert cal.dates == [D("2027-01-06"), D("2027-01-13"), D("2027-01-20"), D("2027-01-27")]


def test_horizon_starting_and_ending_on_a_weekend() -> None:
    cal = WorkCalendar(D("2027-01-02"), D("2027-01-17"))  # Saturday … Sunday
    assert cal.num_days == 10
    assert cal.date(0) == D("2027-01-04")
    assert cal.date(cal.num_days - 1) == D("2027-01-15")
    assert cal.ceil_index(D("2027-01-02")) == 0
    assert cal.floor_index(D("2027-01-02")) == -1
    assert cal.ceil_index(D("2027-01-16")) == cal.num_days
    assert cal.floor_index(D("2027-01-17")) == cal.num_days - 1


def test_single_day_horizon() -> None:
    cal = WorkCalendar(D("2027-01-06"), D("2027-01-06"))
    assert cal.dates == [D("2027-01-06")]
    assert cal.index(D("2027-01-06")) == 0
    assert cal.range_mask(None, None).tolist() == [True]


def test_empty_horizon_only_weekend_days() -> None:
    cal = WorkCalendar(D("2027-01-09"), D("2027-01-10"))
    assert cal.num_days == 0
    assert cal.dates == []
    assert not cal.is_working_day(D("2027-01-09"))
    assert cal.ceil_index(D("2027-01-09")) == 0 == cal.num_days
    assert cal.floor_index(D("2027-01-10")) == -1
    assert cal.floor_index(D("2027-02-01")) == -1
    assert cal.range_mask(None, None).shape == (0,)
    with pytest.raises(IndexError):
        cal.date(0)
    with pytest.raises(IndexError):
        cal.iso_week(0)
    with pytest.raises(ValueError):
        cal.index(D("2027-01-09"))


# --------------------------------------------------------------------------- conversions


@pytest.mark.parametrize("index", [-1, 18, 100])
def test_date_outside_the_index_range_raises(index: int) -> None:
    with pytest.raises(IndexError):
        JAN.date(index)


@pytest.mark.parametrize(
    "day", ["2027-01-03", "2027-01-09", "2027-01-11", "2027-01-30", "2027-02-01"], ids=str
)
def test_index_of_a_non_working_day_raises(day: str) -> None:
    with pytest.raises(ValueError, match="not a working day"):
        JAN.index(D(day))


@pytest.mark.parametrize(
    ("day", "ceil", "floor"),
    [
        ("2026-12-01", 0, -1),  # long before the start
        ("2027-01-03", 0, -1),  # the day before the start
        ("2027-01-04", 0, 0),  # the start
        ("2027-01-08", 4, 4),  # a Friday
        ("2027-01-09", 5, 4),  # Saturday → next Tuesday (Monday 11 is a holiday)
        ("2027-01-10", 5, 4),
        ("2027-01-11", 5, 4),  # the holiday itself
        ("2027-01-12", 5, 5),
        ("2027-01-20", 11, 10),  # mid-week holiday
        ("2027-01-29", 17, 17),  # the end
        ("2027-01-30", 18, 17),  # after the end
        ("2028-01-01", 18, 17),
    ],
    ids=lambda x: str(x),
)
def test_ceil_and_floor_index_at_the_edges(day: str, ceil: int, floor: int) -> None:
    assert JAN.ceil_index(D(day)) == ceil
    assert JAN.floor_index(D(day)) == floor


def test_ceil_and_floor_agree_with_index_on_working_days() -> None:
    for i, day in enumerate(JAN.dates):
        assert JAN.ceil_index(day) == JAN.floor_index(day) == JAN.index(day) == i


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (None, None, list(range(18))),
        ("2027-01-06", "2027-01-08", [2, 3, 4]),
        ("2027-01-09", "2027-01-12", [5]),  # weekend and holiday at the edges
        ("2027-01-09", "2027-01-11", []),  # nothing but weekend and holiday
        ("2026-01-01", "2027-01-05", [0, 1]),
        ("2027-01-28", "2028-01-01", [16, 17]),
        ("2027-01-27", None, [15, 16, 17]),
        (None, "2027-01-05", [0, 1]),
        ("2027-01-08", "2027-01-06", []),  # reversed
        ("2027-03-01", "2027-03-31", []),  # after the horizon
        ("2026-03-01", "2026-03-31", []),  # before the horizon
    ],
    ids=lambda x: str(x),
)
def test_range_mask(first: str | None, last: str | None, expected: list[int]) -> None:
    mask = JAN.range_mask(first and D(first), last and D(last))
    assert mask.dtype == np.bool_
    assert mask.shape == (JAN.num_days,)
    assert np.flatnonzero(mask).tolist() == expected


@pytest.mark.parametrize(
    ("day", "week"),
    [
        ("2027-01-04", "2027-W01"),
        ("2027-01-08", "2027-W01"),
        ("2027-01-12", "2027-W02"),
        ("2027-01-29", "2027-W04"),
    ],
)
def test_iso_week(day: str, week: str) -> None:
    assert JAN.iso_week(JAN.index(D(day))) == week


def test_iso_week_across_the_year_boundary() -> None:
    cal = WorkCalendar(D("2026-12-28"), D("2027-01-08"))
    # 2026 has 53 ISO weeks: Mon 2026-12-28 … Sun 2027-01-03 is 2026-W53.
    assert cal.iso_week(0) == "2026-W53"
    assert cal.iso_week(cal.index(D("2027-01-01"))) == "2026-W53"
    assert cal.iso_week(cal.index(D("2027-01-04"))) == "2027-W01"
    cal2 = WorkCalendar(D("2024-12-30"), D("2025-01-03"))
    assert {cal2.iso_week(i) for i in range(cal2.num_days)} == {"2025-W01"}


def test_dates_before_1970_are_handled() -> None:
    cal = WorkCalendar(D("1969-12-29"), D("1970-01-04"))  # Monday … Sunday
    assert cal.dates == [D("1969-12-29"), D("1969-12-30"), D("1969-12-31"), D("1970-01-01"), D("1970-01-02")]


# --------------------------------------------------------------------------- property


@st.composite
def horizons(draw: st.DrawFn) -> tuple[dt.date, dt.date, list[str], list[dt.date]]:
    start = dt.date(2020, 1, 1) + dt.timedelta(days=draw(st.integers(0, 3650)))
    end = start + dt.timedelta(days=draw(st.integers(0, 90)))
    workdays = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True))
    span = (end - start).days
    holidays = draw(
        st.lists(st.integers(-5, span + 5).map(lambda k: start + dt.timedelta(days=k)), max_size=6)
    )
    return start, end, workdays, holidays


@settings(deadline=None, max_examples=30, derandomize=True)
@given(horizons())
def test_index_date_round_trip_for_every_working_day(
    horizon: tuple[dt.date, dt.date, list[str], list[dt.date]],
) -> None:
    start, end, workdays, holidays = horizon
    cal = WorkCalendar(start, end, workdays, holidays)
    expected = brute_force_days(start, end, workdays, holidays)
    assert cal.dates == expected
    assert cal.num_days == len(expected)
    for i, day in enumerate(expected):
        assert cal.date(i) == day
        assert cal.index(day) == i
        assert cal.is_working_day(day)
    # every calendar day in and around the horizon: ceil/floor against brute force
    day = start - dt.timedelta(days=3)
    while day <= end + dt.timedelta(days=3):
        after = [i for i, d in enumerate(expected) if d >= day]
        before = [i for i, d in enumerate(expected) if d <= day]
        assert cal.ceil_index(day) == (after[0] if after else cal.num_days)
        assert cal.floor_index(day) == (before[-1] if before else -1)
        assert cal.is_working_day(day) == (day in expected)
        day += dt.timedelta(days=1)


def test_portfolio_lookups_follow_changes_after_first_use() -> None:
    pf = portfolio([person("a", {"dev": 1})], [project("x", [task("u", 2)])])
    assert pf.work_calendar.num_days == 10 and pf.project("x").id == "x"
    copy = pf.model_copy(
        update={
            "projects": [pf.projects[0].model_copy(update={"id": "y"})],
            "calendar": pf.calendar.model_copy(update={"end": dt.date(2027, 1, 29)}),
        }
    )
    assert copy.work_calendar.num_days == 20 and copy.project("y").id == "y"
    with pytest.raises(KeyError):
        copy.project("x")
    pf.calendar.end = dt.date(2027, 1, 22)  # changed in place
    assert pf.work_calendar.num_days == 15
