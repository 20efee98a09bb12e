"""The local server answers what API Gateway answers itself, in the API's error shape: an unknown route or an
undefined method is 404 `not_found` (never 403 "Missing Authentication Token", never the bearer token echoed
back), a body over 10 MB is 413, a Content-Type the route does not take is 415. The stack's Gateway Responses
carry the same table (tests/integration/test_edge.py)."""
import http.client
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from local.moto_server import free_port

ROOT = Path(__file__).resolve().parents[2]
TOKEN_LOOKALIKE = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2Vu.c2lnbmF0dXJl"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The API server `make run` starts (local/api_server.py), alone: these answers touch no data."""
    port = free_port()
    log = open(tmp_path_factory.mktemp("api") / "api.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "local.api_server", "--port", str(port)], cwd=ROOT,
                               env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/health", timeout=1).read()
            break
        except OSError:
            if process.poll() is not None or time.time() > deadline:
                process.kill()
                pytest.fail(f"the local API server did not start: {Path(log.name).read_text()}")
            time.sleep(0.2)
    yield port
    process.terminate()
    process.wait(timeout=10)


def call(port, method, path, headers=None, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    raw = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), raw


@pytest.mark.parametrize("headers", [{}, {"Authorization": f"Bearer {TOKEN_LOOKALIKE}"},
                                     {"Authorization": "Basic dXNlcjpwYXNz"}])
def test_an_unknown_route_is_404_not_found_and_never_repeats_the_authorization_header(server, headers):
    status, response_headers, raw = call(server, "GET", "/no/such/route", headers)
    assert status == 404
    assert json.loads(raw) == {"error": {"code": "not_found",
                                         "message": "no such route, or the route does not take this method"}}
    assert response_headers["Content-Type"] == "application/json"
    assert b"dXNlcjpwYXNz" not in raw and TOKEN_LOOKALIKE.encode() not in raw


@pytest.mark.parametrize("method, path", [("PUT", "/cases"), ("DELETE", "/health"), ("PATCH", "/cases/abc"),
                                          ("POST", "/openapi.json"), ("OPTIONS", "/cases")])
def test_a_method_the_route_does_not_define_is_404_like_api_gateway_not_405(server, issuer, users, method, path):
    for headers in ({}, {"Authorization": f"Bearer {issuer.token(users['dispatcher-rq'])}"}):
        status, _, raw = call(server, method, path, headers)
        assert (status, json.loads(raw)["error"]["code"]) == (404, "not_found"), (method, path, headers)


def test_a_content_type_the_route_does_not_take_is_415_in_the_error_shape(server, issuer, users):
    headers = {"Authorization": f"Bearer {issuer.token(users['gm-yks-01'])}", "Content-Type": "text/plain"}
    status, _, raw = call(server, "POST", "/cases", headers, body=b"pothole")
    assert status == 415
    error = json.loads(raw)["error"]
    assert error["code"] == "unsupported_media_type" and "application/json" in error["message"]


def test_a_body_over_api_gateways_10_mb_is_413_before_it_is_read(server):
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    connection.putrequest("POST", "/open311/v2/requests.json")
    connection.putheader("Content-Type", "application/x-www-form-urlencoded")
    connection.putheader("Content-Length", str(10 * 1024 * 1024 + 1))
    connection.endheaders()
    connection.send(b"api_key=")          # the rest never comes: the answer must not wait for it
    response = connection.getresponse()
    assert response.status == 413
    assert json.loads(response.read())["error"]["code"] == "payload_too_large"
    connection.close()


def test_the_app_answers_415_and_undefined_methods_the_same_through_chalices_test_client(api):
    """What the function answers behind API Gateway (the Lambda sees these; unknown paths it never sees)."""
    code, body = api.call("gm-yks-01", "POST", "/cases", raw="pothole", headers={"Content-Type": "text/plain"})
    assert (code, body["error"]["code"]) == (415, "unsupported_media_type")
    code, body = api.call(None, "PUT", "/cases")
    assert (code, body["error"]["code"]) == (404, "not_found")
