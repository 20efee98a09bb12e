"""At start, the timers of every open case are started again (moto's Step Functions keeps nothing on disk).

A case needs the timers its current state calls for (chalicelib/services/timers.py), each with its planned
notices; they are started exactly as the outbox starts them after a change (same execution name, same input).
A notice whose moment passed while the stack was stopped is sent as soon as its execution starts (a Wait for a
time in the past ends at once), so a deadline that fell while nobody was watching fires right after start; a
notice that was already handled before the stop is recognised by its key stored with the case and changes
nothing (chalicelib/services/deadlines.py).
"""
from __future__ import annotations

from chalicelib.domain.vocabulary import OPEN_STATUSES


def open_cases() -> list:
    """Every open case (a whole-table read: the local stage only, once at start)."""
    from chalicelib.adapters.case_repository import case_from_item
    from chalicelib.adapters.models import CaseItem
    return [case_from_item(item) for item in CaseItem.scan(CaseItem.status.is_in(*OPEN_STATUSES))]


def rearm(config) -> int:
    """Start the timers every open case needs; returns how many."""
    from chalicelib.adapters.outbox import AwsCarrier
    from chalicelib.services import timers
    from chalicelib.services.effects import START_TIMER, Effect
    started, carrier = 0, AwsCarrier()
    for case in open_cases():
        for name, timer in timers.needed(case).items():
            carrier.start_timer(Effect(START_TIMER, {"name": name, "input": timers.execution_input(timer, case, config)}))
            started += 1
    return started
