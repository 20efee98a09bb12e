"""Deadline policy: how long each timed stage may take, by urgency.

Durations are calendar minutes, working minutes or working days. Working-time arithmetic is delegated to a
`WorkingCalendar` (the real one is `chalicelib.domain.working_time.WorkingCalendar`, built for a deployment
by `chalicelib.services.calendar.working_calendar`). `CalendarDays` is the old stand-in that counts a
working day as 24 h; it stays until every caller has switched to the working-time calendar.
"""
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Protocol

STAGES = ("triage", "report_in", "resolve", "evaluation")
URGENCIES = ("emergency", "urgent", "normal")
UNITS = ("minutes", "working_minutes", "working_days")
WARNING_FRACTION = 0.75


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: str  # "minutes" (calendar) | "working_minutes" | "working_days"


class WorkingCalendar(Protocol):
    def add(self, start: datetime, duration: Duration) -> datetime: ...

    def warning_at(self, start: datetime, duration: Duration, fraction: float = WARNING_FRACTION) -> datetime: ...


class CalendarDays:
    """Calendar time: a working day counts as 24 hours, a working minute as a minute (stand-in)."""

    @staticmethod
    def _minutes(duration: Duration) -> int:
        return duration.amount * (1440 if duration.unit == "working_days" else 1)

    def add(self, start: datetime, duration: Duration) -> datetime:
        return start + timedelta(minutes=self._minutes(duration))

    def warning_at(self, start: datetime, duration: Duration, fraction: float = WARNING_FRACTION) -> datetime:
        part = math.floor(self._minutes(duration) * Fraction(fraction).limit_denominator(10**6))
        return start + timedelta(minutes=part)


class DeadlinePolicy:
    def __init__(self, table: dict[tuple[str, str, bool], Duration]):
        self._table = table

    def duration(self, stage: str, urgency: str, complex_category: bool = False) -> Duration:
        return self._table[(stage, urgency, complex_category)]

    def due(self, stage: str, urgency: str, start: datetime, calendar: WorkingCalendar,
            complex_category: bool = False) -> datetime:
        return calendar.add(start, self.duration(stage, urgency, complex_category))

    def warning(self, stage: str, urgency: str, start: datetime, calendar: WorkingCalendar,
                complex_category: bool = False, fraction: float = WARNING_FRACTION) -> datetime:
        """When the stage's warning goes out: `fraction` (75%) of its deadline, in the deadline's own basis."""
        return calendar.warning_at(start, self.duration(stage, urgency, complex_category), fraction)
