"""The local stage's people (fictional): users for the local token issuer, and households.

For a county `<name>`, `make run COUNTY=<name>` reads `local/seed/<name>-people.yaml` when it exists (the demo
county's is written by hand: `local/seed/demo-people.yaml`); otherwise people are generated from the county's
own places: a grid member and two households per grid; a station, a points evaluator and a supermarket clerk
per village; a dispatcher per township, county and prefecture center; one staff member per department; a leader
per county and prefecture; an administrator at the root. Generated names say what the person is
("Grid member, Daxi Village Grid 1"); phone numbers are fictional (139 0000 xxxx).
"""
from __future__ import annotations

from pathlib import Path

import yaml

from chalicelib.domain.roles import ALL_ROLES

SEED_DIR = Path(__file__).parent / "seed"
SEED_FILE = SEED_DIR / "demo-people.yaml"
HOUSEHOLDS_PER_GRID = 2


def people_file(county: str) -> Path:
    return SEED_DIR / f"{county}-people.yaml"


def people_for(config) -> tuple[dict, str]:
    """The county's people and where they came from (a file, or 'generated')."""
    path = people_file(config.name)
    if path.exists():
        return load_people(config, path), str(path.relative_to(SEED_DIR.parent.parent))
    return check_people(config, generate_people(config), "generated people"), "generated from the county's places"


def _id(role: str, code: str) -> str:
    return f"{role}-{code.lower().replace('.', '-')}"


def generate_people(config) -> dict:
    nodes = list(config.jurisdiction.nodes.values())
    users, households = [], []
    title = {"grid": "Grid member", "village": "Station", "township": "Dispatcher", "county": "Dispatcher",
             "prefecture": "Dispatcher"}

    def name_of(node) -> str:
        return node.names.get("en") or node.names.get("zh") or node.code

    for node in nodes:
        where = name_of(node)
        if node.level == "grid":
            users.append({"user_id": _id("gm", node.code), "name": f"{title['grid']}, {where}", "role": "grid_member",
                          "grid": node.code})
            for n in range(1, HOUSEHOLDS_PER_GRID + 1):
                households.append({"grid": node.code, "head": f"Household {n}, {where}",
                                   "phone": f"139{len(households) + 1:08d}", "members": 2 + n,
                                   "address": f"{node.names.get('zh', where)} {n}号"})
        elif node.level == "village":
            users += [{"user_id": _id("station", node.code), "name": f"Station, {where}", "role": "station",
                       "node": node.code},
                      {"user_id": _id("evaluator", node.code), "name": f"Points evaluator, {where}",
                       "role": "points_evaluator", "node": node.code},
                      {"user_id": _id("clerk", node.code), "name": f"Supermarket clerk, {where}", "role": "clerk",
                       "node": node.code}]
        else:
            users.append({"user_id": _id("dispatcher", node.code), "name": f"Dispatcher, {where}",
                          "role": "dispatcher", "node": node.code})
            if node.level in ("county", "prefecture"):
                users.append({"user_id": _id("leader", node.code), "name": f"Leader, {where}", "role": "leader",
                              "node": node.code})
    for department in config.jurisdiction.departments.values():
        users.append({"user_id": f"dept-{department.id}", "name": f"Staff, {department.names.get('en', department.id)}",
                      "role": "department", "department": department.id})
    root = config.jurisdiction.root
    users.append({"user_id": _id("admin", root.code), "name": f"Administrator, {name_of(root)}", "role": "admin",
                  "node": root.code})
    return {"users": users, "households": households}


def load_people(config, path: Path = SEED_FILE) -> dict:
    """Read and check a seed file against the deployment: every node, grid and department must exist."""
    return check_people(config, yaml.safe_load(path.read_text(encoding="utf-8")), str(path))


def check_people(config, people: dict, source: str) -> dict:
    problems = []
    for i, user in enumerate(people.get("users", [])):
        where = f"users[{i}] ({user.get('user_id')})"
        if user.get("role") not in ALL_ROLES:
            problems.append(f"{where}: unknown role {user.get('role')!r}")
        for attribute in ("node", "grid"):
            if user.get(attribute) and config.jurisdiction.node(user[attribute]) is None:
                problems.append(f"{where}: unknown {attribute} {user[attribute]!r}")
        if user.get("department") and config.jurisdiction.department(user["department"]) is None:
            problems.append(f"{where}: unknown department {user['department']!r}")
    members = {u["grid"] for u in people.get("users", []) if u.get("role") == "grid_member"}
    for i, household in enumerate(people.get("households", [])):
        if config.jurisdiction.node(household.get("grid", "")) is None:
            problems.append(f"households[{i}]: unknown grid {household.get('grid')!r}")
        elif household["grid"] not in members:
            problems.append(f"households[{i}]: no grid member for {household['grid']!r} registers it")
    if problems:
        raise ValueError(f"{source}:\n  " + "\n  ".join(problems))
    return people


def user(people: dict, user_id: str) -> dict:
    return next(u for u in people["users"] if u["user_id"] == user_id)


def load_households(config, people: dict, now) -> int:
    """Register the households through the same service the API uses, as each grid's member."""
    from chalicelib.adapters.unit_of_work import DynamoUnitOfWork
    from chalicelib.domain.roles import Principal
    from chalicelib.services import households
    from chalicelib.domain import commands

    members = {u["grid"]: u for u in people["users"] if u["role"] == "grid_member"}
    for i, h in enumerate(people.get("households", [])):
        gm = members[h["grid"]]
        actor = Principal(gm["user_id"], gm["role"], gm.get("name", ""), grid=gm["grid"])
        body = commands.RegisterHousehold.model_validate(h)
        households.register(DynamoUnitOfWork(), config, actor, body, now, idempotency_key=f"seed-household-{i}")
    return len(people.get("households", []))


def stock_supermarkets(config, quantity: int) -> None:
    """Each supermarket's items restocked through the same service the API uses, as the deployment's admin."""
    from chalicelib.adapters.unit_of_work import DynamoUnitOfWork
    from chalicelib.domain import commands
    from chalicelib.domain.roles import ADMIN, Principal
    from chalicelib.services import points

    admin = Principal("seed", ADMIN, "opening stock", node=config.jurisdiction.root.code)
    for market in config.supermarkets.values():
        for item in market.items:
            points.restock(DynamoUnitOfWork(), config, admin, market.id, commands.Restock(sku=item.sku, add=quantity))
