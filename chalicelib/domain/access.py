"""The access policy: every "may this person do this here" of the product, role AND place.

Cases: what a caller sees, which actions of the table (chalicelib/domain/actions.py) they may take, what they
list. A sensitive case is visible only to its handling chain: the centers on its path, the departments ever
assigned, the reporter and the evaluator (the member of its grid). Then households, visits, points, statistics,
assessment, photos, contacts and API keys. The services ask here; no role is named anywhere else.
"""
from datetime import datetime

from chalicelib.domain import roles
from chalicelib.domain.actions import ACTIONS, Party, allowed_actions
from chalicelib.domain.case import Case
from chalicelib.domain.jurisdiction import within
from chalicelib.domain.roles import Principal
from chalicelib.domain.vocabulary import Channel, Share

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


# -- the case's people and the work lists -------------------------------------------------------------------------
def channel_refusal(p: Principal, channel: str) -> str | None:
    """Why the caller may not report through this channel (None: they may)."""
    if p.role == roles.GRID_MEMBER and channel != Channel.GRID_VISIT:
        return "grid members report through the grid_visit channel"
    if (channel == Channel.OPEN311) != (p.role == roles.OPEN311):
        return "the open311 channel is for Open311 clients, and only that one"
    return None


def may_report_outside_every_grid(p: Principal) -> bool:
    """An Open311 report no grid contains lands at the root's center."""
    return p.role == roles.OPEN311


def has_inbox(p: Principal) -> bool:
    return p.role == roles.DEPARTMENT


def has_queue(p: Principal) -> bool:
    return p.role in roles.CENTER_ROLES


def may_see_contacts(p: Principal, case: Case) -> bool:
    """The holding center, the departments now assigned, and the grid's member (return visits)."""
    if p.role in roles.CENTER_ROLES:
        return p.node == case.center
    if p.role == roles.DEPARTMENT:
        return p.department in {a.department for a in case.active_assignments()}
    return p.role == roles.GRID_MEMBER and p.grid == case.grid


def may_add_photos(p: Principal, case: Case, phase: str) -> bool:
    """After-photos: the lead department. Before-photos: the reporter and the centers on the case's path."""
    if phase == "after":
        return is_party(p, case, Party.LEAD)
    return is_party(p, case, Party.REPORTER) or is_party(p, case, Party.CENTER_ON_PATH)


# -- assessment ---------------------------------------------------------------------------------------------------
def may_appeal(p: Principal) -> bool:
    """Department staff appeal (the case then checks the review is their department's)."""
    return p.role == roles.DEPARTMENT


def may_decide_appeal(p: Principal, case: Case) -> bool:
    """The county center of the case."""
    return p.role == roles.DISPATCHER and p.node == case.county


def may_read_scorecard(p: Principal, department) -> bool:
    if p.role == roles.DEPARTMENT:
        return p.department == department.id
    return p.role in (roles.DISPATCHER, roles.LEADER, roles.ADMIN) and p.node is not None \
        and within(department.node, p.node)


def may_read_rankings(p: Principal, node: str) -> bool:
    return p.role in (roles.DISPATCHER, roles.LEADER, roles.ADMIN) and within(node, p.node or "-")


def may_read_statistics(p: Principal, node: str) -> bool:
    return p.role in (roles.LEADER, roles.DISPATCHER, roles.STATION, roles.ADMIN) and within(node, p.node or "-")


# -- households, visits and points --------------------------------------------------------------------------------
HOUSEHOLD_KEEPERS = (roles.GRID_MEMBER, roles.STATION, roles.POINTS_EVALUATOR, roles.ADMIN)
HOUSEHOLD_READERS = HOUSEHOLD_KEEPERS + (roles.CLERK, roles.LEADER, roles.DISPATCHER)


def _in_grid_scope(p: Principal, grid: str, allowed_roles) -> bool:
    if p.role not in allowed_roles:
        return False
    if p.role == roles.GRID_MEMBER:
        return p.grid == grid
    return p.node is not None and within(grid, p.node)


def may_keep_households(p: Principal, grid: str) -> bool:
    """Register households: the grid's own people (its member, station, evaluators, admins)."""
    return _in_grid_scope(p, grid, HOUSEHOLD_KEEPERS)


def may_read_households(p: Principal, grid: str) -> bool:
    return _in_grid_scope(p, grid, HOUSEHOLD_READERS)


def may_log_visits(p: Principal) -> bool:
    """The grid's member logs visits (to the households of their own grid)."""
    return p.role == roles.GRID_MEMBER


def may_read_visits(p: Principal, grid: str) -> bool:
    if p.role == roles.GRID_MEMBER:
        return p.grid == grid
    return p.role in (roles.STATION, roles.DISPATCHER, roles.LEADER, roles.ADMIN, roles.POINTS_EVALUATOR) \
        and within(grid, p.node or "-")


def may_record_points(p: Principal, grid: str) -> bool:
    """The points evaluation group of the household's grid or village."""
    return p.role == roles.POINTS_EVALUATOR and p.node is not None and within(grid, p.node)


def may_read_ledger(p: Principal, grid: str) -> bool:
    if p.role == roles.GRID_MEMBER:
        return p.grid == grid
    return p.role in (roles.POINTS_EVALUATOR, roles.CLERK, roles.STATION, roles.LEADER, roles.ADMIN) \
        and p.node is not None and within(grid, p.node)


def is_clerk_of(p: Principal, market_node: str) -> bool:
    return p.role == roles.CLERK and p.node == market_node


def may_manage_stock(p: Principal, market_node: str) -> bool:
    """The market's own clerks, and the admins of a place that holds it."""
    return is_clerk_of(p, market_node) or (p.role == roles.ADMIN and p.node is not None
                                           and within(market_node, p.node))


def may_read_privileges(p: Principal, village: str) -> bool:
    return p.role in (roles.POINTS_EVALUATOR, roles.STATION, roles.LEADER, roles.ADMIN) and within(village, p.node or "-")


# -- the deployment's own keys ------------------------------------------------------------------------------------
def may_manage_api_keys(p: Principal) -> bool:
    """The county admin issues and revokes Open311 API keys."""
    return p.role == roles.ADMIN


ASSIGNABLE_ROLES = roles.ALL_ROLES


PLACE_ATTRIBUTES = ("node", "department", "grid")   # custom:<name> of a user (the pool's schema, the token's claims)


def place_attribute(role: str) -> str:
    """The one place attribute a role carries: grid members a grid, department staff a department, the rest a
    node."""
    return {roles.GRID_MEMBER: "grid", roles.DEPARTMENT: "department"}.get(role, "node")


def may_administer(p: Principal) -> bool:
    """The deployment's administrator: the access log of personal-data reads, the configuration as loaded."""
    return p.role == roles.ADMIN


# What each role may do in the console, in the API's terms (each names the routes it needs). The console shows
# the screens it has for the abilities listed; the routes check role and place again on every request.
CONSOLE_ABILITIES: dict[str, tuple[str, ...]] = {
    roles.STATION: ("queue", "cases", "intake", "supervision", "statistics", "contacts"),
    roles.DISPATCHER: ("queue", "cases", "intake", "supervision", "statistics", "rankings", "appeal_decisions",
                       "contacts"),
    roles.DEPARTMENT: ("inbox", "scorecard", "appeals", "contacts"),
    roles.LEADER: ("cases", "statistics", "rankings"),
    roles.ADMIN: ("cases", "statistics", "rankings", "administer"),
    roles.POINTS_EVALUATOR: ("points",),
    roles.CLERK: ("redemptions",),
    roles.GRID_MEMBER: ("report", "evaluate", "contacts"),
}


def console_abilities(p: Principal) -> tuple[str, ...]:
    return CONSOLE_ABILITIES.get(p.role, ())
