"""The administrator's reads: the Open311 keys, the access log of personal-data reads, the configuration.
(Issuing and revoking a key are beside the Open311 routes, chalicelib/api/open311.py.)"""
from chalice import Blueprint, Response

from chalicelib import runtime
from chalicelib.api.http import ApiError, csv_language, int_param, parse_body, principal, query_param, route
from chalicelib.domain import access, commands
from chalicelib.services import administration, users

bp = Blueprint(__name__)
TAG = "admin"
JSON_OR_CSV = {"application/json": {"schema": {"type": "object"}}, "text/csv": {"schema": {"type": "string"}}}
PAGE = {"limit": ("1..100, default 50", {"type": "integer", "minimum": 1, "maximum": 100}),
        "cursor": "opaque cursor from the previous page"}


@route(bp, "/admin/open311-keys", "GET", "The Open311 API keys: name, who issued it when, revoked (never the "
       "secret)", TAG, query=PAGE)
def list_api_keys():
    from chalicelib.adapters.api_keys import DynamoApiKeys
    request = bp.current_request
    return administration.api_keys_page(DynamoApiKeys(), principal(request), int_param(request, "limit", 50, 1, 100),
                                        query_param(request, "cursor", max_length=2000))


@route(bp, "/admin/access-log", "GET", "Reads of residents' personal data (who, when, which case, why), newest "
       "first; as CSV with format=csv", TAG, responses=JSON_OR_CSV, query={
           "from": "first day, YYYY-MM-DD in the county's time zone (default: 29 days before `to`)",
           "to": "last day, inclusive (default: today); the window is at most 366 days",
           "case_id": ("only the reads of this case", {"type": "string", "pattern": "^[0-9A-Za-z]{1,40}$"}),
           "user_id": ("only the reads by this person", {"type": "string", "minLength": 1, "maxLength": 128}),
           "format": "json (default) or csv (UTF-8 with BOM)", "lang": "csv headers: zh or en",
           "limit": ("1..100 (csv: 1..1000), default 50", {"type": "integer", "minimum": 1, "maximum": 1000}),
           "cursor": "opaque cursor; a CSV page names the next one "
           "in the X-Next-Cursor header"})
def access_log():
    request = bp.current_request
    as_csv = query_param(request, "format", choices=("json", "csv")) == "csv"
    page = administration.access_log_page(
        runtime.access_log(), runtime.config(), principal(request),
        since=query_param(request, "from", max_length=10), until=query_param(request, "to", max_length=10),
        case_id=query_param(request, "case_id", max_length=40), user_id=query_param(request, "user_id", max_length=128),
        limit=int_param(request, "limit", 50, 1, 1000 if as_csv else 100),
        cursor=query_param(request, "cursor", max_length=2000), now=runtime.clock())
    if not as_csv:
        return page
    headers = {"Content-Type": "text/csv; charset=utf-8",
               "Content-Disposition": f'attachment; filename="access-log-{page["from"]}-{page["to"]}.csv"'}
    if page["cursor"]:
        headers["X-Next-Cursor"] = page["cursor"]
    return Response(body=administration.access_log_csv(page, csv_language(request)), status_code=200, headers=headers)


@route(bp, "/admin/configuration", "GET", "The deployment's configuration as loaded (read-only; it holds no "
       "secret), with counts of the jurisdiction, categories, departments and points catalogue", TAG)
def configuration():
    return administration.configuration(runtime.config(), principal(bp.current_request))


ELSEWHERE = "409 users_managed_elsewhere: an external OIDC issuer, or no user pool (the local stack)"


@route(bp, "/admin/users", "GET", "The users of one role: name, place, enabled (from the user pool; " + ELSEWHERE
       + ")", TAG, query={"role": ("required: one role", {"type": "string", "enum": list(access.ASSIGNABLE_ROLES)}),
                           "limit": ("1..60, default 50", {"type": "integer", "minimum": 1, "maximum": 60}),
                           "cursor": "opaque cursor from the previous page"})
def list_users():
    request = bp.current_request
    role = query_param(request, "role", choices=access.ASSIGNABLE_ROLES)
    if role is None:
        raise ApiError(400, "validation_error", "query parameter 'role' is required",
                       fields=[{"field": "role", "message": "required"}])
    return users.list_users(runtime.user_directory(), runtime.config(), principal(request), role,
                            int_param(request, "limit", 50, 1, 60), query_param(request, "cursor", max_length=4000))


@route(bp, "/admin/users", "POST", "Create a user with one role and place; the temporary password is answered "
       "once (" + ELSEWHERE + ")", TAG, body=commands.CreateUser, success=201)
def create_user():
    request = bp.current_request
    me = principal(request)
    if not access.may_administer(me):     # before the body is read: a non-admin learns nothing about it
        raise ApiError(403, "forbidden", "only the administrator manages users")
    return users.create_user(runtime.user_directory(), runtime.config(), me, parse_body(request, commands.CreateUser))


@route(bp, "/admin/users/{username}/assignment", "POST", "Set a user's role and place (only an administrator; "
       "never their own)", TAG, body=commands.AssignUser)
def assign_user(username):
    request = bp.current_request
    me = principal(request)
    if not access.may_administer(me):
        raise ApiError(403, "forbidden", "only the administrator manages users")
    return users.assign_user(runtime.user_directory(), runtime.config(), me, username,
                             parse_body(request, commands.AssignUser))


@route(bp, "/admin/users/{username}/disable", "POST", "Disable a user: they can no longer sign in (an ID "
       "token already issued stays valid until it runs out, within 8 hours)", TAG)
def disable_user(username):
    return users.disable_user(runtime.user_directory(), runtime.config(), principal(bp.current_request), username)
