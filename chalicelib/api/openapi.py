"""The OpenAPI 3 document, built from the route registry and the pydantic bodies (one source)."""
from __future__ import annotations

import re

from chalicelib.api.http import ROUTES
from chalicelib.domain.vocabulary import DEPARTMENT_LEVELS, Kind, Status
from chalicelib.services.exports import LANGUAGES

ERROR_SCHEMA = {
    "type": "object", "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string", "description": "machine code, e.g. validation_error, invalid_transition"},
        "message": {"type": "string"},
        "fields": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "message": {"type": "string"},
            "code": {"type": "string", "description": "what is wrong, e.g. missing, string_too_short"},
            "limits": {"type": "object", "description": "the limits named: min_length, max_length, ge, le, gt, lt"}}}},
        "allowed_actions": {"type": "array", "items": {"type": "string"}},
        "status": {"type": "string"}, "retry_after_seconds": {"type": "integer"}}}},
}
TEXT = {"type": "string", "minLength": 1, "maxLength": 100}
CODE = {"type": "string", "pattern": "^[A-Z0-9][A-Z0-9_-]*(\\.[A-Z0-9][A-Z0-9_-]*)*$", "maxLength": 100}
ID = {"type": "string", "pattern": "^[0-9A-Za-z]{1,64}$"}
PATH_SCHEMAS = {"username": {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]{2,63}$"}, "case_id": ID, "household_id": ID, "photo_id": ID, "key_id": ID, "village": CODE,
                "index": {"type": "string", "pattern": "^[0-9]{1,3}$"}, "seq": {"type": "string", "pattern": "^[1-9][0-9]{0,5}$"},
                "department": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$", "maxLength": 64},
                "supermarket_id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$", "maxLength": 64},
                "privilege": {"type": "string", "pattern": "^[a-z0-9_]+$", "maxLength": 64},
                "document": {"type": "string", "pattern": "^(discovery|services|requests)\\.(json|xml)$"},
                "code_fmt": {"type": "string", "pattern": "^[a-z0-9_]+\\.(json|xml)$"},
                "id_fmt": {"type": "string", "pattern": "^[0-9A-Za-z]{1,64}\\.(json|xml)$"},
                "token_fmt": {"type": "string", "pattern": "^[0-9A-Za-z]{1,64}\\.(json|xml)$"}}
QUERY_SCHEMAS = {"status": {"type": "string", "enum": [s.value for s in Status]},
                 "kind": {"type": "string", "enum": [k.value for k in Kind]},
                 "node": CODE, "grid": CODE, "village": CODE, "limit": {"type": "integer", "minimum": 1, "maximum": 50},
                 "category": {"type": "string", "pattern": "^[a-z0-9_]+$", "maxLength": 64},
                 "department": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$", "maxLength": 64},
                 "cursor": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,2000}$"},
                 "format": {"type": "string", "enum": ["json", "csv"]},
                 "lang": {"type": "string", "enum": list(LANGUAGES)},
                 "level": {"type": "string", "enum": [level.value for level in DEPARTMENT_LEVELS]},
                 "year": {"type": "integer", "minimum": 2000, "maximum": 2100},
                 "period": {"type": "string", "pattern": "^[0-9]{4}(-Q[1-4]|-[0-9]{2}(-[0-9]{2})?)?$"},
                 "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
                 "month": {"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"},
                 "purpose": {"type": "string", "minLength": 1, "maxLength": 200}}
HEADER_SCHEMAS = {"If-Match": {"type": "string", "pattern": "^\"?[0-9]{1,9}\"?$"},
                  "Idempotency-Key": {"type": "string", "pattern": "^[!-~]{1,128}$"}}
OPEN311_ERROR = {"type": "array", "items": {"type": "object", "required": ["code", "description"],
                                            "properties": {"code": {"type": "integer"},
                                                           "description": {"type": "string"}}}}
ERRORS = {"400": "invalid input (fields named)", "401": "missing, malformed, forged or expired token",
          "403": "outside your role or jurisdiction", "404": "not found (or not visible to you)",
          "409": "invalid transition (allowed actions listed) or version conflict",
          "413": "body larger than 64 KiB", "503": "temporarily unavailable: nothing was written, retry (Retry-After)"}


def document(server_url: str | None = None) -> dict:
    schemas = {"Error": ERROR_SCHEMA}
    paths: dict = {}
    for r in ROUTES:
        content = r.responses or {"application/json": {"schema": {"type": "object"}}}
        operation = {"summary": r.summary, "tags": [r.tag], "operationId": _operation_id(r.method, r.path),
                     "parameters": [], "responses": {str(r.success): {"description": "success", "content": content}}}
        for name in re.findall(r"{(\w+)}", r.path):
            operation["parameters"].append({"name": name, "in": "path", "required": True,
                                            "schema": PATH_SCHEMAS.get(name, TEXT)})
        for name, spec in r.query.items():
            description, schema = spec if isinstance(spec, tuple) else (spec, QUERY_SCHEMAS.get(name, TEXT))
            operation["parameters"].append({"name": name, "in": "query", "required": False,
                                            "description": description, "schema": schema})
        for name, description in r.headers.items():
            operation["parameters"].append({"name": name, "in": "header", "required": False,
                                            "description": description, "schema": HEADER_SCHEMAS.get(name, TEXT)})
        if r.body is not None:
            schema = r.body.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, definition in schema.pop("$defs", {}).items():
                schemas[name] = definition
            schemas[r.body.__name__] = schema
            operation["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{r.body.__name__}"}}}}
        if r.form:
            operation["requestBody"] = {"required": True, "content": {"application/x-www-form-urlencoded": {
                "schema": {"type": "object", "properties": {
                    name: {"type": "string", "description": description} for name, (description, _) in r.form.items()},
                    "required": [name for name, (_, required) in r.form.items() if required]}}}}
        for status, description in ERRORS.items():
            if r.tag == "open311":
                if status in ("400", "403", "404"):
                    operation["responses"][status] = {"description": "the GeoReport v2 error list", "content": {
                        "application/json": {"schema": OPEN311_ERROR}, "text/xml": {"schema": {"type": "string"}}}}
                continue
            if r.public and status in ("401", "403"):
                continue
            operation["responses"][status] = {"description": description, "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        if r.public:
            operation["security"] = []
        paths.setdefault(r.path, {})[r.method.lower()] = operation
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "Gridloop API", "version": "1.0.0",
                 "description": "Closed-loop grid governance: intake, triage, dispatch, report-in, resolve, "
                                "evaluate. Every list paginates with an opaque cursor."},
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    }
    if server_url:
        doc["servers"] = [{"url": server_url}]
    return doc


def _operation_id(method: str, path: str) -> str:
    words = [w for w in re.split(r"[/{}\-_.]+", path) if w]
    return method.lower() + "".join(w[:1].upper() + w[1:] for w in words)
