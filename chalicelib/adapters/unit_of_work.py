"""The unit of work on DynamoDB: one read (BatchGetItem) and one transaction (TransactWriteItems) per write."""
from __future__ import annotations

import json
import time

from pynamodb.exceptions import TransactWriteError

from chalicelib.adapters import outbox
from chalicelib.adapters.case_repository import DynamoCaseRepository, case_from_item
from chalicelib.adapters.dynamo import batch_get, cancellation_reasons, chunks, in_parallel, transact
from chalicelib.adapters.models import (ApiKeyItem, CaseItem, CounterItem, HouseholdItem, IdempotencyItem, LedgerItem,
                                        StockItem)
from chalicelib.adapters.repositories import (DynamoHouseholdRepository, DynamoLedgerRepository, DynamoVisitRepository,
                                              api_key_from_item, stock_levels)
from chalicelib.adapters.transaction import COUNTER_TABLES, transaction_request
from chalicelib.domain import points
from chalicelib.domain.errors import OutOfStock, VersionConflict
from chalicelib.domain.household import Household
from chalicelib.services.dispatcher import EffectCarrier
from chalicelib.services.unit_of_work import AbstractUnitOfWork, DuplicateRequest, IdempotencyRecord, SequenceTaken


class DynamoUnitOfWork(AbstractUnitOfWork):
    def __init__(self, carrier: EffectCarrier | None = None):
        self.carrier = carrier or outbox.AwsCarrier()

    def __enter__(self):
        self.cases = DynamoCaseRepository()
        self.households = DynamoHouseholdRepository()
        self.visits = DynamoVisitRepository()
        self.ledger = DynamoLedgerRepository()
        return super().__enter__()

    def read_counters(self, table: str, keys: list[str]) -> dict[str, dict[str, int]]:
        """Counter items by key: one BatchGetItem per 100 keys, sent in parallel (one round trip)."""
        model, key = COUNTER_TABLES[table]
        name = model.Meta.table_name
        requests = [{name: {"Keys": [{key: {"S": k}} for k in chunk]}} for chunk in chunks(keys)]
        return {raw[key]["S"]: {a: int(v["N"]) for a, v in raw.items() if a != key}
                for found in in_parallel(batch_get, requests) for raw in found.get(name, [])}

    def read_stock(self, keys: list[str]) -> dict[str, int]:
        return stock_levels(keys)

    def _load(self, case_ids, idempotency_key):
        request = {}
        if case_ids:
            request[CaseItem.Meta.table_name] = {"Keys": [{"case_id": {"S": i}} for i in dict.fromkeys(case_ids)],
                                                 "ConsistentRead": True}
        if idempotency_key:
            request[IdempotencyItem.Meta.table_name] = {"Keys": [{"key": {"S": idempotency_key}}],
                                                        "ConsistentRead": True}
        preload = self.preloading   # sequences, counters, households, API keys, stock: in the same BatchGetItem
        for model, attribute, keys in ((CounterItem, "name", preload.sequences + preload.counter_names),
                                       (HouseholdItem, "household_id", preload.household_ids),
                                       (ApiKeyItem, "key_id", preload.api_key_ids),
                                       (StockItem, "key", preload.stock_keys)):
            if keys:
                request[model.Meta.table_name] = {"Keys": [{attribute: {"S": k}} for k in dict.fromkeys(keys)],
                                                  "ConsistentRead": True}
        if preload.ledger_entries:
            request[LedgerItem.Meta.table_name] = {"ConsistentRead": True, "Keys": [
                {"household_id": {"S": h}, "seq": {"N": str(seq)}} for h, seq in dict.fromkeys(preload.ledger_entries)]}
        items = batch_get(request) if request else {}
        cases = {i["case_id"]["S"]: case_from_item(CaseItem.from_raw_data(i))
                 for i in items.get(CaseItem.Meta.table_name, [])}
        record = None
        for raw in items.get(IdempotencyItem.Meta.table_name, []):
            item = IdempotencyItem.from_raw_data(raw)
            if item.expires_at >= time.time():
                record = IdempotencyRecord(item.key, item.request_hash, item.result)
        self._preloaded(items)
        return cases, record

    def _preloaded(self, items: dict[str, list]) -> None:
        """What the BatchGetItem found of the preload's keys (absent: a sequence 0, anything else None)."""
        preload = self.preloading
        self.sequences.update({name: 0 for name in preload.sequences})
        self.counters.update({name: None for name in preload.counter_names})
        for raw in items.get(CounterItem.Meta.table_name, []):
            name, value = raw["name"]["S"], int(raw.get("value", {}).get("N", "0"))
            if name in preload.sequences:
                self.sequences[name] = value
            if name in preload.counter_names:
                self.counters[name] = value
        found = {raw["household_id"]["S"]: Household.from_dict(HouseholdItem.from_raw_data(raw).doc)
                 for raw in items.get(HouseholdItem.Meta.table_name, [])}
        for household_id in preload.household_ids:
            self.households.loaded(household_id, found.get(household_id))
        self.api_keys.update({i: None for i in preload.api_key_ids})
        for raw in items.get(ApiKeyItem.Meta.table_name, []):
            record = api_key_from_item(ApiKeyItem.from_raw_data(raw))
            self.api_keys[record.key_id] = record
        self.ledger_entries.update({entry: None for entry in preload.ledger_entries})
        for raw in items.get(LedgerItem.Meta.table_name, []):
            self.ledger_entries[(raw["household_id"]["S"], int(raw["seq"]["N"]))] = json.loads(raw["doc"]["S"])
        self.stock.update({key: None for key in preload.stock_keys})
        for raw in items.get(StockItem.Meta.table_name, []):
            self.stock[raw["key"]["S"]] = int(raw.get("stock", {"N": "0"})["N"])

    def find_idempotency(self, key: str) -> IdempotencyRecord | None:
        try:
            item = IdempotencyItem.get(key, consistent_read=True)
        except IdempotencyItem.DoesNotExist:
            return None
        if item.expires_at < time.time():
            return None
        return IdempotencyRecord(item.key, item.request_hash, item.result)

    def _commit(self) -> None:
        """One TransactWriteItems: cases with their timeline and inbox links, households, ledger entries, orders,
        stock, API keys, counters, the outbox item and the idempotency record."""
        puts, updates, positions = transaction_request(self)
        for attempt in range(3):
            try:
                transact(puts, updates)
                return
            except TransactWriteError as exc:
                reasons = cancellation_reasons(exc)

                def failed(position):
                    return position is not None and len(reasons) > position \
                        and reasons[position] == "ConditionalCheckFailed"

                if failed(positions["idempotency"]):
                    raise DuplicateRequest(self.idempotency.key) from None
                if any(failed(position) for position in positions["sequences"]):   # a concurrent write claimed
                    raise SequenceTaken("a concurrent report took this case number; read again and retry") from None
                if any(failed(position) for position in positions["stock_taken"]):
                    raise OutOfStock("the item is out of stock") from None
                full = [h.grid for h, position in zip(self.households.added, positions["rosters"]) if failed(position)]
                if full:   # a concurrent registration filled the grid
                    raise points.grid_full(full[0]) from None
                if "ConditionalCheckFailed" in reasons:
                    what = "the case" if self.changed_cases() else "what this write read"
                    raise VersionConflict(f"{what} was changed by someone else; read it again and retry") from None
                if "TransactionConflict" in reasons and attempt < 2:
                    time.sleep(0.05 * (attempt + 1))  # another transaction held a shared counter: try again
                    continue
                raise  # throttling, conflicts that persist, AWS errors: nothing was written; the API answers 503
