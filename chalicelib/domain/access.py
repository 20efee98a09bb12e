"""Who may see and act on a case: role AND jurisdiction (DESIGN §3, §8).

A sensitive case is visible only to its handling chain: the centers on its path, the departments ever
assigned, the reporter and the evaluator (the member of its grid).
"""
from chalicelib.domain import roles
from chalicelib.domain.case import Case
from chalicelib.domain.jurisdiction import within
from chalicelib.domain.roles import Principal

# action -> the roles that may perform it (jurisdiction is checked separately)
CENTER_ACTIONS = {"accept", "reject", "merge", "resolve_on_spot", "escalate", "dispatch", "redispatch",
                  "decide_extension", "close"}
DEPARTMENT_ACTIONS = {"acknowledge", "return", "request_extension", "resolve"}
GRID_MEMBER_ACTIONS = {"evaluate"}


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
    if p.role in (roles.STATION, roles.DISPATCHER, roles.LEADER, roles.ADMIN):
        return p.node is not None and within(case.grid, p.node)
    if p.role == roles.DEPARTMENT:
        return p.department in case.departments_ever()
    if p.role == roles.GRID_MEMBER:
        return p.grid == case.grid
    return False


def can_act(p: Principal, case: Case, action: str) -> bool:
    """Role and place, not status: the case decides whether the status allows the action."""
    if action in CENTER_ACTIONS:
        return p.role in roles.CENTER_ROLES and p.node == case.center
    if action in DEPARTMENT_ACTIONS:
        return p.role == roles.DEPARTMENT and p.department in {a.department for a in case.active_assignments()}
    if action in GRID_MEMBER_ACTIONS:
        return p.role == roles.GRID_MEMBER and p.grid == case.grid
    return False


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
    if p.role in (roles.STATION, roles.DISPATCHER, roles.LEADER, roles.ADMIN):
        return {"node": p.node}
    if p.role == roles.DEPARTMENT:
        return {"department": p.department}
    if p.role == roles.GRID_MEMBER:
        return {"grid": p.grid}
    return {}
