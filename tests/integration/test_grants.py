"""The synthesised stack's grants, beyond the calls the app makes (those are checked where they are made, in
every integration and e2e test: support/grants.py).

Here: what AWS itself does with each role, written from AWS's documentation -- the Lambda runtime writing the
function's logs (AWSLambdaBasicExecutionRole), an SQS event source polling its queue (Lambda developer guide,
"Using Lambda with Amazon SQS", execution role permissions), a state machine delivering its logs and traces
(Step Functions developer guide, "IAM policies for logging to CloudWatch Logs" and "for X-Ray"); what no
function may do; SMS only where the county switches it on; and the check's own rules on hand-written calls.
"""
import json
import os

import pytest
from moto.iam.access_control import PermissionResult

from support.calls import Call
from support.deployed import ACCOUNT, Deployed, forget, partition_of, template_path
from support.grants import GrantCheck
from support.iam_actions import Request, requests_of

FUNCTIONS = {"api_handler", "work_worker", "outbox_relay"}   # the app's Lambda functions (app.py)
EVENT_SOURCE_POLLING = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
LOG_DELIVERY = ("logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
                "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
                "logs:DescribeLogGroups")
TRACING = ("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets")


def permitted(check: GrantCheck, principal: str, action: str, arn: str) -> bool:
    """The verdict alone: a refusal expected by a test is not a violation of the run."""
    return check.policies[principal].is_action_permitted(action, arn) == PermissionResult.PERMITTED


def arn(service: str, resource: str, county: str = "demo") -> str:
    """An ARN in the county's region and partition, written out here (not by the code under test)."""
    from chalicelib.county_config import load
    region = load(county).spec.deployment.region
    return f"arn:{partition_of(region)}:{service}:{region}:{ACCOUNT}:{resource}"


def functions(deployed: Deployed) -> dict:
    return {name: p for name, p in deployed.principals.items() if name in FUNCTIONS}


def test_each_function_has_its_own_role(grant_check):
    found = functions(grant_check.deployed)
    assert set(found) == FUNCTIONS
    assert len({p.role for p in found.values()}) == len(FUNCTIONS)


def test_the_lambda_runtime_writes_each_functions_logs_into_its_own_group_only(grant_check):
    deployed = grant_check.deployed
    groups = {name: arn("logs", f"log-group:/aws/lambda/{deployed.ref(p.logical)}")
              for name, p in functions(deployed).items()}
    for name, group in groups.items():
        stream = f"{group}:log-stream:2026/12/01/[$LATEST]0123456789abcdef"
        assert grant_check.evaluate(name, "logs:CreateLogGroup", group, "the Lambda runtime") == []
        for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
            assert grant_check.evaluate(name, action, stream, "the Lambda runtime") == []
        for other, other_group in groups.items():
            if other != name:
                other_stream = f"{other_group}:log-stream:x"
                assert not permitted(grant_check, name, "logs:PutLogEvents", other_stream), (name, other)
                assert not permitted(grant_check, name, "logs:CreateLogGroup", other_group), (name, other)


def test_an_sqs_event_source_polls_its_queue_with_its_functions_role(grant_check):
    deployed = grant_check.deployed
    sources = [(name, deployed.resolve(event["Properties"]["Queue"]))
               for name, p in functions(deployed).items()
               for event in deployed.resources[p.logical]["Properties"].get("Events", {}).values()
               if event["Type"] == "SQS"]
    assert [name for name, _ in sources] == ["work_worker"]
    for name, queue in sources:
        for action in EVENT_SOURCE_POLLING:
            assert grant_check.evaluate(name, action, queue, "the SQS event source") == []
        for other in FUNCTIONS - {name}:
            assert not permitted(grant_check, other, "sqs:ReceiveMessage", queue), other


def test_the_state_machine_delivers_its_logs_and_traces_with_its_role(grant_check):
    deployed = grant_check.deployed
    machines = [p for p in deployed.principals.values() if p.name not in FUNCTIONS]
    assert [p.name for p in machines] == ["Timer state machine"]
    for machine in machines:
        properties = deployed.resources[machine.logical]["Properties"]
        assert properties["LoggingConfiguration"]["Level"] != "OFF" and properties["TracingConfiguration"]["Enabled"]
        for action in LOG_DELIVERY + TRACING:   # these APIs take no resource ARN
            assert grant_check.evaluate(machine.name, action, "*", "Step Functions") == []
        queue = arn("sqs", "gridloop-demo-work")        # its one Task: SendNotice (chalicelib/timer.asl.json)
        assert permitted(grant_check, machine.name, "sqs:SendMessage", queue)
        for action in ("sqs:ReceiveMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"):
            assert not permitted(grant_check, machine.name, action, queue), action
        assert not permitted(grant_check, machine.name, "sqs:SendMessage", arn("sqs", "gridloop-demo-work-dlq"))


def test_no_function_scans_or_deletes_items_beyond_the_workers_idempotency_records(grant_check):
    deployed = grant_check.deployed
    tables = [deployed.get_att(logical, "Arn") for logical, r in deployed.resources.items()
              if r["Type"] == "AWS::DynamoDB::Table"]
    assert len(tables) == 16
    for name in FUNCTIONS:
        for table in tables:
            for resource in (table, f"{table}/index/by-grid"):
                assert not permitted(grant_check, name, "dynamodb:Scan", resource), (name, resource)
            may_delete = name == "work_worker" and table.endswith("-worker-idempotency")
            assert permitted(grant_check, name, "dynamodb:DeleteItem", table) == may_delete, (name, table)


def test_photos_each_function_its_own_part_of_the_bucket(grant_check):
    deployed = grant_check.deployed
    bucket = next(deployed.get_att(logical, "Arn") for logical, r in deployed.resources.items()
                  if r["Type"] == "AWS::S3::Bucket" and logical.startswith("Photos"))
    expected = {   # function -> (action, key) -> allowed; keys as chalicelib/domain/photos.py lays them out
        "api_handler": {("s3:PutObject", "incoming/C/before/P"): True, ("s3:GetObject", "photos/C/P.jpg"): True,
                        ("s3:GetObject", "incoming/C/before/P"): False, ("s3:PutObject", "photos/C/P.jpg"): False,
                        ("s3:GetObject", "quarantine/C/P"): False, ("s3:DeleteObject", "photos/C/P.jpg"): False},
        "work_worker": {("s3:GetObject", "incoming/C/before/P"): True, ("s3:DeleteObject", "incoming/C/before/P"): True,
                        ("s3:PutObject", "photos/C/P.jpg"): True, ("s3:PutObject", "quarantine/C/P"): True,
                        ("s3:PutObject", "incoming/C/before/P"): False, ("s3:DeleteObject", "photos/C/P.jpg"): False},
        "outbox_relay": {("s3:GetObject", "photos/C/P.jpg"): False, ("s3:PutObject", "incoming/C/before/P"): False},
    }
    for name, cases in expected.items():
        for (action, key), allowed in cases.items():
            assert permitted(grant_check, name, action, f"{bucket}/{key}") == allowed, (name, action, key)


def test_only_the_worker_publishes_and_the_alerts_topic_is_the_only_topic_it_names(grant_check):
    alerts, oncall = arn("sns", "gridloop-demo-alerts"), arn("sns", "gridloop-demo-oncall")
    assert permitted(grant_check, "work_worker", "sns:Publish", alerts)
    for name in FUNCTIONS - {"work_worker"}:
        for topic in (alerts, oncall, "*"):
            assert not permitted(grant_check, name, "sns:Publish", topic), (name, topic)
    statements = grant_check.deployed.principals["work_worker"].statements
    topics = {r for s in statements if "sns:Publish" in json.dumps(s["Action"])
              for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])}
    assert topics == {alerts, "*"}      # "*": SMS to a phone number, which the demo county switches on


@pytest.fixture
def sms_off_county():
    """The demo county with SMS switched off, as a county file beside it (synthesis reads counties by name)."""
    from chalicelib.county_config import COUNTIES_DIR
    name = f"sms-off-test-{os.getpid()}"
    text = (COUNTIES_DIR / "demo.yaml").read_text(encoding="utf-8").replace("name: demo", f"name: {name}", 1)
    path = COUNTIES_DIR / f"{name}.yaml"
    path.write_text(text + "\nnotifications:\n  sms: false\n", encoding="utf-8")
    yield name
    path.unlink()


def test_without_sms_the_worker_may_publish_to_the_alerts_topic_only(sms_off_county):
    """A county without SMS (the AWS China regions have none) grants no publish beyond its alerts topic."""
    try:
        check = GrantCheck(Deployed.load(template_path(sms_off_county)))
    finally:
        forget(sms_off_county)
    alerts = arn("sns", f"gridloop-{sms_off_county}-alerts", sms_off_county)
    assert permitted(check, "work_worker", "sns:Publish", alerts)
    for action, resource in [("sns:Publish", "*"), ("sns:Publish", arn("sns", f"gridloop-{sms_off_county}-oncall", sms_off_county)),
                             ("sns:CheckIfPhoneNumberIsOptedOut", "*")]:
        assert not permitted(check, "work_worker", action, resource), (action, resource)


# -- the check's own rules, on calls written here ----------------------------------------------------------------
def test_a_transaction_is_checked_item_by_item_on_each_items_table():
    params = {"TransactItems": [{"Put": {"TableName": "t-cases"}}, {"Update": {"TableName": "t-stats"}},
                                {"Delete": {"TableName": "t-links"}}, {"ConditionCheck": {"TableName": "t-cases"}}],
              "ClientRequestToken": "x"}
    assert requests_of("dynamodb", "TransactWriteItems", params) == [
        Request("dynamodb:PutItem", ("table", "t-cases")), Request("dynamodb:UpdateItem", ("table", "t-stats")),
        Request("dynamodb:DeleteItem", ("table", "t-links")),
        Request("dynamodb:ConditionCheckItem", ("table", "t-cases"))]


def test_a_query_on_an_index_is_checked_on_the_index_and_a_batch_on_each_table():
    assert requests_of("dynamodb", "Query", {"TableName": "t-cases", "IndexName": "by-grid"}) == [
        Request("dynamodb:Query", ("index", "t-cases", "by-grid"))]
    assert requests_of("dynamodb", "BatchGetItem", {"RequestItems": {"t-a": {}, "t-b": {}}}) == [
        Request("dynamodb:BatchGetItem", ("table", "t-a")), Request("dynamodb:BatchGetItem", ("table", "t-b"))]
    assert requests_of("s3", "PresignedPost", {"Bucket": "b", "Key": "incoming/k"}) == [
        Request("s3:PutObject", ("object", "b", "incoming/k"))]


def test_a_call_without_a_grant_names_the_function_the_action_and_the_arn(grant_check, monkeypatch):
    check = GrantCheck(grant_check.deployed)    # its own: the violations below are this test's subject
    monkeypatch.setenv("PHOTOS_BUCKET", "gridloop-test-photos")
    call = Call("s3", "GetObject", {"Bucket": "gridloop-test-photos", "Key": "quarantine/C/P"}, "outbox_relay",
                "MainThread", 0.0, site=("chalicelib/adapters/photo_store.py:27 read",))
    (violation,) = check.check_call(call)
    bucket = grant_check.deployed.arn("outbox_relay", ("bucket", "gridloop-test-photos"))
    assert str(violation) == (f"outbox_relay has no grant for s3:GetObject on {bucket}/quarantine/C/P  "
                              "(s3.GetObject at chalicelib/adapters/photo_store.py:27 read)")
    unknown = Call("dynamodb", "GetItem", {"TableName": "somebody-elses-table"}, "api_handler", "MainThread", 0.0)
    (untranslatable,) = check.check_call(unknown)
    assert "somebody-elses-table" in str(untranslatable) and untranslatable.principal == "api_handler"


def test_a_timer_start_also_checks_what_the_state_machine_will_send_with_its_own_role(grant_check, monkeypatch):
    check = GrantCheck(grant_check.deployed)
    monkeypatch.setenv("TIMER_STATE_MACHINE_ARN", "arn:aws:states:cn-northwest-1:000000000000:stateMachine:local")
    monkeypatch.setenv("WORK_QUEUE_URL", "http://127.0.0.1:5100/000000000000/local-work")
    monkeypatch.setenv("WORK_DLQ_URL", "http://127.0.0.1:5100/000000000000/local-work-dlq")
    chain = {"timer": {}, "notice": {"at": "2030-01-01T00:00:00Z"}, "queue_url": "{queue}",
             "last": True, "then": {"notice": {"at": "2030-01-08T00:00:00Z"}}}
    for queue, expected in (("WORK_QUEUE_URL", []), ("WORK_DLQ_URL", ["Timer state machine"])):
        text = json.dumps(chain).replace("{queue}", os.environ[queue])
        found = check.check_call(Call("stepfunctions", "StartExecution", {
            "stateMachineArn": "arn:aws:states:cn-northwest-1:000000000000:stateMachine:local", "name": "n",
            "input": text}, "api_handler", "MainThread", 0.0))
        assert [v.principal for v in found] == expected, queue
