"""The routes the web console reads once per session, and its files, over HTTP through the app."""
import json

import pytest

from chalicelib import console


def get(api, user, path, headers=None):
    h = {"Authorization": f"Bearer {api.token(user)}"} if user else {}
    return api.client.http.get(path, headers={**h, **(headers or {})})


def test_me_names_the_role_the_place_in_every_language_and_what_the_caller_may_do(api):
    code, me = api.call("station-yks", "GET", "/me")
    assert code == 200
    assert me["role"] == "station" and me["name"] == "马文斌 (Ma Wenbin)"
    assert me["node"] == {"code": "BZ.RQ.TGLK.YKS", "level": "village", "names": {
        "zh": "亚克仁松村", "en": "Yakinson Village", "ug": "ياكىنسون كەنتى"}}
    assert me["grid"] is None and me["department"] is None
    assert me["timezone"] == "Asia/Shanghai" and me["language"] == "zh"
    assert set(me["abilities"]) == {"queue", "cases", "intake", "supervision", "statistics", "contacts"}
    _, department = api.call("dept-rq-agri", "GET", "/me")
    assert department["department"]["id"] == "rq-agri" and department["department"]["node"] == "BZ.RQ"
    assert department["department"]["names"]["en"] == "Ruoqiang County Agriculture and Rural Bureau"
    assert "inbox" in department["abilities"] and "queue" not in department["abilities"]


# ability -> the route that needs it (a GET the caller's own place answers)
ABILITY_ROUTES = {"queue": "/queue", "inbox": "/inbox", "statistics": "/statistics?period=2026",
                  "rankings": "/rankings?level=county"}


@pytest.mark.parametrize("user", ["gm-yks-01", "station-yks", "dispatcher-tglk", "dispatcher-rq", "dept-rq-agri",
                                  "leader-rq", "evaluator-yks", "clerk-yks", "admin-bz"])
def test_an_ability_me_lists_is_one_the_api_grants_and_one_it_omits_is_refused(api, user):
    _, me = api.call(user, "GET", "/me")
    for ability, path in ABILITY_ROUTES.items():
        code, body = api.call(user, "GET", path)
        if ability in me["abilities"]:
            assert code == 200, (ability, body)
        else:
            assert code in (400, 403), (ability, code, body)


def test_the_jurisdiction_has_every_node_with_its_names_and_every_grid_as_geojson(api, config):
    response = get(api, "dept-hj-agri", "/jurisdiction")
    assert response.status_code == 200
    tree = json.loads(response.body)
    assert tree["root"] == "BZ"
    assert {n["code"] for n in tree["nodes"]} == set(config.jurisdiction.nodes)
    hejing_town = next(n for n in tree["nodes"] if n["code"] == "BZ.HJ.HJZ")
    assert hejing_town == {"code": "BZ.HJ.HJZ", "level": "township", "parent": "BZ.HJ",
                           "names": {"zh": "和静镇", "en": "Hejing Town", "mn": "Khejing Balgas"}}
    grids = tree["grids"]
    assert grids["type"] == "FeatureCollection"
    assert {f["id"] for f in grids["features"]} == {n.code for n in config.jurisdiction.grids()}
    yks1 = next(f for f in grids["features"] if f["id"] == "BZ.RQ.TGLK.YKS.G01")
    assert yks1["geometry"] == {"type": "Polygon", "coordinates": [
        [[87.68, 40.6], [87.69, 40.6], [87.69, 40.61], [87.68, 40.61], [87.68, 40.6]]]}


@pytest.mark.parametrize("path", ["/jurisdiction", "/categories", "/departments", "/points-catalogue"])
def test_a_reference_document_revalidates_with_its_etag(api, path):
    first = get(api, "station-yks", path)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and first.headers["Cache-Control"] == "private, no-cache"
    again = get(api, "dispatcher-hj", path, {"If-None-Match": etag})
    assert again.status_code == 304 and not again.body and again.headers["ETag"] == etag
    assert get(api, "station-yks", path, {"If-None-Match": f'W/{etag}, "other"'}).status_code == 304
    changed = get(api, "station-yks", path, {"If-None-Match": '"an-older-copy"'})
    assert changed.status_code == 200 and json.loads(changed.body) == json.loads(first.body)
    assert get(api, None, path).status_code == 401


def test_categories_carry_sensitivity_and_the_deadlines_of_their_kind(api):
    _, body = api.call("dispatcher-rq", "GET", "/categories")
    by_code = {c["code"]: c for c in body["items"]}
    land = by_code["land_boundary"]       # hand-copied from chalicelib/counties/demo.yaml
    assert (land["kind"], land["sensitive"], land["public"], land["complex"]) == ("dispute", True, False, True)
    assert land["deadlines"]["resolve"] == {"emergency": {"amount": 24, "unit": "hours"},
                                            "urgent": {"amount": 3, "unit": "working_days"},
                                            "normal": {"amount": 15, "unit": "working_days"}}   # complex
    assert by_code["drinking_water"]["deadlines"]["resolve"]["normal"] == {"amount": 5, "unit": "working_days"}
    assert land["deadlines"]["triage"]["emergency"] == {"amount": 30, "unit": "minutes"}
    assert land["deadlines"]["evaluation"] == {"amount": 5, "unit": "working_days"}
    assert by_code["irrigation"]["names"]["ug"] == "ئېتىز سۇغىرىش"
    assert by_code["irrigation"]["routing"] == {"level": "county", "department_kind": "agriculture"}


def test_departments_are_listed_with_their_node_and_kind(api, config):
    _, body = api.call("dispatcher-rq", "GET", "/departments")
    assert {d["id"] for d in body["items"]} == set(config.jurisdiction.departments)
    agri = next(d for d in body["items"] if d["id"] == "rq-agri")
    assert (agri["node"], agri["kind"]) == ("BZ.RQ", "agriculture")


def test_the_console_page_and_its_files_are_public_typed_and_cached(api):
    root = get(api, None, "/")
    assert root.status_code == 302 and root.headers["Location"] == "console"
    page = get(api, None, "/console")
    assert page.status_code == 200 and page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.headers["Cache-Control"] == "no-cache"
    assert "require-trusted-types-for 'script'" in page.headers["Content-Security-Policy"]
    built = console.manifest()
    for name in built["files"]:
        asset = get(api, None, f"/console/{name}")
        assert asset.status_code == 200, name
        # the phone page's service worker keeps one address: revalidated, never cached for a year
        assert asset.headers["Cache-Control"] == ("no-cache" if name == "phone-sw.js"
                                                  else "public, max-age=31536000, immutable")
        assert asset.headers["Content-Type"] == {"js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
                                                 "svg": "image/svg+xml",
                                                 "webmanifest": "application/manifest+json; charset=utf-8",
                                                 }[name.rsplit(".", 1)[1]]
    phone = get(api, None, "/console/phone")
    assert phone.status_code == 200 and phone.headers["Content-Type"] == "text/html; charset=utf-8"
    assert phone.headers["Content-Security-Policy"] == page.headers["Content-Security-Policy"]
    assert f'<link rel="manifest" href="{built["phone"]["webmanifest"]}">' in phone.body.decode()
    for missing in ("manifest.json", "main.js", "..%2Fconsole.py", "x.json"):
        answer = get(api, None, f"/console/{missing}")
        assert answer.status_code == 404 and json.loads(answer.body)["error"]["code"] == "not_found"


def test_the_points_catalogue_has_each_villages_rules_the_supermarkets_items_and_the_privileges(api):
    _, body = api.call("evaluator-yks", "GET", "/points-catalogue")
    rules = {(r["scope"], r["code"]): r for r in body["rules"]}      # hand-copied from chalicelib/counties/demo.yaml
    assert set(rules) == {("BZ.RQ.TGLK.YKS", "clean_courtyard"), ("BZ.RQ.TGLK.YKS", "helped_mediate"),
                          ("BZ.RQ.TGLK.YKS", "volunteer_work"), ("BZ.RQ.TGLK.YKS", "illegal_dumping"),
                          ("BZ.HJ.BYBLK.ELB", "clean_courtyard"), ("BZ.HJ.BYBLK", "grassland_protection")}
    assert {k: rules[("BZ.RQ.TGLK.YKS", "clean_courtyard")][k] for k in ("points", "monthly_cap", "kind")} == \
        {"points": 5, "monthly_cap": 5, "kind": "monthly_score"}
    assert rules[("BZ.RQ.TGLK.YKS", "illegal_dumping")]["points"] == -5
    assert rules[("BZ.HJ.BYBLK", "grassland_protection")]["names"]["mn"] == "Belcheer khamgaalal"
    markets = {m["id"]: m for m in body["supermarkets"]}
    assert markets["yks-market"]["node"] == "BZ.RQ.TGLK.YKS"
    assert {i["sku"]: i["price"] for i in markets["yks-market"]["items"]} == {"rice-5kg": 30, "cooking-oil-5l": 40,
                                                                          "soap": 5}
    assert [(p["code"], p["threshold"]) for p in body["privileges"]] == [("star_household_priority", 30),
                                                                      ("discount_loan_referral", 60)]
    assert body["previous_month_days"] == 5

