"""The manual supervision notice (督办) over HTTP: a center above the one holding a case sends the lead department
a notice with a note; it is on the timeline, reaches the department's robot and is counted in the statistics.
Expectations written here by hand: the demo case is held by the Ruoqiang county center (BZ.RQ), lead rq-agri;
the prefecture center (BZ) is the only center above it."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.helpers import drive, new_case, ok
from tests.e2e.test_async_backbone import drain, robots  # noqa: F401  (robots: the DingTalk sink fixture)

NOTE = {"note": "three households still without water: report progress by Friday"}


def supervise(api, user, case_id, body=NOTE):
    return api.call(user, "POST", f"/cases/{case_id}/supervise", body)


@pytest.mark.parametrize("status", ["dispatched", "in_progress"])
def test_the_prefecture_center_supervises_a_case_the_county_holds_and_the_timeline_keeps_its_note(api, status):
    case = drive(api, new_case(api)["id"], status)
    assert "supervise" in ok(api.call("dispatcher-bz", "GET", f"/cases/{case['id']}"))["allowed_actions"]
    after = ok(supervise(api, "dispatcher-bz", case["id"]))
    assert (after["status"], after["center"], after["version"]) == (status, "BZ.RQ", case["version"] + 1)
    last = ok(api.call("dispatcher-rq", "GET", f"/cases/{case['id']}/timeline"))["items"][-1]
    assert (last["action"], last["from_status"], last["to_status"], last["note"]) == \
        ("supervise", status, status, NOTE["note"])
    assert last["actor"]["user_id"] == "dispatcher-bz"


@pytest.mark.parametrize("user", ["dispatcher-rq",      # the holder itself is not above itself
                                  "dispatcher-tglk",    # a township center below the county
                                  "station-yks",        # the village's receiving station
                                  "dept-rq-agri", "leader-rq", "gm-yks-01"])
def test_no_one_but_a_center_above_the_holder_supervises(api, user):
    case = drive(api, new_case(api)["id"], "dispatched")
    code, answer = supervise(api, user, case["id"])
    assert code == 403, answer
    assert ok(api.call("dispatcher-rq", "GET", f"/cases/{case['id']}"))["version"] == case["version"]


def test_a_center_of_another_county_does_not_even_see_the_case(api):
    case = drive(api, new_case(api)["id"], "dispatched")
    assert supervise(api, "dispatcher-hj", case["id"])[0] == 404


@pytest.mark.parametrize("body", [{}, {"note": ""}, {"note": "   "}])
def test_a_supervision_notice_without_a_note_is_refused_naming_the_field(api, body):
    case = drive(api, new_case(api)["id"], "dispatched")
    code, answer = supervise(api, "dispatcher-bz", case["id"], body)
    assert code == 400 and answer["error"]["fields"][0]["field"] == "note"
    assert ok(api.call("dispatcher-rq", "GET", f"/cases/{case['id']}"))["version"] == case["version"]


@pytest.mark.parametrize("status", ["accepted", "resolved"])
def test_there_is_no_one_to_supervise_before_dispatch_or_after_resolution(api, status):
    case = drive(api, new_case(api)["id"], status)
    code, answer = supervise(api, "dispatcher-bz", case["id"])
    assert code == 409 and answer["error"]["code"] == "invalid_transition"
    assert "supervise" not in answer["error"]["allowed_actions"]


def test_the_lead_departments_robot_receives_the_supervision_notice(api, robots):  # noqa: F811
    case = drive(api, new_case(api)["id"], "dispatched")
    drain()
    dispatched = len(robots.requests)                      # the dispatch's own message to rq-agri
    ok(supervise(api, "dispatcher-bz", case["id"]))
    drain()
    assert len(robots.requests) == dispatched + 1
    text = robots.messages()[-1]["markdown"]["text"]
    assert case["number"] in text and "督办" in text
    assert "Friday" not in text                            # the note stays on the timeline: no free text goes out


def test_supervision_notices_are_counted_in_the_statistics_of_every_node_above_the_grid(api):
    first = drive(api, new_case(api)["id"], "dispatched")
    second = drive(api, new_case(api)["id"], "in_progress")
    for case in (first, second, first):
        ok(supervise(api, "dispatcher-bz", case["id"]))
    month = f"{datetime.now(timezone.utc).astimezone(ZoneInfo('Asia/Shanghai')):%Y-%m}"
    for user, node in (("leader-rq", "BZ.RQ"), ("dispatcher-tglk", "BZ.RQ.TGLK")):
        metrics = ok(api.call(user, "GET", f"/statistics?node={node}&period={month}"))["metrics"]
        assert metrics["supervised"]["total"] == 3
        assert metrics["supervised"]["by_category"] == {"irrigation": 3}
