"""Points (积分制): awards, penalties and reversals by the evaluation group, redemptions at the
supermarket, privileges and the public monthly ranking. Points are money-like: every operation is one command
over the unit of work (one read, one conditional transaction), and a retry with the same Idempotency-Key is
applied once."""
from __future__ import annotations

from datetime import datetime

from ulid import ULID

from chalicelib.domain import access, aggregates, points
from chalicelib.domain.times import iso
from chalicelib.domain.errors import Forbidden, Invalid, NotFound, OutOfStock
from chalicelib.domain.jurisdiction import within
from chalicelib.domain.roles import Principal
from chalicelib.services import exports
from chalicelib.domain import commands
from chalicelib.services.handler import Command, handle
from chalicelib.services.unit_of_work import AbstractUnitOfWork, Preload


def _month(config, moment: datetime) -> str:
    return f"{moment.astimezone(config.timezone):%Y-%m}"


def _rule(config, code: str, grid: str):
    """The rule of that code in the household's village catalog, else its township's."""
    rule = config.point_rule(code, grid)
    if rule is None:
        raise Invalid(f"no point rule '{code}' for this household's village or township", field="rule")
    return rule


def _household(uow: AbstractUnitOfWork, household_id: str):
    household = uow.households.seen.get(household_id)
    if household is None:
        raise NotFound(f"no household {household_id}")
    return household


def _entry_view(household, entry) -> dict:
    return {"household_id": household.id, "balance": household.balance, "entry": entry.to_dict()}


def _count(uow: AbstractUnitOfWork, names: list[str | None], points_: int) -> None:
    """The entry's points added to the named counters (a capped rule's monthly total, the month's earnings)."""
    uow.add_increments([aggregates.Increment(aggregates.COUNTERS, name, "value", points_) for name in names if name])


def record(uow: AbstractUnitOfWork, config, p: Principal, household_id: str, body: commands.RecordPoints,
           now: datetime, idempotency_key: str | None = None) -> dict:
    today = now.astimezone(config.timezone).date()
    month = body.month or f"{today:%Y-%m}"
    if month not in points.open_months(today, config.points_previous_month_days):
        raise Invalid(f"points are recorded for this month, or for the last one during the first "
                      f"{config.points_previous_month_days} days of a month; not for {month}", field="month")
    # the cap counter is named by rule code, so it is read with the household before the rule is resolved
    cap_read = f"cap#{household_id}#{body.rule}#{month}"

    def decide() -> dict:
        household = _household(uow, household_id)
        if not access.may_record_points(p, household.grid):
            raise Forbidden("only the points evaluation group of this household's grid or village records points")
        rule = _rule(config, body.rule, household.grid)
        entry = points.record(household, rule, uow.counters.get(cap_read) or 0, at=iso(now), month=month,
                              reason=body.reason, by=p.user_id)
        uow.ledger.append(household.id, entry)
        _count(uow, [_cap_key(household_id, rule, month), f"earned#{household_id}#{month}"], entry.points)
        _rank(uow, household, month, entry.points)
        return _entry_view(household, entry)

    return handle(uow, p, Command("points", {"household": household_id, **body.model_dump(mode="json")},
                                  idempotency_key, Preload(household_ids=[household_id], counter_names=[cap_read])),
                  decide)


def _rank(uow: AbstractUnitOfWork, household, month: str, points_: int) -> None:
    """The entry's points added to the household's line of its grid's month item (the public ranking's read)."""
    uow.add_increments([aggregates.Increment(aggregates.COUNTERS, points.month_points_key(household.grid, month),
                                             household.id, points_)])


def _cap_key(household_id: str, rule, month: str) -> str | None:
    """The month's running total under a capped rule (uncapped rules keep none)."""
    return f"cap#{household_id}#{rule.code}#{month}" if rule and rule.monthly_cap is not None else None


def reverse(uow: AbstractUnitOfWork, config, p: Principal, household_id: str, seq: int, body: commands.Reason,
            now: datetime, idempotency_key: str | None = None) -> dict:
    reversal = f"reversed#{household_id}#{seq}"

    def decide() -> dict:
        household = _household(uow, household_id)
        if not access.may_record_points(p, household.grid):
            raise Forbidden("only the points evaluation group of this household's grid or village corrects points")
        target = uow.ledger_entries.get((household_id, seq))
        if target is None:
            raise Invalid(f"the household has no ledger entry {seq}", field="seq")
        entry = points.reverse(household, target, uow.counters.get(reversal) is not None, at=iso(now),
                               reason=body.reason, by=p.user_id)
        rule = config.point_rule_named(target.get("rule"))
        uow.ledger.append(household.id, entry)
        uow.mark_once(reversal, entry.seq)      # an entry is reversed once, whoever tries at the same time
        _count(uow, [_cap_key(household_id, rule, target["month"]), f"earned#{household_id}#{target['month']}"],
               entry.points)
        _rank(uow, household, target["month"], entry.points)
        return _entry_view(household, entry)

    return handle(uow, p, Command("reverse", {"household": household_id, "seq": seq, **body.model_dump(mode="json")},
                                  idempotency_key, Preload(household_ids=[household_id], counter_names=[reversal],
                                                           ledger_entries=[(household_id, seq)])), decide)


def _supermarket(config, supermarket_id: str):
    market = config.supermarkets.get(supermarket_id)
    if market is None:
        raise NotFound(f"no supermarket {supermarket_id}")
    return market


def redeem(uow: AbstractUnitOfWork, config, p: Principal, supermarket_id: str, body: commands.Redeem, now: datetime,
           idempotency_key: str | None = None) -> dict:
    market = _supermarket(config, supermarket_id)
    if not access.is_clerk_of(p, market.node):
        raise Forbidden(f"only the clerks of {supermarket_id} redeem there")
    item = next((i for i in market.items if i.sku == body.sku), None)
    if item is None:
        raise Invalid(f"{supermarket_id} has no item '{body.sku}'", field="sku")
    stock_key = f"{supermarket_id}#{body.sku}"

    def decide() -> dict:
        household = _household(uow, body.household_id)
        if not within(household.grid, market.node):
            raise Forbidden("the household is not served by this supermarket")
        in_stock = uow.stock.get(stock_key) or 0
        if in_stock < body.quantity:
            raise OutOfStock(f"{body.sku}: {in_stock} in stock, {body.quantity} asked")
        order_id = str(ULID.from_datetime(now))
        entry = points.redeem(household, item.price, body.quantity, at=iso(now), month=_month(config, now),
                              order_id=order_id, by=p.user_id)
        order = {"id": order_id, "supermarket": supermarket_id, "household_id": household.id, "sku": body.sku,
                 "quantity": body.quantity, "points": item.price * body.quantity, "at": iso(now), "clerk": p.user_id,
                 "ledger_seq": entry.seq}
        uow.ledger.append(household.id, entry)
        uow.take_stock(stock_key, body.quantity)    # never below zero, whoever took the last one meanwhile
        uow.orders_added.append(order)
        return {"order": order, "balance": household.balance}

    return handle(uow, p, Command("redeem", {"supermarket": supermarket_id, **body.model_dump(mode="json")},
                                  idempotency_key, Preload(household_ids=[body.household_id], stock_keys=[stock_key])),
                  decide)


def restock(uow: AbstractUnitOfWork, config, p: Principal, supermarket_id: str, body: commands.Restock) -> dict:
    market = _supermarket(config, supermarket_id)
    if not access.may_manage_stock(p, market.node):
        raise Forbidden(f"only the clerks of {supermarket_id} and the admins of its place manage its stock")
    if body.sku not in {i.sku for i in market.items}:
        raise Invalid(f"{supermarket_id} has no item '{body.sku}'", field="sku")
    key = f"{supermarket_id}#{body.sku}"

    def decide() -> dict:
        uow.add_stock(key, body.add)
        return {"sku": body.sku, "stock": (uow.stock.get(key) or 0) + body.add}

    return handle(uow, p, Command("restock", reads=Preload(stock_keys=[key])), decide)


def stock(uow: AbstractUnitOfWork, config, p: Principal, supermarket_id: str) -> dict:
    market = _supermarket(config, supermarket_id)
    if not access.may_manage_stock(p, market.node):
        raise Forbidden(f"only the clerks of {supermarket_id} and the admins of its place read its stock")
    with uow:
        levels = uow.read_stock([f"{supermarket_id}#{i.sku}" for i in market.items])
    return {"supermarket": supermarket_id, "items": [
        {"sku": i.sku, "names": i.names.model_dump(exclude_none=True), "price": i.price,
         "stock": levels.get(f"{supermarket_id}#{i.sku}", 0)} for i in market.items]}


def ledger(uow: AbstractUnitOfWork, config, p: Principal, household_id: str, limit: int, cursor: str | None,
           newest_first: bool = False) -> dict:
    with uow:
        uow.preload(Preload(household_ids=[household_id]))
        uow.load()
        household = uow.households.seen[household_id]
        if household is None or not access.may_read_ledger(p, household.grid):
            raise NotFound(f"no household {household_id} that you can see")
        page = uow.ledger.page(household_id, limit, cursor, newest_first)
    return {"household_id": household_id, "balance": household.balance, "items": page.items, "cursor": page.cursor}


def _village_grids(config, village: str) -> list[str]:
    node = config.jurisdiction.node(village)
    if node is None or node.level != "village":
        raise Invalid(f"'{village}' is not a village of this deployment", field="village")
    return config.jurisdiction.grids_under(village)


def _months(period: str) -> list[str]:
    if len(period) == 7:
        return [period]
    if len(period) == 4 and period.isdigit():
        return [f"{period}-{m:02d}" for m in range(1, 13)]
    raise Invalid("period is YYYY or YYYY-MM", field="period")


def eligible(uow: AbstractUnitOfWork, config, p: Principal, privilege: str, village: str, period: str) -> dict:
    rule = config.privileges.get(privilege)
    if rule is None:
        raise NotFound(f"no privilege {privilege}")
    if not access.may_read_privileges(p, village):
        raise Forbidden(f"{village} is outside your jurisdiction")
    months = _months(period)
    grids = _village_grids(config, village)
    with uow:   # the grids' month items (one round), then the households that reach the threshold (one round)
        earned = uow.households.ranking_items(grids, months, names=False).earned
        found = uow.households.get_many([h for h, total in earned.items() if total >= rule.threshold])
    rows = [{"household_id": h.id, "grid": h.grid, "head": h.head, "address": h.address,
             "points_earned": earned[h.id], "balance": h.balance} for h in found.values()]
    rows.sort(key=lambda r: (-r["points_earned"], r["household_id"]))
    return {"privilege": privilege, "names": rule.names.model_dump(exclude_none=True), "threshold": rule.threshold,
            "village": village, "period": period, "items": rows}


ELIGIBLE_COLUMNS = [("privilege", "特权", "privilege"), ("village", "村", "village"), ("period", "期间", "period"),
                    ("household_id", "户", "household"), ("grid", "网格", "grid"), ("head", "户主", "head"),
                    ("address", "地址", "address"), ("points_earned", "期间积分", "points earned"),
                    ("balance", "余额", "balance")]


def eligible_csv(result: dict, language: str) -> str:
    """The bank's list: one row per eligible household (formula cells neutralised, see services.exports)."""
    head = {"privilege": exports.name_in(result["names"], language), "village": result["village"],
            "period": result["period"]}
    return exports.write(ELIGIBLE_COLUMNS, [{**head, **r} for r in result["items"]], language)


def monthly_ranking(uow: AbstractUnitOfWork, config, village: str, month: str) -> dict:
    """The public notice-board ranking: net points earned in the month, names masked. One read of each grid's
    roster and month item (anonymous: bounded by the village's grids, never by its households or ledger)."""
    if len(month) != 7:
        raise Invalid("month is YYYY-MM", field="month")
    grids = _village_grids(config, village)
    with uow:
        board = uow.households.ranking_items(grids, [month])
    return {"village": village, "month": month, "items": points.ranking(board.names, board.earned)}
