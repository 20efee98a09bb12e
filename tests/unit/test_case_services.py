"""Use cases over the in-memory unit of work: intake, idempotency, scope, dispatch rules."""
import json

import pytest

from chalicelib.domain.errors import Forbidden, Invalid, InvalidTransition, NotFound
from chalicelib.domain.roles import Principal
from chalicelib.services import cases
from chalicelib.domain import commands
from tests.builders import T0, at
from chalicelib.services.unit_of_work import ListQuery
from support.fakes import FakeUnitOfWork, Store

GM = Principal("gm-yks-01", "grid_member", grid="BZ.RQ.TGLK.YKS.G01")
STATION = Principal("station-yks", "station", node="BZ.RQ.TGLK.YKS")
COUNTY = Principal("dispatcher-rq", "dispatcher", node="BZ.RQ")
AGRI = Principal("dept-rq-agri", "department", department="rq-agri")


def report_body(**overrides):
    body = {"kind": "demand", "category": "irrigation", "title": "no water", "description": "72 mu dry",
            "grid": "BZ.RQ.TGLK.YKS.G01", "location": {"lat": 40.605, "lon": 87.685}}
    return commands.ReportCase.model_validate_json(json.dumps({**body, **overrides}))   # as the API parses it


@pytest.fixture
def store():
    return Store()


def uow(store):
    return FakeUnitOfWork(store)


def test_intake_numbers_the_case_per_county_and_year_and_starts_the_triage_clock(config, store):
    first = cases.report_case(uow(store), config, GM, report_body(), T0)
    second = cases.report_case(uow(store), config, GM, report_body(), at(1))
    assert (first["number"], second["number"]) == ("RQ-2026-000001", "RQ-2026-000002")
    assert first["status"] == "reported" and first["center"] == "BZ.RQ.TGLK.YKS" and first["level"] == "village"
    assert first["deadlines"] == {"triage_due": "2026-03-18T03:00:00Z"}  # 1 working day (calendar time for now)


def test_a_case_shows_when_its_stage_warning_goes_out_in_working_time(config, store):
    reported = cases.report_case(uow(store), config, GM, report_body(), T0)
    # Tuesday 11:00 Beijing time, triage within 1 working day (480 working minutes, hours 10:00-14:00 and
    # 15:30-19:30): 75% is 360 working minutes, 180 before the lunch break and 180 after it, so 18:30 that day.
    assert reported["warnings"] == {"triage_due": "2026-03-17T10:30:00Z"}
    listed = cases.list_cases(uow(store), config, STATION, ListQuery())["items"]
    assert listed[0]["warnings"] == {"triage_due": "2026-03-17T10:30:00Z"}


def test_a_retried_intake_with_one_key_creates_one_case(config, store):
    results = [cases.report_case(uow(store), config, GM, report_body(), T0, idempotency_key="k-1")
               for _ in range(3)]
    assert len(store.cases) == 1 and len({r["id"] for r in results}) == 1
    assert store.counters == {"case-number#RQ#2026": 1}


def test_a_key_reused_for_a_different_body_is_refused(config, store):
    cases.report_case(uow(store), config, GM, report_body(), T0, idempotency_key="k-1")
    with pytest.raises(Invalid) as refused:
        cases.report_case(uow(store), config, GM, report_body(title="other"), T0, idempotency_key="k-1")
    assert refused.value.field == "Idempotency-Key" and len(store.cases) == 1


def test_a_grid_member_reports_only_in_their_own_grid(config, store):
    with pytest.raises(Forbidden):
        cases.report_case(uow(store), config, GM, report_body(grid="BZ.RQ.TGLK.YKS.G02"), T0)
    assert store.cases == {}


@pytest.mark.parametrize("overrides,field", [({"grid": "BZ.NOPE"}, "grid"), ({"category": "ufo"}, "category"),
                                             ({"kind": "dispute"}, "kind")])
def test_intake_names_the_field_that_does_not_fit_the_deployment(config, store, overrides, field):
    with pytest.raises(Invalid) as refused:
        cases.report_case(uow(store), config, GM, report_body(**overrides), T0)
    assert refused.value.field == field and store.cases == {}


def test_triage_diverts_to_the_center_the_category_routes_to(config, store):
    case = cases.report_case(uow(store), config, GM, report_body(), T0)
    accepted = cases.act(uow(store), config, STATION, case["id"], "accept", commands.Accept(
        kind="demand", category="irrigation", urgency="normal", public_summary="irrigation missing"), at(5))
    assert (accepted["center"], accepted["level"]) == ("BZ.RQ", "county")  # irrigation routes to the county
    assert accepted["path_centers"] == ["BZ.RQ.TGLK.YKS", "BZ.RQ"]


def test_the_center_may_dispatch_only_to_departments_serving_the_case(config, store):
    case = cases.report_case(uow(store), config, GM, report_body(), T0)
    cases.act(uow(store), config, STATION, case["id"], "accept", commands.Accept(
        kind="demand", category="irrigation", urgency="normal", public_summary="s"), at(5))
    with pytest.raises(Invalid) as refused:  # Hejing's bureau does not serve a Ruoqiang case
        cases.act(uow(store), config, COUNTY, case["id"], "dispatch", commands.Dispatch(lead="hj-agri"), at(6))
    assert refused.value.field == "lead"
    with pytest.raises(Invalid) as refused:
        cases.act(uow(store), config, COUNTY, case["id"], "dispatch",
                  commands.Dispatch(lead="rq-agri", co_handlers=["no-such-dept"]), at(6))
    assert refused.value.field == "co_handlers"
    done = cases.act(uow(store), config, COUNTY, case["id"], "dispatch",
                     commands.Dispatch(lead="rq-agri", co_handlers=["rq-water"]), at(6))
    assert done["status"] == "dispatched" and done["lead_department"] == "rq-agri"


def test_an_invalid_transition_names_the_allowed_actions(config, store):
    case = cases.report_case(uow(store), config, GM, report_body(), T0)
    with pytest.raises(InvalidTransition) as refused:
        cases.act(uow(store), config, STATION, case["id"], "resolve", commands.Resolve(note="x"), at(5))
    assert refused.value.details["allowed_actions"] == ["accept", "merge", "reject"]


def test_out_of_scope_users_cannot_tell_a_case_exists(config, store):
    case = cases.report_case(uow(store), config, GM, report_body(), T0)
    outsider = Principal("dispatcher-hj", "dispatcher", node="BZ.HJ")
    with pytest.raises(NotFound):
        cases.get_case(uow(store), config, outsider, case["id"], at(5))
    with pytest.raises(NotFound):
        cases.act(uow(store), config, outsider, case["id"], "reject", commands.Reason(reason="x"), at(5))


def test_a_failed_commit_writes_nothing(config, store):
    from chalicelib.domain.errors import VersionConflict
    with pytest.raises(VersionConflict):
        cases.report_case(FakeUnitOfWork(store, fail_commit_with=VersionConflict("boom")), config, GM,
                          report_body(), T0, idempotency_key="k")
    assert store.cases == {} and store.idempotency == {} and store.timeline == {}


def test_the_station_sees_possible_duplicates_of_a_new_case(config, store):
    first = cases.report_case(uow(store), config, GM, report_body(), T0)
    second = cases.report_case(uow(store), config, GM, report_body(), at(3))
    detail = cases.get_case(uow(store), config, STATION, second["id"], at(5))
    assert [d["id"] for d in detail["possible_duplicates"]] == [first["id"]]
    assert "possible_duplicates" not in cases.get_case(uow(store), config, GM, second["id"], at(5))


def test_the_phone_s_observed_at_is_kept_and_the_deadline_still_runs_from_receipt(config, store):
    seen_hours_before = "2026-03-17T01:00:00+08:00"
    kept = cases.report_case(uow(store), config, GM, report_body(observed_at=seen_hours_before), T0)
    without = cases.report_case(uow(store), config, GM, report_body(), T0)
    assert kept["observed_at"] == "2026-03-16T17:00:00Z" and without["observed_at"] is None
    assert kept["deadlines"] == without["deadlines"] == {"triage_due": "2026-03-18T03:00:00Z"}


def test_an_observed_at_after_receipt_is_refused_naming_it(config, store):
    eleven_minutes_late = "2026-03-17T03:11:00Z"
    with pytest.raises(Invalid) as refused:
        cases.report_case(uow(store), config, GM, report_body(observed_at=eleven_minutes_late), T0)
    assert refused.value.field == "observed_at" and store.cases == {}
    assert cases.report_case(uow(store), config, GM, report_body(observed_at="2026-03-17T03:09:00Z"), T0)



def _dispatched(config, store) -> dict:
    case = cases.report_case(uow(store), config, GM, report_body(), T0)
    cases.act(uow(store), config, STATION, case["id"], "accept",
              commands.Accept(kind="demand", category="irrigation", urgency="normal", public_summary="no water"), at(1))
    return cases.act(uow(store), config, COUNTY, case["id"], "dispatch", commands.Dispatch(lead="rq-agri"), at(2))


def _photo_worker_attaches(config, store, case_id: str, photo_id: str, when) -> None:
    """What the photo worker does when the department's upload lands: the case gains it, a new version."""
    from tests.unit.test_photo_uploads import jpeg
    from chalicelib.adapters import images
    from chalicelib.domain import photos
    from chalicelib.services import photos as photo_service
    from support.fakes import FakePhotoStore
    bucket = FakePhotoStore()
    key = photos.incoming_key(case_id, "after", photo_id)
    bucket.objects[key] = jpeg("green")
    assert photo_service.process_upload(uow(store), config, bucket, images.validate, key, when).action == "attached"


def test_the_department_s_own_after_photo_joining_first_does_not_make_its_resolve_a_conflict(config, store):
    seen = cases.act(uow(store), config, AGRI, _dispatched(config, store)["id"], "acknowledge",
                     commands.OptionalNote(), at(3))
    _photo_worker_attaches(config, store, seen["id"], "01PHOTO", at(4))   # between the upload and the resolve
    done = cases.act(uow(store), config, AGRI, seen["id"], "resolve", commands.Resolve(note="channel dredged"), at(5),
                     expected_version=seen["version"])
    assert done["status"] == "resolved" and done["version"] == seen["version"] + 2


def test_a_change_other_than_a_photo_since_the_read_version_is_still_a_conflict(config, store):
    from chalicelib.domain.errors import VersionConflict
    seen = _dispatched(config, store)
    cases.act(uow(store), config, AGRI, seen["id"], "acknowledge", commands.OptionalNote(), at(3))   # the case moved on
    _photo_worker_attaches(config, store, seen["id"], "01PHOTO", at(4))
    with pytest.raises(VersionConflict):
        cases.act(uow(store), config, AGRI, seen["id"], "resolve", commands.Resolve(note="x"), at(5),
                  expected_version=seen["version"])
