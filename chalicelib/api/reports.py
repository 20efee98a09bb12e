"""Evaluation that bites and what leaders read: appeals, scorecards, rankings, statistics, visits."""
from datetime import date

from chalice import Blueprint, Response

from chalicelib import runtime
from chalicelib.api.http import ApiError, csv_language, header, int_param, parse_body, principal, query_param, route
from chalicelib.domain.vocabulary import DEPARTMENT_LEVELS, Level
from chalicelib.services import assessment, statistics, visits
from chalicelib.domain import commands

bp = Blueprint(__name__)
PERIOD = {"period": "YYYY | YYYY-Qn | YYYY-MM | YYYY-MM-DD", "from": "YYYY-MM-DD (with to)",
          "to": "YYYY-MM-DD (with from)"}
CSV = {"format": "json (default) or csv (UTF-8 with BOM)",
       "lang": "csv headers and words: zh or en (default: the deployment's language)"}
JSON_OR_CSV = {"application/json": {"schema": {"type": "object"}}, "text/csv": {"schema": {"type": "string"}}}


def _index(value: str) -> int:
    if not value.isdigit():
        raise ApiError(400, "validation_error", "the evaluation index is a number (0 = the first evaluation)",
                       fields=[{"field": "index", "message": "a non-negative integer"}])
    return int(value)


def _year(request) -> int:
    return int_param(request, "year", runtime.clock().astimezone(runtime.config().timezone).year, 2000, 2100)


def _csv(text: str, filename: str) -> Response:
    return Response(body=text, status_code=200, headers={
        "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": f'attachment; filename="{filename}"'})


@route(bp, "/cases/{case_id}/evaluations/{index}/appeal", "POST", "Appeal a bad review (once)", "assessment",
       body=commands.Appeal, headers={"Idempotency-Key": "optional"})
def appeal_review(case_id, index):
    request = bp.current_request
    return assessment.appeal(runtime.new_uow(), runtime.config(), principal(request), case_id, _index(index),
                             parse_body(request, commands.Appeal), runtime.clock(), header(request, "Idempotency-Key"))


@route(bp, "/cases/{case_id}/evaluations/{index}/appeal-decision", "POST",
       "The county center upholds or voids an appealed review", "assessment", body=commands.AppealDecision,
       headers={"Idempotency-Key": "optional"})
def decide_appeal(case_id, index):
    request = bp.current_request
    return assessment.decide_appeal(runtime.new_uow(), runtime.config(), principal(request), case_id, _index(index),
                                    parse_body(request, commands.AppealDecision), runtime.clock(),
                                    header(request, "Idempotency-Key"))


@route(bp, "/scorecards/{department}", "GET", "A department's scorecard for a calendar year", "assessment",
       query={"year": "default: this year"})
def department_scorecard(department):
    request = bp.current_request
    return assessment.scorecard(runtime.new_uow(), runtime.config(), principal(request), department, _year(request))


@route(bp, "/rankings", "GET", "Departments of one level ranked by the configured composite", "assessment",
       query={"node": "default: your node", "level": "township, county or prefecture", "year": "default: this year",
              **CSV}, responses=JSON_OR_CSV)
def rankings():
    request = bp.current_request
    me = principal(request)
    level = query_param(request, "level", choices=DEPARTMENT_LEVELS) or Level.COUNTY
    result = assessment.ranking(runtime.new_uow(), runtime.config(), me, query_param(request, "node") or me.node or "",
                                level, _year(request))
    if query_param(request, "format", choices=("json", "csv")) == "csv":
        return _csv(statistics.scorecards_csv(result, csv_language(request)),
                    f"scorecards-{result['node']}-{level}-{result['year']}.csv")
    return result


@route(bp, "/statistics", "GET", "Statistics of a node and period (counters kept on write)", "statistics",
       query={"node": "default: your node", **PERIOD, **CSV}, responses=JSON_OR_CSV)
def node_statistics():
    request = bp.current_request
    me = principal(request)
    first, last = statistics.parse_period(query_param(request, "period"), query_param(request, "from"),
                                          query_param(request, "to"))
    result = statistics.statistics(runtime.new_uow(), runtime.config(), me, query_param(request, "node") or me.node or "",
                                   first, last)
    if query_param(request, "format", choices=("json", "csv")) == "csv":
        return _csv(statistics.to_csv(result, runtime.config(), csv_language(request)),
                    f"statistics-{result['node']}-{result['from']}-{result['to']}.csv")
    return result


@route(bp, "/visits", "POST", "Log a household visit (the grid's member)", "visits", body=commands.LogVisit,
       headers={"Idempotency-Key": "optional"}, success=201)
def log_visit():
    request = bp.current_request
    return visits.log_visit(runtime.new_uow(), runtime.config(), principal(request),
                            parse_body(request, commands.LogVisit), runtime.clock(), header(request, "Idempotency-Key"))


@route(bp, "/visits", "GET", "Visits in a grid and period, oldest first", "visits",
       query={"grid": "required", **PERIOD, "limit": "1..100, default 50", "cursor": "opaque cursor"})
def list_visits():
    request = bp.current_request
    grid = query_param(request, "grid")
    if not grid:
        raise ApiError(400, "validation_error", "query parameter 'grid' is required",
                       fields=[{"field": "grid", "message": "required"}])
    period, start, end = query_param(request, "period"), query_param(request, "from"), query_param(request, "to")
    if not (period or start or end):
        today = runtime.clock().astimezone(runtime.config().timezone).date()
        first, last = date(today.year, today.month, 1), today
    else:
        first, last = statistics.parse_period(period, start, end)
    return visits.list_visits(runtime.new_uow(), runtime.config(), principal(request), grid, first, last,
                              int_param(request, "limit", 50, 1, 100), query_param(request, "cursor", max_length=2000))
