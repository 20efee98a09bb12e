"""What the web console reads once per session: who the caller is, and the deployment's reference data (the
jurisdiction tree with every name and the grid boundaries, the categories, the departments).

The reference documents come from the county configuration alone (no table is read): each is built once per
container with an ETag of its content, so a browser revalidates it for a 304 instead of downloading it again.
"""
from __future__ import annotations

import functools
import hashlib
import json

from chalicelib.domain import access
from chalicelib.domain.roles import Principal



def _place(config, code: str | None) -> dict | None:
    node = config.jurisdiction.node(code) if code else None
    return {"code": node.code, "level": node.level, "names": node.names} if node else None


def me(config, p: Principal) -> dict:
    department = config.jurisdiction.department(p.department) if p.department else None
    return {
        "user_id": p.user_id, "name": p.name, "role": p.role,
        "node": _place(config, p.node), "grid": _place(config, p.grid),
        "department": {"id": department.id, "node": department.node, "kind": department.kind,
                       "names": department.names} if department else None,
        "abilities": list(access.console_abilities(p)),
        "timezone": config.spec.calendar.timezone, "language": config.spec.language,
    }


class Document:
    """A JSON document with the ETag of its exact bytes."""

    def __init__(self, content: dict):
        self.body = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        self.etag = '"' + hashlib.sha256(self.body.encode("utf-8")).hexdigest()[:32] + '"'

    def matches(self, if_none_match: str | None) -> bool:
        """RFC 9110: If-None-Match is a list of entity tags (weak ones compare by their opaque part) or *."""
        if not if_none_match:
            return False
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or self.etag in tags


def _walk(spec_node, parent: str | None = None):
    yield spec_node, parent
    for child in spec_node.children:
        yield from _walk(child, spec_node.code)


@functools.lru_cache(maxsize=4)
def jurisdiction(config) -> Document:
    nodes, features = [], []
    for node, parent in _walk(config.spec.root):
        names = node.names.model_dump(exclude_none=True)
        nodes.append({"code": node.code, "level": node.level, "parent": parent, "names": names})
        if node.boundary is not None:
            features.append({"type": "Feature", "id": node.code, "properties": {"code": node.code, "names": names},
                             "geometry": {"type": "Polygon",
                                          "coordinates": [[list(p) for p in ring] for ring in node.boundary.coordinates]}})
    return Document({"root": config.spec.root.code, "nodes": nodes,
                     "grids": {"type": "FeatureCollection", "features": features}})


def _duration(spec) -> dict:
    amount, unit = next((getattr(spec, u), u) for u in ("minutes", "hours", "days", "working_hours", "working_days")
                        if getattr(spec, u) is not None)
    return {"amount": amount, "unit": unit}


@functools.lru_cache(maxsize=4)
def categories(config) -> Document:
    deadlines = config.spec.deadlines
    items = []
    for c in config.spec.categories:
        stages = {}
        for stage in ("triage", "report_in", "resolve"):
            policy = getattr(deadlines, stage)
            stages[stage] = {u: _duration(getattr(policy, u)) for u in ("emergency", "urgent", "normal")}
            if c.complex and policy.normal_complex is not None:
                stages[stage]["normal"] = _duration(policy.normal_complex)
        stages["evaluation"] = _duration(deadlines.evaluation)
        items.append({"code": c.code, "kind": c.kind, "names": c.names.model_dump(exclude_none=True),
                      "public": c.public, "sensitive": c.sensitive, "complex": c.complex,
                      "routing": {"level": c.routing.level, "department_kind": c.routing.department_kind},
                      "deadlines": stages})
    return Document({"items": items})


@functools.lru_cache(maxsize=4)
def departments(config) -> Document:
    return Document({"items": [{"id": d.id, "node": d.node, "kind": d.kind, "names": d.names.model_dump(exclude_none=True)}
                               for d in config.spec.departments]})


@functools.lru_cache(maxsize=4)
def points(config) -> Document:
    """The points catalogue: each village's rules, the supermarkets with their items and prices, the privileges."""
    spec = config.spec.points
    names = lambda n: n.model_dump(exclude_none=True)   # noqa: E731
    return Document({
        "previous_month_days": spec.previous_month_days,
        "rules": [{"code": r.code, "scope": r.scope, "points": r.points, "monthly_cap": r.monthly_cap, "kind": r.kind,
                   "names": names(r.names)} for r in spec.rules],
        "supermarkets": [{"id": m.id, "node": m.node, "names": names(m.names),
                          "items": [{"sku": i.sku, "price": i.price, "names": names(i.names)} for i in m.items]}
                         for m in spec.supermarkets],
        "privileges": [{"code": p.code, "threshold": p.threshold, "names": names(p.names)} for p in spec.privileges],
    })
