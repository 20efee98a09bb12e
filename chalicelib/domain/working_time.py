"""Working-time arithmetic for deadlines. Pure Python: the workday predicate is injected.

A `WorkingCalendar` knows, per weekday, the county's working periods in local wall-clock time (the gap
between two periods is the lunch break) and asks an injected `is_workday(date)` whether a date is worked
at all (statutory holidays, make-up days and county overrides live behind that predicate, see
`chalicelib.domain.workdays`).

Units of a `Duration`:

- ``"minutes"``: calendar minutes, a plain ``timedelta``.
- ``"working_minutes"``: minutes counted only inside working periods of days that are workdays.
- ``"working_days"``: N x the minutes of one *standard working day*, counted as working minutes.

The standard working day is Monday's periods (if Monday has none: the first weekday, Monday to Sunday, that
has periods). A workday whose own weekday has no periods (in practice a make-up working day, 调休上班, that
falls on a weekend) is worked with the standard day's periods.

Counting starts at `start`, or at the next period start if `start` lies outside working time. A deadline
whose count runs out exactly at a period end stays at that period end; it does not roll to the next
morning. All arithmetic is done period by period on aware datetimes, converted through `zoneinfo`, so it is
also correct in zones with daylight-saving time (a period's length is its real elapsed time).
"""
from __future__ import annotations

import functools
from datetime import date, datetime, time, timedelta, timezone
from fractions import Fraction
from typing import Callable, Iterator, NamedTuple
from zoneinfo import ZoneInfo

from chalicelib.domain.deadline_policy import WARNING_FRACTION, Duration

UTC = timezone.utc
MINUTE = timedelta(minutes=1)
# How many consecutive days without any working time we search before deciding the calendar has none.
MAX_IDLE_DAYS = 3 * 366
_DAY_CACHE_SIZE = 4096

Period = tuple[time, time]


class _Interval(NamedTuple):
    """A span of working time, both ends aware UTC."""
    start: datetime  # aware UTC
    end: datetime    # aware UTC


def _normalise_periods(periods: dict[int, list[Period]]) -> dict[int, tuple[Period, ...]]:
    out: dict[int, tuple[Period, ...]] = {}
    for weekday, spans in periods.items():
        if weekday not in range(7):
            raise ValueError(f"weekday {weekday} is not 0 (Monday) .. 6 (Sunday)")
        if any(start.tzinfo is not None or end.tzinfo is not None for start, end in spans):
            raise ValueError("periods are local wall-clock times without tzinfo")
        ordered = tuple(sorted(spans))
        for start, end in ordered:
            if start >= end:
                raise ValueError(f"period {start}-{end} must start before it ends")
        for (_, end), (start, _) in zip(ordered, ordered[1:]):
            if start < end:
                raise ValueError(f"periods overlap on weekday {weekday}")
        out[weekday] = ordered
    return {weekday: out.get(weekday, ()) for weekday in range(7)}


def _minutes(period: Period) -> int:
    start, end = period
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def _floor_fraction(total: int, fraction: float) -> int:
    """floor(total x fraction) without binary floating-point surprises (0.29 x 100 is 29, not 28)."""
    numerator, denominator = _exact(fraction)
    return (total * numerator) // denominator


@functools.lru_cache(maxsize=16)
def _exact(fraction: float) -> tuple[int, int]:
    """The fraction as the ratio of integers it was written as (a list computes a warning for every case)."""
    ratio = Fraction(fraction).limit_denominator(10**6)
    return ratio.numerator, ratio.denominator


WARNINGS_KEPT = 10_000   # warning moments a calendar keeps (about 2 MB)


class WorkingCalendar:
    """Implements the `WorkingCalendar` protocol of `chalicelib.domain.deadline_policy`."""

    def __init__(self, timezone: ZoneInfo, periods: dict[int, list[Period]],
                 is_workday: Callable[[date], bool]):
        self.timezone = timezone
        self.periods = _normalise_periods(periods)
        self.is_workday = is_workday
        standard = next((self.periods[w] for w in range(7) if self.periods[w]), None)
        if standard is None:
            raise ValueError("a working calendar needs working periods on at least one weekday")
        self.standard_periods: tuple[Period, ...] = standard
        self.standard_day_minutes: int = sum(_minutes(p) for p in standard)
        self._days: dict[date, tuple[_Interval, ...]] = {}
        self._warnings: dict[tuple[datetime, Duration, float], datetime] = {}

    # -- the protocol ----------------------------------------------------------------------------------
    def add(self, start: datetime, duration: Duration) -> datetime:
        """The instant (aware UTC) at which `duration`, counted from `start` (aware), has elapsed."""
        start = self._utc(start)
        if duration.unit == "minutes":
            self._non_negative(duration.amount)
            return start + timedelta(minutes=duration.amount)
        return self._add_working(start, timedelta(minutes=self.working_minutes(duration)))

    def warning_at(self, start: datetime, duration: Duration, fraction: float = WARNING_FRACTION) -> datetime:
        """When `fraction` of `duration` has elapsed, in the duration's own basis, in whole minutes (down).

        Calendar durations: start + floor(fraction x minutes) minutes. Working durations:
        floor(fraction x working minutes) working minutes counted from `start` in working time.
        Kept once computed (at most WARNINGS_KEPT): every list shows each of its cases' warnings, and a screen
        polls the same cases all day.
        """
        key = (start, duration, fraction)
        found = self._warnings.get(key)
        if found is None:
            if len(self._warnings) >= WARNINGS_KEPT:
                self._warnings.clear()
            found = self._warnings[key] = self._warning_at(start, duration, fraction)
        return found

    def _warning_at(self, start: datetime, duration: Duration, fraction: float) -> datetime:
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        start = self._utc(start)
        if duration.unit == "minutes":
            self._non_negative(duration.amount)
            return start + timedelta(minutes=_floor_fraction(duration.amount, fraction))
        part = _floor_fraction(self.working_minutes(duration), fraction)
        return self._add_working(start, timedelta(minutes=part))

    # -- helpers ---------------------------------------------------------------------------------------
    def working_minutes(self, duration: Duration) -> int:
        """The length of a working-time duration in working minutes."""
        self._non_negative(duration.amount)
        if duration.unit == "working_minutes":
            return duration.amount
        if duration.unit == "working_days":
            return duration.amount * self.standard_day_minutes
        raise ValueError(f"'{duration.unit}' is not a working-time unit")

    def working_minutes_between(self, a: datetime, b: datetime) -> int:
        """Whole working minutes (rounded down) inside [a, b); negative if b is before a."""
        a, b = self._utc(a), self._utc(b)
        if b < a:
            return -self.working_minutes_between(b, a)
        total = timedelta(0)
        for interval in self._intervals(a, until=b):
            lo, hi = max(interval.start, a), min(interval.end, b)
            if hi > lo:
                total += hi - lo
        return total // MINUTE

    def is_working_time(self, instant: datetime) -> bool:
        """True if `instant` lies inside a working period (start included, end excluded)."""
        instant = self._utc(instant)
        local_day = instant.astimezone(self.timezone).date()
        return any(i.start <= instant < i.end for i in self._day(local_day))

    def _add_working(self, start: datetime, remaining: timedelta) -> datetime:
        if remaining <= timedelta(0):
            return start
        for interval in self._intervals(start):
            lo = max(interval.start, start)
            if lo >= interval.end:
                continue
            available = interval.end - lo
            if remaining <= available:
                return lo + remaining
            remaining -= available
        raise AssertionError("unreachable: _intervals is unbounded or raises")  # pragma: no cover

    def _intervals(self, start: datetime, until: datetime | None = None) -> Iterator[_Interval]:
        """Working intervals of the days from `start`'s local date on, in order.

        Without `until` the walk is unbounded but raises ValueError after MAX_IDLE_DAYS days in a row
        without working time (a calendar whose predicate never yields a workday).
        """
        day = start.astimezone(self.timezone).date()
        last = until.astimezone(self.timezone).date() if until is not None else None
        idle = 0
        while last is None or day <= last:
            intervals = self._day(day)
            if intervals:
                idle = 0
                yield from intervals
            else:
                idle += 1
                if last is None and idle > MAX_IDLE_DAYS:
                    raise ValueError(f"no working time within {MAX_IDLE_DAYS} days after {start.isoformat()}")
            day += timedelta(days=1)

    def _day(self, day: date) -> tuple[_Interval, ...]:
        cached = self._days.get(day)
        if cached is not None:
            return cached
        if self.is_workday(day):
            spans = self.periods[day.weekday()] or self.standard_periods
        else:
            spans = ()
        intervals = []
        for s, e in spans:
            lo = datetime.combine(day, s, tzinfo=self.timezone).astimezone(UTC)
            hi = datetime.combine(day, e, tzinfo=self.timezone).astimezone(UTC)
            if hi > lo:  # a period swallowed by a DST gap has no working time
                intervals.append(_Interval(lo, hi))
        result = tuple(intervals)
        if len(self._days) >= _DAY_CACHE_SIZE:
            self._days.clear()
        self._days[day] = result
        return result

    @staticmethod
    def _utc(instant: datetime) -> datetime:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError("working-time arithmetic needs timezone-aware datetimes")
        return instant.astimezone(UTC)

    @staticmethod
    def _non_negative(amount: int) -> None:
        if amount < 0:
            raise ValueError("a duration cannot be negative")
