"""The transition table of the loop (docs/architecture.md), checked against an expectation written out by hand."""
import pytest

from chalicelib.domain.case import Actor
from chalicelib.domain.times import iso
from chalicelib.domain.errors import InvalidTransition
from tests.builders import (BUILDERS, CENTER, CO, COUNTY, LEAD, REPORTER, SCORES, STATION, at, reported)

# (status, action) -> the status after it. Every pair not listed must be refused. From the loop in docs/architecture.md.
EXPECTED = {
    ("reported", "accept"): "accepted",
    ("reported", "reject"): "rejected",
    ("reported", "merge"): "merged",
    ("accepted", "resolve_on_spot"): "resolved",
    ("accepted", "escalate"): "accepted",
    ("accepted", "dispatch"): "dispatched",
    ("dispatched", "redispatch"): "dispatched",
    ("in_progress", "redispatch"): "dispatched",
    ("dispatched", "acknowledge"): "in_progress",
    ("dispatched", "return"): "accepted",
    ("in_progress", "request_extension"): "in_progress",
    ("in_progress", "decide_extension"): "in_progress",
    ("in_progress", "resolve"): "resolved",
    ("resolved", "evaluate"): "closed",
    ("resolved", "close"): "closed",
    ("dispatched", "supervise"): "dispatched",
    ("in_progress", "supervise"): "in_progress",
}
# Offered in a status, but only to some actors: in_progress, a co-handler may still report in (the lead has).
CO_HANDLER_ONLY = {("in_progress", "acknowledge")}
STATUSES = ["reported", "accepted", "rejected", "merged", "dispatched", "in_progress", "resolved", "closed"]
ACTIONS = ["accept", "reject", "merge", "resolve_on_spot", "escalate", "dispatch", "redispatch", "acknowledge",
           "return", "request_extension", "decide_extension", "resolve", "evaluate", "close", "supervise"]


def perform(case, action):
    due = at(60 * 24 * 30)
    if action == "accept":
        case.accept(STATION, at(100), kind="demand", category="irrigation", urgency="normal",
                    public_summary="s", sensitive=False, forward_to=(COUNTY, "county"))
    elif action == "reject":
        case.reject(STATION, at(100), "not ours")
    elif action == "merge":
        case.merge_into(STATION, at(100), reported(case_id="01TARGET", number="RQ-2026-000009"))
    elif action == "resolve_on_spot":
        case.resolve_on_spot(CENTER, at(100), "fixed on the spot", due)
    elif action == "escalate":
        case.escalate(CENTER, at(100), ("BZ", "prefecture"), "beyond the county")
    elif action in ("dispatch", "redispatch"):
        case.dispatch(CENTER, at(100), "rq-agri", [], at(200), due, redispatch=action == "redispatch")
    elif action == "acknowledge":
        case.acknowledge(LEAD, at(100), "rq-agri")
    elif action == "return":
        case.return_to_center(LEAD, at(100), "rq-agri", "not ours")
    elif action == "request_extension":
        case.request_extension(LEAD, at(100), "rq-agri", at(60 * 24 * 40), "needs a canal")
    elif action == "decide_extension":
        if case.status == "in_progress":
            case.request_extension(LEAD, at(90), "rq-agri", at(60 * 24 * 40), "needs a canal")
        case.decide_extension(CENTER, at(100), True)
    elif action == "resolve":
        case.resolve(LEAD, at(100), "rq-agri", "done", due)
    elif action == "evaluate":
        case.evaluate(REPORTER, at(100), scores=SCORES, verdict="good", fixed=True, on_behalf_of_resident=False,
                      note="", resolve_due=None)
    elif action == "close":
        case.close(CENTER, at(60 * 24 * 7))   # the evaluation deadline has passed
    elif action == "supervise":
        case.supervise(Actor("dispatcher-bz", "dispatcher"), at(100), "report progress by Friday")


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_in_each_status_follows_the_table(status, action):
    case = BUILDERS[status]()
    assert case.status == status
    version = case.version
    if (status, action) in EXPECTED:
        perform(case, action)
        assert case.status == EXPECTED[(status, action)]
        assert case.version > version
    else:
        allowed = sorted(a for (s, a) in set(EXPECTED) | CO_HANDLER_ONLY if s == status)
        with pytest.raises(InvalidTransition) as refused:
            perform(case, action)
        assert refused.value.details["allowed_actions"] == allowed
        assert case.status == status and case.version == version


def test_every_change_records_one_timeline_entry_with_from_and_to():
    case = BUILDERS["closed"]()
    entries = case.new_entries
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert [(e.action, e.from_status, e.to_status) for e in entries] == [
        ("report", None, "reported"), ("accept", "reported", "accepted"), ("dispatch", "accepted", "dispatched"),
        ("acknowledge", "dispatched", "in_progress"), ("resolve", "in_progress", "resolved"),
        ("evaluate", "resolved", "closed")]


def test_not_fixed_reopens_counts_a_bad_review_and_restarts_resolve():
    case = BUILDERS["resolved"]()
    case.evaluate(REPORTER, at(100), scores=SCORES, verdict="bad", fixed=False, on_behalf_of_resident=False,
                  note="still dry", resolve_due=at(9000))
    assert case.status == "in_progress" and case.reopen_count == 1
    assert case.evaluations[-1].verdict == "bad" and case.evaluations[-1].department == "rq-agri"
    assert case.to_dict()["deadlines"] == {"resolve_due": iso(at(9000))}


def test_not_fixed_with_a_good_verdict_is_refused():
    from chalicelib.domain.errors import Invalid
    case = BUILDERS["resolved"]()
    with pytest.raises(Invalid) as refused:
        case.evaluate(REPORTER, at(100), scores=SCORES, verdict="good", fixed=False, on_behalf_of_resident=False,
                      note="", resolve_due=None)
    assert refused.value.field == "verdict" and case.status == "resolved"


def test_a_co_handler_reports_in_without_moving_the_case_and_only_once():
    case = BUILDERS["in_progress"]()
    case.acknowledge(CO, at(40), "rq-water")
    assert case.status == "in_progress"
    assert case.new_entries[-1].data == {"department": "rq-water", "role": "co", "on_time": True}
    with pytest.raises(InvalidTransition):
        case.acknowledge(CO, at(41), "rq-water")


def test_a_co_handler_cannot_resolve_or_return():
    from chalicelib.domain.errors import Forbidden
    case = BUILDERS["in_progress"]()
    with pytest.raises(Forbidden):                      # the role decides, not the state
        case.resolve(CO, at(50), "rq-water", "done", at(500))
    with pytest.raises(Forbidden):
        case.request_extension(CO, at(50), "rq-water", at(60 * 24 * 40), "canal")


def test_redispatch_ends_the_old_assignments_and_restarts_report_in():
    case = BUILDERS["in_progress"]()
    case.dispatch(CENTER, at(100), "rq-water", [], at(300), at(5000), redispatch=True)
    active = [(a.department, a.role, a.dispatch_no) for a in case.active_assignments()]
    assert active == [("rq-water", "lead", 2)]
    assert case.to_dict()["deadlines"] == {"report_in_due": iso(at(300)), "resolve_due": iso(at(5000))}


def test_an_extension_moves_the_deadline_only_when_approved():
    case = BUILDERS["in_progress"]()
    before = case.to_dict()["deadlines"]["resolve_due"]
    case.request_extension(LEAD, at(100), "rq-agri", at(60 * 24 * 40), "canal")
    assert case.to_dict()["deadlines"]["resolve_due"] == before
    case.decide_extension(CENTER, at(110), approve=False)
    assert case.to_dict()["deadlines"]["resolve_due"] == before and case.to_dict()["extension"] is None
    case.request_extension(LEAD, at(120), "rq-agri", at(60 * 24 * 40), "canal")
    case.decide_extension(CENTER, at(130), approve=True)
    assert case.to_dict()["deadlines"]["resolve_due"] == iso(at(60 * 24 * 40))


def test_a_late_report_in_is_recorded_as_not_on_time():
    case = BUILDERS["dispatched"]()
    case.acknowledge(LEAD, at(60 * 24 * 2), "rq-agri")
    assert case.new_entries[-1].data["on_time"] is False


def test_merge_links_both_cases():
    source, target = reported(), reported(case_id="01TARGET", number="RQ-2026-000002")
    source.merge_into(STATION, at(5), target, "same channel")
    assert source.status == "merged" and source.merged_into == "01TARGET"
    assert target.status == "reported" and target.merged_cases == [source.id]
    assert target.new_entries[-1].action == "merged_in"


def test_closing_unevaluated_waits_for_the_evaluation_deadline_and_says_when():
    case = BUILDERS["resolved"]()                       # resolved at(60), the member has until at(60 * 24 * 7)
    due = iso(at(60 * 24 * 7))
    with pytest.raises(InvalidTransition) as refused:
        case.close(CENTER, at(61))                      # seconds after resolution: the member's evaluation comes first
    assert due in refused.value.message and refused.value.details["closable_from"] == due
    assert case.status == "resolved" and case.version == len(case.new_entries)
    case.close(CENTER, at(60 * 24 * 7))
    assert (case.status, case.closed_as) == ("closed", "not_evaluated")
