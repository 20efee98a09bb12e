"""Every route × every role, inside and outside its jurisdiction, against a policy written here by hand.

The routes are read from the app: a new route without an entry below fails. "ok" is a 2xx, "deny" a 403 or
404 (404 where existence must not leak), a number an exact status. The case under test is an irrigation demand
in Yakinson grid 1, held by the Ruoqiang county center, lead rq-agri, co-handler rq-water.
"""
import pytest

from tests.e2e.helpers import ACCEPT, SCORES, drive, new_case, ok

USERS = ["gm-yks-01", "gm-yks-02", "station-yks", "station-ys", "dispatcher-tglk", "dispatcher-rq", "dispatcher-hj",
         "dispatcher-bz", "dept-rq-agri", "dept-rq-water", "dept-hj-agri", "leader-rq", "evaluator-yks", "clerk-yks",
         "admin-bz"]
EVERYONE = set(USERS)
SEE_CASE = {"gm-yks-01", "station-yks", "dispatcher-tglk", "dispatcher-rq", "dispatcher-bz", "dept-rq-agri",
            "dept-rq-water", "leader-rq", "admin-bz"}
CASE_LISTERS = EVERYONE - {"evaluator-yks", "clerk-yks"}
CENTERS = {"station-yks", "station-ys", "dispatcher-tglk", "dispatcher-rq", "dispatcher-hj", "dispatcher-bz"}
DEPARTMENTS = {"dept-rq-agri", "dept-rq-water", "dept-hj-agri"}


def allow(users, otherwise="deny", **exact):
    return {u: exact.get(u.replace("-", "_"), "ok" if u in users else otherwise) for u in USERS}


# (path, method) -> {user: expectation}
POLICY = {
    ("/openapi.json", "GET"): allow(EVERYONE),
    ("/health", "GET"): allow(EVERYONE),
    ("/cases", "GET"): allow(CASE_LISTERS),
    ("/cases", "POST"): allow({"gm-yks-01", "station-yks", "dispatcher-tglk", "dispatcher-rq", "dispatcher-bz"}),
    ("/cases/mine", "GET"): allow(CASE_LISTERS),
    ("/queue", "GET"): allow(CENTERS),
    ("/inbox", "GET"): allow(DEPARTMENTS),
    ("/cases/{case_id}", "GET"): allow(SEE_CASE),
    ("/cases/{case_id}/timeline", "GET"): allow(SEE_CASE),
    ("/cases/{case_id}/contacts", "GET"): allow({"gm-yks-01", "dispatcher-rq", "dept-rq-agri", "dept-rq-water"}),
    ("/cases/{case_id}/photos", "POST"): allow({"gm-yks-01", "station-yks", "dispatcher-rq"}),
    ("/cases/{case_id}/photos/{photo_id}", "GET"): allow(SEE_CASE),
    ("/cases/{case_id}/evaluations/{index}/appeal", "POST"): allow({"dept-rq-agri"}, dept_rq_water=409),
    ("/cases/{case_id}/evaluations/{index}/appeal-decision", "POST"): allow({"dispatcher-rq"}),
    ("/households", "POST"): allow({"gm-yks-01", "station-yks", "evaluator-yks", "admin-bz"}),
    ("/households", "GET"): allow({"gm-yks-01", "station-yks", "dispatcher-tglk", "dispatcher-rq", "dispatcher-bz",
                                   "leader-rq", "evaluator-yks", "clerk-yks", "admin-bz"}),
    ("/households/{household_id}/ledger", "GET"): allow({"gm-yks-01", "station-yks", "leader-rq", "evaluator-yks",
                                                         "clerk-yks", "admin-bz"}),
    ("/households/{household_id}/points", "POST"): allow({"evaluator-yks"}),
    ("/households/{household_id}/ledger/{seq}/reversal", "POST"): allow({"evaluator-yks"}),
    ("/supermarkets/{supermarket_id}/redemptions", "POST"): allow({"clerk-yks"}),
    ("/supermarkets/{supermarket_id}/stock", "POST"): allow({"clerk-yks", "admin-bz"}),
    ("/supermarkets/{supermarket_id}/stock", "GET"): allow({"clerk-yks", "admin-bz"}),
    ("/privileges/{privilege}/households", "GET"): allow({"station-yks", "leader-rq", "evaluator-yks", "admin-bz"}),
    ("/villages/{village}/points-ranking", "GET"): allow(EVERYONE),
    ("/visits", "POST"): allow({"gm-yks-01"}, gm_yks_02=400),
    ("/visits", "GET"): allow({"gm-yks-01", "station-yks", "dispatcher-tglk", "dispatcher-rq", "dispatcher-bz",
                               "leader-rq", "evaluator-yks", "admin-bz"}),
    ("/statistics", "GET"): allow({"station-yks", "dispatcher-tglk", "dispatcher-rq", "dispatcher-bz", "leader-rq",
                                   "admin-bz"}),
    ("/rankings", "GET"): allow({"dispatcher-rq", "dispatcher-bz", "leader-rq", "admin-bz"}),
    ("/scorecards/{department}", "GET"): allow({"dept-rq-agri", "dispatcher-rq", "dispatcher-bz", "leader-rq",
                                                "admin-bz"}),
    ("/admin/open311-keys", "POST"): allow({"admin-bz"}),
    ("/admin/open311-keys/{key_id}/revoke", "POST"): allow({"admin-bz"}),
    ("/admin/open311-keys", "GET"): allow({"admin-bz"}),
    ("/admin/access-log", "GET"): allow({"admin-bz"}),
    ("/admin/configuration", "GET"): allow({"admin-bz"}),
    # the local stack has no user pool: the administrator is told where users are managed (409), others 403
    ("/admin/users", "GET"): allow(set(), admin_bz=409),
    ("/admin/users", "POST"): allow(set(), admin_bz=409),
    ("/admin/users/{username}/assignment", "POST"): allow(set(), admin_bz=409),
    ("/admin/users/{username}/disable", "POST"): allow(set(), admin_bz=409),
    ("/open311/v2/{document}", "GET"): allow(EVERYONE),
    ("/open311/v2/{document}", "POST"): allow(set()),            # a bearer token is no API key
    ("/open311/v2/services/{code_fmt}", "GET"): allow(EVERYONE),
    ("/open311/v2/requests/{id_fmt}", "GET"): allow(EVERYONE),
    ("/open311/v2/tokens/{token_fmt}", "GET"): allow(EVERYONE),
    ("/", "GET"): allow(set(), otherwise=302),                  # to the console
    ("/console", "GET"): allow(EVERYONE),
    ("/console/phone", "GET"): allow(EVERYONE),                 # the grid member's page: it signs in itself
    ("/console/{asset}", "GET"): allow(EVERYONE),
    ("/me", "GET"): allow(EVERYONE),
    ("/jurisdiction", "GET"): allow(EVERYONE),
    ("/categories", "GET"): allow(EVERYONE),
    ("/departments", "GET"): allow(EVERYONE),
    ("/points-catalogue", "GET"): allow(EVERYONE),
}
# action -> (the status the case is put in, who may do it, exact answers)
ACTIONS = {
    "accept": ("reported", {"station-yks"}, {}),
    "reject": ("reported", {"station-yks"}, {}),
    "merge": ("reported", {"station-yks"}, {}),
    "resolve-on-spot": ("accepted", {"dispatcher-rq"}, {}),
    "escalate": ("accepted", {"dispatcher-rq"}, {}),
    "dispatch": ("accepted", {"dispatcher-rq"}, {}),
    "redispatch": ("dispatched", {"dispatcher-rq"}, {}),
    "acknowledge": ("dispatched", {"dept-rq-agri", "dept-rq-water"}, {}),
    "return": ("dispatched", {"dept-rq-agri"}, {}),
    "request-extension": ("in_progress", {"dept-rq-agri"}, {}),
    "decide-extension": ("extension", {"dispatcher-rq"}, {}),
    "resolve": ("in_progress", {"dept-rq-agri"}, {}),
    "evaluate": ("resolved", {"gm-yks-01"}, {}),
    "close": ("resolved", {"dispatcher-rq"}, {}),
    "supervise": ("dispatched", {"dispatcher-bz"}, {}),
}
ACTION_BODY = {"accept": ACCEPT, "reject": {"reason": "no"}, "merge": None, "resolve-on-spot": {"note": "done"},
               "escalate": {"reason": "up"}, "dispatch": {"lead": "rq-agri"}, "redispatch": {"lead": "rq-agri"},
               "acknowledge": {}, "return": {"reason": "not ours"},
               "request-extension": {"requested_due": "2031-01-01T00:00:00Z", "reason": "canal"},
               "decide-extension": {"approve": True}, "resolve": {"note": "done"},
               "evaluate": {"scores": SCORES, "verdict": "good"}, "close": {}, "supervise": {"note": "report progress"}}


def classify(code: int) -> str:
    return "ok" if 200 <= code < 300 else "deny" if code in (403, 404) else code


def case_in(api, status):
    case = new_case(api)
    if status == "extension":
        drive(api, case["id"], "in_progress")
        ok(api.call("dept-rq-agri", "POST", f"/cases/{case['id']}/request-extension",
                    ACTION_BODY["request-extension"]))
    elif status != "reported":
        drive(api, case["id"], status)
    return case["id"]


def test_every_route_of_the_app_has_a_policy_entry():
    from app import app
    served = {(path, method) for path, methods in app.routes.items() for method in methods}
    actions = {(f"/cases/{{case_id}}/{a}", "POST") for a in ACTIONS}
    assert served == set(POLICY) | actions


@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_action_allows_exactly_the_policy(api, action, monkeypatch):
    from datetime import datetime, timedelta, timezone
    from chalicelib import runtime
    status, allowed, exact = ACTIONS[action]
    expected = allow(allowed, **exact)
    seen = {}
    for user in USERS:
        case_id = case_in(api, status)
        body = ACTION_BODY[action] if ACTION_BODY[action] is not None else {"target_case_id": new_case(api)["id"]}
        if action == "close":   # closing unevaluated waits for the evaluation deadline: be there
            monkeypatch.setattr(runtime, "clock", lambda: datetime.now(timezone.utc) + timedelta(days=30))
        seen[user] = classify(api.call(user, "POST", f"/cases/{case_id}/{action}", body)[0])
        monkeypatch.undo()
    assert seen == expected


@pytest.fixture
def world(api):
    """One dispatched case, a household with points, stock, an API key, a bad review under appeal."""
    case_id = case_in(api, "dispatched")
    home = ok(api.call("gm-yks-01", "POST", "/households", {"grid": "BZ.RQ.TGLK.YKS.G01", "head": "王小明",
                                                           "members": 3}), 201)["id"]
    ok(api.call("evaluator-yks", "POST", f"/households/{home}/points", {"rule": "helped_mediate", "reason": "r"}), 201)
    ok(api.call("clerk-yks", "POST", "/supermarkets/yks-market/stock", {"sku": "soap", "add": 50}))
    reviewed = case_in(api, "resolved")
    ok(api.call("gm-yks-01", "POST", f"/cases/{reviewed}/evaluate", {"scores": SCORES, "verdict": "bad"}))
    key = ok(api.call("admin-bz", "POST", "/admin/open311-keys", {"name": "matrix"}), 201)
    from tests.e2e.test_async_backbone import jpeg_bytes, upload
    photo = upload(api, case_id, jpeg_bytes())
    return {"case": case_id, "home": home, "reviewed": reviewed, "key": key["key_id"], "photo": photo}


def console_entry() -> str:
    from chalicelib import console
    return console.manifest()["entry"]


def requests_for(api, w, path, method, user):
    """The request a user would send on that route (valid, so only authorisation decides)."""
    case, home = w["case"], w["home"]
    fill = {"{case_id}": case, "{household_id}": home, "{supermarket_id}": "yks-market", "{village}": "BZ.RQ.TGLK.YKS",
            "{privilege}": "star_household_priority", "{department}": "rq-agri", "{photo_id}": w["photo"],
            "{seq}": "1", "{index}": "0", "{key_id}": w["key"], "{document}": "services.json",
            "{code_fmt}": "irrigation.json", "{id_fmt}": f"{case}.json", "{token_fmt}": f"{case}.json",
            "{asset}": console_entry(), "{username}": "new.person"}
    url = path
    for k, v in fill.items():
        url = url.replace(k, v)
    if "/evaluations/" in path:
        url = url.replace(case, w["reviewed"])
        if path.endswith("appeal-decision"):
            api.call("dept-rq-agri", "POST", f"/cases/{w['reviewed']}/evaluations/0/appeal", {"reason": "flood"})
    query = {"/households": "?grid=BZ.RQ.TGLK.YKS.G01", "/visits": "?grid=BZ.RQ.TGLK.YKS.G01",
             "/statistics": "?node=BZ.RQ.TGLK.YKS&period=2026", "/rankings": "?node=BZ.RQ&level=county",
             "/privileges/{privilege}/households": "?village=BZ.RQ.TGLK.YKS&period=2026",
             "/cases/{case_id}/contacts": "?purpose=return%20visit", "/admin/users": "?role=station"}
    if path.startswith("/console"):                  # a page and a script, not JSON: the status decides
        headers = {"Authorization": f"Bearer {api.token(user)}"} if user else {}
        return api.client.http.get(url, headers=headers).status_code, None
    if method == "GET":
        return api.call(user, "GET", url + query.get(path, ""))
    bodies = {
        "/cases": {"kind": "demand", "category": "road_repair", "title": "t", "description": "d",
                   "grid": "BZ.RQ.TGLK.YKS.G01", "location": {"lat": 40.605, "lon": 87.685},
                   "channel": "grid_visit" if user.startswith("gm-") else "walk_in"},
        "/cases/{case_id}/photos": {"phase": "before", "content_type": "image/jpeg", "size": 1000},
        "/cases/{case_id}/evaluations/{index}/appeal": {"reason": "flood"},
        "/cases/{case_id}/evaluations/{index}/appeal-decision": {"decision": "uphold"},
        "/households": {"grid": "BZ.RQ.TGLK.YKS.G01", "head": "李", "members": 2},
        "/households/{household_id}/points": {"rule": "volunteer_work", "reason": "r"},
        "/households/{household_id}/ledger/{seq}/reversal": {"reason": "mistake"},
        "/supermarkets/{supermarket_id}/redemptions": {"household_id": home, "sku": "soap"},
        "/supermarkets/{supermarket_id}/stock": {"sku": "soap", "add": 1},
        "/visits": {"household_id": home, "visited_at": "2026-06-01T03:00:00Z"},
        "/admin/open311-keys": {"name": "k"},
        "/admin/open311-keys/{key_id}/revoke": {},
        "/admin/users": {"username": "new.person", "name": "N", "role": "station", "place": "BZ.RQ.TGLK.YKS"},
        "/admin/users/{username}/assignment": {"role": "station", "place": "BZ.RQ.TGLK.YKS"},
        "/admin/users/{username}/disable": {},
    }
    if path == "/open311/v2/{document}":
        response = api.client.http.post(url.replace("services", "requests"),
                                        headers={"Content-Type": "application/x-www-form-urlencoded",
                                                 "Authorization": f"Bearer {api.token(user)}"},
                                        body="service_code=road_repair&lat=40.6&long=87.7&description=x")
        return response.status_code, None
    return api.call(user, "POST", url, bodies[path])


@pytest.mark.parametrize("route", sorted(POLICY), ids=lambda r: f"{r[1]} {r[0]}")
def test_each_route_allows_exactly_the_policy(api, world, route):
    path, method = route
    seen = {user: classify(requests_for(api, world, path, method, user)[0]) for user in USERS}
    assert seen == POLICY[route]
