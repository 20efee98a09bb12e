"""The points ledger on DynamoDB: one BatchGetItem to read, one conditional TransactWriteItems to write."""
from __future__ import annotations

import json
import time

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError

from chalicelib import settings
from chalicelib.adapters.dynamo import batch_get, cancellation_reasons, chunks, in_parallel, transact
from chalicelib.adapters.paging import one_page
from chalicelib.adapters.transaction import idempotency_put
from chalicelib.adapters.models import (CounterItem, HouseholdItem, IdempotencyItem, LedgerItem, OrderItem,
                                        StockItem)
from chalicelib.domain.errors import OutOfStock, VersionConflict
from chalicelib.domain.household import Household
from chalicelib.services.points_port import HouseholdsRead, PointsRead, PointsStore, PointsWrite
from chalicelib.services.unit_of_work import DuplicateRequest, IdempotencyRecord, Page

# A village read sends up to this many requests at once (a Query per grid, then BatchGets of 100 keys), on a
# client with as many pooled connections: two rounds for up to 32 grids and 3,200 keys (households + counters).
FAN_OUT = 32
_fan_out: Connection | None = None


def _fan_out_client():
    """The client of the fan-out reads: its own connection pool, as wide as the fan-out (lazy, reused)."""
    global _fan_out
    if _fan_out is None:
        _fan_out = Connection(region=settings.REGION, max_pool_connections=FAN_OUT)
    return _fan_out.client


def _in_parallel(fn, tasks: list) -> list:
    return in_parallel(fn, tasks, width=FAN_OUT)


class DynamoPointsStore(PointsStore):
    def read(self, household_id, *, entry_seq=None, cap_key=None, stock_key=None, idempotency_key=None):
        counters = [k for k in (cap_key, f"reversed#{household_id}#{entry_seq}" if entry_seq else None) if k]
        request = {HouseholdItem.Meta.table_name: {"Keys": [{"household_id": {"S": household_id}}],
                                                   "ConsistentRead": True}}
        if entry_seq:
            request[LedgerItem.Meta.table_name] = {"Keys": [{"household_id": {"S": household_id},
                                                             "seq": {"N": str(entry_seq)}}], "ConsistentRead": True}
        if counters:
            request[CounterItem.Meta.table_name] = {"Keys": [{"name": {"S": k}} for k in counters],
                                                    "ConsistentRead": True}
        if stock_key:
            request[StockItem.Meta.table_name] = {"Keys": [{"key": {"S": stock_key}}], "ConsistentRead": True}
        if idempotency_key:
            request[IdempotencyItem.Meta.table_name] = {"Keys": [{"key": {"S": idempotency_key}}],
                                                        "ConsistentRead": True}
        found = batch_get(request)
        result = PointsRead()
        for raw in found.get(HouseholdItem.Meta.table_name, []):
            result.household = Household.from_dict(HouseholdItem.from_raw_data(raw).doc)
        for raw in found.get(LedgerItem.Meta.table_name, []):
            result.entry = json.loads(raw["doc"]["S"])
        for raw in found.get(CounterItem.Meta.table_name, []):
            name, value = raw["name"]["S"], int(raw.get("value", {"N": "0"})["N"])
            if name == cap_key:
                result.cap_total = value
            else:
                result.reversed = True
        for raw in found.get(StockItem.Meta.table_name, []):
            result.stock = int(raw.get("stock", {"N": "0"})["N"])
        for raw in found.get(IdempotencyItem.Meta.table_name, []):
            item = IdempotencyItem.from_raw_data(raw)
            if item.expires_at >= time.time():
                result.idempotency = IdempotencyRecord(item.key, item.request_hash, item.result)
        return result

    def write(self, change: PointsWrite, previous_version: int) -> None:
        h, entry = change.household, change.entry
        # the household's version guards the whole ledger: two writers who read the same version cannot both commit
        puts = [HouseholdItem(h.id, grid=h.grid, version=h.version, doc=h.to_dict()).get_save_kwargs_from_instance(
                    condition=HouseholdItem.version == previous_version),
                LedgerItem(h.id, entry.seq, doc=entry.to_dict()).get_save_kwargs_from_instance(
                    condition=LedgerItem.seq.does_not_exist())]
        if change.reversal_key:
            puts.append(CounterItem(change.reversal_key, value=entry.seq).get_save_kwargs_from_instance(
                condition=CounterItem.name.does_not_exist()))
        if change.order:
            puts.append(OrderItem(change.order["id"], supermarket=change.order["supermarket"],
                                  doc=change.order).get_save_kwargs_from_instance(
                condition=OrderItem.order_id.does_not_exist()))
        stock_position = None
        updates = []
        for key, delta in ((change.cap_key, entry.points), (change.earned_key, entry.points)):
            if key:
                updates.append({"TableName": CounterItem.Meta.table_name, "Key": {"name": {"S": key}},
                                "UpdateExpression": "ADD #v :d", "ExpressionAttributeNames": {"#v": "value"},
                                "ExpressionAttributeValues": {":d": {"N": str(delta)}}})
        if change.stock_key:
            stock_position = len(puts) + len(updates)
            updates.append({"TableName": StockItem.Meta.table_name, "Key": {"key": {"S": change.stock_key}},
                            "UpdateExpression": "ADD #s :minus", "ConditionExpression": "#s >= :quantity",
                            "ExpressionAttributeNames": {"#s": "stock"},
                            "ExpressionAttributeValues": {":minus": {"N": str(-change.quantity)},
                                                          ":quantity": {"N": str(change.quantity)}}})
        idempotency_position = None
        if change.idempotency:
            idempotency_position = len(puts)
            puts.append(idempotency_put(change.idempotency))
            stock_position = stock_position + 1 if stock_position is not None else None
        try:
            transact(puts, updates)
        except TransactWriteError as exc:
            reasons = cancellation_reasons(exc)

            def failed(position):
                return position is not None and len(reasons) > position and reasons[position] == "ConditionalCheckFailed"

            if failed(idempotency_position):
                raise DuplicateRequest(change.idempotency.key) from None
            if failed(stock_position):
                raise OutOfStock("the item is out of stock") from None
            if "ConditionalCheckFailed" in reasons:
                raise VersionConflict("the household's points changed meanwhile; read again and retry") from None
            raise  # throttling or AWS errors: nothing was written; the API answers 503

    def ledger(self, household_id, limit, cursor):
        items, next_cursor, scanned = one_page(
            lambda last: LedgerItem.query(household_id, page_size=limit, last_evaluated_key=last),
            "ledger:" + household_id, cursor)
        return Page([json.loads(i["doc"]["S"]) for i in items], next_cursor, scanned=scanned)

    def counters(self, keys):
        """BatchGets of 100 keys, sent in parallel: one round trip."""
        client = _fan_out_client()
        found = {}
        for part in _in_parallel(lambda chunk: batch_get(_counter_request(chunk), client), chunks(keys)):
            found.update(_counter_values(part))
        return found

    def stock(self, keys):
        if not keys:
            return {}
        found = batch_get({StockItem.Meta.table_name: {"Keys": [{"key": {"S": k}} for k in keys],
                                                        "ConsistentRead": True}})
        return {raw["key"]["S"]: int(raw.get("stock", {"N": "0"})["N"]) for raw in found.get(StockItem.Meta.table_name, [])}

    def restock(self, key, quantity):
        item = StockItem(key)
        item.update(actions=[StockItem.stock.add(quantity)])
        return int(item.stock)

    def households_in_grids(self, grids, counter_names=None):
        """Round 1: one Query of households.by-grid per grid, in parallel. Round 2: the households and their
        counters, in BatchGets of 100 keys, all in parallel. A grid's Query pages only past 1 MB of keys."""
        client = _fan_out_client()
        ids_by_grid = _in_parallel(lambda grid: _household_ids(client, grid), list(dict.fromkeys(grids)))
        ids = [i for found in ids_by_grid for i in found]
        names = list(dict.fromkeys(n for i in ids for n in (counter_names(i) if counter_names else [])))
        requests = [{HouseholdItem.Meta.table_name: {"Keys": [{"household_id": {"S": i}} for i in chunk]}}
                    for chunk in chunks(ids)] + [_counter_request(chunk) for chunk in chunks(names)]
        households, counters = {}, {}
        for part in _in_parallel(lambda request: batch_get(request, client), requests):
            for raw in part.get(HouseholdItem.Meta.table_name, []):
                households[raw["household_id"]["S"]] = Household.from_dict(HouseholdItem.from_raw_data(raw).doc)
            counters.update(_counter_values(part))
        return HouseholdsRead([households[i] for i in ids if i in households], counters)


def _counter_request(names: list[str]) -> dict:
    return {CounterItem.Meta.table_name: {"Keys": [{"name": {"S": n}} for n in names]}}


def _counter_values(found: dict[str, list]) -> dict[str, int]:
    return {raw["name"]["S"]: int(raw.get("value", {"N": "0"})["N"])
            for raw in found.get(CounterItem.Meta.table_name, [])}


def _household_ids(client, grid: str) -> list[str]:
    """A grid's household ids from the keys-only index, in id order (one Query up to 1 MB of keys)."""
    ids, start = [], None
    while True:
        kwargs = {"ExclusiveStartKey": start} if start else {}
        answer = client.query(TableName=HouseholdItem.Meta.table_name,
                              IndexName=HouseholdItem.by_grid.Meta.index_name,
                              KeyConditionExpression="#g = :g", ExpressionAttributeNames={"#g": "grid"},
                              ExpressionAttributeValues={":g": {"S": grid}}, **kwargs)
        ids += [item["household_id"]["S"] for item in answer.get("Items", [])]
        start = answer.get("LastEvaluatedKey")
        if not start:
            return ids
