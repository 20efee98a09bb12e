"""The lists a supervising center reads (GET /cases?attention= and ?due_before=): overdue cases, extension requests
waiting for the center, cases the lead department returned, and cases whose current stage falls due before a
given instant. Expectations by hand: which of the cases made here each filter must hold, and which not."""
import json
from datetime import datetime, timedelta, timezone

import boto3

from chalicelib import resources
from tests.e2e.helpers import drive, new_case, ok
from tests.e2e.test_async_backbone import deadline_notices, drain


def ids(api, user, query):
    return {c["id"] for c in ok(api.call(user, "GET", f"/cases?{query}&limit=50"))["items"]}


def test_each_attention_filter_lists_the_cases_that_need_it_and_no_other(api):
    returned = drive(api, new_case(api)["id"], "dispatched")
    ok(api.call("dept-rq-agri", "POST", f"/cases/{returned['id']}/return", {"reason": "a water matter, not ours"}))
    waiting = drive(api, new_case(api)["id"], "in_progress")
    ok(api.call("dept-rq-agri", "POST", f"/cases/{waiting['id']}/request-extension",
                {"requested_due": "2027-06-30T10:00:00Z", "reason": "the pump is on order"}))
    late = drive(api, new_case(api)["id"], "in_progress")
    drain()
    breach = deadline_notices(late["id"], "resolve")[-1]
    boto3.client("sqs").send_message(QueueUrl=resources.WORK.url(), MessageBody=json.dumps(breach))
    drain()
    plain = drive(api, new_case(api)["id"], "in_progress")
    made = {returned["id"], waiting["id"], late["id"], plain["id"]}

    assert ids(api, "dispatcher-rq", "attention=returned") & made == {returned["id"]}
    assert ids(api, "dispatcher-rq", "attention=extension") & made == {waiting["id"]}
    assert ids(api, "dispatcher-rq", "attention=overdue") & made == {late["id"]}
    # the late case went up to the prefecture center, which reads it from its own subtree too
    assert late["id"] in ids(api, "dispatcher-bz", "attention=overdue&node=BZ.RQ")
    # the village's station reads its own subtree only, with the same filter
    assert ids(api, "station-yks", "attention=returned") & made == {returned["id"]}
    assert ids(api, "dispatcher-hj", "attention=returned") & made == set()


def test_a_returned_case_lists_the_departments_reason_masked_and_a_new_dispatch_clears_it(api):
    case = drive(api, new_case(api)["id"], "dispatched")
    ok(api.call("dept-rq-agri", "POST", f"/cases/{case['id']}/return",
                {"reason": "a water matter, not ours: call 13911112222"}))
    (listed,) = [c for c in ok(api.call("dispatcher-rq", "GET", "/cases?attention=returned&limit=50"))["items"]
                 if c["id"] == case["id"]]
    returned = listed["returned"]
    assert (returned["department"], returned["reason"]) == ("rq-agri", "a water matter, not ours: call 139****2222")
    assert datetime.fromisoformat(returned["returned_at"]) <= datetime.now(timezone.utc)
    ok(api.call("dispatcher-rq", "POST", f"/cases/{case['id']}/dispatch",
                {"lead": "rq-water", "co_handlers": [], "note": "yours"}))
    assert ok(api.call("dispatcher-rq", "GET", f"/cases/{case['id']}"))["returned"] is None


def test_due_before_holds_a_case_whose_stage_falls_due_before_the_instant_and_not_one_second_earlier(api):
    case = drive(api, new_case(api)["id"], "dispatched")
    due = min(ok(api.call("dispatcher-rq", "GET", f"/cases/{case['id']}"))["deadlines"].values())
    at = datetime.fromisoformat(due.replace("Z", "+00:00"))
    assert case["id"] in ids(api, "dispatcher-rq", f"due_before={due}")
    earlier = (at - timedelta(seconds=1)).astimezone(timezone(timedelta(hours=8))).isoformat()
    assert case["id"] not in ids(api, "dispatcher-rq", "due_before=" + earlier.replace("+", "%2B"))
    same_in_beijing = at.astimezone(timezone(timedelta(hours=8))).isoformat().replace("+", "%2B")
    assert case["id"] in ids(api, "dispatcher-rq", f"due_before={same_in_beijing}")


def test_bad_supervision_filters_are_refused_naming_the_parameter(api):
    for query, field in [("attention=late", "attention"), ("due_before=tomorrow", "due_before"),
                         ("due_before=2026-12-01T08:00:00", "due_before")]:
        code, answer = api.call("dispatcher-rq", "GET", f"/cases?{query}")
        assert code == 400 and answer["error"]["fields"][0]["field"] == field, (query, answer)
    code, answer = api.call("dept-rq-agri", "GET", "/inbox?due_before=2026-12-01T08:00:00Z")
    assert code == 400 and answer["error"]["fields"][0]["field"] == "due_before"


def inbox(api, query):
    return {c["id"] for c in ok(api.call("dept-rq-agri", "GET", f"/inbox?{query}&limit=50"))["items"]}


def test_a_bad_review_is_in_the_departments_list_until_appealed_then_in_the_county_centers_until_decided(api):
    bad = drive(api, new_case(api)["id"], "resolved")
    ok(api.call("gm-yks-01", "POST", f"/cases/{bad['id']}/evaluate", {
        "scores": {"response_speed": 2, "performance": 2, "completion": 3, "feedback": 2}, "verdict": "bad"}))
    good = drive(api, new_case(api)["id"], "closed")
    assert bad["id"] in inbox(api, "attention=bad_review")
    assert bad["id"] in inbox(api, "attention=bad_review&status=closed")      # through the by-status index too
    assert good["id"] not in inbox(api, "attention=bad_review")
    assert bad["id"] not in ids(api, "dispatcher-rq", "attention=appeal")

    ok(api.call("dept-rq-agri", "POST", f"/cases/{bad['id']}/evaluations/0/appeal", {"reason": "the pump was fixed"}))
    assert bad["id"] not in inbox(api, "attention=bad_review")
    assert bad["id"] in inbox(api, "attention=appeal")
    assert bad["id"] in ids(api, "dispatcher-rq", "attention=appeal")

    ok(api.call("dispatcher-rq", "POST", f"/cases/{bad['id']}/evaluations/0/appeal-decision", {"decision": "uphold"}))
    assert bad["id"] not in ids(api, "dispatcher-rq", "attention=appeal")
    assert bad["id"] not in inbox(api, "attention=bad_review")
