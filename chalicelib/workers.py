"""SQS workers and the outbox relay: the same functions run in Lambda (via app.py) and in the local worker.

Each takes the Lambda event dict and answers Powertools' partial-batch reply, so one bad record is retried
alone (the CDK stack switches on ReportBatchItemFailures; DESIGN §10).
"""
from __future__ import annotations

import json
import os

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from chalicelib import metrics, resources, runtime
from chalicelib.logs import PersonalDataFilter
from chalicelib.services import calendar

logger = Logger(service=metrics.SERVICE)
logger.addFilter(PersonalDataFilter())  # PIPL: no phone or ID number in a log line


def _count(name: str, dimensions: dict | None = None, value: float = 1, unit=MetricUnit.Count) -> None:
    if os.environ.get("POWERTOOLS_METRICS_DISABLED", "").lower() == "true":
        return  # single_metric does not honour Powertools' switch itself (the local stack sets it)
    with single_metric(name=name, unit=unit, value=value, namespace=metrics.NAMESPACE) as metric:
        metric.add_dimension(name="service", value=metrics.SERVICE)
        for key, val in (dimensions or {}).items():
            metric.add_dimension(name=key, value=val)


def calendar_fallback(year: int) -> None:
    logger.warning("chinesecalendar does not cover this year: Monday-Friday plus county overrides",
                   extra={"year": year})
    _count(metrics.CALENDAR_FALLBACK, {"year": str(year)})


calendar.report_fallbacks_with(calendar_fallback)  # the local worker and Lambda workers alike


def deadlines_batch(event: dict, context=None) -> dict:
    """Timer notices from Step Functions: warn, escalate, auto-close."""
    from chalicelib.services import deadlines

    def handle(record):
        outcome = deadlines.handle_notice(runtime.new_uow(), runtime.config(), json.loads(record.body),
                                          runtime.clock())
        logger.info("deadline notice", extra={"outcome": outcome.action, "stage": outcome.stage,
                                              "level": outcome.level})
        if outcome.action == "warned":
            _count(metrics.DEADLINE_WARNED, {"stage": outcome.stage})
        if outcome.action in ("escalated", "breached"):
            _count(metrics.DEADLINE_BREACHED, {"stage": outcome.stage})
        if outcome.action == "escalated":
            _count(metrics.CASE_ESCALATED, {"level": outcome.level})
        if outcome.action == "auto_closed":
            _count(metrics.AUTO_CLOSED)

    return process_partial_response(event=event, record_handler=handle,
                                    processor=BatchProcessor(event_type=EventType.SQS), context=context)


def relay(event: dict | None = None, context=None, older_than_seconds: float = 60) -> dict:
    """Carry out outbox effects that were not done right after their commit; report the oldest one's age."""
    from chalicelib.adapters import outbox
    tried, done, age = outbox.relay(older_than_seconds)
    _count(metrics.OUTBOX_OLDEST_AGE, value=age, unit=MetricUnit.Seconds)
    if done < tried:
        _count(metrics.OUTBOX_FAILED, value=tried - done)
    return {"retried": tried, "done": done, "oldest_pending_age_seconds": age}


def photos_batch(event: dict, context=None) -> dict:
    """S3 ObjectCreated events (through the photos queue): decode fully, attach or quarantine."""
    from urllib.parse import unquote_plus

    from chalicelib.adapters import images
    from chalicelib.services import photos

    def handle(record):
        body = json.loads(record.body)
        for s3_record in body.get("Records", []):  # S3 test events carry none
            key = unquote_plus(s3_record["s3"]["object"]["key"])
            outcome = photos.process_upload(runtime.new_uow(), runtime.config(), runtime.photo_store(),
                                            images.validate, key, runtime.clock())
            logger.info("photo upload", extra={"outcome": outcome.action, "reason": outcome.reason})
            if outcome.action == "attached":
                _count(metrics.PHOTO_ACCEPTED)
            elif outcome.action == "rejected":
                _count(metrics.PHOTO_REJECTED, {"reason": outcome.reason})

    return process_partial_response(event=event, record_handler=handle,
                                    processor=BatchProcessor(event_type=EventType.SQS), context=context)


RETRY_BASE_SECONDS = float(os.environ.get("NOTIFY_RETRY_BASE_SECONDS", "10"))
_delivery = {}


def _idempotent_delivery():
    """Powertools Idempotency keyed on the outbox effect id: a message delivered twice is sent once."""
    if "deliver" not in _delivery:
        from aws_lambda_powertools.utilities.idempotency import (DynamoDBPersistenceLayer, IdempotencyConfig,
                                                                 idempotent_function)

        from chalicelib.adapters import notifier
        from chalicelib.adapters.models import WorkerIdempotencyItem

        store = DynamoDBPersistenceLayer(table_name=WorkerIdempotencyItem.Meta.table_name)
        config = IdempotencyConfig(event_key_jmespath="effect_id", expires_after_seconds=7 * 24 * 3600)

        @idempotent_function(data_keyword_argument="message", persistence_store=store, config=config)
        def deliver(message: dict) -> dict:
            def read_case(case_id):
                with runtime.new_uow() as uow:
                    return uow.cases.get(case_id)
            result = notifier.deliver(message, runtime.config(), read_case)
            return {"channel": result.channel, "status": result.status, "detail": result.detail}

        _delivery["deliver"], _delivery["config"] = deliver, config
    return _delivery["deliver"]


def notifications_batch(event: dict, context=None) -> dict:
    """Outbound notices. Worth-retrying failures come back with exponential backoff and end in the
    dead-letter queue after the queue's maxReceiveCount; hopeless ones go there at once. Never touches cases."""
    from chalicelib.adapters.aws import client
    from chalicelib.services.notify import TryLater, Undeliverable

    deliver = _idempotent_delivery()
    if context is not None:
        _delivery["config"].register_lambda_context(context)

    def handle(record):
        message = json.loads(record.body)
        try:
            result = deliver(message=message)
            logger.info("notification", extra={"effect_id": message.get("effect_id"), **result})
            if result["status"] == "sent":
                _count(metrics.NOTIFICATION_SENT, {"channel": result["channel"]})
        except TryLater:
            _count(metrics.NOTIFICATION_FAILED, {"channel": message.get("channel", "?")})
            receives = int(record.attributes.approximate_receive_count or 1)
            delay = int(min(900, RETRY_BASE_SECONDS * 2 ** (receives - 1)))
            client("sqs").change_message_visibility(QueueUrl=resources.NOTIFICATIONS.url(),
                                                    ReceiptHandle=record.receipt_handle, VisibilityTimeout=delay)
            raise
        except Undeliverable as hopeless:
            _count(metrics.NOTIFICATION_FAILED, {"channel": message.get("channel", "?")})
            logger.error("notification undeliverable", extra={"effect_id": message.get("effect_id"),
                                                              "reason": str(hopeless)})
            client("sqs").send_message(QueueUrl=resources.NOTIFICATIONS.dlq_url(), MessageBody=record.body)

    return process_partial_response(event=event, record_handler=handle,
                                    processor=BatchProcessor(event_type=EventType.SQS), context=context)
