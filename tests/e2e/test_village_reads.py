"""Privileges read a whole village in two sequential round trips however many grids and households it has (the
grids' month items of the period together, then the households that reach the threshold together). The public monthly ranking reads
each grid's roster and month item: one BatchGetItem of two keys per grid, however many households.
Counted by the shared recorder of AWS calls (support/calls.py); each call is held a little so that calls sent in
parallel overlap in time, and the rounds are the longest chain of calls each ending before the next begins."""
import math

import pytest

from chalicelib.adapters import repositories
from chalicelib.adapters.dynamo import connection
from chalicelib.adapters.models import CounterItem, HouseholdItem
from chalicelib.domain import points
from chalicelib.domain.household import Household
from support.calls import RECORDER, Collector, dynamodb, rounds
from tests.e2e.helpers import ok

VILLAGE = "BZ.RQ.TGLK.YKS"
DEMO_GRIDS = [f"{VILLAGE}.G01", f"{VILLAGE}.G02", f"{VILLAGE}.G03"]   # the village's grids in demo.yaml
LATENCY = 0.5        # seconds added to every call: parallel calls overlap (even on a loaded machine), sequential ones cannot


@pytest.fixture
def dynamodb_calls(aws):
    """Every DynamoDB call, on any thread, each held LATENCY seconds before it is sent."""
    collector = Collector(keep=dynamodb, latency=LATENCY)
    RECORDER.add_listener(collector)
    yield collector.calls
    RECORDER.remove_listener(collector)


def put_households(grids, per_grid, month=None, earned=lambda n: n % 7):
    """Households written straight to the table, with what their registrations and points would have written:
    their `earned` counter of `month`, each grid's roster (masked names) and month item."""
    ids = []
    client = connection().client
    with HouseholdItem.batch_write() as households, CounterItem.batch_write() as counters:
        for g, grid in enumerate(grids):
            roster, month_points = {}, {}
            for n in range(per_grid):
                h = Household(id=f"H{g:03d}{n:04d}", grid=grid, head=f"户主{g}-{n}", phone=None, members=3,
                              address="1组", created_at="2026-06-01T00:00:00Z", created_by="test")
                households.save(HouseholdItem(h.id, grid=grid, version=1, doc=h.to_dict()))
                roster[h.id] = {"S": "户*"}
                if month and earned(n):
                    counters.save(CounterItem(f"earned#{h.id}#{month}", value=earned(n)))
                    month_points[h.id] = {"N": str(earned(n))}
                ids.append(h.id)
            client.put_item(TableName=CounterItem.Meta.table_name,
                            Item={"name": {"S": points.roster_key(grid)}, "value": {"N": str(per_grid)}, **roster})
            if month_points:
                client.put_item(TableName=CounterItem.Meta.table_name,
                                Item={"name": {"S": points.month_points_key(grid, month)}, **month_points})
    return ids


@pytest.mark.parametrize("n_grids", [1, 3, 20])
def test_a_privileges_read_is_two_rounds_whatever_the_number_of_grids(tables, dynamodb_calls, n_grids):
    grids = [f"{VILLAGE}.X{g:02d}" for g in range(n_grids)]
    ids = put_households(grids, per_grid=240 // n_grids, month="2026-06")    # 240 households in all
    months = [f"2026-{m:02d}" for m in range(1, 13)]                          # a year: 12 month items a grid
    dynamodb_calls.clear()
    repository = repositories.DynamoHouseholdRepository()
    earned = repository.ranking_items(grids, months, names=False).earned
    found = repository.get_many([h for h, total in earned.items() if total >= 3])
    assert earned == {h: int(h[-4:]) % 7 for h in ids if int(h[-4:]) % 7}
    eligible = [h for h in ids if int(h[-4:]) % 7 >= 3]
    assert sorted(found) == sorted(eligible)
    operations = sorted(call.operation for call in dynamodb_calls)
    assert operations == ["BatchGetItem"] * (math.ceil(12 * n_grids / 100) + math.ceil(len(eligible) / 100))
    assert rounds(dynamodb_calls) == 2                                        # the same for 1, 3 or 20 grids


def test_privileges_and_the_ranking_read_the_village_in_two_rounds_over_http(api, dynamodb_calls):
    grids = [f"{VILLAGE}.G01", f"{VILLAGE}.G02", f"{VILLAGE}.G03"]
    ids = put_households(grids, per_grid=70, month="2026-06", earned=lambda n: 10 * (n % 4))   # 210 households
    with CounterItem.batch_write() as counters:                     # another month of the same year counts too
        counters.save(CounterItem(f"earned#{ids[0]}#2026-03", value=25))
    dynamodb_calls.clear()
    ranking = ok(api.call(None, "GET", f"/villages/{VILLAGE}/points-ranking?month=2026-06"))
    assert len(ranking["items"]) == 210 and ranking["items"][0]["points"] == 30
    assert [r["points"] for r in ranking["items"]] == sorted((r["points"] for r in ranking["items"]), reverse=True)
    assert one_read_of_two_keys_per_grid(dynamodb_calls, VILLAGE)
    dynamodb_calls.clear()
    listed = ok(api.call("leader-rq", "GET", f"/privileges/star_household_priority/households?village={VILLAGE}"
                                              f"&period=2026"))
    threshold = listed["threshold"]
    expected = {h: 10 * (int(h[-4:]) % 4) + (25 if h == ids[0] else 0) for h in ids}
    assert {r["household_id"]: r["points_earned"] for r in listed["items"]} == \
        {h: total for h, total in expected.items() if total >= threshold}
    assert rounds(dynamodb_calls) == 2                                    # 210 households x 12 months of counters


def one_read_of_two_keys_per_grid(calls, village) -> bool:
    grids = [g for g in DEMO_GRIDS if g.startswith(village + ".")]
    if [c.operation for c in calls] != ["BatchGetItem"]:
        return False
    asked = [key["name"]["S"] for c in calls for request in c.params["RequestItems"].values() for key in request["Keys"]]
    return sorted(asked) == sorted(
        [f"roster#{g}" for g in grids] + [f"points#{g}#2026-06" for g in grids])


@pytest.mark.parametrize("per_grid", [2, 100])
def test_the_public_ranking_is_one_read_of_two_items_per_grid_however_many_households(api, dynamodb_calls, per_grid):
    grids = DEMO_GRIDS
    put_households(grids, per_grid=per_grid, month="2026-06", earned=lambda n: n % 5)
    dynamodb_calls.clear()
    ranking = ok(api.call(None, "GET", f"/villages/{VILLAGE}/points-ranking?month=2026-06"))
    assert len(ranking["items"]) == per_grid * len(grids)
    best = min(4, per_grid - 1)                                   # earned n % 5 for the n-th household of a grid
    assert [r["points"] for r in ranking["items"][:3]] == [best] * 3 and ranking["items"][-1]["points"] == 0
    assert one_read_of_two_keys_per_grid(dynamodb_calls, VILLAGE)
