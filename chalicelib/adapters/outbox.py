"""The outbox on AWS: the item a transaction writes, the carrier of its effects (Step Functions, the work queue),
marking them done, and the relay's view of what is pending."""
from __future__ import annotations

import json
import time

from ulid import ULID

from chalicelib import resources
from chalicelib.adapters.aws import client
from chalicelib.adapters.dynamo import in_parallel
from chalicelib.adapters.models import OutboxItem
from chalicelib.services import dispatcher, timers
from chalicelib.services.dispatcher import EffectCarrier
from chalicelib.services.effects import Effect

DONE_TTL_SECONDS = 7 * 24 * 3600


def to_item(effects: list[Effect]) -> OutboxItem:
    """One transaction's effects as one pending outbox item, keyed by the first effect's id."""
    return OutboxItem(effects[0].id, effects=[vars(e) for e in effects], pending="1", attempts=0)


def _effects(item: OutboxItem) -> list[Effect]:
    return [Effect(kind=e["kind"], payload=e["payload"], id=e["id"]) for e in item.effects]


def execution_arn(name: str) -> str:
    state_machine = resources.timer_state_machine_arn()
    return state_machine.replace(":stateMachine:", ":execution:") + ":" + name


def stop_execution(name: str, cause: str) -> None:
    sfn = client("stepfunctions")
    try:
        sfn.stop_execution(executionArn=execution_arn(name), cause=cause)
    except sfn.exceptions.ExecutionDoesNotExist:
        pass  # never started, or already gone


class AwsCarrier(EffectCarrier):
    """Effects on AWS: timers are Step Functions executions, notifications go to the work queue. `items` are the
    outbox items the effects came from (the relay's); without them, the effects are one fresh transaction's."""

    def __init__(self, items: list[OutboxItem] | None = None):
        self.items = items

    def start_timer(self, effect: Effect) -> None:
        sfn = client("stepfunctions")
        payload = timers.state_machine_input(effect.payload["input"], resources.WORK.url())
        try:
            sfn.start_execution(stateMachineArn=resources.timer_state_machine_arn(), name=effect.payload["name"],
                                input=json.dumps(payload))
        except sfn.exceptions.ExecutionAlreadyExists:
            pass  # started before: the name is the timer's identity

    def stop_timer(self, effect: Effect) -> None:
        stop_execution(effect.payload["name"], "stage ended")

    def notify(self, effect: Effect) -> None:
        client("sqs").send_message(QueueUrl=resources.WORK.url(),
                                   MessageBody=json.dumps({"effect_id": effect.id, **effect.payload}))

    def each(self, function, effects):
        return in_parallel(function, effects)   # one round trip of latency

    def mark_done(self, tried: list[Effect], done: list[Effect]) -> None:
        """One BatchWriteItem: an item whose effects all succeeded leaves the pending index and expires in a week;
        one with failures is rewritten with only those, still pending."""
        done_ids = {e.id for e in done}
        expires = int(time.time()) + DONE_TTL_SECONDS
        with OutboxItem.batch_write() as batch:
            for item in self.items if self.items is not None else [to_item(tried)]:
                left = [e for e in item.effects if e["id"] not in done_ids]
                if not left:
                    batch.save(OutboxItem(item.outbox_id, effects=[], pending=None, attempts=item.attempts,
                                          expires_at=expires))
                else:
                    batch.save(OutboxItem(item.outbox_id, effects=left, pending="1",
                                          attempts=(item.attempts or 0) + 1))


def relay(older_than_seconds: float, limit: int = 100) -> tuple[int, int, float]:
    """Retry the pending items older than `older_than_seconds`: one Query of the keys-only index (oldest
    first), one BatchGetItem, the effects, one BatchWriteItem. Returns effects tried, effects done, and the
    age in seconds of the oldest item still pending afterwards."""
    now = time.time()
    keys = [i.outbox_id for i in OutboxItem.by_pending.query("1", limit=limit)]
    cutoff = str(ULID.from_timestamp(now - older_than_seconds))
    stuck = [k for k in keys if k < cutoff]
    items = [i for i in OutboxItem.batch_get(stuck) if i.pending] if stuck else []
    tried = [e for item in items for e in _effects(item)]
    done = dispatcher.dispatch(tried, AwsCarrier(items))
    done_ids = {e.id for e in done}
    finished = {i.outbox_id for i in items if all(e["id"] in done_ids for e in i.effects)}
    remaining = [k for k in keys if k not in finished]
    oldest = max(0.0, now - ULID.from_str(remaining[0]).timestamp) if remaining else 0.0
    return len(tried), len(done), oldest
