"""Talking to DynamoDB: the one connection, batch reads, transactions, and the one way to do requests in parallel."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from pynamodb.connection import Connection

from chalicelib import settings

_connection: Connection | None = None


def connection() -> Connection:
    """One connection per container (lazy, reused across invocations)."""
    global _connection
    if _connection is None:
        _connection = Connection(region=settings.REGION)
    return _connection


def batch_get(request: dict, client=None) -> dict[str, list]:
    """One BatchGetItem (items by table); repeated only for the keys DynamoDB left unprocessed."""
    client = client or connection().client
    found: dict[str, list] = {}
    while request:
        answer = client.batch_get_item(RequestItems=request)
        for table, items in answer.get("Responses", {}).items():
            found.setdefault(table, []).extend(items)
        request = answer.get("UnprocessedKeys") or {}
    return found


def transact(puts: list[dict], updates: list[dict]) -> None:
    """One TransactWriteItems attempt, under a ClientRequestToken of its own.

    If the answer to a committed transaction is lost (a timeout, a dropped connection), botocore sends the same
    request again with the same token, and DynamoDB answers it with the first answer and writes nothing again
    (for 10 minutes). Each attempt of ours is a new transaction -- e.g. rebuilt with the next case number --
    so it gets a new token: the same token with other items is refused (IdempotentParameterMismatch).
    """
    connection().transact_write_items([], [], puts, updates, client_request_token=str(uuid.uuid4()))


def cancellation_reasons(error) -> list[str | None]:
    """The code of each item of a cancelled transaction (None where that item was fine), in request order."""
    return [getattr(r, "code", None) if r else None for r in (error.cancellation_reasons or [])]


def chunks(keys: list, size: int = 100) -> list[list]:
    """The distinct keys in BatchGetItem-sized lists (at most 100 keys per request)."""
    unique = list(dict.fromkeys(keys))
    return [unique[start:start + size] for start in range(0, len(unique), size)]


def in_parallel(fn, tasks: list, width: int = 8) -> list:
    """fn over tasks, up to `width` at once: one round trip of latency when each task is one request."""
    if len(tasks) <= 1:
        return [fn(t) for t in tasks]
    with ThreadPoolExecutor(max_workers=min(width, len(tasks))) as pool:
        return list(pool.map(fn, tasks))
