"""Offline recount: rebuild every statistics counter and scorecard from the cases' timelines and the visits, and
every household's balance and the public ranking's items from the points ledgers, and report each difference
from the aggregates kept on write.

The counting here is written independently of the write path (chalicelib/domain/aggregates.py): it replays
each case's timeline in order and tracks classification, dispatches and evaluations itself. This is the one
place where reading whole tables is allowed.

    python -m admin.recount            # against the tables named by TABLE_PREFIX (and AWS_ENDPOINT_URL)
    python -m admin.recount --local    # against the running `make run` (wherever its ports are: `make recount`)
"""
from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

# The bucket bounds are data with one home; the counting below is this module's own.
from chalicelib.domain.aggregates import HISTOGRAM_BOUNDS as BOUNDS



def _when(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def _bucket_label(minutes: float) -> str:
    for bound in BOUNDS:
        if minutes <= bound:
            return str(bound)
    return "inf"


def _places(code: str) -> list[str]:
    places = [code]
    while "." in code:
        code = code[: code.rfind(".")]
        places.append(code)
    return places


class Tally:
    def __init__(self, tz: ZoneInfo):
        self.tz = tz
        self.stats: dict[str, Counter] = defaultdict(Counter)
        self.cards: dict[str, Counter] = defaultdict(Counter)

    def stat(self, grid: str, at: str, part: str, name: str) -> None:
        """Count `name` in slice `part` ("<kind>|<category>" or "visits") of each place's day and month."""
        local = _when(at).astimezone(self.tz)
        for place in _places(grid):
            for period in (local.strftime("D%Y-%m-%d"), local.strftime("M%Y-%m")):
                self.stats[f"{place}#{period}#{part}"][name] += 1

    def card(self, department: str, at: str, name: str) -> None:
        self.cards[f"{department}#{_when(at).astimezone(self.tz).year}"][name] += 1


def replay(tally: Tally, grid: str, entries: list[dict]) -> None:
    """One case's whole timeline, in order."""
    kind = category = None
    reported_at = None
    dispatched_at = None   # of the latest dispatch
    lead = None            # of the latest dispatch
    names = {"report": "reported", "accept": "accepted", "reject": "rejected", "merge": "merged",
             "auto_close": "not_evaluated", "close": "not_evaluated"}
    for e in sorted(entries, key=lambda e: e["seq"]):
        action, data, at = e["action"], e["data"], e["at"]
        if action == "report":
            kind, category, reported_at = data["kind"], data["category"], at
        if action == "accept":
            kind, category = data["kind"], data["category"]
        label = f"{kind}|{category}"
        if action in names:
            tally.stat(grid, at, label, names[action])
        if action in ("dispatch", "redispatch"):
            if dispatched_at is None:      # the case's first dispatch only, whatever comes back and goes out again
                tally.stat(grid, at, label, "dispatched")
            dispatched_at, lead = at, data["lead"]
            tally.card(lead, at, "lead_dispatches")
            for department in [lead, *data.get("co_handlers", [])]:
                tally.card(department, at, "assigned")
        elif action == "acknowledge":
            tally.card(data["department"], at, "acknowledged")
            if data["on_time"]:
                tally.card(data["department"], at, "acknowledged_on_time")
            if data["role"] == "lead":
                if data["on_time"]:
                    tally.stat(grid, at, label, "acknowledged_on_time")
                minutes = (_when(at) - _when(dispatched_at)).total_seconds() / 60
                tally.stat(grid, at, label, f"h|report_in|{_bucket_label(minutes)}")
        elif action in ("resolve", "resolve_on_spot"):
            tally.stat(grid, at, label, "resolved")
            since = reported_at if action == "resolve_on_spot" else dispatched_at
            tally.stat(grid, at, label, f"h|resolve|{_bucket_label((_when(at) - _when(since)).total_seconds() / 60)}")
            if action == "resolve":
                tally.card(data["department"], at, "resolved")
                if data["on_time"]:
                    tally.card(data["department"], at, "resolved_on_time")
        elif action == "evaluate":
            for name in ("evaluated", data["verdict"]):
                tally.stat(grid, at, label, name)
                tally.card(lead, at, name)
            if not data["fixed"]:
                tally.stat(grid, at, label, "reopened")
                tally.card(lead, at, "reopened")
        elif action == "deadline_breach" and data.get("notice") == 1:
            tally.stat(grid, at, label, "overdue")
        elif action == "appeal":
            tally.card(data["department"], at, "appeals")
        elif action == "decide_appeal" and data["decision"] == "void":
            tally.card(data["department"], data["evaluated_at"], "voided")


def recount(cases: list[dict], timelines: dict[str, list[dict]], visits: list[dict], tz: ZoneInfo):
    tally = Tally(tz)
    for case in cases:
        replay(tally, case["grid"], timelines.get(case["id"], []))
    for visit in visits:
        tally.stat(visit["grid"], visit["visited_at"], "visits", "visits")
    return ({k: dict(v) for k, v in tally.stats.items()}, {k: dict(v) for k, v in tally.cards.items()})


# Points earned in a month: what the evaluators awarded or took away, and its corrections; never what was spent.
EARNING_KINDS = ("award", "penalty", "reversal")


def recount_points(households: list[dict], ledger: list[dict]) -> dict[str, dict]:
    """From the households and their ledger entries (each with its household_id): per household its balance (every
    entry's points) and its number of entries; per grid its roster (which households, and how many) and per
    grid and month each household's net points earned (the public ranking's month items)."""
    grid_of = {h["id"]: h["grid"] for h in households}
    out: dict[str, Counter] = defaultdict(Counter)
    for h in households:
        out[f"household#{h['id']}"].update(balance=0, entries=0)
        out[f"roster#{h['grid']}"].update({h["id"]: 1, "value": 1})
    for e in ledger:
        household = e["household_id"]
        out[f"household#{household}"].update(balance=e["points"], entries=1)
        if e["kind"] in EARNING_KINDS and household in grid_of:
            out[f"points#{grid_of[household]}#{e['month']}"][household] += e["points"]
    return {k: dict(v) for k, v in out.items()}


def stored_points(households: list[dict], counters: list[dict]) -> dict[str, dict]:
    """What the write path keeps: the households' balance and entries, the rosters (a household's masked name
    counted as present) and the month items, in recount_points' shape."""
    out = {f"household#{h['id']}": {"balance": h["balance"], "entries": h["entries"]} for h in households}
    for item in counters:
        name = item["name"]
        if name.startswith("roster#"):
            out[name] = {k: (int(v) if k == "value" else 1) for k, v in item.items() if k != "name"}
        elif name.startswith("points#"):
            out[name] = {k: int(v) for k, v in item.items() if k not in ("name", "value")}
    return out


def differences(expected: dict[str, dict], actual: dict[str, dict]) -> list[tuple[str, str, int, int]]:
    """(key, counter, recounted, stored) for every counter that differs; zero and absent are the same."""
    out = []
    for key in sorted(set(expected) | set(actual)):
        want, have = expected.get(key, {}), actual.get(key, {})
        for name in sorted(set(want) | set(have)):
            if want.get(name, 0) != have.get(name, 0):
                out.append((key, name, want.get(name, 0), have.get(name, 0)))
    return out


def _scan(table: str) -> list[dict]:
    import boto3
    from boto3.dynamodb.types import TypeDeserializer
    client, deserialize = boto3.client("dynamodb"), TypeDeserializer().deserialize
    items, kwargs = [], {"TableName": table, "ConsistentRead": True}
    while True:
        page = client.scan(**kwargs)
        items += [{k: deserialize(v) for k, v in raw.items()} for raw in page.get("Items", [])]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def points_differences() -> tuple[int, int, list[tuple[str, str, int, int]]]:
    """The households, the ledger entries, and every difference between their recount and what is stored."""
    from chalicelib.adapters.models import CounterItem, HouseholdItem, LedgerItem
    households = [json.loads(i["doc"]) for i in _scan(HouseholdItem.Meta.table_name)]
    ledger = [{**json.loads(i["doc"]), "household_id": i["household_id"]} for i in _scan(LedgerItem.Meta.table_name)]
    found = differences(recount_points(households, ledger), stored_points(households, _scan(CounterItem.Meta.table_name)))
    return len(households), len(ledger), found


def main(argv: list[str] | None = None) -> int:
    import argparse
    import os
    parser = argparse.ArgumentParser(description="Recount every aggregate from the timelines; list differences.")
    parser.add_argument("--local", action="store_true", help="the running `make run` stack (.local/stack.json)")
    if parser.parse_args(argv).local:
        from local import state
        stack = state.running_stack()
        if stack is None:
            print(state.not_running_message(), file=sys.stderr)
            return 2
        os.environ.update(state.client_environment(stack))    # before the models read their table names
    from chalicelib import county_config
    from chalicelib.adapters.models import CaseItem, ScorecardItem, StatItem, TimelineItem, VisitItem

    tz = county_config.load().timezone
    cases = [CaseItem.doc.deserialize(i["doc"].value) for i in _scan(CaseItem.Meta.table_name)]  # compressed
    timelines: dict[str, list] = defaultdict(list)
    for item in _scan(TimelineItem.Meta.table_name):
        timelines[item["case_id"]].append(json.loads(item["doc"]))
    visits = [json.loads(i["doc"]) for i in _scan(VisitItem.Meta.table_name)]
    stats, cards = recount(cases, timelines, visits, tz)

    def stored(table):
        return {i["key"]: {k: int(v) for k, v in i.items() if k != "key"} for i in _scan(table)}

    found = differences(stats, stored(StatItem.Meta.table_name)) + differences(cards, stored(ScorecardItem.Meta.table_name))
    households, entries, points_found = points_differences()
    found += points_found
    print(f"recounted {len(cases)} cases, {len(visits)} visits, {households} households and {entries} ledger entries: "
          f"{len(found)} difference(s)")
    for key, name, want, have in found:
        print(f"  {key:<40} {name:<40} recounted {want:>6}  stored {have:>6}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
