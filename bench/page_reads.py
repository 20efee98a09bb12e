"""O(page) reads: what one call of each list and statistics endpoint reads, at 1,000 and at 100,000 cases.

Runs against the embedded AWS (moto on 127.0.0.1), through the Chalice app itself (chalice.test.Client with local
tokens), and counts every DynamoDB call the request makes with the recorder of AWS calls the tests share
(support/calls.py: every client, PynamoDB's included). Per call: operation, Count, ScannedCount, items returned, the
DynamoDB size of the items read (AWS's sizing rules, computed from the raw response) and the read units that size
costs. moto's ConsumedCapacity is a constant per call, so read units are computed from item sizes: a Query costs
ceil(size of the entries it evaluated / 4 KB) units, a BatchGetItem ceil(item / 4 KB) per item, halved when
eventually consistent (minimum 0.5). A Query whose filter dropped entries is re-run once without its filter (after
the request, outside the measurement) to size the entries it evaluated.

The fixture (bench/page_reads_fixture.py): cases are first made through the real write path (services over
DynamoUnitOfWork), one template per grid, stage and a few categories; their items (case with its 6 index keys, inbox
links, statistics and scorecard counters the transaction added) are then cloned with batch writes: new ULIDs of the
clone's intake time, new case numbers, every timestamp shifted; the counters each clone's actions add on its own
dates are summed and put as whole items (the totals the transactions' ADDs would reach). First 1,000 cases from 1
June to 1 September 2026 (statuses of a working deployment: a backlog in the queues and inboxes), measured; then
99,000 older cases (June 2024 to May 2026, mostly closed, with a stuck backlog) are added, and the same calls are
measured again. The newest page of every list is the same at both sizes, so any difference is the table's size.
The older cases hold none of one township's (FAR_TOWNSHIP) except a few older than all of them, so the whole history
lies between that township's recent cases and its older ones: its subtree lists are walked to the end at both
sizes. Households of one village are registered and awarded points through the real services (HOUSEHOLDS a grid at
each size) for the public ranking and the privileges; one case is played to its evaluation for the timeline.
Timeline items of the clones and outbox items are not cloned: none of the measured reads touches them.

Target (docs/performance.md): every call reads the same items and read units at 1,000 and at 100,000 cases, bounded by
the page: a list reads <= limit index entries per partition (county) and <= limit cases; a statistics read
asks for the period's buckets x slices (chalicelib.services.statistics), in BatchGets of <= 100 keys sent in
parallel; the public ranking asks 2 keys per grid. Patterns that are a known limit (privileges: they grow with the
village's eligible households) are printed and left out of the target. Exit status 1 if a pattern differs between
the sizes or exceeds its bound. moto answers an index
query by walking the whole table, so its latency is not the measure.

    .venv/bin/python bench/page_reads.py            # 1,000 then 100,000 cases (about 5 minutes, 1.5 GB)
    .venv/bin/python bench/page_reads.py 5000       # a smaller second size, for a quick try
    .venv/bin/python bench/page_reads.py --walk     # also walk the filtered inbox to its end at the large size
"""
from __future__ import annotations

import json
import math
import os
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

if __name__ == "__main__":   # `python bench/page_reads.py`: the repository's packages on the path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from local.issuer import LocalIssuer
from support.calls import Collector, dynamodb, install
from support.local_aws import LocalAWS, app_environment

ROOT = Path(__file__).resolve().parent.parent
KB = 1024
ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
SIZES = (1_000, int(ARGS[0]) if ARGS else 100_000)   # `page_reads.py 5000`: a smaller second size, for a quick try
WALK_LARGE = "--walk" in sys.argv                    # also walk the filtered inbox at the large size (minutes on moto)
RECORDER = Collector(keep=dynamodb, open=False)      # the DynamoDB calls of the request being measured
HOUSEHOLDS = (20, 400)   # households a grid of the ranking's village holds at the small and at the large size


# -- measurement: what each DynamoDB call of a request read, from the recorded call ---------------------------------
def value_size(value: dict) -> int:
    """DynamoDB's size of one attribute value (the AWS rules; numbers approximated as AWS documents)."""
    (kind, v), = value.items()
    if kind == "S":
        return len(v.encode())
    if kind == "N":
        digits = v.lstrip("-").replace(".", "").lstrip("0").rstrip("0") or "0"
        return (len(digits) + 1) // 2 + 1
    if kind == "B":
        return len(v)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "BS"):
        return sum(len(x.encode() if isinstance(x, str) else x) for x in v)
    if kind == "NS":
        return sum(value_size({"N": x}) for x in v)
    if kind == "L":
        return 3 + sum(value_size(x) + 1 for x in v)
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_size(x) + 1 for k, x in v.items())
    raise ValueError(kind)


def item_size(item: dict) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


@dataclass
class Read:
    """What one DynamoDB call of a measured request read."""
    operation: str
    target: str                 # table or table/index
    limit: int | None = None    # the Query's Limit
    count: int = 0              # Query: Count (entries after the filter)
    scanned: int = 0            # Query: ScannedCount (entries evaluated)
    keys: int = 0               # BatchGetItem/GetItem: keys asked for
    items: int = 0              # BatchGetItem/GetItem: items returned
    bytes: int = 0              # size of everything the call read (evaluated entries, items)
    rcu: float = 0.0
    moto_cu: object = None      # what moto says it consumed (a constant)
    filtered: bool = False


def _units(size: int, consistent: bool) -> float:
    return max(1, math.ceil(size / (4 * KB))) * (1.0 if consistent else 0.5)


def _evaluated(operation: str, params: dict, parsed: dict) -> list[dict]:
    """The entries a filtered Query or Scan evaluated: the same request without its filter (not measured)."""
    if "FilterExpression" not in params or parsed.get("ScannedCount", 0) == parsed.get("Count", 0):
        return parsed.get("Items", [])
    query = {k: v for k, v in params.items() if k not in ("FilterExpression", "ReturnConsumedCapacity")}
    used = set(re.findall(r"[#:]\w+", " ".join(query.get(k, "") for k in ("KeyConditionExpression",
                                                                           "ProjectionExpression"))))
    for key in ("ExpressionAttributeNames", "ExpressionAttributeValues"):
        if key in query:
            query[key] = {k: v for k, v in query[key].items() if k in used} or None
            if query[key] is None:
                del query[key]
    from bench.page_reads_fixture import db
    items = getattr(db(), operation.lower())(**query)["Items"]
    assert len(items) == parsed["ScannedCount"], (len(items), parsed["ScannedCount"])
    return items


def read_of(recorded) -> Read:
    """Size one recorded DynamoDB call (support.calls.Call) once its request is over."""
    op, params, parsed = recorded.operation, recorded.params, recorded.response
    call = Read(op, params.get("TableName", ""), moto_cu=parsed.get("ConsumedCapacity"))
    if op in ("Query", "Scan"):
        call.target += f"/{params['IndexName']}" if params.get("IndexName") else ""
        call.limit, call.count = params.get("Limit"), parsed.get("Count", 0)
        call.scanned = parsed.get("ScannedCount", 0)
        call.filtered = "FilterExpression" in params
        call.bytes = sum(item_size(i) for i in _evaluated(op, params, parsed))
        call.rcu = _units(call.bytes, bool(params.get("ConsistentRead")))
    elif op == "BatchGetItem":
        call.target = ",".join(t.split("-")[-1] for t in params.get("RequestItems", {}))
        for table, request in params.get("RequestItems", {}).items():
            found = parsed.get("Responses", {}).get(table, [])
            consistent = bool(request.get("ConsistentRead"))
            call.keys += len(request["Keys"])
            call.items += len(found)
            call.bytes += sum(item_size(i) for i in found)
            call.rcu += sum(_units(item_size(i), consistent) for i in found)
            call.rcu += (len(request["Keys"]) - len(found)) * _units(0, consistent)  # a missing key costs the minimum
    elif op == "GetItem":
        found = parsed.get("Item")
        call.keys = 1
        call.items, call.bytes = int(found is not None), item_size(found) if found else 0
        call.rcu = _units(call.bytes, bool(params.get("ConsistentRead")))
    return call


def get(client, path: str, token: str | None):
    """GET `path` with a bearer token (none: anonymous): the answer and the DynamoDB calls it made (recorded on
    every thread)."""
    RECORDER.start()
    try:
        response = client.http.get(path, headers={"Authorization": f"Bearer {token}"} if token else {})
    finally:
        calls = RECORDER.stop()
    return response, calls


# -- the measured requests -----------------------------------------------------------------------------------------
@dataclass
class Pattern:
    name: str
    user: str
    path: str
    bound_entries: int         # index entries a call may read (limit x partitions); statistics: counter keys
    bound_items: int           # cases a call may read
    partitions: int            # Query calls expected (one per partition); statistics: 0
    size_key: object = None    # which fixture partition(s) it reads, to print their size
    counters: bool = False     # a statistics read: counter values grow with the table, their count must not
    cursor_of: str | None = None  # take the cursor of this pattern's answer (page 2)
    max_calls: int | None = None  # calls a request may make (default: one Query per partition + one BatchGet)
    same_on: tuple = ()        # compare only these columns of the summary between sizes (default: all)
    known_limit: str = ""      # not bounded per call: what it grows with (printed, outside the target)


@dataclass
class Measure:
    calls: list
    status: int
    answer: dict

    def total(self, attribute):
        return sum(getattr(c, attribute) for c in self.calls)

    def summary(self) -> tuple:
        ops = Counter(c.operation for c in self.calls)
        queried = "Query" in ops
        return ("+".join(f"{n}{op[0] if op != 'BatchGetItem' else 'B'}" for op, n in sorted(ops.items(), reverse=True)),
                self.total("count") if queried else "-", self.total("scanned") if queried else "-", self.total("keys"),
                self.total("items"), round(self.total("bytes") / KB, 2), self.total("rcu"))


def measure_all(client, patterns: list[Pattern], token_of) -> dict[str, Measure]:
    out: dict[str, Measure] = {}
    for p in patterns:
        path = p.path
        if p.cursor_of:
            path += ("&" if "?" in path else "?") + "cursor=" + out[p.cursor_of].answer["cursor"]
        response, calls = get(client, path, token_of(p.user) if p.user else None)
        out[p.name] = Measure([read_of(c) for c in calls], response.status_code, json.loads(response.body or b"{}"))
        if response.status_code != 200:
            raise SystemExit(f"{p.name}: {p.path} answered {response.status_code}: {response.body[:300]}")
    return out


def bounded(p: Pattern, m: Measure) -> tuple[bool, str]:
    queries = [c for c in m.calls if c.operation == "Query"]
    problems = []
    if any(c.operation == "Scan" for c in m.calls):
        problems.append("scan")
    if p.known_limit:
        return False, p.known_limit
    if p.counters:   # the period's buckets x slices, asked in BatchGets of <= 100 keys sent in parallel
        if any(c.operation != "BatchGetItem" or c.keys > 100 for c in m.calls) \
                or len(m.calls) != math.ceil(p.bound_entries / 100):
            problems.append(f"{len(m.calls)} calls for {p.bound_entries} keys")
        if m.total("keys") > p.bound_entries or m.total("items") > m.total("keys"):
            problems.append(f"{m.total('keys')} keys asked, {m.total('items')} items for {p.bound_entries} keys")
    else:
        if len(queries) != p.partitions:
            problems.append(f"{len(queries)} queries for {p.partitions} partitions")
        if any(c.limit is None or c.limit > p.bound_entries // p.partitions or c.scanned > c.limit for c in queries):
            problems.append("a query without Limit or past it")
        if m.total("scanned") > p.bound_entries or m.total("items") > p.bound_items:
            problems.append("read past the page")
        if len(m.calls) > (p.max_calls or p.partitions + 1):
            problems.append(f"{len(m.calls)} calls")
    return not problems, "; ".join(problems)


def main(aws, issuer: LocalIssuer) -> int:
    from chalice.test import Client

    from app import app     # the app and the fixture, imported with the environment set in __main__ below
    from bench.page_reads_fixture import (CENTER_STAFF, CONFIG, DEPARTMENT_STAFF, FAR_DOWN, FAR_TOWNSHIP,
                                          GRID_MEMBER, LEADER, NOW, PARTITIONS, PEOPLE, RANKING_MONTH,
                                          RANKING_VILLAGE, J, add_counters, add_households, load, make_templates,
                                          plan, timeline_case)
    from chalicelib.domain.jurisdiction import within
    from chalicelib import runtime
    from chalicelib.services import statistics
    started = time.time()
    rng = random.Random(9)
    print("making templates through the real write path (services + DynamoUnitOfWork)...", flush=True)
    templates = make_templates(rng, aws)
    templates_s = time.time() - started
    print(f"  {len(templates)} template cases in {templates_s:.0f} s", flush=True)
    recent, history = plan(templates, rng, SIZES)
    runtime.clock = lambda: NOW

    # which department, station and county the calls read: the busiest of the recent 1,000
    recent_links = Counter(link["department"]["S"] for c in recent for link in c.template.links)
    recent_queue = Counter(c.template.case["queue_center"]["S"] for c in recent if "queue_center" in c.template.case)
    department = max((d for d in recent_links if d.startswith("rq-")), key=lambda d: recent_links[d])
    station = max((n for n in recent_queue if J.node(n).level == "village"), key=lambda n: recent_queue[n])
    dept_user = DEPARTMENT_STAFF[department].user_id
    station_user, county_user = CENTER_STAFF[station].user_id, CENTER_STAFF["BZ.RQ"].user_id
    township_user = CENTER_STAFF["BZ.RQ.TGLK"].user_id
    gm = GRID_MEMBER["BZ.RQ.TGLK.YKS.G01"].user_id
    station_limit = min(20, recent_queue[station])
    in_progress = sum(1 for c in recent for link in c.template.links
                      if link["department"]["S"] == department and link["status"]["S"] == "in_progress")
    status_limit = min(20, in_progress)   # a full page at both sizes: the status index reads only matches
    rq_leader, bz_leader = LEADER["BZ.RQ"]["user_id"], LEADER["BZ"]["user_id"]
    n_slices = len(statistics.slices(CONFIG))

    def stats(name, user, node, query, first, last):  # keys: the period's buckets x the deployment's slices
        n_keys = len(statistics.buckets(date.fromisoformat(first), date.fromisoformat(last))) * n_slices
        return Pattern(name, user, f"/statistics?node={node}&{query}", n_keys, 0, 0, counters=True)

    township_grids = sorted(g for g in GRID_MEMBER if within(g, FAR_TOWNSHIP))
    village_grids = sorted(g for g in GRID_MEMBER if within(g, RANKING_VILLAGE))
    village_user, evaluator = CENTER_STAFF[RANKING_VILLAGE].user_id, "evaluator-yks"
    timeline_id = timeline_case(rng)     # one case played to its evaluation: the timeline route reads its entries
    counties = 3                         # Open311 reads each county's partition and the root's own
    patterns = [
        Pattern(f"inbox: department {department}", dept_user, "/inbox", 20, 20, 1, ("inbox", department)),
        Pattern(f"inbox: {department} ?status=in_progress", dept_user, f"/inbox?status=in_progress&limit={status_limit}",
                status_limit, status_limit, 1, ("inbox", department)),
        Pattern("queue: county center BZ.RQ", county_user, "/queue", 20, 20, 1, ("queue", "BZ.RQ")),
        Pattern(f"queue: village station {station}", station_user, f"/queue?limit={station_limit}",
                station_limit, station_limit, 1, ("queue", station)),
        Pattern("cases: county leader BZ.RQ", rq_leader, "/cases", 20, 20, 1, ("county", "BZ.RQ")),
        # subtree lists: grid by grid without a status; the county's status partition filtered with one
        Pattern(f"cases: township {FAR_TOWNSHIP} (by grid)", township_user, "/cases", 20 * len(township_grids), 20,
                len(township_grids), ("grid", *township_grids)),
        Pattern(f"cases: village {RANKING_VILLAGE} (by grid)", village_user, "/cases", 20 * len(village_grids), 20,
                len(village_grids), ("grid", *village_grids)),
        Pattern(f"cases: township ?status=closed (filter)", township_user, "/cases?status=closed", 20, 20, 1,
                ("county_status", "BZ.RQ#closed")),
        Pattern("timeline: a closed case", gm, f"/cases/{timeline_id}/timeline", 50, 1, 1, max_calls=2),
        # anonymous: Open311's listing (each partition's one Query: Limit 2 x page x page_size) and the ranking
        Pattern("open311: requests.json (default page)", None, "/open311/v2/requests.json", 2000 * counties, 1000,
                counties, ("county", "BZ.RQ", "BZ.HJ"), max_calls=counties + 10),
        Pattern("open311: requests.json?page_size=50", None, "/open311/v2/requests.json?page_size=50",
                100 * counties, 50, counties, ("county", "BZ.RQ", "BZ.HJ"), max_calls=counties + 1),
        Pattern(f"ranking: {RANKING_VILLAGE} (public)", None,
                f"/villages/{RANKING_VILLAGE}/points-ranking?month={RANKING_MONTH}", 2 * len(village_grids), 0, 0,
                ("households", *village_grids), counters=True, same_on=(0, 3)),
        Pattern(f"privileges: {RANKING_VILLAGE}, year 2026", evaluator,
                f"/privileges/star_household_priority/households?village={RANKING_VILLAGE}&period=2026", 0, 0, 0,
                ("households", *village_grids), known_limit="grows with eligible households"),
        # the prefecture reads each county's partition and the root's own (Open311 cases outside every grid)
        Pattern("cases: prefecture BZ (2 counties + root)", bz_leader, "/cases", 60, 20, 3,
                ("county", "BZ.RQ", "BZ.HJ")),
        Pattern("cases: prefecture BZ, page 2", bz_leader, "/cases", 40, 20, 2, ("county", "BZ.RQ", "BZ.HJ"),
                cursor_of="cases: prefecture BZ (2 counties + root)"),   # the empty root partition is finished
        Pattern("cases: prefecture ?status=in_progress", bz_leader, "/cases?status=in_progress", 60, 20, 3,
                ("county_status", "BZ.RQ#in_progress", "BZ.HJ#in_progress")),
        Pattern(f"cases/mine: grid member {gm}", gm, "/cases/mine", 20, 20, 1, ("reporter", gm)),
        stats("statistics: county BZ.RQ, 2026-08", rq_leader, "BZ.RQ", "period=2026-08", "2026-08-01", "2026-08-31"),
        stats("statistics: prefecture BZ, June-August", bz_leader, "BZ", "from=2026-06-01&to=2026-08-31",
              "2026-06-01", "2026-08-31"),
        stats("statistics: prefecture BZ, year 2026", bz_leader, "BZ", "period=2026", "2026-01-01", "2026-12-31"),
    ]

    results, partitions, loads, answers, walks, subtree_walks = {}, {}, {}, {}, {}, {}
    counters: dict = defaultdict(dict)
    with Client(app, stage_name="local", project_dir=str(ROOT)) as client:
        for size, clones, per_grid in ((SIZES[0], recent, HOUSEHOLDS[0]), (SIZES[1], history, HOUSEHOLDS[1])):
            t0 = time.time()   # households first: moto's transactions are quicker on smaller tables
            made = add_households(per_grid, rng)
            print(f"  {made} households registered in {RANKING_VILLAGE} with their points of {RANKING_MONTH} "
                  f"({per_grid} a grid) in {time.time() - t0:.0f} s", flush=True)
            t0 = time.time()
            for c in clones:
                add_counters(counters, c)
            written = load(clones, counters)
            loads[size] = (time.time() - t0, written)
            print(f"  loaded {size:,} cases: +{written['cases']:,} cases, +{written['links']:,} inbox links, "
                  f"{written['counters']:,} counter items (re)written in {loads[size][0]:.0f} s", flush=True)
            partitions[size] = {p.name: sum(PARTITIONS[(p.size_key[0], k)] for k in p.size_key[1:]) if p.size_key
                                else None for p in patterns}
            t0 = time.time()
            results[size] = measure_all(client, patterns, lambda user: issuer.token(PEOPLE[user]))
            answers[size] = {p.name: results[size][p.name].answer for p in patterns}
            links, in_progress = PARTITIONS["inbox", department], PARTITIONS["inbox_status", department, "in_progress"]
            if size == SIZES[0] or WALK_LARGE:
                walks[size] = walk(client, issuer.token(PEOPLE[dept_user]), "/inbox?status=in_progress&limit=50") \
                    + (links, in_progress, "measured")
            else:  # the by-dept-status index holds only the matches: each page reads up to 50 of them
                pages = max(1, math.ceil(in_progress / 50))
                walks[size] = (pages, None, in_progress, in_progress, links, in_progress,
                               "computed: pages = matches / 50, from the status index")
            token = issuer.token(PEOPLE[township_user])
            subtree_walks[size] = {"by grid": walk(client, token, "/cases?limit=50")}
            closed = PARTITIONS["county_status", "BZ.RQ#closed"]
            if size == SIZES[0] or WALK_LARGE:
                subtree_walks[size]["closed, filtered"] = walk(client, token, "/cases?status=closed&limit=50") + \
                    ("measured",)
            else:   # each call evaluates 50 entries of the county's closed partition: moto walks its whole table
                matches = sum(1 for c in recent + history if c.template.case["status"]["S"] == "closed"
                              and within(c.template.case["grid"]["S"], FAR_TOWNSHIP))
                subtree_walks[size]["closed, filtered"] = (math.ceil(closed / 50), math.ceil(closed / 50), closed,
                                                           matches, "computed: calls = partition entries / 50")
            print(f"  measured at {size:,} in {time.time() - t0:.0f} s", flush=True)

    failed = report(patterns, results, partitions)
    print(f"\ninformational (not in the target): every in-progress case of {department}'s inbox, "
          f"walking GET /inbox?status=in_progress&limit=50 to its end:")
    for size, (pages, n_calls, scanned, matches, links, in_progress, how) in walks.items():
        print(f"  {size:>7,} cases: {pages:>4} pages, {n_calls if n_calls is not None else '-':>4} calls, "
              f"{scanned:>6,} inbox entries evaluated for {matches} matches "
              f"(inbox: {links:,} links, {in_progress} in progress; {how})")
    print(f"\nknown limit, walked to the end: every case of township {FAR_TOWNSHIP}, 50 a page. At the large size the "
          f"history holds none of its cases but {FAR_DOWN} older than all of it, so the county's other cases lie "
          f"between its recent ones and those:")
    for size, found in subtree_walks.items():
        (pages, n_calls, scanned, matches), how = found["by grid"], "measured"
        print(f"  {size:>7,} cases, /cases (grid by grid):          {pages:>5,} pages, {n_calls:>5,} calls, "
              f"{scanned:>7,} entries evaluated for {matches:,} cases ({how})")
        pages, n_calls, scanned, matches, how = found["closed, filtered"]
        print(f"  {size:>7,} cases, /cases?status=closed (filtered): {pages:>5,} pages, {n_calls:>5,} calls, "
              f"{scanned:>7,} entries evaluated for {matches:,} cases ({how})")
    import resource
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KB / KB
    print(f"\npeak memory (bench and moto in one process): {peak:.1f} GB")
    print(f"load time: {SIZES[0]:,} cases {loads[SIZES[0]][0]:.0f} s, "
          f"+{SIZES[1] - SIZES[0]:,} cases {loads[SIZES[1]][0]:.0f} s "
          f"(templates {templates_s:.0f} s); total {time.time() - started:.0f} s")
    def items(answer):   # a list's items (its cursor may differ: a partition finished only at the small size)
        return answer.get("items") if isinstance(answer, dict) else answer

    same_items = all(items(answers[SIZES[0]][p.name]) == items(answers[SIZES[1]][p.name])
                     for p in patterns if not p.counters and not p.known_limit)
    print(f"list answers identical at both sizes (the newest pages did not change): {'yes' if same_items else 'no'}")
    print(f"\ntarget: every pattern reads the same at {SIZES[0]:,} and {SIZES[1]:,} cases, within its page bound -> "
          f"{'met' if not failed else 'NOT met: ' + ', '.join(failed)}")
    return 1 if failed else 0


def report(patterns, results, partitions) -> list[str]:
    small, large = SIZES
    head = (f"{'pattern':<40} {'cases':>7} {'calls':>6} {'Count':>5} {'Scan':>5} {'keys':>5} {'items':>5} {'KB':>7} "
            f"{'RCU':>5} {'partition':>9}  {'same':<4}  bounded (page)")
    print("\nper request (Count, Scan = ScannedCount: index entries matched / evaluated by the Queries; keys, items = "
          "asked / found by\nBatchGetItem; KB = DynamoDB size of everything read; RCU computed from it; partition = "
          "entries in the\npartitions the Queries read). Statistics: the keys are the period's buckets x slices; the "
          "items found grow with\nthe months that have data, never with the cases, so keys and RCU are compared.\n")
    print(head)
    print("-" * len(head))
    failed = []
    for p in patterns:
        a, b = results[small][p.name], results[large][p.name]
        sa, sb = a.summary(), b.summary()
        if p.same_on:
            same = all(sa[i] == sb[i] for i in p.same_on)
        elif p.counters:   # calls, keys asked and read units; counter values have more digits at the large size
            same = (sa[0], sa[3], sa[6]) == (sb[0], sb[3], sb[6])
        else:
            same = sa == sb
        ok_a, why_a = bounded(p, a)
        ok_b, why_b = bounded(p, b)
        page = "known limit" if p.known_limit else f"{p.bound_entries} keys" if p.counters else (
            f"limit {p.bound_entries // p.partitions}" + (f" x {p.partitions} partitions" if p.partitions > 1 else ""))
        for size, s, m in ((small, sa, a), (large, sb, b)):
            part = partitions[size][p.name]
            line = (f"{p.name if size == small else '':<40} {size:>7,} {s[0]:>6} {s[1]:>5} {s[2]:>5} {s[3]:>5} "
                    f"{s[4]:>5} {s[5]:>7.2f} {s[6]:>5.1f} {'' if part is None else f'{part:,}':>9}")
            if size == large:
                line += f"  {'yes' if same else 'NO':<4}  " + (f"no: {p.known_limit}" if p.known_limit else
                                                               f"{'yes' if ok_a and ok_b else 'NO'} ({page})")
                if not (ok_a and ok_b) and not p.known_limit:
                    line += f" {why_a or why_b}"
            print(line)
        if not p.known_limit and not (same and ok_a and ok_b):
            failed.append(p.name)
    moto = defaultdict(set)
    for m in results[large].values():
        for c in m.calls:
            for cu in (c.moto_cu if isinstance(c.moto_cu, list) else [c.moto_cu] if c.moto_cu else []):
                moto[c.operation].add(cu.get("CapacityUnits"))
    print("\ncalls: Q = Query, B = BatchGetItem. Not used, moto's ConsumedCapacity: "
          + "; ".join(f"{op} {sorted(v)}" for op, v in sorted(moto.items()))
          + " (a constant per Query, the number of keys per BatchGetItem)")
    print(f"\ncalls at {large:,} cases, one line each:")
    for p in patterns:
        for c in results[large][p.name].calls:
            print(f"  {p.name:<40} {c.operation:<12} {c.target.replace('gridloop-local-', ''):<24} "
                  f"Limit={c.limit if c.limit is not None else '-':<3} Count={c.count:<3} ScannedCount={c.scanned:<3} "
                  f"keys={c.keys:<3} items={c.items:<3} {c.bytes / KB:7.2f} KB {c.rcu:4.1f} RCU"
                  f"{' (filtered)' if c.filtered else ''}")
    return failed


def walk(client, token: str, first: str) -> tuple[int, int, int, int]:
    """Informational (not part of the target): a list walked page after page to its end: pages, calls, index
    entries evaluated, items returned."""
    calls, pages, matches, cursor = [], 0, 0, None
    while True:
        path = first + (f"&cursor={cursor}" if cursor else "")
        response, page_calls = get(client, path, token)
        calls += page_calls
        body = json.loads(response.body)
        pages, matches, cursor = pages + 1, matches + len(body["items"]), body.get("cursor")
        if not cursor:
            scanned = sum(c.response.get("ScannedCount", 0) for c in calls if c.operation == "Query")
            return pages, len(calls), scanned, matches


if __name__ == "__main__":
    install().add_listener(RECORDER)          # before any botocore client exists
    local_issuer = LocalIssuer(Path(tempfile.mkdtemp(prefix="gridloop-bench-keys-"))).ensure_keys()
    os.environ.update(app_environment(issuer=local_issuer))
    local_aws = LocalAWS().start()
    try:
        local_aws.create_resources()          # tables, queues, state machine, bucket: as `make run` creates them
        code = main(local_aws, local_issuer)
    finally:
        local_aws.stop()
        shutil.rmtree(local_issuer.directory, ignore_errors=True)
    sys.exit(code)
