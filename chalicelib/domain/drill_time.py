"""Compressed time for deadline drills on the local stage: watch a warning and an escalation within minutes.

A `DrillCalendar` counts every deadline in wall-clock seconds, continuously (no working hours, no days off),
at a fixed speed: one standard working day of the county (its `WorkingCalendar.standard_day_minutes`) lasts
`working_day` of real time, and every other duration shrinks by the same factor. For a county with 8 working
hours a day and a one-minute working day, a speed of 480: report-in "1 working day" is due 60 s after dispatch
and warned at 45 s; "30 minutes" of calendar time lasts 3.75 s (rounded to whole seconds, at least 1 s,
because stored times have whole seconds).

Only the local runtime switches it on (`chalicelib.domain.workdays.run_as_drill`); a deployed stage never does.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from fractions import Fraction

from chalicelib.domain.deadline_policy import WARNING_FRACTION, Duration


class DrillCalendar:
    """Implements the `WorkingCalendar` protocol of `chalicelib.domain.deadline_policy` in compressed time."""

    def __init__(self, standard_day_minutes: int, working_day: timedelta):
        if standard_day_minutes <= 0 or working_day <= timedelta(0):
            raise ValueError("a drill needs a positive working day")
        self.standard_day_minutes = standard_day_minutes
        self.working_day = working_day

    def seconds(self, duration: Duration) -> Fraction:
        """The real seconds a duration lasts in the drill (exact)."""
        if duration.amount < 0:
            raise ValueError("a duration cannot be negative")
        minutes = duration.amount * (self.standard_day_minutes if duration.unit == "working_days" else 1)
        if duration.unit not in ("minutes", "working_minutes", "working_days"):
            raise ValueError(f"unknown unit {duration.unit!r}")
        return Fraction(minutes, self.standard_day_minutes) * Fraction(self.working_day.total_seconds())

    def add(self, start: datetime, duration: Duration) -> datetime:
        return self._after(start, self.seconds(duration))

    def warning_at(self, start: datetime, duration: Duration, fraction: float = WARNING_FRACTION) -> datetime:
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        return self._after(start, self.seconds(duration) * Fraction(fraction).limit_denominator(10**6))

    @staticmethod
    def _after(start: datetime, seconds: Fraction) -> datetime:
        if start.tzinfo is None:
            raise ValueError("instants must be timezone-aware")
        whole = max(1, math.floor(seconds)) if seconds > 0 else 0
        return start.astimezone(timezone.utc) + timedelta(seconds=whole)
