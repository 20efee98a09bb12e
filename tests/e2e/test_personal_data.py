"""Personal data (PIPL): masked everywhere by default, unmasked only for the handling chain and logged; no phone,
ID number or token in any log line."""
import logging

from chalicelib.adapters.access_log import DynamoAccessLog
from tests.e2e.helpers import REPORT, drive, new_case, ok

PHONE, ID_NUMBER = "13900000007", "650102198807071234"


def test_contacts_are_unmasked_only_for_the_handling_chain_and_every_read_is_logged(api):
    case = drive(api, new_case(api)["id"], "dispatched")
    assert case["residents"] == [{"name": "王某", "phone": "139****0007"}]
    for user in ("dispatcher-rq", "dept-rq-agri", "gm-yks-01"):
        contacts = ok(api.call(user, "GET", f"/cases/{case['id']}/contacts?purpose=return%20visit"))
        assert contacts["residents"] == [{"name": "王某", "phone": PHONE}]
    for user, expected in (("leader-rq", 403), ("station-yks", 403), ("dept-rq-police", 404), ("station-ys", 404)):
        assert api.call(user, "GET", f"/cases/{case['id']}/contacts?purpose=curious")[0] == expected, user
    assert api.call("dispatcher-rq", "GET", f"/cases/{case['id']}/contacts")[0] == 400   # a purpose is required
    reads = DynamoAccessLog().reads_of(case["id"])
    assert [(r["user_id"], r["purpose"]) for r in reads] == [
        ("dispatcher-rq", "return visit"), ("dept-rq-agri", "return visit"), ("gm-yks-01", "return visit")]


def test_no_log_line_carries_a_phone_an_id_number_or_a_token(api, caplog, capsys):
    caplog.set_level(logging.INFO)   # the production level (botocore's DEBUG would print request bodies)
    body = {**REPORT, "description": f"ID {ID_NUMBER}, call {PHONE}",
            "residents": [{"name": "王某", "phone": PHONE}]}
    case = new_case(api, body)
    drive(api, case["id"], "closed")
    api.call("station-yks", "POST", f"/cases/{case['id']}/accept", {"bad": PHONE})     # a failing request too
    logging.getLogger("gridloop.api").error("resident %s called about %s", PHONE, ID_NUMBER)  # even if code logs it
    token = api.token("gm-yks-01")
    logged = caplog.text + capsys.readouterr().out
    assert PHONE not in logged and ID_NUMBER not in logged and token not in logged
    assert "139****0007" in logged                                                    # the masked form remains


def test_phone_and_id_numbers_in_free_text_are_masked_in_every_read_and_unmasked_only_by_the_logged_route(api):
    import json
    body = {**REPORT, "title": "canal broken, call 139-8765-4321",
            "description": f"ID {ID_NUMBER}; or call +86 139 8765 4321 after 8"}
    created = new_case(api, body)
    drive(api, created["id"], "dispatched")
    reads = [api.call(user, "GET", f"/cases/{created['id']}") for user in
             ("gm-yks-01", "station-yks", "dispatcher-rq", "dept-rq-agri", "leader-rq", "admin-bz")]
    reads += [api.call("leader-rq", "GET", "/cases?node=BZ.RQ"), api.call("gm-yks-01", "GET", "/cases/mine"),
              (201, created)]
    for code, answer in reads:
        flat = json.dumps(answer, ensure_ascii=False)
        assert code in (200, 201) and "8765" not in flat and "19880707" not in flat, flat
    detail = ok(api.call("leader-rq", "GET", f"/cases/{created['id']}"))
    assert detail["title"] == "canal broken, call 139****4321"
    assert detail["description"] == "ID 650102********1234; or call 139****4321 after 8"
    contacts = ok(api.call("dispatcher-rq", "GET", f"/cases/{created['id']}/contacts?purpose=return%20visit"))
    assert (contacts["title"], contacts["description"]) == (body["title"], body["description"])
    assert [r["user_id"] for r in DynamoAccessLog().reads_of(created["id"])] == ["dispatcher-rq"]
