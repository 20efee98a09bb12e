"""The embedded AWS's data on disk: what was answered survives a restart of moto, what was refused leaves nothing.

The state before is read back through the AWS APIs (scans, object reads, queue counts), independently of how the
local data is written; moto is then reset (as a stopped process forgets everything) and the data restored."""
import json
import os

import boto3
import pytest

from local.aws_resources import create_all
from local.persistence import LocalData

REGION = "cn-northwest-1"


def _all_items() -> dict:
    client = boto3.client("dynamodb")
    found = {}
    for table in client.list_tables()["TableNames"]:
        items, kwargs = [], {"TableName": table}
        while True:
            page = client.scan(**kwargs)
            items += page["Items"]
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        found[table] = sorted(items, key=lambda i: json.dumps(i, sort_keys=True, default=repr))
    return found


@pytest.fixture
def kept(stack, aws, tmp_path):
    """Local data switched on over a fresh stack, as `make run` does; switched off again afterwards."""
    data = LocalData(tmp_path, REGION).lock()
    data.restore()
    data.start()
    aws.dynamodb.after_request = data.journal.request_done
    yield data
    aws.dynamodb.after_request = None
    data.stop()


def _restart(aws, directory) -> LocalData:
    """What a stop and a start do to the embedded AWS: everything forgotten, resources created, data put back."""
    aws.reset()
    os.environ.update(create_all(aws.url))
    data = LocalData(directory, REGION)
    data.restore()
    return data


def test_every_answered_write_survives_a_restart_and_a_refused_one_leaves_nothing(kept, aws, tmp_path):
    from chalicelib.adapters.models import CounterItem, HouseholdItem
    client = boto3.client("dynamodb")
    counters, households = CounterItem.Meta.table_name, HouseholdItem.Meta.table_name
    client.put_item(TableName=counters, Item={"name": {"S": "seq#RQ#2026"}, "value": {"N": "41"},
                                              "nested": {"M": {"blob": {"B": b"\x00\x01"}, "tags": {"SS": ["a", "b"]},
                                                               "list": {"L": [{"N": "1"}, {"B": b"\xff"}]}}}})
    client.update_item(TableName=counters, Key={"name": {"S": "seq#RQ#2026"}}, UpdateExpression="ADD #v :one",
                       ExpressionAttributeNames={"#v": "value"}, ExpressionAttributeValues={":one": {"N": "1"}})
    client.put_item(TableName=counters, Item={"name": {"S": "gone"}, "value": {"N": "1"}})
    client.delete_item(TableName=counters, Key={"name": {"S": "gone"}})
    client.batch_write_item(RequestItems={counters: [
        {"PutRequest": {"Item": {"name": {"S": f"batch-{i}"}, "value": {"N": str(i)}}}} for i in range(3)]})
    client.transact_write_items(TransactItems=[
        {"Put": {"TableName": households, "Item": {"household_id": {"S": "h1"}, "grid": {"S": "BZ.RQ.G01"}}}},
        {"Update": {"TableName": counters, "Key": {"name": {"S": "batch-0"}}, "UpdateExpression": "SET #v = :v",
                    "ExpressionAttributeNames": {"#v": "value"}, "ExpressionAttributeValues": {":v": {"N": "100"}}}}])
    with pytest.raises(client.exceptions.TransactionCanceledException):
        client.transact_write_items(TransactItems=[
            {"Put": {"TableName": households, "Item": {"household_id": {"S": "refused"}, "grid": {"S": "x"}}}},
            {"ConditionCheck": {"TableName": counters, "Key": {"name": {"S": "batch-1"}},
                                "ConditionExpression": "attribute_not_exists(#k)",
                                "ExpressionAttributeNames": {"#k": "name"}}}])
    before = _all_items()
    kept.stop()
    aws.dynamodb.after_request = None

    _restart(aws, tmp_path)
    assert _all_items() == before
    assert not any(i["household_id"]["S"] == "refused" for i in before[households])


def test_a_journal_line_cut_short_by_a_kill_loses_only_itself(kept, aws, tmp_path):
    client = boto3.client("dynamodb")
    from chalicelib.adapters.models import CounterItem
    client.put_item(TableName=CounterItem.Meta.table_name, Item={"name": {"S": "kept"}, "value": {"N": "1"}})
    before = _all_items()
    kept.stop()
    aws.dynamodb.after_request = None
    with (tmp_path / "journal.jsonl").open("a") as journal:
        journal.write('[["gridloop-test-counters",{"name":{"S":"half')     # the process died mid-write
    _restart(aws, tmp_path)
    assert _all_items() == before
    assert (tmp_path / "journal.jsonl").read_text() == ""                # compacted into the snapshot
    _restart(aws, tmp_path)
    assert _all_items() == before


def test_photos_and_pending_messages_survive_a_restart(kept, aws, tmp_path):
    s3, sqs = boto3.client("s3"), boto3.client("sqs")
    bucket, queue = os.environ["PHOTOS_BUCKET"], os.environ["WORK_QUEUE_URL"]
    s3.put_object(Bucket=bucket, Key="cases/c1/p1.jpg", Body=b"\xff\xd8jpeg", ContentType="image/jpeg")
    s3.put_object(Bucket=bucket, Key="cases/c1/gone.jpg", Body=b"x", ContentType="image/jpeg")
    s3.delete_object(Bucket=bucket, Key="cases/c1/gone.jpg")
    sqs.purge_queue(QueueUrl=queue)          # the bucket's test event
    for body in ("one", "two", "three"):
        sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"n": body}))
    sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1, VisibilityTimeout=300)   # one in flight
    kept.stop()
    aws.dynamodb.after_request = None

    _restart(aws, tmp_path)
    photo = s3.get_object(Bucket=bucket, Key="cases/c1/p1.jpg")
    assert photo["Body"].read() == b"\xff\xd8jpeg" and photo["ContentType"] == "image/jpeg"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])] == ["cases/c1/p1.jpg"]
    bodies = []
    while True:
        got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            break
        bodies += [m["Body"] for m in got if "s3:TestEvent" not in m["Body"]]   # S3 sends one at every start
    assert sorted(bodies) == sorted(json.dumps({"n": b}) for b in ("one", "two", "three"))


def test_a_second_stack_cannot_take_the_same_directory(tmp_path):
    from local.persistence import InUse
    first = LocalData(tmp_path, REGION).lock()
    with pytest.raises(InUse):
        LocalData(tmp_path, REGION).lock()
    assert first.directory == tmp_path
