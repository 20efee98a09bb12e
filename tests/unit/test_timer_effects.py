"""Which timers start and stop with each change, and what a notice does (over the in-memory unit of work)."""
from datetime import timedelta

import pytest

from chalicelib.domain.roles import Principal
from chalicelib.services import cases, deadlines
from chalicelib.domain import commands
from tests.builders import T0, at
from support.fakes import RecordingUnitOfWork as Recording, Store

GM = Principal("gm-yks-01", "grid_member", grid="BZ.RQ.TGLK.YKS.G01")
STATION = Principal("station-yks", "station", node="BZ.RQ.TGLK.YKS")
COUNTY = Principal("dispatcher-rq", "dispatcher", node="BZ.RQ")
AGRI = Principal("dept-rq-agri", "department", department="rq-agri")



@pytest.fixture
def world(config):
    store, log = Store(), []

    def uow():
        return Recording(store, log)

    def timers_since(mark):
        return sorted((e.kind, e.payload["name"].split("-", 1)[1]) for e in log[mark:] if e.kind != "notify")

    case = cases.report_case(uow(), config, GM, commands.ReportCase.model_validate({
        "kind": "demand", "category": "irrigation", "title": "t", "description": "d", "grid": GM.grid,
        "location": {"lat": 40.605, "lon": 87.685}, "residents": [{"name": "王某", "phone": "13900000007"}]}), T0)
    return store, log, uow, timers_since, case["id"]


def test_each_stage_starts_its_timer_and_ends_the_previous_one(config, world):
    store, log, uow, timers_since, case_id = world
    assert timers_since(0) == [("start_timer", "triage-v1")]
    mark = len(log)
    cases.act(uow(), config, STATION, case_id, "accept", commands.Accept(
        kind="demand", category="irrigation", urgency="normal", public_summary="s"), at(10))
    assert timers_since(mark) == [("stop_timer", "triage-v1")]
    mark = len(log)
    cases.act(uow(), config, COUNTY, case_id, "dispatch",
              commands.Dispatch(lead="rq-agri", co_handlers=["rq-water"]), at(20))
    assert timers_since(mark) == [("start_timer", "reportin-rq-agri-v1"), ("start_timer", "reportin-rq-water-v1"),
                                  ("start_timer", "resolve-v2")]
    mark = len(log)
    cases.act(uow(), config, AGRI, case_id, "acknowledge", commands.OptionalNote(), at(30))
    assert timers_since(mark) == [("stop_timer", "reportin-rq-agri-v1")]
    mark = len(log)
    cases.act(uow(), config, AGRI, case_id, "request_extension", commands.ExtensionRequest(
        requested_due=T0 + timedelta(days=60), reason="canal"), at(40))
    assert timers_since(mark) == []                      # a request alone moves nothing
    mark = len(log)
    cases.act(uow(), config, COUNTY, case_id, "decide_extension", commands.ExtensionDecision(approve=True), at(50))
    assert timers_since(mark) == [("start_timer", "resolve-v3"), ("stop_timer", "resolve-v2")]
    mark = len(log)
    cases.act(uow(), config, COUNTY, case_id, "redispatch", commands.Dispatch(lead="rq-water"), at(60))
    assert timers_since(mark) == [("start_timer", "reportin-rq-water-v2"), ("start_timer", "resolve-v4"),
                                  ("stop_timer", "reportin-rq-water-v1"), ("stop_timer", "resolve-v3")]


def test_resolution_ends_every_running_timer_and_starts_the_evaluation_clock(config, world):
    store, log, uow, timers_since, case_id = world
    cases.act(uow(), config, STATION, case_id, "accept", commands.Accept(
        kind="demand", category="irrigation", urgency="normal", public_summary="s"), at(10))
    cases.act(uow(), config, COUNTY, case_id, "dispatch",
              commands.Dispatch(lead="rq-agri", co_handlers=["rq-water"]), at(20))
    cases.act(uow(), config, AGRI, case_id, "acknowledge", commands.OptionalNote(), at(30))
    mark = len(log)
    cases.act(uow(), config, AGRI, case_id, "resolve", commands.Resolve(note="done"), at(40))
    assert timers_since(mark) == [("start_timer", "evaluation-v3"), ("stop_timer", "reportin-rq-water-v1"),
                                  ("stop_timer", "resolve-v2")]
    sms = [e.payload for e in log[mark:] if e.kind == "notify"]
    assert sms == [{"case_id": case_id, "number": "RQ-2026-000001", "category": "irrigation", "grid": GM.grid,
                    "event": "resolve", "channel": "sms", "resident": 0}]   # references: never the phone or free text


def test_a_silent_resolved_case_auto_closes_as_not_evaluated_once(config, world):
    store, log, uow, timers_since, case_id = world
    cases.act(uow(), config, STATION, case_id, "accept", commands.Accept(
        kind="demand", category="irrigation", urgency="normal", public_summary="s"), at(10))
    cases.act(uow(), config, COUNTY, case_id, "dispatch", commands.Dispatch(lead="rq-agri"), at(20))
    cases.act(uow(), config, AGRI, case_id, "acknowledge", commands.OptionalNote(), at(30))
    cases.act(uow(), config, AGRI, case_id, "resolve", commands.Resolve(note="done"), at(40))
    start = next(e for e in log if e.kind == "start_timer" and "-evaluation-" in e.payload["name"])
    breach = next(n for n in start.payload["input"]["notices"] if n["kind"] == "breach")
    message = {"timer": start.payload["input"]["timer"], "notice": breach}
    first = deadlines.handle_notice(uow(), config, message, at(60 * 24 * 9))
    again = deadlines.handle_notice(uow(), config, message, at(60 * 24 * 9))
    assert (first.action, again.action) == ("auto_closed", "stale")
    closed = store.cases[case_id]
    assert (closed["status"], closed["closed_as"]) == ("closed", "not_evaluated")
    assert [e["action"] for e in store.timeline[case_id]].count("auto_close") == 1


def test_a_warning_notifies_the_department_and_escalates_nothing(config, world):
    store, log, uow, timers_since, case_id = world
    cases.act(uow(), config, STATION, case_id, "accept", commands.Accept(
        kind="demand", category="irrigation", urgency="normal", public_summary="s"), at(10))
    cases.act(uow(), config, COUNTY, case_id, "dispatch", commands.Dispatch(lead="rq-agri"), at(20))
    start = next(e for e in log if e.kind == "start_timer" and "-reportin-" in e.payload["name"])
    warning = start.payload["input"]["notices"][0]
    assert warning["kind"] == "warning"
    mark = len(log)
    outcome = deadlines.handle_notice(uow(), config, {"timer": start.payload["input"]["timer"], "notice": warning},
                                      at(300))
    assert outcome.action == "warned" and store.cases[case_id]["center"] == "BZ.RQ"
    assert [(e.payload["channel"], e.payload["department"]) for e in log[mark:]] == [("dingtalk", "rq-agri")]


def test_the_notices_of_a_normal_report_in_timer_follow_the_working_calendar(config, world):
    store, log, uow, timers_since, case_id = world
    cases.act(uow(), config, STATION, case_id, "accept", commands.Accept(
        kind="demand", category="irrigation", urgency="normal", public_summary="s"), at(10))
    # Dispatched Tuesday 2026-03-17 11:20 Beijing (03:20Z); the county works 10:00-14:00 and 15:30-19:30.
    cases.act(uow(), config, COUNTY, case_id, "dispatch", commands.Dispatch(lead="rq-agri"), at(20))
    start = next(e for e in log if e.kind == "start_timer" and "-reportin-" in e.payload["name"])
    assert [(n["kind"], n["at"]) for n in start.payload["input"]["notices"]] == [
        ("warning", "2026-03-17T10:50:00Z"),   # 360 working minutes: 160 before lunch + 200 after -> Tue 18:50
        ("breach", "2026-03-18T03:20:00Z"),    # 480: Tuesday's 400 + 80 on Wednesday -> Wed 11:20
        ("breach", "2026-03-19T03:20:00Z"),    # + one grace period (the stage's own length) each
        ("breach", "2026-03-23T03:20:00Z"),    # Fri 2026-03-20 is Eid al-Fitr (county holiday), then the weekend
        ("breach", "2026-03-24T03:20:00Z"),
        ("breach", "2026-03-25T03:20:00Z"),
    ]
