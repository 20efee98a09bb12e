"""Every write is one command handled here: one read, a decision, one transaction, then its effects.

The handler owns what every write shares. It reads once (what the command preloads, with its idempotency
record), replays the first answer to a request repeated with the same Idempotency-Key, lets the command decide
(change cases, households, counters... inside the unit of work), commits the decision and the idempotency
record as one transaction, and then has the unit of work carry out the committed effects (timers, notifications)
through the outbox. A decision never commits: the unit of work refuses to while it decides. A twin request that
commits first makes ours fail on the record's condition: we replay its answer. A sequence number (a case number)
taken by a concurrent write between our read and our commit: the whole command is read and decided again.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Callable, TypeVar

from chalicelib.domain.errors import Invalid
from chalicelib.domain.roles import Principal
from chalicelib.services.unit_of_work import (AbstractUnitOfWork, DuplicateRequest, IdempotencyRecord, Preload,
                                              SequenceTaken)

Result = TypeVar("Result")
SEQUENCE_ATTEMPTS = 5   # writes that lose a sequence number (a case number) to a concurrent one read again; bounded


class IdempotencyKeyReused(Invalid):
    code = "idempotency_key_reused"


@dataclass(frozen=True)
class Command:
    """One write: its name (with the caller and the key, the idempotency record's key), what a retry must repeat,
    the caller's Idempotency-Key, and what its one read fetches."""
    operation: str
    payload: dict = field(default_factory=dict)
    key: str | None = None
    reads: Preload = field(default_factory=Preload)


def handle(uow: AbstractUnitOfWork, p: Principal | None, command: Command, decide: Callable[[], Result]) -> Result:
    """Run `decide` once per (caller, operation, key) over one read and one transaction; a retry with the same key
    answers the first result. `decide` changes what the unit of work read and returns the answer."""
    record_key = f"{p.user_id}#{command.operation}#{command.key}" if command.key else None
    request_hash = hashlib.sha256(json.dumps(command.payload, sort_keys=True, default=str).encode()).hexdigest()

    def replay(record: IdempotencyRecord | None):
        if record is None:
            raise RuntimeError(f"the twin of {record_key} committed but its record is gone")
        if record.request_hash != request_hash:
            raise IdempotencyKeyReused("this Idempotency-Key was used for a different request", field="Idempotency-Key")
        return record.result

    for attempt in range(SEQUENCE_ATTEMPTS):
        with uow:
            uow.preload(command.reads)
            existing = uow.load(record_key)
            if existing:
                return replay(existing)
            uow.deciding = True
            try:
                result = decide()
            finally:
                uow.deciding = False
            if record_key:
                uow.record_idempotency(IdempotencyRecord(record_key, request_hash, result))
            try:
                if uow.has_changes():
                    uow.commit()
            except DuplicateRequest:
                return replay(uow.find_idempotency(record_key))
            except SequenceTaken:
                if attempt == SEQUENCE_ATTEMPTS - 1:
                    raise   # 409: still contended after every attempt; the client retries with its key
                continue
        uow.carry_out_effects()
        return result
    raise AssertionError("unreachable: the last attempt returns or raises")
