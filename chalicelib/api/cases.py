"""Case routes: intake, reads, lists, timeline and one route per row of the action table."""
from chalice import Blueprint

from chalicelib import runtime
from chalicelib.api.http import ApiError, header, instant_param, int_param, parse_body, principal, query_param, route
from chalicelib.domain.vocabulary import Attention, Kind, Status
from chalicelib.services import cases
from chalicelib.domain import access, commands
from chalicelib.domain.actions import ACTIONS, Action
from chalicelib.services.unit_of_work import ListQuery

bp = Blueprint(__name__)
ATTENTION = tuple(Attention)
TAG = "cases"
IDEMPOTENCY = {"Idempotency-Key": "optional; a retry with the same key returns the first result, once"}
LIST_FILTERS = {
    "status": "reported, accepted, dispatched, in_progress, resolved, rejected, merged, closed",
    "node": "a jurisdiction node: its whole subtree", "grid": "one grid", "department": "a department's cases",
    "kind": "demand or dispute", "category": "a category code",
    "due_before": "an instant (ISO 8601 with its offset): cases whose current stage is due before it (overdue and "
                  "nearly due); not for a department's inbox",
    "attention": "overdue (a stage's deadline breached), extension (a request waits for the center), returned "
                 "(handed back by the lead department, waiting to be dispatched again), appeal (an appeal waits for "
                 "the county center) or bad_review (a bad review not appealed)",
    "limit": "1..50, default 20",
    "cursor": "the opaque cursor of the previous page",
}


def _list(request, **fixed) -> dict:
    query = ListQuery(
        status=query_param(request, "status", choices=tuple(Status)),
        node=query_param(request, "node"), grid=query_param(request, "grid"),
        department=query_param(request, "department"), kind=query_param(request, "kind", choices=tuple(Kind)),
        category=query_param(request, "category"), due_before=instant_param(request, "due_before"),
        attention=query_param(request, "attention", choices=ATTENTION), limit=int_param(request, "limit", 20, 1, 50),
        cursor=query_param(request, "cursor", max_length=2000), **fixed)
    return cases.list_cases(runtime.new_uow(), runtime.config(), principal(request), query)


@route(bp, "/cases", "POST", "Report a case (intake)", TAG, body=commands.ReportCase, headers=IDEMPOTENCY,
       success=201)
def report_case():
    request = bp.current_request
    body = parse_body(request, commands.ReportCase)
    return cases.report_case(runtime.new_uow(), runtime.config(), principal(request), body, runtime.clock(),
                             idempotency_key=header(request, "Idempotency-Key"))


@route(bp, "/cases", "GET", "List cases in your scope, with filters", TAG, query=LIST_FILTERS)
def list_cases():
    return _list(bp.current_request)


@route(bp, "/cases/mine", "GET", "A grid member's own reports", TAG, query=LIST_FILTERS)
def my_reports():
    request = bp.current_request
    return _list(request, reporter=principal(request).user_id)


@route(bp, "/inbox", "GET", "A department's inbox", TAG, query=LIST_FILTERS)
def department_inbox():
    request = bp.current_request
    if not access.has_inbox(principal(request)):
        raise ApiError(403, "forbidden", "only department staff have an inbox")
    return _list(request)


@route(bp, "/queue", "GET", "A center's queue: cases waiting for the caller's center", TAG, query=LIST_FILTERS)
def center_queue():
    request = bp.current_request
    me = principal(request)
    if not access.has_queue(me):
        raise ApiError(403, "forbidden", "only receiving stations and centers have a queue")
    return _list(request, queue_center=me.node)


@route(bp, "/cases/{case_id}", "GET", "One case (with possible duplicates while it waits for triage)", TAG)
def get_case(case_id):
    request = bp.current_request
    return cases.get_case(runtime.new_uow(), runtime.config(), principal(request), case_id, runtime.clock())


@route(bp, "/cases/{case_id}/timeline", "GET", "The case's timeline, oldest first", TAG,
       query={"limit": "1..100, default 50", "cursor": "the opaque cursor of the previous page"})
def case_timeline(case_id):
    request = bp.current_request
    return cases.timeline(runtime.new_uow(), principal(request), case_id,
                          int_param(request, "limit", 50, 1, 100), query_param(request, "cursor", max_length=2000))


@route(bp, "/cases/{case_id}/contacts", "GET",
       "Residents' contacts and the case's own words unmasked (logged; handling chain only)", TAG,
       query={"purpose": "why you need them, e.g. return visit (recorded in the access log)"})
def case_contacts(case_id):
    from chalicelib.services import contacts
    request = bp.current_request
    purpose = query_param(request, "purpose", max_length=200)
    if not purpose:
        raise ApiError(400, "validation_error", "say why you need the contacts (purpose)",
                       fields=[{"field": "purpose", "message": "required"}])
    return contacts.contacts(runtime.new_uow(), runtime.access_log(), principal(request), case_id, purpose,
                             runtime.clock())


def action_summary(row: Action) -> str:
    """The operation's summary: the row's English name (else its key in words) and its Chinese name. The console
    labels an action its catalogue does not know yet with this, rather than with the raw key."""
    english = row.names[1] or row.name.replace("_", " ")
    english = english[0].upper() + english[1:]
    return f"{english} ({row.names[0]})" if row.names[0] else english


def _action_route(row: Action):
    def view(case_id):
        request = bp.current_request
        body = parse_body(request, row.body)
        if_match = header(request, "If-Match", max_length=20)
        if if_match is not None and not if_match.strip('"').isdigit():
            raise ApiError(400, "validation_error", "If-Match must be the case version you read",
                           fields=[{"field": "If-Match", "message": "an integer version"}])
        return cases.act(runtime.new_uow(), runtime.config(), principal(request), case_id, row.name, body,
                         runtime.clock(), idempotency_key=header(request, "Idempotency-Key"),
                         expected_version=int(if_match.strip('"')) if if_match else None)
    view.__name__ = f"action_{row.name}"
    route(bp, f"/cases/{{case_id}}/{row.path}", "POST", action_summary(row), TAG, body=row.body,
          headers={**IDEMPOTENCY, "If-Match": "optional; the case version you acted on (409 if it moved)"})(view)


for _row in ACTIONS.values():
    _action_route(_row)
