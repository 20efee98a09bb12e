"""Points routes: the evaluation group's ledger entries, the supermarket, privileges, the public ranking."""
from chalice import Blueprint, Response

from chalicelib import runtime
from chalicelib.api.http import (ApiError, csv_language, header, int_param, parse_body, principal, query_param,
                                 route)
from chalicelib.services import points
from chalicelib.domain import commands

bp = Blueprint(__name__)
TAG = "points"
KEY = {"Idempotency-Key": "recommended; a retry with the same key is applied once"}


def _seq(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise ApiError(400, "validation_error", "seq is a ledger entry number (1, 2, ...)",
                       fields=[{"field": "seq", "message": "a positive integer"}])
    return int(value)


@route(bp, "/households/{household_id}/points", "POST", "Record a daily point or monthly score under a rule",
       TAG, body=commands.RecordPoints, headers=KEY, success=201)
def record_points(household_id):
    request = bp.current_request
    return points.record(runtime.new_uow(), runtime.config(), principal(request), household_id,
                         parse_body(request, commands.RecordPoints), runtime.clock(), header(request, "Idempotency-Key"))


@route(bp, "/households/{household_id}/ledger/{seq}/reversal", "POST", "Reverse one ledger entry (once)", TAG,
       body=commands.Reason, headers=KEY, success=201)
def reverse_entry(household_id, seq):
    request = bp.current_request
    return points.reverse(runtime.new_uow(), runtime.config(), principal(request), household_id, _seq(seq),
                          parse_body(request, commands.Reason), runtime.clock(), header(request, "Idempotency-Key"))


@route(bp, "/households/{household_id}/ledger", "GET", "A household's balance and ledger", TAG,
       query={"limit": "1..100, default 50", "cursor": "opaque cursor",
              "order": "oldest (default: by seq) or newest (the latest entries first)"})
def household_ledger(household_id):
    request = bp.current_request
    newest = query_param(request, "order", choices=("oldest", "newest")) == "newest"
    return points.ledger(runtime.new_uow(), runtime.config(), principal(request), household_id,
                         int_param(request, "limit", 50, 1, 100), query_param(request, "cursor", max_length=2000),
                         newest_first=newest)


@route(bp, "/supermarkets/{supermarket_id}/redemptions", "POST", "Redeem points for goods", TAG,
       body=commands.Redeem, headers=KEY, success=201)
def redeem(supermarket_id):
    request = bp.current_request
    return points.redeem(runtime.new_uow(), runtime.config(), principal(request), supermarket_id,
                         parse_body(request, commands.Redeem), runtime.clock(), header(request, "Idempotency-Key"))


@route(bp, "/supermarkets/{supermarket_id}/stock", "POST", "Add stock of an item", TAG, body=commands.Restock)
def restock(supermarket_id):
    request = bp.current_request
    return points.restock(runtime.new_uow(), runtime.config(), principal(request), supermarket_id,
                          parse_body(request, commands.Restock))


@route(bp, "/supermarkets/{supermarket_id}/stock", "GET", "Items, prices and stock", TAG)
def supermarket_stock(supermarket_id):
    request = bp.current_request
    return points.stock(runtime.new_uow(), runtime.config(), principal(request), supermarket_id)


@route(bp, "/privileges/{privilege}/households", "GET", "Households eligible for a privilege (CSV for the bank)",
       TAG, query={"village": "required", "period": "YYYY or YYYY-MM", "format": "json or csv (UTF-8 with BOM)",
                   "lang": "csv headers and words: zh or en (default: the deployment's language)"},
       responses={"application/json": {"schema": {"type": "object"}}, "text/csv": {"schema": {"type": "string"}}})
def eligible_households(privilege):
    request = bp.current_request
    village, period = query_param(request, "village"), query_param(request, "period")
    if not village or not period:
        raise ApiError(400, "validation_error", "village and period are required",
                       fields=[{"field": f, "message": "required"} for f, v in (("village", village), ("period", period))
                               if not v])
    result = points.eligible(runtime.new_uow(), runtime.config(), principal(request), privilege, village, period)
    if query_param(request, "format", choices=("json", "csv")) == "csv":
        return Response(body=points.eligible_csv(result, csv_language(request)), status_code=200, headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{privilege}-{village}-{period}.csv"'})
    return result


@route(bp, "/villages/{village}/points-ranking", "GET", "The public monthly points ranking (names masked)", TAG,
       query={"month": "YYYY-MM"}, public=True)
def points_ranking(village):
    request = bp.current_request
    month = query_param(request, "month") or f"{runtime.clock().astimezone(runtime.config().timezone):%Y-%m}"
    return points.monthly_ranking(runtime.new_uow(), runtime.config(), village, month)
