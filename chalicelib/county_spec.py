"""The county configuration's schema: what a county file may say, each part checked, with the checks between parts
(`cross_references`). Its `deployment:` block is chalicelib/county_deployment.py.

Read where a file is validated: `county_config.parse` (the local stack, `make check-config`, the CDK app, packaging)
and where a route needs the file as written (`Deployment.spec`: the reference documents, the console's settings).
A deployed API function reads the county's Deployment as validated when packaged without importing this module
(county_config.load), so a cold start does not define its classes (about 60 M instructions).
"""
# No `from __future__ import annotations`: pydantic would evaluate every field's annotation from a string
# when the class is made (about a quarter of creating these classes).

import re
from datetime import date, time
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from chalicelib.county_deployment import SMS_PROVIDERS, DeploymentSpec, _https_url, partition_of
from chalicelib.domain.deadline_policy import Duration
from chalicelib.domain.vocabulary import DEPARTMENT_LEVELS, LEVELS, CenterLevel, Kind, Level

CODE = r"^[A-Z0-9][A-Z0-9_-]*(\.[A-Z0-9][A-Z0-9_-]*)*$"


class Strict(BaseModel):
    # Built when first validated; a default that is itself a model comes from a default_factory, since an
    # instance made while the class is defined would build its schema at import.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Names(Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    mn: str | None = None  # Mongolian, where used
    ug: str | None = None  # Uyghur, where used


class GeoJSONPolygon(Strict):
    type: Literal["Polygon"]
    coordinates: list[list[tuple[float, float]]]

    @field_validator("coordinates")
    @classmethod
    def closed_rings(cls, rings):
        for ring in rings:
            if len(ring) < 4 or ring[0] != ring[-1]:
                raise ValueError("each ring needs at least 4 positions and must end where it starts")
            for lon, lat in ring:
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    raise ValueError(f"position ({lon}, {lat}) is not a longitude/latitude pair")
        return rings


class NodeSpec(Strict):
    code: str = Field(pattern=CODE)
    level: Level
    names: Names
    case_prefix: str | None = Field(default=None, pattern=r"^[A-Z]{2,4}$")
    boundary: GeoJSONPolygon | None = None
    children: list["NodeSpec"] = []

    @model_validator(mode="after")
    def children_fit(self):
        below = LEVELS[LEVELS.index(self.level) + 1] if self.level != Level.GRID else None
        for child in self.children:
            if child.level != below:
                raise ValueError(f"{child.code}: a {self.level} holds {below} nodes, not {child.level}")
            if not child.code.startswith(self.code + "."):
                raise ValueError(f"{child.code}: a child's code must start with its parent's code '{self.code}.'")
        if self.level == "grid" and self.boundary is None:
            raise ValueError(f"{self.code}: a grid needs a GeoJSON boundary")
        if self.level == "county" and not self.case_prefix:
            raise ValueError(f"{self.code}: a county needs a case_prefix for case numbers")
        return self


class DepartmentSpec(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    node: str = Field(pattern=CODE)
    kind: str = Field(pattern=r"^[a-z_]+$")
    names: Names


class RoutingSpec(Strict):
    level: CenterLevel
    department_kind: str | None = None


class Open311AttributeSpec(Strict):
    """A question a third-party client asks when filing this service (GeoReport v2 service definition)."""
    code: str = Field(pattern=r"^[A-Za-z0-9_]+$")
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"] = "string"
    required: bool = False
    description: str
    values: list[dict] = []     # [{key, name}] for the value lists


class Open311ServiceSpec(Strict):
    group: str = ""
    keywords: list[str] = []
    attributes: list[Open311AttributeSpec] = []


class CategorySpec(Strict):
    code: str = Field(pattern=r"^[a-z0-9_]+$")
    kind: Kind
    names: Names
    public: bool
    sensitive: bool = False
    complex: bool = False
    routing: RoutingSpec
    open311: Open311ServiceSpec = Field(default_factory=Open311ServiceSpec)

    @model_validator(mode="after")
    def sensitive_is_never_public(self):
        if self.sensitive and self.public:
            raise ValueError(f"{self.code}: a sensitive category cannot be public")
        return self


class DurationSpec(Strict):
    minutes: int | None = Field(default=None, gt=0)
    hours: int | None = Field(default=None, gt=0)
    days: int | None = Field(default=None, gt=0)
    working_hours: int | None = Field(default=None, gt=0)   # hours counted in working time
    working_days: int | None = Field(default=None, gt=0)    # one day = the standard day's working minutes

    @model_validator(mode="after")
    def exactly_one(self):
        given = [k for k in ("minutes", "hours", "days", "working_hours", "working_days")
                 if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of minutes, hours, days, working_hours, working_days")
        return self

    def to_domain(self) -> Duration:
        if self.working_days is not None:
            return Duration(self.working_days, "working_days")
        if self.working_hours is not None:
            return Duration(self.working_hours * 60, "working_minutes")
        minutes = (self.minutes or 0) + 60 * (self.hours or 0) + 1440 * (self.days or 0)
        return Duration(minutes, "minutes")


class StagePolicy(Strict):
    emergency: DurationSpec
    urgent: DurationSpec
    normal: DurationSpec
    normal_complex: DurationSpec | None = None


class DeadlinesSpec(Strict):
    triage: StagePolicy
    report_in: StagePolicy
    resolve: StagePolicy
    evaluation: DurationSpec


HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"


class WorkingHoursSpec(Strict):
    """Working periods per weekday (mon..sun), each 'HH:MM-HH:MM'; a lunch break is the gap."""
    mon: list[str] = []
    tue: list[str] = []
    wed: list[str] = []
    thu: list[str] = []
    fri: list[str] = []
    sat: list[str] = []
    sun: list[str] = []

    @field_validator("*")
    @classmethod
    def periods(cls, value):
        for period in value:
            start, _, end = period.partition("-")
            if not (re.match(HHMM, start) and re.match(HHMM, end)) or time.fromisoformat(start) >= time.fromisoformat(end):
                raise ValueError(f"'{period}' is not a period 'HH:MM-HH:MM' with its start before its end")
        return value


class CalendarSpec(Strict):
    timezone: str = "Asia/Shanghai"
    working_hours: WorkingHoursSpec
    holidays: list[date] = []      # county/regional days off (e.g. Eid al-Fitr, Corban)
    workdays: list[date] = []      # make-up working days on weekends

    @field_validator("timezone")
    @classmethod
    def known_zone(cls, value):
        try:
            ZoneInfo(value)
        except Exception:
            raise ValueError(f"'{value}' is not an IANA time zone") from None
        return value


class RankingWeights(Strict):
    response_rate: float = Field(ge=0)
    resolution_rate: float = Field(ge=0)
    satisfaction_rate: float = Field(ge=0)
    score: float = Field(ge=0)

    @model_validator(mode="after")
    def sum_to_one(self):
        total = self.response_rate + self.resolution_rate + self.satisfaction_rate + self.score
        if abs(total - 1) > 1e-9:
            raise ValueError(f"the weights must add up to 1, not {total:g}")
        return self


class AssessmentSpec(Strict):
    """平安建设 assessment: the base score, what a bad review costs, when eligibility is lost."""
    base_score: float = Field(default=100, gt=0)
    bad_review_deduction: float = Field(default=2, ge=0)
    max_bad_reviews: int = Field(default=3, ge=0)      # more than this in a year: no year-end eligibility
    ranking: RankingWeights = Field(default_factory=lambda: RankingWeights(
        response_rate=0.3, resolution_rate=0.3, satisfaction_rate=0.2, score=0.2))


class Open311Spec(Strict):
    listing: bool = True          # off: GET requests answers an empty list and a single request 404


class IntakeSpec(Strict):
    # A reported location may lie this far outside its grid's boundary (GPS error, a problem on the grid's edge).
    location_tolerance_m: int = Field(default=300, ge=0, le=5000)


class NotificationsSpec(Strict):
    sms: bool = True   # progress notices by SMS through SNS; off where SNS SMS is not offered (AWS China)


class PointRuleSpec(Strict):
    code: str = Field(pattern=r"^[a-z0-9_]+$")
    scope: str = Field(pattern=CODE)                    # the village or township whose catalog it belongs to
    names: Names
    points: int                                         # signed: awards positive, penalties negative
    monthly_cap: int | None = Field(default=None, gt=0)  # at most this many points (absolute) per household/month
    kind: Literal["daily", "monthly_score"] = "daily"


class SupermarketItemSpec(Strict):
    sku: str = Field(pattern=r"^[a-z0-9-]+$")
    names: Names
    price: int = Field(gt=0)


class SupermarketSpec(Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    node: str = Field(pattern=CODE)                     # the village or township it serves
    names: Names
    items: list[SupermarketItemSpec]


class PrivilegeSpec(Strict):
    code: str = Field(pattern=r"^[a-z0-9_]+$")
    names: Names
    threshold: int = Field(gt=0)                        # points earned (net) in the period


class PointsSpec(Strict):
    previous_month_days: int = Field(default=5, ge=0, le=27)  # days into a month the last one still takes points
    rules: list[PointRuleSpec] = []
    supermarkets: list[SupermarketSpec] = []
    privileges: list[PrivilegeSpec] = []


class BaseMapSpec(Strict):
    """Map tiles under the grids in the console of a deployed stage (never locally: the machine is offline), e.g.
    Tianditu WMTS. `url` is an https template with {z}, {x} and {y} (WMTS: TILEMATRIX={z}&TILEROW={y}&TILECOL={x})
    and {key} where the service wants its key. That key is a browser key (every browser sends it; Tianditu's
    `tk`): not a secret, so restrict it to the county's domain in the provider's console. The page's CSP lets
    images come from this URL's origin only."""
    url: str = Field(max_length=500)
    key: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,100}$")
    attribution: str = Field(min_length=1, max_length=100)   # e.g. 天地图 (the service's terms ask for it)

    @field_validator("url")
    @classmethod
    def https_tile_template(cls, url):
        missing = [p for p in ("{z}", "{x}", "{y}") if p not in url]
        if missing:
            raise ValueError(f"the tile URL must hold {', '.join(missing)}")
        return _https_url(url)

    @model_validator(mode="after")
    def key_where_asked(self):
        if ("{key}" in self.url) != (self.key is not None):
            raise ValueError("name a key exactly when the URL holds {key}")
        return self


class ConsoleSpec(Strict):
    map: BaseMapSpec | None = None


class CountyConfig(Strict):
    name: str = Field(pattern=r"^[a-z0-9-]+$")
    language: Literal["zh", "en"] = "zh"   # what exports (CSV headers, yes/no) are written in unless asked otherwise
    points: PointsSpec = Field(default_factory=PointsSpec)
    intake: IntakeSpec = Field(default_factory=IntakeSpec)
    notifications: NotificationsSpec = Field(default_factory=NotificationsSpec)
    open311: Open311Spec = Field(default_factory=Open311Spec)
    assessment: AssessmentSpec = Field(default_factory=AssessmentSpec)
    console: ConsoleSpec = Field(default_factory=ConsoleSpec)
    root: NodeSpec
    departments: list[DepartmentSpec]
    categories: list[CategorySpec]
    deadlines: DeadlinesSpec
    calendar: CalendarSpec
    deployment: DeploymentSpec    # region, token issuer, domain, edge limits (chalicelib/county_deployment.py)


def cross_references(raw: object) -> list[tuple[str, str]]:
    """The checks between parts of a file, on the data as read, so that they run (and are listed) together with
    the shape's problems instead of only once those are fixed. A part too malformed to read is skipped here:
    the shape check reports it. Each problem is (path, message), the path as in the shape's problems."""
    if not isinstance(raw, dict):
        return []

    def entries(*path):
        value = raw
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        return [(i, e) for i, e in enumerate(value) if isinstance(e, dict)] if isinstance(value, list) else []

    nodes, problems = {}, []

    def walk(node, path):
        if not isinstance(node, dict):
            return
        code = node.get("code")
        if isinstance(code, str):
            if code in nodes:
                problems.append((f"{path}.code", f"node code '{code}' is used twice"))
            nodes.setdefault(code, node.get("level"))
        children = node.get("children")
        for i, child in enumerate(children if isinstance(children, list) else []):
            walk(child, f"{path}.children.{i}")

    walk(raw.get("root"), "root")
    seen = set()
    for i, d in entries("departments"):
        if d.get("id") in seen:
            problems.append((f"departments.{i}.id", f"department id '{d.get('id')}' is used twice"))
        seen.add(d.get("id"))
        if "node" not in d:
            continue
        if d["node"] not in nodes:
            problems.append((f"departments.{i}.node", f"department '{d.get('id')}' belongs to unknown node '{d['node']}'"))
        elif nodes[d["node"]] not in DEPARTMENT_LEVELS:
            problems.append((f"departments.{i}.node", f"department '{d.get('id')}' belongs to a {nodes[d['node']]}; "
                                                      "departments sit at township, county or prefecture"))
    codes = set()
    kinds = {d.get("kind") for _, d in entries("departments")}
    for i, c in entries("categories"):
        if c.get("code") in codes:
            problems.append((f"categories.{i}.code", f"category code '{c.get('code')}' is used twice"))
        codes.add(c.get("code"))
        kind = c.get("routing", {}).get("department_kind") if isinstance(c.get("routing"), dict) else None
        if kind and kind not in kinds:
            problems.append((f"categories.{i}.routing.department_kind",
                             f"category '{c.get('code')}' routes to department kind '{kind}', which no department has"))
    for i, r in entries("points", "rules"):
        if "scope" in r and nodes.get(r["scope"]) not in ("village", "township"):
            problems.append((f"points.rules.{i}.scope",
                             f"point rule '{r.get('code')}' belongs to '{r['scope']}', which is not a village or township"))
    for i, m in entries("points", "supermarkets"):
        if "node" in m and nodes.get(m["node"]) not in ("village", "township"):
            problems.append((f"points.supermarkets.{i}.node",
                             f"supermarket '{m.get('id')}' serves '{m['node']}', which is not a village or township"))
    deployment, notifications = raw.get("deployment"), raw.get("notifications")
    region = deployment.get("region") if isinstance(deployment, dict) else None
    sms = notifications.get("sms", True) if isinstance(notifications, dict) else True
    if isinstance(region, str) and sms is True and SMS_PROVIDERS.get(partition_of(region)) is None:
        problems.append(("notifications.sms", f"notifications.sms is on but no SMS provider is offered in {region} "
                         "(SNS SMS is not offered in the AWS China regions): set notifications.sms: false"))
    return problems


def walk_nodes(node: NodeSpec):
    """The node and every node below it, depth first."""
    yield node
    for child in node.children:
        yield from walk_nodes(child)
