"""The local stack's OpenID provider for the console (local/sign_in.py): code + PKCE as RFC 7636 says."""
import base64
import hashlib
import json
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest

from local.sign_in import LocalSignIn

HOST = "127.0.0.1:8000"
VERIFIER = "v" * 20 + "-._~" + "w" * 30
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()


@pytest.fixture
def provider(tmp_path, issuer):
    issuer_dir = issuer.directory
    (issuer_dir / "tokens.json").write_text(json.dumps({"users": [
        {"user_id": "station-yks", "role": "station", "name": "马文斌", "node": "BZ.RQ.TGLK.YKS"}]}))
    return LocalSignIn(issuer_dir)


def authorize(provider, **overrides):
    query = {"response_type": "code", "client_id": "gridloop-local", "redirect_uri": f"http://{HOST}/console",
             "state": "s1", "code_challenge": CHALLENGE, "code_challenge_method": "S256", **overrides}
    return provider.handle("GET", "/local-issuer/authorize?" + urlencode(query), HOST, b"")


def exchange(provider, code, verifier=VERIFIER, redirect=f"http://{HOST}/console"):
    form = urlencode({"grant_type": "authorization_code", "code": code, "client_id": "gridloop-local",
                      "redirect_uri": redirect, "code_verifier": verifier}).encode()
    return provider.handle("POST", "/local-issuer/token", HOST, form)


def code_from(answer):
    assert answer.status == 302
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["state"] == ["s1"]
    return query["code"][0]


def test_the_verifier_of_the_challenge_gets_the_chosen_persons_id_token_once(provider, issuer):
    listing = authorize(provider)
    assert listing.status == 200 and "马文斌" in listing.body and "user=station-yks" in listing.body
    code = code_from(authorize(provider, user="station-yks"))
    answer = exchange(provider, code)
    assert answer.status == 200
    token = json.loads(answer.body)["id_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["sub"] == "station-yks" and claims["cognito:groups"] == ["station"] and claims["token_use"] == "id"
    from chalicelib import auth
    assert auth.verify(f"Bearer {token}").node == "BZ.RQ.TGLK.YKS"
    assert json.loads(exchange(provider, code).body)["error"] == "invalid_grant"      # a code works once


def test_a_code_without_its_verifier_or_for_another_redirect_is_refused_and_spent(provider):
    code = code_from(authorize(provider, user="station-yks"))
    assert json.loads(exchange(provider, code, verifier="x" * 43).body)["error"] == "invalid_grant"
    assert json.loads(exchange(provider, code).body)["error"] == "invalid_grant"       # spent by the wrong try
    code = code_from(authorize(provider, user="station-yks"))
    assert json.loads(exchange(provider, code, redirect=f"http://{HOST}/elsewhere").body)["error"] == "invalid_grant"


@pytest.mark.parametrize("overrides", [
    {"code_challenge_method": "plain"}, {"code_challenge": ""}, {"client_id": "someone-else"},
    {"redirect_uri": "http://evil.example/console"}, {"redirect_uri": f"http://{HOST}/console?next=x"},
    {"response_type": "token"}, {"state": ""},
], ids=["plain", "no-challenge", "client", "other-host", "query", "implicit", "no-state"])
def test_an_authorization_request_that_is_not_code_with_pkce_back_to_this_server_is_refused(provider, overrides):
    answer = authorize(provider, user="station-yks", **overrides)
    assert answer.status == 400 and "Location" not in answer.headers


def test_an_unknown_person_gets_no_code(provider):
    assert authorize(provider, user="nobody").status == 400


def refresh(provider, token):
    form = urlencode({"grant_type": "refresh_token", "refresh_token": token, "client_id": "gridloop-local"}).encode()
    return provider.handle("POST", "/local-issuer/token", HOST, form)


def test_a_refresh_token_gives_a_new_id_token_and_is_replaced_by_a_new_one_once(provider):
    first = json.loads(exchange(provider, code_from(authorize(provider, user="station-yks"))).body)["refresh_token"]
    answer = refresh(provider, first)
    assert answer.status == 200
    renewed = json.loads(answer.body)
    assert jwt.decode(renewed["id_token"], options={"verify_signature": False})["sub"] == "station-yks"
    assert renewed["refresh_token"] != first
    spent = refresh(provider, first)                       # rotated: the old one is refused
    assert spent.status == 400 and json.loads(spent.body)["error"] == "invalid_grant"
    assert refresh(provider, renewed["refresh_token"]).status == 200
    assert refresh(provider, "made-up").status == 400
