"""Which days a deployment works: county hours + China's statutory calendar.

`build_working_calendar(calendar_spec)` builds the `chalicelib.domain.working_time.WorkingCalendar` of a county's
`calendar:` block; the deployment builds its own once (`Deployment.calendar`).

Which dates are worked (`CountyWorkdays`), first rule that applies:

1. a date in the config's ``calendar.workdays`` is worked;
2. a date in the config's ``calendar.holidays`` is not;
3. in a year the ``chinesecalendar`` package covers: a statutory holiday (including the weekend days
   inside a holiday span) is not worked, a make-up working day (调休上班, usually a weekend day) is worked;
4. any other day is an ordinary day and is worked if the county keeps working hours on that weekday.
   For a county with Monday-Friday hours this is exactly ``chinese_calendar.is_workday``; a county that
   also keeps Saturday hours works ordinary Saturdays but not those inside a statutory holiday.

``chinesecalendar`` 1.11 knows 2004-2026 only and raises ``NotImplementedError`` for other years. For a
year it does not cover, rule 3 is skipped: the calendar falls back to the county's weekly hours
(Monday-Friday for a standard county) plus the config's own holiday and make-up-day lists, logs a warning
once per year and calls the ``on_fallback(year)`` hook (by default the one `report_fallbacks_with` set: the
entrypoints emit a metric with it). A deadline computation never raises because of an uncovered year.

The config's ``holidays`` and ``workdays`` lists are how a county carries the next year's official State
Council holiday schedule (国务院办公厅关于部分节假日安排的通知, usually published in November or December)
before a ``chinesecalendar`` release knows it: list that year's statutory days off under ``holidays`` and its
make-up working days under ``workdays``. They also carry regional days off such as Xinjiang's Eid al-Fitr
(肉孜节) and Corban (古尔邦节).
"""
from __future__ import annotations

import logging
from datetime import date, time, timedelta
from typing import Callable, Iterable
from zoneinfo import ZoneInfo

import chinese_calendar

from chalicelib.domain.drill_time import DrillCalendar
from chalicelib.domain.working_time import WorkingCalendar

logger = logging.getLogger(__name__)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

FallbackHook = Callable[[int], None]


def parse_periods(working_hours) -> dict[int, list[tuple[time, time]]]:
    """`WorkingHoursSpec` (mon..sun lists of 'HH:MM-HH:MM') -> {0 (Monday)..6: [(start, end), ...]}."""
    periods: dict[int, list[tuple[time, time]]] = {}
    for weekday, name in enumerate(WEEKDAYS):
        spans = []
        for period in getattr(working_hours, name):
            start, _, end = period.partition("-")
            spans.append((time.fromisoformat(start), time.fromisoformat(end)))
        periods[weekday] = spans
    return periods


class CountyWorkdays:
    """The workday predicate of one deployment (see the module docstring for the rules)."""

    def __init__(self, holidays: Iterable[date], workdays: Iterable[date], working_weekdays: Iterable[int],
                 on_fallback: FallbackHook | None = None):
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)
        self.working_weekdays = frozenset(working_weekdays)
        self.on_fallback = on_fallback
        self._fallback_years: set[int] = set()

    def __call__(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        try:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            self._fell_back(day.year)
        else:
            if name is not None:          # a statutory holiday, or a make-up working day
                return not on_holiday
        return day.weekday() in self.working_weekdays

    def _fell_back(self, year: int) -> None:
        if year in self._fallback_years:
            return
        self._fallback_years.add(year)
        logger.warning("chinesecalendar has no data for %s: working days fall back to the county's weekly "
                       "hours plus the config's holidays/workdays; add %s's official schedule to the county "
                       "config", year, year)
        if self.on_fallback is not None:
            try:
                self.on_fallback(year)
            except Exception:  # a metric hook must never break a deadline computation
                logger.exception("calendar fallback hook failed for %s", year)


_default_hook: list[FallbackHook | None] = [None]


def report_fallbacks_with(hook: FallbackHook) -> None:
    """The hook a calendar built without one calls (the entrypoints emit a metric with it)."""
    _default_hook[0] = hook


def _report_fallback(year: int) -> None:
    if _default_hook[0] is not None:
        _default_hook[0](year)


def build_working_calendar(calendar_spec, on_fallback: FallbackHook | None = None) -> WorkingCalendar:
    """A `WorkingCalendar` from a `CalendarSpec`; without `on_fallback`, the hook `report_fallbacks_with` set
    (looked up when a year falls back, so a hook set after the calendar was built is used too)."""
    periods = parse_periods(calendar_spec.working_hours)
    predicate = CountyWorkdays(calendar_spec.holidays, calendar_spec.workdays,
                               [w for w, spans in periods.items() if spans], on_fallback or _report_fallback)
    return WorkingCalendar(ZoneInfo(calendar_spec.timezone), periods, predicate)


_drill: list[timedelta | None] = [None]


def run_as_drill(working_day: timedelta | None) -> None:
    """Deadline drills (the local runtime only): every deadline in compressed time, one working day lasting
    `working_day` (chalicelib/domain/drill_time.py); None ends the drill."""
    _drill[0] = working_day


def in_effect(calendar: WorkingCalendar) -> WorkingCalendar | DrillCalendar:
    """The calendar deadlines are computed on: the county's, or during a drill the compressed calendar of the
    same standard working day."""
    if _drill[0] is not None:
        return DrillCalendar(calendar.standard_day_minutes, _drill[0])
    return calendar
