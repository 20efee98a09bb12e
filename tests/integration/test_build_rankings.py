"""admin/build_rankings.py on moto: households and points written before the ranking's items existed (households and
`earned` counters only) are ranked after the build, as their ledgers say; a second run changes nothing."""
from datetime import datetime, timezone

from admin.build_rankings import build_all
from chalicelib.adapters.dynamo import connection
from chalicelib.adapters.models import CounterItem, HouseholdItem
from chalicelib.adapters.unit_of_work import DynamoUnitOfWork
from chalicelib.domain import commands
from chalicelib.domain.household import Household
from chalicelib.domain.roles import Principal
from chalicelib.services import households, points

EVALUATOR = Principal("evaluator-yks", "points_evaluator", node="BZ.RQ.TGLK.YKS")
GM = Principal("gm-yks-01", "grid_member", grid="BZ.RQ.TGLK.YKS.G01")
T0 = datetime(2026, 6, 10, 3, 0, tzinfo=timezone.utc)


def old_household(household_id, grid, head, earned_june):
    """A household and its June `earned` counter as the first release wrote them: no roster, no month item."""
    h = Household(id=household_id, grid=grid, head=head, phone=None, members=3, address="1组",
                  created_at="2026-05-01T00:00:00Z", created_by="gm")
    HouseholdItem(h.id, grid=grid, version=1, doc=h.to_dict()).save()
    if earned_june:
        CounterItem(f"earned#{h.id}#2026-06", value=earned_june).save()


def ranking(config):
    found = points.monthly_ranking(DynamoUnitOfWork(), config, "BZ.RQ.TGLK.YKS", "2026-06")["items"]
    return [(r["household"], r["points"]) for r in found]


def test_old_households_and_points_are_ranked_after_the_build_and_a_second_run_changes_nothing(tables, config):
    old_household("01HZ00000000000000000000A1", "BZ.RQ.TGLK.YKS.G01", "王大山", 12)
    old_household("01HZ00000000000000000000A2", "BZ.RQ.TGLK.YKS.G02", "李小河", 0)
    new = households.register(DynamoUnitOfWork(), config, GM, commands.RegisterHousehold(
        grid=GM.grid, head="赵四", members=2), T0)["id"]                # registered after the deploy: on its roster
    points.record(DynamoUnitOfWork(), config, EVALUATOR, new, commands.RecordPoints(rule="volunteer_work",
                                                                                     reason="r"), T0)
    assert ranking(config) == [("赵*", 3)]                                 # before: the old households are missing
    first = build_all()
    assert first == {"roster_lines": 2, "roster_lines_present": 1, "month_lines": 2, "households_unknown": 0}
    assert ranking(config) == [("王**", 12), ("赵*", 3), ("李**", 0)]
    points.record(DynamoUnitOfWork(), config, EVALUATOR, "01HZ00000000000000000000A1",
                  commands.RecordPoints(rule="volunteer_work", reason="r"), T0)   # after the build: added on both
    again = build_all()
    assert again["roster_lines"] == 0 and again["roster_lines_present"] == 3
    assert ranking(config) == [("王**", 15), ("赵*", 3), ("李**", 0)]
    roster = connection().client.get_item(TableName=CounterItem.Meta.table_name,
                                          Key={"name": {"S": "roster#BZ.RQ.TGLK.YKS.G01"}})["Item"]
    assert roster["value"] == {"N": "2"}                              # counted once each, whatever the runs
