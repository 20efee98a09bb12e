"""The unit of work on DynamoDB: one read (BatchGetItem) and one transaction (TransactWriteItems) per write."""
from __future__ import annotations

import time

from pynamodb.exceptions import TransactWriteError

from chalicelib.adapters import outbox
from chalicelib.adapters.case_repository import DynamoCaseRepository, case_from_item
from chalicelib.adapters.dynamo import batch_get, cancellation_reasons, chunks, in_parallel, transact
from chalicelib.adapters.models import ApiKeyItem, CaseItem, CounterItem, HouseholdItem, IdempotencyItem
from chalicelib.adapters.repositories import DynamoHouseholdRepository, DynamoVisitRepository
from chalicelib.adapters.transaction import COUNTER_TABLES, raise_if_sequence_taken, transaction_request
from chalicelib.domain.errors import VersionConflict
from chalicelib.domain.household import Household
from chalicelib.services.unit_of_work import (AbstractUnitOfWork, ApiKeyRecord, DuplicateRequest,
                                              IdempotencyRecord)


class DynamoUnitOfWork(AbstractUnitOfWork):
    def __enter__(self):
        self.cases = DynamoCaseRepository()
        self.households = DynamoHouseholdRepository()
        self.visits = DynamoVisitRepository()
        return super().__enter__()

    def read_counters(self, table: str, keys: list[str]) -> dict[str, dict[str, int]]:
        """Counter items by key: one BatchGetItem per 100 keys, sent in parallel (one round trip)."""
        name = COUNTER_TABLES[table].Meta.table_name
        requests = [{name: {"Keys": [{"key": {"S": k}} for k in chunk]}} for chunk in chunks(keys)]
        return {raw["key"]["S"]: {a: int(v["N"]) for a, v in raw.items() if a != "key"}
                for found in in_parallel(batch_get, requests) for raw in found.get(name, [])}

    def _load(self, case_ids, idempotency_key):
        request = {}
        if case_ids:
            request[CaseItem.Meta.table_name] = {"Keys": [{"case_id": {"S": i}} for i in dict.fromkeys(case_ids)],
                                                 "ConsistentRead": True}
        if idempotency_key:
            request[IdempotencyItem.Meta.table_name] = {"Keys": [{"key": {"S": idempotency_key}}],
                                                        "ConsistentRead": True}
        preload = self.preloading   # sequences, households, API keys: in the same BatchGetItem
        for model, attribute, keys in ((CounterItem, "name", preload.sequences),
                                       (HouseholdItem, "household_id", preload.household_ids),
                                       (ApiKeyItem, "key_id", preload.api_key_ids)):
            if keys:
                request[model.Meta.table_name] = {"Keys": [{attribute: {"S": k}} for k in dict.fromkeys(keys)],
                                                  "ConsistentRead": True}
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
        """What the BatchGetItem found of the preload's keys (absent keys: 0, None, None)."""
        preload = self.preloading
        self.sequences.update({name: 0 for name in preload.sequences})
        for raw in items.get(CounterItem.Meta.table_name, []):
            self.sequences[raw["name"]["S"]] = int(raw.get("value", {}).get("N", "0"))
        self.households.seen.update({i: None for i in preload.household_ids})
        for raw in items.get(HouseholdItem.Meta.table_name, []):
            self.households.seen[raw["household_id"]["S"]] = Household.from_dict(HouseholdItem.from_raw_data(raw).doc)
        self.api_keys.update({i: None for i in preload.api_key_ids})
        for raw in items.get(ApiKeyItem.Meta.table_name, []):
            item = ApiKeyItem.from_raw_data(raw)
            self.api_keys[item.key_id] = ApiKeyRecord(item.key_id, item.secret_hash, bool(item.revoked))

    def find_idempotency(self, key: str) -> IdempotencyRecord | None:
        try:
            item = IdempotencyItem.get(key, consistent_read=True)
        except IdempotencyItem.DoesNotExist:
            return None
        if item.expires_at < time.time():
            return None
        return IdempotencyRecord(item.key, item.request_hash, item.result)

    def commit(self) -> None:
        """One TransactWriteItems: the changes, their timeline, inbox links, outbox, counters, idempotency."""
        changed = self.changed_cases()
        puts, updates, idempotency_position = transaction_request(self)
        for attempt in range(3):
            try:
                transact(puts, updates)
                break
            except TransactWriteError as exc:
                reasons = cancellation_reasons(exc)
                if idempotency_position is not None and len(reasons) > idempotency_position \
                        and reasons[idempotency_position] == "ConditionalCheckFailed":
                    raise DuplicateRequest(self.idempotency.key) from None
                raise_if_sequence_taken(puts, reasons)  # a concurrent write claimed the number first: re-read
                if "ConditionalCheckFailed" in reasons:
                    raise VersionConflict("the case was changed by someone else; read it again and retry") from None
                if "TransactionConflict" in reasons and attempt < 2:
                    time.sleep(0.05 * (attempt + 1))  # another transaction held a shared counter: try again
                    continue
                raise  # throttling, conflicts that persist, AWS errors: nothing was written; the API answers 503
        for case in changed:
            case.new_entries.clear()
        self.cases.added.clear()
        self.households.added.clear()
        self.visits_added.clear()
        self.sequence_claims = {}
        self.increments = []
        committed, self.effects = self.effects, []
        outbox.carry_out_all(committed)  # best effort now; the relay retries what fails
