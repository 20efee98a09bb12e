"""Phone and ID numbers in free text (PIPL): the masks written out by hand, and what notifications may carry."""
import json
import logging

import pytest

from chalicelib import logs
from chalicelib.domain.roles import Principal
from chalicelib.services import cases
from chalicelib.domain import commands
from chalicelib.services.notify import alert_text, department_text
from tests.builders import T0, at
from support.fakes import RecordingUnitOfWork, Store

# (free text, what every log line and every masked view shows instead)
MASKED = [
    ("call 13912345678 now", "call 139****5678 now"),
    ("+8613900000007", "139****0007"),
    ("+86 139 0000 0007", "139****0007"),
    ("0086-139-0000-0007", "139****0007"),
    ("008613900000007", "139****0007"),
    ("139 0000 0007", "139****0007"),
    ("139-0000-0007", "139****0007"),
    ("(139) 0000 0007", "139****0007"),
    ("tel (0996) 812 3456.", "tel 0996****3456."),
    ("0996-8123456", "0996****3456"),
    ("ID 650102198807071234", "ID 650102********1234"),
    ("ID 65010219880707123X", "ID 650102********123X"),
    ("id 65010219880707123x!", "id 650102********123x!"),
    ("old ID 650102880707123", "old ID 650102*****7123"),
    # left alone: dates, money, case numbers, grid codes, longer digit runs
    ("2026-03-17 10:00, 72 mu, ¥13912", "2026-03-17 10:00, 72 mu, ¥13912"),
    ("RQ-2026-000123 in BZ.RQ.TGLK.YKS.G01", "RQ-2026-000123 in BZ.RQ.TGLK.YKS.G01"),
    ("order 201391234567890123456", "order 201391234567890123456"),
    # the shortest numbers masked (10 digits: a landline with a 3-digit area code), and 9 digits left alone
    ("call 010 812 3456", "call 010****3456"),
    ("call 010 812 345", "call 010 812 345"),
    ("13912345678", "139****5678"),
    ("1391234567", "1391234567"),
]


@pytest.mark.parametrize("text,expected", MASKED)
def test_log_lines_mask_phone_and_id_numbers_in_every_common_spelling(text, expected):
    assert logs.mask(text) == expected


def test_the_log_filter_masks_what_a_log_call_formats(caplog):
    logger = logging.getLogger("gridloop.test-masking")
    logger.addFilter(logs.PersonalDataFilter())
    with caplog.at_level(logging.INFO, logger="gridloop.test-masking"):
        logger.info("resident %s, also %s and %s", "+8613900000007", "139 0000 0007", "139-0000-0007")
    assert caplog.records[0].getMessage() == "resident 139****0007, also 139****0007 and 139****0007"


GM = Principal("gm-yks-01", "grid_member", grid="BZ.RQ.TGLK.YKS.G01")
STATION = Principal("station-yks", "station", node="BZ.RQ.TGLK.YKS")
COUNTY = Principal("dispatcher-rq", "dispatcher", node="BZ.RQ")
FREE_TEXT = ("canal broken, call 13912345678", "the neighbour 王某 at 650102198807071234 knows more")


def test_notifications_carry_the_case_number_category_and_place_never_free_text(config):
    store, log = Store(), []

    def uow():
        return RecordingUnitOfWork(store, log)

    case_id = cases.report_case(uow(), config, GM, commands.ReportCase.model_validate({
        "kind": "demand", "category": "irrigation", "title": FREE_TEXT[0], "description": FREE_TEXT[1],
        "grid": GM.grid, "location": {"lat": 40.605, "lon": 87.685},
        "residents": [{"name": "王某", "phone": "13900000007"}]}), T0)["id"]
    cases.act(uow(), config, STATION, case_id, "accept", commands.Accept(
        kind="demand", category="irrigation", urgency="normal", public_summary="irrigation missing"), at(10))
    cases.act(uow(), config, COUNTY, case_id, "dispatch", commands.Dispatch(lead="rq-agri"), at(20))
    messages = [e.payload for e in log if e.kind == "notify"]
    assert {m["channel"] for m in messages} == {"sms", "dingtalk"}
    for message in messages:
        assert (message["number"], message["category"], message["grid"]) == (
            "RQ-2026-000001", "irrigation", "BZ.RQ.TGLK.YKS.G01")
        flat = json.dumps(message, ensure_ascii=False)
        assert not any(word in flat for word in ("canal", "13912345678", "王某", "650102198807071234", "13900000007"))
    dispatch = next(m for m in messages if m["channel"] == "dingtalk")
    title, lines = department_text(dispatch, config)
    assert "RQ-2026-000001" in title and any("农田灌溉" in line for line in lines)
    assert any("亚克仁松村" in line for line in lines)                     # the place, by name
    subject, body = alert_text({**dispatch, "stage": "resolve", "due": "2026-03-20T03:00:00Z", "center": "BZ.RQ",
                                "level": "county"}, config)
    assert "RQ-2026-000001" in subject and "农田灌溉" in body and "亚克仁松村" in body and "canal" not in body
