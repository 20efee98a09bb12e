"""The access log of unmasked personal-data reads (one item per read), and its pages for the administrator.

Newest first. A case's reads are one Query of the table; the whole log is read a month at a time from the
`by-month` index, walking back from the window's end: one call reads at most `MAX_QUERIES` pages of DynamoDB,
and its cursor says where the next call goes on (the month and the key DynamoDB stopped at).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ulid import ULID

from chalicelib.adapters.models import AccessLogItem
from chalicelib.domain.times import parse_iso
from chalicelib.adapters.paging import decode_cursor, encode_cursor, first_page

MAX_QUERIES = 6     # DynamoDB requests one page may take (months without reads, reads filtered out by user)


def month_of(at: str) -> str:
    return at[:7]


def _id_at(moment: datetime, last: bool = False) -> str:
    """The smallest (or greatest) ULID of that millisecond: entry ids sort by when the read happened."""
    millis = int(moment.timestamp() * 1000)
    return str(ULID.from_bytes(millis.to_bytes(6, "big") + (b"\xff" if last else b"\x00") * 10))


def _previous_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"


def _entry(item: AccessLogItem) -> dict:
    return {"entry_id": item.entry_id, "case_id": item.case_id, "user_id": item.user_id, "role": item.role,
            "at": item.at, "purpose": item.purpose}


class DynamoAccessLog:
    def record(self, *, case_id: str, user_id: str, role: str, at: str, purpose: str) -> None:
        entry_id = str(ULID.from_datetime(parse_iso(at)))     # sorts by the read's time
        AccessLogItem(case_id, entry_id, user_id=user_id, role=role, at=at, purpose=purpose,
                      month=month_of(at)).save()

    def reads_of(self, case_id: str) -> list[dict]:
        return [{"user_id": i.user_id, "role": i.role, "at": i.at, "purpose": i.purpose}
                for i in AccessLogItem.query(case_id)]

    def page(self, *, since: datetime, until: datetime, case_id: str | None, user_id: str | None, limit: int,
             cursor: str | None) -> tuple[list[dict], str | None]:
        """Reads from `since` (inclusive) to `until` (exclusive), newest first, optionally of one case or by one
        person: at most `limit`, and the next page's cursor (None at the end)."""
        fingerprint = f"access-log:{since.isoformat()}:{until.isoformat()}:{case_id}:{user_id}"
        state = decode_cursor(cursor, fingerprint) if cursor else {"f": fingerprint}
        condition = AccessLogItem.entry_id.between(_id_at(since), _id_at(until - timedelta(milliseconds=1), last=True))
        only_user = (AccessLogItem.user_id == user_id) if user_id else None
        first_month = month_of(since.astimezone(timezone.utc).isoformat())
        month = state.get("m") or month_of(until.astimezone(timezone.utc).isoformat())
        last_key, found = state.get("k"), []
        for _ in range(MAX_QUERIES):
            size = limit - len(found)
            if case_id:
                query = AccessLogItem.query(case_id, condition, filter_condition=only_user, scan_index_forward=False,
                                            page_size=size, last_evaluated_key=last_key)
            else:
                query = AccessLogItem.by_month.query(month, condition, filter_condition=only_user,
                                                     scan_index_forward=False, page_size=size,
                                                     last_evaluated_key=last_key)
            raw = first_page(query)      # exactly one Query request
            found += [_entry(AccessLogItem.from_raw_data(item)) for item in raw.get("Items", [])]
            last_key = raw.get("LastEvaluatedKey")
            if last_key is None:
                if case_id or month <= first_month:
                    return found, None
                month = _previous_month(month)
            if len(found) >= limit:
                break
        return found, encode_cursor({"f": fingerprint, "m": month, "k": last_key})
