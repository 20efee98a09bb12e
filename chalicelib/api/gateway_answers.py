"""What the API answers before (or instead of) the app: API Gateway's own responses, in the API's one error shape.

One table for the CDK stack (Gateway Responses on the REST API) and the local server (local/api_server.py), which
answers the same where it can. REST APIs have no 405: a method the route does not define is, to API Gateway, a
resource it does not have (MISSING_AUTHENTICATION_TOKEN), so both answer 404 `not_found`. The bodies are static:
the default body of MISSING_AUTHENTICATION_TOKEN echoes a malformed Authorization header (a bearer token) back.
"""
from __future__ import annotations

import json
from typing import NamedTuple

MAX_REQUEST_BYTES = 10 * 1024 * 1024     # API Gateway's payload quota for REST APIs (10 MB)
# API Gateway gzips an answer at least this long when the client accepts gzip (the REST API's
# MinimumCompressionSize, infra/console.py); the local server does the same (local/console_server.py)
MINIMUM_COMPRESSION_BYTES = 1024


class GatewayAnswer(NamedTuple):
    """How one of API Gateway's own errors is answered, in the app's error shape."""
    status: int | None        # None: keep the status API Gateway chose (the DEFAULT_* catch-alls)
    code: str
    message: str
    retry_after_seconds: int | None = None

    def body(self) -> str:
        return json.dumps({"error": {"code": self.code, "message": self.message}}, ensure_ascii=False)


NOT_FOUND = GatewayAnswer(404, "not_found", "no such route, or the route does not take this method")
TOO_LARGE = GatewayAnswer(413, "payload_too_large", f"the request is larger than {MAX_REQUEST_BYTES} bytes")
THROTTLED = GatewayAnswer(429, "throttled", "too many requests: slow down and retry later", retry_after_seconds=1)

# API Gateway response type -> the answer (https://docs.aws.amazon.com/apigateway/latest/developerguide/
# supported-gateway-response-types.html)
GATEWAY_RESPONSES: dict[str, GatewayAnswer] = {
    "MISSING_AUTHENTICATION_TOKEN": NOT_FOUND,   # unknown route, or a method the route does not define
    "RESOURCE_NOT_FOUND": NOT_FOUND,
    "REQUEST_TOO_LARGE": TOO_LARGE,
    "UNSUPPORTED_MEDIA_TYPE": GatewayAnswer(415, "unsupported_media_type",
                                            "the request's Content-Type is not one this route accepts"),
    "THROTTLED": THROTTLED,
    "QUOTA_EXCEEDED": THROTTLED,
    "WAF_FILTERED": GatewayAnswer(403, "forbidden", "the request was refused by the web firewall"),
    "INTEGRATION_FAILURE": GatewayAnswer(502, "bad_gateway",
                                         "the API could not reach its function; retry in a moment"),
    "INTEGRATION_TIMEOUT": GatewayAnswer(504, "gateway_timeout",
                                         "the API did not answer in time; retry (with the same Idempotency-Key)"),
    "DEFAULT_4XX": GatewayAnswer(None, "request_refused", "the API gateway refused the request"),
    "DEFAULT_5XX": GatewayAnswer(None, "bad_gateway",
                                 "the API gateway could not get an answer; retry (with the same Idempotency-Key)"),
}

# Chalice's own error bodies ({"Code": ..., "Message": ...}), answered by the app inside the function, in the
# API's shape: Chalice error code -> (status, code). MethodNotAllowedError never reaches a client: the app
# answers an undefined method like API Gateway does, 404 (app.py).
CHALICE_ERRORS = {
    "UnsupportedMediaType": (415, "unsupported_media_type"),
    "BadRequest": (400, "bad_request"),
    "BadRequestError": (400, "bad_request"),
    "MethodNotAllowedError": (404, "not_found"),
    "InternalServerError": (500, "internal_error"),
}


def answer_like_the_gateway(event, get_response, routes: dict):
    """The app's outermost middleware: what API Gateway would answer for a method the route does not define
    (404, before any token check), and Chalice's own error bodies ({"Code", "Message"}) in the API's shape."""
    from chalicelib.api.http import error_response
    methods = routes.get(event.path, {})
    if event.method not in methods:
        return error_response(NOT_FOUND.status, NOT_FOUND.code, NOT_FOUND.message)
    response = get_response(event)
    body = response.body
    if response.status_code >= 400 and isinstance(body, dict) and set(body) == {"Code", "Message"}:
        status, code = CHALICE_ERRORS.get(body["Code"], (response.status_code, "request_refused"))
        message = body["Message"]
        if code == "unsupported_media_type":   # Chalice's message repeats the caller's header; name what is taken
            message = f"this route takes {', '.join(methods[event.method].content_types)}"
        return error_response(status, code, message)
    return response
