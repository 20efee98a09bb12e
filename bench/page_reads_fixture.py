"""The fixture of bench/page_reads.py: cases made through the real write path (services over the DynamoDB unit
of work), one template per grid, stage and a few categories, then cloned with batch writes, counters included.

Import it once the local stack is up and the app's environment set (bench/page_reads.py does): the app reads its
environment at import.
"""
from __future__ import annotations

import random
import re
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache

import boto3
from ulid import ULID

from chalicelib.services import dispatcher
from chalicelib.adapters.unit_of_work import DynamoUnitOfWork
from chalicelib.adapters.models import AssignmentItem, CaseItem, ScorecardItem, StatItem
from chalicelib.county_config import load
from chalicelib.domain import aggregates
from chalicelib.domain.jurisdiction import within
from chalicelib.domain.roles import Principal
from chalicelib.domain import commands
from chalicelib.services import cases
from local.seed import load_people

CONFIG = load("demo")
TZ = CONFIG.timezone
J = CONFIG.jurisdiction
NOW = datetime(2026, 9, 1, 2, 0, tzinfo=timezone.utc)                    # 10:00 on 1 September, Beijing
RECENT = (datetime(2026, 5, 31, 16, 0, tzinfo=timezone.utc), NOW)        # 1 June 00:00 Beijing .. now
HISTORY = (datetime(2024, 5, 31, 16, 0, tzinfo=timezone.utc), RECENT[0])  # June 2024 .. May 2026
TEMPLATE_BASE = datetime(2026, 8, 3, 2, 0, tzinfo=timezone.utc)          # a Monday, 10:00 Beijing


@lru_cache(maxsize=1)
def db():
    """The bench's own reads and batch writes (never measured)."""
    return boto3.client("dynamodb")


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
# Subtree lists with their matches far down the county's partition: the 99,000 older cases hold none of this
# township's, except FAR_DOWN cases older than all of them (April-May 2024), so the whole history lies between the
# township's recent cases and its older ones.
FAR_TOWNSHIP = "BZ.RQ.TGLK"
FAR_DOWN = 20
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

    def _commit(self) -> None:
        _capture.append((_action_time[0], list(self.increments)))
        super()._commit()


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
        page = db().scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


TIMESTAMP = re.compile(r'"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"')


def make_templates(rng: random.Random, aws) -> list[Template]:
    """Templates per grid; the tables are emptied after each grid (`aws`: support.local_aws.LocalAWS). The
    effects a commit hands to the outbox (timers, notifications) stay pending: the clones need the transaction's
    items, not their side effects."""
    dispatch, dispatcher.dispatch = dispatcher.dispatch, lambda effects, carrier: []
    try:
        return _make_templates(rng, aws)
    finally:
        dispatcher.dispatch = dispatch


def _make_templates(rng: random.Random, aws) -> list[Template]:
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
        aws.reset()           # moto copies whole tables in every transaction: keep them small
        aws.create_resources()
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


def plan(templates: list[Template], rng: random.Random, sizes: tuple[int, int]) -> tuple[list[Clone], list[Clone]]:
    """`sizes`: 1,000 recent cases and 99,000 older ones (100,000 in all); ids are ULIDs of the intake time,
    numbers per county and year."""
    by_stage, elsewhere, far = defaultdict(list), defaultdict(list), defaultdict(list)
    for t in templates:
        by_stage[t.stage].append(t)
        (far if within(t.case["grid"]["S"], FAR_TOWNSHIP) else elsewhere)[t.stage].append(t)

    def draw(n, mix, window, recent, pool=by_stage):
        stages = rng.choices(list(mix), weights=list(mix.values()), k=n)
        out = []
        for stage in stages:
            t = rng.choice(pool[stage])
            start, end = window
            if recent and stage in OPEN_STAGES:
                start = end - timedelta(days=5)
            elif recent and stage in WORKING_STAGES:
                start = end - timedelta(days=30)
            latest = end - t.span - timedelta(minutes=1)
            out.append(Clone(t, start + (latest - start) * rng.random()))
        return out

    recent = draw(sizes[0], RECENT_MIX, RECENT, True)
    history = draw(sizes[1] - sizes[0] - FAR_DOWN, HISTORY_MIX, HISTORY, False, elsewhere) + \
        draw(FAR_DOWN, {"closed": 1}, (HISTORY[0] - timedelta(days=60), HISTORY[0]), False, far)
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
            request = db().batch_write_item(RequestItems=request).get("UnprocessedItems") or {}

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
            for index, attribute in (("queue", "queue_center"), ("county", "county"), ("grid", "grid"),
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


# -- households and points: the public ranking and the privileges, through the real write path ----------------------
RANKING_VILLAGE = "BZ.RQ.TGLK.YKS"
RANKING_MONTH = "2026-08"     # recorded on 1 September: the previous month is open during the first days


def add_households(per_grid: int, rng: random.Random) -> int:
    """Register households in the village's grids up to `per_grid` each, and record one to three awards for each
    new one in RANKING_MONTH (services over DynamoUnitOfWork, as the API does); a quarter of them reach 30 points."""
    from chalicelib.services import households, points
    evaluator = _principal(next(u for u in PEOPLE.values()
                                if u["role"] == "points_evaluator" and u["node"] == RANKING_VILLAGE))
    made = 0
    for grid in sorted(g for g in GRID_MEMBER if within(g, RANKING_VILLAGE)):
        have = PARTITIONS["households", grid]
        for n in range(have, per_grid):
            home = households.register(DynamoUnitOfWork(), CONFIG, GRID_MEMBER[grid], commands.RegisterHousehold(
                grid=grid, head=rng.choice("王李张刘陈杨赵黄周吴") + rng.choice(["建国", "秀英", "卫东", "阿依古丽"]),
                members=rng.randint(1, 6), address=f"{rng.randint(1, 9)}组"), NOW)["id"]
            rules = ["helped_mediate"] * 3 if n % 4 == 0 else \
                rng.sample(["volunteer_work", "helped_mediate", "clean_courtyard"], rng.randint(1, 2))
            for rule in rules:   # every fourth household reaches 30 points: a privilege's threshold
                points.record(DynamoUnitOfWork(), CONFIG, evaluator, home, commands.RecordPoints(
                    rule=rule, reason="月度评议", month=RANKING_MONTH), NOW)
            made += 1
        PARTITIONS["households", grid] = max(have, per_grid)
    return made


def timeline_case(rng: random.Random) -> str:
    """One case played to its evaluation through the services (its timeline is what the timeline route reads)."""
    dispatch, dispatcher.dispatch = dispatcher.dispatch, lambda effects, carrier: []
    try:
        return _template("BZ.RQ.TGLK.YKS.G01", "irrigation", "closed", rng)[0]
    finally:
        dispatcher.dispatch = dispatch
