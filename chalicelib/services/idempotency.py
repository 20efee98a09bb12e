"""Idempotent API writes: the idempotency record commits in the write's own transaction."""
from __future__ import annotations

import hashlib
import json
from typing import Callable

from chalicelib.domain.errors import Invalid
from chalicelib.domain.roles import Principal
from chalicelib.services.unit_of_work import AbstractUnitOfWork, DuplicateRequest, IdempotencyRecord


class IdempotencyKeyReused(Invalid):
    code = "idempotency_key_reused"


def once(uow: AbstractUnitOfWork, p: Principal, operation: str, key: str | None, payload: dict,
         run: Callable[[], dict], case_ids: tuple[str, ...] = ()) -> dict:
    """Run a write once per (user, operation, key): a retry returns the first result.

    The cases in `case_ids` are read together with the record (one round trip) into `uow.cases.seen`.
    `run` must end with `commit_with_result(uow, result)` so the record joins the write's transaction.
    A twin request that commits first makes ours fail on the record's condition: we replay its result.
    """
    full_key = f"{p.user_id}#{operation}#{key}" if key else None
    existing = uow.load(list(case_ids), full_key)
    if not key:
        return run()
    request_hash = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()

    def replay(record: IdempotencyRecord) -> dict:
        if record.request_hash != request_hash:
            raise IdempotencyKeyReused("this Idempotency-Key was used for a different request",
                                       field="Idempotency-Key")
        return record.result

    if existing:
        return replay(existing)
    uow.pending_idempotency = (full_key, request_hash)
    try:
        return run()
    except DuplicateRequest:
        return replay(uow.find_idempotency(full_key))


def commit_with_result(uow: AbstractUnitOfWork, result: dict) -> dict:
    pending = uow.pending_idempotency
    if pending:
        uow.record_idempotency(IdempotencyRecord(pending[0], pending[1], result))
    uow.commit()
    return result
