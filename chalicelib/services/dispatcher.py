"""The dispatcher: after a commit, each committed effect goes to its kind's carrier (a timer started or stopped,
a notification queued); the outbox then marks done what succeeded. What failed stays pending and the relay
hands it to this same dispatcher later, so a crash between the commit and its effects loses nothing. Carrying an
effect out twice has one result (timers have deterministic names, notifications are deduplicated by effect id).
"""
from __future__ import annotations

import abc
import logging
from typing import Callable

from chalicelib.services.effects import NOTIFY, START_TIMER, STOP_TIMER, Effect

log = logging.getLogger("gridloop.dispatcher")


class EffectCarrier(abc.ABC):
    """Where effects go (AWS in the adapters, a list in the unit tests)."""

    @abc.abstractmethod
    def start_timer(self, effect: Effect) -> None: ...

    @abc.abstractmethod
    def stop_timer(self, effect: Effect) -> None: ...

    @abc.abstractmethod
    def notify(self, effect: Effect) -> None: ...

    def each(self, function: Callable[[Effect], Effect | None], effects: list[Effect]) -> list[Effect | None]:
        """Apply `function` to every effect (a carrier may do it in parallel)."""
        return [function(e) for e in effects]

    @abc.abstractmethod
    def mark_done(self, tried: list[Effect], done: list[Effect]) -> None:
        """Record in the outbox which of the tried effects are done (the rest stay pending for the relay)."""


ROUTES: dict[str, Callable[[EffectCarrier, Effect], None]] = {   # each kind of effect to its carrier's method
    START_TIMER: lambda carrier, effect: carrier.start_timer(effect),
    STOP_TIMER: lambda carrier, effect: carrier.stop_timer(effect),
    NOTIFY: lambda carrier, effect: carrier.notify(effect),
}


def dispatch(effects: list[Effect], carrier: EffectCarrier) -> list[Effect]:
    """Carry out effects committed together; returns those done. A failure is logged and left to the relay."""
    if not effects:
        return []

    def attempt(effect: Effect) -> Effect | None:
        try:
            ROUTES[effect.kind](carrier, effect)
            return effect
        except Exception:
            log.warning("effect %s (%s) failed; the relay will retry it", effect.id, effect.kind, exc_info=True)
            return None

    done = [e for e in carrier.each(attempt, effects) if e is not None]
    carrier.mark_done(effects, done)
    return done
