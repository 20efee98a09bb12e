"""The administrator's reads over HTTP: the Open311 keys (never a secret), the access log of personal-data reads
(filters, pages across months, CSV), the configuration as loaded (no secret, counts by hand from the county file)."""
import csv
import io
from datetime import datetime, timezone
from pathlib import Path

from chalicelib import runtime
from tests.e2e.helpers import drive, new_case, ok

KEY_FIELDS = {"key_id", "name", "created_by", "created_at", "revoked"}


def all_pages(api, user, path):
    items, cursor, seen = [], None, 0
    while True:
        sep = "&" if "?" in path else "?"
        page = ok(api.call(user, "GET", path + (f"{sep}cursor={cursor}" if cursor else "")))
        items += page["items"]
        cursor, seen = page["cursor"], seen + 1
        if cursor is None or seen > 50:
            return items


def test_the_keys_list_names_each_key_and_whether_it_is_revoked_and_never_its_secret(api):
    first = ok(api.call("admin-bz", "POST", "/admin/open311-keys", {"name": "county app"}), 201)
    second = ok(api.call("admin-bz", "POST", "/admin/open311-keys", {"name": "hotline bridge"}), 201)
    ok(api.call("admin-bz", "POST", f"/admin/open311-keys/{first['key_id']}/revoke", {}))
    listed = {k["key_id"]: k for k in all_pages(api, "admin-bz", "/admin/open311-keys?limit=1")}
    assert listed[first["key_id"]]["revoked"] is True and listed[first["key_id"]]["name"] == "county app"
    assert listed[second["key_id"]]["revoked"] is False and listed[second["key_id"]]["created_by"] == "admin-bz"
    for key in listed.values():
        assert set(key) == KEY_FIELDS                         # no secret, no hash
    assert second["api_key"].split(".", 1)[1] not in str(listed)
    assert api.call("dispatcher-rq", "GET", "/admin/open311-keys")[0] == 403
    code, body = api.call("admin-bz", "POST", "/admin/open311-keys", {"name": ""})
    assert code == 400 and body["error"]["fields"] == [{   # a machine code and its limit, for the console to word
        "field": "name", "message": "String should have at least 1 character", "code": "string_too_short",
        "limits": {"min_length": 1}}]


def read_contacts(api, case_id, user, purpose):
    ok(api.call(user, "GET", f"/cases/{case_id}/contacts?purpose={purpose}"))


def test_the_access_log_lists_reads_newest_first_filtered_by_case_and_person(api):
    case = drive(api, new_case(api)["id"], "dispatched")["id"]
    read_contacts(api, case, "dispatcher-rq", "return%20visit")
    read_contacts(api, case, "dept-rq-agri", "call%20back")
    read_contacts(api, case, "gm-yks-01", "visit")
    of_case = ok(api.call("admin-bz", "GET", f"/admin/access-log?case_id={case}"))
    assert [(e["user_id"], e["purpose"], e["case_id"]) for e in of_case["items"]] == [
        ("gm-yks-01", "visit", case), ("dept-rq-agri", "call back", case), ("dispatcher-rq", "return visit", case)]
    assert of_case["cursor"] is None
    by_person = ok(api.call("admin-bz", "GET", f"/admin/access-log?case_id={case}&user_id=dept-rq-agri"))
    assert [e["purpose"] for e in by_person["items"]] == ["call back"]
    newest = ok(api.call("admin-bz", "GET", "/admin/access-log?limit=3"))   # the whole log: these are the latest
    assert [e["user_id"] for e in newest["items"]] == ["gm-yks-01", "dept-rq-agri", "dispatcher-rq"]
    paged = all_pages(api, "admin-bz", f"/admin/access-log?case_id={case}&limit=1")
    assert [e["user_id"] for e in paged] == ["gm-yks-01", "dept-rq-agri", "dispatcher-rq"]


def test_the_access_log_pages_back_across_months_within_the_window(api, monkeypatch):
    case = drive(api, new_case(api)["id"], "dispatched")["id"]
    for moment, purpose in ((datetime(2026, 9, 30, 15, 0, tzinfo=timezone.utc), "before"),   # 30 Sep in Shanghai
                            (datetime(2026, 9, 30, 17, 0, tzinfo=timezone.utc), "first"),    # 1 Oct in Shanghai
                            (datetime(2026, 10, 15, 3, 0, tzinfo=timezone.utc), "october"),
                            (datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc), "november"),
                            (datetime(2026, 11, 30, 16, 30, tzinfo=timezone.utc), "after")):  # 1 Dec in Shanghai
        monkeypatch.setattr(runtime, "clock", lambda moment=moment: moment)
        read_contacts(api, case, "dispatcher-rq", purpose)
    monkeypatch.undo()
    window = "/admin/access-log?from=2026-10-01&to=2026-11-30&user_id=dispatcher-rq&limit=1"
    assert [e["purpose"] for e in all_pages(api, "admin-bz", window)] == ["november", "october", "first"]
    october_first = ok(api.call("admin-bz", "GET", "/admin/access-log?from=2026-09-01&to=2026-10-31"
                                                   "&user_id=dispatcher-rq&limit=10"))
    assert [e["purpose"] for e in october_first["items"]] == ["october", "first", "before"]


def test_the_access_log_refuses_a_bad_window_and_anyone_but_the_administrator(api):
    code, body = api.call("admin-bz", "GET", "/admin/access-log?from=2026-11-02&to=2026-11-01")
    assert code == 400 and body["error"]["fields"][0]["field"] == "from"
    code, body = api.call("admin-bz", "GET", "/admin/access-log?from=2025-01-01&to=2026-11-01")
    assert code == 400 and "366" in body["error"]["message"]
    code, body = api.call("admin-bz", "GET", "/admin/access-log?to=1%20Nov")
    assert code == 400 and body["error"]["fields"][0]["field"] == "to"
    for user in ("dispatcher-rq", "leader-rq", "station-yks", "dept-rq-agri"):
        assert api.call(user, "GET", "/admin/access-log")[0] == 403, user


def test_the_access_log_exports_as_csv_with_a_header_row_and_the_next_cursor(api):
    case = drive(api, new_case(api)["id"], "dispatched")["id"]
    read_contacts(api, case, "dispatcher-rq", "%3DHYPERLINK(1)")      # a formula is written as text
    read_contacts(api, case, "dept-rq-agri", "return%20visit")
    response = api.client.http.get(f"/admin/access-log?case_id={case}&format=csv&lang=en&limit=1",
                                   headers={"Authorization": f"Bearer {api.token('admin-bz')}"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.body.decode("utf-8-sig"))))
    assert rows[0] == ["time (UTC)", "user", "role", "case id", "purpose", "entry id"]
    assert [r[1:5] for r in rows[1:]] == [["dept-rq-agri", "department", case, "return visit"]]
    following = api.client.http.get(f"/admin/access-log?case_id={case}&format=csv&lang=en&limit=1"
                                    f"&cursor={response.headers['X-Next-Cursor']}",
                                    headers={"Authorization": f"Bearer {api.token('admin-bz')}"})
    rows = list(csv.reader(io.StringIO(following.body.decode("utf-8-sig"))))
    assert [r[1:5] for r in rows[1:]] == [["dispatcher-rq", "dispatcher", case, "'=HYPERLINK(1)"]]


def test_the_configuration_view_shows_the_deployment_without_secrets_and_counts_the_rest(api):
    config = ok(api.call("admin-bz", "GET", "/admin/configuration"))
    text = (Path(__file__).parents[2] / "chalicelib/counties/demo.yaml").read_text(encoding="utf-8")
    assert config["name"] == "demo" and config["issuer"] == "cognito"
    assert config["deployment"]["region"] == "ap-southeast-1"
    assert config["deployment"]["auth"]["cognito"]["domain_prefix"] == "gridloop-bayingolin-demo"
    assert config["calendar"]["timezone"] == "Asia/Shanghai"
    assert config["counts"]["grids"] == text.count("level: grid")
    assert "root" not in config and "categories" not in config
    assert "secret" not in str(config).lower() and "password" not in str(config).lower()
    for user in ("dispatcher-rq", "leader-rq", "clerk-yks"):
        assert api.call(user, "GET", "/admin/configuration")[0] == 403, user


def test_the_local_stack_has_no_user_pool_and_says_where_its_people_come_from(api):
    for method, path, body in (("GET", "/admin/users?role=station", None),
                               ("POST", "/admin/users", {"username": "new.person", "name": "N", "role": "station",
                                                         "place": "BZ.RQ.TGLK.YKS"}),
                               ("POST", "/admin/users/gm-yks-01/disable", {})):
        code, body = api.call("admin-bz", method, path, body)
        assert code == 409 and body["error"]["code"] == "users_managed_elsewhere", (path, body)
        assert "no user pool" in body["error"]["message"] and "people.yaml" in body["error"]["message"]
    code, body = api.call("admin-bz", "POST", "/admin/users", {"username": "x", "name": "N", "role": "station",
                                                              "place": "BZ"})
    assert code == 400 and body["error"]["fields"][0]["field"] == "username"     # the body is checked first
