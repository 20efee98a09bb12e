"""The Open311 API keys as the administrator lists them: what each is for, by whom, when, revoked or not. Never
the secret's hash. A page is one Query of the `listed` index (every key in one partition, newest first)."""
from __future__ import annotations

from chalicelib.adapters.models import LISTED, ApiKeyItem
from chalicelib.adapters.paging import one_page


class DynamoApiKeys:
    def page(self, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        items, next_cursor, _ = one_page(lambda last: ApiKeyItem.listed.query(LISTED, scan_index_forward=False, page_size=limit,
                                                 last_evaluated_key=last),
                                         "api-keys", cursor)
        keys = [ApiKeyItem.from_raw_data(item) for item in items]
        return [{"key_id": k.key_id, "name": k.name, "created_by": k.created_by, "created_at": k.created_at,
                 "revoked": bool(k.revoked)} for k in keys], next_cursor
