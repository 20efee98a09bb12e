"""The points ledger on the PynamoDB adapter against moto: money-like invariants, races, retries."""
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from chalicelib.adapters.models import HouseholdItem, LedgerItem, OrderItem, create_tables
from chalicelib.adapters.repositories import stock_levels
from chalicelib.adapters.unit_of_work import DynamoUnitOfWork
from chalicelib.domain.errors import InsufficientPoints, MonthlyCapReached, OutOfStock, PointsRefused
from chalicelib.domain.roles import Principal
from chalicelib.services import households, points
from chalicelib.domain import commands
from support.fakes import InterleavedLoads

EVALUATOR = Principal("evaluator-yks", "points_evaluator", node="BZ.RQ.TGLK.YKS")
CLERK = Principal("clerk-yks", "clerk", node="BZ.RQ.TGLK.YKS")
OTHER_CLERK = Principal("clerk-yks-2", "clerk", node="BZ.RQ.TGLK.YKS")
GM = Principal("gm-yks-01", "grid_member", grid="BZ.RQ.TGLK.YKS.G01")
T0 = datetime(2026, 6, 10, 3, 0, tzinfo=timezone.utc)
CAPS = {"clean_courtyard": 5, "helped_mediate": 30, "volunteer_work": 15}   # demo.yaml, written out


def new_household(config, name="王小明"):
    return households.register(DynamoUnitOfWork(), config, GM, commands.RegisterHousehold(
        grid=GM.grid, head=name, members=4), T0)["id"]


def ledger_sum(household_id):
    return sum(item.doc["points"] for item in LedgerItem.query(household_id))


def stored_balance(household_id):
    return HouseholdItem.get(household_id, consistent_read=True).doc["balance"]


def restock(config, sku, quantity):
    points.restock(DynamoUnitOfWork(), config, CLERK, "yks-market", commands.Restock(sku=sku, add=quantity))


class Interleaved(InterleavedLoads, DynamoUnitOfWork):
    """A unit of work that lets another write commit right after its load, before its own commit."""

    def __init__(self, between):
        super().__init__()
        self._interleave(between)


operation = st.one_of(
    st.tuples(st.just("award"), st.sampled_from(["clean_courtyard", "helped_mediate", "volunteer_work"]),
              st.integers(0, 2)),
    st.tuples(st.just("penalty"), st.just("illegal_dumping"), st.integers(0, 2)),
    st.tuples(st.just("reverse"), st.integers(1, 30), st.integers(0, 0)),
    st.tuples(st.just("redeem"), st.sampled_from(["soap", "rice-5kg"]), st.integers(1, 3)),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(ops=st.lists(operation, min_size=5, max_size=25))
def test_balance_is_the_ledger_sum_never_spent_below_zero_caps_hold_and_stock_stays_non_negative(aws, config, ops):
    aws.reset()
    create_tables()
    home = new_household(config)
    restock(config, "soap", 4)
    restock(config, "rice-5kg", 2)
    for i, (kind, what, n) in enumerate(ops):
        now = T0 + timedelta(days=n * 31, minutes=i)            # n moves awards into later months
        balance_before = stored_balance(home)
        try:
            if kind in ("award", "penalty"):
                points.record(DynamoUnitOfWork(), config, EVALUATOR, home, commands.RecordPoints(rule=what, reason="r"), now)
            elif kind == "reverse":
                points.reverse(DynamoUnitOfWork(), config, EVALUATOR, home, what, commands.Reason(reason="mistake"), now)
            else:
                points.redeem(DynamoUnitOfWork(), config, CLERK, "yks-market", commands.Redeem(household_id=home, sku=what,
                                                                                   quantity=n), now)
        except (PointsRefused, MonthlyCapReached, InsufficientPoints, OutOfStock) as refused:
            assert stored_balance(home) == balance_before, refused   # a refusal changes nothing
        except Exception as other:  # an unknown entry to reverse names the field
            assert getattr(other, "field", None) == "seq", other
        assert stored_balance(home) == ledger_sum(home)              # the balance is the ledger, always
        if kind == "redeem":
            assert stored_balance(home) >= 0 or stored_balance(home) == balance_before
    entries = [item.doc for item in LedgerItem.query(home)]
    per_rule_month = {}
    for e in entries:
        if e["rule"] in CAPS and e["kind"] in ("award", "reversal"):
            per_rule_month[(e["rule"], e["month"])] = per_rule_month.get((e["rule"], e["month"]), 0) + e["points"]
    assert all(total <= CAPS[rule] for (rule, _), total in per_rule_month.items())
    assert all(level >= 0 for level in stock_levels(["yks-market#soap", "yks-market#rice-5kg"]).values())
    reversed_seqs = [e["reverses"] for e in entries if e["kind"] == "reversal"]
    assert len(reversed_seqs) == len(set(reversed_seqs))             # each entry reversed at most once
    sold = sum(o.doc["quantity"] for o in OrderItem.scan() if o.doc["sku"] == "soap")
    assert stock_levels(["yks-market#soap"]).get("yks-market#soap", 0) == 4 - sold


def test_two_clerks_who_both_read_the_last_unit_make_exactly_one_order(tables, config):
    homes = [new_household(config, "王一"), new_household(config, "李二")]
    for home in homes:
        points.record(DynamoUnitOfWork(), config, EVALUATOR, home, commands.RecordPoints(rule="helped_mediate",
                                                                                          reason="r"), T0)
    restock(config, "soap", 1)
    first = []                                   # the first clerk's redemption commits between our read and commit
    ours = Interleaved([lambda: first.append(points.redeem(
        DynamoUnitOfWork(), config, CLERK, "yks-market", commands.Redeem(household_id=homes[0], sku="soap"), T0))])
    with pytest.raises(OutOfStock):              # the second finds none left
        points.redeem(ours, config, OTHER_CLERK, "yks-market", commands.Redeem(household_id=homes[1], sku="soap"), T0)
    assert ours.stock == {"yks-market#soap": 1}  # both saw one soap left
    assert [o.doc["clerk"] for o in OrderItem.scan()] == ["clerk-yks"]
    assert stock_levels(["yks-market#soap"]) == {"yks-market#soap": 0}
    assert [stored_balance(h) for h in homes] == [5, 10] and [ledger_sum(h) for h in homes] == [5, 10]


def test_a_redemption_retried_three_times_with_one_key_deducts_once(tables, config):
    home = new_household(config)
    points.record(DynamoUnitOfWork(), config, EVALUATOR, home, commands.RecordPoints(rule="helped_mediate", reason="r"), T0)
    restock(config, "soap", 10)
    body = commands.Redeem(household_id=home, sku="soap", quantity=1)
    answers = [points.redeem(DynamoUnitOfWork(), config, CLERK, "yks-market", body, T0, idempotency_key="till-7-0042")
               for _ in range(3)]
    assert len({a["order"]["id"] for a in answers}) == 1
    assert stored_balance(home) == 5 and stock_levels(["yks-market#soap"])["yks-market#soap"] == 9
    assert len(list(OrderItem.scan())) == 1


def test_a_reversal_of_a_reversal_and_a_second_reversal_are_refused(tables, config):
    home = new_household(config)
    points.record(DynamoUnitOfWork(), config, EVALUATOR, home, commands.RecordPoints(rule="illegal_dumping", reason="r"), T0)
    first = points.reverse(DynamoUnitOfWork(), config, EVALUATOR, home, 1, commands.Reason(reason="wrong household"), T0)
    assert (first["entry"]["reverses"], first["balance"]) == (1, 0)
    with pytest.raises(PointsRefused, match="already been reversed"):
        points.reverse(DynamoUnitOfWork(), config, EVALUATOR, home, 1, commands.Reason(reason="again"), T0)
    with pytest.raises(PointsRefused, match="cannot be reversed"):
        points.reverse(DynamoUnitOfWork(), config, EVALUATOR, home, 2, commands.Reason(reason="undo the undo"), T0)
    assert stored_balance(home) == ledger_sum(home) == 0


def test_a_penalty_may_take_the_balance_below_zero_but_a_redemption_never_does(tables, config):
    home = new_household(config)
    points.record(DynamoUnitOfWork(), config, EVALUATOR, home, commands.RecordPoints(rule="illegal_dumping", reason="r"), T0)
    assert stored_balance(home) == -5
    restock(config, "soap", 3)
    with pytest.raises(InsufficientPoints):
        points.redeem(DynamoUnitOfWork(), config, CLERK, "yks-market", commands.Redeem(household_id=home, sku="soap"), T0)
    assert stored_balance(home) == -5 and stock_levels(["yks-market#soap"])["yks-market#soap"] == 3


def test_the_monthly_cap_holds_and_a_new_month_starts_afresh(tables, config):
    home = new_household(config)
    record = commands.RecordPoints(rule="clean_courtyard", reason="inspected")
    points.record(DynamoUnitOfWork(), config, EVALUATOR, home, record, T0)
    with pytest.raises(MonthlyCapReached):
        points.record(DynamoUnitOfWork(), config, EVALUATOR, home, record, T0 + timedelta(days=1))
    points.record(DynamoUnitOfWork(), config, EVALUATOR, home, record, T0 + timedelta(days=31))
    assert stored_balance(home) == 10


def test_evaluators_and_clerks_act_only_in_their_own_place(tables, config):
    home = new_household(config)
    from chalicelib.domain.errors import Forbidden
    elsewhere = Principal("evaluator-ys", "points_evaluator", node="BZ.RQ.TGLK.YS")
    with pytest.raises(Forbidden):
        points.record(DynamoUnitOfWork(), config, elsewhere, home, commands.RecordPoints(rule="volunteer_work", reason="r"), T0)
    with pytest.raises(Forbidden):
        points.redeem(DynamoUnitOfWork(), config, Principal("clerk-elb", "clerk", node="BZ.HJ.BYBLK.ELB"), "yks-market",
                      commands.Redeem(household_id=home, sku="soap"), T0)


def test_points_count_in_this_month_or_in_the_last_one_during_the_first_days_only(tables, config):
    from chalicelib.domain.errors import Invalid
    home = new_household(config)
    grace_days = 5                                                  # demo.yaml: points.previous_month_days
    third = datetime(2026, 6, 2, 18, 0, tzinfo=timezone.utc)        # 3 June, 02:00 in Beijing
    sixth = datetime(2026, 6, 5 + 1, 1, 0, tzinfo=timezone.utc)     # 6 June, 09:00 in Beijing: past the grace days
    assert sixth.day == grace_days + 1

    def record(month, now):
        return points.record(DynamoUnitOfWork(), config, EVALUATOR, home,
                             commands.RecordPoints(rule="volunteer_work", reason="r", month=month), now)

    assert record("2026-06", third)["entry"]["month"] == "2026-06"
    assert record("2026-05", third)["entry"]["month"] == "2026-05"  # May's scores, entered early in June
    for month, now in (("2026-04", third), ("2026-07", third), ("2000-01", third), ("2099-12", third),
                       ("2026-05", sixth)):
        with pytest.raises(Invalid) as refused:
            record(month, now)
        assert refused.value.field == "month", (month, now)
    assert stored_balance(home) == 6 and ledger_sum(home) == 6
