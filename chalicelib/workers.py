"""SQS workers and the outbox relay: the same functions run in Lambda (via app.py) and in the local worker.

Each takes the Lambda event dict and answers Powertools' partial-batch reply, so one bad record is retried
alone (the CDK stack switches on ReportBatchItemFailures; DESIGN §10).
"""
from __future__ import annotations

import json

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from chalicelib import metrics, runtime

logger = Logger(service=metrics.SERVICE)


def _count(name: str, dimensions: dict | None = None, value: float = 1, unit=MetricUnit.Count) -> None:
    with single_metric(name=name, unit=unit, value=value, namespace=metrics.NAMESPACE) as metric:
        metric.add_dimension(name="service", value=metrics.SERVICE)
        for key, val in (dimensions or {}).items():
            metric.add_dimension(name=key, value=val)


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
    stuck = outbox.pending(older_than_seconds)
    done = outbox.carry_out_all(stuck)
    age = outbox.oldest_pending_age_seconds()
    _count(metrics.OUTBOX_OLDEST_AGE, value=age, unit=MetricUnit.Seconds)
    if len(done) < len(stuck):
        _count(metrics.OUTBOX_FAILED, value=len(stuck) - len(done))
    return {"retried": len(stuck), "done": len(done), "oldest_pending_age_seconds": age}
