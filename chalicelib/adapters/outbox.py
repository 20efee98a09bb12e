"""Carrying out outbox effects on AWS, marking them done, and the relay's view of what is pending."""
from __future__ import annotations

import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from ulid import ULID

from chalicelib import resources
from chalicelib.adapters.aws import client
from chalicelib.adapters.models import OutboxItem
from chalicelib.services import timers
from chalicelib.services.effects import NOTIFY, START_TIMER, STOP_TIMER, Effect

log = logging.getLogger("gridloop.outbox")
DONE_TTL_SECONDS = 7 * 24 * 3600


def to_item(effect: Effect) -> OutboxItem:
    return OutboxItem(effect.id, kind=effect.kind, payload=effect.payload, pending="1", attempts=0)


def execution_arn(name: str) -> str:
    state_machine = resources.timer_state_machine_arn()
    return state_machine.replace(":stateMachine:", ":execution:") + ":" + name


def carry_out(effect: Effect) -> None:
    """Do one effect; doing it twice has one result (raises on a failure worth retrying)."""
    if effect.kind == START_TIMER:
        sfn = client("stepfunctions")
        payload = timers.state_machine_input(effect.payload["input"], resources.DEADLINES.url())
        try:
            sfn.start_execution(stateMachineArn=resources.timer_state_machine_arn(), name=effect.payload["name"],
                                input=json.dumps(payload))
        except sfn.exceptions.ExecutionAlreadyExists:
            pass  # started before: the name is the timer's identity
    elif effect.kind == STOP_TIMER:
        sfn = client("stepfunctions")
        try:
            sfn.stop_execution(executionArn=execution_arn(effect.payload["name"]), cause="stage ended")
        except sfn.exceptions.ExecutionDoesNotExist:
            pass  # never started, or already gone
    elif effect.kind == NOTIFY:
        client("sqs").send_message(QueueUrl=resources.NOTIFICATIONS.url(),
                                   MessageBody=json.dumps({"effect_id": effect.id, **effect.payload}))
    else:
        raise ValueError(f"unknown effect kind {effect.kind}")


def carry_out_all(effects: list[Effect]) -> list[Effect]:
    """Carry out effects in parallel (one round trip of latency); returns those that succeeded."""
    if not effects:
        return []

    def attempt(effect):
        try:
            carry_out(effect)
            return effect
        except Exception:
            log.warning("effect %s (%s) failed; the relay will retry it", effect.id, effect.kind, exc_info=True)
            return None

    with ThreadPoolExecutor(max_workers=min(8, len(effects))) as pool:
        done = [e for e in pool.map(attempt, effects) if e is not None]
    mark_done(done)
    return done


def mark_done(effects: list[Effect]) -> None:
    """One BatchWriteItem: the items lose `pending` (leaving the relay's index) and expire in a week."""
    if not effects:
        return
    expires = int(time.time()) + DONE_TTL_SECONDS
    with OutboxItem.batch_write() as batch:
        for e in effects:
            batch.save(OutboxItem(e.id, kind=e.kind, payload=e.payload, pending=None, expires_at=expires))


def pending(older_than_seconds: float, limit: int = 100) -> list[Effect]:
    """Pending effects created more than `older_than_seconds` ago, oldest first (one Query)."""
    cutoff = str(ULID.from_timestamp(time.time() - older_than_seconds))
    items = OutboxItem.by_pending.query("1", range_key_condition=OutboxItem.effect_id < cutoff, limit=limit)
    return [Effect(kind=i.kind, payload=i.payload, id=i.effect_id) for i in items]


def oldest_pending_age_seconds() -> float:
    items = list(OutboxItem.by_pending.query("1", limit=1))
    if not items:
        return 0.0
    created = ULID.from_str(items[0].effect_id).datetime
    return max(0.0, (datetime.now(timezone.utc) - created).total_seconds())
