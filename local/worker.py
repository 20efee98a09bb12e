"""The local worker: feeds the work queue (resources.QUEUES) to the same handler that runs in Lambda, as Lambda
does: batches of up to the queue's batch size.

A record the handler reports as failed stays on the queue (it comes back after the retry delay the handler set,
or the visibility timeout, and after maxReceiveCount deliveries moves to the dead-letter queue, which moto's SQS
enforces); successful records are deleted. The outbox relay runs on its own short schedule here (every minute
in the cloud).

`make run` starts it as a process of its own (`python -m local.worker`, environment from local/run.py), as Lambda
runs it apart from the API: its work (notifications, deadline notices, photo checks, the relay) then never holds
the interpreter that serves the embedded AWS or the API.
"""
from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from typing import Callable

import boto3

from chalicelib import resources

log = logging.getLogger("gridloop.local.worker")


def lambda_event(messages: list[dict], queue_arn: str) -> dict:
    return {"Records": [{
        "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
        "attributes": {k: str(v) for k, v in m.get("Attributes", {}).items()},
        "messageAttributes": {}, "md5OfBody": m.get("MD5OfBody", ""), "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn, "awsRegion": boto3.session.Session().region_name} for m in messages]}


def poll_once(sqs, spec: resources.QueueSpec, handler: Callable[[dict], dict], wait_seconds: int = 1) -> int:
    """One receive (up to the batch size) -> one handler call -> delete what succeeded. Returns records seen."""
    answer = sqs.receive_message(QueueUrl=spec.url(), MaxNumberOfMessages=spec.batch_size,
                                 WaitTimeSeconds=wait_seconds, AttributeNames=["All"])
    messages = answer.get("Messages", [])
    if not messages:
        return 0
    try:
        reply = handler(lambda_event(messages, spec.arn())) or {}
        failed = {f["itemIdentifier"] for f in reply.get("batchItemFailures", [])}
    except Exception as error:  # an invocation error: Lambda returns the whole batch to the queue
        log.warning("handler for %s failed the whole batch: %s", spec.key, error)
        failed = {m["MessageId"] for m in messages}
    done = [m for m in messages if m["MessageId"] not in failed]
    if done:
        sqs.delete_message_batch(QueueUrl=spec.url(), Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)])
    return len(messages)


class LocalWorker:
    def __init__(self, handlers: dict, relay: Callable | None = None, relay_every: float = 5.0):
        self.handlers = handlers            # QueueSpec -> handler(event) -> partial-batch reply
        self.relay = relay
        self.relay_every = relay_every
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> "LocalWorker":
        for spec, handler in self.handlers.items():
            self._threads.append(threading.Thread(target=self._loop, args=(spec, handler), daemon=True,
                                                  name=f"worker-{spec.key}"))
        if self.relay:
            self._threads.append(threading.Thread(target=self._relay_loop, daemon=True, name="relay"))
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=5)

    def _loop(self, spec, handler):
        sqs = boto3.client("sqs")
        while not self._stop.is_set():
            try:
                poll_once(sqs, spec, handler)
            except Exception:
                log.exception("worker %s failed a poll", spec.key)
                time.sleep(1)

    def _relay_loop(self):
        while not self._stop.wait(self.relay_every):
            try:
                self.relay(older_than_seconds=self.relay_every)
            except Exception:
                log.exception("outbox relay failed")


class LocalLambdaContext:
    """What Lambda hands a handler, as far as the app reads it (Powertools' idempotency asks for the time left)."""
    function_name = "work_worker"
    memory_limit_in_mb = 1024
    aws_request_id = "local"

    def __init__(self, timeout_seconds: float):
        self.invoked_function_arn = f"arn:aws-cn:lambda:{boto3.session.Session().region_name}:123456789012:function:work"
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def main() -> int:
    """The work queue's worker and the outbox relay, through the Chalice app's own Lambda handlers."""
    import app as chalice_app
    from chalicelib import workers
    from local import drill
    from local.collector import keep_pauses_short
    drill.switch_on_from_environment()
    timeout = resources.LAMBDA_TIMEOUT_SECONDS
    worker = LocalWorker({resources.WORK: lambda event: chalice_app.work_worker(event, LocalLambdaContext(timeout))},
                         relay=workers.relay).start()
    keep_pauses_short()
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    while not stopping.wait(0.5):
        pass
    worker.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
