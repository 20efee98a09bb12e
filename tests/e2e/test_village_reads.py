"""Privileges and the monthly ranking read a whole village: two sequential round trips however many grids and
households it has (the grids' index Queries together, then the households and their counters together).
Counted with botocore event hooks on the DynamoDB clients; each call is held a little so that calls sent in
parallel overlap in time, and the rounds are the longest chain of calls each ending before the next begins."""
import threading
import time

import pytest

from chalicelib.adapters import dynamo, repositories
from chalicelib.adapters.models import CounterItem, HouseholdItem
from chalicelib.domain.household import Household
from tests.e2e.helpers import ok

VILLAGE = "BZ.RQ.TGLK.YKS"
LATENCY = 0.25       # seconds added to every call: parallel calls overlap (even on a loaded machine), sequential ones cannot


@pytest.fixture
def dynamodb_calls(aws):
    """(operation, start, end) of every DynamoDB call, on any thread."""
    calls, lock = [], threading.Lock()

    def before(context, **_):
        context["_t0"] = time.perf_counter()
        time.sleep(LATENCY)

    def after(model, context, **_):
        if "_t0" in context:
            with lock:
                calls.append((model.name, context.pop("_t0"), time.perf_counter()))

    clients = {id(c): c for c in (dynamo.connection().client, repositories.fan_out_client())}.values()
    for client in clients:
        client.meta.events.register("before-call.dynamodb", before)
        client.meta.events.register("after-call.dynamodb", after)
    yield calls
    for client in clients:
        client.meta.events.unregister("before-call.dynamodb", before)
        client.meta.events.unregister("after-call.dynamodb", after)


def rounds(calls) -> int:
    """The longest chain of calls each of which ended before the next one began."""
    depth = []
    for i, (_, start, _) in enumerate(calls):
        depth.append(1 + max((depth[j] for j, (_, _, end) in enumerate(calls[:i]) if end <= start), default=0))
    return max(depth, default=0)


def put_households(grids, per_grid, month=None, earned=lambda n: n % 7):
    """Households written straight to the table (and their `earned` counter of `month`)."""
    ids = []
    with HouseholdItem.batch_write() as households, CounterItem.batch_write() as counters:
        for g, grid in enumerate(grids):
            for n in range(per_grid):
                h = Household(id=f"H{g:03d}{n:04d}", grid=grid, head=f"户主{g}-{n}", phone=None, members=3,
                              address="1组", created_at="2026-06-01T00:00:00Z", created_by="test")
                households.save(HouseholdItem(h.id, grid=grid, version=1, doc=h.to_dict()))
                if month and earned(n):
                    counters.save(CounterItem(f"earned#{h.id}#{month}", value=earned(n)))
                ids.append(h.id)
    return ids


@pytest.mark.parametrize("n_grids", [1, 3, 20])
def test_a_village_read_is_two_rounds_whatever_the_number_of_grids(tables, dynamodb_calls, n_grids):
    grids = [f"{VILLAGE}.X{g:02d}" for g in range(n_grids)]
    ids = put_households(grids, per_grid=240 // n_grids, month="2026-06")    # 240 households in all
    months = [f"2026-{m:02d}" for m in range(1, 13)]                          # a year: 2,880 counter keys
    dynamodb_calls.clear()
    read = repositories.DynamoHouseholdRepository().in_grids(grids, lambda h: [f"earned#{h}#{m}" for m in months])
    assert sorted(h.id for h in read.households) == sorted(ids)
    assert read.counters == {f"earned#{h}#2026-06": int(h[-4:]) % 7 for h in ids if int(h[-4:]) % 7}
    operations = sorted(op for op, _, _ in dynamodb_calls)
    assert operations == ["BatchGetItem"] * (3 + 29) + ["Query"] * n_grids    # 240 households, 2,880 counters
    assert rounds(sorted(dynamodb_calls, key=lambda c: c[1])) == 2            # the same for 1, 3 or 20 grids


def test_privileges_and_the_ranking_read_the_village_in_two_rounds_over_http(api, dynamodb_calls):
    grids = [f"{VILLAGE}.G01", f"{VILLAGE}.G02", f"{VILLAGE}.G03"]
    ids = put_households(grids, per_grid=70, month="2026-06", earned=lambda n: 10 * (n % 4))   # 210 households
    with CounterItem.batch_write() as counters:                     # another month of the same year counts too
        counters.save(CounterItem(f"earned#{ids[0]}#2026-03", value=25))
    dynamodb_calls.clear()
    ranking = ok(api.call(None, "GET", f"/villages/{VILLAGE}/points-ranking?month=2026-06"))
    assert len(ranking["items"]) == 210 and ranking["items"][0]["points"] == 30
    assert [r["points"] for r in ranking["items"]] == sorted((r["points"] for r in ranking["items"]), reverse=True)
    assert rounds(sorted(dynamodb_calls, key=lambda c: c[1])) == 2
    dynamodb_calls.clear()
    listed = ok(api.call("leader-rq", "GET", f"/privileges/star_household_priority/households?village={VILLAGE}"
                                              f"&period=2026"))
    threshold = listed["threshold"]
    expected = {h: 10 * (int(h[-4:]) % 4) + (25 if h == ids[0] else 0) for h in ids}
    assert {r["household_id"]: r["points_earned"] for r in listed["items"]} == \
        {h: total for h, total in expected.items() if total >= threshold}
    assert rounds(sorted(dynamodb_calls, key=lambda c: c[1])) == 2        # 210 households x 12 months of counters
