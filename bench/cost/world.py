"""The in-memory AWS of the cost benchmark: the services run unchanged over counting adapters.

Every adapter answers like the tests' in-memory fakes (support/fakes.py) and records what the DynamoDB/S3/SQS/Step
Functions adapters would send instead: the transaction items come from the real adapter's own request builder
(`transaction.transaction_request`), so their sizes are the deployed sizes. Timers are simulated from the real ASL's
shape: an execution enters its first Wait once at start, and each notice it sends enters the states the ASL
leads through back to that Wait (or to its end, for the last), counted from chalicelib/timer.asl.json itself;
bench/timer_transitions.py checks the result against moto's execution history.
"""
from __future__ import annotations

import heapq
import itertools
import time
from dataclasses import dataclass, field
from datetime import datetime

from bench.cost.meter import Bill, DynamoMeter
from chalicelib.adapters import outbox, transaction
from chalicelib.adapters.models import (CaseItem, CounterItem, HouseholdItem, IdempotencyItem, ScorecardItem, StatItem,
                                        TimelineItem, WorkerIdempotencyItem)
from chalicelib.domain import aggregates
from chalicelib.services.dispatcher import EffectCarrier
from chalicelib.services.unit_of_work import Page
from support.fakes import FakeCaseRepository, FakeUnitOfWork, Store

COUNTER_TABLES = {StatItem.Meta.table_name: aggregates.STATS, ScorecardItem.Meta.table_name: aggregates.SCORECARDS}
def _notice_transitions() -> tuple[int, int]:
    """States a timer enters per notice sent, read from the ASL itself: from the state after the first Wait, the
    states up to the Wait again (more notices: a Choice's first branch) or to the end (a Choice's default). A
    last notice that leads back to the Wait is stopped there by the worker: the Wait counts, as it is entered."""
    import json

    from chalicelib import resources
    asl = json.loads(resources.TIMER_ASL.read_text())
    wait = asl["StartAt"]

    def walk(name: str, more: bool) -> int:
        state = asl["States"][name]
        if state["Type"] in ("Succeed", "Fail") or state.get("End"):
            return 1
        if state["Type"] == "Choice":
            following = state["Choices"][0]["Next"] if more else state["Default"]
        else:
            following = state["Next"]
        return 1 + (1 if following == wait else walk(following, more))

    first = asl["States"][wait]["Next"]
    return walk(first, True), walk(first, False)


TRANSITIONS_PER_NOTICE, TRANSITIONS_LAST_NOTICE = _notice_transitions()   # (2, 2) for chalicelib/timer.asl.json


@dataclass
class Invocation:
    """One Lambda invocation: its handler's own time (measured) and its AWS round trips (modelled)."""
    function: str
    kind: str = ""                                 # the work queue's kind of record (work_worker), else ""
    rounds: list = field(default_factory=list)    # kinds of sequential round trips, see LATENCY_MS
    started: float = field(default_factory=time.perf_counter)


class World:
    def __init__(self):
        self.bill = Bill()
        self.dynamo = DynamoMeter(self.bill)
        self.store = Store()
        self.events: list = []                     # (when, seq, kind, payload): timer notices and deliveries
        self.executions: dict[str, dict] = {}
        self.invocation: Invocation | None = None
        self.durations: dict[tuple, list] = {}     # (function, kind of work) -> [(own ms, rounds)]
        self._seq = itertools.count()
        self.now: datetime | None = None
        self.transitions_by_case: dict[str, int] = {}
        self.noticed_cases: set[str] = set()        # cases whose timers sent a notice (not handled on time)

    # -- Lambda invocations ----------------------------------------------------------------------------
    def begin(self, function: str, kind: str = "") -> None:
        self.invocation = Invocation(function, kind)

    def end(self) -> None:
        inv, self.invocation = self.invocation, None
        own_ms = (time.perf_counter() - inv.started) * 1000
        self.durations.setdefault((inv.function, inv.kind), []).append((own_ms, tuple(inv.rounds)))

    def round(self, kind: str, service: str, operation: str, calls: int = 1) -> None:
        self.bill.call(service, operation, calls)
        if self.invocation is not None:
            self.invocation.rounds.append(kind)

    def schedule(self, when: str | datetime, kind: str, payload) -> None:
        moment = when if isinstance(when, datetime) else datetime.fromisoformat(when.replace("Z", "+00:00"))
        heapq.heappush(self.events, (moment, next(self._seq), kind, payload))

    def _start(self, payload: dict) -> None:
        name, notices = payload["name"], payload["input"]["notices"]
        case_id = payload["input"]["timer"]["case_id"]
        self.executions[name] = {"stopped": False, "case_id": case_id}
        self._transitions(case_id, 1)                              # enters WaitForNotice
        for i, notice in enumerate(notices):
            self.schedule(notice["at"], "notice", (name, payload["input"]["timer"], notice, i == len(notices) - 1))

    def _transitions(self, case_id: str, n: int) -> None:
        self.bill.add("stepfunctions", "transitions", n)
        self.transitions_by_case[case_id] = self.transitions_by_case.get(case_id, 0) + n

    def fire_notice(self, name: str, timer: dict, notice: dict, last: bool) -> dict | None:
        """The execution sends its notice to the work queue, unless it was stopped before."""
        execution = self.executions.get(name)
        if execution is None or execution["stopped"]:
            return None
        self._transitions(execution["case_id"], TRANSITIONS_LAST_NOTICE if last else TRANSITIONS_PER_NOTICE)
        self.noticed_cases.add(execution["case_id"])
        self.bill.call("sqs", "SendMessage")
        self.bill.add("sqs", "requests")
        if last:
            execution["stopped"] = True
        return {"timer": timer, "notice": notice}


class MeteredCaseRepository(FakeCaseRepository):
    def __init__(self, world: World):
        super().__init__(world.store)
        self.world = world

    def _get(self, case_id):
        self.world.round("dynamodb_read", "dynamodb", "GetItem")
        self.world.dynamo.read(CaseItem.Meta.table_name, {"case_id": {"S": case_id}}, consistent=True)
        return super()._get(case_id)

    def list(self, query, counties):
        """One Query per partition (in parallel), then one BatchGetItem of the page. The page is the newest
        cases of the store: what is billed is the page's size, not which cases they are."""
        partitions = max(1, len(counties)) if not (query.department or query.queue_center or query.reporter
                                                   or query.grid) else 1
        self.world.round("dynamodb_read", "dynamodb", "Query", partitions)
        ids = list(itertools.islice(reversed(self.store.cases), query.limit))
        for _ in range(partitions):
            self.world.dynamo.query([_INDEX_ENTRY_BYTES] * len(ids))
        self.world.round("dynamodb_read", "dynamodb", "BatchGetItem")
        for i in ids:
            self.world.dynamo.read(CaseItem.Meta.table_name, {"case_id": {"S": i}}, consistent=False)
        return Page([self._cases([i])[i] for i in ids], None)

    def _cases(self, ids):
        return super()._get_many(ids)

    def timeline(self, case_id, limit, cursor):
        entries = self.store.timeline.get(case_id, [])[:limit]
        self.world.round("dynamodb_read", "dynamodb", "Query")
        self.world.dynamo.query([self.world.dynamo.size_of(TimelineItem.Meta.table_name, {
            "case_id": {"S": case_id}, "seq": {"N": str(e["seq"])}}) for e in entries])
        return Page(entries, None)

    def possible_duplicates(self, case, since_case_id, limit):
        """Two index Queries in parallel answered from the projection; a typical answer is one hint each."""
        self.world.round("dynamodb_read", "dynamodb", "Query", 2)
        self.world.dynamo.query([_INDEX_ENTRY_BYTES])
        self.world.dynamo.query([_INDEX_ENTRY_BYTES])
        return []


_INDEX_ENTRY_BYTES = 230   # a by-* index entry: keys + the listing attributes (measured on demo cases: 190-260)


class MeteredCarrier(EffectCarrier):
    """Outbox effects carried out right after the commit, as the AWS carrier does (in parallel: one round), each
    billed and simulated by the world; then the outbox item leaves the pending index."""

    def __init__(self, world: World):
        self.world = world

    def start_timer(self, effect):
        self.world.bill.call("stepfunctions", "StartExecution")
        self.world._start(effect.payload)

    def stop_timer(self, effect):
        self.world.bill.call("stepfunctions", "StopExecution")
        self.world.executions.get(effect.payload["name"], {})["stopped"] = True

    def notify(self, effect):
        self.world.bill.call("sqs", "SendMessage")
        self.world.bill.add("sqs", "requests")
        self.world.schedule(self.world.now, "notification", {"effect_id": effect.id, **effect.payload})

    def each(self, function, effects):
        self.world.round("aws_api", "effects", "parallel")
        return [function(e) for e in effects]

    def mark_done(self, tried, done):
        self.world.round("dynamodb_write", "dynamodb", "BatchWriteItem")   # mark done: leave the pending index
        item = outbox.to_item(tried)
        item.effects, item.pending, item.expires_at = [], None, 0
        self.world.dynamo.put(item.Meta.table_name, item.serialize(), transactional=False)


class MeteredUnitOfWork(FakeUnitOfWork):
    def __init__(self, world: World):
        super().__init__(world.store)
        self.world = world
        self.carrier = MeteredCarrier(world)

    def __enter__(self):
        super().__enter__()
        self.cases = MeteredCaseRepository(self.world)
        return self

    def _load(self, case_ids, idempotency_key):
        self.world.round("dynamodb_read", "dynamodb", "BatchGetItem")
        for case_id in dict.fromkeys(case_ids):
            self.world.dynamo.read(CaseItem.Meta.table_name, {"case_id": {"S": case_id}}, consistent=True)
        if idempotency_key:
            self.world.dynamo.read(IdempotencyItem.Meta.table_name, {"key": {"S": idempotency_key}}, True)
        for name in self.preloading.sequences:          # e.g. the case-number counter, in the same BatchGet
            self.world.dynamo.read(CounterItem.Meta.table_name, {"name": {"S": name}}, True)
        for household_id in self.preloading.household_ids:
            self.world.dynamo.read(HouseholdItem.Meta.table_name, {"household_id": {"S": household_id}}, True)
        return super()._load(case_ids, idempotency_key)

    def read_counters(self, table, keys):
        self.world.round("dynamodb_read", "dynamodb", "BatchGetItem")
        name = {aggregates.STATS: StatItem.Meta.table_name, aggregates.SCORECARDS: ScorecardItem.Meta.table_name}[table]
        for key in keys:
            self.world.dynamo.read(name, {"key": {"S": key}}, consistent=False)
        return super().read_counters(table, keys)

    def _commit(self):
        puts, updates, _ = transaction.transaction_request(self)
        super()._commit()
        self.world.round("dynamodb_transaction", "dynamodb", "TransactWriteItems")
        for put in puts:
            self.world.dynamo.put(put["TableName"], put["Item"], transactional=True)
        for update in updates:
            key = update["Key"]["key"]["S"]
            counters = self.store.counters_by_table[COUNTER_TABLES[update["TableName"]]][key]
            after = {"key": {"S": key}, **{a: {"N": str(v)} for a, v in counters.items()}}
            self.world.dynamo.update_to(update["TableName"], after, transactional=True)


def worker_idempotency(world: World, effect_id: str) -> None:
    """Powertools idempotency around a delivery: a conditional PutItem (in progress), then the result."""
    table = WorkerIdempotencyItem.Meta.table_name
    record = {"id": {"S": f"work_worker#{effect_id}"}, "expiration": {"N": "1800000000"},
              "status": {"S": "INPROGRESS"}, "in_progress_expiration": {"N": "1800000000000"}}
    world.round("dynamodb_write", "dynamodb", "PutItem")
    world.dynamo.put(table, record, transactional=False)
    world.round("dynamodb_write", "dynamodb", "UpdateItem")
    world.dynamo.put(table, {**record, "status": {"S": "COMPLETED"},
                             "data": {"S": '{"channel": "dingtalk", "status": "sent", "detail": ""}'}}, False)
