"""`make demo`: the article's irrigation case, played over HTTP against the running `make run` (demo county).

A Yakinson Village grid member finds 72 mu without irrigation -> the receiving station triages ->
the Ruoqiang county center blows the whistle -> the Agriculture and Rural Bureau reports in and resolves
(the Water Resources Bureau co-handles the root-cause canal) -> the grid member evaluates.

In drill mode (`make run DRILL=1`) a second, late case follows: dispatched to the Water Resources Bureau, which
never reports in; its 75% warning and its breach arrive from the Step Functions timers, and the breach escalates
the case from the county center to the prefecture's. Times are shown in the county's time zone.
"""
from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from local import state

UTC = ZoneInfo("UTC")


class StackDown(Exception):
    pass


class Api:
    def __init__(self, base: str, tokens: dict):
        self.base, self.tokens = base, tokens

    def call(self, user: str, method: str, path: str, body: dict | None = None) -> dict:
        headers = {"Authorization": f"Bearer {self.tokens[user]}", "Content-Type": "application/json"}
        if method == "POST":
            headers["Idempotency-Key"] = str(uuid.uuid4())
        request = urllib.request.Request(self.base + path, method=method, headers=headers,
                                         data=json.dumps(body).encode() if body is not None else None)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as e:
            raise SystemExit(f"{method} {path} as {user}: HTTP {e.code} {e.read().decode()}")
        except OSError as e:     # refused, reset, timed out
            raise StackDown(f"Gridloop does not answer at {self.base} ({getattr(e, 'reason', e)}).") from None


def local_time(text: str, zone: ZoneInfo) -> str:
    """A stored UTC time ('...Z') as the county's wall-clock time."""
    moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def describe(entry: dict) -> str:
    """What a timeline entry says, with what a deadline entry carries in its data."""
    data = entry.get("data") or {}
    if entry["action"] in ("deadline_warning", "deadline_breach"):
        who = f" of {data['department']}" if data.get("department") else ""
        text = f"{data.get('stage', '').replace('_', '-')}{who}"
        if data.get("to_center"):
            text += f": escalated {data['from_center']} -> {data['to_center']} ({data['level']})"
        return text
    return entry.get("note", "")


def print_timeline(case: dict, timeline: list[dict], zone: ZoneInfo) -> None:
    print(f"Timeline of {case['number']} ({case['title']}), times in {zone.key}:")
    for e in timeline:
        print(f"  {e['seq']:>2}  {local_time(e['at'], zone)}  {e['actor']['user_id']:<14} {e['action']:<16} "
              f"{(e['from_status'] or '-'):>11} -> {e['to_status']:<11} {describe(e)[:70]}")


def play(api: Api, zone: ZoneInfo = UTC) -> list[dict]:
    grid = "BZ.RQ.TGLK.YKS.G01"
    case = api.call("gm-yks-01", "POST", "/cases", {
        "kind": "demand", "category": "irrigation", "urgency": "normal", "grid": grid, "channel": "grid_visit",
        "title": "72 mu of resettled land without irrigation",
        "description": "Three resettled households were allotted 72 mu in 2021; the irrigation system is "
                       "incomplete and the land cannot be farmed. Photos taken on the visit.",
        "location": {"lat": 40.6035, "lon": 87.6865, "address": "Yakinson Village, Tieganlik Town"},
        "residents": [{"name": "王某", "phone": "13900000007"}]})
    case_id = case["id"]
    print(f"reported   {case['number']}  \"{case['title']}\"  status={case['status']}  station={case['center']}")
    seen = api.call("station-yks", "GET", f"/cases/{case_id}")
    print(f"station    sees {len(seen.get('possible_duplicates', []))} possible duplicate(s)")
    case = api.call("station-yks", "POST", f"/cases/{case_id}/accept", {
        "kind": "demand", "category": "irrigation", "urgency": "normal",
        "public_summary": "Irrigation missing for newly allotted farmland in Yakinson Village"})
    print(f"accepted   diverted to center {case['center']} ({case['level']})")
    queue = api.call("dispatcher-rq", "GET", "/queue")
    assert any(c["id"] == case_id for c in queue["items"]), "the county center's queue must show the case"
    case = api.call("dispatcher-rq", "GET", f"/cases/{case_id}")
    print(f"whistle    suggested lead: {case.get('suggested_lead')}")
    case = api.call("dispatcher-rq", "POST", f"/cases/{case_id}/dispatch", {
        "lead": "rq-agri", "co_handlers": ["rq-water"], "note": "Inspect and restore irrigation"})
    print(f"dispatched report-in due {local_time(case['deadlines']['report_in_due'], zone)}, "
          f"resolve due {local_time(case['deadlines']['resolve_due'], zone)} ({zone.key})")
    inbox = api.call("dept-rq-agri", "GET", "/inbox")
    assert any(c["id"] == case_id for c in inbox["items"]), "the bureau's inbox must show the case"
    api.call("dept-rq-agri", "POST", f"/cases/{case_id}/acknowledge", {"note": "Staff on the way"})
    api.call("dept-rq-water", "POST", f"/cases/{case_id}/acknowledge", {"note": "Will plan the canal"})
    case = api.call("dept-rq-agri", "POST", f"/cases/{case_id}/resolve", {
        "note": "Interim: water from a neighbour's machine well; a channel dredged to the plots (5 days).",
        "root_cause_follow_up": "A lined canal is being planned with the Water Resources Bureau."})
    print(f"resolved   on time: {case['resolution']['on_time']}")
    case = api.call("gm-yks-01", "POST", f"/cases/{case_id}/evaluate", {
        "scores": {"response_speed": 5, "performance": 5, "completion": 4, "feedback": 5},
        "verdict": "good", "fixed": True, "note": "Water reached the plots; households satisfied."})
    print(f"evaluated  status={case['status']} ({case['closed_as']})\n")
    timeline = api.call("gm-yks-01", "GET", f"/cases/{case_id}/timeline")["items"]
    print_timeline(case, timeline, zone)
    return timeline


def play_late(api: Api, zone: ZoneInfo = UTC, working_day_seconds: float = 60, out=print) -> list[dict]:
    """A case the Water Resources Bureau never reports in on: waits for its warning and its escalation."""
    case = api.call("gm-yks-02", "POST", "/cases", {
        "kind": "demand", "category": "drinking_water", "urgency": "normal", "grid": "BZ.RQ.TGLK.YKS.G02",
        "channel": "grid_visit", "title": "Standpipe dry for three days",
        "description": "The village standpipe in group 2 has had no water since Monday.",
        "location": {"lat": 40.6052, "lon": 87.6991, "address": "Yakinson Village, group 2"}})
    case_id = case["id"]
    out(f"reported   {case['number']}  \"{case['title']}\"  status={case['status']}")
    api.call("station-yks", "POST", f"/cases/{case_id}/accept", {
        "kind": "demand", "category": "drinking_water", "urgency": "normal",
        "public_summary": "No drinking water at a village standpipe"})
    case = api.call("dispatcher-rq", "POST", f"/cases/{case_id}/dispatch", {
        "lead": "rq-water", "note": "Restore the standpipe's supply"})
    due = case["deadlines"]["report_in_due"]
    out(f"dispatched to rq-water at center {case['center']} ({case['level']}); nobody reports in. "
        f"Report-in due {local_time(due, zone)} ({zone.key}); one working day lasts {working_day_seconds:g} s here.")
    out("waiting for the timers ...")
    timeline: list[dict] = []
    shown: set[int] = set()
    deadline = time.time() + 4 * working_day_seconds + 90      # warning, breach, and moto's own delays
    while time.time() < deadline:
        timeline = api.call("gm-yks-02", "GET", f"/cases/{case_id}/timeline")["items"]
        for e in timeline:
            if e["action"].startswith("deadline_") and e["seq"] not in shown:
                shown.add(e["seq"])
                out(f"  {local_time(e['at'], zone)}  {e['action']:<16} {describe(e)}")
        if any(e["action"] == "deadline_breach" and (e.get("data") or {}).get("to_center") for e in timeline):
            break
        time.sleep(2)
    case = api.call("gm-yks-02", "GET", f"/cases/{case_id}")
    out("")
    print_timeline(case, timeline, zone)
    return timeline


def main() -> int:
    stack, tokens_file = state.running_stack(), state.tokens_file()
    if stack is None or not tokens_file.exists():
        print(state.not_running_message(), file=sys.stderr)
        return 1
    if stack["county"] != "demo":
        print(f"`make demo` plays the demo county's case; this stack runs {stack['county']!r} "
              f"(start it with `make run` for the demo county).", file=sys.stderr)
        return 1
    from chalicelib import county_config
    zone = county_config.load(stack["county"]).timezone
    api = Api(stack["api"], json.loads(tokens_file.read_text())["tokens"])
    try:
        play(api, zone)
        if stack.get("drill_day_seconds"):
            print("\nA late case (drill: deadlines in compressed time):")
            play_late(api, zone, stack["drill_day_seconds"])
        else:
            print("\nTo watch deadlines warn and escalate within minutes: stop the stack, `make run DRILL=1`, "
                  "then `make demo` again.")
    except StackDown as down:
        print(f"{down} Is `make run` still running? Start it again, then retry `make demo`.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
