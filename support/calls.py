"""The one recorder of the AWS calls this process makes, shared by the tests and the benchmarks.

Installed with `install()` before any botocore client exists: it wraps botocore's Session.create_client, so every
client gets the hooks -- boto3's sessions (chalicelib/adapters/aws.py, Powertools) and PynamoDB's botocore
sessions alike. Each call becomes a `Call`: service, operation, the API parameters as sent (botocore's own
injections included, e.g. the idempotency token), the Lambda function whose code made it, thread, timing, the
chalicelib frames that led to it, its error code and the answer as botocore parsed it. Presigned S3 forms and
URLs are recorded too (`presigned`), though no request leaves the process: the signing role's rights are what the
browser will use.

The function is the one `chalicelib.entrypoints` names for the running invocation (None: the test harness, or
moto's own clients). `install()` also makes threads started through concurrent.futures run in the submitting
thread's context, so the parallel reads and effects of a request stay the request's function's.

Listeners (`add_listener`) see each call before it is sent (`before(call)`: may answer instead of AWS by returning
botocore's `(http_response, parsed)`) and after it (`after(call)`). A `Collector` keeps the calls it is asked to
keep; `rounds(calls)` is how many sequential round trips they took.
"""
from __future__ import annotations

import contextvars
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

import botocore.session

_PARAMS = "gridloop_params"
_CALL = "gridloop_call"


@dataclass
class Call:
    service: str                 # botocore's service name: dynamodb, s3, sqs, sns, stepfunctions, ssm
    operation: str               # the API operation: TransactWriteItems, GetObject, ...
    params: dict                 # the API parameters, as sent
    function: str | None         # the Lambda function whose code made the call (None: not the app's)
    thread: str
    start: float
    end: float = 0.0
    site: tuple = ()             # the chalicelib frames that led to the call, innermost first
    error: str = ""              # the error code AWS (or a listener) answered
    presigned: bool = False      # a presigned form or URL: signed here, sent later by a browser
    answered_by: str = ""        # a listener that answered instead of AWS
    response: dict = field(default_factory=dict)   # the answer, as botocore parsed it (empty after an error)

    @property
    def tables(self) -> tuple:
        """The DynamoDB tables the call names."""
        names = set()
        if "TableName" in self.params:
            names.add(self.params["TableName"])
        names.update(self.params.get("RequestItems") or {})
        for item in self.params.get("TransactItems") or []:
            names.update(action["TableName"] for action in item.values() if "TableName" in action)
        return tuple(sorted(names))


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.listeners: list = []

    def add_listener(self, listener) -> None:
        with self.lock:
            if listener not in self.listeners:
                self.listeners.append(listener)

    def remove_listener(self, listener) -> None:
        with self.lock:
            if listener in self.listeners:
                self.listeners.remove(listener)

    # botocore handlers ------------------------------------------------------------------------------------
    def before_parameter_build(self, params, context, **_):
        context[_PARAMS] = params        # the same dict botocore then completes (idempotency tokens) and sends

    def before_call(self, model, params, context, **_):
        call = Call(model.service_model.service_name, model.name, context.get(_PARAMS, {}), current_function(),
                    threading.current_thread().name, time.perf_counter(), site=call_site())
        context[_CALL] = call
        for listener in list(self.listeners):
            answer = listener.before(call)
            if answer is not None:
                call.answered_by = type(listener).__name__
                return answer
        return None

    def after_call(self, parsed, context, **_):
        code = (parsed or {}).get("Error", {}).get("Code") if isinstance(parsed, dict) else None
        self._finish(context, code or "", parsed if isinstance(parsed, dict) else {})

    def after_call_error(self, context, exception=None, **_):
        self._finish(context, type(exception).__name__ if exception else "error", {})

    def _finish(self, context, error: str, response: dict) -> None:
        call = context.pop(_CALL, None)
        if call is None:
            return
        call.end, call.error, call.response = time.perf_counter(), error, response
        for listener in list(self.listeners):
            listener.after(call)

    def presigned(self, service: str, operation: str, params: dict) -> None:
        now = time.perf_counter()
        call = Call(service, operation, params, current_function(), threading.current_thread().name, now, now,
                    site=call_site(), presigned=True)
        for listener in list(self.listeners):
            listener.before(call)
        for listener in list(self.listeners):
            listener.after(call)

    def hook(self, client) -> None:
        events = client.meta.events
        events.register_last("before-parameter-build", self.before_parameter_build)
        events.register_last("before-call", self.before_call)
        events.register_first("after-call", self.after_call)
        events.register("after-call-error", self.after_call_error)
        if client.meta.service_model.service_name == "s3":
            _record_presigning(client, self)


RECORDER = Recorder()


def current_function() -> str | None:
    # looked up at each call: a test may import chalicelib afresh (synthesis does), the app uses what it imported
    entrypoints = sys.modules.get("chalicelib.entrypoints")
    return entrypoints.FUNCTION.get() if entrypoints else None


def call_site() -> tuple:
    """The chalicelib frames that led to the call, innermost first (at most 4)."""
    frames, f = [], sys._getframe(2)
    while f is not None and len(frames) < 4:
        name = f.f_code.co_filename
        if "/chalicelib/" in name:
            frames.append(f"{name[name.index('chalicelib/'):]}:{f.f_lineno} {f.f_code.co_name}")
        f = f.f_back
    return tuple(frames)


def _record_presigning(client, recorder: Recorder) -> None:
    post, url = client.generate_presigned_post, client.generate_presigned_url

    def generate_presigned_post(Bucket, Key, *args, **kwargs):
        recorder.presigned("s3", "PresignedPost", {"Bucket": Bucket, "Key": Key})
        return post(Bucket, Key, *args, **kwargs)

    def generate_presigned_url(ClientMethod, Params=None, *args, **kwargs):
        recorder.presigned("s3", f"PresignedUrl:{ClientMethod}", dict(Params or {}))
        return url(ClientMethod, Params, *args, **kwargs)

    client.generate_presigned_post, client.generate_presigned_url = generate_presigned_post, generate_presigned_url


_installed = {}


def install() -> Recorder:
    """Hook every botocore client created from now on (idempotent). Call before any client exists."""
    if _installed:
        return RECORDER
    real_create_client = botocore.session.Session.create_client
    real_submit = ThreadPoolExecutor.submit

    def create_client(self, *args, **kwargs):
        client = real_create_client(self, *args, **kwargs)
        RECORDER.hook(client)
        return client

    def submit(self, fn, /, *args, **kwargs):   # the pool's thread runs in the submitter's context
        return real_submit(self, contextvars.copy_context().run, fn, *args, **kwargs)

    botocore.session.Session.create_client = create_client
    ThreadPoolExecutor.submit = submit
    _installed.update(create_client=real_create_client, submit=real_submit)
    return RECORDER


def made_by_the_app(call: Call) -> bool:
    """A call one of the app's functions made (not a test's or a benchmark's own, not moto's), presigning aside."""
    return call.function is not None and not call.presigned


def any_call(call: Call) -> bool:
    return True


def dynamodb(call: Call) -> bool:
    return call.service == "dynamodb"


@dataclass
class Collector:
    """A listener that keeps, while it is open, the calls `keep` accepts (on any thread), as `record` makes
    them, in `calls` (one list for its whole life: `start()` empties it). Each kept call is held `latency`
    seconds before it is sent, so that calls sent in parallel overlap in time (see `rounds`)."""
    keep: Callable[[Call], bool] = made_by_the_app
    record: Callable[[Call], object] = lambda call: call
    latency: float = 0.0
    open: bool = True
    calls: list = field(default_factory=list)

    def __post_init__(self):
        self.lock = threading.Lock()

    def start(self) -> "Collector":
        with self.lock:
            self.calls.clear()
            self.open = True
        return self

    def stop(self) -> list:
        """Close, and return what was kept (in the order the calls ended)."""
        with self.lock:
            self.open = False
            return list(self.calls)

    def before(self, call):
        if self.latency and self.open and self.keep(call):
            time.sleep(self.latency)
        return None

    def after(self, call):
        if self.open and self.keep(call):
            entry = self.record(call)
            with self.lock:
                if self.open:
                    self.calls.append(entry)


def rounds(calls: list[Call]) -> int:
    """Sequential round trips: the longest chain of calls each of which ended before the next one began (calls
    overlapping in time, on several threads, are one round)."""
    ordered = sorted(calls, key=lambda c: c.start)
    depth: list[int] = []
    for i, call in enumerate(ordered):
        depth.append(1 + max((depth[j] for j in range(i) if ordered[j].end <= call.start), default=0))
    return max(depth, default=0)
