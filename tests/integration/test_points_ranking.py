"""The public monthly ranking on the PynamoDB adapter against moto: each grid's roster and month item are written in
the same transaction as the household or the ledger entry, concurrent writers of one grid are all counted, a retry
counts once, and a grid's roster refuses households past its bound."""
from collections import defaultdict
from datetime import datetime, timezone

import pytest

from chalicelib.adapters.models import CounterItem, LedgerItem
from chalicelib.adapters.unit_of_work import DynamoUnitOfWork
from chalicelib.domain import commands, points as points_domain
from chalicelib.domain.errors import Invalid
from chalicelib.domain.roles import Principal
from chalicelib.services import households, points
from support.fakes import InterleavedLoads

EVALUATOR = Principal("evaluator-yks", "points_evaluator", node="BZ.RQ.TGLK.YKS")
GM = Principal("gm-yks-01", "grid_member", grid="BZ.RQ.TGLK.YKS.G01")
GM2 = Principal("gm-yks-02", "grid_member", grid="BZ.RQ.TGLK.YKS.G02")
T0 = datetime(2026, 6, 10, 3, 0, tzinfo=timezone.utc)
JUNE = "2026-06"


class Interleaved(InterleavedLoads, DynamoUnitOfWork):
    """A unit of work that lets another write commit right after its load, before its own commit."""

    def __init__(self, between):
        super().__init__()
        self._interleave(between)


def register(config, head, member=GM, uow=None):
    return households.register(uow or DynamoUnitOfWork(), config, member, commands.RegisterHousehold(
        grid=member.grid, head=head, members=3), T0)["id"]


def award(config, home, rule="volunteer_work", uow=None, key=None):
    return points.record(uow or DynamoUnitOfWork(), config, EVALUATOR, home,
                         commands.RecordPoints(rule=rule, reason="评议"), T0, idempotency_key=key)


def ledger_month_totals(homes, month):
    """The reference: each household's ledger, summed by hand over the month's awards, penalties and reversals."""
    totals = defaultdict(int)
    for home in homes:
        for item in LedgerItem.query(home):
            if item.doc["month"] == month and item.doc["kind"] != "redemption":
                totals[home] += item.doc["points"]
    return dict(totals)


def month_item(grid, month=JUNE):
    """The grid's month item as stored: household id -> points."""
    found = CounterItem._get_connection().get_item(points_domain.month_points_key(grid, month), consistent_read=True)
    return {k: int(v["N"]) for k, v in found.get("Item", {}).items() if k != "name"}


def test_the_ranking_is_every_household_of_the_village_ranked_by_its_ledger_of_the_month(tables, config):
    wang, li, zhao = register(config, "王小明"), register(config, "李娜"), register(config, "赵四", member=GM2)
    award(config, wang, "helped_mediate")                 # 10
    award(config, wang, "helped_mediate")                 # 20
    award(config, li, "volunteer_work")                   # 3
    award(config, li, "illegal_dumping")                  # 3 - 5 = -2
    points.reverse(DynamoUnitOfWork(), config, EVALUATOR, wang, 2, commands.Reason(reason="wrong"), T0)   # 10
    assert ledger_month_totals([wang, li, zhao], JUNE) == {wang: 10, li: -2}
    ranking = points.monthly_ranking(DynamoUnitOfWork(), config, "BZ.RQ.TGLK.YKS", JUNE)
    assert [(r["rank"], r["household"], r["points"]) for r in ranking["items"]] == \
        [(1, "王**", 10), (2, "赵*", 0), (3, "李*", -2)]          # 赵四 has no entry: 0, above a penalty
    assert points.monthly_ranking(DynamoUnitOfWork(), config, "BZ.RQ.TGLK.YKS", "2026-05")["items"] == \
        [{"rank": 1, "household": "王**", "points": 0}, {"rank": 2, "household": "李*", "points": 0},
         {"rank": 3, "household": "赵*", "points": 0}]               # ties by household id: registration order


def test_two_evaluators_who_award_two_households_of_one_grid_at_once_are_both_counted(tables, config):
    wang, li = register(config, "王小明"), register(config, "李娜")
    other = []    # the other evaluator's award commits between our read and our commit, on the same month item
    ours = Interleaved([lambda: other.append(award(config, li, "helped_mediate"))])
    award(config, wang, "volunteer_work", uow=ours)
    assert other and month_item(GM.grid) == {wang: 3, li: 10} == ledger_month_totals([wang, li], JUNE)


def test_an_award_retried_with_its_key_counts_once_in_the_month_item(tables, config):
    wang = register(config, "王小明")
    answers = [award(config, wang, "volunteer_work", key="sheet-7-0001") for _ in range(3)]
    assert len({a["entry"]["seq"] for a in answers}) == 1
    twin = Interleaved([lambda: award(config, wang, "volunteer_work", key="sheet-7-0002")])   # a twin wins the race
    award(config, wang, "volunteer_work", uow=twin, key="sheet-7-0002")
    assert month_item(GM.grid) == {wang: 6} == ledger_month_totals([wang], JUNE)


def test_a_grid_refuses_a_household_past_its_bound_even_when_two_registrations_race(tables, config, monkeypatch):
    monkeypatch.setattr(points_domain, "MAX_HOUSEHOLDS_PER_GRID", 2)
    register(config, "王一")
    second = []   # both read one household on the roster; the other registration commits the second first
    racing = Interleaved([lambda: second.append(register(config, "李二"))])
    with pytest.raises(Invalid, match="the most one grid holds") as refused:
        register(config, "赵三", uow=racing)
    assert refused.value.field == "grid" and racing.counters[points_domain.roster_key(GM.grid)] == 1
    with pytest.raises(Invalid, match="the most one grid holds"):   # read after: refused before the transaction
        register(config, "钱四")
    assert register(config, "孙五", member=GM2)                   # another grid of the village has room
    ranking = points.monthly_ranking(DynamoUnitOfWork(), config, "BZ.RQ.TGLK.YKS", JUNE)
    assert sorted(r["household"] for r in ranking["items"]) == ["孙*", "李*", "王*"]
