"""Use cases of the closed loop. Each write: at most one read, one transaction."""
from __future__ import annotations

from datetime import datetime, timedelta

from ulid import ULID

from chalicelib.domain import access, geo
from chalicelib.domain.actions import ACTIONS, Turn
from chalicelib.domain.case import Case, open_case
from chalicelib.domain.errors import Forbidden, Invalid, NotFound, VersionConflict
from chalicelib.domain.jurisdiction import within
from chalicelib.domain.roles import Actor, Principal
from chalicelib.domain.times import instant
from chalicelib.services import changes, timers, views
from chalicelib.domain import commands
from chalicelib.services.handler import Command, handle
from chalicelib.services.unit_of_work import AbstractUnitOfWork, ListQuery, Page, Preload

DUPLICATE_WINDOW_DAYS = 30


def _due(config, stage: str, urgency: str, start: datetime, complex_category: bool = False) -> datetime:
    return instant(config.deadlines.due(stage, urgency, start, config.calendar, complex_category))


# -- intake --------------------------------------------------------------------------------------------
OBSERVED_AHEAD = timedelta(minutes=10)   # a phone's clock may run a little ahead of the server's


def report_case(uow: AbstractUnitOfWork, config, p: Principal, body: commands.ReportCase, now: datetime,
                idempotency_key: str | None = None, preload: Preload | None = None) -> dict:
    """Open a case, numbered per county and year. One read (the idempotency record and the number's counter,
    plus what `preload` adds, e.g. the Open311 API key) and one transaction, which also claims the number: if a
    concurrent intake claimed it first, the whole write is read again and retried (numbers stay unique and
    gap-free; a replayed request takes none)."""
    jurisdiction = config.jurisdiction
    grid = jurisdiction.node(body.grid)
    unplaced = access.may_report_outside_every_grid(p) and body.grid == jurisdiction.root.code   # the root's center
    if grid is None or (grid.level != "grid" and not unplaced):
        raise Invalid(f"'{body.grid}' is not a grid of this deployment", field="grid")
    if not access.can_report_in_grid(p, body.grid):
        raise Forbidden(f"you cannot report cases in grid {body.grid}")
    category = config.categories.get(body.category)
    if category is None:
        raise Invalid(f"'{body.category}' is not a category of this deployment", field="category")
    if category.kind != body.kind:
        raise Invalid(f"category '{body.category}' is a {category.kind}, not a {body.kind}", field="kind")
    refused = access.channel_refusal(p, body.channel)
    if refused:
        raise Invalid(refused, field="channel")
    _check_location(config, body)
    if body.observed_at is not None and body.observed_at > now + OBSERVED_AHEAD:
        raise Invalid(f"observed_at {body.observed_at.isoformat()} is after the report arrived "
                      f"({now.isoformat()}): check the device's clock", field="observed_at")

    county = jurisdiction.county_of(body.grid) or jurisdiction.root
    village = jurisdiction.ancestor_at(body.grid, "village") or jurisdiction.root
    prefix = county.case_prefix or county.code.replace(".", "")
    year = now.astimezone(config.timezone).year
    sequence = f"case-number#{prefix}#{year}"

    def decide() -> dict:
        seq = uow.claim_sequence(sequence)   # committed with the case, on the value the load read
        case = open_case(case_id=str(ULID.from_datetime(now)), number=f"{prefix}-{year}-{seq:06d}",
                         actor=Actor.of(p), now=now, kind=body.kind, category=body.category, title=body.title,
                         description=body.description, grid=body.grid, county=county.code,
                         village=village.code, location=body.location.model_dump(), channel=body.channel,
                         urgency=body.urgency, residents=[r.model_dump() for r in body.residents],
                         sensitive=category.sensitive, triage_due=_due(config, "triage", body.urgency, now),
                         level=village.level, observed_at=body.observed_at)
        uow.cases.add(case)
        changes.record(uow, case, {}, config)
        return views.case_detail(case, p, config, now)

    reads = Preload(sequences=[sequence])
    reads.merge(preload or Preload())
    return handle(uow, p, Command("report", body.model_dump(mode="json"), idempotency_key, reads), decide)


def _check_location(config, body: commands.ReportCase) -> None:
    """The reported spot lies inside the stated grid, or within the configured tolerance of its boundary."""
    rings = config.boundary_of.get(body.grid)   # none for the root (Open311 reports outside every grid)
    if rings is None:
        return
    outside = geo.metres_outside(body.location.lat, body.location.lon, rings)
    tolerance = config.location_tolerance_m
    if outside > tolerance:
        raise Invalid(f"the location is {outside:,.0f} m outside grid {body.grid} (at most {tolerance} m is "
                      f"accepted): check the location or the grid", field="location", code="outside_grid",
                      limits={"distance": round(outside), "tolerance": tolerance})


# -- reads ---------------------------------------------------------------------------------------------
def _visible(uow: AbstractUnitOfWork, p: Principal, case_id: str) -> Case:
    case = uow.cases.get(case_id)
    if case is None or not access.can_see(p, case):
        raise NotFound(f"no case {case_id} that you can see")  # never tell "exists but hidden"
    return case


def get_case(uow: AbstractUnitOfWork, config, p: Principal, case_id: str, now: datetime) -> dict:
    with uow:
        case = _visible(uow, p, case_id)
        detail = views.case_detail(case, p, config, now)
        if case.status == "reported" and access.can_act(p, case, "accept"):
            since = str(ULID.from_timestamp(
                case.created_at.timestamp()
                - DUPLICATE_WINDOW_DAYS * 86400))
            detail["possible_duplicates"] = [views.hint(h) for h in uow.cases.possible_duplicates(case, since, limit=10)
                                             if _shown_as_duplicate(p, h)]
        return detail


def _shown_as_duplicate(p: Principal, hint: dict) -> bool:
    """A hint names another case: never a sensitive one (only its handling chain may know it exists), otherwise
    only one the caller may open. Hints come from an index, not whole cases: for the center that triages (the one
    shown hints), may open means the case's grid lies in its subtree."""
    return not hint["sensitive"] and access.may_open_in_grid(p, hint["grid"])


def list_cases(uow: AbstractUnitOfWork, config, p: Principal, query: ListQuery) -> dict:
    scope = access.list_scope(p)
    if not scope:
        raise Forbidden("your role cannot list cases")
    jurisdiction = config.jurisdiction
    if query.node and jurisdiction.node(query.node) is None:
        raise Invalid(f"'{query.node}' is not a node of this deployment", field="node")
    if query.grid and (jurisdiction.node(query.grid) is None or jurisdiction.node(query.grid).level != "grid"):
        raise Invalid(f"'{query.grid}' is not a grid of this deployment", field="grid")
    if query.department and jurisdiction.department(query.department) is None:
        raise Invalid(f"'{query.department}' is not a department of this deployment", field="department")

    if "node" in scope:
        node = query.node or scope["node"]
        for asked in filter(None, (query.node, query.grid, query.queue_center)):
            if not within(asked, scope["node"]):
                raise Forbidden(f"{asked} is outside your jurisdiction {scope['node']}")
        if query.department and not within(jurisdiction.department(query.department).node, scope["node"]) \
                and not within(scope["node"], jurisdiction.department(query.department).node):
            raise Forbidden(f"department {query.department} is outside your jurisdiction")
        query = query._replace(node=node)
    elif "department" in scope:
        if query.due_before:
            raise Invalid("due_before filters the cases of a place, not a department's inbox", field="due_before")
        if query.department not in (None, scope["department"]) or query.grid or query.queue_center or query.node:
            raise Forbidden("department staff list their own department's cases")
        query = query._replace(department=scope["department"])
    elif "grid" in scope:
        if query.department or query.queue_center or query.node or query.grid not in (None, scope["grid"]):
            raise Forbidden("grid members list their own grid and their own reports")
        if not query.reporter:
            query = query._replace(grid=scope["grid"])
    if query.reporter and query.reporter != p.user_id and "node" not in scope:
        raise Forbidden("you can list only your own reports")

    counties = _counties_under(jurisdiction, query.node) if query.node else []
    query = _by_grid(jurisdiction, query)
    with uow:
        page: Page = uow.cases.list(query, counties)
        return {"items": [views.case_summary(c, config) for c in page.items if access.can_see(p, c)],
                "cursor": page.cursor}


# A township or village list without a status reads its grids' `by-grid` partitions (in parallel, merged newest
# first) when it has at most this many grids: each holds only matches, so a page never walks the county's other
# cases. Larger subtrees, and subtree lists in one status, filter the county's partition (docs/performance.md).
SUBTREE_GRIDS = 32


def _by_grid(jurisdiction, query: ListQuery) -> ListQuery:
    node = jurisdiction.node(query.node) if query.node else None
    if node is None or node.level not in ("township", "village") or query.status or query.grid \
            or query.queue_center or query.reporter or query.department:
        return query
    grids = jurisdiction.grids_under(node.code)
    return query._replace(grids=tuple(grids)) if 0 < len(grids) <= SUBTREE_GRIDS else query


def _counties_under(jurisdiction, node: str) -> list[str]:
    """The `county` partitions a list under `node` reads: its county, or every county below it, and at the
    root also the root's own partition (Open311 reports outside every grid are placed there)."""
    county = jurisdiction.county_of(node)
    if county:
        return [county.code]
    counties = sorted(n.code for n in jurisdiction.nodes.values() if n.level == "county" and within(n.code, node))
    return counties + [node] if node == jurisdiction.root.code else counties


def timeline(uow: AbstractUnitOfWork, p: Principal, case_id: str, limit: int, cursor: str | None) -> dict:
    with uow:
        _visible(uow, p, case_id)
        page = uow.cases.timeline(case_id, limit, cursor)
        return {"items": [views.timeline_entry(e) for e in page.items], "cursor": page.cursor}


# -- actions -------------------------------------------------------------------------------------------
def act(uow: AbstractUnitOfWork, config, p: Principal, case_id: str, action: str, body: commands.Body,
        now: datetime, idempotency_key: str | None = None, expected_version: int | None = None) -> dict:
    """Perform one action of the closed loop on a case, as its row of the action table says."""
    row = ACTIONS[action]
    other_id = getattr(body, row.other_case.field) if row.other_case else None

    def decide() -> dict:
        case = uow.cases.seen.get(case_id)
        if case is None or not access.can_see(p, case):
            raise NotFound(f"no case {case_id} that you can see")
        case.check(action)  # the status decides first: 409 with the allowed actions, whoever asks
        if not access.can_act(p, case, action):
            raise Forbidden(f"your role or place does not allow '{action}' on this case")
        if expected_version is not None and case.changed_since(expected_version):
            raise VersionConflict(f"the case is at version {case.version}, not {expected_version}: it changed since")
        if other_id is not None:
            _check_other_case(p, row, uow.cases.seen.get(other_id), other_id)
        before = {c.id: timers.needed(c) for c in uow.cases.seen.values()}
        row.perform(case, body, Turn(Actor.of(p), p.department, now, config, uow.cases.seen))
        for changed in uow.changed_cases():
            changes.record(uow, changed, before.get(changed.id, {}), config)
        return views.case_detail(case, p, config, now)

    reads = Preload(case_ids=[case_id] + ([other_id] if other_id is not None else []))
    return handle(uow, p, Command(action, {"case": case_id, **body.model_dump(mode="json")}, idempotency_key, reads),
                  decide)


def _check_other_case(p: Principal, row, other: Case | None, other_id: str) -> None:
    """A second case the action writes to (a merge's target): one the caller sees, and may write to."""
    if other is None or not access.can_see(p, other):
        raise Invalid(f"no case {other_id} that you can see", field=row.other_case.field)
    if not access.is_party(p, other, row.other_case.party):
        raise Forbidden(f"case {other.number} is not handled by your center; you cannot {row.name} into it")
