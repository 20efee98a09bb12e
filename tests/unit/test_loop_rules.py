"""Rules of the loop that must hold whoever asks, over the in-memory unit of work. Expectations are written from
the product's rules (who may know a case exists, who holds it, what a dispatch counts), not from the code."""
import pytest
from ulid import ULID

from chalicelib.domain.case import open_case
from chalicelib.domain.errors import Forbidden
from chalicelib.domain.roles import Principal
from chalicelib.services import cases, deadlines
from chalicelib.domain import commands
from tests.builders import REPORTER, T0, at
from support.fakes import FakeUnitOfWork, RecordingUnitOfWork, Store

GRID = "BZ.RQ.TGLK.YKS.G01"
SPOT = {"lat": 40.605, "lon": 87.685}   # inside Yakinson grid 1
GM = Principal("gm-yks-01", "grid_member", grid=GRID)
STATION = Principal("station-yks", "station", node="BZ.RQ.TGLK.YKS")
TOWNSHIP = Principal("dispatcher-tglk", "dispatcher", node="BZ.RQ.TGLK")
COUNTY = Principal("dispatcher-rq", "dispatcher", node="BZ.RQ")
PREFECTURE = Principal("dispatcher-bz", "dispatcher", node="BZ")
AGRI = Principal("dept-rq-agri", "department", department="rq-agri")
GM_HJ = Principal("gm-elb-01", "grid_member", grid="BZ.HJ.BYBLK.ELB.G01")
OPEN311 = Principal("open311:k1", "open311")


@pytest.fixture
def store():
    return Store()


def uow(store):
    return FakeUnitOfWork(store)


def report(config, store, who=GM, when=T0, **fields):
    body = {"kind": "demand", "category": "irrigation", "title": "no water", "description": "72 mu dry",
            "grid": GRID, "location": SPOT, **fields}
    if who is OPEN311:
        body["channel"] = "open311"
    return cases.report_case(uow(store), config, who, commands.ReportCase.model_validate(body), when)


def accept(config, store, who, case_id, when, category="irrigation", kind="demand"):
    return cases.act(uow(store), config, who, case_id, "accept", commands.Accept(
        kind=kind, category=category, urgency="normal", public_summary="summary"), when)


# -- possible duplicates ----------------------------------------------------------------------------------------
def test_possible_duplicates_name_only_cases_the_station_may_open_and_never_a_sensitive_one(config, store):
    ordinary = report(config, store, when=at(1))
    sensitive = report(config, store, when=at(2), kind="dispute", category="family", title="a family matter")
    # A Hejing case whose recorded spot lies in Yakinson (kept from before locations were checked): same cell.
    hejing = open_case(case_id=str(ULID.from_datetime(at(3))), number="HJ-2026-000030", actor=REPORTER, now=at(3),
                       kind="demand", category="irrigation", title="Hejing canal", description="d",
                       grid="BZ.HJ.BYBLK.ELB.G01", county="BZ.HJ", village="BZ.HJ.BYBLK.ELB", location=SPOT, channel="grid_visit",
                       urgency="normal", residents=[], sensitive=False, triage_due=at(60 * 24))
    store.cases[hejing.id] = hejing.to_dict()
    new = report(config, store, when=at(4))
    assert cases.get_case(uow(store), config, STATION, sensitive["id"], at(5))["id"]     # the station may open it...
    hints = cases.get_case(uow(store), config, STATION, new["id"], at(5))["possible_duplicates"]
    assert [h["id"] for h in hints] == [ordinary["id"]]                         # ...yet it is never a hint


def test_a_sensitive_case_from_the_callers_own_grid_is_not_a_hint(config, store):
    report(config, store, when=at(1), kind="dispute", category="family", title="a family matter")
    new = report(config, store, when=at(2))
    assert cases.get_case(uow(store), config, STATION, new["id"], at(5))["possible_duplicates"] == []


# -- merge ------------------------------------------------------------------------------------------------------
def test_a_merge_into_a_case_the_caller_does_not_handle_is_refused_and_changes_nothing(config, store):
    far = report(config, store, who=OPEN311, grid="BZ", location={"lat": 41.0, "lon": 86.0})   # at the root center
    hejing = report(config, store, who=GM_HJ, when=at(1), grid="BZ.HJ.BYBLK.ELB.G01",
                    location={"lat": 43.035, "lon": 84.135})
    assert cases.get_case(uow(store), config, PREFECTURE, hejing["id"], at(5))          # visible from the prefecture
    before = dict(store.cases[hejing["id"]])
    with pytest.raises(Forbidden):
        cases.act(uow(store), config, PREFECTURE, far["id"], "merge",
                  commands.Merge(target_case_id=hejing["id"]), at(5))
    assert store.cases[hejing["id"]] == before and store.cases[far["id"]]["status"] == "reported"


def test_the_station_merges_a_new_report_into_a_case_it_received_that_the_county_now_handles(config, store):
    first = report(config, store)
    accept(config, store, STATION, first["id"], at(5))                            # diverted to the county center
    cases.act(uow(store), config, COUNTY, first["id"], "dispatch", commands.Dispatch(lead="rq-agri"), at(6))
    second = report(config, store, when=at(7))
    merged = cases.act(uow(store), config, STATION, second["id"], "merge",
                       commands.Merge(target_case_id=first["id"]), at(8))
    assert merged["status"] == "merged" and store.cases[first["id"]]["merged_cases"] == [second["id"]]


# -- a higher center keeps what it took ------------------------------------------------------------------------
def test_a_township_that_took_an_overdue_report_keeps_it_when_the_category_routes_lower(config, store):
    log = []
    case_id = cases.report_case(RecordingUnitOfWork(store, log), config, GM, commands.ReportCase.model_validate({
        "kind": "demand", "category": "garbage_sanitation", "title": "rubbish", "description": "by the canal",
        "grid": GRID, "location": SPOT}), T0)["id"]
    start = next(e for e in log if e.kind == "start_timer")
    breach = next(n for n in start.payload["input"]["notices"] if n["kind"] == "breach")
    deadlines.handle_notice(uow(store), config, {"timer": start.payload["input"]["timer"], "notice": breach},
                            at(60 * 24 * 3))
    assert store.cases[case_id]["center"] == "BZ.RQ.TGLK"                          # triage overdue: up one level
    taken = accept(config, store, TOWNSHIP, case_id, at(60 * 24 * 3 + 5), category="garbage_sanitation")
    assert (taken["center"], taken["level"]) == ("BZ.RQ.TGLK", "township")       # routing says village: not back down


# -- counting ---------------------------------------------------------------------------------------------------
def test_a_case_dispatched_again_after_a_return_counts_as_dispatched_once(config, store):
    from admin.recount import recount
    case_id = report(config, store)["id"]
    accept(config, store, STATION, case_id, at(5))
    cases.act(uow(store), config, COUNTY, case_id, "dispatch", commands.Dispatch(lead="rq-agri"), at(10))
    cases.act(uow(store), config, AGRI, case_id, "return", commands.Reason(reason="not ours"), at(20))   # 退单
    cases.act(uow(store), config, COUNTY, case_id, "dispatch", commands.Dispatch(lead="rq-agri"), at(30))
    key = "BZ.RQ#M2026-03#demand|irrigation"                                      # the county's March counters
    assert store.counters_by_table["stats"][key]["dispatched"] == 1
    recounted, _ = recount([store.cases[case_id]], store.timeline, [], config.timezone)
    assert recounted[key]["dispatched"] == 1
