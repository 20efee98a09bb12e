"""Households of a grid (operational data): registered and listed through the API."""
from __future__ import annotations

from datetime import datetime

from ulid import ULID

from chalicelib.domain import access, points
from chalicelib.domain.times import iso
from chalicelib.domain.errors import Forbidden, Invalid
from chalicelib.domain.household import Household
from chalicelib.domain.privacy import mask_name, mask_phone
from chalicelib.domain.roles import Principal
from chalicelib.services.handler import Command, handle
from chalicelib.domain import commands
from chalicelib.services.unit_of_work import AbstractUnitOfWork, Preload

def view(household: Household, p: Principal) -> dict:
    """The grid's own people see the head's name; everyone else sees it masked. Phones are always masked."""
    own = access.may_keep_households(p, household.grid)
    return {"id": household.id, "grid": household.grid, "head": household.head if own else mask_name(household.head),
            "phone": mask_phone(household.phone), "members": household.members, "address": household.address,
            "created_at": household.created_at}


def register(uow: AbstractUnitOfWork, config, p: Principal, body: commands.RegisterHousehold, now: datetime,
             idempotency_key: str | None = None) -> dict:
    grid = config.jurisdiction.node(body.grid)
    if grid is None or grid.level != "grid":
        raise Invalid(f"'{body.grid}' is not a grid of this deployment", field="grid")
    if not access.may_keep_households(p, body.grid):
        raise Forbidden(f"you cannot register households in grid {body.grid}")

    roster = points.roster_key(body.grid)

    def decide() -> dict:
        if (uow.counters.get(roster) or 0) >= points.MAX_HOUSEHOLDS_PER_GRID:
            raise points.grid_full(body.grid)
        household = Household(id=str(ULID.from_datetime(now)), grid=body.grid, head=body.head, phone=body.phone,
                              members=body.members, address=body.address, created_at=iso(now),
                              created_by=p.user_id)
        uow.households.add(household)
        return view(household, p)

    # the grid's roster (its households' masked names, for the public ranking) is added to in the same transaction
    return handle(uow, p, Command("register_household", body.model_dump(mode="json"), idempotency_key,
                                  Preload(counter_names=[roster])), decide)


def list_in_grid(uow: AbstractUnitOfWork, config, p: Principal, grid: str, limit: int, cursor: str | None) -> dict:
    node = config.jurisdiction.node(grid)
    if node is None or node.level != "grid":
        raise Invalid(f"'{grid}' is not a grid of this deployment", field="grid")
    if not access.may_read_households(p, grid):
        raise Forbidden(f"grid {grid} is outside your jurisdiction")
    with uow:
        page = uow.households.list_by_grid(grid, limit, cursor)
        return {"items": [view(h, p) for h in page.items], "cursor": page.cursor}
