"""Household visits: logged by the grid's member, listed by grid and period, counted per grid on write."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from ulid import ULID

from chalicelib.domain import access, aggregates
from chalicelib.domain.times import instant
from chalicelib.domain.errors import Forbidden, Invalid
from chalicelib.domain.household import Visit
from chalicelib.domain.roles import Principal
from chalicelib.services import views
from chalicelib.services.handler import Command, handle
from chalicelib.domain import commands
from chalicelib.services.unit_of_work import AbstractUnitOfWork, Preload


def log_visit(uow: AbstractUnitOfWork, config, p: Principal, body: commands.LogVisit, now: datetime,
              idempotency_key: str | None = None) -> dict:
    if not access.may_log_visits(p):
        raise Forbidden("grid members log household visits")
    if body.visited_at > now + timedelta(minutes=5):
        raise Invalid("a visit cannot be in the future", field="visited_at")

    def decide() -> dict:
        household = uow.households.get(body.household_id)   # read with the idempotency record: no round trip
        if household is None or household.grid != p.grid:
            raise Invalid(f"no household {body.household_id} in your grid", field="household_id")
        visit = Visit(id=str(ULID.from_datetime(body.visited_at)), grid=p.grid, household_id=household.id,
                      visited_at=instant(body.visited_at), by=p.user_id, notes=body.notes,
                      demands_raised=list(body.demands_raised), case_ids=list(body.case_ids))
        uow.visits_added.append(visit)
        uow.add_increments(aggregates.for_visit(visit.grid, visit.visited_at, config.timezone))
        return views.masked_notes(visit.to_dict())

    return handle(uow, p, Command("log_visit", body.model_dump(mode="json"), idempotency_key,
                                  Preload(household_ids=[body.household_id])), decide)


def list_visits(uow: AbstractUnitOfWork, config, p: Principal, grid: str, first: date, last: date, limit: int,
                cursor: str | None) -> dict:
    node = config.jurisdiction.node(grid)
    if node is None or node.level != "grid":
        raise Invalid(f"'{grid}' is not a grid of this deployment", field="grid")
    if not access.may_read_visits(p, grid):
        raise Forbidden(f"grid {grid} is outside your jurisdiction")
    tz = config.timezone
    start = datetime.combine(first, time.min, tz).astimezone(timezone.utc)
    end = datetime.combine(last + timedelta(days=1), time.min, tz).astimezone(timezone.utc)
    with uow:
        page = uow.visits.between(grid, str(ULID.from_datetime(start)), str(ULID.from_datetime(end)), limit, cursor)
        return {"items": [views.masked_notes(v) for v in page.items], "cursor": page.cursor}
