"""The administrator's reads: the Open311 keys, the access log of personal-data reads, the configuration.
(Issuing and revoking a key are beside the Open311 routes, chalicelib/api/open311.py.)"""
from chalice import Blueprint, Response

from chalicelib import runtime
from chalicelib.api.http import csv_language, int_param, principal, query_param, route
from chalicelib.services import administration

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
