"""What each action of the case aggregate records, and how it refuses, written out by hand: the fields it
changes, its timeline entry (action, from, to, note, data) and the exact words of each refusal (the API shows
them to people)."""
import json
from datetime import datetime, timedelta

import pytest

from chalicelib.domain.case import TimelineEntry
from chalicelib.domain.times import iso
from chalicelib.domain.errors import AppealRefused, Forbidden, Invalid, InvalidTransition
from tests.builders import (BUILDERS, CENTER, CO, LEAD, REPORTER, SCORES, STATION, T0, at, reported)


def last(case) -> TimelineEntry:
    return case.new_entries[-1]


def entry(case) -> tuple:
    e = last(case)
    return e.action, e.from_status, e.to_status, e.note, e.data, e.seq, e.to_dict()["at"]


def refused(call, kind=InvalidTransition):
    with pytest.raises(kind) as raised:
        call()
    return raised.value


# -- merge -------------------------------------------------------------------------------------------------------
def test_a_merge_ends_the_source_and_links_both_cases():
    source, target = reported(), reported(case_id="01TARGET", number="RQ-2026-000002")
    source.merge_into(STATION, at(5), target, "same canal")
    assert (source.status, source.merged_into, source.deadlines, source.stage_starts, source.deadline_version) == (
        "merged", "01TARGET", {}, {}, 2)
    assert entry(source) == ("merge", "reported", "merged", "same canal",
                             {"target_case_id": "01TARGET", "target_number": "RQ-2026-000002"}, 2, iso(at(5)))
    assert last(source).actor == {"user_id": "station-yks", "role": "station", "name": ""}
    assert (target.status, target.merged_cases, target.version) == ("reported", ["01CASE"], 2)
    assert entry(target) == ("merged_in", "reported", "reported", "same canal",
                             {"source_case_id": "01CASE", "source_number": "RQ-2026-000001"}, 2, iso(at(5)))


def test_a_merge_into_itself_or_into_a_finished_case_is_refused_in_so_many_words():
    case = reported()
    error = refused(lambda: case.merge_into(STATION, at(5), case), Invalid)
    assert (error.message, error.field) == ("a case cannot be merged into itself", "target_case_id")
    done = BUILDERS["closed"](case_id="01DONE", number="RQ-2026-000003")
    error = refused(lambda: case.merge_into(STATION, at(5), done), Invalid)
    assert (error.message, error.field) == ("case RQ-2026-000003 is closed and takes no merges", "target_case_id")
    assert (case.status, case.version) == ("reported", 1)


# -- return (退单) ------------------------------------------------------------------------------------------------
def test_a_return_ends_every_assignment_and_its_clocks():
    case = BUILDERS["dispatched"]()                     # rq-agri leads, rq-water co-handles
    case.return_to_center(LEAD, at(40), "rq-agri", "not ours: a water matter")
    assert [(a["department"], a["active"], a["ended"]) for a in case.to_dict()["assignments"]] == [
        ("rq-agri", False, "returned"), ("rq-water", False, "returned")]
    assert (case.status, case.center, case.to_dict()["deadlines"], case.to_dict()["stage_starts"], case.overdue, case.deadline_version) == (
        "accepted", "BZ.RQ", {}, {}, False, 3)
    assert entry(case) == ("return", "dispatched", "accepted", "not ours: a water matter", {"department": "rq-agri"},
                           4, iso(at(40)))
    assert case.active_assignments() == [] and case.lead_department() is None


def test_only_the_lead_returns_and_an_unassigned_department_is_told_so():
    case = BUILDERS["dispatched"]()
    assert refused(lambda: case.return_to_center(CO, at(40), "rq-water", "x"), Forbidden).message == \
        "only the lead department can do this"
    assert refused(lambda: case.return_to_center(CO, at(40), "rq-police", "x"), Forbidden).message == \
        "department rq-police is not assigned to this case"
    assert case.status == "dispatched" and all(a["active"] for a in case.to_dict()["assignments"])


# -- extensions ---------------------------------------------------------------------------------------------------
def test_an_extension_request_waits_for_the_center_and_moves_nothing_yet():
    case = BUILDERS["in_progress"]()                    # resolve due at(60 * 24 * 15)
    case.request_extension(LEAD, at(100), "rq-agri", at(60 * 24 * 40), "a lined canal takes a season")
    assert case.to_dict()["extension"] == {"requested_due": iso(at(60 * 24 * 40)), "reason": "a lined canal takes a season",
                              "requested_at": iso(at(100)), "department": "rq-agri"}
    assert case.to_dict()["deadlines"] == {"resolve_due": iso(at(60 * 24 * 15))} and case.deadline_version == 2
    assert entry(case) == ("request_extension", "in_progress", "in_progress", "a lined canal takes a season",
                           {"requested_due": iso(at(60 * 24 * 40)), "current_due": iso(at(60 * 24 * 15))},
                           5, iso(at(100)))
    assert case.awaiting_center


def test_extension_requests_are_refused_while_one_waits_or_for_an_earlier_due_time():
    case = BUILDERS["in_progress"]()
    error = refused(lambda: case.request_extension(LEAD, at(100), "rq-agri", at(60 * 24 * 15), "r"), Invalid)
    assert (error.message, error.field) == (
        "the requested due time must be later than the current resolve deadline", "requested_due")
    case.request_extension(LEAD, at(100), "rq-agri", at(60 * 24 * 40), "canal")
    error = refused(lambda: case.request_extension(LEAD, at(101), "rq-agri", at(60 * 24 * 50), "more"))
    assert (error.message, error.details) == ("an extension request is already waiting for the center",
                                              {"status": "in_progress", "allowed_actions": [
                                                  "acknowledge", "decide_extension", "redispatch",
                                                  "request_extension", "resolve", "supervise"]})


@pytest.mark.parametrize("approve", [True, False])
def test_the_centers_decision_on_an_extension(approve):
    case = BUILDERS["in_progress"]()
    case.overdue = True
    case.request_extension(LEAD, at(100), "rq-agri", at(60 * 24 * 40), "canal")
    case.decide_extension(CENTER, at(110), approve, "agreed" if approve else "no")
    assert case.to_dict()["extension"] is None
    assert case.to_dict()["extensions"] == [{"requested_due": iso(at(60 * 24 * 40)), "reason": "canal",
                                "requested_at": iso(at(100)), "department": "rq-agri", "approved": approve,
                                "decided_at": iso(at(110))}]
    assert entry(case) == ("decide_extension", "in_progress", "in_progress", "agreed" if approve else "no",
                           {"approved": approve, "requested_due": iso(at(60 * 24 * 40)),
                            "previous_due": iso(at(60 * 24 * 15))}, 6, iso(at(110)))
    if approve:
        assert (case.to_dict()["deadlines"], case.to_dict()["stage_starts"]["resolve"], case.overdue, case.deadline_version) == (
            {"resolve_due": iso(at(60 * 24 * 40))}, iso(at(110)), False, 3)
    else:
        assert (case.to_dict()["deadlines"], case.to_dict()["stage_starts"]["resolve"], case.overdue, case.deadline_version) == (
            {"resolve_due": iso(at(60 * 24 * 15))}, iso(at(20)), True, 2)


def test_a_decision_without_a_waiting_request_is_refused():
    case = BUILDERS["in_progress"]()
    assert refused(lambda: case.decide_extension(CENTER, at(110), True)).message == "no extension request is waiting"


# -- report-in, dispatch, resolve, evaluate, close -----------------------------------------------------------------
def test_a_second_report_in_and_an_unassigned_department_are_refused_in_so_many_words():
    case = BUILDERS["in_progress"]()
    assert refused(lambda: case.acknowledge(LEAD, at(50), "rq-agri")).message == \
        "department rq-agri has already reported in"
    assert refused(lambda: case.acknowledge(CO, at(50), "rq-police"), Forbidden).message == \
        "department rq-police is not assigned to this case"


def test_a_dispatch_names_distinct_co_handlers_other_than_the_lead():
    case = BUILDERS["accepted"]()
    error = refused(lambda: case.dispatch(CENTER, at(20), "rq-agri", ["rq-agri"], at(99), at(999)),
                    Invalid)
    assert (error.message, error.field) == ("the lead department cannot also be a co-handler", "co_handlers")
    error = refused(lambda: case.dispatch(CENTER, at(20), "rq-agri", ["rq-water", "rq-water"], at(99),
                                          at(999)), Invalid)
    assert (error.message, error.field) == ("a co-handler is listed twice", "co_handlers")
    assert case.status == "accepted" and case.to_dict()["assignments"] == []


def test_a_status_refusal_names_the_action_and_the_status():
    case = BUILDERS["reported"]()
    error = refused(lambda: case.resolve(LEAD, at(5), "rq-agri", "done", at(99)))
    assert (error.message, error.details) == ("cannot resolve a case that is reported",
                                              {"status": "reported", "allowed_actions": ["accept", "merge", "reject"]})
    assert refused(lambda: case.check("decide_extension")).message == "cannot decide extension a case that is reported"


def test_closing_before_the_evaluation_deadline_says_when_and_changes_nothing():
    case = BUILDERS["resolved"]()
    error = refused(lambda: case.close(CENTER, at(60 * 24 * 7) - timedelta(seconds=1)))
    due = iso(at(60 * 24 * 7))
    assert error.message == (f"the grid's member may evaluate until {due}; only a case still unevaluated then can "
                             f"be closed as not evaluated")
    assert error.details == {"status": "resolved", "allowed_actions": ["close", "evaluate"], "closable_from": due}
    assert case.conflict("close", at(60 * 24 * 7)) is None
    case.close(CENTER, at(60 * 24 * 8), "nobody answered")
    assert (case.status, case.closed_as, case.to_dict()["deadlines"], case.to_dict()["stage_starts"], case.overdue) == (
        "closed", "not_evaluated", {}, {}, False)
    assert entry(case)[:5] == ("close", "resolved", "closed", "nobody answered", {"closed_as": "not_evaluated"})


def test_what_the_state_refuses_for_each_department_and_moment():
    case = BUILDERS["in_progress"]()                    # the lead reported in, the co-handler not yet
    assert case.conflict("acknowledge", at(50), "rq-agri").message == "department rq-agri has already reported in"
    assert case.conflict("acknowledge", at(50), "rq-water") is None
    assert case.conflict("decide_extension", at(50)).message == "no extension request is waiting"
    assert case.conflict("request_extension", at(50), "rq-agri") is None
    assert case.conflict("close", at(50)).message == "cannot close a case that is in_progress"


# -- appeals ------------------------------------------------------------------------------------------------------
def test_an_evaluation_that_does_not_exist_is_named():
    case = BUILDERS["closed"]()
    for index in (-1, 1):
        error = refused(lambda: case.appeal(LEAD, at(100), index, "rq-agri", "r"), Invalid)
        assert (error.message, error.field) == (f"case RQ-2026-000001 has no evaluation {index}", "evaluation")


def test_appeal_refusals_in_so_many_words():
    good = BUILDERS["closed"]()
    assert refused(lambda: good.appeal(LEAD, at(100), 0, "rq-agri", "r"), AppealRefused).message == \
        "only a bad review can be appealed"
    case = BUILDERS["resolved"]()
    case.evaluate(REPORTER, at(90), scores=SCORES, verdict="bad", fixed=True, on_behalf_of_resident=False, note="",
                  resolve_due=None)
    assert refused(lambda: case.appeal(CO, at(100), 0, "rq-water", "r"), AppealRefused).message == \
        "only the evaluated department can appeal its review"
    case.appeal(LEAD, at(100), 0, "rq-agri", "the flood")
    assert entry(case)[:5] == ("appeal", "closed", "closed", "the flood",
                               {"evaluation": 0, "department": "rq-agri", "evaluated_at": iso(at(90))})
    assert case.to_dict()["evaluations"][0]["appeal"] == {
        "reason": "the flood", "at": iso(at(100)), "status": "pending",
        "by": {"user_id": "dept-rq-agri", "role": "department", "name": ""}}
    assert refused(lambda: case.appeal(LEAD, at(101), 0, "rq-agri", "again"), AppealRefused).message == \
        "this review has already been appealed; a review is appealed once"


# -- photos -------------------------------------------------------------------------------------------------------
def test_a_photo_is_attached_once_by_its_id():
    case = reported()
    photo = {"id": "01PHOTO", "phase": "before", "key": "photos/01CASE/before/01PHOTO-ab.jpg"}
    assert case.attach_photo(at(5), photo) is True
    assert entry(case) == ("photo_attached", "reported", "reported", "", {"photo_id": "01PHOTO", "phase": "before"},
                           2, iso(at(5)))
    assert last(case).actor == {"user_id": "system", "role": "system", "name": "Gridloop"}
    assert case.attach_photo(at(6), {**photo, "key": "photos/01CASE/before/01PHOTO-cd.jpg"}) is False
    assert case.photos == [photo] and case.version == 2


def test_times_are_utc_seconds_ending_in_z():
    assert iso(T0.replace(microsecond=123456)) == "2026-03-17T03:00:00Z"


# -- the rest of the loop, field by field ------------------------------------------------------------------------
def test_intake_opens_a_reported_case_at_its_village_station_with_the_triage_clock():
    case = reported()
    assert (case.status, case.center, case.level, case.path_centers, case.version) == (
        "reported", "BZ.RQ.TGLK.YKS", "village", ["BZ.RQ.TGLK.YKS"], 1)
    assert (case.to_dict()["deadlines"], case.to_dict()["stage_starts"], case.deadline_version, case.to_dict()["created_at"], case.to_dict()["updated_at"]) == (
        {"triage_due": iso(at(60 * 24))}, {"triage": iso(T0)}, 1, iso(T0), iso(T0))
    assert case.reporter == {"user_id": "gm-yks-01", "role": "grid_member", "name": "grid member"}
    assert entry(case) == ("report", None, "reported", "", {"channel": "grid_visit", "kind": "demand",
                                                             "category": "irrigation"}, 1, iso(T0))


def test_triage_classifies_writes_the_summary_and_diverts():
    case = reported()
    case.overdue = True
    case.accept(STATION, at(10), kind="dispute", category="neighbour", urgency="urgent", public_summary="fence",
                sensitive=True, forward_to=("BZ.RQ", "county"))
    assert (case.kind, case.category, case.urgency, case.public_summary, case.sensitive) == (
        "dispute", "neighbour", "urgent", "fence", True)
    assert (case.center, case.level, case.path_centers, case.to_dict()["deadlines"], case.to_dict()["stage_starts"], case.overdue) == (
        "BZ.RQ", "county", ["BZ.RQ.TGLK.YKS", "BZ.RQ"], {}, {}, False)
    assert entry(case) == ("accept", "reported", "accepted", "fence",
                           {"kind": "dispute", "category": "neighbour", "urgency": "urgent", "sensitive": True,
                            "forwarded_to": "BZ.RQ"}, 2, iso(at(10)))
    kept = reported()
    kept.accept(STATION, at(10), kind="demand", category="irrigation", urgency="normal", public_summary="s",
                sensitive=False, forward_to=("BZ.RQ.TGLK.YKS", "village"))
    assert (kept.center, kept.path_centers) == ("BZ.RQ.TGLK.YKS", ["BZ.RQ.TGLK.YKS"])
    assert last(kept).data == {"kind": "demand", "category": "irrigation", "urgency": "normal", "sensitive": False}
    same_again = reported()
    same_again.accept(STATION, at(10), kind="demand", category="irrigation", urgency="normal", public_summary="s",
                      sensitive=False, forward_to=None)
    assert same_again.center == "BZ.RQ.TGLK.YKS" and "forwarded_to" not in last(same_again).data


def test_a_rejection_keeps_its_reason_and_ends_the_clocks():
    case = reported()
    case.reject(STATION, at(5), "not a matter for the grid")
    assert (case.status, case.reason, case.to_dict()["deadlines"], case.to_dict()["stage_starts"], case.deadline_version) == (
        "rejected", "not a matter for the grid", {}, {}, 2)
    assert entry(case) == ("reject", "reported", "rejected", "not a matter for the grid", {}, 2, iso(at(5)))


def test_a_resolution_on_the_spot_records_who_and_starts_the_evaluation_clock():
    case = BUILDERS["accepted"]()
    case.resolve_on_spot(CENTER, at(30), "swept on the spot", at(999))
    assert case.to_dict()["resolution"] == {"note": "swept on the spot", "resolved_at": iso(at(30)), "on_spot": True,
                               "by": {"user_id": "dispatcher-rq", "role": "dispatcher", "name": ""}}
    assert (case.to_dict()["deadlines"], case.to_dict()["stage_starts"], case.deadline_version, case.to_dict()["extension"], case.overdue) == (
        {"evaluation_due": iso(at(999))}, {"evaluation": iso(at(30))}, 2, None, False)
    assert entry(case) == ("resolve_on_spot", "accepted", "resolved", "swept on the spot", {}, 3, iso(at(30)))


def test_an_escalation_by_hand_moves_the_case_up_and_says_from_where():
    case = BUILDERS["accepted"]()
    case.escalate(CENTER, at(30), ("BZ", "prefecture"), "beyond the county")
    assert (case.center, case.level, case.path_centers, case.status) == (
        "BZ", "prefecture", ["BZ.RQ.TGLK.YKS", "BZ.RQ", "BZ"], "accepted")
    assert entry(case) == ("escalate", "accepted", "accepted", "beyond the county",
                           {"from_center": "BZ.RQ", "to_center": "BZ", "level": "prefecture"}, 3, iso(at(30)))


def test_a_dispatch_and_a_redispatch_record_assignments_deadlines_and_numbers():
    case = BUILDERS["dispatched"]()
    assert case.to_dict()["assignments"] == [
        {"department": "rq-agri", "role": "lead", "dispatch_no": 1, "dispatched_at": iso(at(20)),
         "report_in_due": iso(at(60 * 24)), "active": True, "acknowledged_at": None, "ended": None},
        {"department": "rq-water", "role": "co", "dispatch_no": 1, "dispatched_at": iso(at(20)),
         "report_in_due": iso(at(60 * 24)), "active": True, "acknowledged_at": None, "ended": None}]
    assert (case.to_dict()["deadlines"], case.to_dict()["stage_starts"], case.dispatch_no, case.deadline_version) == (
        {"report_in_due": iso(at(60 * 24)), "resolve_due": iso(at(60 * 24 * 15))},
        {"report_in": iso(at(20)), "resolve": iso(at(20))}, 1, 2)
    assert entry(case) == ("dispatch", "accepted", "dispatched", "",
                           {"lead": "rq-agri", "co_handlers": ["rq-water"], "report_in_due": iso(at(60 * 24)),
                            "resolve_due": iso(at(60 * 24 * 15)), "dispatch_no": 1}, 3, iso(at(20)))
    case.overdue = True
    case.dispatch(CENTER, at(40), "rq-water", [], at(99), at(999), note="to water", redispatch=True)
    assert [(a["department"], a["active"], a["ended"], a["dispatch_no"]) for a in case.to_dict()["assignments"]] == [
        ("rq-agri", False, "redispatched", 1), ("rq-water", False, "redispatched", 1), ("rq-water", True, None, 2)]
    assert (case.overdue, case.dispatch_no, case.deadline_version, case.lead_department()) == (False, 2, 3, "rq-water")
    assert entry(case)[:5] == ("redispatch", "dispatched", "dispatched", "to water",
                               {"lead": "rq-water", "co_handlers": [], "report_in_due": iso(at(99)),
                                "resolve_due": iso(at(999)), "dispatch_no": 2})


def test_report_ins_record_role_and_punctuality_and_only_the_leads_moves_the_case():
    case = BUILDERS["dispatched"]()
    case.acknowledge(CO, at(30), "rq-water", "on it")
    assert entry(case) == ("acknowledge", "dispatched", "dispatched", "on it",
                           {"department": "rq-water", "role": "co", "on_time": True}, 4, iso(at(30)))
    assert case.to_dict()["deadlines"]["report_in_due"] == iso(at(60 * 24))
    case.acknowledge(LEAD, at(60 * 24), "rq-agri")       # exactly at the deadline: on time
    assert entry(case)[:5] == ("acknowledge", "dispatched", "in_progress", "",
                               {"department": "rq-agri", "role": "lead", "on_time": True})
    assert case.to_dict()["deadlines"] == {"resolve_due": iso(at(60 * 24 * 15))}
    assert [a["acknowledged_at"] for a in case.to_dict()["assignments"]] == [iso(at(60 * 24)), iso(at(30))]


def test_a_resolution_records_the_department_punctuality_and_the_dispatch():
    case = BUILDERS["in_progress"]()
    case.resolve(LEAD, at(60 * 24 * 15), "rq-agri", "water back", at(99999), "line the canal")
    assert case.to_dict()["resolution"] == {"note": "water back", "root_cause_follow_up": "line the canal",
                               "resolved_at": iso(at(60 * 24 * 15)), "department": "rq-agri", "on_time": True,
                               "dispatch_no": 1, "by": {"user_id": "dept-rq-agri", "role": "department", "name": ""}}
    assert entry(case) == ("resolve", "in_progress", "resolved", "water back",
                           {"department": "rq-agri", "on_time": True}, 5, iso(at(60 * 24 * 15)))
    late = BUILDERS["in_progress"]()
    late.resolve(LEAD, at(60 * 24 * 15 + 1), "rq-agri", "late", at(99999))
    assert late.to_dict()["resolution"]["on_time"] is False and last(late).data["on_time"] is False


def test_an_evaluation_records_the_verdict_and_closes_or_reopens():
    case = BUILDERS["resolved"]()
    case.evaluate(REPORTER, at(90), scores=SCORES, verdict="fair", fixed=True, on_behalf_of_resident=True,
                  note="ok", resolve_due=None)
    assert case.to_dict()["evaluations"] == [{"scores": SCORES, "verdict": "fair", "fixed": True, "at": iso(at(90)),
                                 "by": {"user_id": "gm-yks-01", "role": "grid_member", "name": "grid member"},
                                 "on_behalf_of_resident": True, "department": "rq-agri", "dispatch_no": 1}]
    assert (case.status, case.closed_as, case.to_dict()["deadlines"], case.reopen_count) == ("closed", "evaluated", {}, 0)
    assert entry(case) == ("evaluate", "resolved", "closed", "ok",
                           {"verdict": "fair", "fixed": True, "scores": SCORES, "on_behalf_of_resident": True},
                           6, iso(at(90)))
    again = BUILDERS["resolved"]()
    version = again.deadline_version
    again.evaluate(REPORTER, at(90), scores=SCORES, verdict="bad", fixed=False, on_behalf_of_resident=False,
                   note="still dry", resolve_due=at(9000))
    assert (again.status, again.closed_as, again.to_dict()["resolution"], again.reopen_count) == ("in_progress", None, None, 1)
    assert (again.to_dict()["deadlines"], again.to_dict()["stage_starts"], again.deadline_version) == (
        {"resolve_due": iso(at(9000))}, {"resolve": iso(at(90))}, version + 1)
    error = refused(lambda: BUILDERS["resolved"]().evaluate(
        REPORTER, at(90), scores=SCORES, verdict="fair", fixed=False, on_behalf_of_resident=False, note="",
        resolve_due=None), Invalid)
    assert (error.message, error.field) == ("a case that is not fixed can only be evaluated 'bad'", "verdict")


@pytest.mark.parametrize("void", [True, False])
def test_the_county_centers_decision_on_an_appeal(void):
    case = BUILDERS["resolved"]()
    case.evaluate(REPORTER, at(90), scores=SCORES, verdict="bad", fixed=True, on_behalf_of_resident=False, note="",
                  resolve_due=None)
    error = refused(lambda: case.decide_appeal(CENTER, at(95), 0, void), AppealRefused)
    assert error.message == "there is no pending appeal of this review"
    case.appeal(LEAD, at(100), 0, "rq-agri", "the flood")
    case.decide_appeal(CENTER, at(110), 0, void, "seen the photos")
    appeal = case.to_dict()["evaluations"][0]["appeal"]
    assert {k: appeal[k] for k in ("status", "decided_at", "note")} == {
        "status": "voided" if void else "upheld", "decided_at": iso(at(110)), "note": "seen the photos"}
    assert appeal["decided_by"] == {"user_id": "dispatcher-rq", "role": "dispatcher", "name": ""}
    assert case.to_dict()["evaluations"][0]["voided"] is void
    assert entry(case) == ("decide_appeal", "closed", "closed", "seen the photos",
                           {"evaluation": 0, "department": "rq-agri", "decision": "void" if void else "uphold",
                            "evaluated_at": iso(at(90))}, 8, iso(at(110)))
    assert refused(lambda: case.decide_appeal(CENTER, at(120), 0, void), AppealRefused).message == \
        "there is no pending appeal of this review"


def test_an_auto_close_acts_once_and_only_on_a_resolved_case():
    case = BUILDERS["resolved"]()
    assert case.auto_close(at(60 * 24 * 8), "t#breach#1") is True
    assert (case.status, case.closed_as, case.to_dict()["deadlines"], case.deadline_notices) == (
        "closed", "not_evaluated", {}, ["t#breach#1"])
    assert entry(case) == ("auto_close", "resolved", "closed", "", {"closed_as": "not_evaluated"}, 6,
                           iso(at(60 * 24 * 8)))
    assert last(case).actor == {"user_id": "system", "role": "system", "name": "Gridloop"}
    assert case.auto_close(at(60 * 24 * 9), "t#breach#1") is False and case.version == 6
    assert BUILDERS["in_progress"]().auto_close(at(60 * 24 * 8), "other#breach#1") is False
    assert BUILDERS["closed"]().auto_close(at(60 * 24 * 8), "other#breach#1") is False


def test_deadline_notices_warn_breach_and_escalate_once_each():
    case = BUILDERS["dispatched"]()
    assert case.note_deadline(at(60 * 18), "k#warning#0", "warning", "report_in", "rq-agri", at(60 * 24)) is True
    assert (case.overdue, case.center) == (False, "BZ.RQ")
    assert entry(case) == ("deadline_warning", "dispatched", "dispatched", "",
                           {"stage": "report_in", "department": "rq-agri", "due": iso(at(60 * 24)), "notice": 0},
                           4, iso(at(60 * 18)))
    assert case.note_deadline(at(60 * 24), "k#breach#1", "breach", "report_in", "rq-agri", at(60 * 24),
                              ("BZ", "prefecture"), 1) is True
    assert (case.overdue, case.center, case.level, case.path_centers[-1]) == (True, "BZ", "prefecture", "BZ")
    assert entry(case)[4] == {"stage": "report_in", "department": "rq-agri", "due": iso(at(60 * 24)), "notice": 1,
                              "from_center": "BZ.RQ", "to_center": "BZ", "level": "prefecture"}
    assert case.note_deadline(at(60 * 25), "k#breach#1", "breach", "report_in", "rq-agri", at(60 * 24),
                              ("BZ", "prefecture"), 1) is False
    assert case.note_deadline(at(60 * 26), "k#breach#2", "breach", "report_in", "rq-agri", at(60 * 24),
                              ("BZ", "prefecture"), 2) is True            # already at the top: no move
    assert entry(case)[4] == {"stage": "report_in", "department": "rq-agri", "due": iso(at(60 * 24)), "notice": 2}
    assert case.deadline_notices == ["k#warning#0", "k#breach#1", "k#breach#2"]


@pytest.mark.parametrize("role,where,inside", [
    ("station", {"node": "BZ.RQ.TGLK.YKS"}, True), ("dispatcher", {"node": "BZ.RQ"}, True),
    ("dispatcher", {"node": "BZ.RQ.TGLK"}, False), ("dispatcher", {"node": "BZ"}, False),
    ("department", {"department": "rq-water"}, True), ("department", {"department": "rq-police"}, False),
    ("grid_member", {"grid": "BZ.RQ.TGLK.YKS.G01"}, True), ("grid_member", {"grid": "BZ.RQ.TGLK.YKS.G02"}, False),
    ("leader", {"node": "BZ.RQ"}, False), ("admin", {"node": "BZ"}, False), ("clerk", {"node": "BZ.RQ"}, False),
])
def test_the_handling_chain_of_a_dispatched_case(role, where, inside):
    from chalicelib.domain import access
    from chalicelib.domain.roles import Principal
    assert access.in_handling_chain(Principal(f"someone-{role}", role, **where), BUILDERS["dispatched"]()) is inside


# -- defaults and older records ----------------------------------------------------------------------------------
def test_notes_left_out_are_recorded_empty():
    source, target = reported(), reported(case_id="01TARGET", number="RQ-2026-000002")
    source.merge_into(STATION, at(5), target)
    assert (last(source).note, last(target).note) == ("", "")
    case = BUILDERS["in_progress"]()
    case.request_extension(LEAD, at(100), "rq-agri", at(60 * 24 * 40), "canal")
    case.decide_extension(CENTER, at(110), True)
    assert last(case).note == ""
    case.resolve(LEAD, at(120), "rq-agri", "done", at(60 * 24 * 8))
    assert case.to_dict()["resolution"]["root_cause_follow_up"] == ""
    case.close(CENTER, at(60 * 24 * 8))
    assert last(case).note == ""
    appealed = BUILDERS["resolved"]()
    appealed.evaluate(REPORTER, at(90), scores=SCORES, verdict="bad", fixed=True, on_behalf_of_resident=False,
                      note="", resolve_due=None)
    appealed.appeal(LEAD, at(100), 0, "rq-agri", "flood")
    appealed.decide_appeal(CENTER, at(110), 0, False)
    assert last(appealed).note == "" and appealed.to_dict()["evaluations"][0]["appeal"]["note"] == ""


def test_a_case_stored_without_some_clocks_still_moves_on():
    """Records written before a clock existed (or edited by hand) lack some deadlines: actions must not fail."""
    case = reported()
    case.deadlines, case.stage_starts = {}, {}
    case.accept(STATION, at(10), kind="demand", category="irrigation", urgency="normal", public_summary="s",
                sensitive=False, forward_to=("BZ.RQ", "county"))
    case.dispatch(CENTER, at(20), "rq-agri", [], at(99), at(999))
    case.deadlines = {}
    case.acknowledge(LEAD, at(30), "rq-agri")
    case.request_extension(LEAD, at(40), "rq-agri", at(5000), "canal")   # no current due: any later time
    assert last(case).data == {"requested_due": iso(at(5000)), "current_due": None}
    case.deadlines = {}
    case.resolve(LEAD, at(50), "rq-agri", "done", at(60 * 24 * 8))
    assert case.to_dict()["resolution"]["on_time"] is True                                  # no resolve deadline: on time
    case.deadlines = {}
    case.evaluate(REPORTER, at(60), scores=SCORES, verdict="good", fixed=True, on_behalf_of_resident=False,
                  note="", resolve_due=None)
    assert case.status == "closed"


def test_every_reopen_is_counted():
    case = BUILDERS["resolved"]()
    for n in (1, 2):
        case.evaluate(REPORTER, at(90 + n), scores=SCORES, verdict="bad", fixed=False, on_behalf_of_resident=False,
                      note="", resolve_due=at(9000))
        assert case.reopen_count == n
        case.resolve(LEAD, at(95 + n), "rq-agri", "again", at(99999))


def test_the_intake_keeps_what_was_reported():
    case = reported()
    assert (case.title, case.description, case.location, case.channel, case.urgency, case.residents) == (
        "72 mu without irrigation", "channel missing", {"lat": 40.605, "lon": 87.685}, "grid_visit", "normal", [])


def test_a_case_read_from_storage_is_its_own_copy():
    stored = BUILDERS["dispatched"]().to_dict()
    case = type(BUILDERS["reported"]()).from_dict(stored)
    case.assignments[0] = case.assignments[0].ended_as("returned")
    case.deadlines["resolve_due"] = at(1)
    assert stored["assignments"][0]["active"] is True and stored["deadlines"]["resolve_due"] != iso(at(1))


@pytest.mark.parametrize("status", sorted(BUILDERS))
def test_a_case_holds_its_moments_as_utc_datetimes_and_reads_back_equal(status):
    case = BUILDERS[status]()
    moments = [case.created_at, case.updated_at, *case.deadlines.values(), *case.stage_starts.values(),
               *(m for a in case.assignments for m in (a.dispatched_at, a.report_in_due, a.acknowledged_at) if m),
               *(e.at for e in case.evaluations), *(e.at for e in case.new_entries)]
    assert all(isinstance(m, datetime) and m.utcoffset() == timedelta(0) and m.microsecond == 0 for m in moments)
    stored = json.loads(json.dumps(case.to_dict()))      # what the item's document holds
    assert type(case).from_dict(stored) == case and type(case).from_dict(stored).to_dict() == stored


def test_times_are_written_in_utc_whatever_the_machines_zone(monkeypatch):
    import time
    from zoneinfo import ZoneInfo
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        assert iso(T0.astimezone(ZoneInfo("Asia/Shanghai"))) == "2026-03-17T03:00:00Z"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_stored_form_holds_a_hand_back_as_text_and_omits_what_a_case_never_had():
    fresh = BUILDERS["dispatched"]()
    stored = json.loads(json.dumps(fresh.to_dict()))          # plain JSON, as it is written
    assert "returned" not in stored and stored["acted_version"] == fresh.version
    fresh.return_to_center(LEAD, at(40), "rq-agri", "not ours")
    assert json.loads(json.dumps(fresh.to_dict()))["returned"]["returned_at"] == iso(at(40))

    older = BUILDERS["dispatched"]()                          # a case stored before acted_version was kept
    older.return_to_center(LEAD, at(40), "rq-agri", "not ours")
    older.acted_version = None
    stored = json.loads(json.dumps(older.to_dict()))
    assert "acted_version" not in stored and stored["returned"]["returned_at"] == iso(at(40))
