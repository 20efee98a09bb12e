"""The embedded AWS's TransactWriteItems: all or nothing, without copying the tables it names."""
import boto3
import pytest
from botocore.exceptions import ClientError

SINGLE, PAIRED = "embedded-tx-single", "embedded-tx-paired"


@pytest.fixture
def dynamodb(aws):
    aws.reset()
    client = boto3.client("dynamodb")
    client.create_table(TableName=SINGLE, BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    client.create_table(TableName=PAIRED, BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                   {"AttributeName": "sk", "KeyType": "RANGE"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                              {"AttributeName": "sk", "AttributeType": "N"}])
    for pk, v in (("a1", "1"), ("a2", "2"), ("guard", "0")):
        client.put_item(TableName=SINGLE, Item={"pk": {"S": pk}, "v": {"N": v}})
    client.put_item(TableName=PAIRED, Item={"pk": {"S": "p"}, "sk": {"N": "1"}, "v": {"N": "1"}, "tags": {"SS": ["x"]}})
    return client


def contents(client) -> dict:
    single = {i["pk"]["S"]: i["v"]["N"] for i in client.scan(TableName=SINGLE)["Items"]}
    paired = {(i["pk"]["S"], i["sk"]["N"]): (i["v"]["N"], sorted(i.get("tags", {}).get("SS", [])))
              for i in client.scan(TableName=PAIRED)["Items"]}
    return {"single": single, "paired": paired}


BEFORE = {"single": {"a1": "1", "a2": "2", "guard": "0"}, "paired": {("p", "1"): ("1", ["x"])}}


def every_kind_of_write() -> list:
    return [
        {"Put": {"TableName": SINGLE, "Item": {"pk": {"S": "a3"}, "v": {"N": "3"}}}},
        {"Update": {"TableName": SINGLE, "Key": {"pk": {"S": "a1"}}, "UpdateExpression": "SET v = :v",
                    "ExpressionAttributeValues": {":v": {"N": "10"}}}},
        {"Delete": {"TableName": SINGLE, "Key": {"pk": {"S": "a2"}}}},
        {"Put": {"TableName": PAIRED, "Item": {"pk": {"S": "p"}, "sk": {"N": "2"}, "v": {"N": "2"}}}},
        {"Update": {"TableName": PAIRED, "Key": {"pk": {"S": "p"}, "sk": {"N": "1"}},
                    "UpdateExpression": "SET v = :v ADD tags :t",
                    "ExpressionAttributeValues": {":v": {"N": "5"}, ":t": {"SS": ["y"]}}}},
        {"Put": {"TableName": PAIRED, "Item": {"pk": {"S": "q"}, "sk": {"N": "1"}, "v": {"N": "7"}}}},
    ]


def test_a_cancelled_transaction_leaves_every_item_as_it_was(dynamodb):
    assert contents(dynamodb) == BEFORE
    failing_check = {"ConditionCheck": {"TableName": SINGLE, "Key": {"pk": {"S": "guard"}},
                                        "ConditionExpression": "attribute_not_exists(pk)"}}
    with pytest.raises(ClientError) as cancelled:
        dynamodb.transact_write_items(TransactItems=every_kind_of_write() + [failing_check])
    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert contents(dynamodb) == BEFORE


def test_a_transaction_naming_one_item_twice_is_refused_and_changes_nothing(dynamodb):
    twice = {"Update": {"TableName": SINGLE, "Key": {"pk": {"S": "a3"}}, "UpdateExpression": "SET v = :v",
                        "ExpressionAttributeValues": {":v": {"N": "4"}}}}
    with pytest.raises(ClientError) as refused:
        dynamodb.transact_write_items(TransactItems=every_kind_of_write() + [twice])
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert contents(dynamodb) == BEFORE


def test_a_committed_transaction_applies_every_operation(dynamodb):
    dynamodb.transact_write_items(TransactItems=every_kind_of_write())
    assert contents(dynamodb) == {"single": {"a1": "10", "a3": "3", "guard": "0"},
                                  "paired": {("p", "1"): ("5", ["x", "y"]), ("p", "2"): ("2", []),
                                             ("q", "1"): ("7", [])}}


def test_a_transaction_copies_none_of_the_tables_it_names(dynamodb, monkeypatch):
    """Whole-table copies made every transaction's cost grow with its tables (the server runs in this process)."""
    from moto.dynamodb.models.table import Table
    copied = []
    monkeypatch.setattr(Table, "__deepcopy__", lambda table, memo: copied.append(table.name) or table, raising=False)
    dynamodb.transact_write_items(TransactItems=every_kind_of_write())
    with pytest.raises(ClientError):
        dynamodb.transact_write_items(TransactItems=[{"ConditionCheck": {
            "TableName": SINGLE, "Key": {"pk": {"S": "guard"}}, "ConditionExpression": "attribute_not_exists(pk)"}}])
    assert copied == []
