"""A department's inbox in one status reads only the links of cases in that status (the by-dept-status index),
kind and category filters are Query filters (the BatchGet reads only matching cases), and a prefecture-wide
list includes the cases placed at the root (Open311 reports outside every grid). DynamoDB's answers are
counted by the shared recorder of AWS calls (support/calls.py)."""
import json
from urllib.parse import urlencode

import pytest

from support.calls import RECORDER, Collector
from tests.e2e.helpers import REPORT, drive, new_case, ok


def read(call):
    """(operation, Count, ScannedCount) of a Query; (operation, keys asked, items returned) of a BatchGetItem."""
    if call.operation in ("Query", "Scan"):
        return call.operation, call.response.get("Count", 0), call.response.get("ScannedCount", 0)
    asked = sum(len(v["Keys"]) for v in call.params.get("RequestItems", {}).values())
    return call.operation, asked, sum(len(v) for v in call.response.get("Responses", {}).values())


@pytest.fixture
def dynamodb_reads(aws):
    collector = Collector(keep=lambda c: c.service == "dynamodb" and c.operation in ("Query", "Scan", "BatchGetItem"),
                          record=read)
    RECORDER.add_listener(collector)
    yield collector.calls
    RECORDER.remove_listener(collector)


def handled_by_agri(api, category="irrigation", kind="demand", to="in_progress"):
    """A case accepted in `category`, dispatched to rq-agri (lead) and, for in_progress, acknowledged."""
    case_id = new_case(api, {**REPORT, "kind": kind, "category": category})["id"]
    ok(api.call("station-yks", "POST", f"/cases/{case_id}/accept", {
        "kind": kind, "category": category, "urgency": "normal", "public_summary": "s",
        "forward_to_level": "county"}))
    ok(api.call("dispatcher-rq", "POST", f"/cases/{case_id}/dispatch", {"lead": "rq-agri"}))
    if to == "in_progress":
        ok(api.call("dept-rq-agri", "POST", f"/cases/{case_id}/acknowledge", {}))
    return case_id


def inbox(api, query):
    return ok(api.call("dept-rq-agri", "GET", f"/inbox?{query}"))


def test_an_inbox_in_one_status_reads_only_the_matching_links_and_pages_each_once(api, dynamodb_reads):
    working = [new_case(api)["id"] for _ in range(3)]
    for case_id in working:
        drive(api, case_id, "in_progress")
    working += [handled_by_agri(api, "drinking_water"), handled_by_agri(api, "land_boundary", "dispute")]
    waiting = [handled_by_agri(api, to="dispatched") for _ in range(2)]
    done = new_case(api)["id"]
    drive(api, done, "closed")

    dynamodb_reads.clear()
    page = inbox(api, "status=in_progress")
    assert [c["id"] for c in page["items"]] == sorted(working, reverse=True) and page["cursor"] is None
    assert {c["status"] for c in page["items"]} == {"in_progress"}
    assert dynamodb_reads == [("Query", 5, 5), ("BatchGetItem", 5, 5)]    # ScannedCount == Count: no link wasted

    seen, cursor = [], None
    while True:
        dynamodb_reads.clear()
        page = inbox(api, "status=in_progress&limit=2" + (f"&cursor={cursor}" if cursor else ""))
        queries = [r for r in dynamodb_reads if r[0] == "Query"]
        assert len(queries) == 1 and queries[0][1] == queries[0][2] <= 2
        seen += [c["id"] for c in page["items"]]
        cursor = page["cursor"]
        if not cursor:
            break
    assert seen == sorted(working, reverse=True)

    dynamodb_reads.clear()
    assert [c["id"] for c in inbox(api, "status=dispatched")["items"]] == sorted(waiting, reverse=True)
    assert dynamodb_reads[0] == ("Query", 2, 2)
    assert [c["id"] for c in inbox(api, "status=closed")["items"]] == [done]

    ok(api.call("dept-rq-agri", "POST", f"/cases/{working[0]}/resolve", {"note": "water restored"}))
    assert working[0] not in [c["id"] for c in inbox(api, "status=in_progress")["items"]]   # the link moved
    assert [c["id"] for c in inbox(api, "status=resolved")["items"]] == [working[0]]


def test_kind_and_category_filter_the_inbox_in_the_query_so_only_matching_cases_are_read(api, dynamodb_reads):
    irrigation = [handled_by_agri(api) for _ in range(2)]
    water = handled_by_agri(api, "drinking_water")
    dispute = handled_by_agri(api, "land_boundary", "dispute")

    dynamodb_reads.clear()
    assert [c["id"] for c in inbox(api, "category=drinking_water")["items"]] == [water]
    assert dynamodb_reads == [("Query", 1, 4), ("BatchGetItem", 1, 1)]     # the filter ran in the Query
    dynamodb_reads.clear()
    assert [c["id"] for c in inbox(api, "kind=dispute")["items"]] == [dispute]
    assert dynamodb_reads == [("Query", 1, 4), ("BatchGetItem", 1, 1)]
    dynamodb_reads.clear()
    listed = inbox(api, "status=in_progress&kind=demand&category=irrigation")["items"]
    assert [c["id"] for c in listed] == sorted(irrigation, reverse=True)
    assert dynamodb_reads == [("Query", 2, 4), ("BatchGetItem", 2, 2)]     # 4 in progress, 2 of them irrigation


def open311_key(api):
    return ok(api.call("admin-bz", "POST", "/admin/open311-keys", {"name": "civic app"}), 201)


def test_an_open311_report_outside_every_grid_is_in_the_prefecture_leaders_list(api):
    key = open311_key(api)
    response = api.client.http.post("/open311/v2/requests.json",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"},
                                     body=urlencode({"api_key": key["api_key"], "service_code": "road_repair",
                                                     "lat": "10.0", "long": "10.0", "description": "far away"}))
    assert response.status_code == 201, response.body
    outside = json.loads(response.body)[0]["service_request_id"]
    inside = new_case(api)["id"]

    listed = [c["id"] for c in ok(api.call("leader-bz", "GET", "/cases"))["items"]]
    assert listed == sorted([outside, inside], reverse=True)                # the root's partition and the counties'
    reported = [c["id"] for c in ok(api.call("leader-bz", "GET", "/cases?status=reported"))["items"]]
    assert reported == sorted([outside, inside], reverse=True)
    assert [c["id"] for c in ok(api.call("leader-rq", "GET", "/cases"))["items"]] == [inside]   # not a county's
