"""Evaluation that bites (scorecards, appeals) and statistics that cost O(buckets), over HTTP against moto."""
import csv
import io
from datetime import datetime, timedelta, timezone

from tests.e2e.helpers import SCORES, drive, new_case, ok

YEAR = datetime.now(timezone.utc).year


def bad_review(api, fixed=True):
    case = drive(api, new_case(api)["id"], "resolved")
    return ok(api.call("gm-yks-01", "POST", f"/cases/{case['id']}/evaluate",
                       {"scores": SCORES, "verdict": "bad", "fixed": fixed}))


def card(api, user="dept-rq-agri"):
    return ok(api.call(user, "GET", f"/scorecards/rq-agri?year={YEAR}"))


def test_four_bad_reviews_cost_eligibility_and_a_voided_appeal_restores_it(api):
    reviewed = [bad_review(api) for _ in range(3)] + [bad_review(api, fixed=False)]  # a reopen is a bad review too
    four = card(api)
    assert (four["bad"], four["bad_reviews"], four["reopened"]) == (4, 4, 1)
    assert four["score"] == 100 - 4 * 2 and four["eligible"] is False            # deducted 4 times, over 3: out
    appealed = ok(api.call("dept-rq-agri", "POST", f"/cases/{reviewed[0]['id']}/evaluations/0/appeal",
                           {"reason": "the channel was blocked by the flood, not by us"}))
    assert appealed["evaluations"][0]["appeal"]["status"] == "pending"
    assert api.call("dispatcher-tglk", "POST", f"/cases/{reviewed[0]['id']}/evaluations/0/appeal-decision",
                    {"decision": "void"})[0] == 403                              # only the county center decides
    decided = ok(api.call("dispatcher-rq", "POST", f"/cases/{reviewed[0]['id']}/evaluations/0/appeal-decision",
                          {"decision": "void", "note": "flood damage confirmed"}))
    assert decided["evaluations"][0]["voided"] is True
    three = card(api)
    assert (three["bad_reviews"], three["score"], three["eligible"]) == (3, 100 - 3 * 2, True)
    code, refused = api.call("dept-rq-agri", "POST", f"/cases/{reviewed[0]['id']}/evaluations/0/appeal",
                             {"reason": "again"})
    assert code == 409 and refused["error"]["code"] == "appeal_refused"
    timeline = ok(api.call("dept-rq-agri", "GET", f"/cases/{reviewed[0]['id']}/timeline"))["items"]
    assert [e["action"] for e in timeline][-2:] == ["appeal", "decide_appeal"]


def test_only_the_reviewed_department_appeals_and_only_bad_reviews(api):
    good = drive(api, new_case(api)["id"], "closed")
    assert api.call("dept-rq-agri", "POST", f"/cases/{good['id']}/evaluations/0/appeal", {"reason": "x"})[0] == 409
    bad = bad_review(api)
    assert api.call("dept-rq-water", "POST", f"/cases/{bad['id']}/evaluations/0/appeal", {"reason": "x"})[0] == 409
    assert api.call("gm-yks-01", "POST", f"/cases/{bad['id']}/evaluations/0/appeal", {"reason": "x"})[0] == 403
    assert api.call("dept-rq-agri", "POST", f"/cases/{bad['id']}/evaluations/7/appeal", {"reason": "x"})[0] == 400


def test_scorecard_rates_follow_design_section_5(api):
    drive(api, new_case(api)["id"], "closed")                    # on time, good
    bad_review(api)
    c = card(api)
    # 2 dispatches as lead, both acknowledged on time and resolved; 2 evaluated: 1 good, 1 bad
    assert (c["assigned"], c["acknowledged_on_time"], c["lead_dispatches"], c["resolved"]) == (2, 2, 2, 2)
    assert (c["response_rate"], c["resolution_rate"], c["satisfaction_rate"]) == (1.0, 1.0, 0.5)
    water = ok(api.call("dispatcher-rq", "GET", f"/scorecards/rq-water?year={YEAR}"))
    assert (water["assigned"], water["lead_dispatches"], water["evaluated"]) == (2, 0, 0)   # co-handler: report-in only


def test_rankings_and_scorecards_export_as_utf8_csv_with_bom(api):
    drive(api, new_case(api)["id"], "closed")
    ranked = ok(api.call("leader-rq", "GET", f"/rankings?level=county&year={YEAR}"))
    assert ranked["items"][0]["department"] == "rq-agri" and ranked["items"][0]["rank"] == 1
    response = api.client.http.get(f"/rankings?level=county&year={YEAR}&format=csv",
                                   headers={"Authorization": f"Bearer {api.token('leader-rq')}"})
    assert response.headers["Content-Type"].startswith("text/csv")
    text = response.body.decode("utf-8") if isinstance(response.body, bytes) else response.body
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1][1:3] == ["rq-agri", "若羌县农业农村局"]
    assert api.call("dispatcher-hj", "GET", "/rankings?node=BZ.RQ&level=county")[0] == 403


def test_statistics_count_events_on_their_own_day_and_export_with_bom(api):
    case = drive(api, new_case(api)["id"], "closed")
    today = datetime.now(timezone.utc).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).date()
    stats = ok(api.call("leader-rq", "GET", f"/statistics?node=BZ.RQ&period={today:%Y-%m}"))
    m = stats["metrics"]
    assert (m["reported"]["total"], m["accepted"]["total"], m["dispatched"]["total"], m["resolved"]["total"]) \
        == (1, 1, 1, 1)
    assert m["resolved"]["by_kind"] == {"demand": 1} and m["resolved"]["by_category"] == {"irrigation": 1}
    assert stats["rates"] == {"response_rate": 1.0, "resolution_rate": 1.0, "satisfaction_rate": 1.0}
    assert stats["median_minutes"]["report_in"] == 15 and stats["counter_items_read"] == 16   # one month x (15 categories + visits)
    assert ok(api.call("leader-rq", "GET", f"/statistics?node=BZ.RQ&period={today.year - 1}"))["metrics"][
        "reported"]["total"] == 0
    assert api.call("leader-rq", "GET", "/statistics?node=BZ.HJ&period=2026")[0] == 403
    assert api.call("dept-rq-agri", "GET", "/statistics?node=BZ.RQ&period=2026")[0] == 403
    code, body = api.call("leader-rq", "GET", "/statistics?node=BZ.RQ&period=2026-13")
    assert code == 400 and body["error"]["fields"][0]["field"] == "period"
    response = api.client.http.get(f"/statistics?node=BZ.RQ&period={today:%Y}&format=csv",
                                   headers={"Authorization": f"Bearer {api.token('leader-rq')}"})
    text = response.body.decode("utf-8") if isinstance(response.body, bytes) else response.body
    assert text.startswith("\ufeff节点,")                                        # headers in the deployment's language
    assert ["BZ.RQ", f"{today.year}-01-01", f"{today.year}-12-31", "办结", "", "农田灌溉", "1"] in \
        list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    response = api.client.http.get(f"/statistics?node=BZ.RQ&period={today:%Y}&format=csv&lang=en",
                                   headers={"Authorization": f"Bearer {api.token('leader-rq')}"})
    text = response.body.decode("utf-8") if isinstance(response.body, bytes) else response.body
    assert text.startswith("\ufeffnode,")
    assert ["BZ.RQ", f"{today.year}-01-01", f"{today.year}-12-31", "resolved", "", "Farmland irrigation", "1"] in \
        list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert case


def test_grid_members_log_visits_that_count_per_grid(api):
    home = ok(api.call("gm-yks-01", "POST", "/households", {"grid": "BZ.RQ.TGLK.YKS.G01", "head": "王小明",
                                                           "members": 4}), 201)
    at = (datetime.now(timezone.utc) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    visit = ok(api.call("gm-yks-01", "POST", "/visits", {"household_id": home["id"], "visited_at": at,
                                                         "notes": "discussed irrigation", "demands_raised": ["water"]}),
               201)
    assert visit["grid"] == "BZ.RQ.TGLK.YKS.G01"
    assert api.call("gm-yks-02", "POST", "/visits", {"household_id": home["id"], "visited_at": at})[0] == 400
    listed = ok(api.call("station-yks", "GET", "/visits?grid=BZ.RQ.TGLK.YKS.G01"))["items"]
    assert [v["id"] for v in listed] == [visit["id"]]
    stats = ok(api.call("leader-rq", "GET", f"/statistics?node=BZ.RQ.TGLK.YKS&period={at[:4]}"))
    assert (stats["visits"], stats["grids"], stats["visits_per_grid"]) == (1, 3, 0.33)
