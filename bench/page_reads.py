"""O(page) reads: what one call of each list and statistics endpoint reads, at 1,000 and at 100,000 cases.

Runs against the embedded AWS (moto on 127.0.0.1), through the Chalice app itself (chalice.test.Client with
local tokens), and counts every DynamoDB call the request makes with botocore event hooks installed on every
DynamoDB client, PynamoDB's included. Per call: operation, Count, ScannedCount, items returned, the DynamoDB
size of the items read (AWS's sizing rules, computed from the raw response) and the read units that size
costs. moto's ConsumedCapacity is a constant per call, so read units are computed from item sizes: a Query
costs ceil(size of the entries it evaluated / 4 KB) units, a BatchGetItem ceil(item / 4 KB) per item, halved
when eventually consistent (minimum 0.5). A Query whose filter dropped entries is re-run once without its
filter (outside the measurement) to size the entries it evaluated.

The fixture: cases are first made through the real write path (services over DynamoUnitOfWork), one
template per grid, stage and a few categories; their items (case with its 6 index keys, inbox links,
statistics and scorecard counters the transaction added) are then cloned with batch writes: new ULIDs of the
clone's intake time, new case numbers, every timestamp shifted; the counters each clone's actions add on its
own dates are summed and put as whole items (the totals the transactions' ADDs would reach). First 1,000 cases from 1 June to 1 September
2026 (statuses of a working deployment: a backlog in the queues and inboxes), measured; then 99,000 older
cases (June 2024 to May 2026, mostly closed, with a stuck backlog) are added, and the same calls are measured
again. The newest page of every list is the same at both sizes, so any difference is the table's size.
Timeline and outbox items are not cloned: none of the measured reads touches them.

Target (issue 9): every call reads the same items and read units at 1,000 and at 100,000 cases, bounded by
the page: a list reads <= limit index entries per partition (county) and <= limit cases; a statistics read
asks for the period's buckets x slices (chalicelib.services.statistics), in BatchGets of <= 100 keys sent in
parallel. Exit status 1 if a pattern differs between the sizes or exceeds its bound. moto answers an index
query by walking the whole table, so its latency is not the measure.

    .venv/bin/python bench/page_reads.py            # 1,000 then 100,000 cases (about 5 minutes, 1.5 GB)
    .venv/bin/python bench/page_reads.py 5000       # a smaller second size, for a quick try
    .venv/bin/python bench/page_reads.py --walk     # also walk the filtered inbox to its end at the large size
"""
from __future__ import annotations

import copy
import math
import os
import random
import re
import zlib
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.update({"STAGE": "local", "TABLE_PREFIX": "gridloop-local-", "COUNTY": "demo"})

from local.issuer import LocalIssuer  # noqa: E402

ISSUER = LocalIssuer(Path(tempfile.mkdtemp(prefix="gridloop-bench-keys-"))).ensure_keys()
os.environ.update(ISSUER.environment())

# -- measurement: a hook on every DynamoDB client, installed before any client exists ---------------------------
import botocore.session  # noqa: E402

KB = 1024
RECORDING: list | None = None       # the calls of the request being measured; None: not measuring
_quiet = threading.local()           # set while the bench itself talks to DynamoDB inside a hook
HOOK_ERRORS: list[str] = []         # a call the hook could not size: the run fails
SIZING_OFF = [False]                 # True: do not size the entries a filter dropped (the walk counts entries only)


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
class Call:
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
    if SIZING_OFF[0] or "FilterExpression" not in params or parsed.get("ScannedCount", 0) == parsed.get("Count", 0):
        return parsed.get("Items", [])
    query = {k: v for k, v in params.items() if k not in ("FilterExpression", "ReturnConsumedCapacity")}
    used = set(re.findall(r"[#:]\w+", " ".join(query.get(k, "") for k in ("KeyConditionExpression",
                                                                           "ProjectionExpression"))))
    for key in ("ExpressionAttributeNames", "ExpressionAttributeValues"):
        if key in query:
            query[key] = {k: v for k, v in query[key].items() if k in used} or None
            if query[key] is None:
                del query[key]
    _quiet.on = True
    try:
        items = getattr(DIAGNOSTIC_CLIENT, operation.lower())(**query)["Items"]
    finally:
        _quiet.on = False
    assert len(items) == parsed["ScannedCount"], (len(items), parsed["ScannedCount"])
    return items


def _before_call(params, context, **_):
    if RECORDING is not None and not getattr(_quiet, "on", False):
        context["bench_params"] = copy.deepcopy(params)


def _after_call(http_response, parsed, model, context, **_):
    calls = RECORDING
    if calls is None or getattr(_quiet, "on", False):
        return
    try:
        _record(calls, model.name, context.get("bench_params", {}), parsed)
    except Exception as exc:  # the bench's own mistake must not fail the request it measures
        HOOK_ERRORS.append(f"{model.name}: {exc!r}")


def _record(calls: list, op: str, params: dict, parsed: dict) -> None:
    call = Call(op, params.get("TableName", ""), moto_cu=parsed.get("ConsumedCapacity"))
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
    calls.append(call)


_create_client = botocore.session.Session.create_client


def _hooked_create_client(self, service_name, *args, **kwargs):
    client = _create_client(self, service_name, *args, **kwargs)
    if service_name == "dynamodb":
        client.meta.events.register("before-parameter-build.dynamodb", _before_call)
        client.meta.events.register("after-call.dynamodb", _after_call)
    return client


botocore.session.Session.create_client = _hooked_create_client

# -- the embedded AWS and the app ----------------------------------------------------------------------------
from local.moto_server import EmbeddedAWS, client_environment  # noqa: E402

aws = EmbeddedAWS().start()
os.environ.update(client_environment(aws.url, "cn-northwest-1"))

import json  # noqa: E402

import boto3  # noqa: E402
from ulid import ULID  # noqa: E402

from chalicelib import runtime  # noqa: E402
from chalicelib.adapters import outbox  # noqa: E402
from chalicelib.adapters.unit_of_work import DynamoUnitOfWork  # noqa: E402
from chalicelib.adapters.models import AssignmentItem, CaseItem, ScorecardItem, StatItem  # noqa: E402
from chalicelib.county_config import load  # noqa: E402
from chalicelib.domain import aggregates  # noqa: E402
from chalicelib.domain.jurisdiction import within  # noqa: E402
from chalicelib.domain.roles import Principal  # noqa: E402
from chalicelib.services import cases, statistics  # noqa: E402
from chalicelib.domain import commands  # noqa: E402
from local.aws_resources import create_all  # noqa: E402
from local.seed import load_people  # noqa: E402

CONFIG = load("demo")
TZ = CONFIG.timezone
J = CONFIG.jurisdiction
NOW = datetime(2026, 9, 1, 2, 0, tzinfo=timezone.utc)                    # 10:00 on 1 September, Beijing
RECENT = (datetime(2026, 5, 31, 16, 0, tzinfo=timezone.utc), NOW)        # 1 June 00:00 Beijing .. now
HISTORY = (datetime(2024, 5, 31, 16, 0, tzinfo=timezone.utc), RECENT[0])  # June 2024 .. May 2026
ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
SIZES = (1_000, int(ARGS[0]) if ARGS else 100_000)   # `page_reads.py 5000`: a smaller second size, for a quick try
WALK_LARGE = "--walk" in sys.argv                    # also walk the filtered inbox at the large size (minutes on moto)
TEMPLATE_BASE = datetime(2026, 8, 3, 2, 0, tzinfo=timezone.utc)          # a Monday, 10:00 Beijing


def start_resources() -> None:
    os.environ.update(create_all(aws.url))   # tables, queues, state machine, bucket: as `make run` creates them


start_resources()
DIAGNOSTIC_CLIENT = boto3.client("dynamodb")
DB = boto3.client("dynamodb")       # the bench's own reads and batch writes (never measured)

# -- templates: cases made through the real write path -----------------------------------------------------------
PEOPLE = {u["user_id"]: u for u in load_people(CONFIG)["users"]}


def _principal(u: dict) -> Principal:
    return Principal(u["user_id"], u["role"], u.get("name", ""), node=u.get("node"), department=u.get("department"),
                     grid=u.get("grid"))


GRID_MEMBER = {u["grid"]: _principal(u) for u in PEOPLE.values() if u["role"] == "grid_member"}
CENTER_STAFF = {u["node"]: _principal(u) for u in PEOPLE.values() if u["role"] in ("station", "dispatcher")}
DEPARTMENT_STAFF = {u["department"]: _principal(u) for u in PEOPLE.values() if u["role"] == "department"}
LEADER = {u["node"]: u for u in PEOPLE.values() if u["role"] == "leader"}

TEXTS = {  # category -> (title, description): what grid members write
    "irrigation": ("村东72亩耕地灌溉渠至今未通水", "春灌开始后，村东片区的支渠一直没有放水，72亩棉花地已经出现旱情。农户多次到村委会反映，希望水管站尽快疏通渠道、安排轮灌时间。"),
    "drinking_water": ("三组自来水管网压力不足，早晚停水", "近两周三组、四组居民家中自来水早晚时段水压很低，高层住户基本无水。老人和孩子用水困难，请尽快检修加压泵站。"),
    "road_repair": ("通村道路路基塌陷，车辆无法通行", "连日降雨后通往牧业点的砂石路有一段约15米路基塌陷，拉运饲草的车辆无法通行，存在安全隐患，请交通部门尽快抢修。"),
    "street_lighting": ("主街路灯大面积不亮", "镇区主街从学校到农贸市场一段约20盏路灯晚上不亮，学生晚自习放学路上很黑，群众担心安全，请城管部门检修线路。"),
    "garbage_sanitation": ("垃圾收集点清运不及时", "小区东侧垃圾收集点已经三天没有清运，垃圾外溢，气味很大，夏季容易滋生蚊蝇，请村里协调保洁员及时清运。"),
    "low_rent_housing": ("公租房屋顶漏雨，申请维修", "住户反映所住公租房屋顶防水层老化，下雨时卧室和厨房漏水严重，墙面已经发霉，家中有老人，请住建部门尽快安排维修。"),
    "social_assistance": ("困难家庭申请临时救助", "该户家庭主要劳动力因病住院，医疗费用负担重，孩子上学有困难，希望了解临时救助和低保的申请条件和办理流程。"),
    "flood_damage": ("山洪冲毁农田防护堤", "前晚山洪冲毁了河边约30米的农田防护堤，两户农户的玉米地被淹，如再次降雨可能威胁住房安全，请乡镇组织排查加固。"),
    "grassland_livestock": ("牧民反映草场补奖资金未到位", "部分牧户反映今年草原生态保护补助奖励资金还未发放到户，想了解发放进度和核定面积，希望草原站给予答复。"),
    "public_security": ("夜间有人在村口聚集喝酒闹事", "近一周每天夜里有几名外来人员在村口小卖部门前喝酒喧哗，影响周边群众休息，还发生过推搡，请派出所加强巡逻。"),
    "land_boundary": ("两户因承包地边界发生争执", "两户村民因相邻承包地的地界走向说法不一，今年春耕时发生争执，一方已经拔掉界桩，双方情绪激动，需要自然资源部门现场确界。"),
    "neighbour": ("邻里因院墙排水问题发生矛盾", "两户邻居因院墙排水管方向问题发生口角，一方认为雨水排到自家院内，双方多次争吵，需要网格员和村调委会上门调解。"),
    "family": ("家庭赡养纠纷，老人无人照料", "老人有三个子女，因赡养费用分担问题互相推诿，老人独居生活困难，希望司法所组织家庭调解，明确赡养责任。"),
    "wage_arrears": ("施工队拖欠农民工工资", "12名村民在镇上一处工地务工三个月，包工头以工程款未结为由拖欠工资约18万元，临近开学急需用钱，请人社部门介入。"),
    "grassland_contract": ("草场承包合同到期续签争议", "两个牧业小组对一块冬草场的承包合同到期后由谁续签存在争议，双方各执一词，放牧时已发生冲突，请草原部门调处。"),
}
DISPATCHED_STAGES = ("reported", "accepted", "dispatched", "in_progress", "extension", "resolved", "closed", "rejected")
ON_SPOT_STAGES = ("v_reported", "v_accepted", "v_resolved", "v_closed", "v_rejected")
# stage weights (percent) of the recent 1,000 and of the 99,000 older cases
RECENT_MIX = {"reported": 4, "accepted": 6, "dispatched": 8, "in_progress": 10, "extension": 2, "resolved": 8,
              "closed": 38, "rejected": 6, "v_reported": 1, "v_accepted": 2, "v_resolved": 3, "v_closed": 10,
              "v_rejected": 2}
HISTORY_MIX = {"reported": 0.2, "accepted": 0.5, "dispatched": 0.5, "in_progress": 1.5, "extension": 0.3,
               "resolved": 1, "closed": 66, "rejected": 7, "v_reported": 0.1, "v_accepted": 0.1, "v_resolved": 1,
               "v_closed": 19.8, "v_rejected": 2}
OPEN_STAGES = {"reported", "accepted", "v_reported", "v_accepted"}              # intake in the last days
WORKING_STAGES = {"dispatched", "in_progress", "extension", "resolved"}          # intake in the last month


@dataclass
class Template:
    stage: str
    case: dict                              # the raw case item, as the adapter wrote it
    links: list[dict]                       # its raw inbox links
    commits: list                           # [(offset from intake, [(table, node, period kind, attribute, n)])]
    created: datetime
    span: timedelta
    doc_parts: list = field(default_factory=list)


_capture: list = []
_action_time: list = [TEMPLATE_BASE]


class RecordingUnitOfWork(DynamoUnitOfWork):
    """The real unit of work; it also notes which counters each commit added, to clone them."""

    def commit(self) -> None:
        _capture.append((_action_time[0], list(self.increments)))
        super().commit()


def _template(grid: str, category: str, stage: str, rng: random.Random) -> tuple[str, datetime]:
    """Play one case to `stage` through the services; returns its id and the time of its last action."""
    spec = CONFIG.categories[category]
    village = J.ancestor_at(grid, "village").code
    gm, station = GRID_MEMBER[grid], CENTER_STAFF[village]
    t = TEMPLATE_BASE + timedelta(minutes=rng.randint(0, 600))
    cell = dict(CONFIG.grid_boundaries)[grid][0][0]
    title, description = TEXTS[category]
    body = commands.ReportCase(
        kind=spec.kind, category=category, title=title, description=description, grid=grid,
        location=commands.Location(lat=cell[1] + rng.uniform(0.001, 0.009), lon=cell[0] + rng.uniform(0.001, 0.009),
                                   address=f"{J.node(village).names['zh']}{rng.randint(1, 9)}组{rng.randint(1, 60)}号"),
        urgency=rng.choice(["normal"] * 8 + ["urgent"]),
        residents=[commands.Resident(name=rng.choice("王李张刘陈杨赵黄周吴") + "某", phone=f"139{rng.randint(0, 10**8 - 1):08d}")
                   for _ in range(rng.randint(1, 2))])
    _action_time[0] = t
    case_id = cases.report_case(RecordingUnitOfWork(), CONFIG, gm, body, t)["id"]

    def act(who, action, command, minutes):
        nonlocal t
        t = t + timedelta(minutes=minutes)
        _action_time[0] = t
        return cases.act(RecordingUnitOfWork(), CONFIG, who, case_id, action, command, t)

    if stage in ("reported", "v_reported"):
        return case_id, t
    if stage in ("rejected", "v_rejected"):
        act(station, "reject", commands.Reason(reason="不属于网格事项，已告知当事人通过诉讼途径解决"), rng.randint(10, 120))
        return case_id, t
    accepted = act(station, "accept", commands.Accept(kind=spec.kind, category=category, urgency=body.urgency,
                                                      public_summary=title[:12]), rng.randint(5, 90))
    if stage == "v_accepted" or stage == "accepted":
        return case_id, t
    if stage.startswith("v_"):
        act(station, "resolve_on_spot", commands.Note(note="网格员和调委会上门协调，当场处理完毕"), rng.randint(10, 600))
    else:
        center = accepted["center"]
        lead = next(d.id for d in J.departments_of_kind(spec.routing.department_kind, grid) if within(d.node, center))
        others = [d.id for d in J.departments.values() if d.node == J.department(lead).node and d.id != lead]
        co = [rng.choice(others)] if others and rng.random() < 0.4 else []
        dispatched = act(CENTER_STAFF[center], "dispatch", commands.Dispatch(lead=lead, co_handlers=co, note="请按时办结"),
                         rng.randint(10, 240))
        if stage == "dispatched":
            return case_id, t
        act(DEPARTMENT_STAFF[lead], "acknowledge", commands.OptionalNote(note="已接单"),
            rng.choice([20, 90, 300, 1200, 2000]))
        for c in co:
            act(DEPARTMENT_STAFF[c], "acknowledge", commands.OptionalNote(), rng.randint(10, 600))
        if stage == "in_progress":
            return case_id, t
        if stage == "extension":
            due = datetime.fromisoformat(dispatched["deadlines"]["resolve_due"].replace("Z", "+00:00"))
            act(DEPARTMENT_STAFF[lead], "request_extension", commands.ExtensionRequest(
                requested_due=due + timedelta(days=7), reason="需协调上级资金，申请延期一周"), rng.randint(600, 2000))
            return case_id, t
        act(DEPARTMENT_STAFF[lead], "resolve", commands.Resolve(note="已现场处理，群众认可"),
            rng.choice([60, 400, 1500, 3000, 6000, 12000]))
    if stage in ("resolved", "v_resolved"):
        return case_id, t
    scores = commands.Scores(response_speed=rng.randint(3, 5), performance=rng.randint(3, 5),
                             completion=rng.randint(3, 5), feedback=rng.randint(3, 5))
    act(gm, "evaluate", commands.Evaluate(scores=scores,
                                          verdict=rng.choice(["good"] * 6 + ["fair"])), rng.randint(60, 4000))
    return case_id, t


def _scan(table: str) -> list[dict]:
    items, kwargs = [], {"TableName": table}
    while True:
        page = DB.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


TIMESTAMP = re.compile(r'"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"')


def make_templates(rng: random.Random) -> list[Template]:
    """Templates per grid; the tables are emptied after each grid. The effects a commit hands to the outbox
    (timers, notifications) stay pending: the clones need the transaction's items, not their side effects."""
    carry_out_all, outbox.carry_out_all = outbox.carry_out_all, lambda effects: []
    try:
        return _make_templates(rng)
    finally:
        outbox.carry_out_all = carry_out_all


def _make_templates(rng: random.Random) -> list[Template]:
    dispatchable = [c for c, s in CONFIG.categories.items() if s.routing.department_kind]
    on_spot = [c for c, s in CONFIG.categories.items() if not s.routing.department_kind]
    templates = []
    for gi, grid in enumerate(sorted(GRID_MEMBER)):
        made = []
        for si, stage in enumerate(DISPATCHED_STAGES + ON_SPOT_STAGES):
            pool = on_spot if stage.startswith("v_") else dispatchable
            for k in range(2):
                category = pool[(gi * 2 + si * 3 + k) % len(pool)]
                _capture.clear()
                case_id, last = _template(grid, category, stage, rng)
                created = _capture[0][0]
                made.append((case_id, stage, created, last - created,
                             [(when - created, incs) for when, incs in _capture]))
        raw_cases = {i["case_id"]["S"]: i for i in _scan(CaseItem.Meta.table_name)}
        raw_links = defaultdict(list)
        for link in _scan(AssignmentItem.Meta.table_name):
            raw_links[link["case_id"]["S"]].append(link)
        for case_id, stage, created, span, commits in made:
            template = Template(stage, raw_cases[case_id], raw_links[case_id], [], created, span)
            templates.append(_prepare(template, commits))
        aws.reset()           # moto copies whole tables in every transaction: keep them small (DESIGN §10)
        start_resources()
    return templates


PERIOD = re.compile(r"([DMY])\d{4}(-\d\d){0,2}|\d{4}")   # a counter key's period part (scorecards: the year)


def _prepare(t: Template, commits) -> Template:
    """Split the doc around its id, number and timestamps; the counters keyed by what their period part is."""
    doc = zlib.decompress(t.case["doc"]["B"]).decode().replace(t.case["case_id"]["S"], "\x00id\x00").replace(t.case["number"]["S"], "\x00no\x00")
    t.doc_parts = TIMESTAMP.split(doc)
    for i in range(1, len(t.doc_parts), 2):
        t.doc_parts[i] = datetime.fromisoformat(t.doc_parts[i])
    assert not re.search(r"\d{4}-\d\d-\d\dT", "".join(t.doc_parts[0::2])), "a timestamp the clone would not shift"
    for offset, increments in commits:
        when = t.created + offset
        local = when.astimezone(TZ)
        reduced = []
        for inc in increments:
            parts = inc.key.split("#")
            at = next(i for i, part in enumerate(parts) if PERIOD.fullmatch(part))
            period = parts[at]
            if inc.table == aggregates.STATS:
                assert period in aggregates.period_keys(when, TZ), (inc, when)  # counted on the action's date
            else:
                assert period == f"{local:%Y}", (inc, when)
            kind = period[0] if period[0] in "DMY" else "S"
            reduced.append((inc.table, "#".join(parts[:at]), kind, "#".join(parts[at + 1:]), inc.attribute, inc.delta))
        t.commits.append((offset, reduced))
    return t


# -- clones ---------------------------------------------------------------------------------------------------------
@dataclass
class Clone:
    template: Template
    created: datetime
    case_id: str = ""
    number: str = ""


def plan(templates: list[Template], rng: random.Random) -> tuple[list[Clone], list[Clone]]:
    """1,000 recent cases and 99,000 older ones; ids are ULIDs of the intake time, numbers per county and year."""
    by_stage = defaultdict(list)
    for t in templates:
        by_stage[t.stage].append(t)

    def draw(n, mix, window, recent):
        stages = rng.choices(list(mix), weights=list(mix.values()), k=n)
        out = []
        for stage in stages:
            t = rng.choice(by_stage[stage])
            start, end = window
            if recent and stage in OPEN_STAGES:
                start = end - timedelta(days=5)
            elif recent and stage in WORKING_STAGES:
                start = end - timedelta(days=30)
            latest = end - t.span - timedelta(minutes=1)
            out.append(Clone(t, start + (latest - start) * rng.random()))
        return out

    recent = draw(SIZES[0], RECENT_MIX, RECENT, True)
    history = draw(SIZES[1] - SIZES[0], HISTORY_MIX, HISTORY, False)
    sequence = Counter()
    for c in sorted(recent + history, key=lambda c: c.created):
        ms = int(c.created.timestamp() * 1000)
        c.case_id = str(ULID.from_int((ms << 80) | rng.getrandbits(80)))
        prefix = c.template.case["number"]["S"].split("-")[0]
        year = c.created.astimezone(TZ).year
        sequence[prefix, year] += 1
        c.number = f"{prefix}-{year}-{sequence[prefix, year]:06d}"
    return recent, history


def _shift(when: datetime, delta: timedelta) -> str:
    return f"{when + delta:%Y-%m-%dT%H:%M:%SZ}"


def clone_items(c: Clone):
    """The clone's case item and inbox links: the template's, with its id, number and times."""
    t, delta = c.template, c.created - c.template.created
    parts = t.doc_parts
    doc = "".join(p if i % 2 == 0 else f'"{_shift(p, delta)}"' for i, p in enumerate(parts))
    item = dict(t.case)
    item.update(case_id={"S": c.case_id}, number={"S": c.number},
                doc={"B": zlib.compress(doc.replace("\x00id\x00", c.case_id).replace("\x00no\x00", c.number).encode())})
    links = [{**link, "case_id": {"S": c.case_id}} for link in t.links]
    return item, links


def add_counters(counters: dict, c: Clone) -> None:
    """The counters the clone's actions add, on the clone's own dates (what the transactions would ADD)."""
    t, delta = c.template, c.created - c.template.created
    for offset, increments in t.commits:
        local = (t.created + offset + delta).astimezone(TZ)
        periods = {"D": f"D{local:%Y-%m-%d}", "M": f"M{local:%Y-%m}", "Y": f"Y{local:%Y}", "S": f"{local:%Y}"}
        for table, head, kind, tail, attribute, n in increments:
            bucket = counters[table, f"{head}#{periods[kind]}#{tail}" if tail else f"{head}#{periods[kind]}"]
            bucket[attribute] = bucket.get(attribute, 0) + n


def batch_write(table: str, items) -> int:
    """BatchWriteItem, 25 items a call, retrying what DynamoDB leaves unprocessed."""
    written, chunk = 0, []

    def flush(chunk):
        request = {table: [{"PutRequest": {"Item": i}} for i in chunk]}
        while request:
            request = DB.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}

    for item in items:
        chunk.append(item)
        if len(chunk) == 25:
            flush(chunk)
            written, chunk = written + 25, []
    if chunk:
        flush(chunk)
        written += len(chunk)
    return written


PARTITIONS = Counter()   # (index, key) -> entries in the fixture, to show how big each partition the calls read is


def load(clones: list[Clone], counters: dict) -> dict:
    """Batch-write the clones' cases and links, and every counter item (rewritten with the new totals)."""
    links_out = []

    def case_items():
        for c in clones:
            item, links = clone_items(c)
            links_out.extend(links)
            for index, attribute in (("queue", "queue_center"), ("county", "county"),
                                     ("county_status", "county_status"), ("reporter", "reporter_id")):
                if attribute in item:
                    PARTITIONS[index, item[attribute]["S"]] += 1
            for link in links:
                PARTITIONS["inbox", link["department"]["S"]] += 1
                PARTITIONS["inbox_status", link["department"]["S"], link["status"]["S"]] += 1
            yield item

    n_cases = batch_write(CaseItem.Meta.table_name, case_items())
    n_links = batch_write(AssignmentItem.Meta.table_name, links_out)
    tables = {aggregates.STATS: StatItem.Meta.table_name, aggregates.SCORECARDS: ScorecardItem.Meta.table_name}
    n_counters = 0
    for table, name in tables.items():
        n_counters += batch_write(name, ({"key": {"S": key}, **{a: {"N": str(v)} for a, v in values.items()}}
                                         for (t, key), values in counters.items() if t == table))
    return {"cases": n_cases, "links": n_links, "counters": n_counters}


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


def measure_all(client, patterns: list[Pattern]) -> dict[str, Measure]:
    global RECORDING
    out: dict[str, Measure] = {}
    for p in patterns:
        path = p.path
        if p.cursor_of:
            path += ("&" if "?" in path else "?") + "cursor=" + out[p.cursor_of].answer["cursor"]
        calls = []
        RECORDING = calls
        try:
            response = client.http.get(path, headers={"Authorization": f"Bearer {ISSUER.token(PEOPLE[p.user])}"})
        finally:
            RECORDING = None
        out[p.name] = Measure(calls, response.status_code, json.loads(response.body or b"{}"))
        if response.status_code != 200:
            raise SystemExit(f"{p.name}: {p.path} answered {response.status_code}: {response.body[:300]}")
    return out


def bounded(p: Pattern, m: Measure) -> tuple[bool, str]:
    queries = [c for c in m.calls if c.operation == "Query"]
    problems = []
    if any(c.operation == "Scan" for c in m.calls):
        problems.append("scan")
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
        if len(m.calls) > p.partitions + 1:
            problems.append(f"{len(m.calls)} calls")
    return not problems, "; ".join(problems)


def main():
    started = time.time()
    rng = random.Random(9)
    print("making templates through the real write path (services + DynamoUnitOfWork)...", flush=True)
    templates = make_templates(rng)
    templates_s = time.time() - started
    print(f"  {len(templates)} template cases in {templates_s:.0f} s", flush=True)
    recent, history = plan(templates, rng)

    from chalice.test import Client
    from app import app
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

    patterns = [
        Pattern(f"inbox: department {department}", dept_user, "/inbox", 20, 20, 1, ("inbox", department)),
        Pattern(f"inbox: {department} ?status=in_progress", dept_user, f"/inbox?status=in_progress&limit={status_limit}",
                status_limit, status_limit, 1, ("inbox", department)),
        Pattern("queue: county center BZ.RQ", county_user, "/queue", 20, 20, 1, ("queue", "BZ.RQ")),
        Pattern(f"queue: village station {station}", station_user, f"/queue?limit={station_limit}",
                station_limit, station_limit, 1, ("queue", station)),
        Pattern("cases: county leader BZ.RQ", rq_leader, "/cases", 20, 20, 1, ("county", "BZ.RQ")),
        Pattern("cases: township BZ.RQ.TGLK (filter)", township_user, "/cases", 20, 20, 1, ("county", "BZ.RQ")),
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

    results, partitions, loads, answers, walks = {}, {}, {}, {}, {}
    counters: dict = defaultdict(dict)
    with Client(app, stage_name="local", project_dir=str(ROOT)) as client:
        for size, clones in ((SIZES[0], recent), (SIZES[1], history)):
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
            results[size] = measure_all(client, patterns)
            answers[size] = {p.name: results[size][p.name].answer for p in patterns}
            links, in_progress = PARTITIONS["inbox", department], PARTITIONS["inbox_status", department, "in_progress"]
            if size == SIZES[0] or WALK_LARGE:
                walks[size] = walk(client, dept_user) + (links, in_progress, "measured")
            else:  # the by-dept-status index holds only the matches: each page reads up to 50 of them
                pages = max(1, math.ceil(in_progress / 50))
                walks[size] = (pages, None, in_progress, in_progress, links, in_progress,
                               "computed: pages = matches / 50, from the status index")
            print(f"  measured at {size:,} in {time.time() - t0:.0f} s", flush=True)

    failed = report(patterns, results, partitions)
    print(f"\ninformational (not in the target): every in-progress case of {department}'s inbox, "
          f"walking GET /inbox?status=in_progress&limit=50 to its end:")
    for size, (pages, n_calls, scanned, matches, links, in_progress, how) in walks.items():
        print(f"  {size:>7,} cases: {pages:>4} pages, {n_calls if n_calls is not None else '-':>4} calls, "
              f"{scanned:>6,} inbox entries evaluated for {matches} matches "
              f"(inbox: {links:,} links, {in_progress} in progress; {how})")
    import resource
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KB / KB
    print(f"\npeak memory (bench and moto in one process): {peak:.1f} GB")
    print(f"load time: {SIZES[0]:,} cases {loads[SIZES[0]][0]:.0f} s, "
          f"+{SIZES[1] - SIZES[0]:,} cases {loads[SIZES[1]][0]:.0f} s "
          f"(templates {templates_s:.0f} s); total {time.time() - started:.0f} s")
    same_items = all(answers[SIZES[0]][p.name].get("items") == answers[SIZES[1]][p.name].get("items")
                     for p in patterns if not p.counters)
    print(f"list answers identical at both sizes (the newest pages did not change): {'yes' if same_items else 'no'}")
    print(f"\ntarget: every pattern reads the same at {SIZES[0]:,} and {SIZES[1]:,} cases, within its page bound -> "
          f"{'met' if not failed else 'NOT met: ' + ', '.join(failed)}")
    if HOOK_ERRORS:
        print("the measuring hook failed on:", *HOOK_ERRORS[:5], sep="\n  ")
    return 1 if failed or HOOK_ERRORS else 0


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
        if p.counters:   # calls, keys asked and read units; counter values have more digits at the large size
            same = (sa[0], sa[3], sa[6]) == (sb[0], sb[3], sb[6])
        else:
            same = sa == sb
        ok_a, why_a = bounded(p, a)
        ok_b, why_b = bounded(p, b)
        page = f"{p.bound_entries} keys" if p.counters else (
            f"limit {p.bound_entries // p.partitions}" + (f" x {p.partitions} partitions" if p.partitions > 1 else ""))
        for size, s, m in ((small, sa, a), (large, sb, b)):
            part = partitions[size][p.name]
            line = (f"{p.name if size == small else '':<40} {size:>7,} {s[0]:>6} {s[1]:>5} {s[2]:>5} {s[3]:>5} "
                    f"{s[4]:>5} {s[5]:>7.2f} {s[6]:>5.1f} {'' if part is None else f'{part:,}':>9}")
            if size == large:
                line += f"  {'yes' if same else 'NO':<4}  {'yes' if ok_a and ok_b else 'NO'} ({page})"
                if not (ok_a and ok_b):
                    line += f" {why_a or why_b}"
            print(line)
        if not (same and ok_a and ok_b):
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


def walk(client, dept_user: str) -> tuple[int, int, int, int]:
    """Informational (not part of the target): every in-progress case of an inbox, page after page. The status
    index (`by-dept-status`) holds only matching links, so the walk reads matches, not the inbox's history."""
    global RECORDING
    calls, pages, matches, cursor = [], 0, 0, None
    SIZING_OFF[0] = True
    while True:
        path = "/inbox?status=in_progress&limit=50" + (f"&cursor={cursor}" if cursor else "")
        RECORDING = calls
        try:
            response = client.http.get(path, headers={"Authorization": f"Bearer {ISSUER.token(PEOPLE[dept_user])}"})
        finally:
            RECORDING = None
        body = json.loads(response.body)
        pages, matches, cursor = pages + 1, matches + len(body["items"]), body.get("cursor")
        if not cursor:
            SIZING_OFF[0] = False
            return pages, len(calls), sum(c.scanned for c in calls if c.operation == "Query"), matches


if __name__ == "__main__":
    try:
        code = main()
    finally:
        aws.stop()
        shutil.rmtree(ISSUER.directory, ignore_errors=True)
    sys.exit(code)
