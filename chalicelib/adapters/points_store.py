"""The points ledger on DynamoDB: one BatchGetItem to read, one conditional TransactWriteItems to write."""
from __future__ import annotations

import json
import time

from pynamodb.exceptions import TransactWriteError

from chalicelib.adapters.dynamo import connection, decode_cursor, encode_cursor, idempotency_put
from chalicelib.adapters.models import (CounterItem, HouseholdItem, IdempotencyItem, LedgerItem, OrderItem,
                                        StockItem)
from chalicelib.domain.errors import OutOfStock, VersionConflict
from chalicelib.domain.household import Household
from chalicelib.services.points_port import PointsRead, PointsStore, PointsWrite
from chalicelib.services.unit_of_work import DuplicateRequest, IdempotencyRecord, Page


def _batch_get(request: dict) -> dict[str, list]:
    found: dict[str, list] = {}
    while request:
        answer = connection().client.batch_get_item(RequestItems=request)
        for table, items in answer.get("Responses", {}).items():
            found.setdefault(table, []).extend(items)
        request = answer.get("UnprocessedKeys") or {}
    return found


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
        found = _batch_get(request)
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
            connection().transact_write_items([], [], puts, updates)
        except TransactWriteError as exc:
            reasons = [getattr(r, "code", None) if r else None for r in (exc.cancellation_reasons or [])]

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
        fingerprint = "ledger:" + household_id
        state = decode_cursor(cursor, fingerprint) if cursor else {"f": fingerprint}
        raw = next(LedgerItem.query(household_id, page_size=limit, last_evaluated_key=state.get("k")).page_iter)
        last = raw.get("LastEvaluatedKey")
        return Page([json.loads(i["doc"]["S"]) for i in raw.get("Items", [])],
                    encode_cursor({"f": fingerprint, "k": last}) if last else None, scanned=raw.get("ScannedCount", 0))

    def counters(self, keys):
        found = {}
        for start in range(0, len(keys), 100):
            request = {CounterItem.Meta.table_name: {"Keys": [{"name": {"S": k}} for k in keys[start:start + 100]]}}
            for raw in _batch_get(request).get(CounterItem.Meta.table_name, []):
                found[raw["name"]["S"]] = int(raw.get("value", {"N": "0"})["N"])
        return found

    def stock(self, keys):
        if not keys:
            return {}
        found = _batch_get({StockItem.Meta.table_name: {"Keys": [{"key": {"S": k}} for k in keys],
                                                        "ConsistentRead": True}})
        return {raw["key"]["S"]: int(raw.get("stock", {"N": "0"})["N"]) for raw in found.get(StockItem.Meta.table_name, [])}

    def restock(self, key, quantity):
        item = StockItem(key)
        item.update(actions=[StockItem.stock.add(quantity)])
        return int(item.stock)

    def households_in_grid(self, grid):
        ids = [i.household_id for i in HouseholdItem.by_grid.query(grid)]
        return [Household.from_dict(i.doc) for i in HouseholdItem.batch_get(ids)] if ids else []
