"""The county cast of the soak (`bench/soak.py --roles`): 20 people, each playing their own part of the loop at once.

- 8 grid members (two in each of Yakinson, Qiongkule, Donggui and Elbin): report an irrigation case whenever
  fewer than two of their own are open, and evaluate their resolved cases ("good", fixed);
- 4 receiving stations (those villages): accept what waits in their queue (irrigation goes to the county);
- 2 county centers (Ruoqiang, Hejing): dispatch what waits in their queue, the agriculture bureau leading and the
  water bureau co-handling;
- 4 bureaus (agriculture and water of each county): report in on what their inbox shows, and the lead resolves
  what it reported in on;
- 2 points evaluators (Yakinson, Elbin): record a point for a household of their village and correct it by a
  reversal (a capped rule stays under its cap), household after household.
Everyone works through lists (queue, inbox, their own reports) as the console would, pausing a second when there
is nothing to do. Every answered action on a case is recorded for the accounting (bench/soak.py, `account`).
"""
from __future__ import annotations

import threading
import time

from bench.soak import Api, Case, Failed, Recorder, inside

STEPS = ("report", "accept", "dispatch", "report-in", "resolve", "evaluate", "points", "correct", "poll")
GRID_MEMBERS = ("gm-yks-01", "gm-yks-02", "gm-qkl-01", "gm-qkl-02", "gm-dg-01", "gm-dg-02", "gm-elb-01", "gm-elb-02")
STATIONS = ("station-yks", "station-qkl", "station-dg", "station-elb")
CENTERS = {"dispatcher-rq": "rq", "dispatcher-hj": "hj"}
BUREAUS = {"dept-rq-agri": "lead", "dept-rq-water": "co", "dept-hj-agri": "lead", "dept-hj-water": "co"}
EVALUATORS = {"evaluator-yks": "volunteer_work", "evaluator-elb": "grassland_protection"}
OPEN_REPORTS_EACH = 2
IDLE_SECONDS = 1.0


class County:
    """What the people share: the cases reported so far, by id."""

    def __init__(self, api: Api, record: Recorder, until: float):
        self.api, self.record, self.until = api, record, until
        self.cases: dict[str, Case] = {}

    def running(self) -> bool:
        return time.time() < self.until

    def listed(self, user: str, path: str) -> list[dict]:
        return self.record.timed("poll", lambda: self.api.call(user, "GET", path))["items"]

    def act(self, step: str, user: str, case_id: str, action: str, body: dict) -> dict | None:
        case = self.cases.get(case_id)
        if case is None:
            return None          # not one of the soak's cases
        answer = self.record.timed(step, lambda: self.api.call(user, "POST", f"/cases/{case_id}/{action}", body))
        self.record.acted(case, action, answer)
        return answer


def _loop(county: County, work) -> None:
    """Run one person's round of work again and again; a failed call is counted and the round starts over."""
    while county.running():
        try:
            busy = work()
        except Failed:
            busy = False
        if not busy:
            time.sleep(IDLE_SECONDS)


def grid_member(county: County, user: dict):
    mine: list[Case] = []

    def work() -> bool:
        busy = False
        for item in county.listed(user["user_id"], "/cases/mine?status=resolved&limit=50"):
            answer = county.act("evaluate", user["user_id"], item["id"], "evaluate", {
                "scores": {"response_speed": 5, "performance": 4, "completion": 5, "feedback": 5},
                "verdict": "good", "fixed": True})
            if answer is not None:
                busy = True
                with county.record.lock:
                    county.record.lifecycles += answer["status"] == "closed"
        if sum(c.status != "closed" for c in mine) < OPEN_REPORTS_EACH:
            answer = county.record.timed("report", lambda: county.api.call(user["user_id"], "POST", "/cases", {
                "kind": "demand", "category": "irrigation", "urgency": "normal", "grid": user["grid"],
                "channel": "grid_visit", "title": "Farmland without irrigation",
                "description": "The irrigation system is incomplete (soak, county cast).",
                "location": inside(user["grid"])}))
            case = Case(answer["id"], answer["number"], user["user_id"], answer["status"], ["report"])
            with county.record.lock:
                county.record.cases.append(case)
                county.cases[case.id] = case
            mine.append(case)
            busy = True
        return busy
    return work


def station(county: County, user: dict):
    def work() -> bool:
        items = county.listed(user["user_id"], "/queue?status=reported&limit=50")
        for item in items:
            county.act("accept", user["user_id"], item["id"], "accept", {
                "kind": "demand", "category": "irrigation", "urgency": "normal",
                "public_summary": "Irrigation missing for allotted farmland"})
        return bool(items)
    return work


def center(county: County, user: dict):
    prefix = CENTERS[user["user_id"]]

    def work() -> bool:
        items = county.listed(user["user_id"], "/queue?status=accepted&limit=50")
        for item in items:
            county.act("dispatch", user["user_id"], item["id"], "dispatch", {
                "lead": f"{prefix}-agri", "co_handlers": [f"{prefix}-water"], "note": "Inspect and restore"})
        return bool(items)
    return work


def bureau(county: County, user: dict):
    reported_in: set[str] = set()
    lead = BUREAUS[user["user_id"]] == "lead"

    def work() -> bool:
        busy = False
        for status in ("dispatched", "in_progress"):
            for item in county.listed(user["user_id"], f"/inbox?status={status}&limit=50"):
                if item["id"] not in reported_in:
                    if county.act("report-in", user["user_id"], item["id"], "acknowledge", {"note": "On our way"}):
                        reported_in.add(item["id"])
                        busy = True
                elif lead and status == "in_progress":
                    busy |= county.act("resolve", user["user_id"], item["id"], "resolve",
                                       {"note": "Channel dredged; water restored."}) is not None
        return busy
    return work


def evaluator(county: County, user: dict, users: list[dict]):
    rule = EVALUATORS[user["user_id"]]
    grids = sorted(u["grid"] for u in users if u["role"] == "grid_member" and u["grid"].startswith(user["node"] + "."))
    households: list[str] = []
    turn = [0]

    def work() -> bool:
        if not households:
            for grid in grids:
                households.extend(h["id"] for h in county.listed(user["user_id"], f"/households?grid={grid}&limit=50"))
        household = households[turn[0] % len(households)]
        turn[0] += 1
        recorded = county.record.timed("points", lambda: county.api.call(
            user["user_id"], "POST", f"/households/{household}/points", {"rule": rule, "reason": "soak"}))
        seq = recorded["entry"]["seq"]
        county.record.timed("correct", lambda: county.api.call(
            user["user_id"], "POST", f"/households/{household}/ledger/{seq}/reversal", {"reason": "entered twice"}))
        return True
    return work


def people_of_the_county(api: Api, users: list[dict], record: Recorder, until: float) -> list[threading.Thread]:
    """The 20 people, each a thread (not started)."""
    county = County(api, record, until)
    by_id = {u["user_id"]: u for u in users}
    works = ([grid_member(county, by_id[u]) for u in GRID_MEMBERS] + [station(county, by_id[u]) for u in STATIONS]
             + [center(county, by_id[u]) for u in CENTERS] + [bureau(county, by_id[u]) for u in BUREAUS]
             + [evaluator(county, by_id[u], users) for u in EVALUATORS])
    return [threading.Thread(target=_loop, args=(county, work), daemon=True) for work in works]
