"""Deadline policy: how long each timed stage may take, by urgency (DESIGN §4).

Durations are either plain minutes or working days. Working-day arithmetic is delegated to a
`WorkingCalendar`; until the working-time calendar lands, `CalendarDays` counts a working day as 24 h.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

STAGES = ("triage", "report_in", "resolve", "evaluation")
URGENCIES = ("emergency", "urgent", "normal")


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: str  # "minutes" | "working_days"


class WorkingCalendar(Protocol):
    def add(self, start: datetime, duration: Duration) -> datetime: ...


class CalendarDays:
    """Calendar time: a working day counts as 24 hours."""

    def add(self, start: datetime, duration: Duration) -> datetime:
        minutes = duration.amount * (1440 if duration.unit == "working_days" else 1)
        return start + timedelta(minutes=minutes)


class DeadlinePolicy:
    def __init__(self, table: dict[tuple[str, str, bool], Duration]):
        self._table = table

    def duration(self, stage: str, urgency: str, complex_category: bool = False) -> Duration:
        return self._table[(stage, urgency, complex_category)]

    def due(self, stage: str, urgency: str, start: datetime, calendar: WorkingCalendar,
            complex_category: bool = False) -> datetime:
        return calendar.add(start, self.duration(stage, urgency, complex_category))
