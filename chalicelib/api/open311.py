"""Open311 GeoReport v2 under /open311/v2/, in JSON and XML by the path's suffix. Chalice and API Gateway
cannot route `services/{code}.json` as two parts, so each route captures the whole segment."""
from __future__ import annotations

import json
from urllib.parse import parse_qsl
# ElementTree only builds XML from our own data here; nothing parses input XML.
from xml.etree import ElementTree as ET  # nosec B405

from chalice import Blueprint, Response

from chalicelib import runtime
from chalicelib.api.http import ApiError, parse_body, principal, route
from chalicelib.services import api_keys, open311
from chalicelib.domain import access, commands
from chalicelib.services.open311 import Open311Error

bp = Blueprint(__name__)
TAG = "open311"
BASE = "/open311/v2"
FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
BOTH = {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
        "text/xml": {"schema": {"type": "string"}}}
DOCUMENTS = {"application/json": {"schema": {"type": ["array", "object"]}},   # discovery is an object
             "text/xml": {"schema": {"type": "string"}}}
XML_NAMES = {"services": ("services", "service"), "requests": ("service_requests", "request"),
             "created": ("service_requests", "request"), "tokens": ("service_requests", "request"),
             "errors": ("errors", "error")}


def _split(segment: str) -> tuple[str, str]:
    name, dot, fmt = segment.rpartition(".")
    if not dot or fmt not in FORMATS:
        raise Open311Error(400, "end the path with .json or .xml")
    return name, fmt


def _xml_value(parent, key, value):
    child = ET.SubElement(parent, key)
    if isinstance(value, dict):
        for k, v in value.items():
            _xml_value(child, k, v)
    elif isinstance(value, list):
        singular = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}
        for item in value:
            _xml_value(child, singular.get(key, "item"), item)
    elif value is not None:
        child.text = str(value).lower() if isinstance(value, bool) else str(value)


def _render(payload, fmt: str, kind: str, status: int = 200) -> Response:
    if fmt == "json":
        body = json.dumps(payload, ensure_ascii=False)
    else:
        if isinstance(payload, list):
            root_name, item_name = XML_NAMES[kind]
            root = ET.Element(root_name)
            for item in payload:
                _xml_value(root, item_name, item)
                root[-1].tag = item_name
        else:
            root = ET.Element(kind)
            for key, value in payload.items():
                _xml_value(root, key, value)
        body = '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="unicode")
    return Response(body=body, status_code=status, headers={"Content-Type": FORMATS[fmt]})


def _facade(view):
    """Answer errors in the spec's error list format ([{code, description}]) in the request's format."""
    def wrapped(**uri_params):
        segment = next(iter(uri_params.values()), "x.json")
        fmt = segment.rpartition(".")[2] if segment.rpartition(".")[2] in FORMATS else "json"
        try:
            return view(**uri_params)
        except Open311Error as error:
            return _render([{"code": error.status, "description": error.description}], fmt, "errors", error.status)
        except Exception as error:  # domain validation from the intake
            message = getattr(error, "message", None)
            if message is None:
                raise
            return _render([{"code": 400, "description": message}], fmt, "errors", 400)
    wrapped.__name__ = view.__name__
    return wrapped


@route(bp, BASE + "/{document}", "GET", "discovery.{fmt}, services.{fmt} or requests.{fmt} (GeoReport v2)", TAG,
       public=True, responses=DOCUMENTS, query={
           "service_request_id": ("comma list; overrides the rest", {"type": "string", "pattern": "^[0-9A-Za-z,]{1,5000}$"}),
           "service_code": ("comma list", {"type": "string", "pattern": "^[a-z0-9_,]{1,500}$"}),
           "start_date": ("W3C date-time", {"type": "string", "format": "date-time"}),
           "end_date": ("W3C date-time (window at most 90 days)", {"type": "string", "format": "date-time"}),
           "status": ("open or closed", {"type": "string", "enum": ["open", "closed"]}),
           "page": ("1..", {"type": "integer", "minimum": 1, "maximum": 1000}),
           "page_size": ("1..1000", {"type": "integer", "minimum": 1, "maximum": 1000})})
@_facade
def open311_document(document):
    name, fmt = _split(document)
    config = runtime.config()
    if name == "discovery":
        return _render(open311.discovery(config, BASE), fmt, "discovery")
    if name == "services":
        return _render(open311.services(config), fmt, "services")
    if name == "requests":
        params = dict(bp.current_request.query_params or {})
        return _render(open311.list_requests(runtime.new_uow(), config, params, runtime.clock()), fmt, "requests")
    raise Open311Error(404, f"no document '{name}'")


@route(bp, BASE + "/{document}", "POST", "POST requests.{fmt}: file a service request (api_key required)", TAG,
       public=True, success=201, responses=BOTH,
       form={"api_key": ("the key the county admin issued", True), "service_code": ("a service code", True),
             "lat": ("WGS84 latitude", True), "long": ("WGS84 longitude", True),
             "description": ("what is wrong", True), "address_string": ("address", False),
             "attribute[CODE]": ("answers to the service definition", False), "first_name": ("", False),
             "last_name": ("", False), "phone": ("", False), "email": ("", False), "media_url": ("", False)})
@_facade
def open311_create(document):
    name, fmt = _split(document)
    if name != "requests":
        raise Open311Error(404, f"cannot POST to '{name}'")
    raw = bp.current_request.raw_body or b""
    if len(raw) > open311.MAX_FORM_BYTES:
        raise Open311Error(400, f"the form is {len(raw)} bytes; at most {open311.MAX_FORM_BYTES} are accepted")
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        form = dict(parse_qsl(text, keep_blank_values=True, errors="strict"))
    except (UnicodeDecodeError, ValueError):
        raise Open311Error(400, "the form must be application/x-www-form-urlencoded UTF-8") from None
    created = open311.create_request(runtime.new_uow(), runtime.config(), form, runtime.clock())
    return _render(created, fmt, "created", 201)


@route(bp, BASE + "/services/{code_fmt}", "GET", "A service definition (GeoReport v2)", TAG, public=True,
       responses={"application/json": {"schema": {"type": "object"}}, "text/xml": {"schema": {"type": "string"}}})
@_facade
def open311_service(code_fmt):
    code, fmt = _split(code_fmt)
    return _render(open311.service_definition(runtime.config(), code), fmt, "service_definition")


@route(bp, BASE + "/requests/{id_fmt}", "GET", "One service request, as an array of one (GeoReport v2)", TAG,
       public=True, responses=BOTH)
@_facade
def open311_request(id_fmt):
    request_id, fmt = _split(id_fmt)
    return _render(open311.get_request(runtime.new_uow(), runtime.config(), request_id), fmt, "requests")


@route(bp, BASE + "/tokens/{token_fmt}", "GET", "The request id for a token (GeoReport v2)", TAG, public=True,
       responses=BOTH)
@_facade
def open311_token(token_fmt):
    token_id, fmt = _split(token_fmt)
    return _render(open311.token(runtime.new_uow(), runtime.config(), token_id), fmt, "tokens")


@route(bp, "/admin/open311-keys", "POST", "Issue an Open311 API key (shown once)", "admin",
       body=commands.IssueApiKey, success=201)
def issue_api_key():
    request = bp.current_request
    me = principal(request)
    if not access.may_manage_api_keys(me):   # before the body is read: a non-admin learns nothing about it
        raise ApiError(403, "forbidden", "only the county admin issues Open311 API keys")
    return api_keys.issue(runtime.new_uow(), me, parse_body(request, commands.IssueApiKey), runtime.clock())


@route(bp, "/admin/open311-keys/{key_id}/revoke", "POST", "Revoke an Open311 API key", "admin")
def revoke_api_key(key_id):
    return api_keys.revoke(runtime.new_uow(), principal(bp.current_request), key_id)
