"""Authentication in the one middleware, and role AND jurisdiction on every route."""
import re
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.e2e.helpers import REPORT, drive, new_case, ok


def call_with(api, token, path="/cases/mine"):
    response = api.client.http.get(path, headers={"Authorization": token} if token is not None else {})
    import json
    return response.status_code, json.loads(response.body)


@pytest.fixture
def forged(users):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    from local.issuer import AUDIENCE, ISSUER, KEY_ID
    now = int(time.time())
    claims = {"sub": "gm-yks-01", "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 600,
              "cognito:groups": ["admin"], "custom:node": "BZ"}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KEY_ID})


def test_missing_malformed_forged_and_expired_tokens_answer_401_in_the_error_shape(api, issuer, users, forged):
    gm = users["gm-yks-01"]
    cases = {
        "missing": None,
        "not bearer": "Basic Zm9vOmJhcg==",
        "malformed": "Bearer not.a.jwt",
        "forged signature": f"Bearer {forged}",
        "expired": f"Bearer {issuer.token(gm, ttl_seconds=-3600)}",
        "wrong audience": f"Bearer {issuer.token(gm, aud='someone-else')}",
        "wrong issuer": f"Bearer {issuer.token(gm, iss='https://evil.example')}",
        "unsigned": "Bearer " + jwt.encode({"sub": "x"}, key=None, algorithm="none"),
        "no role": f"Bearer {issuer.token(gm, **{'cognito:groups': []})}",
        "access token": f"Bearer {issuer.token(gm, token_use='access')}",
    }
    for name, header in cases.items():
        code, body = call_with(api, header)
        assert code == 401, name
        assert body["error"]["code"] == "unauthenticated" and body["error"]["message"], name


def test_every_non_public_route_requires_a_token(api):
    from chalicelib.api.http import ROUTES
    for r in ROUTES:
        path = r.path.replace("{case_id}", "01ANY").replace("{village}", "BZ.RQ.TGLK.YKS")
        path = re.sub(r"{\w+}", "x.json", path)
        form = bool(r.form)
        response = api.client.http.request(r.method, path, headers={
            "Content-Type": "application/x-www-form-urlencoded" if form else "application/json"},
            body=("" if form else "{}") if r.method == "POST" else None)
        if r.public:
            assert response.status_code != 401, (r.method, r.path)
        else:
            assert response.status_code == 401, (r.method, r.path)


def test_the_public_routes_are_only_the_documented_few(api):
    from chalicelib.api.http import public_paths
    assert public_paths() == {("/openapi.json", "GET"), ("/health", "GET"),
                              ("/villages/{village}/points-ranking", "GET"),   # masked names only
                              ("/open311/v2/{document}", "GET"), ("/open311/v2/{document}", "POST"),  # api_key
                              ("/open311/v2/services/{code_fmt}", "GET"), ("/open311/v2/requests/{id_fmt}", "GET"),
                              ("/open311/v2/tokens/{token_fmt}", "GET"),
                              # the web console's page and hashed files: it signs in itself
                              ("/", "GET"), ("/console", "GET"), ("/console/phone", "GET"),
                              ("/console/{asset}", "GET")}


OUTSIDERS = {  # user -> expected answer on a Yakinson case; hand-written
    "gm-yks-02": 404,         # another grid of the same village
    "station-ys": 404,        # another village's station
    "dispatcher-hj": 404,     # another county
    "dept-hj-agri": 404,      # another county's bureau, never assigned
    "dept-rq-police": 404,    # same county, not assigned
    "leader-rq": 200,         # a leader reads their subtree
    "clerk-yks": 404,         # a supermarket clerk has no business with cases
}


@pytest.mark.parametrize("user,expected", OUTSIDERS.items())
def test_each_role_is_refused_outside_its_scope(api, user, expected):
    case = drive(api, new_case(api)["id"], "dispatched")
    code, _ = api.call(user, "GET", f"/cases/{case['id']}")
    assert code == expected
    if expected == 404:
        code, _ = api.call(user, "GET", f"/cases/{case['id']}/timeline")
        assert code == 404


def test_acting_without_the_role_is_403_for_those_who_may_see_the_case(api):
    case = drive(api, new_case(api)["id"], "dispatched")
    code, body = api.call("leader-rq", "POST", f"/cases/{case['id']}/redispatch", {"lead": "rq-water"})
    assert code == 403 and body["error"]["code"] == "forbidden"
    code, _ = api.call("dept-rq-water", "POST", f"/cases/{case['id']}/resolve", {"note": "done"})
    assert code == 409  # a co-handler may not resolve: only the lead
    code, _ = api.call("dispatcher-tglk", "POST", f"/cases/{case['id']}/redispatch", {"lead": "rq-water"})
    assert code == 403  # the township center can see it but the county center holds it


def test_a_grid_member_cannot_report_into_another_grid(api):
    code, body = api.call("gm-yks-01", "POST", "/cases", {**REPORT, "grid": "BZ.RQ.TGLK.YKS.G02"})
    assert code == 403
    assert ok(api.call("gm-yks-02", "GET", "/cases"))["items"] == []


def test_list_filters_outside_the_callers_scope_are_refused(api):
    assert api.call("dispatcher-rq", "GET", "/cases?node=BZ.HJ")[0] == 403
    assert api.call("station-yks", "GET", "/cases?grid=BZ.RQ.TGLK.YS.G01")[0] == 403
    assert api.call("dept-rq-agri", "GET", "/cases?department=rq-water")[0] == 403
    assert api.call("gm-yks-01", "GET", "/cases?grid=BZ.RQ.TGLK.YKS.G02")[0] == 403
    assert api.call("gm-yks-01", "GET", "/queue")[0] == 403
    assert api.call("station-yks", "GET", "/inbox")[0] == 403


def test_sensitive_cases_are_invisible_outside_their_handling_chain(api):
    dispute = {**REPORT, "kind": "dispute", "category": "land_boundary", "title": "boundary quarrel"}
    case = new_case(api, dispute)
    assert case["sensitive"] is True
    ok(api.call("station-yks", "POST", f"/cases/{case['id']}/accept", {
        "kind": "dispute", "category": "land_boundary", "urgency": "normal", "public_summary": "a land dispute"}))
    held_by = ok(api.call("station-yks", "GET", f"/cases/{case['id']}"))["center"]
    chain = {"gm-yks-01", "station-yks"}
    outside = {"leader-rq", "leader-bz", "gm-yks-02", "station-ys", "admin-bz"}
    for user in chain:
        assert api.call(user, "GET", f"/cases/{case['id']}")[0] == 200, user
    for user in outside:
        assert api.call(user, "GET", f"/cases/{case['id']}")[0] == 404, user
        listed = ok(api.call(user, "GET", "/cases")) if user != "gm-yks-02" else {"items": []}
        assert case["id"] not in [c["id"] for c in listed["items"]], user
    assert held_by in ("BZ.RQ.TGLK", "BZ.RQ")


def test_lists_are_views_of_the_callers_own_work(api):
    mine = new_case(api)
    drive(api, mine["id"], "dispatched")
    assert [c["id"] for c in ok(api.call("gm-yks-01", "GET", "/cases/mine"))["items"]] == [mine["id"]]
    assert [c["id"] for c in ok(api.call("dept-rq-agri", "GET", "/inbox"))["items"]] == [mine["id"]]
    assert ok(api.call("dept-hj-agri", "GET", "/inbox"))["items"] == []
    queued = new_case(api)
    assert [c["id"] for c in ok(api.call("station-yks", "GET", "/queue"))["items"]] == [queued["id"]]
    assert ok(api.call("station-ys", "GET", "/queue"))["items"] == []
    assert {c["id"] for c in ok(api.call("dispatcher-rq", "GET", "/cases?status=dispatched"))["items"]} == {
        mine["id"]}
    assert ok(api.call("dispatcher-hj", "GET", "/cases"))["items"] == []
    assert {c["id"] for c in ok(api.call("dispatcher-bz", "GET", "/cases"))["items"]} == {mine["id"], queued["id"]}
