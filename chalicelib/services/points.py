"""Points (积分制, DESIGN §6): awards, penalties and reversals by the evaluation group, redemptions at the
supermarket, privileges and the public monthly ranking. Points are money-like: every operation is one read
and one conditional transaction, and a retry with the same Idempotency-Key is applied once."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime

from ulid import ULID

from chalicelib.domain import access, points
from chalicelib.domain.case import iso
from chalicelib.domain.errors import Forbidden, Invalid, NotFound, OutOfStock
from chalicelib.domain.jurisdiction import within
from chalicelib.domain.privacy import mask_name
from chalicelib.domain.roles import Principal
from chalicelib.services import exports
from chalicelib.domain import commands
from chalicelib.services.idempotency import IdempotencyKeyReused
from chalicelib.services.points_port import HouseholdsRead, PointsStore, PointsWrite
from chalicelib.services.unit_of_work import DuplicateRequest, IdempotencyRecord


def _month(config, moment: datetime) -> str:
    return f"{moment.astimezone(config.timezone):%Y-%m}"


def _village_of(config, grid: str) -> str:
    return config.jurisdiction.ancestor_at(grid, "village").code


def _rule(config, code: str, grid: str):
    """The rule of that code in the household's village catalog, else its township's."""
    path = [n.code for n in config.jurisdiction.ancestors(grid)]
    found = [r for r in config.spec.points.rules if r.code == code and r.scope in path]
    if not found:
        raise Invalid(f"no point rule '{code}' for this household's village or township", field="rule")
    return min(found, key=lambda r: path.index(r.scope))


def _hash(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _apply(store: PointsStore, p: Principal, operation: str, household_id: str, key: str | None, payload: dict,
           decide, **reads) -> dict:
    """Read once, let `decide` build the change, write once; a repeated key returns the first result."""
    full_key = f"{p.user_id}#{operation}#{key}" if key else None
    request_hash = _hash(payload)
    read = store.read(household_id, idempotency_key=full_key, **reads)
    if read.idempotency:
        if read.idempotency.request_hash != request_hash:
            raise IdempotencyKeyReused("this Idempotency-Key was used for a different request", field="Idempotency-Key")
        return read.idempotency.result
    if read.household is None:
        raise NotFound(f"no household {household_id}")
    previous_version = read.household.version
    change, result = decide(read)
    if full_key:
        change.idempotency = IdempotencyRecord(full_key, request_hash, result)
    try:
        store.write(change, previous_version)
    except DuplicateRequest:
        return store.read(household_id, idempotency_key=full_key).idempotency.result
    return result


def _entry_view(household, entry) -> dict:
    return {"household_id": household.id, "balance": household.balance, "entry": entry.to_dict()}


def record(store: PointsStore, config, p: Principal, household_id: str, body: commands.RecordPoints, now: datetime,
           idempotency_key: str | None = None) -> dict:
    today = now.astimezone(config.timezone).date()
    month = body.month or f"{today:%Y-%m}"
    if month not in points.open_months(today, config.spec.points.previous_month_days):
        raise Invalid(f"points are recorded for this month, or for the last one during the first "
                      f"{config.spec.points.previous_month_days} days of a month; not for {month}", field="month")

    def decide(read):
        household = read.household
        if not access.may_record_points(p, household.grid):
            raise Forbidden("only the points evaluation group of this household's grid or village records points")
        rule = _rule(config, body.rule, household.grid)
        entry = points.record(household, rule, read.cap_total, at=iso(now), month=month, reason=body.reason,
                              by=p.user_id)
        return PointsWrite(household, entry, cap_key=_cap_key(household_id, rule, month),
                           earned_key=f"earned#{household_id}#{month}"), _entry_view(household, entry)

    # the cap counter is named by rule code, so it is read with the household before the rule is resolved
    return _apply(store, p, "points", household_id, idempotency_key, {"household": household_id, **body.model_dump()},
                  decide, cap_key=f"cap#{household_id}#{body.rule}#{month}")


def _cap_key(household_id: str, rule, month: str) -> str | None:
    """The month's running total under a capped rule (uncapped rules keep none)."""
    return f"cap#{household_id}#{rule.code}#{month}" if rule and rule.monthly_cap is not None else None


def reverse(store: PointsStore, config, p: Principal, household_id: str, seq: int, body: commands.Reason,
            now: datetime, idempotency_key: str | None = None) -> dict:
    def decide(read):
        household = read.household
        if not access.may_record_points(p, household.grid):
            raise Forbidden("only the points evaluation group of this household's grid or village corrects points")
        if read.entry is None:
            raise Invalid(f"the household has no ledger entry {seq}", field="seq")
        entry = points.reverse(household, read.entry, read.reversed, at=iso(now), reason=body.reason, by=p.user_id)
        rule = next((r for r in config.spec.points.rules if r.code == read.entry.get("rule")), None)
        return PointsWrite(household, entry, cap_key=_cap_key(household_id, rule, read.entry["month"]),
                           earned_key=f"earned#{household_id}#{read.entry['month']}",
                           reversal_key=f"reversed#{household_id}#{seq}"), _entry_view(household, entry)

    return _apply(store, p, "reverse", household_id, idempotency_key, {"household": household_id, "seq": seq,
                                                                        **body.model_dump()}, decide, entry_seq=seq)


def _supermarket(config, supermarket_id: str):
    market = next((m for m in config.spec.points.supermarkets if m.id == supermarket_id), None)
    if market is None:
        raise NotFound(f"no supermarket {supermarket_id}")
    return market


def redeem(store: PointsStore, config, p: Principal, supermarket_id: str, body: commands.Redeem, now: datetime,
           idempotency_key: str | None = None) -> dict:
    market = _supermarket(config, supermarket_id)
    if not access.is_clerk_of(p, market.node):
        raise Forbidden(f"only the clerks of {supermarket_id} redeem there")
    item = next((i for i in market.items if i.sku == body.sku), None)
    if item is None:
        raise Invalid(f"{supermarket_id} has no item '{body.sku}'", field="sku")
    stock_key = f"{supermarket_id}#{body.sku}"

    def decide(read):
        household = read.household
        if not within(household.grid, market.node):
            raise Forbidden("the household is not served by this supermarket")
        if (read.stock or 0) < body.quantity:
            raise OutOfStock(f"{body.sku}: {read.stock or 0} in stock, {body.quantity} asked")
        order_id = str(ULID.from_datetime(now))
        entry = points.redeem(household, item.price, body.quantity, at=iso(now), month=_month(config, now),
                              order_id=order_id, by=p.user_id)
        order = {"id": order_id, "supermarket": supermarket_id, "household_id": household.id, "sku": body.sku,
                 "quantity": body.quantity, "points": item.price * body.quantity, "at": iso(now), "clerk": p.user_id,
                 "ledger_seq": entry.seq}
        return (PointsWrite(household, entry, stock_key=stock_key, quantity=body.quantity, order=order),
                {"order": order, "balance": household.balance})

    return _apply(store, p, "redeem", body.household_id, idempotency_key,
                  {"supermarket": supermarket_id, **body.model_dump()}, decide, stock_key=stock_key)


def restock(store: PointsStore, config, p: Principal, supermarket_id: str, body: commands.Restock) -> dict:
    market = _supermarket(config, supermarket_id)
    if not access.may_manage_stock(p, market.node):
        raise Forbidden(f"only the clerks of {supermarket_id} and the admins of its place manage its stock")
    if body.sku not in {i.sku for i in market.items}:
        raise Invalid(f"{supermarket_id} has no item '{body.sku}'", field="sku")
    return {"sku": body.sku, "stock": store.restock(f"{supermarket_id}#{body.sku}", body.add)}


def stock(store: PointsStore, config, p: Principal, supermarket_id: str) -> dict:
    market = _supermarket(config, supermarket_id)
    if not access.may_manage_stock(p, market.node):
        raise Forbidden(f"only the clerks of {supermarket_id} and the admins of its place read its stock")
    levels = store.stock([f"{supermarket_id}#{i.sku}" for i in market.items])
    return {"supermarket": supermarket_id, "items": [
        {"sku": i.sku, "names": i.names.model_dump(exclude_none=True), "price": i.price,
         "stock": levels.get(f"{supermarket_id}#{i.sku}", 0)} for i in market.items]}


def ledger(store: PointsStore, config, p: Principal, household_id: str, limit: int, cursor: str | None) -> dict:
    read = store.read(household_id)
    if read.household is None or not access.may_read_ledger(p, read.household.grid):
        raise NotFound(f"no household {household_id} that you can see")
    page = store.ledger(household_id, limit, cursor)
    return {"household_id": household_id, "balance": read.household.balance, "items": page.items,
            "cursor": page.cursor}


def _village_households(store: PointsStore, config, village: str, months: list[str]) -> HouseholdsRead:
    """The village's households and their `earned` counters of these months: two round trips, any village."""
    node = config.jurisdiction.node(village)
    if node is None or node.level != "village":
        raise Invalid(f"'{village}' is not a village of this deployment", field="village")
    grids = [n.code for n in config.jurisdiction.nodes.values() if n.level == "grid" and within(n.code, village)]
    return store.households_in_grids(grids, lambda household_id: [f"earned#{household_id}#{m}" for m in months])


def _months(period: str) -> list[str]:
    if len(period) == 7:
        return [period]
    if len(period) == 4 and period.isdigit():
        return [f"{period}-{m:02d}" for m in range(1, 13)]
    raise Invalid("period is YYYY or YYYY-MM", field="period")


def eligible(store: PointsStore, config, p: Principal, privilege: str, village: str, period: str) -> dict:
    spec = next((x for x in config.spec.points.privileges if x.code == privilege), None)
    if spec is None:
        raise NotFound(f"no privilege {privilege}")
    if not access.may_read_privileges(p, village):
        raise Forbidden(f"{village} is outside your jurisdiction")
    months = _months(period)
    read = _village_households(store, config, village, months)
    earned = read.counters
    rows = []
    for h in read.households:
        total = sum(earned.get(f"earned#{h.id}#{m}", 0) for m in months)
        if total >= spec.threshold:
            rows.append({"household_id": h.id, "grid": h.grid, "head": h.head, "address": h.address,
                         "points_earned": total, "balance": h.balance})
    rows.sort(key=lambda r: (-r["points_earned"], r["household_id"]))
    return {"privilege": privilege, "names": spec.names.model_dump(exclude_none=True), "threshold": spec.threshold,
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


def monthly_ranking(store: PointsStore, config, village: str, month: str) -> dict:
    """The public notice-board ranking: net points earned in the month, names masked."""
    if len(month) != 7:
        raise Invalid("month is YYYY-MM", field="month")
    read = _village_households(store, config, village, [month])
    rows = sorted(({"household": mask_name(h.head), "points": read.counters.get(f"earned#{h.id}#{month}", 0),
                    "id": h.id} for h in read.households), key=lambda r: (-r["points"], r["id"]))
    return {"village": village, "month": month,
            "items": [{"rank": i, "household": r["household"], "points": r["points"]} for i, r in enumerate(rows, 1)]}
