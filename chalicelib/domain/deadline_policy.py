"""Deadline policy: how long each timed stage may take, by urgency.

Durations are calendar minutes, working minutes or working days. Working-time arithmetic is delegated to a
`WorkingCalendar` (`chalicelib.domain.working_time.WorkingCalendar`, built for a deployment from its
calendar by `chalicelib.domain.workdays`).
"""
from datetime import datetime
from typing import NamedTuple, Protocol

UNITS = ("minutes", "working_minutes", "working_days")
WARNING_FRACTION = 0.75


class Duration(NamedTuple):
    """An allowance for a stage: an amount of calendar minutes, working minutes or working days."""
    amount: int
    unit: str  # "minutes" (calendar) | "working_minutes" | "working_days"


class WorkingCalendar(Protocol):
    def add(self, start: datetime, duration: Duration) -> datetime: ...

    def warning_at(self, start: datetime, duration: Duration, fraction: float = WARNING_FRACTION) -> datetime: ...


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
