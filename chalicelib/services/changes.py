"""What every change to a case brings along in its transaction: outbox effects and counter increments."""
from chalicelib.domain import aggregates
from chalicelib.domain.case import Case
from chalicelib.services import effects
from chalicelib.services.unit_of_work import AbstractUnitOfWork


def record(uow: AbstractUnitOfWork, case: Case, timers_before: dict, config) -> None:
    """Call after the domain changed `case` and before the commit."""
    uow.add_effects(effects.for_change(case, timers_before, case.new_entries, config))
    uow.add_increments([inc for entry in case.new_entries
                        for inc in aggregates.for_entry(case, entry, config.timezone)])
