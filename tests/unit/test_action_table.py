"""The action table is where an action is defined: what a row declares reaches the policy, the notifications and
the routes without a line of its own elsewhere. Expectations are written out by hand (who stands where, what a
DingTalk notice says), not read from the table."""
import pytest

from chalicelib.domain import access, actions, commands
from chalicelib.domain.actions import SAME, Action, Audience, Party
from chalicelib.domain.case import TimelineEntry
from chalicelib.domain.roles import Principal
from chalicelib.domain.vocabulary import Status
from chalicelib.services import effects, notify
from tests.builders import BUILDERS, at

COUNTY = Principal("dispatcher-rq", "dispatcher", node="BZ.RQ")            # holds the dispatched case
TOWNSHIP = Principal("dispatcher-tglk", "dispatcher", node="BZ.RQ.TGLK")   # on the grid's path, below the holder
PREFECTURE = Principal("dispatcher-bz", "dispatcher", node="BZ")
OTHER_COUNTY = Principal("dispatcher-hj", "dispatcher", node="BZ.HJ")
STATION = Principal("station-yks", "station", node="BZ.RQ.TGLK.YKS")       # received it
LEAD = Principal("dept-rq-agri", "department", department="rq-agri")
CO = Principal("dept-rq-water", "department", department="rq-water")
MEMBER = Principal("gm-yks-01", "grid_member", grid="BZ.RQ.TGLK.YKS.G01")  # the reporter and the evaluator
LEADER = Principal("leader-bz", "leader", node="BZ")

# A dispatched case: received at the Yakinson station, held by the Ruoqiang county center, rq-agri leads.
PARTIES = {
    Party.CENTER: {COUNTY},
    Party.HIGHER_CENTER: {PREFECTURE},
    Party.CENTER_ON_PATH: {STATION, COUNTY},
    Party.LEAD: {LEAD},
    Party.CO_HANDLER: {CO},
    Party.REPORTER: {MEMBER},
    Party.EVALUATOR: {MEMBER},
}
EVERYONE = [COUNTY, TOWNSHIP, PREFECTURE, OTHER_COUNTY, STATION, LEAD, CO, MEMBER, LEADER]


@pytest.mark.parametrize("party", list(Party), ids=lambda party: party.name)
def test_each_party_is_exactly_the_people_in_that_relation_to_the_case(party):
    case = BUILDERS["dispatched"]()
    assert {p for p in EVERYONE if access.is_party(p, case, party)} == PARTIES[party]


def nudge(monkeypatch, **row):
    """A row added to the table for the test: a notice by a higher center that leaves the status alone."""
    monkeypatch.setitem(actions.ACTIONS, "nudge", Action(
        "nudge", frozenset({Status.DISPATCHED}), SAME, frozenset({Party.HIGHER_CENTER}), commands.Note,
        lambda case, body, t: None, names=("催办", "nudge"), **row))


def test_a_new_row_is_allowed_to_its_parties_only_and_offered_in_its_statuses(monkeypatch):
    nudge(monkeypatch)
    case = BUILDERS["dispatched"]()
    assert [p.user_id for p in EVERYONE if access.can_act(p, case, "nudge")] == ["dispatcher-bz"]
    assert "nudge" in access.actions_for(PREFECTURE, case, at(30))
    assert "nudge" not in access.actions_for(PREFECTURE, BUILDERS["in_progress"](), at(30))
    assert actions.allowed_actions("dispatched") == ["acknowledge", "nudge", "redispatch", "return", "supervise"]


def test_a_row_that_notifies_the_lead_department_sends_it_a_dingtalk_notice_named_after_the_action(monkeypatch, config):
    nudge(monkeypatch, notifies=frozenset({Audience.LEAD}))
    case = BUILDERS["dispatched"]()
    entry = TimelineEntry(4, at(30), {"user_id": "dispatcher-bz", "role": "dispatcher", "name": ""}, "nudge",
                          "dispatched", "dispatched", "please hurry", {})
    messages = effects.notifications(case, entry)
    assert messages == [{"case_id": "01CASE", "number": "RQ-2026-000001", "category": "irrigation",
                         "grid": "BZ.RQ.TGLK.YKS.G01", "event": "nudge", "channel": "dingtalk",
                         "department": "rq-agri"}]
    title, lines = notify.department_text(messages[0], config)
    assert title == "【催办 nudge】RQ-2026-000001"
    assert lines[0] == "若羌县农业农村局：催办 nudge" and lines[-1] == "详见案件时间线 see the case's timeline"
    assert "please hurry" not in " ".join(lines)             # a note is free text: it stays on the timeline


def test_a_row_that_notifies_no_one_sends_nothing(monkeypatch):
    nudge(monkeypatch)
    entry = TimelineEntry(4, at(30), {}, "nudge", "dispatched", "dispatched", "", {})
    assert effects.notifications(BUILDERS["dispatched"](), entry) == []
