"""The local stage's demo people (fictional): users for the local token issuer, and households."""
from __future__ import annotations

from pathlib import Path

import yaml

from chalicelib.domain.roles import ALL_ROLES

SEED_FILE = Path(__file__).parent / "seed" / "demo-people.yaml"


def load_people(config, path: Path = SEED_FILE) -> dict:
    """Read and check the seed file against the deployment: every node, grid and department must exist."""
    people = yaml.safe_load(path.read_text(encoding="utf-8"))
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
    for i, household in enumerate(people.get("households", [])):
        if config.jurisdiction.node(household.get("grid", "")) is None:
            problems.append(f"households[{i}]: unknown grid {household.get('grid')!r}")
    if problems:
        raise ValueError(f"{path}:\n  " + "\n  ".join(problems))
    return people


def user(people: dict, user_id: str) -> dict:
    return next(u for u in people["users"] if u["user_id"] == user_id)


def load_households(config, people: dict, now) -> int:
    """Register the demo households through the same service the API uses, as each grid's member."""
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


def stock_supermarkets(config, people: dict, quantity: int) -> None:
    """Each demo supermarket's items restocked by the demo admin, through the same service the API uses."""
    from chalicelib.adapters.unit_of_work import DynamoUnitOfWork
    from chalicelib.domain import commands
    from chalicelib.domain.roles import ADMIN, Principal
    from chalicelib.services import points

    admin = next(u for u in people["users"] if u["role"] == ADMIN and u.get("node") == config.jurisdiction.root.code)
    actor = Principal(admin["user_id"], admin["role"], admin.get("name", ""), node=admin["node"])
    for market in config.spec.points.supermarkets:
        for item in market.items:
            points.restock(DynamoUnitOfWork(), config, actor, market.id, commands.Restock(sku=item.sku, add=quantity))
