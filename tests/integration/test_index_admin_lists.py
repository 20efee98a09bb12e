"""admin/index_admin_lists.py on moto: access-log entries and Open311 keys written before the administrator's lists
existed (no `month`, no `listing`: written here by hand, as the older release stored them) are listed after it runs;
a second run changes nothing, and what the API writes meanwhile is left as it is."""
from datetime import datetime, timezone

from ulid import ULID

from admin.index_admin_lists import index_all
from chalicelib.adapters.access_log import DynamoAccessLog
from chalicelib.adapters.api_keys import DynamoApiKeys
from chalicelib.adapters.models import AccessLogItem, ApiKeyItem

JUNE, JULY = datetime(2026, 6, 1, tzinfo=timezone.utc), datetime(2026, 8, 1, tzinfo=timezone.utc)
READ_IN_JUNE = str(ULID.from_datetime(datetime(2026, 6, 20, 3, tzinfo=timezone.utc)))   # entry ids sort by time
READ_IN_JULY = str(ULID.from_datetime(datetime(2026, 7, 22, 3, tzinfo=timezone.utc)))


def listed_reads() -> list[tuple[str, str]]:
    items, _ = DynamoAccessLog().page(since=JUNE, until=JULY, case_id=None, user_id=None, limit=50, cursor=None)
    return [(i["case_id"], i["at"]) for i in items]


def listed_keys() -> list[str]:
    return [k["name"] for k in DynamoApiKeys().page(50, None)[0]]


def test_old_reads_and_keys_are_listed_after_the_run_and_a_second_run_changes_nothing(tables):
    AccessLogItem("01CASE", READ_IN_JUNE, user_id="station-yks", role="station",
                  at="2026-06-20T03:00:00Z", purpose="call the resident back").save()      # the old form: no month
    AccessLogItem("01CASE", READ_IN_JULY, user_id="station-yks", role="station",
                  at="2026-07-22T03:00:00Z", purpose="visit").save()
    ApiKeyItem("k-old", secret_hash="h", name="the county hotline", created_by="admin-rq",
               created_at="2026-05-01T00:00:00Z").save()                                  # no listing
    DynamoAccessLog().record(case_id="01CASE2", user_id="dispatcher-rq", role="dispatcher",
                             at="2026-07-01T08:00:00Z", purpose="dispatch")               # written by this release
    assert listed_reads() == [("01CASE2", "2026-07-01T08:00:00Z")] and listed_keys() == []

    assert index_all() == {"access_log_entries": 2, "api_keys": 1, "already_indexed": 0}
    assert listed_reads() == [("01CASE", "2026-07-22T03:00:00Z"), ("01CASE2", "2026-07-01T08:00:00Z"),
                              ("01CASE", "2026-06-20T03:00:00Z")]
    assert listed_keys() == ["the county hotline"]
    assert AccessLogItem.get("01CASE", READ_IN_JUNE).purpose == "call the resident back"

    assert index_all() == {"access_log_entries": 0, "api_keys": 0, "already_indexed": 0}
