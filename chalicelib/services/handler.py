"""Every write is one command handled here: the unit of work runs it (one read, the decision, one transaction
with its idempotency record), then the dispatcher carries out the effects that transaction committed."""
from __future__ import annotations

from typing import Callable, TypeVar

from chalicelib.domain.roles import Principal
from chalicelib.services import dispatcher
from chalicelib.services.unit_of_work import AbstractUnitOfWork, Command

__all__ = ["Command", "handle"]   # a command is made and handled in one place
Result = TypeVar("Result")


def handle(uow: AbstractUnitOfWork, p: Principal | None, command: Command, decide: Callable[[], Result]) -> Result:
    """Run `decide` once per (caller, operation, key); a retry with the same key answers the first result."""
    result, effects = uow.execute(p, command, decide)
    dispatcher.dispatch(effects, uow.carrier)
    return result
