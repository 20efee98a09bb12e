"""DynamoDB tables, as PynamoDB models. The one definition of every table and index:
the app, the local runtime and the CDK stack all read them from here.

A table's name is the deployment's prefix and the model's own name (`table_name`). The models carry this
process's (settings.TABLE_PREFIX, read at import: PynamoDB reads Meta at class creation); the CDK stack names
each county's tables with `table_name(model, prefix)`, without importing anything again.
"""
import json
import zlib

from pynamodb.attributes import (Attribute, BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute,
                                 UnicodeSetAttribute)
from pynamodb.constants import BINARY
from pynamodb.exceptions import TableError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib import settings
from chalicelib.adapters import aws  # noqa: F401  (every table's client from the container's one session)
from chalicelib.adapters import dynamo


class CompressedJSONAttribute(Attribute):
    """JSON, zlib-compressed into a binary attribute: a write pays per KB of the item (docs/performance.md)."""
    attr_type = BINARY

    def serialize(self, value):
        return zlib.compress(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode(), 6)

    def get_value(self, value):
        return value["B"] if "B" in value else value["S"]   # items written before compression hold plain JSON

    def deserialize(self, value):
        return json.loads(value) if isinstance(value, str) else json.loads(zlib.decompress(value))


def table_name(model: type[Model], prefix: str) -> str:
    """The model's table in the deployment whose resource names start with `prefix`."""
    return prefix + model.Meta.name


def _meta(name: str):
    return type("Meta", (), {"name": name, "table_name": settings.TABLE_PREFIX + name, "region": settings.REGION,
                             "billing_mode": "PAY_PER_REQUEST"})


class Table(Model):
    """A table whose requests go through the container's one DynamoDB connection (adapters/dynamo.py).

    PynamoDB gives each model class a connection, hence a botocore client, of its own: each table's first
    request would build another client (about 8 ms) and open another HTTPS connection pool, and a cold
    `POST /cases` built two. Here every table shares the one the transactions and batch reads use.
    """

    @classmethod
    def _get_connection(cls):
        table = super()._get_connection()
        shared = dynamo.connection()
        if table.connection is not shared:
            try:
                shared.get_meta_table(table.table_name)
            except TableError:
                shared.add_meta_table(table.connection.get_meta_table(table.table_name))
            table.connection = shared
        return table


LISTING_ATTRIBUTES = ["status", "kind", "category", "grid", "sensitive", "number", "title", "next_due", "attention"]


def _gsi(index_name: str, hash_attr: str, range_attr: str):
    """A GSI carrying what list filters test and a duplicate hint shows; a list page then BatchGets the cases."""
    projection = IncludeProjection([a for a in LISTING_ATTRIBUTES if a not in (hash_attr, range_attr)])
    meta = type("Meta", (), {"index_name": index_name, "projection": projection})
    attrs = {"Meta": meta, hash_attr: UnicodeAttribute(hash_key=True), range_attr: UnicodeAttribute(range_key=True)}
    return type(index_name.title().replace("-", ""), (GlobalSecondaryIndex,), attrs)()


class CaseItem(Table):
    """One case. `doc` holds the whole aggregate; the top-level attributes serve the indexes."""
    Meta = _meta("cases")
    case_id = UnicodeAttribute(hash_key=True)           # time-ordered id (ULID), so it sorts by intake
    version = NumberAttribute()
    number = UnicodeAttribute()
    status = UnicodeAttribute()
    kind = UnicodeAttribute()
    category = UnicodeAttribute()
    grid = UnicodeAttribute()
    county = UnicodeAttribute()
    county_status = UnicodeAttribute()                   # "<county>#<status>"
    reporter_id = UnicodeAttribute()
    queue_center = UnicodeAttribute(null=True)           # sparse: set while the holding center must act
    geo_cell = UnicodeAttribute(null=True)               # geohash, 6 characters (~1.2 km x 0.6 km)
    sensitive = BooleanAttribute()
    title = UnicodeAttribute()
    next_due = UnicodeAttribute(null=True)               # the current stage's earliest deadline (list filter due_before)
    attention = UnicodeSetAttribute(null=True)           # overdue | extension | returned (list filter attention)
    doc = CompressedJSONAttribute()                      # the aggregate: ~3x smaller, and every write pays per KB

    by_grid = _gsi("by-grid", "grid", "case_id")
    by_reporter = _gsi("by-reporter", "reporter_id", "case_id")
    by_queue = _gsi("by-queue", "queue_center", "case_id")
    by_county = _gsi("by-county", "county", "case_id")
    by_county_status = _gsi("by-county-status", "county_status", "case_id")
    by_geo_cell = _gsi("by-geo-cell", "geo_cell", "case_id")


class TimelineItem(Table):
    """Immutable timeline entries; seq equals the case version the entry produced."""
    Meta = _meta("timeline")
    case_id = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)
    doc = JSONAttribute()


class AssignmentItem(Table):
    """A department's link to a case: its inbox. Rewritten with the case in the same transaction, so the
    case's status, kind and category mirrored here are the case's own (inbox filters test them in the Query)."""
    Meta = _meta("assignments")
    department = UnicodeAttribute(hash_key=True)
    case_id = UnicodeAttribute(range_key=True)
    role = UnicodeAttribute()
    active = BooleanAttribute()
    status = UnicodeAttribute()
    kind = UnicodeAttribute()
    category = UnicodeAttribute()
    dept_status = UnicodeAttribute()                     # "<department>#<status>"
    attention = UnicodeSetAttribute(null=True)           # the case's attention flags (inbox filter attention)

    # a department's inbox in one status: reads only the matching links (GET /inbox?status=)
    by_dept_status = type("InboxByStatus", (GlobalSecondaryIndex,), {
        "Meta": type("Meta", (), {"index_name": "by-dept-status",
                                  "projection": IncludeProjection(["kind", "category", "attention"])}),
        "dept_status": UnicodeAttribute(hash_key=True), "case_id": UnicodeAttribute(range_key=True)})()


class IdempotencyItem(Table):
    """An API write's idempotency record, written in the write's own transaction."""
    Meta = _meta("idempotency")
    key = UnicodeAttribute(hash_key=True)                # "<user>#<operation>#<Idempotency-Key>"
    request_hash = UnicodeAttribute()
    result = CompressedJSONAttribute()                   # the first answer, replayed to a retry (~4x smaller)
    expires_at = NumberAttribute()                       # TTL, epoch seconds


class CounterItem(Table):
    """Sequences, e.g. the human-readable case number per county and year."""
    Meta = _meta("counters")
    name = UnicodeAttribute(hash_key=True)
    value = NumberAttribute(default=0)


class HouseholdItem(Table):
    """A household; listed per grid."""
    Meta = _meta("households")
    household_id = UnicodeAttribute(hash_key=True)
    grid = UnicodeAttribute()
    version = NumberAttribute(default=1)                 # guards the points ledger: one writer per version
    doc = JSONAttribute()

    by_grid = type("HouseholdsByGrid", (GlobalSecondaryIndex,), {
        "Meta": type("Meta", (), {"index_name": "by-grid", "projection": KeysOnlyProjection()}),
        "grid": UnicodeAttribute(hash_key=True), "household_id": UnicodeAttribute(range_key=True)})()


class OutboxItem(Table):
    """The side effects of one transaction (start/stop timers, notifications), written with the change.

    One item per transaction, not per effect: each item costs a write, an index write and a rewrite when done.
    `pending` is set until every effect is carried out; the sparse keys-only index lists what the relay retries.
    """
    Meta = _meta("outbox")
    outbox_id = UnicodeAttribute(hash_key=True)          # the first effect's ULID: sorts by creation time
    effects = JSONAttribute()                            # [{"id", "kind", "payload"}], those still to do
    pending = UnicodeAttribute(null=True)                # "1" while pending; removed when done
    attempts = NumberAttribute(default=0)
    expires_at = NumberAttribute(null=True)              # TTL once done

    by_pending = type("OutboxPending", (GlobalSecondaryIndex,), {
        "Meta": type("Meta", (), {"index_name": "pending", "projection": KeysOnlyProjection()}),
        "pending": UnicodeAttribute(hash_key=True), "outbox_id": UnicodeAttribute(range_key=True)})()


class WorkerIdempotencyItem(Table):
    """Powertools Idempotency's table for the SQS workers (its default attribute names)."""
    Meta = _meta("worker-idempotency")
    id = UnicodeAttribute(hash_key=True)
    expiration = NumberAttribute(null=True)


class StatItem(Table):
    """Statistics counters of one node, period and slice ("<node>#D2026-06-15#demand|irrigation", "#M2026-06#visits").

    Attributes beyond the key are counters named by chalicelib.domain.aggregates, added with ADD.
    """
    Meta = _meta("stats")
    key = UnicodeAttribute(hash_key=True)


class ScorecardItem(Table):
    """A department's scorecard counters for one calendar year ("<department>#2026")."""
    Meta = _meta("scorecards")
    key = UnicodeAttribute(hash_key=True)


class VisitItem(Table):
    """A grid member's household visit."""
    Meta = _meta("visits")
    visit_id = UnicodeAttribute(hash_key=True)          # ULID of the visit time
    grid = UnicodeAttribute()
    doc = JSONAttribute()

    by_grid = type("VisitsByGrid", (GlobalSecondaryIndex,), {
        "Meta": type("Meta", (), {"index_name": "by-grid", "projection": AllProjection()}),
        "grid": UnicodeAttribute(hash_key=True), "visit_id": UnicodeAttribute(range_key=True)})()


class LedgerItem(Table):
    """A household's points ledger: append-only entries, seq 1, 2, 3..."""
    Meta = _meta("ledger")
    household_id = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)
    doc = JSONAttribute()


class StockItem(Table):
    """Stock of one supermarket item ("<supermarket>#<sku>"); never negative (conditional updates)."""
    Meta = _meta("stock")
    key = UnicodeAttribute(hash_key=True)
    stock = NumberAttribute(default=0)


class OrderItem(Table):
    """A redemption order at a points supermarket."""
    Meta = _meta("orders")
    order_id = UnicodeAttribute(hash_key=True)
    supermarket = UnicodeAttribute()
    doc = JSONAttribute()

    by_supermarket = type("OrdersBySupermarket", (GlobalSecondaryIndex,), {
        "Meta": type("Meta", (), {"index_name": "by-supermarket", "projection": AllProjection()}),
        "supermarket": UnicodeAttribute(hash_key=True), "order_id": UnicodeAttribute(range_key=True)})()


LISTED = "key"


class ApiKeyItem(Table):
    """An Open311 API key: only its hash is kept; revoked keys stay (an audit trail), refused."""
    Meta = _meta("api-keys")
    key_id = UnicodeAttribute(hash_key=True)
    secret_hash = UnicodeAttribute()
    name = UnicodeAttribute()
    created_by = UnicodeAttribute()
    created_at = UnicodeAttribute()
    revoked = BooleanAttribute(default=False)
    listing = UnicodeAttribute(null=True)                # LISTED on every key: the administrator's list, by id

    # one partition of every key, sorted by id (ULIDs: by issue time); keys are few, so one Query pages them all
    listed = type("ApiKeysListed", (GlobalSecondaryIndex,), {
        "Meta": type("Meta", (), {"index_name": "listed", "projection": AllProjection()}),
        "listing": UnicodeAttribute(hash_key=True), "key_id": UnicodeAttribute(range_key=True)})()


class AccessLogItem(Table):
    """Every read of unmasked personal data: who, when, which case (PIPL). Append-only."""
    Meta = _meta("access-log")
    case_id = UnicodeAttribute(hash_key=True)
    entry_id = UnicodeAttribute(range_key=True)          # ULID of the read
    user_id = UnicodeAttribute()
    role = UnicodeAttribute()
    at = UnicodeAttribute()
    purpose = UnicodeAttribute()
    month = UnicodeAttribute(null=True)                  # YYYY-MM of `at` (UTC): the administrator's view by time

    # The whole log newest first, a month per partition (reads are rare; a month's reads are a few thousand)
    by_month = type("AccessLogByMonth", (GlobalSecondaryIndex,), {
        "Meta": type("Meta", (), {"index_name": "by-month", "projection": AllProjection()}),
        "month": UnicodeAttribute(hash_key=True), "entry_id": UnicodeAttribute(range_key=True)})()


ALL_MODELS = (CaseItem, TimelineItem, AssignmentItem, IdempotencyItem, CounterItem, HouseholdItem, OutboxItem,
              WorkerIdempotencyItem, StatItem, ScorecardItem, VisitItem, LedgerItem, StockItem, OrderItem, ApiKeyItem, AccessLogItem)
TTL_ATTRIBUTES = {IdempotencyItem: "expires_at", OutboxItem: "expires_at", WorkerIdempotencyItem: "expiration"}


def create_tables(wait: bool = False) -> None:
    """Create every table that does not exist yet (local runtime and tests; CDK in the cloud)."""
    for model in ALL_MODELS:
        if not model.exists():
            model.create_table(wait=wait)
