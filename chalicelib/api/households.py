"""Household routes (operational data of a grid)."""
from chalice import Blueprint

from chalicelib import runtime
from chalicelib.api.http import ApiError, header, int_param, parse_body, principal, query_param, route
from chalicelib.services import households
from chalicelib.domain import commands

bp = Blueprint(__name__)
TAG = "households"


@route(bp, "/households", "POST", "Register a household in a grid", TAG, body=commands.RegisterHousehold,
       headers={"Idempotency-Key": "optional; a retry with the same key registers once"}, success=201)
def register_household():
    request = bp.current_request
    body = parse_body(request, commands.RegisterHousehold)
    return households.register(runtime.new_uow(), runtime.config(), principal(request), body, runtime.clock(),
                               idempotency_key=header(request, "Idempotency-Key"))


@route(bp, "/households", "GET", "The households of one grid", TAG,
       query={"grid": "required: a grid code", "limit": "1..100, default 50", "cursor": "opaque cursor"})
def list_households():
    request = bp.current_request
    grid = query_param(request, "grid")
    if grid is None:
        raise ApiError(400, "validation_error", "query parameter 'grid' is required",
                       fields=[{"field": "grid", "message": "required"}])
    return households.list_in_grid(runtime.new_uow(), runtime.config(), principal(request), grid,
                                   int_param(request, "limit", 50, 1, 100), query_param(request, "cursor", max_length=2000))
