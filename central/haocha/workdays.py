"""Working days in mainland China: statutory holidays and 调休 weekend workdays.

Uses the `holidays` package (python-holidays: China with the State Council's substituted days,
kept current; `chinesecalendar` 1.11 stops at 2026). A year whose 调休 arrangement the package
does not hold yet (announced each November for the next year) still gets its statutory holidays
and weekends, and is reported as unconfirmed so staff know a deadline may shift; operators can
add days with `extra_holidays` / `extra_workdays` until the package catches up.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays

log = logging.getLogger(__name__)


class WorkCalendar:
    """Is a day a working day; the Nth working day after a day."""

    def __init__(
        self, extra_holidays: Iterable[date] = (), extra_workdays: Iterable[date] = ()
    ) -> None:
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_workdays = frozenset(extra_workdays)

    @staticmethod
    @lru_cache(maxsize=64)
    def _year(year: int) -> holidays.HolidayBase:
        return holidays.China(years=year)

    def confirmed(self, year: int) -> bool:
        """Whether the package holds that year's official 调休 arrangement."""
        cal = self._year(year)
        return any(d.year == year for d in getattr(cal, "weekend_workdays", ())) or any(
            d.year == year for d in self.extra_workdays
        )

    def is_working_day(self, day: date) -> bool:
        """A weekday that is not a holiday, or a weekend made a workday (调休)."""
        if day in self.extra_holidays:
            return False
        if day in self.extra_workdays:
            return True
        return bool(self._year(day.year).is_working_day(day))

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (start itself not counted); n ≥ 1."""
        if n < 1:
            raise ValueError("n must be ≥ 1")
        day, left = start, n
        while left:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        if not self.confirmed(day.year):
            log.warning(
                "deadline %s falls in %d, whose 调休 arrangement the holiday calendar "
                "does not hold yet",
                day.isoformat(),
                day.year,
            )
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]."""
        n, day = 0, start
        while day < end:
            day += timedelta(days=1)
            n += self.is_working_day(day)
        return n
