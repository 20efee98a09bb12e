"""The prefecture's figure: "from June to August Bazhou resolved 14,900 disputes and 68,400 demands" is one cheap
query. Cases go through the real write path (services over the in-memory unit of work, for speed); the counter
items it produced are loaded into DynamoDB (moto), and one statistics call at the prefecture reads them back,
counting what DynamoDB returned with the shared recorder of AWS calls (support/calls.py)."""
import random
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.adapters import dynamo
from chalicelib.adapters.models import StatItem
from chalicelib.domain.roles import Principal
from chalicelib.domain import commands
from chalicelib.services import cases
from support.calls import RECORDER, Collector
from tests.builders import spot_in
from tests.e2e.helpers import ok
from support.fakes import FakeUnitOfWork, Store

GRIDS = {"BZ.RQ.TGLK.YKS.G01": "BZ.RQ.TGLK.YKS", "BZ.RQ.RQZ.QKL.G02": "BZ.RQ.RQZ.QKL",
         "BZ.HJ.BYBLK.ELB.G03": "BZ.HJ.BYBLK.ELB", "BZ.HJ.HJZ.DG.G01": "BZ.HJ.HJZ.DG"}
SUMMER = (datetime(2026, 6, 1, tzinfo=timezone.utc) - timedelta(hours=8),   # 00:00 Beijing on 1 June
          datetime(2026, 9, 1, tzinfo=timezone.utc) - timedelta(hours=8))


def resolve_on_the_spot(store, config, grid, kind, category, reported, resolved):
    station = Principal("station", "station", node=GRIDS[grid])
    created = cases.report_case(FakeUnitOfWork(store), config, station, commands.ReportCase(
        kind=kind, category=category, title="t", description="d", grid=grid, channel="walk_in",
        location=commands.Location(**spot_in(config, grid))), reported)
    cases.act(FakeUnitOfWork(store), config, station, created["id"], "accept", commands.Accept(
        kind=kind, category=category, urgency="normal", public_summary="s", forward_to_level="village"),
        reported + timedelta(minutes=5))
    if resolved:
        cases.act(FakeUnitOfWork(store), config, station, created["id"], "resolve_on_spot",
                  commands.Note(note="done"), resolved)


def generate(config, disputes, demands, seed):
    """The summer's resolutions plus noise: cases resolved just before and after the window, and open ones."""
    rng, store = random.Random(seed), Store()
    window = (SUMMER[1] - SUMMER[0]).total_seconds()
    for kind, category, count in (("dispute", "neighbour", disputes), ("demand", "garbage_sanitation", demands)):
        for _ in range(count):
            resolved = SUMMER[0] + timedelta(seconds=rng.uniform(600, window - 1))
            reported = resolved - timedelta(minutes=rng.randint(10, 3000))
            resolve_on_the_spot(store, config, rng.choice(list(GRIDS)), kind, category, reported, resolved)
        for outside in (SUMMER[0] - timedelta(minutes=1), SUMMER[1] + timedelta(minutes=1)):
            resolve_on_the_spot(store, config, rng.choice(list(GRIDS)), kind, category,
                                outside - timedelta(hours=2), outside)
        resolve_on_the_spot(store, config, rng.choice(list(GRIDS)), kind, category, SUMMER[0] + timedelta(days=3), None)
    return store


def load_counters(store):
    """Batch writes (moto copies whole tables per transaction: docs/architecture.md, Known pitfalls of this stack)."""
    client = dynamo.connection().client
    items = [{"PutRequest": {"Item": {"key": {"S": key}, **{a: {"N": str(v)} for a, v in counters.items()}}}}
             for key, counters in store.counters_by_table["stats"].items()]
    for start in range(0, len(items), 25):
        client.batch_write_item(RequestItems={StatItem.Meta.table_name: items[start:start + 25]})


READS = ("Query", "Scan", "BatchGetItem", "GetItem", "TransactGetItems")


def read(call):
    """(operation, Count, ScannedCount) of a Query or Scan; (operation, items, items) of a read by key."""
    parsed = call.response
    if call.operation in ("Query", "Scan"):
        return call.operation, parsed.get("Count", 0), parsed.get("ScannedCount", 0)
    items = sum(len(v) for v in parsed.get("Responses", {}).values()) if call.operation == "BatchGetItem" \
        else int("Item" in parsed)
    return call.operation, items, items


@pytest.fixture
def dynamodb_reads():
    """Items DynamoDB returned to the app, per operation (Count/ScannedCount for queries and scans)."""
    collector = Collector(keep=lambda c: c.service == "dynamodb" and c.operation in READS, record=read)
    RECORDER.add_listener(collector)
    yield collector.calls
    RECORDER.remove_listener(collector)


@pytest.mark.parametrize("scale", [1, 2])
def test_one_call_at_the_prefecture_counts_the_summer_exactly_and_reads_the_same_items_at_any_size(
        api, config, dynamodb_reads, scale):
    disputes, demands = 149 * scale, 684 * scale
    store = generate(config, disputes, demands, seed=scale)
    load_counters(store)
    dynamodb_reads.clear()
    stats = ok(api.call("leader-bz", "GET", "/statistics?node=BZ&from=2026-06-01&to=2026-08-31"))
    resolved = stats["metrics"]["resolved"]
    assert resolved["by_kind"] == {"dispute": disputes, "demand": demands}
    assert resolved["total"] == disputes + demands
    assert stats["counter_items_read"] == 3 * 16                  # June, July, August x (15 categories + visits)
    summer = [k for k in store.counters_by_table["stats"]
              if k.startswith(("BZ#M2026-06#", "BZ#M2026-07#", "BZ#M2026-08#"))]
    assert 0 < len(summer) <= 48
    assert dynamodb_reads == [("BatchGetItem", len(summer), len(summer))]   # one round trip, at most 48 small items
    assert len(store.cases) == (disputes + demands + 6)          # the data set really grew
