"""The scenario of bench/round_trips.py: every route-method of the API and every worker of app.py, driven
in-process as the article's closed loop and around it, each request by an authorised user.

Import it once the local stack is up and the app's environment set (bench/round_trips.py does): the app reads
its environment at import.
"""
from __future__ import annotations

import json
import os
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import boto3
from chalice.test import Client

import app as app_module
from chalicelib import console, county_config, environment, resources, runtime
from chalicelib.adapters import outbox
from chalicelib.adapters.models import OutboxItem
from chalicelib.api.http import ROUTES
from chalicelib.entrypoints import OUTBOX_RELAY, WORK_WORKER
from chalicelib.services import dispatcher
from local.seed import load_households, load_people
from local.worker import lambda_event
from support.article import ACCEPT, GRID, REPORT
from support.calls import Collector

APP = app_module.app
OUTBOX_TABLE = OutboxItem.Meta.table_name   # its writes are the outbox's own bookkeeping (kind O)
WORK = resources.WORK   # the one work queue: deadline notices, photo uploads, notifications (one worker)
# targets, in sequential rounds per kind (bench/round_trips.py); a worker's are given where it is invoked
READ_TARGET = {"R": 2}
WRITE_TARGET = {"R": 1, "TW": 1, "E": 1, "O": 1}
# routes answered from the deployment package and the county's configuration: no AWS call at all
NO_AWS_CALLS = {"/", "/console", "/console/{asset}", "/console/phone", "/me", "/jurisdiction", "/categories",
                "/departments", "/points-catalogue", "/health", "/openapi.json", "/admin/configuration"}
# the user pool's routes: Cognito has no transactions, so a change is a few sequential calls that converge when
# retried (create: the user, then its group; assign: who it is, its groups, out of the old one, into the new one,
# its place attributes, then which of the others it still holds, and those removed)
USER_POOL_TARGETS = {("GET", "/admin/users"): {"R": 1}, ("POST", "/admin/users"): {"W": 2},
                     ("POST", "/admin/users/{username}/assignment"): {"R": 3, "W": 4},
                     ("POST", "/admin/users/{username}/disable"): {"R": 1, "W": 1}}


@dataclass
class Measured:
    """One measured request or invocation: its AWS calls and the target they are judged against."""
    name: str
    status: str
    calls: list
    target: dict
    ok: bool


class Bench:
    """One run of the scenario: the recorder's window, the issuer of tokens, what was measured and exercised."""

    def __init__(self, recorder: Collector, issuer):
        self.recorder, self.issuer = recorder, issuer
        self.measuring = False      # the first pass warms the container (clients, models, config), the second counts
        self.measured: list[Measured] = []
        self.routes: set[tuple[str, str]] = set()
        self.workers: set[str] = set()
        self.seen_routes: list = []

    def run(self) -> None:
        config = county_config.load("demo")
        people = load_people(config)
        users = {u["user_id"]: u for u in people["users"]}
        seed(config, people)

        def capture_route(event, get_response):   # the route Chalice matched, as registered
            self.seen_routes.append((event.context.get("resourcePath"), event.method))
            return get_response(event)

        APP.register_middleware(capture_route, "http")
        with Client(APP) as client:
            scenario(Api(client, users, self))    # warm-up: a warm container has its clients, models and config
            self.measuring = True
            scenario(Api(client, users, self))

    def routes_served(self) -> set[tuple[str, str]]:
        return {(path, method) for path, methods in APP.routes.items() for method in methods}

    def workers_declared(self) -> set[str]:
        return {e.name for e in APP.event_sources}


# -- driving the API -------------------------------------------------------------------------------------------
def idempotent(path: str, method: str) -> bool:
    doc = next((r for r in ROUTES if r.path == path and r.method == method), None)
    return bool(doc and "Idempotency-Key" in doc.headers)


class Api:
    def __init__(self, client, users, bench: "Bench"):
        self.client, self.users, self.bench = client, users, bench

    def call(self, user, method, url, body=None, form=None, expect=None, label="", measure=True):
        headers = {"Content-Type": "application/x-www-form-urlencoded" if form is not None else "application/json"}
        if user:
            headers["Authorization"] = f"Bearer {self.bench.issuer.token(self.users[user])}"
        payload = form if form is not None else (json.dumps(body) if body is not None else None)
        bench = self.bench
        bench.seen_routes.clear()
        resolved = None
        # the idempotency header is decided by the route the URL resolves to; resolve it with a dry lookup
        if method == "POST":
            resolved = _template_for(url)
            if resolved and idempotent(resolved, method):
                headers["Idempotency-Key"] = str(uuid.uuid4())
        measure = measure and bench.measuring
        if measure:
            bench.recorder.start()
        try:
            response = self.client.http.request(method, url, headers=headers, body=payload)
        finally:
            calls = bench.recorder.stop() if measure else []
        route_key = bench.seen_routes[-1] if bench.seen_routes else (None, method)
        code = response.status_code
        ok = (code == expect) if expect else 200 <= code < 300
        text = response.body.decode() if isinstance(response.body, bytes) else (response.body or "")
        if not ok:
            print(f"!! {method} {url} as {user}: {code} {text[:300]}", file=sys.stderr)
            if not measure:   # a setup step or the warm-up pass: the scenario cannot go on
                raise SystemExit(f"the scenario broke at {method} {url} ({'setup' if bench.measuring else 'warm-up'})")
        if measure:
            path = route_key[0]
            target = dict(READ_TARGET) if method == "GET" else dict(WRITE_TARGET)
            if path == "/cases/{case_id}/contacts":
                target = {"R": 2, "W": 1}   # PIPL: reading contacts writes one access-log item
            if path in NO_AWS_CALLS:
                target = {"R": 0}           # the package and the county's configuration: no call at all
            target = USER_POOL_TARGETS.get((method, path), target)
            bench.measured.append(Measured(f"{method} {path}" + (f"  [{label}]" if label else ""), str(code), calls,
                                           target, ok))
            if ok:
                bench.routes.add(route_key)
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
        self.function_name = resources.NAMES.function(name)
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = f"arn:aws-cn:lambda:cn-northwest-1:123456789012:function:{self.function_name}"
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = time.time() + 60

    def get_remaining_time_in_millis(self):
        return int((self._deadline - time.time()) * 1000)


def worker(api: Api, name: str, event: dict, target: dict, label: str, ok=lambda reply: True):
    """Invoke a worker of app.py through its Lambda handler, as Lambda would (app.py defines each function under
    its name)."""
    bench = api.bench
    handler = getattr(app_module, name)
    if bench.measuring:
        bench.recorder.start()
    error = None
    try:
        reply = handler(event, LambdaContext(name))
    except Exception as exc:  # an invocation error
        reply, error = None, exc
    finally:
        calls = bench.recorder.stop() if bench.measuring else []
    good = error is None and not (reply or {}).get("batchItemFailures") and ok(reply or {})
    status = "error" if error else ("partial" if (reply or {}).get("batchItemFailures") else "done")
    if not good:
        print(f"!! worker {name} [{label}]: {error or reply}", file=sys.stderr)
        if not bench.measuring:
            raise SystemExit(f"the scenario broke at {name} [{label}] (warm-up)")
    if bench.measuring:
        bench.measured.append(Measured(f"{name}  [{label}]", status, calls, target, good))
        if good:
            bench.workers.add(name)
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


def deliver_notification(api: Api, predicate, label):
    message = receive_one(WORK, lambda b: "effect_id" in b and predicate(b))
    worker(api, WORK_WORKER, lambda_event([message], WORK.arn()), {"R": 2, "W": 2, "E": 1}, f"notification: {label}")
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
                while "then" in link:        # the execution input is a chain of notices
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
        self.saved = dispatcher.dispatch
        dispatcher.dispatch = lambda effects, carrier: []

    def __exit__(self, *exc):
        dispatcher.dispatch = self.saved


class after_the_evaluation_deadline:
    """The app's clock 30 days on: a silent resolved case may be closed as not evaluated."""

    def __enter__(self):
        self.saved = runtime.clock
        runtime.clock = lambda: datetime.now(timezone.utc) + timedelta(days=30)

    def __exit__(self, *exc):
        runtime.clock = self.saved


# -- the scenario ----------------------------------------------------------------------------------------------
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
    # the web console and the reference data: read from the package and the county's configuration, no table
    api.call(None, "GET", "/", expect=302, label="redirect to the console")
    api.call(None, "GET", "/console")
    api.call(None, "GET", f"/console/{console.manifest()['entry']}")
    api.call("gm-yks-01", "GET", "/me")
    for reference in ("/jurisdiction", "/categories", "/departments", "/points-catalogue"):
        api.call("dispatcher-rq", "GET", reference)

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
    worker(api, WORK_WORKER, lambda_event([upload], WORK.arn()),
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
    deliver_notification(api, lambda b: b.get("case_id") == a and b.get("channel") == "dingtalk"
                         and b.get("department") == "rq-agri", "dingtalk: dispatch to rq-agri")
    api.call("dept-rq-agri", "GET", "/inbox")
    act("dept-rq-agri", a, "acknowledge", {"note": "on our way"})
    act("dispatcher-bz", a, "supervise", {"note": "three households still without water: report by Friday"})
    resolve_due = act("dept-rq-water", a, "acknowledge", {}, label="co-handler")["deadlines"]["resolve_due"]
    extended = datetime.fromisoformat(resolve_due.replace("Z", "+00:00")) + timedelta(days=7)  # whatever the calendar
    act("dept-rq-agri", a, "request-extension",
        {"requested_due": extended.strftime("%Y-%m-%dT%H:%M:%SZ"), "reason": "canal works"})
    act("dispatcher-rq", a, "decide-extension", {"approve": True, "note": "granted"})
    act("dept-rq-agri", a, "resolve", {"note": "water restored to the 72 mu"})
    deliver_notification(api, lambda b: b.get("case_id") == a and b.get("channel") == "sms", "sms: resolved")
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
    with after_the_evaluation_deadline():   # closing unevaluated waits for the evaluation deadline
        act("dispatcher-rq", b, "close", {"note": "silent"}, label="close a silent resolved case")
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
    worker(api, WORK_WORKER, lambda_event([warning], WORK.arn()),
           {"R": 1, "T": 1, "E": 1, "O": 1}, "deadline: 75% warning, lead report-in")
    delete(WORK, warning)
    breach = send_deadline_notice({"timer": timer["timer"], "notice": timer["notices"][1]})
    worker(api, WORK_WORKER, lambda_event([breach], WORK.arn()),
           {"R": 1, "T": 1, "E": 1, "O": 1}, "deadline: breach, escalate to the prefecture")
    delete(WORK, breach)
    deliver_notification(api, lambda b: b.get("case_id") == e and b.get("channel") == "alert", "alert: supervision")
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
    worker(api, WORK_WORKER, lambda_event([silence], WORK.arn()),
           {"R": 1, "T": 1, "E": 1, "O": 1}, "deadline: evaluation silence, auto-close")
    delete(WORK, silence)
    stale = send_deadline_notice({"timer": report_in["timer"], "notice": report_in["notices"][0]})
    worker(api, WORK_WORKER, lambda_event([stale], WORK.arn()),
           {"R": 1}, "deadline: stale, report-in already done")
    delete(WORK, stale)

    # the outbox relay: idle, then after a crash between a commit and its side effects ------------------------
    worker(api, OUTBOX_RELAY, scheduled_event(), {"R": 2}, "nothing pending")
    g = new_case()["id"]
    act("station-yks", g, "accept", ACCEPT, measure=False)
    with crash_after_commit():
        act("dispatcher-rq", g, "dispatch", DISPATCH, measure=False)   # 3 timers + 2 notices left pending
    with later(120):
        worker(api, OUTBOX_RELAY, scheduled_event(), {"R": 2, "E": 1, "O": 1}, "5 effects left by a crash",
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

    # the administrator's screens -------------------------------------------------------------------------
    api.call(None, "GET", "/console/phone")
    api.call("admin-bz", "GET", "/admin/open311-keys")
    api.call("admin-bz", "GET", f"/admin/access-log?case_id={a}")
    api.call("admin-bz", "GET", "/admin/configuration")
    pool_id = user_pool()     # a deployed stage's Cognito user pool, as the stack makes it
    os.environ[environment.USER_POOL_ID] = pool_id
    try:
        api.call("admin-bz", "POST", "/admin/users", {"username": "fu.rongqing", "name": "付荣庆", "role": "station",
                                                      "place": "BZ.RQ.TGLK.YKS"}, expect=201)
        api.call("admin-bz", "GET", "/admin/users?role=station")
        api.call("admin-bz", "POST", "/admin/users/fu.rongqing/assignment", {"role": "dispatcher", "place": "BZ.RQ"})
        api.call("admin-bz", "POST", "/admin/users/fu.rongqing/disable", {})
    finally:
        del os.environ[environment.USER_POOL_ID]


def user_pool() -> str:
    from chalicelib.domain.roles import ALL_ROLES
    idp = boto3.client("cognito-idp", region_name=county_config.load("demo").spec.deployment.region)
    pool_id = idp.create_user_pool(PoolName="gridloop-bench-users", Schema=[
        {"Name": name, "AttributeDataType": "String", "Mutable": True} for name in ("node", "department", "grid")],
        MfaConfiguration="OFF")["UserPool"]["Id"]
    for role in ALL_ROLES:
        idp.create_group(UserPoolId=pool_id, GroupName=role)
    return pool_id


def seed(config, people):
    from local.seed import stock_supermarkets
    load_households(config, people, datetime.now(timezone.utc))
    stock_supermarkets(config, 20)  # opening stock, as `make run`
