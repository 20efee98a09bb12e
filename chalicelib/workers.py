"""The work queue's worker and the outbox relay: the same functions run in Lambda (via app.py) and in the
local worker.

One queue carries three kinds of work (resources.WORK), told apart by the record's body:
- a deadline notice, `{"timer": ..., "notice": ...}`, sent by the timer state machine's SendNotice task;
- a photo upload, the photo bucket's S3 event (`{"Records": [{"s3": ...}]}`, or S3's `s3:TestEvent`);
- a notification, `{"effect_id": ..., "channel": ..., ...}`, sent by the outbox's NOTIFY effect.
`work_batch` takes the Lambda event dict and answers Powertools' partial-batch reply, so one bad record is
retried alone (the CDK stack switches on ReportBatchItemFailures), whatever its kind. A failed
record comes back after an exponential backoff (10 s, 20 s, ... at most 15 minutes) and, after the queue's
maxReceiveCount deliveries, goes to the dead-letter queue; a record that can never succeed (an undeliverable
notification, a body of no known kind) goes there at once.
"""
from __future__ import annotations

import json
import os

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from chalicelib import entrypoints, environment, metrics, resources, runtime
from chalicelib.logs import PersonalDataFilter
from chalicelib.domain import workdays

logger = Logger(service=resources.NAMES.deployment)
logger.addFilter(PersonalDataFilter())  # PIPL: no phone or ID number in a log line


def _count(name: str, dimensions: dict | None = None, value: float = 1, unit=MetricUnit.Count) -> None:
    if name not in metrics.WATCHED:   # nothing reads it as a metric: a log line costs nothing extra
        logger.info("metric", extra={"metric": name, "value": value, **(dimensions or {})})
        return
    if os.environ.get("POWERTOOLS_METRICS_DISABLED", "").lower() == "true":
        return  # single_metric does not honour Powertools' switch itself (the local stack sets it)
    with single_metric(name=name, unit=unit, value=value, namespace=metrics.NAMESPACE) as metric:
        metric.add_dimension(name="service", value=resources.NAMES.deployment)
        for key, val in (dimensions or {}).items():
            metric.add_dimension(name=key, value=val)


def calendar_fallback(year: int) -> None:
    logger.warning("chinesecalendar does not cover this year: Monday-Friday plus county overrides",
                   extra={"year": year})
    _count(metrics.CALENDAR_FALLBACK, {"year": str(year)})


workdays.report_fallbacks_with(calendar_fallback)  # the local worker and Lambda workers alike


DEADLINE, PHOTO, NOTIFICATION, UNKNOWN = metrics.WORK_KINDS   # also the metrics' `kind` dimension
DELIVERY_RECORD_SECONDS = 7 * 24 * 3600   # a notification's idempotency record (TTL): redeliveries within a week


def kind_of(body) -> str:
    """Which kind of work a record's body is (UNKNOWN: none the worker knows)."""
    if not isinstance(body, dict):
        return UNKNOWN
    if "timer" in body and "notice" in body:
        return DEADLINE
    if "effect_id" in body and "channel" in body:
        return NOTIFICATION
    records = body.get("Records")
    if isinstance(records, list) and records and all(isinstance(r, dict) and "s3" in r for r in records):
        return PHOTO
    if body.get("Event") == "s3:TestEvent":   # S3 checks the queue when the bucket notification is configured
        return PHOTO
    return UNKNOWN


def handle_deadline(message: dict, context=None) -> None:
    """A timer's notice: warn, escalate, auto-close."""
    from chalicelib.services import deadlines
    outcome = deadlines.handle_notice(runtime.new_uow(), runtime.config(), message, runtime.clock())
    logger.info("deadline notice", extra={"kind": DEADLINE, "outcome": outcome.action, "stage": outcome.stage,
                                          "level": outcome.level})
    if outcome.action == "warned":
        _count(metrics.DEADLINE_WARNED, {"stage": outcome.stage})
    if outcome.action in ("escalated", "breached"):
        _count(metrics.DEADLINE_BREACHED, {"stage": outcome.stage})
    if outcome.action == "escalated":
        _count(metrics.CASE_ESCALATED, {"level": outcome.level})
    if outcome.action == "auto_closed":
        _count(metrics.AUTO_CLOSED)
    if message.get("last"):   # the timer waits on its trailing link (chalicelib/timer.asl.json): done with it
        from chalicelib.adapters.outbox import stop_execution
        stop_execution(message["timer"]["name"], "last notice handled")


def handle_photo(event: dict, context=None) -> None:
    """S3 ObjectCreated events of the photo bucket: decode fully, attach or quarantine."""
    from urllib.parse import unquote_plus

    from chalicelib.adapters import images
    from chalicelib.services import photos
    for s3_record in event.get("Records", []):  # S3 test events carry none
        key = unquote_plus(s3_record["s3"]["object"]["key"])
        outcome = photos.process_upload(runtime.new_uow(), runtime.config(), runtime.photo_store(),
                                        images.validate, key, runtime.clock())
        logger.info("photo upload", extra={"kind": PHOTO, "outcome": outcome.action, "reason": outcome.reason})
        if outcome.action == "attached":
            _count(metrics.PHOTO_ACCEPTED)
        elif outcome.action == "rejected":
            _count(metrics.PHOTO_REJECTED, {"reason": outcome.reason})


RETRY_BASE_SECONDS = float(os.environ.get(environment.WORK_RETRY_BASE_SECONDS, "10"))
RETRY_MAX_SECONDS = 900
_delivery = {}


def _idempotent_delivery(context=None):
    """Powertools Idempotency keyed on the outbox effect id: a message delivered twice is sent once."""
    if "deliver" not in _delivery:
        from aws_lambda_powertools.utilities.idempotency import (DynamoDBPersistenceLayer, IdempotencyConfig,
                                                                 idempotent_function)

        from chalicelib.adapters import notifier
        from chalicelib.adapters.models import WorkerIdempotencyItem

        store = DynamoDBPersistenceLayer(table_name=WorkerIdempotencyItem.Meta.table_name)
        config = IdempotencyConfig(event_key_jmespath="effect_id", expires_after_seconds=DELIVERY_RECORD_SECONDS)

        @idempotent_function(data_keyword_argument="message", persistence_store=store, config=config)
        def deliver(message: dict) -> dict:
            def read_case(case_id):
                with runtime.new_uow() as uow:
                    return uow.cases.get(case_id)
            result = notifier.deliver(message, runtime.config(), read_case)
            return {"channel": result.channel, "status": result.status, "detail": result.detail}

        _delivery["deliver"], _delivery["config"] = deliver, config
    if context is not None:
        _delivery["config"].register_lambda_context(context)
    return _delivery["deliver"]


class Hopeless(Exception):
    """A record that can never succeed: the worker moves it to the dead-letter queue at once."""


def handle_notification(message: dict, context=None) -> None:
    """An outbound notice. A failure worth retrying raises (the record comes back with backoff); a hopeless one
    raises Hopeless (straight to the dead-letter queue). Never touches cases."""
    from chalicelib.services.notify import TryLater, Undeliverable
    deliver = _idempotent_delivery(context)
    try:
        result = deliver(message=message)
    except TryLater:
        _count(metrics.NOTIFICATION_FAILED, {"channel": message.get("channel", "?")})
        raise
    except Undeliverable as hopeless:
        _count(metrics.NOTIFICATION_FAILED, {"channel": message.get("channel", "?")})
        raise Hopeless(f"notification undeliverable: {hopeless}") from hopeless
    logger.info("notification", extra={"kind": NOTIFICATION, "effect_id": message.get("effect_id"), **result})
    if result["status"] == "sent":
        _count(metrics.NOTIFICATION_SENT, {"channel": result["channel"]})


HANDLERS = {DEADLINE: handle_deadline, PHOTO: handle_photo, NOTIFICATION: handle_notification}


def _retry_later(record) -> None:
    """The failed record's next delivery in RETRY_BASE_SECONDS * 2^(deliveries - 1), at most 15 minutes."""
    from chalicelib.adapters.aws import client
    receives = int(record.attributes.approximate_receive_count or 1)
    delay = int(min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** (receives - 1)))
    try:
        client("sqs").change_message_visibility(QueueUrl=resources.WORK.url(), ReceiptHandle=record.receipt_handle,
                                                VisibilityTimeout=delay)
    except Exception:   # it comes back after the queue's visibility timeout instead
        logger.warning("could not set the retry delay of a failed record", exc_info=True,
                       extra={"message_id": record.message_id})


def _dead_letter(record) -> None:
    from chalicelib.adapters.aws import client
    client("sqs").send_message(QueueUrl=resources.WORK.dlq_url(), MessageBody=record.body)


def work_batch(event: dict, context=None) -> dict:
    """One batch of the work queue: each record goes to the handler of its kind."""

    def handle(record):
        kind = UNKNOWN
        try:
            body = json.loads(record.body)
            kind = kind_of(body)
            if kind == UNKNOWN:
                raise Hopeless("a body of no known kind")
            HANDLERS[kind](body, context)
        except (Hopeless, json.JSONDecodeError) as hopeless:
            _count(metrics.WORK_RECORD_FAILED, {"kind": kind})
            logger.error("dead-lettered at once", extra={"kind": kind, "message_id": record.message_id,
                                                          "effect_id": _effect_id(record.body),
                                                          "reason": str(hopeless)})
            _dead_letter(record)
        except Exception:
            _count(metrics.WORK_RECORD_FAILED, {"kind": kind})
            logger.warning("record failed; it comes back later", exc_info=True,
                           extra={"kind": kind, "message_id": record.message_id})
            _retry_later(record)
            raise

    with entrypoints.running_as(entrypoints.WORK_WORKER):
        return process_partial_response(event=event, record_handler=handle,
                                        processor=BatchProcessor(event_type=EventType.SQS), context=context)


def _effect_id(body: str):
    try:
        return json.loads(body).get("effect_id")
    except (ValueError, AttributeError):
        return None


def relay(event: dict | None = None, context=None, older_than_seconds: float = 60) -> dict:
    """Carry out outbox effects that were not done right after their commit; report the oldest one's age."""
    from chalicelib.adapters import outbox
    with entrypoints.running_as(entrypoints.OUTBOX_RELAY):
        tried, done, age = outbox.relay(older_than_seconds)
    if age > 0:   # only while something is pending: a stream reported every minute is billed all month
        _count(metrics.OUTBOX_OLDEST_AGE, value=age, unit=MetricUnit.Seconds)
    if done < tried:
        _count(metrics.OUTBOX_FAILED, value=tried - done)
    return {"retried": tried, "done": done, "oldest_pending_age_seconds": age}
