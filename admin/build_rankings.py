"""Build the public ranking's items of a deployment whose households and points predate them (safe to run again).

Each grid's roster (`roster#<grid>`: every household's masked name, and how many it holds) and each grid's month
items (`points#<grid>#<yyyy-mm>`: every household's net points of the month) are written by the transactions of
registrations and points entries. Households registered and points recorded before those items existed are added
here: a roster line only where the household has none; a month line set to the household's `earned` counter of that
month, in one transaction with a check that the counter still holds the value read (a points entry changes both
together, so the line ends equal to the counter whether or not one was recorded meanwhile). Reading whole tables
is allowed here, as in admin/recount.py.

    python -m admin.build_rankings        # against the tables named by TABLE_PREFIX (and AWS_ENDPOINT_URL)
"""
from __future__ import annotations

import sys

ATTEMPTS = 5   # a counter that moved between our read and our write is read again


def build_all() -> dict[str, int]:
    from botocore.exceptions import ClientError

    from chalicelib.adapters.dynamo import connection
    from chalicelib.adapters.models import CounterItem, HouseholdItem
    from chalicelib.domain import points
    from chalicelib.domain.household import Household
    from chalicelib.adapters.transaction import roster_update
    client, table = connection().client, CounterItem.Meta.table_name
    done = {"roster_lines": 0, "roster_lines_present": 0, "month_lines": 0, "households_unknown": 0}
    grid_of = {}
    for item in HouseholdItem.scan(consistent_read=True):
        household = Household.from_dict(item.doc)
        grid_of[household.id] = household.grid
        try:
            line = roster_update(household)    # the registration's own roster line, added only where missing
            line["ConditionExpression"] = "attribute_not_exists(#h)"
            del line["ExpressionAttributeValues"][":most"]
            client.update_item(**line)
            done["roster_lines"] += 1
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            done["roster_lines_present"] += 1     # registered since the roster existed, or built by an earlier run
    for item in CounterItem.scan(CounterItem.name.startswith("earned#"), consistent_read=True):
        _, household_id, month = item.name.split("#")
        if household_id not in grid_of:
            done["households_unknown"] += 1
            continue
        key, value = {"name": {"S": item.name}}, int(item.value)
        for attempt in range(ATTEMPTS):
            try:
                client.transact_write_items(TransactItems=[
                    {"ConditionCheck": {"TableName": table, "Key": key, "ConditionExpression": "#v = :v",
                                        "ExpressionAttributeNames": {"#v": "value"},
                                        "ExpressionAttributeValues": {":v": {"N": str(value)}}}},
                    {"Update": {"TableName": table,
                                "Key": {"name": {"S": points.month_points_key(grid_of[household_id], month)}},
                                "UpdateExpression": "SET #h = :v", "ExpressionAttributeNames": {"#h": household_id},
                                "ExpressionAttributeValues": {":v": {"N": str(value)}}}}])
                done["month_lines"] += 1
                break
            except ClientError as error:
                if error.response["Error"]["Code"] != "TransactionCanceledException" or attempt == ATTEMPTS - 1:
                    raise
                value = int(CounterItem.get(item.name, consistent_read=True).value)   # a points entry meanwhile
    return done


def main() -> int:
    print(build_all())
    return 0


if __name__ == "__main__":
    sys.exit(main())
