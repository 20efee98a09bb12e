"""The asynchronous backbone end to end: outbox + relay, photos through S3 and the work queue's worker, DingTalk
delivery, and the worker telling the kinds of work apart."""
import json

import boto3
import pytest
import requests

from chalicelib import resources, workers
from chalicelib.adapters import outbox, secrets
from chalicelib.adapters.models import OutboxItem
from chalicelib.services import dispatcher
from local.worker import poll_once
from support.dingtalk_sink import SECRET, Sink
from tests.e2e.helpers import REPORT, drive, new_case, ok


def lambda_handler(name="work_worker"):
    """The Chalice app's own Lambda entry for a worker (what the local worker and Lambda call)."""
    import app as app_module
    handler = getattr(app_module, name)
    return lambda event: handler(event, None)


def drain(handler=None, rounds=3):
    sqs = boto3.client("sqs")
    for _ in range(rounds):
        poll_once(sqs, resources.WORK, handler or lambda_handler(), wait_seconds=0)


def executions(case_id):
    """The case's timers other than triage (which intake started and triage ended)."""
    sfn = boto3.client("stepfunctions")
    return {e["name"]: e["status"] for e in sfn.list_executions(
        stateMachineArn=resources.timer_state_machine_arn())["executions"]
        if e["name"].startswith(case_id) and "-triage-" not in e["name"]}


# -- outbox ------------------------------------------------------------------------------------------------
def test_a_timer_start_that_fails_right_after_the_commit_is_started_later_by_the_relay(api, monkeypatch):
    case = drive(api, new_case(api)["id"], "accepted")
    def timer_service_down(carrier, effect):
        raise ConnectionError("Step Functions unreachable")

    monkeypatch.setattr(outbox.AwsCarrier, "start_timer", timer_service_down)
    ok(api.call("dispatcher-rq", "POST", f"/cases/{case['id']}/dispatch", {"lead": "rq-agri"}))
    assert executions(case["id"]) == {}                                   # the start failed...
    pending = [e for i in OutboxItem.scan() if i.pending for e in i.effects if e["kind"] == "start_timer"]
    assert len(pending) == 2                                              # ...but both timers are in the outbox
    monkeypatch.undo()
    result = workers.relay(older_than_seconds=0)                          # the relay's next run
    assert result["done"] == 2 and result["oldest_pending_age_seconds"] == 0
    assert set(executions(case["id"]).values()) == {"RUNNING"} and len(executions(case["id"])) == 2
    assert [i for i in OutboxItem.scan() if i.pending] == []


def test_a_crash_between_commit_and_side_effects_loses_nothing(api, monkeypatch):
    case = drive(api, new_case(api)["id"], "accepted")
    monkeypatch.setattr(dispatcher, "dispatch", lambda effects, carrier: [])   # the process dies after the commit
    ok(api.call("dispatcher-rq", "POST", f"/cases/{case['id']}/dispatch", {"lead": "rq-agri", "co_handlers": ["rq-water"]}))
    monkeypatch.undo()
    assert executions(case["id"]) == {}
    workers.relay(older_than_seconds=0)
    assert sorted(executions(case["id"])) == sorted([f"{case['id']}-reportin-rq-agri-v1",
                                                    f"{case['id']}-reportin-rq-water-v1",
                                                    f"{case['id']}-resolve-v2"])
    workers.relay(older_than_seconds=0)                                   # a second run is harmless
    assert len(executions(case["id"])) == 3


def test_a_timer_stop_lost_in_a_crash_is_carried_out_by_the_relay(api, monkeypatch):
    case = drive(api, new_case(api)["id"], "dispatched")
    monkeypatch.setattr(dispatcher, "dispatch", lambda effects, carrier: [])   # the process dies after the commit
    ok(api.call("dept-rq-agri", "POST", f"/cases/{case['id']}/acknowledge", {}))
    monkeypatch.undo()
    name = f"{case['id']}-reportin-rq-agri-v1"
    assert executions(case["id"])[name] == "RUNNING"                      # reported in, yet its timer runs...
    assert workers.relay(older_than_seconds=0)["done"] == 1
    assert executions(case["id"])[name] == "ABORTED"                      # ...until the relay stops it


def deadline_notices(case_id: str, stage: str) -> list[dict]:
    """The work-queue bodies the case's timer for `stage` will send (its execution input is their chain)."""
    sfn = boto3.client("stepfunctions")
    (execution,) = [e for e in sfn.list_executions(stateMachineArn=resources.timer_state_machine_arn())["executions"]
                    if e["name"].startswith(f"{case_id}-{stage}-")]
    link, bodies = json.loads(sfn.describe_execution(executionArn=execution["executionArn"])["input"]), []
    while "then" in link:               # the trailing link has no notice to send
        bodies.append({"timer": link["timer"], "notice": link["notice"]})
        link = link["then"]
    return bodies


def test_an_evaluation_that_never_comes_auto_closes_the_case_and_the_worker_stops_its_timer(api):
    case = drive(api, new_case(api)["id"], "resolved")
    drain()                                                               # the resolution's notifications
    silence = deadline_notices(case["id"], "evaluation")[-1]              # the breach of the evaluation stage
    boto3.client("sqs").send_message(QueueUrl=resources.WORK.url(), MessageBody=json.dumps(silence))
    drain()
    closed = ok(api.call("gm-yks-01", "GET", f"/cases/{case['id']}"))
    assert (closed["status"], closed["closed_as"]) == ("closed", "not_evaluated")
    assert set(executions(case["id"]).values()) == {"ABORTED"}            # the evaluation timer is stopped


# -- photos ------------------------------------------------------------------------------------------------
def jpeg_bytes(size=(64, 48)):
    import io
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 60)).save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def upload(api, case_id, data, user="gm-yks-01", phase="before", content_type="image/jpeg", filename="p.jpg"):
    # The declared size may lie: S3 enforces the form's content-length-range, moto does not, the worker must.
    declared = min(len(data), 1000)
    form = ok(api.call(user, "POST", f"/cases/{case_id}/photos",
                       {"phase": phase, "content_type": content_type, "size": declared}), 201)
    answer = requests.post(form["upload"]["url"], data=form["upload"]["fields"],
                           files={"file": (filename, data, content_type)}, timeout=10)
    assert answer.status_code in (200, 204), answer.text
    drain()
    return form["photo_id"]


def test_a_real_jpeg_uploaded_with_the_presigned_form_is_attached_and_viewable(api):
    case = new_case(api)
    data = jpeg_bytes()
    photo_id = upload(api, case["id"], data)
    detail = ok(api.call("gm-yks-01", "GET", f"/cases/{case['id']}"))
    assert [(p["id"], p["phase"], p["content_type"], p["width"]) for p in detail["photos"]] == [
        (photo_id, "before", "image/jpeg", 64)]
    assert "photo_attached" in [e["action"] for e in ok(api.call("gm-yks-01", "GET", f"/cases/{case['id']}/timeline"))["items"]]
    link = ok(api.call("station-yks", "GET", f"/cases/{case['id']}/photos/{photo_id}"))
    assert requests.get(link["url"], timeout=10).content == data
    assert api.call("station-ys", "GET", f"/cases/{case['id']}/photos/{photo_id}")[0] == 404


def test_an_attached_photo_stays_the_same_when_its_upload_form_is_used_again(api):
    case = new_case(api)
    first, second = jpeg_bytes((64, 48)), jpeg_bytes((80, 60))
    form = ok(api.call("gm-yks-01", "POST", f"/cases/{case['id']}/photos",
                       {"phase": "before", "content_type": "image/jpeg", "size": 1000}), 201)
    for data in (first, second):                       # the same form, still valid: a second POST to its key
        answer = requests.post(form["upload"]["url"], data=form["upload"]["fields"],
                               files={"file": ("p.jpg", data, "image/jpeg")}, timeout=10)
        assert answer.status_code in (200, 204), answer.text
        drain()
    photos = ok(api.call("gm-yks-01", "GET", f"/cases/{case['id']}"))["photos"]
    assert [(p["id"], p["width"]) for p in photos] == [(form["photo_id"], 64)]
    link = ok(api.call("station-yks", "GET", f"/cases/{case['id']}/photos/{form['photo_id']}"))
    assert requests.get(link["url"], timeout=10).content == first


def test_a_photo_sent_again_after_a_lost_answer_with_its_key_is_attached_once(api):
    case = new_case(api)
    body = {"phase": "before", "content_type": "image/jpeg", "size": 1000}
    forms = [ok(api.call("gm-yks-01", "POST", f"/cases/{case['id']}/photos", body,
                         headers={"Idempotency-Key": "report-7/photo/0"}), 201) for _ in range(2)]
    assert forms[0]["photo_id"] == forms[1]["photo_id"]                # the same key names the same photo
    for form in forms:                                                 # the bucket's first answer was lost
        answer = requests.post(form["upload"]["url"], data=form["upload"]["fields"],
                               files={"file": ("p.jpg", jpeg_bytes(), "image/jpeg")}, timeout=10)
        assert answer.status_code in (200, 204), answer.text
        drain()
    assert [p["id"] for p in ok(api.call("gm-yks-01", "GET", f"/cases/{case['id']}"))["photos"]] == [
        forms[0]["photo_id"]]
    other = ok(api.call("station-yks", "POST", f"/cases/{case['id']}/photos", body,
                        headers={"Idempotency-Key": "report-7/photo/0"}), 201)
    unkeyed = ok(api.call("gm-yks-01", "POST", f"/cases/{case['id']}/photos", body), 201)
    assert len({forms[0]["photo_id"], other["photo_id"], unkeyed["photo_id"]}) == 3   # someone else's key, no key


@pytest.mark.parametrize("name,data", [
    ("text file named .jpg", b"this is not a picture, just text\n" * 20),
    ("truncated jpeg", jpeg_bytes((400, 300))[:600]),
    ("oversize", b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024)),
])
def test_an_invalid_upload_is_quarantined_and_not_attached(api, name, data):
    case = new_case(api)
    upload(api, case["id"], data)
    assert ok(api.call("gm-yks-01", "GET", f"/cases/{case['id']}"))["photos"] == []
    keys = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=resources.photos_bucket()).get("Contents", [])]
    assert len(keys) == 1 and keys[0].startswith(f"quarantine/{case['id']}/"), (name, keys)


def test_only_the_lead_department_adds_after_photos_and_only_while_in_progress(api):
    case = drive(api, new_case(api)["id"], "in_progress")
    body = {"phase": "after", "content_type": "image/jpeg", "size": 1000}
    assert api.call("dept-rq-water", "POST", f"/cases/{case['id']}/photos", body)[0] == 403
    assert api.call("dept-rq-agri", "POST", f"/cases/{case['id']}/photos", body)[0] == 201
    code, answer = api.call("gm-yks-01", "POST", f"/cases/{case['id']}/photos", {**body, "content_type": "image/gif"})
    assert code == 400 and answer["error"]["fields"][0]["field"] == "content_type"


# -- notifications -----------------------------------------------------------------------------------------
@pytest.fixture
def robots(tmp_path, monkeypatch):
    sink = Sink(SECRET).start()
    path = tmp_path / "secrets.json"
    path.write_text(json.dumps({"dingtalk": {"rq-agri": {"url": sink.url, "secret": SECRET}}}))
    monkeypatch.setenv("LOCAL_SECRETS_FILE", str(path))
    monkeypatch.setattr(workers, "RETRY_BASE_SECONDS", 0)
    secrets.forget()
    yield sink
    sink.stop()
    secrets.forget()


def test_the_lead_departments_robot_receives_a_signed_message_on_dispatch(api, robots):
    case = drive(api, new_case(api)["id"], "dispatched")
    drain()
    assert len(robots.requests) == 1                       # rq-water has no robot configured: skipped
    assert robots.verdict(robots.requests[0]["query"]) == {"errcode": 0, "errmsg": "ok"}
    text = robots.messages()[0]["markdown"]["text"]
    assert case["number"] in text and "派单" in text
    drain()
    assert len(robots.requests) == 1                       # delivered once


def test_a_robots_message_names_the_case_category_and_place_never_the_reporters_words(api, robots, config,
                                                                                       monkeypatch):
    from chalicelib import runtime
    from chalicelib.county_config import Deployment
    categories = [c.model_copy(update={"names": c.names.model_copy(update={"zh": "灌溉[点我](http://x.test)*急*"})})
                  if c.code == "irrigation" else c for c in config.spec.categories]
    tricky = Deployment.from_spec(config.spec.model_copy(update={"categories": categories}))
    monkeypatch.setattr(runtime, "config", lambda: tricky)
    report = {**REPORT, "title": "call 139 1234 5678 **now**", "description": "ID 650102198807071234"}
    case = drive(api, new_case(api, report)["id"], "dispatched")
    drain()
    text = robots.messages()[0]["markdown"]["text"]
    assert case["number"] in text and "亚克仁松村" in text                  # the case and its place
    assert r"灌溉\[点我\]\(http://x.test\)\*急\*" in text                # the category, as plain text
    for words in ("call", "1234", "5678", "650102198807071234", "**now**"):
        assert words not in text


def test_with_the_robot_down_the_message_is_retried_then_dead_lettered_and_the_case_is_untouched(api, robots):
    robots.stop()                                          # the endpoint refuses connections
    case = drive(api, new_case(api)["id"], "dispatched")
    sqs = boto3.client("sqs")
    for _ in range(resources.WORK.max_receive_count + 2):
        poll_once(sqs, resources.WORK, workers.work_batch, wait_seconds=0)
    dead = sqs.receive_message(QueueUrl=resources.WORK.dlq_url(), MaxNumberOfMessages=10,
                               AttributeNames=["All"]).get("Messages", [])
    assert [json.loads(m["Body"])["department"] for m in dead] == ["rq-agri"]
    assert int(dead[0]["Attributes"]["ApproximateReceiveCount"]) >= 1
    after = ok(api.call("dispatcher-rq", "GET", f"/cases/{case['id']}"))
    assert (after["status"], after["version"]) == ("dispatched", case["version"])


def test_in_a_deployed_stage_the_robot_comes_from_the_departments_ssm_securestring(api, monkeypatch):
    """Outside the local stage a department's robot (URL and signing secret) is an SSM SecureString the county
    admin puts (docs/deploy.md); the worker reads it with decryption."""
    from chalicelib import settings
    from chalicelib.adapters import dingtalk
    sink = Sink(SECRET).start()
    robot = "https://oapi.dingtalk.com" + sink.url.split(str(sink.port), 1)[1]   # a deployed stage's only host
    real_open = dingtalk._opener.open

    def to_the_sink(request, timeout=None):   # DingTalk itself is not reachable here: its host answers on the sink
        request.full_url = request.full_url.replace("https://oapi.dingtalk.com", f"http://127.0.0.1:{sink.port}")
        return real_open(request, timeout=timeout)

    try:
        boto3.client("ssm").put_parameter(Name=secrets.parameter_name("rq-agri"), Type="SecureString",
                                          Value=json.dumps({"url": robot, "secret": SECRET}))
        case = drive(api, new_case(api)["id"], "dispatched")
        monkeypatch.setattr(settings, "STAGE", "dev")                     # the worker's (the API keeps its issuer)
        monkeypatch.setattr(dingtalk._opener, "open", to_the_sink)
        monkeypatch.setattr(workers, "RETRY_BASE_SECONDS", 0)
        secrets.forget()
        drain()
        assert len(sink.requests) == 1                                    # rq-water has no parameter: skipped
        assert sink.verdict(sink.requests[0]["query"]) == {"errcode": 0, "errmsg": "ok"}
        assert case["number"] in sink.messages()[0]["markdown"]["text"]
    finally:
        sink.stop()
        secrets.forget()


# -- one work queue, three kinds of work -------------------------------------------------------------------
def test_the_worker_tells_the_kinds_of_work_apart_by_their_bodies():
    notice = {"timer": {"name": "01C-resolve-v1", "case_id": "01C"}, "notice": {"kind": "warning", "at": "x"}}
    upload = {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Post",
                           "s3": {"bucket": {"name": "b"}, "object": {"key": "incoming/01C/before/01P"}}}]}
    s3_test = {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "b", "RequestId": "r", "HostId": "h"}
    notification = {"effect_id": "01E", "channel": "dingtalk", "case_id": "01C", "department": "rq-agri"}
    assert [workers.kind_of(b) for b in (notice, upload, s3_test, notification)] == [
        "deadline", "photo", "photo", "notification"]
    for body in ({}, [], "text", 7, {"Records": []}, {"Records": [{"eventSource": "aws:sns", "Sns": {}}]},
                 {"timer": {}}, {"effect_id": "01E"}):
        assert workers.kind_of(body) == "unknown", body


def test_a_mixed_batch_each_record_by_its_kind_failures_alone_with_backoff_and_hopeless_ones_dead_lettered(
        stack, monkeypatch):
    sqs = boto3.client("sqs")
    queue = resources.WORK
    sqs.purge_queue(QueueUrl=queue.url())                  # S3's test event of the bucket notification, if any
    monkeypatch.setattr(workers, "RETRY_BASE_SECONDS", 0)  # the backoff's first delay: visible again at once
    monkeypatch.delenv("LOCAL_SECRETS_FILE", raising=False)
    secrets.forget()                                       # no robot configured: the notification is skipped
    bodies = {
        "missing case": json.dumps({"timer": {"name": "01NOCASE-resolve-v1", "case_id": "01NOCASE",
                                              "stage": "resolve"}, "notice": {"kind": "warning", "at": "x"}}),
        "s3 test event": json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "b"}),
        "notification": json.dumps({"effect_id": "01EFFECTMIXED", "channel": "dingtalk", "case_id": "01NOCASE",
                                    "department": "rq-water", "number": "RQ-1", "title": "t", "event": "dispatch"}),
        "broken notice": json.dumps({"timer": {}, "notice": {}}),           # fails: comes back with backoff
        "unknown": json.dumps({"hello": "world"}),                           # hopeless: dead-lettered at once
        "not json": "<xml/>",                                                # hopeless too
    }
    for body in bodies.values():
        sqs.send_message(QueueUrl=queue.url(), MessageBody=body)
    replies = []

    def handler(event):
        replies.append((event, workers.work_batch(event)))
        return replies[-1][1]

    assert poll_once(sqs, queue, handler, wait_seconds=0) == len(bodies)
    event, reply = replies[0]
    by_id = {r["messageId"]: r["body"] for r in event["Records"]}
    assert [by_id[f["itemIdentifier"]] for f in reply["batchItemFailures"]] == [bodies["broken notice"]]
    dead = sqs.receive_message(QueueUrl=queue.dlq_url(), MaxNumberOfMessages=10).get("Messages", [])
    assert sorted(m["Body"] for m in dead) == sorted([bodies["unknown"], bodies["not json"]])
    again = sqs.receive_message(QueueUrl=queue.url(), MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in again] == [bodies["broken notice"]]   # the rest were deleted; it is back at once
    assert again[0]["Attributes"]["ApproximateReceiveCount"] == "2"  # (the queue's own timeout is 6 minutes)
