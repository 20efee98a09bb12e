"""The Open311 GeoReport v2 facade. Reads are public, so they show only what may be public: public
categories, never disputes or sensitive cases, the station's public summary instead of the reporter's text, a
location rounded to about 100 m and no personal data. Writes need an API key and go through the same intake."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pydantic import ValidationError
from ulid import ULID

from chalicelib.domain import api_keys, geo, roles
from chalicelib.domain.case import Case
from chalicelib.domain.times import iso, iso_or_none
from chalicelib.domain.privacy import mask_text
from chalicelib.domain.vocabulary import OPEN_STATUSES, Status
from chalicelib.services import cases
from chalicelib.domain import commands
from chalicelib.services.unit_of_work import Preload

OPEN = tuple(s for s in OPEN_STATUSES if s != Status.RESOLVED)   # resolved and after read as closed
WINDOW_DAYS = 90
MAX_REQUESTS = 1000          # a listing reaches the first 1,000 requests of its window: page x page_size at most
READ_FACTOR = 2              # index entries one listing reads per partition: at most 2 x page x page_size
MAX_FORM_BYTES = 64 * 1024
DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# Where the intake's fields come from in the Open311 form (for errors that name the field the client sent).
FORM_FIELDS = {"description": "description", "title": "description", "location.address": "address_string",
               "location.lat": "lat", "location.lon": "long", "residents.0.phone": "phone",
               "residents.0.name": "first_name/last_name"}


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description


def _public_categories(config) -> dict:
    return {code: c for code, c in config.categories.items() if c.public and not c.sensitive and c.kind == "demand"}


def discovery(config, base_url: str) -> dict:
    return {"changeset": "2026-11-28T00:00:00Z", "contact": "the county's grid service management center",
            "key_service": "API keys are issued by the county admin (POST /admin/open311-keys)",
            "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": base_url,
                           "changeset": "2026-11-28T00:00:00Z", "type": "production",
                           "formats": ["application/json", "text/xml"]}]}


def services(config) -> list[dict]:
    out = []
    for code, category in _public_categories(config).items():
        service = config.open311_services[code]
        out.append({"service_code": code, "service_name": f"{category.names['zh']} {category.names['en']}",
                    "description": category.names["en"], "metadata": bool(service.attributes),
                    "type": "realtime", "keywords": ",".join(service.keywords) or None,
                    "group": service.group or None})
    return out


def service_definition(config, code: str) -> dict:
    if code not in _public_categories(config):
        raise Open311Error(404, f"no service '{code}'")
    return {"service_code": code, "attributes": [
        {"variable": True, "code": a.code, "datatype": a.datatype, "required": a.required,
         "datatype_description": None, "order": i, "description": a.description,
         **({"values": a.values} if a.values else {})} for i, a in enumerate(config.open311_services[code].attributes, start=1)]}


def create_request(uow, config, form: dict, now: datetime) -> list[dict]:
    """POST requests: the spec's form fields; the case enters the same intake, channel open311, reported.

    The API key is read with the intake's one read and checked on it, before any record is replayed or written."""
    key_id = api_keys.key_id_of(form.get("api_key"))
    if key_id is None:
        raise Open311Error(403, "api_key is missing, unknown or revoked")
    code = form.get("service_code", "")
    if code not in _public_categories(config):
        raise Open311Error(400, f"service_code '{code}' is not a service of this jurisdiction")
    for attribute in config.open311_services[code].attributes:
        if attribute.required and not form.get(f"attribute[{attribute.code}]"):
            raise Open311Error(400, f"attribute[{attribute.code}] is required for {code}")
    lat, lon = _coordinate(form, "lat", 90), _coordinate(form, "long", 180)
    description = (form.get("description") or "").strip()
    if not description:
        raise Open311Error(400, "description is required")
    grid = geo.locate_grid(lat, lon, config.grid_boundaries) or config.jurisdiction.root.code
    answers = {k[len("attribute["):-1]: v for k, v in form.items() if k.startswith("attribute[")}
    reporter_name = " ".join(filter(None, [form.get("first_name"), form.get("last_name")])).strip()
    body = _intake_body({
        "kind": "demand", "category": code, "title": _title(description), "grid": grid, "channel": "open311",
        "description": description + ("\n" + "\n".join(f"{k}: {v}" for k, v in answers.items()) if answers else ""),
        "location": {"lat": lat, "lon": lon, "address": form.get("address_string") or ""},
        "residents": [{"name": reporter_name or "Open311 reporter", "phone": form.get("phone") or None}]
        if reporter_name or form.get("phone") else []})
    client = roles.open311_client(key_id)

    def authenticate() -> None:
        if api_keys.verify(form.get("api_key"), uow.api_keys.get(key_id)) != key_id:
            raise Open311Error(403, "api_key is missing, unknown or revoked")

    created = cases.report_case(uow, config, client, body, now, idempotency_key=form.get("idempotency_key"),
                                preload=Preload(api_key_ids=[key_id], checks=[authenticate]))
    return [{"service_request_id": created["id"], "service_notice": "received; the receiving station will triage it",
             "account_id": None}]


def _coordinate(form: dict, name: str, bound: float) -> float:
    try:
        value = float(form[name])
    except (KeyError, ValueError):
        raise Open311Error(400, f"{name} is required: WGS84 decimal degrees") from None
    if not -bound <= value <= bound:   # also refuses nan and inf
        raise Open311Error(400, f"{name} must be between -{bound} and {bound}")
    return value


def _title(description: str) -> str:
    """The case's one-line title: the description's first words, line breaks and tabs folded into spaces (other
    control characters stay, and the intake refuses them, naming `description`)."""
    return " ".join(description.split())[:80]


def _intake_body(fields: dict) -> commands.ReportCase:
    """The intake's body from the form; a field it refuses is a 400 naming the form field the client sent."""
    try:
        return commands.ReportCase.model_validate(fields)
    except ValidationError as refused:
        problems = []
        for error in refused.errors():
            where = ".".join(str(p) for p in error["loc"])
            problems.append(f"{FORM_FIELDS.get(where, where)}: {error['msg']}")
        raise Open311Error(400, "; ".join(dict.fromkeys(problems))) from None


def _is_public(case: Case, config) -> bool:
    return case.category in _public_categories(config) and not case.sensitive and case.kind == "demand"


def request_view(case: Case, config) -> dict:
    category = config.categories[case.category]
    lead = case.lead_department()
    department = config.jurisdiction.department(lead) if lead else None
    village = config.jurisdiction.ancestor_at(case.grid, "village")
    loc = case.location or {}
    return {"service_request_id": case.id, "status": "open" if case.status in OPEN else "closed",
            "status_notes": case.status, "service_name": f"{category.names['zh']} {category.names['en']}",
            "service_code": case.category, "description": mask_text(case.public_summary) or None,
            "agency_responsible": department.names.get("zh") if department else None, "service_notice": None,
            "requested_datetime": iso(case.created_at), "updated_datetime": iso_or_none(case.updated_at),
            "expected_datetime": iso_or_none(case.deadlines.get("resolve_due")),
            "address": village.names.get("zh") if village else None, "address_id": None, "zipcode": None,
            "lat": geo.round_public(loc["lat"]) if "lat" in loc else None,
            "long": geo.round_public(loc["lon"]) if "lon" in loc else None, "media_url": None}


def get_request(uow, config, request_id: str) -> list[dict]:
    with uow:
        case = uow.cases.get(request_id) if config.open311_listing else None
    if case is None or not _is_public(case, config):
        raise Open311Error(404, f"no service request '{request_id}'")
    return [request_view(case, config)]


def token(uow, config, token_id: str) -> list[dict]:
    """Requests are created synchronously: a token is the request id itself."""
    found = get_request(uow, config, token_id)
    return [{"token": token_id, "service_request_id": found[0]["service_request_id"]}]


def _parse_date(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} must be a W3C date-time, e.g. 2026-06-01T00:00:00Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _positive(params: dict, name: str, default: int, high: int) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    if not value.isdigit() or not 1 <= int(value) <= high:
        raise Open311Error(400, f"{name} must be an integer from 1 to {high}")
    return int(value)


def list_requests(uow, config, params: dict, now: datetime) -> list[dict]:
    """GET requests. One call reads a bounded number of entries whatever the table holds: pages reach the first
    MAX_REQUESTS requests of the window (narrow the dates for more), and each partition's one Query evaluates at
    most READ_FACTOR x page x page_size index entries (a page may come back short when most cases of the window
    are not public)."""
    if not config.open311_listing:
        return []
    page_size = _positive(params, "page_size", MAX_REQUESTS, MAX_REQUESTS)
    page = _positive(params, "page", 1, MAX_REQUESTS)
    if page * page_size > MAX_REQUESTS:
        raise Open311Error(400, f"page x page_size must be at most {MAX_REQUESTS} (the first {MAX_REQUESTS} requests "
                                f"of the window); narrow start_date and end_date to read further")
    with uow:
        if params.get("service_request_id"):   # overrides every other filter
            ids = [i.strip() for i in params["service_request_id"].split(",") if i.strip()][:MAX_REQUESTS]
            found = uow.cases.get_many(ids)
            return [request_view(found[i], config) for i in ids if i in found and _is_public(found[i], config)]
        end = _parse_date(params.get("end_date"), "end_date") or now
        start = _parse_date(params.get("start_date"), "start_date") or end - timedelta(days=WINDOW_DAYS)
        if start > end or end - start > timedelta(days=WINDOW_DAYS):
            raise Open311Error(400, f"start_date must come before end_date, at most {WINDOW_DAYS} days earlier")
        codes = [c for c in (params.get("service_code") or "").split(",") if c] or list(_public_categories(config))
        status = params.get("status")
        if status not in (None, "", "open", "closed"):
            raise Open311Error(400, "status is open or closed")
        wanted = page * page_size
        counties = sorted(n.code for n in config.jurisdiction.nodes.values() if n.level == "county")
        found = uow.cases.public_window(counties + [config.jurisdiction.root.code],
                                        str(ULID.from_datetime(start)), str(ULID.from_datetime(end)),
                                        [c for c in codes if c in _public_categories(config)], limit=wanted,
                                        read_limit=READ_FACTOR * wanted)
        views = [request_view(c, config) for c in found if _is_public(c, config)]
        if status:
            views = [v for v in views if v["status"] == status]
        views.sort(key=lambda v: v["requested_datetime"], reverse=True)
        return views[(page - 1) * page_size: page * page_size]
