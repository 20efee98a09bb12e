"""Round trips (issue 9, figure 1): the sequential AWS calls of every API route-method and every worker.

Runs against the embedded AWS (moto on 127.0.0.1) with the demo county seeded as `make run` seeds it, then drives
the article's closed loop in order -- report, accept, dispatch, acknowledge, extension, resolve, evaluate,
appeal, decide -- plus photos, households, visits, points, statistics, Open311 with an API key and every other
route, each as a realistic request by an authorised user, through `chalice.test.Client` in-process. Each worker
of app.py is then invoked in-process through the Chalice app's own Lambda handler with the event Lambda would
pass (an SQS record received from the real queue, a scheduled event).

Every AWS call is counted by the recorder the tests share (support/calls.py: botocore event hooks on every
client created in this process, boto3's and PynamoDB's alike), installed before any client exists. Only calls
made by one of the app's functions count: the bench's own setup and receives, and the clients moto creates for
itself (Step Functions executing the timer), are not the app's.

Each call gets a simulated network latency (SIMULATED_RTT, default 15 ms) so that calls a request makes in
parallel on several threads overlap in time reliably; the SEQUENTIAL depth is the longest chain of calls each of
which ended before the next began (calls overlapping in time count as one round).

Kinds: R read (GetItem, BatchGetItem, Query, Scan, S3 GET/HEAD, Describe/List/Get/Check...), T transaction
(TransactWriteItems), W other write (PutItem, UpdateItem, DeleteItem, BatchWriteItem, S3 Copy/Delete...),
E outbox side effect (Step Functions StartExecution/StopExecution, SQS SendMessage, SNS Publish), O the outbox's
own bookkeeping (the write that marks outbox items done). A presigned S3 URL or form is not a call.

Targets, as sequential rounds per kind (a kind not named is 0):
  API read  (GET)  R<=2
  API write        R<=1, T/W<=1 (one atomic commit: one transaction, or one single-item conditional write), E<=1, O<=1
  workers          defined per worker below and printed in the table.

Exit status: 1 on any MISS, on an unexpected status, or if a registered route-method or worker was not
exercised with a 2xx / successful invocation.

    .venv/bin/python bench/round_trips.py            # the table, and the calls of every MISS
    .venv/bin/python bench/round_trips.py --calls    # the calls of every row
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SIMULATED_RTT = float(os.environ.get("SIMULATED_RTT", "0.015"))
SHOW_ALL_CALLS = "--calls" in sys.argv

# -- instrumentation: the shared recorder (support/calls.py), installed before any botocore client exists ------
from support.calls import Call, install  # noqa: E402


class Window:
    """The app's calls between start() and stop(), on any thread, each delayed by SIMULATED_RTT. The app's:
    made by one of its functions (chalicelib/entrypoints.py) -- not the bench's own setup and receives, not
    moto's clients; a presigned form or URL is not a call."""

    def __init__(self):
        self.lock = threading.Lock()
        self.calls: list[Call] | None = None

    def start(self):
        with self.lock:
            self.calls = []

    def stop(self) -> list[Call]:
        with self.lock:
            calls, self.calls = self.calls or [], None
        return sorted(calls, key=lambda c: c.start)

    def counted(self, call: Call) -> bool:
        return self.calls is not None and call.function is not None and not call.presigned

    def before(self, call: Call):
        if SIMULATED_RTT and self.counted(call):
            time.sleep(SIMULATED_RTT)
        return None

    def after(self, call: Call):
        with self.lock:
            if self.counted(call):
                self.calls.append(call)


RECORDER = Window()
install().add_listener(RECORDER)


# -- environment: embedded AWS, issuer, DingTalk sink, all on 127.0.0.1 --------------------------------------
STATE = Path(tempfile.mkdtemp(prefix="gridloop-round-trips-"))
os.environ.update({"STAGE": "local", "TABLE_PREFIX": "gridloop-bench-rt-", "COUNTY": "demo",
                   "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "WARNING",
                   "LOG_LEVEL": "WARNING", "WORK_RETRY_BASE_SECONDS": "0"})

from local.moto_server import EmbeddedAWS, client_environment  # noqa: E402

AWS = EmbeddedAWS().start()
os.environ.update(client_environment(AWS.url, "cn-northwest-1"))

from local.issuer import LocalIssuer  # noqa: E402

ISSUER = LocalIssuer(STATE).ensure_keys()
os.environ.update(ISSUER.environment())

from tests.dingtalk_sink import SECRET, Sink  # noqa: E402  (a DingTalk robot on 127.0.0.1)

SINK = Sink(SECRET).start()
(STATE / "secrets.json").write_text(json.dumps({"dingtalk": {d: {"url": SINK.url, "secret": SECRET}
                                                              for d in ("rq-agri", "rq-water")}}))
os.environ["LOCAL_SECRETS_FILE"] = str(STATE / "secrets.json")

import logging  # noqa: E402

logging.disable(logging.WARNING)  # the app's warnings would interleave with the table

import boto3  # noqa: E402

from local.aws_resources import create_all  # noqa: E402

os.environ.update(create_all(AWS.url))

import app as app_module  # noqa: E402
from chalice.test import Client  # noqa: E402
from chalicelib import county_config, resources, runtime  # noqa: E402
from chalicelib.adapters import outbox  # noqa: E402
from chalicelib.adapters.models import OutboxItem  # noqa: E402
from chalicelib.api.http import ROUTES  # noqa: E402
from local.seed import load_households, load_people  # noqa: E402
from local.worker import lambda_event  # noqa: E402

APP = app_module.app
OUTBOX_TABLE = OutboxItem.Meta.table_name

# -- classification and depth ---------------------------------------------------------------------------------
READ_OPS = {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems", "DescribeTable", "GetObject",
            "HeadObject", "ListObjects", "ListObjectsV2", "ReceiveMessage", "GetParameter", "GetParameters",
            "CheckIfPhoneNumberIsOptedOut", "DescribeExecution", "GetQueueAttributes"}
EFFECT_OPS = {("stepfunctions", "StartExecution"), ("stepfunctions", "StopExecution"), ("sqs", "SendMessage"),
              ("sqs", "SendMessageBatch"), ("sns", "Publish")}


def classify(c: Call) -> str:
    if c.operation == "TransactWriteItems":
        return "T"
    if c.operation in READ_OPS or c.operation.startswith(("Get", "Describe", "List", "Head", "Check")):
        return "R"
    if (c.service, c.operation) in EFFECT_OPS:
        return "E"
    if c.service == "dynamodb" and c.tables and set(c.tables) == {OUTBOX_TABLE}:
        return "O"
    return "W"


def depth(calls: list[Call]) -> int:
    """Longest chain of calls, each ending before the next starts: overlapping calls are one round."""
    best: list[int] = []
    ordered = sorted(calls, key=lambda c: c.start)
    for i, c in enumerate(ordered):
        best.append(1 + max((best[j] for j in range(i) if ordered[j].end <= c.start), default=0))
    return max(best, default=0)


KINDS = "RTWEO"
READ_TARGET = {"R": 2}
WRITE_TARGET = {"R": 1, "TW": 1, "E": 1, "O": 1}


def target_text(target: dict) -> str:
    return " ".join(f"{k.replace('TW', 'T/W')}<={v}" for k, v in target.items())


@dataclass
class Row:
    name: str
    status: str
    calls: list[Call]
    target: dict
    expected_ok: bool = True
    note: str = ""
    kind_rounds: dict = field(default_factory=dict)
    rounds: int = 0
    verdict: str = ""

    def evaluate(self):
        for c in self.calls:
            c.kind = classify(c)
        self.rounds = depth(self.calls)
        covered = set("".join(self.target))
        bounds = dict(self.target, **{k: 0 for k in KINDS if k not in covered})  # a kind not named: none allowed
        self.kind_rounds = {key: depth([c for c in self.calls if c.kind in key]) for key in bounds}
        over = [key for key, limit in bounds.items() if self.kind_rounds[key] > limit]
        if not self.expected_ok:
            self.verdict = "FAIL"
        elif over:
            self.verdict = "MISS"
        else:
            self.verdict = "ok"
        self.over = over


ROWS: list[Row] = []
MEASURING = {"on": False}   # the first pass warms the container (clients, models, config); the second is measured
EXERCISED_ROUTES: set[tuple[str, str]] = set()
EXERCISED_WORKERS: set[str] = set()
_seen_route: list = []


@APP.middleware("http")
def _capture_route(event, get_response):  # the route Chalice matched, as registered
    _seen_route.append((event.context.get("resourcePath"), event.method))
    return get_response(event)


# -- driving the API -------------------------------------------------------------------------------------------
def idempotent(path: str, method: str) -> bool:
    doc = next((r for r in ROUTES if r.path == path and r.method == method), None)
    return bool(doc and "Idempotency-Key" in doc.headers)


class Api:
    def __init__(self, client, users):
        self.client, self.users = client, users

    def call(self, user, method, url, body=None, form=None, expect=None, label="", measure=True):
        headers = {"Content-Type": "application/x-www-form-urlencoded" if form is not None else "application/json"}
        if user:
            headers["Authorization"] = f"Bearer {ISSUER.token(self.users[user])}"
        payload = form if form is not None else (json.dumps(body) if body is not None else None)
        _seen_route.clear()
        resolved = None
        # the idempotency header is decided by the route the URL resolves to; resolve it with a dry lookup
        if method == "POST":
            resolved = _template_for(url)
            if resolved and idempotent(resolved, method):
                headers["Idempotency-Key"] = str(uuid.uuid4())
        measure = measure and MEASURING["on"]
        if measure:
            RECORDER.start()
        try:
            response = self.client.http.request(method, url, headers=headers, body=payload)
        finally:
            calls = RECORDER.stop() if measure else []
        route_key = _seen_route[-1] if _seen_route else (None, method)
        code = response.status_code
        ok = (code == expect) if expect else 200 <= code < 300
        text = response.body.decode() if isinstance(response.body, bytes) else (response.body or "")
        if not ok:
            print(f"!! {method} {url} as {user}: {code} {text[:300]}", file=sys.stderr)
            if not measure:   # a setup step or the warm-up pass: the scenario cannot go on
                raise SystemExit(f"the scenario broke at {method} {url} ({'warm-up' if not MEASURING['on'] else 'setup'})")
        if measure:
            path = route_key[0]
            target = dict(READ_TARGET) if method == "GET" else dict(WRITE_TARGET)
            if path == "/cases/{case_id}/contacts":
                target = {"R": 2, "W": 1}   # PIPL: reading contacts writes one access-log item
            ROWS.append(Row(f"{method} {path}" + (f"  [{label}]" if label else ""), str(code), calls, target, ok))
            if ok:
                EXERCISED_ROUTES.add(route_key)
        try:
            return json.loads(text) if text and text.lstrip()[:1] in "[{" else text
        except ValueError:
            return text


def _template_for(url: str) -> str | None:
    path = url.split("?", 1)[0].rstrip("/") or "/"
    parts = path.strip("/").split("/")
    best = None
    for template in APP.routes:
        tparts = template.strip("/").split("/")
        if len(tparts) != len(parts):
            continue
        if all(t == p or (t.startswith("{") and t.endswith("}")) for t, p in zip(tparts, parts)):
            literal = sum(1 for t in tparts if not t.startswith("{"))
            if best is None or literal > best[0]:
                best = (literal, template)
    return best[1] if best else None


# -- driving the workers ---------------------------------------------------------------------------------------
class LambdaContext:
    """What Lambda passes as the context (Powertools reads the remaining time from it)."""

    def __init__(self, name):
        self.function_name = f"gridloop-local-{name}"
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = f"arn:aws-cn:lambda:cn-northwest-1:123456789012:function:{self.function_name}"
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = time.time() + 60

    def get_remaining_time_in_millis(self):
        return int((self._deadline - time.time()) * 1000)


def worker(name: str, event: dict, target: dict, label: str, ok=lambda reply: True):
    handler = getattr(app_module, name)
    if MEASURING["on"]:
        RECORDER.start()
    error = None
    try:
        reply = handler(event, LambdaContext(name))
    except Exception as exc:  # an invocation error
        reply, error = None, exc
    finally:
        calls = RECORDER.stop()
    good = error is None and not (reply or {}).get("batchItemFailures") and ok(reply or {})
    status = "error" if error else ("partial" if (reply or {}).get("batchItemFailures") else "done")
    if not good:
        print(f"!! worker {name} [{label}]: {error or reply}", file=sys.stderr)
        if not MEASURING["on"]:
            raise SystemExit(f"the scenario broke at {name} [{label}] (warm-up)")
    if MEASURING["on"]:
        ROWS.append(Row(f"{name}  [{label}]", status, calls, target, good))
        if good:
            EXERCISED_WORKERS.add(name)
    return reply


def sqs():
    return boto3.client("sqs")


def receive_one(spec, predicate=lambda body: True, attempts=20) -> dict:
    """Receive from the real queue until a message matches; the others are deleted (already handled)."""
    client = sqs()
    for _ in range(attempts):
        messages = client.receive_message(QueueUrl=spec.url(), MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                          AttributeNames=["All"]).get("Messages", [])
        chosen = None
        for m in messages:
            if chosen is None and predicate(json.loads(m["Body"])):
                chosen = m
            else:
                client.delete_message(QueueUrl=spec.url(), ReceiptHandle=m["ReceiptHandle"])
        if chosen:
            return chosen
    raise SystemExit(f"no matching message arrived on {spec.key}")


def delete(spec, message):
    sqs().delete_message(QueueUrl=spec.url(), ReceiptHandle=message["ReceiptHandle"])


WORK = resources.WORK   # the one work queue: deadline notices, photo uploads, notifications (one worker)


def deliver_notification(predicate, label):
    message = receive_one(WORK, lambda b: "effect_id" in b and predicate(b))
    worker("work_worker", lambda_event([message], WORK.arn()), {"R": 2, "W": 2, "E": 1}, f"notification: {label}")
    delete(WORK, message)


def drain(spec):
    client = sqs()
    while True:
        messages = client.receive_message(QueueUrl=spec.url(), MaxNumberOfMessages=10,
                                          WaitTimeSeconds=0).get("Messages", [])
        if not messages:
            return
        for m in messages:
            client.delete_message(QueueUrl=spec.url(), ReceiptHandle=m["ReceiptHandle"])


def timer_input(case_id: str, prefix: str) -> dict:
    sfn = boto3.client("stepfunctions")
    for _ in range(50):
        for e in sfn.list_executions(stateMachineArn=resources.timer_state_machine_arn())["executions"]:
            if e["name"].startswith(f"{case_id}-{prefix}"):
                link = json.loads(sfn.describe_execution(executionArn=e["executionArn"])["input"])
                planned = {"timer": link["timer"], "notices": []}
                while link.get("more"):      # the execution input is a chain of notices
                    planned["notices"].append(link["notice"])
                    link = link["then"]
                return planned
        time.sleep(0.1)
    raise SystemExit(f"no timer {case_id}-{prefix}")


def send_deadline_notice(body: dict) -> dict:
    client = sqs()
    client.send_message(QueueUrl=WORK.url(), MessageBody=json.dumps(body))
    return receive_one(WORK, lambda b: b == body)


def scheduled_event() -> dict:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "123456789012", "time": now, "region": os.environ["AWS_DEFAULT_REGION"],
            "resources": ["arn:aws-cn:events:cn-northwest-1:123456789012:rule/gridloop-outbox_relay"], "detail": {}}


class later:
    """The relay runs some minutes after a crash: shift the outbox module's clock forward."""

    def __init__(self, seconds):
        self.seconds = seconds

    def __enter__(self):
        real = time.time
        self.saved = outbox.time
        outbox.time = type("ShiftedTime", (), {"time": staticmethod(lambda: real() + self.seconds)})

    def __exit__(self, *exc):
        outbox.time = self.saved


class crash_after_commit:
    """The process dies between a commit and its side effects (the outbox keeps them)."""

    def __enter__(self):
        self.saved = outbox.carry_out_all
        outbox.carry_out_all = lambda effects: []

    def __exit__(self, *exc):
        outbox.carry_out_all = self.saved


# -- the scenario ----------------------------------------------------------------------------------------------
from tests.e2e.helpers import ACCEPT, GRID, REPORT  # noqa: E402  (the article's case, as the e2e tests send it)

VILLAGE = "BZ.RQ.TGLK.YKS"
DISPATCH = {"lead": "rq-agri", "co_handlers": ["rq-water"]}


def jpeg_bytes():
    import io
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 60)).save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def scenario(api: Api):
    now = datetime.now(timezone.utc)
    year, month = f"{now:%Y}", f"{now:%Y-%m}"

    def new_case(user="gm-yks-01", body=None, measure=False, label=""):
        return api.call(user, "POST", "/cases", body or REPORT, measure=measure, label=label)

    def act(user, case, action, body, measure=True, label=""):
        return api.call(user, "POST", f"/cases/{case}/{action}", body, measure=measure, label=label)

    # meta
    api.call(None, "GET", "/health")
    api.call(None, "GET", "/openapi.json")

    # intake and triage of the article's irrigation case ---------------------------------------------------
    a = new_case(measure=True, label="grid member reports")["id"]
    api.call("station-yks", "GET", f"/cases/{a}", label="station, with possible duplicates")
    form = api.call("gm-yks-01", "POST", f"/cases/{a}/photos", {"phase": "before", "content_type": "image/jpeg",
                                                                "size": 40000})
    import requests
    data = jpeg_bytes()
    answer = requests.post(form["upload"]["url"], data=form["upload"]["fields"],
                           files={"file": ("p.jpg", data, "image/jpeg")}, timeout=10)
    assert answer.status_code in (200, 204), answer.text
    upload = receive_one(WORK, lambda b: bool(b.get("Records")))
    worker("work_worker", lambda_event([upload], WORK.arn()),
           {"R": 2, "W": 2, "T": 1, "E": 1, "O": 1}, "photo: JPEG attached")
    delete(WORK, upload)
    api.call("station-yks", "GET", f"/cases/{a}/photos/{form['photo_id']}")
    api.call("station-yks", "GET", "/queue")

    dup = new_case()["id"]                          # the same plot reported twice: merged into the first
    act("station-yks", dup, "merge", {"target_case_id": a, "note": "same plots"})
    junk = new_case()["id"]
    act("station-yks", junk, "reject", {"reason": "not a grid matter"})

    act("station-yks", a, "accept", ACCEPT)
    act("dispatcher-rq", a, "dispatch", DISPATCH)
    deliver_notification(lambda b: b.get("case_id") == a and b.get("channel") == "dingtalk"
                         and b.get("department") == "rq-agri", "dingtalk: dispatch to rq-agri")
    api.call("dept-rq-agri", "GET", "/inbox")
    act("dept-rq-agri", a, "acknowledge", {"note": "on our way"})
    resolve_due = act("dept-rq-water", a, "acknowledge", {}, label="co-handler")["deadlines"]["resolve_due"]
    extended = datetime.fromisoformat(resolve_due.replace("Z", "+00:00")) + timedelta(days=7)  # whatever the calendar
    act("dept-rq-agri", a, "request-extension",
        {"requested_due": extended.strftime("%Y-%m-%dT%H:%M:%SZ"), "reason": "canal works"})
    act("dispatcher-rq", a, "decide-extension", {"approve": True, "note": "granted"})
    act("dept-rq-agri", a, "resolve", {"note": "water restored to the 72 mu"})
    deliver_notification(lambda b: b.get("case_id") == a and b.get("channel") == "sms", "sms: resolved")
    api.call("gm-yks-01", "GET", f"/cases/{a}/contacts?purpose=return%20visit")
    act("gm-yks-01", a, "evaluate", {"scores": {"response_speed": 2, "performance": 2, "completion": 1,
                                                "feedback": 2}, "verdict": "bad", "on_behalf_of_resident": True})
    api.call("dept-rq-agri", "POST", f"/cases/{a}/evaluations/0/appeal", {"reason": "the flood cut the canal"})
    api.call("dispatcher-rq", "POST", f"/cases/{a}/evaluations/0/appeal-decision",
             {"decision": "void", "note": "the flood was force majeure"})
    api.call("gm-yks-01", "GET", f"/cases/{a}/timeline")
    api.call("gm-yks-01", "GET", "/cases/mine")
    api.call("dispatcher-bz", "GET", "/cases", label="prefecture-wide")
    api.call("dispatcher-rq", "GET", "/cases?status=closed", label="county, by status")

    # the other actions, each on a case in the status it needs ----------------------------------------------
    b = new_case()["id"]
    act("station-yks", b, "accept", ACCEPT, measure=False)
    act("dispatcher-rq", b, "resolve-on-spot", {"note": "opened the sluice"})
    real_clock = runtime.clock   # closing unevaluated waits for the evaluation deadline: be there, 30 days on
    runtime.clock = lambda: real_clock() + timedelta(days=30)
    act("dispatcher-rq", b, "close", {"note": "silent"}, label="close a silent resolved case")
    runtime.clock = real_clock
    c = new_case()["id"]
    act("station-yks", c, "accept", ACCEPT, measure=False)
    act("dispatcher-rq", c, "escalate", {"reason": "needs the prefecture's water bureau"})
    d = new_case()["id"]
    act("station-yks", d, "accept", ACCEPT, measure=False)
    act("dispatcher-rq", d, "dispatch", DISPATCH, measure=False)
    act("dispatcher-rq", d, "redispatch", {"lead": "rq-water", "note": "a canal matter"})
    act("dept-rq-water", d, "return", {"reason": "the plots are not on our canal"})

    # deadlines: a timer's notices for a dispatched case -----------------------------------------------------
    e = new_case()["id"]
    act("station-yks", e, "accept", ACCEPT, measure=False)
    act("dispatcher-rq", e, "dispatch", DISPATCH, measure=False)
    timer = timer_input(e, "reportin-rq-agri")
    warning = send_deadline_notice({"timer": timer["timer"], "notice": timer["notices"][0]})
    worker("work_worker", lambda_event([warning], WORK.arn()),
           {"R": 1, "T": 1, "E": 1, "O": 1}, "deadline: 75% warning, lead report-in")
    delete(WORK, warning)
    breach = send_deadline_notice({"timer": timer["timer"], "notice": timer["notices"][1]})
    worker("work_worker", lambda_event([breach], WORK.arn()),
           {"R": 1, "T": 1, "E": 1, "O": 1}, "deadline: breach, escalate to the prefecture")
    delete(WORK, breach)
    deliver_notification(lambda b: b.get("case_id") == e and b.get("channel") == "alert", "alert: supervision")
    f = new_case()["id"]
    act("station-yks", f, "accept", ACCEPT, measure=False)
    act("dispatcher-rq", f, "dispatch", DISPATCH, measure=False)
    report_in = timer_input(f, "reportin-rq-agri")
    act("dept-rq-agri", f, "acknowledge", {}, measure=False)   # the stage ends in time: its notices are stale
    evaluation_case = new_case()["id"]
    for user, action, body in [("station-yks", "accept", ACCEPT), ("dispatcher-rq", "dispatch", DISPATCH),
                               ("dept-rq-agri", "acknowledge", {}), ("dept-rq-agri", "resolve", {"note": "done"})]:
        act(user, evaluation_case, action, body, measure=False)
    evaluation = timer_input(evaluation_case, "evaluation")
    silence = send_deadline_notice({"timer": evaluation["timer"], "notice": evaluation["notices"][-1]})
    worker("work_worker", lambda_event([silence], WORK.arn()),
           {"R": 1, "T": 1, "E": 1, "O": 1}, "deadline: evaluation silence, auto-close")
    delete(WORK, silence)
    stale = send_deadline_notice({"timer": report_in["timer"], "notice": report_in["notices"][0]})
    worker("work_worker", lambda_event([stale], WORK.arn()),
           {"R": 1}, "deadline: stale, report-in already done")
    delete(WORK, stale)

    # the outbox relay: idle, then after a crash between a commit and its side effects ------------------------
    worker("outbox_relay", scheduled_event(), {"R": 2}, "nothing pending")
    g = new_case()["id"]
    act("station-yks", g, "accept", ACCEPT, measure=False)
    with crash_after_commit():
        act("dispatcher-rq", g, "dispatch", DISPATCH, measure=False)   # 3 timers + 2 notices left pending
    with later(120):
        worker("outbox_relay", scheduled_event(), {"R": 2, "E": 1, "O": 1}, "5 effects left by a crash",
               ok=lambda reply: reply.get("done") == reply.get("retried") and reply.get("retried", 0) > 0)
    drain(WORK)

    # households, visits, points ---------------------------------------------------------------------------
    home = api.call("gm-yks-01", "POST", "/households", {"grid": GRID, "head": "王小明", "members": 3,
                                                          "phone": "13900000008", "address": "3 Canal Lane"})["id"]
    api.call("station-yks", "GET", f"/households?grid={GRID}")
    api.call("gm-yks-01", "POST", "/visits", {"household_id": home, "visited_at": (now - timedelta(hours=1))
                                              .strftime("%Y-%m-%dT%H:%M:%SZ"), "notes": "asked about the canal",
                                              "case_ids": [a]})
    api.call("station-yks", "GET", f"/visits?grid={GRID}&period={month}")
    for rule in ("helped_mediate", "helped_mediate", "helped_mediate", "volunteer_work"):
        api.call("evaluator-yks", "POST", f"/households/{home}/points", {"rule": rule, "reason": "village duty"},
                 label=rule)
    api.call("evaluator-yks", "POST", f"/households/{home}/ledger/4/reversal", {"reason": "recorded twice"})
    api.call("gm-yks-01", "GET", f"/households/{home}/ledger")
    api.call("clerk-yks", "POST", "/supermarkets/yks-market/stock", {"sku": "soap", "add": 50})
    api.call("clerk-yks", "GET", "/supermarkets/yks-market/stock")
    api.call("clerk-yks", "POST", "/supermarkets/yks-market/redemptions", {"household_id": home, "sku": "soap",
                                                                          "quantity": 2})
    api.call("evaluator-yks", "GET", f"/privileges/star_household_priority/households?village={VILLAGE}"
                                     f"&period={year}")
    api.call("gm-yks-01", "GET", f"/villages/{VILLAGE}/points-ranking?month={month}")

    # statistics and assessment ----------------------------------------------------------------------------
    api.call("leader-rq", "GET", f"/statistics?node=BZ.RQ&period={year}")
    api.call("dispatcher-rq", "GET", f"/rankings?node=BZ.RQ&level=county&year={year}")
    api.call("dept-rq-agri", "GET", f"/scorecards/rq-agri?year={year}")

    # Open311 ---------------------------------------------------------------------------------------------
    key = api.call("admin-bz", "POST", "/admin/open311-keys", {"name": "civic app"})
    api.call(None, "GET", "/open311/v2/discovery.json", label="discovery")
    api.call(None, "GET", "/open311/v2/services.json", label="services")
    api.call(None, "GET", "/open311/v2/services/road_repair.json")
    from urllib.parse import urlencode
    created = api.call(None, "POST", "/open311/v2/requests.json", form=urlencode({
        "api_key": key["api_key"], "service_code": "road_repair", "lat": "40.605", "long": "87.685",
        "description": "Pothole at the school gate", "first_name": "张", "last_name": "三",
        "phone": "13911112222"}), expect=201)
    request_id = created[0]["service_request_id"]
    api.call(None, "GET", "/open311/v2/requests.json?status=open", label="requests, last 90 days")
    api.call(None, "GET", f"/open311/v2/requests/{request_id}.json")
    api.call(None, "GET", f"/open311/v2/tokens/{request_id}.json")
    api.call("admin-bz", "POST", f"/admin/open311-keys/{key['key_id']}/revoke", {})


def seed(config, people):
    from local.seed import stock_supermarkets
    load_households(config, people, datetime.now(timezone.utc))
    stock_supermarkets(config, people, 20)  # opening stock, as `make run`


# -- report ------------------------------------------------------------------------------------------------------
def print_table():
    width = max(len(r.name) for r in ROWS) + 2
    head = f"{'route-method / worker':<{width}}{'status':>7}  {'R':>2} {'T':>2} {'W':>2} {'E':>2} {'O':>2}  " \
           f"{'calls':>5} {'rounds':>6} {'ms':>6}  {'target':<28}verdict"
    print(head)
    print("-" * len(head))
    for r in ROWS:
        counts = {k: sum(1 for c in r.calls if c.kind == k) for k in KINDS}
        ms = (max(c.end for c in r.calls) - min(c.start for c in r.calls)) * 1000 if r.calls else 0
        verdict = r.verdict + (f" ({', '.join(k.replace('TW', 'T/W') + '=' + str(r.kind_rounds[k]) for k in r.over)})"
                               if r.verdict == "MISS" else "")
        print(f"{r.name:<{width}}{r.status:>7}  " + " ".join(f"{counts[k]:>2}" for k in KINDS)
              + f"  {len(r.calls):>5} {r.rounds:>6} {ms:>6.0f}  {target_text(r.target):<28}{verdict}")


def print_calls(r: Row):
    print(f"\n{r.name}  ({r.status}, {r.verdict}, {r.rounds} sequential rounds; target {target_text(r.target)})")
    if not r.calls:
        print("    (no AWS calls)")
    t0 = min((c.start for c in r.calls), default=0)
    for c in r.calls:
        tables = ",".join(t.replace(os.environ["TABLE_PREFIX"], "") for t in c.tables)
        print(f"    {c.kind} {c.service}.{c.operation:<26} {tables:<28} {c.thread:<24} "
              f"{(c.start - t0) * 1000:7.1f}-{(c.end - t0) * 1000:7.1f} ms{'  ' + c.error if c.error else ''}")
        for s in c.site[:3]:
            print(f"        at {s}")


def main() -> int:
    config = county_config.load("demo")
    people = load_people(config)
    users = {u["user_id"]: u for u in people["users"]}
    seed(config, people)
    with Client(APP) as client:
        scenario(Api(client, users))      # warm-up: a warm container has its clients, models and config loaded
        MEASURING["on"] = True
        scenario(Api(client, users))
    for r in ROWS:
        r.evaluate()
    print(f"Round trips per request (issue 9, figure 1) -- embedded AWS at {AWS.url}, simulated latency "
          f"{SIMULATED_RTT * 1000:.0f} ms per call")
    print("Kinds: R read, T TransactWriteItems, W other write, E outbox side effect (SFN start/stop, SQS send, "
          "SNS publish), O outbox mark-done.\nrounds = sequential depth (calls overlapping in time on different "
          "threads are one round); targets are per kind, in rounds:\n  API GET: R<=2.  API write: R<=1, T/W<=1 "
          "(one atomic commit), E<=1, O<=1.  GET contacts: R<=2, W<=1 (access log).\n  work_worker, per kind of "
          "record -- deadline: R<=1, T<=1, E<=1, O<=1 (the same as an API write).\n  photo: R<=2 (the upload + "
          "the case), W<=2 (S3 copy + delete: the move), T<=1, E<=1, O<=1.  notification: R<=2 (SMS: the case "
          "+ the SNS opt-out check), W<=2 (Powertools idempotency: in progress + completed), E<=1 (the delivery)."
          "\n  outbox_relay: R<=2 (pending + oldest-age Query), E<=1, O<=1.\n")
    print_table()
    served = {(path, method) for path, methods in APP.routes.items() for method in methods}
    workers_declared = {e.name for e in APP.event_sources}
    missing_routes = sorted(served - EXERCISED_ROUTES)
    missing_workers = sorted(workers_declared - EXERCISED_WORKERS)
    misses = [r for r in ROWS if r.verdict != "ok"]
    print(f"\n{len(served)} route-methods registered, {len(served & EXERCISED_ROUTES)} exercised with a 2xx; "
          f"{len(workers_declared)} workers declared ({', '.join(sorted(workers_declared))}), "
          f"{len(workers_declared & EXERCISED_WORKERS)} exercised; {len(ROWS)} requests/invocations measured; "
          f"{sum(1 for r in ROWS if r.verdict == 'MISS')} MISS, {sum(1 for r in ROWS if r.verdict == 'FAIL')} FAIL.")
    if missing_routes:
        print("NOT EXERCISED (route-methods): " + ", ".join(f"{m} {p}" for p, m in missing_routes))
    if missing_workers:
        print("NOT EXERCISED (workers): " + ", ".join(missing_workers))
    for r in (ROWS if SHOW_ALL_CALLS else misses):
        print_calls(r)
    return 1 if misses or missing_routes or missing_workers else 0


if __name__ == "__main__":
    try:
        code = main()
    finally:
        SINK.stop()
        AWS.stop()
    sys.exit(code)
