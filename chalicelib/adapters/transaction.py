"""The one transaction of a unit of work: its Put and Update items, and what a cancellation of it means."""
from __future__ import annotations

import time

from chalicelib.adapters import outbox
from chalicelib.adapters.case_repository import case_item, inbox_links
from chalicelib.adapters.models import (ApiKeyItem, CaseItem, CounterItem, HouseholdItem, IdempotencyItem, LedgerItem,
                                        OrderItem, OutboxItem, ScorecardItem, StatItem, StockItem, TimelineItem,
                                        VisitItem, LISTED)
from chalicelib.domain import aggregates, points
from chalicelib.domain.privacy import mask_name
from chalicelib.services.unit_of_work import (AbstractUnitOfWork, IdempotencyRecord, SequenceClaim,
                                              StockChange)

IDEMPOTENCY_TTL_SECONDS = 24 * 3600
# the tables counters are ADDed to, with their key attribute
COUNTER_TABLES = {aggregates.STATS: (StatItem, "key"), aggregates.SCORECARDS: (ScorecardItem, "key"),
                  aggregates.COUNTERS: (CounterItem, "name")}


def transaction_request(uow: AbstractUnitOfWork) -> tuple[list[dict], list[dict], dict]:
    """The Put and Update items of a unit of work's one transaction, and where its idempotency record and its
    sequence claims and stock withdrawals sit among the transaction's items (cancellation reasons come back in that order: the Puts,
    then the Updates).

    Also what the cost benchmark meters: it sizes exactly these items (bench/cost/world.py).
    """
    added = {c.id for c in uow.cases.added}
    puts: list[dict] = []
    for case in uow.changed_cases():
        previous_version = case.version - len(case.new_entries)
        condition = (CaseItem.case_id.does_not_exist() if case.id in added
                     else CaseItem.version == previous_version)
        puts.append(case_item(case).get_save_kwargs_from_instance(condition=condition))
        puts += [TimelineItem(case.id, entry.seq, doc=entry.to_dict()).get_save_kwargs_from_instance(
            condition=TimelineItem.seq.does_not_exist()) for entry in case.new_entries]
        puts += [link.get_save_kwargs_from_instance() for link in inbox_links(case)]
    if uow.effects:   # one outbox item for all of the transaction's effects
        puts.append(outbox.to_item(uow.effects).get_save_kwargs_from_instance(
            condition=OutboxItem.outbox_id.does_not_exist()))
    puts += [HouseholdItem(h.id, grid=h.grid, version=h.version, doc=h.to_dict()).get_save_kwargs_from_instance(
        condition=HouseholdItem.household_id.does_not_exist()) for h in uow.households.added]
    # a household's version guards its ledger: two writers who read the same version cannot both commit
    puts += [HouseholdItem(h.id, grid=h.grid, version=h.version, doc=h.to_dict()).get_save_kwargs_from_instance(
        condition=HouseholdItem.version == uow.households.versions[h.id]) for h in uow.households.changed()]
    puts += [LedgerItem(household_id, entry.seq, doc=entry.to_dict()).get_save_kwargs_from_instance(
        condition=LedgerItem.seq.does_not_exist()) for household_id, entry in uow.ledger.added]
    puts += [CounterItem(name, value=value).get_save_kwargs_from_instance(condition=CounterItem.name.does_not_exist())
             for name, value in uow.once_marks]
    puts += [OrderItem(order["id"], supermarket=order["supermarket"], doc=order).get_save_kwargs_from_instance(
        condition=OrderItem.order_id.does_not_exist()) for order in uow.orders_added]
    puts += [ApiKeyItem(k.key_id, secret_hash=k.secret_hash, name=k.name, created_by=k.created_by,
                        created_at=k.created_at, revoked=k.revoked, listing=LISTED).get_save_kwargs_from_instance(
        condition=ApiKeyItem.key_id.does_not_exist()) for k in uow.api_keys_added]
    puts += [VisitItem(v.id, grid=v.grid, doc=v.to_dict()).get_save_kwargs_from_instance(
        condition=VisitItem.visit_id.does_not_exist()) for v in uow.visits_added]
    sequences = list(range(len(puts), len(puts) + len(uow.sequence_claims)))
    puts += [sequence_claim_put(claim) for claim in uow.sequence_claims.values()]
    idempotency_position = None
    if uow.idempotency:
        idempotency_position = len(puts)
        puts.append(idempotency_put(uow.idempotency))
    updates = counter_updates(aggregates.merge(uow.increments))
    stock_taken = [len(puts) + len(updates) + i for i, change in enumerate(uow.stock_changes) if change.delta < 0]
    updates += [stock_update(change) for change in uow.stock_changes]
    updates += [revocation(key_id) for key_id in uow.api_keys_revoked]
    rosters = list(range(len(puts) + len(updates), len(puts) + len(updates) + len(uow.households.added)))
    updates += [roster_update(h) for h in uow.households.added]
    return puts, updates, {"idempotency": idempotency_position, "sequences": sequences, "stock_taken": stock_taken,
                           "rosters": rosters}


def roster_update(household) -> dict:
    """A new household's masked name on its grid's roster (the public ranking's names), counted; refused once the
    grid holds MAX_HOUSEHOLDS_PER_GRID (the roster and the grid's month items stay far under 400 KB)."""
    return {"TableName": CounterItem.Meta.table_name, "Key": {"name": {"S": points.roster_key(household.grid)}},
            "UpdateExpression": "SET #h = :name ADD #n :one",
            "ConditionExpression": "attribute_not_exists(#n) OR #n < :most",
            "ExpressionAttributeNames": {"#h": household.id, "#n": "value"},
            "ExpressionAttributeValues": {":name": {"S": mask_name(household.head)}, ":one": {"N": "1"},
                                          ":most": {"N": str(points.MAX_HOUSEHOLDS_PER_GRID)}}}


def sequence_claim_put(claim: SequenceClaim) -> dict:
    """A sequence's next number as a transaction Put, conditional on the value the write read (or on no item)."""
    condition = (CounterItem.name.does_not_exist() | (CounterItem.value == 0)) if claim.read == 0 \
        else CounterItem.value == claim.read
    return CounterItem(claim.name, value=claim.claimed).get_save_kwargs_from_instance(condition=condition)


def idempotency_put(record: IdempotencyRecord) -> dict:
    """The idempotency record as a transaction Put that fails if a twin request committed first."""
    return IdempotencyItem(record.key, request_hash=record.request_hash, result=record.result,
                           expires_at=int(time.time()) + IDEMPOTENCY_TTL_SECONDS).get_save_kwargs_from_instance(
        condition=IdempotencyItem.key.does_not_exist())


def counter_updates(items: dict[tuple[str, str], dict[str, int]]) -> list[dict]:
    """One UpdateItem (ADD) per counter item; attribute names go through placeholders."""
    updates = []
    for (table, key), counters in sorted(items.items()):
        model, key_attribute = COUNTER_TABLES[table]
        names = {f"#a{i}": attribute for i, attribute in enumerate(counters)}
        values = {f":v{i}": {"N": str(delta)} for i, delta in enumerate(counters.values())}
        updates.append({"TableName": model.Meta.table_name, "Key": {key_attribute: {"S": key}},
                        "UpdateExpression": "ADD " + ", ".join(f"#a{i} :v{i}" for i in range(len(counters))),
                        "ExpressionAttributeNames": names, "ExpressionAttributeValues": values})
    return updates


def stock_update(change: StockChange) -> dict:
    """A withdrawal never below zero; an addition only onto the level the write read."""
    update = {"TableName": StockItem.Meta.table_name, "Key": {"key": {"S": change.key}},
              "UpdateExpression": "ADD #s :delta", "ExpressionAttributeNames": {"#s": "stock"},
              "ExpressionAttributeValues": {":delta": {"N": str(change.delta)}}}
    if change.delta < 0:
        update["ConditionExpression"] = "#s >= :quantity"
        update["ExpressionAttributeValues"][":quantity"] = {"N": str(-change.delta)}
    elif change.read is None:
        update["ConditionExpression"] = "attribute_not_exists(#s)"
    else:
        update["ConditionExpression"] = "#s = :read"
        update["ExpressionAttributeValues"][":read"] = {"N": str(change.read)}
    return update


def revocation(key_id: str) -> dict:
    """An API key revoked: kept (an audit trail), refused from now on."""
    return {"TableName": ApiKeyItem.Meta.table_name, "Key": {"key_id": {"S": key_id}},
            "UpdateExpression": "SET #r = :yes", "ConditionExpression": "attribute_exists(#k)",
            "ExpressionAttributeNames": {"#r": "revoked", "#k": "key_id"},
            "ExpressionAttributeValues": {":yes": {"BOOL": True}}}
