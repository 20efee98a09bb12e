"""The points ledger (积分制). Append-only: a correction is a reversing entry that names the entry
it reverses, once. The balance is the sum of the ledger; penalties and reversals may take it below zero; a
redemption never spends below zero."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta

from chalicelib.domain.errors import InsufficientPoints, Invalid, MonthlyCapReached, PointsRefused
from chalicelib.domain.household import Household


@dataclass
class LedgerEntry:
    """One line of a household's points ledger (award, penalty, reversal, redemption)."""
    seq: int
    at: str
    kind: str                 # award | penalty | reversal | redemption
    points: int               # signed
    month: str                # yyyy-mm the points count in (county time zone)
    reason: str
    by: str
    rule: str | None = None
    reverses: int | None = None
    order_id: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def _append(household: Household, entry_fields: dict) -> LedgerEntry:
    entry = LedgerEntry(seq=household.entries + 1, **entry_fields)
    household.entries += 1
    household.balance += entry.points
    household.version += 1
    return entry


def record(household: Household, rule, points_this_month_for_rule: int, *, at: str, month: str, reason: str,
           by: str) -> LedgerEntry:
    """A daily point or a monthly score under a rule of the catalog; the rule's monthly cap holds."""
    if rule.monthly_cap is not None and abs(points_this_month_for_rule + rule.points) > rule.monthly_cap:
        raise MonthlyCapReached(f"rule {rule.code} allows {rule.monthly_cap} points a month per household; "
                                f"{points_this_month_for_rule} are recorded for {month}")
    return _append(household, {"at": at, "kind": "award" if rule.points > 0 else "penalty", "points": rule.points,
                               "month": month, "reason": reason, "by": by, "rule": rule.code})


def reverse(household: Household, target: dict, already_reversed: bool, *, at: str, reason: str,
            by: str) -> LedgerEntry:
    """A correction: the opposite of one award or penalty, in that entry's month."""
    if target["kind"] == "reversal":
        raise PointsRefused(f"entry {target['seq']} is itself a reversal; a reversal cannot be reversed")
    if target["kind"] == "redemption":
        raise PointsRefused(f"entry {target['seq']} is a redemption; redemptions are not reversed in the ledger")
    if already_reversed:
        raise PointsRefused(f"entry {target['seq']} has already been reversed; an entry is reversed once")
    return _append(household, {"at": at, "kind": "reversal", "points": -target["points"], "month": target["month"],
                               "reason": reason, "by": by, "rule": target.get("rule"), "reverses": target["seq"]})


def redeem(household: Household, price: int, quantity: int, *, at: str, month: str, order_id: str,
           by: str) -> LedgerEntry:
    """A redemption spends the balance, never below zero."""
    cost = price * quantity
    if household.balance < cost:
        raise InsufficientPoints(f"the household has {household.balance} points; this costs {cost}")
    return _append(household, {"at": at, "kind": "redemption", "points": -cost, "month": month,
                               "reason": f"redeemed {quantity} item(s)", "by": by, "order_id": order_id})


def open_months(today: date, previous_month_days: int) -> set[str]:
    """The months (yyyy-mm) points may be recorded for on `today`: the current one, and the previous one during
    the month's first `previous_month_days` days (late monthly scores). Caps are per month: an open choice of
    month would let one evaluator award the capped maximum for every month there is."""
    months = {f"{today:%Y-%m}"}
    if today.day <= previous_month_days:
        months.add(f"{today.replace(day=1) - timedelta(days=1):%Y-%m}")
    return months


# The public monthly ranking is read from two kinds of item per grid, written in the transactions that change
# them: the grid's roster (each household's masked name, and how many it holds) and the grid's points of a month
# (each household's net points earned that month). A village's ranking is then one read of 2 items per grid
# however many households or ledger entries it has. A grid holds at most MAX_HOUSEHOLDS_PER_GRID households, so
# both items stay far under DynamoDB's 400 KB (about 40 and 30 bytes a household).
MAX_HOUSEHOLDS_PER_GRID = 2_000


def grid_full(grid: str) -> Invalid:
    """The refusal of a household past the grid's bound (read before the write, or the roster's condition)."""
    return Invalid(f"grid {grid} holds {MAX_HOUSEHOLDS_PER_GRID} households, the most one grid holds: register it "
                   f"in a new grid", field="grid")


def roster_key(grid: str) -> str:
    return f"roster#{grid}"


def month_points_key(grid: str, month: str) -> str:
    return f"points#{grid}#{month}"


def ranking(names: dict[str, str], earned: dict[str, int]) -> list[dict]:
    """Every household on the rosters, most points first (ties by household id), with its masked name; a household
    without points that month has 0."""
    order = sorted(names, key=lambda household_id: (-earned.get(household_id, 0), household_id))
    return [{"rank": i, "household": names[h], "points": earned.get(h, 0)} for i, h in enumerate(order, 1)]
