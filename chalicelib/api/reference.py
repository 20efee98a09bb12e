"""What the web console reads once per session: the caller, and the deployment's reference data with ETags."""
from chalice import Blueprint, Response

from chalicelib import runtime
from chalicelib.api.http import principal, route
from chalicelib.services import reference

bp = Blueprint(__name__)
TAG = "reference"
REVALIDATE = {"If-None-Match": "the ETag of the copy you hold: 304 Not Modified (no body) while it is current"}


def _cached(document: reference.Document) -> Response:
    headers = {"ETag": document.etag, "Cache-Control": "private, no-cache"}
    if document.matches(bp.current_request.headers.get("if-none-match")):
        return Response(body="", status_code=304, headers=headers)
    return Response(body=document.body, status_code=200, headers={**headers, "Content-Type": "application/json"})


@route(bp, "/me", "GET", "Who you are: role, place, and what you may do (abilities)", TAG)
def who_am_i():
    return reference.me(runtime.config(), principal(bp.current_request))


@route(bp, "/jurisdiction", "GET", "The jurisdiction tree with every name (zh, en, ug, mn) and the grid boundaries "
       "as GeoJSON (ETag; 304 when unchanged)", TAG, headers=REVALIDATE)
def jurisdiction_tree():
    return _cached(reference.jurisdiction(runtime.config()))


@route(bp, "/categories", "GET", "Every category with its kind, sensitivity, routing and deadlines (ETag)", TAG,
       headers=REVALIDATE)
def category_list():
    return _cached(reference.categories(runtime.config()))


@route(bp, "/points-catalogue", "GET", "The points rules of every village (scope, points, monthly cap, kind), the "
       "supermarkets with their items and prices, the privileges (ETag)", TAG, headers=REVALIDATE)
def points_catalogue():
    return _cached(reference.points(runtime.config()))


@route(bp, "/departments", "GET", "Every department with its node and kind, for dispatch (ETag)", TAG,
       headers=REVALIDATE)
def department_list():
    return _cached(reference.departments(runtime.config()))
