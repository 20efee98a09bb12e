"""HTTP plumbing shared by every route: one error shape, body parsing, the caller, route registration.

`route()` registers a Chalice route AND its OpenAPI description, so the two cannot drift apart;
the auth middleware reads the public routes from the same registry.
"""
from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime

from chalice import Response
from pydantic import BaseModel, ValidationError

from chalicelib.domain.errors import (AppealRefused, DomainError, Forbidden, Invalid, InvalidTransition, NotFound,
                                      PointsRefused, UserExists, UsersManagedElsewhere, VersionConflict)
from chalicelib.domain.roles import Principal
from chalicelib.domain.times import iso

log = logging.getLogger("gridloop.api")

MAX_BODY_BYTES = 64 * 1024   # a case or an evaluation is a few KB; photos go to S3 directly
STATUS = {InvalidTransition: 409, VersionConflict: 409, AppealRefused: 409, PointsRefused: 409, UsersManagedElsewhere: 409,
          UserExists: 409, NotFound: 404, Forbidden: 403, Invalid: 400}


@dataclass
class RouteDoc:
    """What the OpenAPI document says about one route-method."""
    path: str
    method: str
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: dict = field(default_factory=dict)      # name -> description
    headers: dict = field(default_factory=dict)    # name -> description
    public: bool = False
    success: int = 200
    form: dict = field(default_factory=dict)       # form field -> (description, required)
    responses: dict = field(default_factory=dict)  # media type -> schema (default: JSON object)


ROUTES: list[RouteDoc] = []


def public_paths() -> set[tuple[str, str]]:
    return {(r.path, r.method) for r in ROUTES if r.public}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra):
        self.status, self.code, self.message, self.extra = status, code, message, extra


def error_response(http_status: int, code: str, message: str, **extra) -> Response:
    return Response(body={"error": {"code": code, "message": message, **extra}}, status_code=http_status,
                    headers={"Content-Type": "application/json"})


def route(bp, path: str, method: str, summary: str, tag: str, body: type[BaseModel] | None = None,
          query: dict | None = None, headers: dict | None = None, public: bool = False, success: int = 200,
          form: dict | None = None, responses: dict | None = None):
    ROUTES.append(RouteDoc(path, method, summary, tag, body, query or {}, headers or {}, public, success, form or {},
                           responses or {}))

    def decorate(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            try:
                result = view(*args, **kwargs)
            except ApiError as e:
                return error_response(e.status, e.code, e.message, **e.extra)
            except DomainError as e:
                http_status = next((s for cls, s in STATUS.items() if isinstance(e, cls)), 422)
                return error_response(http_status, e.code, e.message, **e.details)
            except Exception as e:
                if _transient(e):
                    log.warning("transient AWS failure on %s %s: %s", method, path, _aws_code(e))
                    response = error_response(503, "temporarily_unavailable",
                                              "the service is busy; nothing was written — retry in a moment "
                                              "(with the same Idempotency-Key)", retry_after_seconds=1)
                    response.headers["Retry-After"] = "1"
                    return response
                log.exception("unhandled error on %s %s", method, path)
                return error_response(500, "internal_error", "something went wrong; nothing was half-written")
            if isinstance(result, Response):
                return result
            return Response(body=result, status_code=success, headers={"Content-Type": "application/json"})
        content_types = ["application/x-www-form-urlencoded"] if form else ["application/json"]
        bp.route(path, methods=[method], cors=False, content_types=content_types)(guarded)
        return guarded
    return decorate


TRANSIENT_CODES = {"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
                   "InternalServerError", "ServiceUnavailable", "TransactionConflict", "TransactionInProgressException",
                   "TransactionCanceledException", "LimitExceededException", "InternalFailure"}


def _aws_code(error: BaseException) -> str | None:
    """The AWS error code anywhere in the exception chain (PynamoDB wraps botocore's ClientError)."""
    seen = error
    while seen is not None:
        code = getattr(seen, "cause_response_code", None) or (
            getattr(seen, "response", None) or {}).get("Error", {}).get("Code")
        if code:
            return code
        seen = seen.__cause__ or seen.__context__
    return None


def _transient(error: BaseException) -> bool:
    """Throttling, a cancelled transaction, an AWS internal error or a timeout: worth retrying, nothing written."""
    from botocore.exceptions import ConnectionError as BotoConnectionError, ReadTimeoutError
    seen = error
    while seen is not None:
        if isinstance(seen, (BotoConnectionError, ReadTimeoutError)):
            return True
        seen = seen.__cause__ or seen.__context__
    return _aws_code(error) in TRANSIENT_CODES


def parse_body(request, model: type[BaseModel]) -> BaseModel:
    """Validate the JSON body; a bad one answers 400 naming every offending field."""
    raw = request.raw_body
    if raw and len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, "payload_too_large", f"the body is {len(raw)} bytes; at most {MAX_BODY_BYTES} are accepted")
    try:
        data = json.loads(raw) if raw else {}
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "invalid_json", "the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "the body must be a JSON object")
    try:
        # JSON's own types, strictly: "40.6" is no number and true is no count
        return model.model_validate_json(raw) if raw else model.model_validate(data)
    except ValidationError as exc:
        fields = [_field_problem(err) for err in exc.errors()]
        names = ", ".join(f["field"] for f in fields)
        raise ApiError(400, "validation_error", f"the body has invalid fields: {names}", fields=fields) from None


# the limits a field problem names (pydantic's error context), for a client to word the message itself
FIELD_LIMITS = ("min_length", "max_length", "ge", "le", "gt", "lt")


def _field_problem(err: dict) -> dict:
    """A refused field: its path, pydantic's English message, and its machine code (pydantic's error type, e.g.
    string_too_short) with the limits it names, which the console words in the reader's language."""
    limits = {k: v for k, v in (err.get("ctx") or {}).items() if k in FIELD_LIMITS and isinstance(v, (int, float))}
    found = {"field": ".".join(str(p) for p in err["loc"]) or "(body)", "message": err["msg"], "code": err["type"]}
    return {**found, "limits": limits} if limits else found


def principal(request) -> Principal:
    return request.context["gridloop_principal"]


def header(request, name: str, max_length: int = 128) -> str | None:
    value = request.headers.get(name)
    if value is not None and (not value.strip() or len(value) > max_length):
        raise ApiError(400, "validation_error", f"the {name} header must be 1 to {max_length} characters",
                       fields=[{"field": name, "message": f"1 to {max_length} characters"}])
    return value.strip() if value else None


def query_param(request, name: str, choices=None, max_length: int = 100) -> str | None:
    value = (request.query_params or {}).get(name)
    if value is None:
        return None
    if not value or len(value) > max_length or (choices and value not in choices):
        allowed = f"one of {', '.join(choices)}" if choices else f"1 to {max_length} characters"
        raise ApiError(400, "validation_error", f"query parameter '{name}' must be {allowed}",
                       fields=[{"field": name, "message": allowed}])
    return value


def instant_param(request, name: str) -> str | None:
    """An ISO-8601 instant with its offset, as the stored times are written (UTC, seconds, Z)."""
    value = query_param(request, name, max_length=40)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ApiError(400, "validation_error", f"query parameter '{name}' must be an ISO 8601 instant with its "
                       "offset, e.g. 2026-12-01T08:00:00Z", fields=[{"field": name, "message": "an ISO 8601 instant"}])
    return iso(moment)


def int_param(request, name: str, default: int, low: int, high: int) -> int:
    value = (request.query_params or {}).get(name)
    if value is None:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise ApiError(400, "validation_error", f"query parameter '{name}' must be an integer {low}..{high}",
                       fields=[{"field": name, "message": f"an integer from {low} to {high}"}])
    return int(value)


def csv_language(request) -> str:
    """The language a CSV export is written in: ?lang=zh|en, else the deployment's."""
    from chalicelib import runtime
    from chalicelib.services.exports import LANGUAGES
    return query_param(request, "lang", choices=LANGUAGES) or runtime.config().language
