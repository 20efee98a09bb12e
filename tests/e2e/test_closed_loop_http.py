"""The closed loop over HTTP (chalice.test.Client against moto): the article's case, 409s, 400s."""
import pytest

from tests.e2e.helpers import ACCEPT, REPORT, SCORES, drive, new_case, ok

# Every action's route and the person who would naturally do it. Expected outcome per status is written here
# by hand from the loop in docs/architecture.md, independent of the domain's own table.
ACTOR = {"accept": "station-yks", "reject": "station-yks", "merge": "station-yks",
         "resolve_on_spot": "dispatcher-rq", "escalate": "dispatcher-rq", "dispatch": "dispatcher-rq",
         "redispatch": "dispatcher-rq", "acknowledge": "dept-rq-agri", "return": "dept-rq-agri",
         "request_extension": "dept-rq-agri", "decide_extension": "dispatcher-rq", "resolve": "dept-rq-agri",
         "evaluate": "gm-yks-01", "close": "dispatcher-rq", "supervise": "dispatcher-bz"}
BODY = {"accept": ACCEPT, "reject": {"reason": "no"}, "merge": {"target_case_id": "TARGET"},
        "resolve_on_spot": {"note": "done"}, "escalate": {"reason": "too big"},
        "dispatch": {"lead": "rq-agri"}, "redispatch": {"lead": "rq-agri"}, "acknowledge": {},
        "return": {"reason": "not ours"}, "request_extension": {"requested_due": "2030-01-01T00:00:00Z",
                                                                 "reason": "canal"},
        "decide_extension": {"approve": True}, "resolve": {"note": "done"},
        "evaluate": {"scores": SCORES, "verdict": "good"}, "close": {}, "supervise": {"note": "report progress"}}
ALLOWED = {  # status -> actions that succeed for the natural actor
    "reported": {"accept", "reject", "merge"},
    "accepted": {"resolve_on_spot", "escalate", "dispatch"},
    "dispatched": {"redispatch", "acknowledge", "return", "supervise"},
    "in_progress": {"redispatch", "request_extension", "resolve", "supervise"},
    "resolved": {"evaluate", "close"},
    "closed": set(), "rejected": set(),
}
OFFERED = {  # what a 409 lists as allowed in each status (co-handlers may still report in while in progress)
    "reported": ["accept", "merge", "reject"], "accepted": ["dispatch", "escalate", "resolve_on_spot"],
    "dispatched": ["acknowledge", "redispatch", "return", "supervise"],
    "in_progress": ["acknowledge", "decide_extension", "redispatch", "request_extension", "resolve", "supervise"],
    "resolved": ["close", "evaluate"], "closed": [], "rejected": [],
}


def natural_actor(action, status):
    # Before any dispatch no department can see the case; the station (in its chain) asks instead.
    if ACTOR[action].startswith("dept-") and status in ("reported", "accepted", "rejected"):
        return "station-yks"
    if ACTOR[action] == "dispatcher-rq" and status in ("reported", "rejected"):
        return "station-yks"  # the case is still held by the receiving station
    if ACTOR[action] == "station-yks" and status not in ("reported", "rejected"):
        return "dispatcher-rq"
    return ACTOR[action]


@pytest.mark.parametrize("status", list(ALLOWED))
def test_every_action_in_every_status_succeeds_or_answers_409_with_the_allowed_actions(api, status, monkeypatch):
    from datetime import datetime, timedelta, timezone
    from chalicelib import runtime
    refused_case = new_case(api)["id"]
    drive(api, refused_case, status)
    for action in ACTOR:
        body = dict(BODY[action])
        if action == "merge":
            body["target_case_id"] = new_case(api)["id"]
        if action in ALLOWED[status]:
            case_id = new_case(api)["id"]
            drive(api, case_id, status)
            if action == "close":   # closing unevaluated waits for the evaluation deadline
                monkeypatch.setattr(runtime, "clock", lambda: datetime.now(timezone.utc) + timedelta(days=30))
            code, answer = api.call(natural_actor(action, status), "POST",
                                    f"/cases/{case_id}/{action.replace('_', '-')}", body)
            monkeypatch.undo()
            assert code == 200, (status, action, answer)
        else:
            before = ok(api.call("station-yks", "GET", f"/cases/{refused_case}"))
            code, answer = api.call(natural_actor(action, status), "POST",
                                    f"/cases/{refused_case}/{action.replace('_', '-')}", body)
            assert code == 409, (status, action, answer)
            assert answer["error"]["code"] == "invalid_transition"
            assert answer["error"]["allowed_actions"] == OFFERED[status], (status, action)
            after = ok(api.call("station-yks", "GET", f"/cases/{refused_case}"))
            assert after["version"] == before["version"]


def test_the_articles_irrigation_case_closes_with_a_complete_ordered_timeline(api):
    case = new_case(api)
    assert case["number"].startswith("RQ-") and case["status"] == "reported"
    drive(api, case["id"], "dispatched")
    ok(api.call("dept-rq-agri", "POST", f"/cases/{case['id']}/acknowledge", {}))
    ok(api.call("dept-rq-water", "POST", f"/cases/{case['id']}/acknowledge", {"note": "canal planning"}))
    ok(api.call("dept-rq-agri", "POST", f"/cases/{case['id']}/resolve", {
        "note": "neighbour's machine well + dredged channel", "root_cause_follow_up": "lined canal"}))
    closed = ok(api.call("gm-yks-01", "POST", f"/cases/{case['id']}/evaluate",
                         {"scores": SCORES, "verdict": "good"}))
    assert closed["status"] == "closed" and closed["closed_as"] == "evaluated"
    timeline = ok(api.call("gm-yks-01", "GET", f"/cases/{case['id']}/timeline"))["items"]
    assert [(e["action"], e["actor"]["user_id"], e["from_status"], e["to_status"]) for e in timeline] == [
        ("report", "gm-yks-01", None, "reported"),
        ("accept", "station-yks", "reported", "accepted"),
        ("dispatch", "dispatcher-rq", "accepted", "dispatched"),
        ("acknowledge", "dept-rq-agri", "dispatched", "in_progress"),
        ("acknowledge", "dept-rq-water", "in_progress", "in_progress"),
        ("resolve", "dept-rq-agri", "in_progress", "resolved"),
        ("evaluate", "gm-yks-01", "resolved", "closed"),
    ]
    assert [e["seq"] for e in timeline] == list(range(1, 8))
    assert [e["at"] for e in timeline] == sorted(e["at"] for e in timeline)
    assert all(e["at"].endswith("Z") for e in timeline)


def test_the_timeline_pages_with_a_cursor(api):
    case = drive(api, new_case(api)["id"], "closed")
    first = ok(api.call("gm-yks-01", "GET", f"/cases/{case['id']}/timeline?limit=4"))
    rest = ok(api.call("gm-yks-01", "GET", f"/cases/{case['id']}/timeline?limit=4&cursor={first['cursor']}"))
    assert [e["seq"] for e in first["items"] + rest["items"]] == [1, 2, 3, 4, 5, 6]
    assert rest["cursor"] is None


def test_a_retried_intake_with_one_idempotency_key_returns_the_first_case(api):
    headers = {"Idempotency-Key": "visit-2026-03-17-fu"}
    answers = [api.call("gm-yks-01", "POST", "/cases", REPORT, headers=headers) for _ in range(3)]
    assert {code for code, _ in answers} == {201}
    assert len({body["id"] for _, body in answers}) == 1
    mine = ok(api.call("gm-yks-01", "GET", "/cases/mine"))
    assert len(mine["items"]) == 1


@pytest.mark.parametrize("body,field", [
    ({**REPORT, "kind": "complaint"}, "kind"),
    ({**REPORT, "location": {"lat": 123, "lon": 87.7}}, "location.lat"),
    ({k: v for k, v in REPORT.items() if k != "title"}, "title"),
    ({**REPORT, "residents": [{"name": "王某", "phone": "call me"}]}, "residents.0.phone"),
    ({**REPORT, "urgency": "whenever"}, "urgency"),
    ({**REPORT, "extra": 1}, "extra"),
])
def test_a_malformed_intake_answers_400_naming_the_field_and_writes_nothing(api, body, field):
    code, answer = api.call("gm-yks-01", "POST", "/cases", body)
    assert code == 400 and answer["error"]["code"] == "validation_error"
    assert field in [f["field"] for f in answer["error"]["fields"]]
    assert field in answer["error"]["message"]
    assert ok(api.call("gm-yks-01", "GET", "/cases/mine"))["items"] == []


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", "\"text\""])
def test_a_body_that_is_not_a_json_object_answers_400(api, raw):
    code, answer = api.call("gm-yks-01", "POST", "/cases", raw=raw)
    assert code == 400 and answer["error"]["code"] == "invalid_json"


def test_a_malformed_action_body_names_the_field_and_leaves_the_case_unchanged(api):
    case = new_case(api)
    code, answer = api.call("station-yks", "POST", f"/cases/{case['id']}/accept",
                            {**ACCEPT, "urgency": "soon", "public_summary": ""})
    assert code == 400
    assert {f["field"] for f in answer["error"]["fields"]} == {"urgency", "public_summary"}
    assert ok(api.call("station-yks", "GET", f"/cases/{case['id']}"))["version"] == case["version"]


def test_not_fixed_reopens_the_case_for_the_lead_department(api):
    case = drive(api, new_case(api)["id"], "resolved")
    reopened = ok(api.call("gm-yks-01", "POST", f"/cases/{case['id']}/evaluate",
                           {"scores": SCORES, "verdict": "bad", "fixed": False, "note": "still dry"}))
    assert reopened["status"] == "in_progress" and reopened["reopen_count"] == 1
    assert "resolve" in ok(api.call("dept-rq-agri", "GET", f"/cases/{case['id']}"))["allowed_actions"]


def test_a_stale_if_match_answers_409(api):
    case = drive(api, new_case(api)["id"], "accepted")
    code, answer = api.call("dispatcher-rq", "POST", f"/cases/{case['id']}/dispatch", {"lead": "rq-agri"},
                            headers={"If-Match": str(case["version"] - 1)})
    assert code == 409 and answer["error"]["code"] == "version_conflict"


def test_escalation_by_hand_climbs_to_the_prefecture_and_stops_there(api):
    case = drive(api, new_case(api)["id"], "accepted")
    up = ok(api.call("dispatcher-rq", "POST", f"/cases/{case['id']}/escalate", {"reason": "needs the prefecture"}))
    assert (up["center"], up["level"]) == ("BZ", "prefecture")
    code, answer = api.call("dispatcher-bz", "POST", f"/cases/{case['id']}/escalate", {"reason": "higher?"})
    assert code == 409
    assert ok(api.call("dispatcher-bz", "POST", f"/cases/{case['id']}/dispatch", {"lead": "bz-water"}))[
        "lead_department"] == "bz-water"


def test_residents_phone_numbers_are_masked_in_responses(api):
    case = new_case(api)
    assert case["residents"] == [{"name": "王某", "phone": "139****0007"}]


def test_allowed_actions_are_the_callers_own(api):
    case_id = drive(api, new_case(api)["id"], "in_progress")["id"]      # rq-agri leads and has reported in
    ok(api.call("dept-rq-water", "POST", f"/cases/{case_id}/acknowledge", {}))

    def offered(user):
        return ok(api.call(user, "GET", f"/cases/{case_id}"))["allowed_actions"]

    assert offered("dept-rq-water") == []                               # reported in; the rest is the lead's
    assert offered("dept-rq-agri") == ["request_extension", "resolve"]  # no second report-in
    assert offered("dispatcher-rq") == ["redispatch"]                   # nothing to decide yet
    ok(api.call("dept-rq-agri", "POST", f"/cases/{case_id}/request-extension",
                {"requested_due": "2031-01-01T00:00:00Z", "reason": "canal"}))
    assert offered("dept-rq-agri") == ["resolve"]                       # one request waits at a time
    assert offered("dispatcher-rq") == ["decide_extension", "redispatch"]
    assert offered("leader-rq") == []


@pytest.mark.parametrize("status,action,body", [
    ("dispatched", "return", {"reason": "not ours"}),
    ("in_progress", "request-extension", {"requested_due": "2031-01-01T00:00:00Z", "reason": "canal"}),
    ("in_progress", "resolve", {"note": "done"}),
])
def test_a_co_handler_trying_the_leads_actions_is_forbidden_not_a_conflict(api, status, action, body):
    case_id = drive(api, new_case(api)["id"], status)["id"]
    code, answer = api.call("dept-rq-water", "POST", f"/cases/{case_id}/{action}", body)
    assert code == 403 and answer["error"]["code"] == "forbidden", answer


def test_a_resolved_case_is_closed_unevaluated_only_after_its_evaluation_deadline(api, monkeypatch):
    from chalicelib import runtime
    from chalicelib.domain.times import parse_iso
    case = drive(api, new_case(api)["id"], "resolved")
    due = case["deadlines"]["evaluation_due"]
    assert "close" not in ok(api.call("dispatcher-rq", "GET", f"/cases/{case['id']}"))["allowed_actions"]
    code, answer = api.call("dispatcher-rq", "POST", f"/cases/{case['id']}/close", {})
    assert code == 409 and answer["error"]["code"] == "invalid_transition"
    assert answer["error"]["closable_from"] == due and due in answer["error"]["message"]
    monkeypatch.setattr(runtime, "clock", lambda: parse_iso(due))
    assert "close" in ok(api.call("dispatcher-rq", "GET", f"/cases/{case['id']}"))["allowed_actions"]
    closed = ok(api.call("dispatcher-rq", "POST", f"/cases/{case['id']}/close", {}))
    assert (closed["status"], closed["closed_as"]) == ("closed", "not_evaluated")


@pytest.mark.parametrize("body,field", [
    ({**REPORT, "location": {"lat": 39.9042, "lon": 116.4074}}, "location"),        # Beijing, for a Ruoqiang grid
    ({**REPORT, "location": {"lat": 40.619, "lon": 87.685}}, "location"),           # 1 km north of its grid
    ({**REPORT, "location": {"lat": "40.605", "lon": 87.685}}, "location.lat"),     # a number, not a string
    ({**REPORT, "urgency": 1}, "urgency"),
    ({**REPORT, "title": "water\x00gone"}, "title"),
    ({**REPORT, "title": "\x1b[31mURGENT\x1b[0m canal"}, "title"),
    ({**REPORT, "title": "line one\r\nline two"}, "title"),
    ({**REPORT, "title": "invoice \u202egnp.exe"}, "title"),
    ({**REPORT, "residents": [{"name": "王\u2066某", "phone": "13900000007"}]}, "residents.0.name"),
    ({**REPORT, "location": {"lat": 40.605, "lon": 87.685, "address": "group 1\ngroup 2"}}, "location.address"),
    ({**REPORT, "description": "dry\x1b[2J"}, "description"),
])
def test_intake_refuses_a_place_outside_the_grid_loose_types_and_control_characters(api, body, field):
    code, answer = api.call("gm-yks-01", "POST", "/cases", body)
    assert code == 400, answer
    assert field in [f["field"] for f in answer["error"]["fields"]]
    assert ok(api.call("gm-yks-01", "GET", "/cases/mine"))["items"] == []


def test_a_spot_outside_the_grid_is_refused_with_a_code_and_the_distances_a_screen_can_word(api):
    far = {**REPORT, "location": {"lat": 40.619, "lon": 87.685}}                    # 0.009 degrees north: ~1 km
    code, answer = api.call("gm-yks-01", "POST", "/cases", far)
    (problem,) = answer["error"]["fields"]
    assert (code, problem["field"], problem["code"]) == (400, "location", "outside_grid")
    assert problem["limits"]["tolerance"] == 300 and 950 < problem["limits"]["distance"] < 1050


def test_intake_accepts_a_spot_just_outside_the_grid_within_the_configured_tolerance(api):
    near = {**REPORT, "location": {"lat": 40.6109, "lon": 87.685}}                  # 100 m north (tolerance 300 m)
    assert new_case(api, near)["grid"] == REPORT["grid"]
    multi_line = {**REPORT, "description": "line one\nline two\n\tindented"}       # a description may have lines
    assert new_case(api, multi_line)["status"] == "reported"
