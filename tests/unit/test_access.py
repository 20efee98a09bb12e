"""Who sees and acts on a case, against a policy written out by hand."""
import pytest

from chalicelib.domain import access
from chalicelib.domain.roles import Principal
from tests.builders import BUILDERS

GM_OWN = Principal("gm-yks-01", "grid_member", grid="BZ.RQ.TGLK.YKS.G01")
GM_OTHER_GRID = Principal("gm-yks-02", "grid_member", grid="BZ.RQ.TGLK.YKS.G02")
STATION_OWN = Principal("station-yks", "station", node="BZ.RQ.TGLK.YKS")
STATION_OTHER = Principal("station-ys", "station", node="BZ.RQ.TGLK.YS")
TOWNSHIP = Principal("dispatcher-tglk", "dispatcher", node="BZ.RQ.TGLK")
COUNTY = Principal("dispatcher-rq", "dispatcher", node="BZ.RQ")
OTHER_COUNTY = Principal("dispatcher-hj", "dispatcher", node="BZ.HJ")
PREFECTURE = Principal("dispatcher-bz", "dispatcher", node="BZ")
LEAD = Principal("dept-rq-agri", "department", department="rq-agri")
CO = Principal("dept-rq-water", "department", department="rq-water")
UNASSIGNED = Principal("dept-rq-police", "department", department="rq-police")
LEADER_RQ = Principal("leader-rq", "leader", node="BZ.RQ")
LEADER_HJ = Principal("leader-hj", "leader", node="BZ.HJ")

# A dispatched case (station YKS -> county RQ -> rq-agri lead, rq-water co-handler).
SEES_ORDINARY = {GM_OWN: True, GM_OTHER_GRID: False, STATION_OWN: True, STATION_OTHER: False, TOWNSHIP: True,
                 COUNTY: True, OTHER_COUNTY: False, PREFECTURE: True, LEAD: True, CO: True, UNASSIGNED: False,
                 LEADER_RQ: True, LEADER_HJ: False}
# The same case marked sensitive: only its chain (centers on its path, assigned departments, reporter, evaluator).
SEES_SENSITIVE = {GM_OWN: True, GM_OTHER_GRID: False, STATION_OWN: True, STATION_OTHER: False, TOWNSHIP: False,
                  COUNTY: True, OTHER_COUNTY: False, PREFECTURE: False, LEAD: True, CO: True, UNASSIGNED: False,
                  LEADER_RQ: False, LEADER_HJ: False}


@pytest.mark.parametrize("principal", list(SEES_ORDINARY), ids=lambda p: p.user_id)
def test_visibility_of_an_ordinary_case(principal):
    assert access.can_see(principal, BUILDERS["dispatched"]()) is SEES_ORDINARY[principal]


@pytest.mark.parametrize("principal", list(SEES_SENSITIVE), ids=lambda p: p.user_id)
def test_visibility_of_a_sensitive_case(principal):
    case = BUILDERS["dispatched"]()
    case.sensitive = True
    assert access.can_see(principal, case) is SEES_SENSITIVE[principal]


ACTS = [  # (principal, action, allowed) on the dispatched case held by the county center
    (COUNTY, "redispatch", True), (TOWNSHIP, "redispatch", False), (PREFECTURE, "redispatch", False),
    (STATION_OWN, "redispatch", False), (LEAD, "acknowledge", True), (CO, "acknowledge", True),
    (UNASSIGNED, "acknowledge", False), (LEAD, "resolve", True), (COUNTY, "resolve", False),
    (GM_OWN, "evaluate", True), (GM_OTHER_GRID, "evaluate", False), (LEADER_RQ, "dispatch", False),
    (LEAD, "evaluate", False),
]


@pytest.mark.parametrize("principal,action,allowed", ACTS, ids=lambda v: getattr(v, "user_id", str(v)))
def test_who_may_act(principal, action, allowed):
    assert access.can_act(principal, BUILDERS["dispatched"](), action) is allowed


def test_intake_is_limited_to_the_reporters_grid_or_the_centers_subtree():
    assert access.can_report_in_grid(GM_OWN, "BZ.RQ.TGLK.YKS.G01")
    assert not access.can_report_in_grid(GM_OWN, "BZ.RQ.TGLK.YKS.G02")
    assert access.can_report_in_grid(STATION_OWN, "BZ.RQ.TGLK.YKS.G03")
    assert not access.can_report_in_grid(STATION_OWN, "BZ.RQ.TGLK.YS.G01")
    assert not access.can_report_in_grid(LEAD, "BZ.RQ.TGLK.YKS.G01")
    assert not access.can_report_in_grid(LEADER_RQ, "BZ.RQ.TGLK.YKS.G01")


@pytest.mark.parametrize("action", ["return", "request_extension", "resolve"])
def test_only_the_lead_department_returns_asks_for_more_time_or_resolves(action):
    case = BUILDERS["in_progress"]()                    # rq-agri leads and has reported in; rq-water co-handles
    assert access.can_act(LEAD, case, action) is True
    assert access.can_act(CO, case, action) is False    # a role/place refusal (403), not a state conflict


EVALUATOR = Principal("evaluator-yks", "points_evaluator", node="BZ.RQ.TGLK.YKS")
ADMIN = Principal("admin-bz", "admin", node="BZ")
# The widest listing each role may ask for, written from the product's rules.
SCOPES = [(STATION_OWN, {"node": "BZ.RQ.TGLK.YKS"}), (COUNTY, {"node": "BZ.RQ"}), (LEADER_RQ, {"node": "BZ.RQ"}),
          (ADMIN, {"node": "BZ"}), (LEAD, {"department": "rq-agri"}), (GM_OWN, {"grid": "BZ.RQ.TGLK.YKS.G01"}),
          (EVALUATOR, {})]


@pytest.mark.parametrize("principal,scope", SCOPES, ids=lambda v: getattr(v, "user_id", str(v)))
def test_each_role_lists_within_its_own_scope(principal, scope):
    assert access.list_scope(principal) == scope


def test_an_ordinary_case_is_opened_by_place_alone_and_a_node_less_principal_opens_nothing():
    assert access.may_open_in_grid(STATION_OWN, "BZ.RQ.TGLK.YKS.G02")
    assert not access.may_open_in_grid(STATION_OTHER, "BZ.RQ.TGLK.YKS.G02")
    assert access.may_open_in_grid(GM_OWN, "BZ.RQ.TGLK.YKS.G01")
    assert not access.may_open_in_grid(GM_OWN, "BZ.RQ.TGLK.YKS.G02")
    assert not access.may_open_in_grid(LEAD, "BZ.RQ.TGLK.YKS.G01")        # departments: by assignment only
    assert not access.may_open_in_grid(EVALUATOR, "BZ.RQ.TGLK.YKS.G01")
    assert not access.may_open_in_grid(Principal("odd", "leader", node=None), "BZ.RQ.TGLK.YKS.G01")
    assert not access.can_report_in_grid(Principal("odd", "station", node=None), "BZ.RQ.TGLK.YKS.G01")


def test_the_reporter_sees_their_own_case_wherever_they_are_now():
    moved = Principal("gm-yks-01", "grid_member", grid="BZ.RQ.TGLK.YS.G01")   # same person, another grid now
    assert access.can_see(moved, BUILDERS["dispatched"]())
    assert access.in_handling_chain(moved, BUILDERS["dispatched"]())
    assert not access.in_handling_chain(LEADER_RQ, BUILDERS["dispatched"]())


def test_a_merge_goes_only_into_a_case_on_the_callers_centers_path():
    case = BUILDERS["dispatched"]()                     # received at YKS, held by the county
    assert access.can_merge_into(STATION_OWN, case) and access.can_merge_into(COUNTY, case)
    assert not access.can_merge_into(TOWNSHIP, case) and not access.can_merge_into(PREFECTURE, case)
    assert not access.can_merge_into(LEADER_RQ, case) and not access.can_merge_into(LEAD, case)


def test_what_each_caller_may_do_now():
    from tests.builders import at
    case = BUILDERS["in_progress"]()                    # the lead reported in; the co-handler not yet
    assert access.actions_for(LEAD, case, at(50)) == ["request_extension", "resolve"]
    assert access.actions_for(CO, case, at(50)) == ["acknowledge"]
    assert access.actions_for(COUNTY, case, at(50)) == ["redispatch"]
    assert access.actions_for(LEADER_RQ, case, at(50)) == []
    resolved = BUILDERS["resolved"]()                   # evaluation due at(60 * 24 * 7)
    assert access.actions_for(COUNTY, resolved, at(61)) == []
    assert access.actions_for(COUNTY, resolved, at(60 * 24 * 7)) == ["close"]
    assert access.actions_for(GM_OWN, resolved, at(61)) == ["evaluate"]


def test_an_action_the_policy_does_not_know_is_allowed_to_no_one():
    for principal in SEES_ORDINARY:
        assert access.can_act(principal, BUILDERS["dispatched"](), "delete") is False
