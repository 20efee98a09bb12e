"""Who may see and act on a case: role AND jurisdiction (DESIGN §3, §8).

A sensitive case is visible only to its handling chain: the centers on its path, the departments ever
assigned, the reporter and the evaluator (the member of its grid).
"""
from datetime import datetime

from chalicelib.domain import roles
from chalicelib.domain.actions import ACTIONS, Party, allowed_actions
from chalicelib.domain.case import Case
from chalicelib.domain.jurisdiction import within
from chalicelib.domain.roles import Principal
from chalicelib.domain.vocabulary import Share

NODE_STAFF = (roles.STATION, roles.DISPATCHER, roles.LEADER, roles.ADMIN)   # read a node's whole subtree


def in_handling_chain(p: Principal, case: Case) -> bool:
    if p.user_id == case.reporter.get("user_id"):
        return True
    if p.role in roles.CENTER_ROLES:
        return p.node in case.path_centers
    if p.role == roles.DEPARTMENT:
        return p.department in case.departments_ever()
    if p.role == roles.GRID_MEMBER:
        return p.grid == case.grid
    return False


def can_see(p: Principal, case: Case) -> bool:
    if case.sensitive:
        return in_handling_chain(p, case)
    if p.user_id == case.reporter.get("user_id"):
        return True
    if p.role == roles.DEPARTMENT:
        return p.department in case.departments_ever()
    return may_open_in_grid(p, case.grid)


def may_open_in_grid(p: Principal, grid: str) -> bool:
    """Whether the caller may open an ordinary (not sensitive) case by its grid alone: staff of a node whose
    subtree holds the grid, and the grid's own member."""
    if p.role in NODE_STAFF:
        return p.node is not None and within(grid, p.node)
    if p.role == roles.GRID_MEMBER:
        return p.grid == grid
    return False


def can_act(p: Principal, case: Case, action: str) -> bool:
    """Role and place, not status (the case decides whether its status allows the action): the caller is one of
    the parties the action's row names."""
    row = ACTIONS.get(action)
    return row is not None and any(is_party(p, case, party) for party in row.who)


def is_party(p: Principal, case: Case, party: Party) -> bool:
    """Whether the caller stands in that relation to the case."""
    if party in (Party.CENTER, Party.HIGHER_CENTER, Party.CENTER_ON_PATH):
        if p.role not in roles.CENTER_ROLES or p.node is None:
            return False
        if party is Party.CENTER:
            return p.node == case.center
        if party is Party.HIGHER_CENTER:
            return p.node != case.center and within(case.center, p.node)
        return p.node in case.path_centers
    if party in (Party.LEAD, Party.CO_HANDLER):
        share = Share.LEAD if party is Party.LEAD else Share.CO
        return p.role == roles.DEPARTMENT and p.department is not None and any(
            a.department == p.department and a.role == share for a in case.active_assignments())
    if party is Party.EVALUATOR:
        return p.role == roles.GRID_MEMBER and p.grid == case.grid
    return party is Party.REPORTER and p.user_id == case.reporter.get("user_id")


def actions_for(p: Principal, case: Case, now: datetime) -> list[str]:
    """What the caller may do now: the status allows it, their role and place allow it, and so does the action's
    own state for them (e.g. their department has not reported in yet)."""
    return [a for a in allowed_actions(case.status)
            if can_act(p, case, a) and case.conflict(a, now, p.department) is None]


def can_merge_into(p: Principal, target: Case) -> bool:
    """A merge writes to its target too: only into a case the caller's center handles or handled (on its path),
    never into one it merely sees from above."""
    return is_party(p, target, ACTIONS["merge"].other_case.party)


def can_report_in_grid(p: Principal, grid: str) -> bool:
    """Intake: a grid member in their own grid; station and center staff anywhere in their subtree;
    an Open311 client anywhere (the location decides the grid)."""
    if p.role == roles.OPEN311:
        return True
    if p.role == roles.GRID_MEMBER:
        return p.grid == grid
    if p.role in roles.CENTER_ROLES:
        return p.node is not None and within(grid, p.node)
    return False


def list_scope(p: Principal) -> dict:
    """The widest listing a principal may ask for; the service narrows requests to it."""
    if p.role in NODE_STAFF:
        return {"node": p.node}
    if p.role == roles.DEPARTMENT:
        return {"department": p.department}
    if p.role == roles.GRID_MEMBER:
        return {"grid": p.grid}
    return {}
