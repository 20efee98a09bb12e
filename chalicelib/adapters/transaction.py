"""The one transaction of a unit of work: its Put and Update items, and what a cancellation of it means."""
from __future__ import annotations

import time

from chalicelib.adapters import outbox
from chalicelib.adapters.case_repository import case_item, inbox_links
from chalicelib.adapters.models import (CaseItem, CounterItem, HouseholdItem, IdempotencyItem, OutboxItem, ScorecardItem,
                                        StatItem, TimelineItem, VisitItem)
from chalicelib.domain import aggregates
from chalicelib.services.unit_of_work import AbstractUnitOfWork, IdempotencyRecord, SequenceClaim, SequenceTaken

IDEMPOTENCY_TTL_SECONDS = 24 * 3600
COUNTER_TABLES = {aggregates.STATS: StatItem, aggregates.SCORECARDS: ScorecardItem}


def transaction_request(uow: AbstractUnitOfWork) -> tuple[list[dict], list[dict], int | None]:
    """The Put and Update items of a unit of work's one transaction, and where its idempotency record sits.

    Also what the cost benchmark meters: it sizes exactly these items (bench/cost/world.py).
    """
    added = {c.id for c in uow.cases.added}
    puts: list[dict] = []
    for case in uow.changed_cases():
        previous_version = case.version - len(case.new_entries)
        condition = (CaseItem.case_id.does_not_exist() if case.id in added
                     else CaseItem.version == previous_version)
        puts.append(case_item(case).get_save_kwargs_from_instance(condition=condition))
        puts += [TimelineItem(case.id, entry.seq, doc=vars(entry)).get_save_kwargs_from_instance(
            condition=TimelineItem.seq.does_not_exist()) for entry in case.new_entries]
        puts += [link.get_save_kwargs_from_instance() for link in inbox_links(case)]
    if uow.effects:   # one outbox item for all of the transaction's effects
        puts.append(outbox.to_item(uow.effects).get_save_kwargs_from_instance(
            condition=OutboxItem.outbox_id.does_not_exist()))
    puts += [HouseholdItem(h.id, grid=h.grid, version=h.version, doc=h.to_dict()).get_save_kwargs_from_instance(
        condition=HouseholdItem.household_id.does_not_exist()) for h in uow.households.added]
    puts += [VisitItem(v.id, grid=v.grid, doc=v.to_dict()).get_save_kwargs_from_instance(
        condition=VisitItem.visit_id.does_not_exist()) for v in uow.visits_added]
    puts += [sequence_claim_put(claim) for claim in uow.sequence_claims.values()]
    idempotency_position = None
    if uow.idempotency:
        idempotency_position = len(puts)
        puts.append(idempotency_put(uow.idempotency))
    return puts, counter_updates(aggregates.merge(uow.increments)), idempotency_position


def sequence_claim_put(claim: SequenceClaim) -> dict:
    """A sequence's next number as a transaction Put, conditional on the value the write read (or on no item)."""
    condition = (CounterItem.name.does_not_exist() | (CounterItem.value == 0)) if claim.read == 0 \
        else CounterItem.value == claim.read
    return CounterItem(claim.name, value=claim.claimed).get_save_kwargs_from_instance(condition=condition)


def raise_if_sequence_taken(puts: list[dict], reasons: list) -> None:
    """SequenceTaken if a cancelled transaction failed on a sequence claim (the only counters-table Puts)."""
    for put, reason in zip(puts, reasons):  # the Puts lead the TransactItems (no checks or deletes before them)
        if reason == "ConditionalCheckFailed" and put.get("TableName") == CounterItem.Meta.table_name:
            raise SequenceTaken("a concurrent report took this case number; read again and retry") from None


def idempotency_put(record: IdempotencyRecord) -> dict:
    """The idempotency record as a transaction Put that fails if a twin request committed first."""
    return IdempotencyItem(record.key, request_hash=record.request_hash, result=record.result,
                           expires_at=int(time.time()) + IDEMPOTENCY_TTL_SECONDS).get_save_kwargs_from_instance(
        condition=IdempotencyItem.key.does_not_exist())


def counter_updates(items: dict[tuple[str, str], dict[str, int]]) -> list[dict]:
    """One UpdateItem (ADD) per counter item; attribute names go through placeholders."""
    updates = []
    for (table, key), counters in sorted(items.items()):
        names = {f"#a{i}": attribute for i, attribute in enumerate(counters)}
        values = {f":v{i}": {"N": str(delta)} for i, delta in enumerate(counters.values())}
        updates.append({"TableName": COUNTER_TABLES[table].Meta.table_name, "Key": {"key": {"S": key}},
                        "UpdateExpression": "ADD " + ", ".join(f"#a{i} :v{i}" for i in range(len(counters))),
                        "ExpressionAttributeNames": names, "ExpressionAttributeValues": values})
    return updates
