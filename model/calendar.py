"""Working-day calendar: the mapping between ISO dates and working-day indices.

Every duration, lag and delay in the contract is counted in working days, so the
engine schedules on the axis ``0 … num_days-1`` of working days of the horizon and
converts to dates only at the edges.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cached_property

import numpy as np

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday (mon=0)


class WorkCalendar:
    """Working days of a planning horizon.

    Parameters
    ----------
    start, end
        First and last date of the horizon (inclusive).
    workdays
        Weekday names (``"mon"`` … ``"sun"``) that are working days.
    holidays
        Dates that are never working days.
    """

    def __init__(
        self,
        start: dt.date,
        end: dt.date,
        workdays: Iterable[str] = WEEKDAYS[:5],
        holidays: Iterable[dt.date] = (),
    ) -> None:
        self.start = start
        self.end = end
        self.workdays = tuple(workdays)
        all_days = np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + 1, dtype="datetime64[D]")
        weekday = (all_days.astype(np.int64) + _EPOCH_WEEKDAY) % 7
        allowed = np.array([name in self.workdays for name in WEEKDAYS])
        is_work = allowed[weekday]
        if holidays:
            hol = np.array(sorted(set(holidays)), dtype="datetime64[D]")
            is_work &= ~np.isin(all_days, hol)
        self._dates: np.ndarray = all_days[is_work]
        # Number of working days strictly before each calendar date of the horizon;
        # used for O(1) date -> index conversions.
        self._before = np.concatenate(([0], np.cumsum(is_work)))
        self._is_work = is_work

    @property
    def num_days(self) -> int:
        """Number of working days in the horizon."""
        return int(self._dates.size)

    @cached_property
    def dates(self) -> list[dt.date]:
        """The working days as dates, index ``i`` is working day ``i``."""
        return [d.item() for d in self._dates]

    def date(self, index: int) -> dt.date:
        """Date of working day ``index`` (``0 <= index < num_days``)."""
        if not 0 <= index < self.num_days:
            raise IndexError(f"working day {index} outside 0…{self.num_days - 1}")
        return self._dates[index].item()  # type: ignore[no-any-return]

    def _offset(self, day: dt.date) -> int:
        return (day - self.start).days

    def is_working_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a working day inside the horizon."""
        off = self._offset(day)
        return 0 <= off < self._is_work.size and bool(self._is_work[off])

    def index(self, day: dt.date) -> int:
        """Index of working day ``day``; raises if it is not a working day."""
        if not self.is_working_day(day):
            raise ValueError(f"{day.isoformat()} is not a working day of the horizon")
        return int(self._before[self._offset(day)])

    def ceil_index(self, day: dt.date) -> int:
        """Index of the first working day on or after ``day``.

        Returns ``num_days`` when there is none in the horizon, ``0`` before it.
        """
        off = self._offset(day)
        if off < 0:
            return 0
        if off >= self._is_work.size:
            return self.num_days
        return int(self._before[off])

    def floor_index(self, day: dt.date) -> int:
        """Index of the last working day on or before ``day``.

        Returns ``-1`` when there is none in the horizon, ``num_days - 1`` after it.
        """
        off = self._offset(day)
        if off < 0:
            return -1
        if off >= self._is_work.size:
            return self.num_days - 1
        return int(self._before[off + 1]) - 1

    def range_mask(self, first: dt.date | None, last: dt.date | None) -> np.ndarray:
        """Boolean mask over working days that fall in ``[first, last]`` (inclusive).

        ``None`` leaves that side open.
        """
        mask = np.zeros(self.num_days, dtype=bool)
        lo = 0 if first is None else self.ceil_index(first)
        hi = self.num_days - 1 if last is None else self.floor_index(last)
        if lo <= hi:
            mask[lo : hi + 1] = True
        return mask

    def iso_week(self, index: int) -> str:
        """ISO week label (``2027-W05``) of working day ``index``."""
        year, week, _ = self.date(index).isocalendar()
        return f"{year}-W{week:02d}"
