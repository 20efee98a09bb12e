"""Open311 GET requests on the PynamoDB adapter against moto: what one anonymous call may make DynamoDB read."""
from contextlib import contextmanager
from datetime import timedelta

from ulid import ULID

from chalicelib.adapters.case_repository import case_item
from chalicelib.adapters.unit_of_work import DynamoUnitOfWork
from chalicelib.adapters.models import CaseItem
from chalicelib.services import open311
from tests.builders import T0, reported

PARTITIONS = 3   # the demo's two counties and the root's own partition (reports outside every grid)


def seed_disputes(count: int) -> None:
    """`count` disputes in Ruoqiang inside the 90-day window: never listed, but in the partition a listing reads."""
    with CaseItem.batch_write() as batch:
        for i in range(count):
            case = reported(case_id=str(ULID.from_datetime(T0 + timedelta(minutes=i))), number=f"RQ-2026-{i + 1:06d}")
            case.kind, case.category = "dispute", "neighbour"
            batch.save(case_item(case))


@contextmanager
def entries_evaluated():
    """Index entries DynamoDB evaluates for the Queries made inside the block (ScannedCount, filters included)."""
    seen = {"entries": 0, "queries": 0}

    def after_query(parsed, **_):
        seen["entries"] += parsed.get("ScannedCount", 0)
        seen["queries"] += 1

    events = CaseItem._get_connection().connection.client.meta.events
    events.register("after-call.dynamodb.Query", after_query)
    try:
        yield seen
    finally:
        events.unregister("after-call.dynamodb.Query", after_query)


def test_one_anonymous_listing_reads_a_bounded_number_of_entries_however_many_cases_the_window_holds(tables, config):
    seed_disputes(600)
    now = T0 + timedelta(days=1)
    with entries_evaluated() as read:
        listed = open311.list_requests(DynamoUnitOfWork(), config, {"page_size": "10"}, now)
    assert listed == []
    # Documented bound (docs/api.md): at most 2 x page x page_size index entries per partition, whatever the table.
    assert 0 < read["entries"] <= 2 * 10 * PARTITIONS, read
