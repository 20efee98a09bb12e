"""The repositories of households, ledgers and visits on DynamoDB, and the reads of stock and API keys (cases
have theirs: case_repository.py)."""
from __future__ import annotations

import json

from pynamodb.connection import Connection

from chalicelib import settings
from chalicelib.adapters.dynamo import batch_get, chunks, in_parallel
from chalicelib.adapters.models import ApiKeyItem, CounterItem, HouseholdItem, LedgerItem, StockItem, VisitItem
from chalicelib.adapters.paging import one_page
from chalicelib.domain import points
from chalicelib.domain.api_keys import ApiKey
from chalicelib.domain.household import Household
from chalicelib.services.unit_of_work import (AbstractHouseholdRepository, AbstractLedgerRepository,
                                              AbstractVisitRepository, Page, RankingItems)

# A village read sends up to this many BatchGets of 100 keys at once, on a client with as many pooled connections:
# one round for up to 3,200 keys (month items, rosters, households).
FAN_OUT = 32
_fan_out: Connection | None = None


def fan_out_client():
    """The client of the fan-out reads: its own connection pool, as wide as the fan-out (lazy, reused)."""
    global _fan_out
    if _fan_out is None:
        _fan_out = Connection(region=settings.REGION, max_pool_connections=FAN_OUT)
    return _fan_out.client


class DynamoHouseholdRepository(AbstractHouseholdRepository):
    def _get(self, household_id: str) -> Household | None:
        try:
            return Household.from_dict(HouseholdItem.get(household_id, consistent_read=True).doc)
        except HouseholdItem.DoesNotExist:
            return None

    def list_by_grid(self, grid: str, limit: int, cursor: str | None) -> Page:
        items, next_cursor, scanned = one_page(
            lambda last: HouseholdItem.by_grid.query(grid, page_size=limit, last_evaluated_key=last),
            "households:" + grid, cursor)
        ids = [item["household_id"]["S"] for item in items]
        found = {i.household_id: Household.from_dict(i.doc) for i in HouseholdItem.batch_get(ids)} if ids else {}
        return Page([found[i] for i in ids if i in found], next_cursor, scanned=scanned)

    def get_many(self, household_ids):
        """BatchGets of 100 keys, all in parallel: one round trip."""
        client = fan_out_client()
        requests = [{HouseholdItem.Meta.table_name: {"Keys": [{"household_id": {"S": i}} for i in chunk]}}
                    for chunk in chunks(list(dict.fromkeys(household_ids)))]
        return {raw["household_id"]["S"]: Household.from_dict(HouseholdItem.from_raw_data(raw).doc)
                for part in in_parallel(lambda request: batch_get(request, client), requests, FAN_OUT)
                for raw in part.get(HouseholdItem.Meta.table_name, [])}

    def ranking_items(self, grids, months, names=True):
        """One BatchGetItem of each grid's roster and month items (100 keys a request, in parallel: one round)."""
        grids = list(dict.fromkeys(grids))
        keys = ([points.roster_key(g) for g in grids] if names else []) + \
            [points.month_points_key(g, m) for g in grids for m in months]
        client = fan_out_client()
        read = RankingItems()
        for part in in_parallel(lambda request: batch_get(request, client), [_counter_request(c) for c in chunks(keys)],
                                FAN_OUT):
            for raw in part.get(CounterItem.Meta.table_name, []):
                roster = raw["name"]["S"].startswith(points.roster_key(""))
                for household_id, value in raw.items():
                    if household_id in ("name", "value"):
                        continue
                    if roster:
                        read.names[household_id] = value["S"]
                    else:
                        read.earned[household_id] = read.earned.get(household_id, 0) + int(value["N"])
        return read


def _counter_request(names: list[str]) -> dict:
    return {CounterItem.Meta.table_name: {"Keys": [{"name": {"S": n}} for n in names]}}


class DynamoLedgerRepository(AbstractLedgerRepository):
    def page(self, household_id, limit, cursor, newest_first=False):
        items, next_cursor, scanned = one_page(
            lambda last: LedgerItem.query(household_id, page_size=limit, last_evaluated_key=last,
                                          scan_index_forward=not newest_first),
            f"ledger:{'newest' if newest_first else 'oldest'}:{household_id}", cursor)
        return Page([json.loads(i["doc"]["S"]) for i in items], next_cursor, scanned=scanned)


class DynamoVisitRepository(AbstractVisitRepository):
    def between(self, grid, first_id, end_id, limit, cursor):
        items, next_cursor, scanned = one_page(
            lambda last: VisitItem.by_grid.query(grid, range_key_condition=VisitItem.visit_id.between(first_id, end_id),
                                                 page_size=limit, last_evaluated_key=last),
            f"visits:{grid}:{first_id}:{end_id}", cursor)
        return Page([json.loads(i["doc"]["S"]) for i in items if i["visit_id"]["S"] < end_id], next_cursor,
                    scanned=scanned)


def stock_levels(keys: list[str]) -> dict[str, int]:
    """Stock levels by key: one BatchGetItem (absent keys are left out)."""
    if not keys:
        return {}
    found = batch_get({StockItem.Meta.table_name: {"Keys": [{"key": {"S": k}} for k in keys], "ConsistentRead": True}})
    return {raw["key"]["S"]: int(raw.get("stock", {"N": "0"})["N"]) for raw in found.get(StockItem.Meta.table_name, [])}


def api_key_from_item(item: ApiKeyItem) -> ApiKey:
    return ApiKey(item.key_id, item.secret_hash, bool(item.revoked), item.name, item.created_by, item.created_at)
