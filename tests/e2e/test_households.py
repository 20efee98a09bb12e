"""Households: registered through the API (and by the seed through the same service), masked outside."""
from tests.e2e.helpers import ok

HOUSEHOLD = {"grid": "BZ.RQ.TGLK.YKS.G01", "head": "王小明", "phone": "13900000099", "members": 4,
             "address": "Yakinson Village, group 1"}


def test_a_grid_member_registers_a_household_once_and_its_phone_is_masked(api):
    answers = [api.call("gm-yks-01", "POST", "/households", HOUSEHOLD, headers={"Idempotency-Key": "h-1"})
               for _ in range(2)]
    assert [code for code, _ in answers] == [201, 201] and answers[0][1]["id"] == answers[1][1]["id"]
    listed = ok(api.call("gm-yks-01", "GET", "/households?grid=BZ.RQ.TGLK.YKS.G01"))["items"]
    assert [(h["head"], h["phone"]) for h in listed] == [("王小明", "139****0099")]
    by_leader = ok(api.call("leader-rq", "GET", "/households?grid=BZ.RQ.TGLK.YKS.G01"))["items"]
    assert by_leader[0]["head"] == "王**"


def test_households_outside_the_callers_scope_are_refused(api):
    assert api.call("gm-yks-02", "POST", "/households", HOUSEHOLD)[0] == 403
    assert api.call("dispatcher-hj", "GET", "/households?grid=BZ.RQ.TGLK.YKS.G01")[0] == 403
    assert api.call("dept-rq-agri", "GET", "/households?grid=BZ.RQ.TGLK.YKS.G01")[0] == 403
    code, body = api.call("gm-yks-01", "POST", "/households", {**HOUSEHOLD, "members": 0})
    assert code == 400 and body["error"]["fields"][0]["field"] == "members"
    assert api.call("gm-yks-01", "GET", "/households")[0] == 400


def test_the_seed_loads_every_demo_household_through_the_service(tables, config, people):
    from datetime import datetime, timezone
    from chalicelib.adapters.models import HouseholdItem
    from local.seed import load_households
    count = load_households(config, people, datetime.now(timezone.utc))
    again = load_households(config, people, datetime.now(timezone.utc))  # idempotent: a rerun adds nothing
    assert count == again == len(people["households"]) >= 24
    assert sum(1 for _ in HouseholdItem.scan()) == count


def test_a_household_takes_numbers_as_numbers_and_names_without_control_characters(api):
    for body, field in (({**HOUSEHOLD, "members": True}, "members"), ({**HOUSEHOLD, "members": "4"}, "members"),
                        ({**HOUSEHOLD, "head": "王\u202e明"}, "head"), ({**HOUSEHOLD, "head": "王\x00"}, "head")):
        code, answer = api.call("gm-yks-01", "POST", "/households", body)
        assert code == 400 and field in [f["field"] for f in answer["error"]["fields"]], (body, answer)
