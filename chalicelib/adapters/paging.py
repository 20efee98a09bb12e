"""Pages of a DynamoDB Query: opaque cursors, and the one loop that reads a page from where a cursor left off."""
from __future__ import annotations

import base64
import json
from typing import Callable

from chalicelib.domain.errors import Invalid


def encode_cursor(payload: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, fingerprint: str) -> dict:
    """The cursor's state; refused unless it was made for the list `fingerprint` names."""
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(payload, dict) or payload.get("f") != fingerprint:
            raise ValueError
        return payload
    except ValueError:
        raise Invalid("the cursor does not belong to this list or is damaged", field="cursor") from None


def first_page(results) -> dict:
    """The first page of a PynamoDB query's results: exactly one Query request."""
    return next(results.page_iter)


def one_page(query: Callable[[dict | None], object], fingerprint: str, cursor: str | None) -> tuple[list, str | None, int]:
    """One Query request, from where `cursor` left off: the raw items, the next page's cursor (None at the end) and
    how many items DynamoDB read. `query(last_evaluated_key)` is the PynamoDB query to page."""
    state = decode_cursor(cursor, fingerprint) if cursor else {"f": fingerprint}
    raw = first_page(query(state.get("k")))
    last = raw.get("LastEvaluatedKey")
    return raw.get("Items", []), encode_cursor({"f": fingerprint, "k": last}) if last else None, raw.get("ScannedCount", 0)
