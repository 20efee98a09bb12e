"""admin/recount.py's points recount on moto, after the real services wrote households, awards, a reversal and a
redemption: no difference; then a month item and a balance are changed behind the app's back and both are named."""
from datetime import datetime, timezone

from admin.recount import points_differences
from chalicelib.adapters.dynamo import connection
from chalicelib.adapters.models import CounterItem, HouseholdItem
from chalicelib.adapters.unit_of_work import DynamoUnitOfWork
from chalicelib.domain import commands
from chalicelib.domain.roles import Principal
from chalicelib.services import households, points

EVALUATOR = Principal("evaluator-yks", "points_evaluator", node="BZ.RQ.TGLK.YKS")
CLERK = Principal("clerk-yks", "clerk", node="BZ.RQ.TGLK.YKS")
GM = Principal("gm-yks-01", "grid_member", grid="BZ.RQ.TGLK.YKS.G01")
T0 = datetime(2026, 6, 10, 3, 0, tzinfo=timezone.utc)


def test_what_the_services_wrote_recounts_without_difference_and_a_drift_is_named(tables, config):
    homes = [households.register(DynamoUnitOfWork(), config, GM, commands.RegisterHousehold(
        grid=GM.grid, head=name, members=3), T0)["id"] for name in ("王小明", "李娜")]
    for rule in ("helped_mediate", "volunteer_work", "volunteer_work"):
        points.record(DynamoUnitOfWork(), config, EVALUATOR, homes[0], commands.RecordPoints(rule=rule, reason="r"), T0)
    points.reverse(DynamoUnitOfWork(), config, EVALUATOR, homes[0], 2, commands.Reason(reason="wrong household"), T0)
    points.restock(DynamoUnitOfWork(), config, CLERK, "yks-market", commands.Restock(sku="soap", add=5))
    points.redeem(DynamoUnitOfWork(), config, CLERK, "yks-market", commands.Redeem(household_id=homes[0], sku="soap"),
                  T0)
    assert points_differences() == (2, 5, [])

    month = f"points#{GM.grid}#2026-06"
    connection().client.update_item(TableName=CounterItem.Meta.table_name, Key={"name": {"S": month}},
                                    UpdateExpression="SET #h = :v", ExpressionAttributeNames={"#h": homes[1]},
                                    ExpressionAttributeValues={":v": {"N": "9"}})
    stored = HouseholdItem.get(homes[0])
    stored.doc = {**stored.doc, "balance": stored.doc["balance"] + 1}
    stored.save()
    assert points_differences()[2] == [(f"household#{homes[0]}", "balance", 8, 9), (month, homes[1], 0, 9)]
