"""The CDK stack for the demo deployment, proven offline: template assertions, least privilege, batch-failure
reporting after SAM expansion, cfn-lint, alarms that match what the code emits, a runbook entry per alarm."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.synth import synthesising_in

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def template(templates):
    """The demo deployment's template (synthesised once per session: tests/synth.py)."""
    return templates.get("demo")


def resources(template, kind):
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def test_every_table_has_pitr_deletion_protection_encryption_and_is_retained(template):
    from chalicelib.adapters.models import ALL_MODELS
    tables = resources(template, "AWS::DynamoDB::Table")
    assert len(tables) == len(ALL_MODELS)
    for name, table in tables.items():
        p = table["Properties"]
        assert p["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, name
        assert p["DeletionProtectionEnabled"] is True, name
        assert p["SSESpecification"]["SSEEnabled"] is True, name
        assert table["DeletionPolicy"] == "Retain" and p["BillingMode"] == "PAY_PER_REQUEST", name
    cases = next(t for t in tables.values() if t["Properties"]["TableName"].endswith("-cases"))
    assert {g["IndexName"] for g in cases["Properties"]["GlobalSecondaryIndexes"]} == {
        "by-grid", "by-reporter", "by-queue", "by-county", "by-county-status", "by-geo-cell"}


def test_the_inbox_status_index_projects_the_filters_and_the_api_may_query_it(template, grant_check):
    tables = resources(template, "AWS::DynamoDB::Table")
    logical, links = next((k, t) for k, t in tables.items() if t["Properties"]["TableName"].endswith("-assignments"))
    (index,) = links["Properties"]["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "by-dept-status"
    assert [(k["AttributeName"], k["KeyType"]) for k in index["KeySchema"]] == [("dept_status", "HASH"),
                                                                                 ("case_id", "RANGE")]
    assert index["Projection"] == {"ProjectionType": "INCLUDE",
                                   "NonKeyAttributes": ["kind", "category", "attention"]}
    index_arn = grant_check.deployed.get_att(logical, "Arn") + "/index/by-dept-status"
    assert grant_check.evaluate("api_handler", "dynamodb:Query", index_arn, "a department's inbox by status") == []


def test_the_photo_bucket_is_private_encrypted_tls_only_versioned_logged_and_notifies_the_work_queue(template):
    buckets = resources(template, "AWS::S3::Bucket")
    photos = next(v for k, v in buckets.items() if k.startswith("Photos"))["Properties"]
    assert photos["PublicAccessBlockConfiguration"] == {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                                        "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    assert photos["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"}
    assert photos["VersioningConfiguration"] == {"Status": "Enabled"} and "LoggingConfiguration" in photos
    policies = [p["Properties"]["PolicyDocument"]["Statement"] for k, p in resources(
        template, "AWS::S3::BucketPolicy").items() if k.startswith("PhotosPolicy")][0]
    assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
               for s in policies)
    notification = next(iter(resources(template, "Custom::S3BucketNotifications").values()))["Properties"]
    queue_config = notification["NotificationConfiguration"]["QueueConfigurations"][0]
    assert queue_config["QueueArn"]["Fn::GetAtt"][0].startswith("WorkQueue")
    assert queue_config["Events"] == ["s3:ObjectCreated:*"]
    assert queue_config["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": "incoming/"}]


def test_one_work_queue_with_its_dead_letter_queue_refuses_plain_http(template):
    """The three kinds of work share one queue (one idle event source to pay for; chalicelib/resources.py)."""
    from chalicelib import resources as app_resources
    queues = resources(template, "AWS::SQS::Queue")
    main = {k: v for k, v in queues.items() if "Dlq" not in k}
    assert len(main) == 1 and len(queues) == 2
    for name, queue in main.items():
        p = queue["Properties"]
        assert name.startswith("WorkQueue") and p["QueueName"].endswith("-work"), name
        assert p["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0].startswith("WorkDlq"), name
        assert p["RedrivePolicy"]["maxReceiveCount"] == app_resources.WORK.max_receive_count
        assert p["VisibilityTimeout"] >= 6 * app_resources.LAMBDA_TIMEOUT_SECONDS   # AWS's event-source guidance
    for policy in resources(template, "AWS::SQS::QueuePolicy").values():
        assert any(s["Effect"] == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
                   for s in policy["Properties"]["PolicyDocument"]["Statement"])


def test_the_state_machine_is_the_local_asl_with_logging_and_no_arn_names_a_partition(template):
    from chalicelib import resources as app_resources
    machine = next(iter(resources(template, "AWS::StepFunctions::StateMachine").values()))["Properties"]
    assert machine["DefinitionString"] == app_resources.TIMER_ASL.read_text()
    assert machine["DefinitionSubstitutions"] == {"Partition": {"Ref": "AWS::Partition"}}
    assert machine["LoggingConfiguration"]["Level"] == "ALL" and machine["TracingConfiguration"]["Enabled"]
    text = json.dumps(template)
    assert not re.search(r'"arn:aws(-cn)?:', text), "an ARN with a hard-coded partition"


def test_no_customer_key_the_alerts_topic_under_sns_own_key_alarms_to_a_plain_topic_both_tls_only(template):
    """No personal data passes either topic (docs/security.md): no customer-managed key's monthly cost."""
    assert not resources(template, "AWS::KMS::Key")
    topics = {k.rstrip("0123456789ABCDEF"): t["Properties"] for k, t in resources(template, "AWS::SNS::Topic").items()}
    assert json.dumps(topics["AlertsTopic"]["KmsMasterKeyId"]).endswith(':alias/aws/sns"]]}')
    assert "KmsMasterKeyId" not in topics["OnCallTopic"]
    policies = [json.dumps(p["Properties"]["PolicyDocument"]) for p in resources(template, "AWS::SNS::TopicPolicy").values()]
    assert len(policies) == 2 and all('"aws:SecureTransport": "false"' in p for p in policies)


def test_cognito_has_a_group_per_role_and_the_jurisdiction_attributes(template):
    from chalicelib.domain.roles import ALL_ROLES
    groups = {g["Properties"]["GroupName"] for g in resources(template, "AWS::Cognito::UserPoolGroup").values()}
    assert groups == set(ALL_ROLES)
    pool = next(iter(resources(template, "AWS::Cognito::UserPool").values()))["Properties"]
    assert {a["Name"] for a in pool["Schema"]} >= {"node", "department", "grid"}
    assert pool["MfaConfiguration"] == "ON" and pool["Policies"]["PasswordPolicy"]["MinimumLength"] >= 12


# What the API trusts for a user's place (chalicelib/auth.py, Cognito shape), written here by hand. The role is a
# group: only an administrator's call (AdminAddUserToGroup) changes it.
TRUSTED_ATTRIBUTES = {"custom:node", "custom:department", "custom:grid"}


def test_no_user_can_write_an_attribute_the_api_trusts_about_themselves(template):
    """Cognito lets a user update their own attributes with their access token (UpdateUserAttributes) within
    the app client's WriteAttributes, and a client without WriteAttributes may write every mutable one."""
    (client,) = resources(template, "AWS::Cognito::UserPoolClient").values()
    writable = set(client["Properties"].get("WriteAttributes", []))
    assert writable, "no WriteAttributes: every mutable attribute, custom:node included, is user-writable"
    assert not writable & TRUSTED_ATTRIBUTES and not {a for a in writable if a.startswith("custom:")}, writable
    readable = set(client["Properties"]["ReadAttributes"])
    assert TRUSTED_ATTRIBUTES <= readable          # still in the ID token the API reads
    pool = next(iter(resources(template, "AWS::Cognito::UserPool").values()))["Properties"]
    schema = {f"custom:{a['Name']}": a for a in pool["Schema"]}
    assert all(schema[name]["Mutable"] for name in TRUSTED_ATTRIBUTES)   # administrators move people


def test_the_app_client_signs_in_by_code_flow_only_at_the_configured_urls(template, config):
    (client,) = resources(template, "AWS::Cognito::UserPoolClient").values()
    p = client["Properties"]
    cognito = config.spec.deployment.auth.cognito
    assert p["AllowedOAuthFlows"] == ["code"] and p["AllowedOAuthFlowsUserPoolClient"] is True
    assert set(p["AllowedOAuthScopes"]) == {"openid", "profile"}    # not aws.cognito.signin.user.admin
    assert p["CallbackURLs"] == cognito.callback_urls and p["LogoutURLs"] == cognito.logout_urls
    assert "https://example.com" not in p["CallbackURLs"]
    assert not p.get("GenerateSecret")    # a public client: the browser proves itself with PKCE, not a secret
    assert p["SupportedIdentityProviders"] == ["COGNITO"]
    # a phone keeps its refresh token: each refresh replaces it and spends the old one
    assert p["RefreshTokenRotation"] == {"Feature": "ENABLED", "RetryGracePeriodSeconds": 10}


# Each function's grants are checked against every AWS call it makes in the integration and e2e tiers, and a
# whole run of both fails on a grant no call used (support/grants.py); what AWS itself does with each role, and
# what no function may do, is tests/integration/test_grants.py.


def test_every_sqs_event_source_reports_batch_item_failures_after_sam_expansion(templates):
    expanded = templates.expanded("demo")
    mappings = [r for r in expanded["Resources"].values() if r["Type"] == "AWS::Lambda::EventSourceMapping"]
    from chalicelib import resources as app_resources
    assert len(mappings) == 1   # the work queue's one worker (app.py)
    assert all(m["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"] for m in mappings)
    assert all(m["Properties"]["BatchSize"] == app_resources.WORK.batch_size for m in mappings)


@pytest.mark.parametrize("county", ["demo", "yuli"])
def test_cfn_lint_finds_no_error(templates, county):
    answer = subprocess.run([sys.executable, "-m", "cfnlint", "--format", "parseable", templates.get(county)["_path"]],
                            capture_output=True, text=True)
    assert not [line for line in answer.stdout.splitlines() if re.search(r":E\d{4}:", line)], answer.stdout


EXPECTED_ALARMS = {  # hand-written: what pages (test_stack_costs.py holds them within ten alarm metrics)
    "ApiErrorRate", "ApiLatency", "ApiClientErrorRate", "WorkWorkerErrors", "OutboxRelayErrors",
    "WorkDlqNotEmpty", "WorkQueueOldestMessage", "TimerExecutionsFailed", "OutboxFallingBehind",
}


def test_the_full_alarm_set_goes_to_the_on_call_topic(template):
    alarms = resources(template, "AWS::CloudWatch::Alarm")
    names = {a["Properties"]["AlarmName"].split("-", 2)[-1] for a in alarms.values()}
    assert names == EXPECTED_ALARMS
    oncall = next(k for k in resources(template, "AWS::SNS::Topic") if k.startswith("OnCallTopic"))
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": oncall}]
    assert len(resources(template, "AWS::CloudWatch::Dashboard")) == 1


def test_every_alarm_has_a_runbook_entry_with_its_four_parts(template):
    runbook = (ROOT / "docs" / "runbook.md").read_text()
    for alarm in template["_runbook_alarms"]:
        match = re.search(rf"^## {alarm}\b.*?(?=^## |\Z)", runbook, re.S | re.M)
        assert match, f"docs/runbook.md has no entry '## {alarm}'"
        for part in ("**Means**", "**Check first**", "**Fix**", "**Escalate**"):
            assert part in match.group(0), (alarm, part)


def test_the_product_alarm_and_dashboard_watch_exactly_what_the_code_emits(template, capsys, monkeypatch):
    """Drive each code path behind a custom metric, capture its EMF line, find the alarm's or the dashboard's
    metric in it."""
    from chalicelib import metrics, resources as names, workers
    monkeypatch.setattr(names, "NAMES", names.Names.of_county("demo"))   # the functions as the demo stack runs them
    from chalicelib.services.deadlines import Outcome
    alarms = {a["Properties"]["AlarmName"].split("-", 2)[-1]: a["Properties"]
              for a in resources(template, "AWS::CloudWatch::Alarm").values()}

    def emitted():
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
        return [(d["Namespace"], m["Name"], {k: line[k] for k in d["Dimensions"][0]})
                for line in lines for d in line["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]]

    import unittest.mock as mock
    with mock.patch("chalicelib.services.deadlines.handle_notice",
                    side_effect=[Outcome("escalated", "resolve", "county"), Outcome("escalated", "resolve", "prefecture")]):
        notice = json.dumps({"timer": {}, "notice": {}})   # a deadline notice on the work queue
        event = {"Records": [{"messageId": str(i), "receiptHandle": "r", "body": notice, "attributes": {},
                              "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                              "eventSourceARN": "arn", "awsRegion": "cn-northwest-1"} for i in range(2)]}
        workers.work_batch(event)
    with mock.patch("chalicelib.adapters.outbox.relay", return_value=(0, 0, 42.0)):
        workers.relay()
    seen = emitted()
    assert {dimensions["service"] for _, _, dimensions in seen} == {"gridloop-demo"}   # as deployed for demo
    alarm = alarms["OutboxFallingBehind"]
    wanted = (alarm["Namespace"], alarm["MetricName"], {d["Name"]: d["Value"] for d in alarm["Dimensions"]})
    assert wanted in seen, (wanted, seen)
    (dashboard,) = resources(template, "AWS::CloudWatch::Dashboard").values()
    body = json.loads("".join(part if isinstance(part, str) else "?" for part in
                              dashboard["Properties"]["DashboardBody"]["Fn::Join"][1]))   # its widgets
    shown = [(line[0], line[1], dict(zip(line[2:-1:2], line[3:-1:2])))
             for widget in body["widgets"] for line in widget["properties"].get("metrics", [])
             if line[0] == metrics.NAMESPACE]
    for name, dimension, value in ((metrics.CASE_ESCALATED, "level", "county"),
                                   (metrics.CASE_ESCALATED, "level", "prefecture"),
                                   (metrics.DEADLINE_BREACHED, "stage", "resolve")):
        wanted = (metrics.NAMESPACE, name, {"service": "gridloop-demo", dimension: value})
        assert wanted in seen and wanted in shown, (wanted, shown)
    assert metrics.NAMESPACE == "Gridloop"


def test_make_deploy_with_a_broken_configuration_lists_every_problem_and_runs_no_cdk_command():
    from chalicelib.county_config import COUNTIES_DIR
    broken = COUNTIES_DIR / f"broken-test-{os.getpid()}.yaml"
    text = (COUNTIES_DIR / "demo.yaml").read_text(encoding="utf-8")
    text = text.replace("timezone: Asia/Shanghai", "timezone: Mars/Olympus", 1).replace("case_prefix: RQ", "case_prefix: R", 1)
    broken.write_text(text, encoding="utf-8")
    try:
        answer = subprocess.run(["make", "--no-print-directory", "deploy", f"COUNTY={broken.stem}"], cwd=ROOT,
                                capture_output=True, text=True, timeout=300)
    finally:
        broken.unlink()
    output = answer.stdout + answer.stderr
    assert answer.returncode != 0
    assert "calendar.timezone" in output and "root.children.0.case_prefix" in output   # every problem, with paths
    assert "2 problem(s)" in output
    assert "cdk " not in answer.stdout and "npm install" not in answer.stdout      # nothing after the check ran


def test_cdk_nag_finds_nothing_unacknowledged_in_the_stack(tmp_path):
    """AwsSolutions over the stack: synthesis fails on any finding that is not acknowledged with a reason."""
    with synthesising_in(tmp_path):
        from infra import nag
        from infra.cdk_app import build
        app, stack = build("demo", outdir=str(tmp_path / "cdk.out"))
        nag.check(app, stack)
        app.synth()   # raises ValidationFailed listing every unacknowledged finding
        report = json.loads((tmp_path / "cdk.out" / "validation-report.json").read_text())
        assert all(not p.get("violations") for p in report.get("pluginReports", [])), report
        assert all(reason for _, _, reason in nag.ACKNOWLEDGED) and all(nag.SAM_ACKNOWLEDGED.values())


def test_a_stack_built_in_a_process_that_imported_the_app_names_its_own_county_and_changes_nothing_here(tmp_path):
    """Names are computed from the county's prefix and Chalice packages in a child interpreter: building another
    county's stack here leaves this process's environment and imported modules as they were, and the stack
    names its own tables, queues and event source, not the ones this process imported the app with."""
    import app
    from aws_cdk.assertions import Template
    from chalicelib.adapters import models
    from infra.cdk_app import build
    modules_before = {k: v for k, v in sys.modules.items() if k == "app" or k.startswith("chalicelib")}
    with synthesising_in(tmp_path):
        environment_before = dict(os.environ)
        _, stack = build("yuli")
        assert dict(os.environ) == environment_before
    assert [k for k, module in modules_before.items() if sys.modules.get(k) is not module] == []   # none re-imported
    assert sys.modules["app"] is app and models.CaseItem.Meta.table_name == "gridloop-test-cases"
    template = Template.from_stack(stack).to_json()["Resources"]
    tables = {r["Properties"]["TableName"] for r in template.values() if r["Type"] == "AWS::DynamoDB::Table"}
    assert "gridloop-yuli-cases" in tables and all(t.startswith("gridloop-yuli-") for t in tables)
    (worker,) = [r for r in template.values() if r["Type"] == "AWS::Serverless::Function"
                 and r["Properties"]["Handler"] == "app.work_worker"]
    (source,) = worker["Properties"]["Events"].values()
    assert source["Properties"]["Queue"]["Fn::GetAtt"][0].startswith("WorkQueue")   # the stack's queue


@pytest.mark.parametrize("county", ["demo", "yuli"])
def test_cdk_nag_over_the_sam_expanded_api_gateway_and_lambda_resources(templates, tmp_path, county):
    from infra import nag
    expanded = templates.expanded(county)
    assert nag.check_expanded(expanded, str(tmp_path)) == []
    if county != "demo":
        return
    stage = next(r for r in expanded["Resources"].values() if r["Type"] == "AWS::ApiGateway::Stage")["Properties"]
    assert "AccessLogSetting" in stage and stage["MethodSettings"][0]["ThrottlingRateLimit"] == 100


# -- the deployed package (docs/performance.md, section 4) --------------------------------------------------------
def _deployed_zips(template) -> list[Path]:
    """The zips the stack deploys as Lambda code (and layer): the Chalice construct's assets in cdk.out."""
    cdk_out = Path(template["_path"]).parent
    assets = json.loads((cdk_out / "dev.assets.json").read_text())["files"]
    chalice = {a["destinations"][next(iter(a["destinations"]))]["objectKey"]: cdk_out / a["source"]["path"]
               for a in assets.values() if a["displayName"].startswith("Api/Chalice")}
    keys = {f["Properties"]["CodeUri"]["Key"] for f in resources(template, "AWS::Serverless::Function").values()}
    keys |= {layer["Properties"]["ContentUri"]["Key"]
             for layer in resources(template, "AWS::Serverless::LayerVersion").values()}
    assert keys and keys <= set(chalice), (keys, chalice)   # every function runs the package checked here
    return [chalice[k] for k in sorted(keys)]


def test_the_deployed_package_holds_no_boto3_or_botocore_and_is_at_most_20_mb(template):
    import zipfile
    zips = _deployed_zips(template)
    assert sum(z.stat().st_size for z in zips) <= 20_000_000, [(z.name, z.stat().st_size) for z in zips]
    tops = set()
    for archive in zips:
        with zipfile.ZipFile(archive) as z:
            assert z.testzip() is None, archive
            tops |= {n.split("/")[0] for n in z.namelist()}
    assert not {t for t in tops if t.split("-")[0] in ("boto3", "botocore", "s3transfer")}, sorted(tops)
    assert {"app.py", "chalicelib", "pynamodb", "pydantic", "PIL", "jmespath"} <= tops


def test_the_deployed_package_imports_with_the_sdk_from_outside_it(template, tmp_path):
    """Unzipped like /var/task, with only the SDK and its dependencies beside it (as the runtime's /var/runtime
    has them) and no site-packages (-S): the app and its workers import, botocore from outside the zip."""
    import zipfile

    import botocore
    task, runtime = tmp_path / "task", tmp_path / "runtime"
    for archive in _deployed_zips(template):
        with zipfile.ZipFile(archive) as z:
            z.extractall(task)
    site = Path(botocore.__file__).parent.parent
    runtime.mkdir()
    for name in ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six.py"):
        (runtime / name).symlink_to(site / name)
    probe = ("import app, botocore, boto3; from chalicelib import workers; "
             "print(botocore.__file__); print(app.__file__)")
    env = {"PATH": os.environ.get("PATH", ""), "AWS_DEFAULT_REGION": "cn-northwest-1"}
    answer = subprocess.run([sys.executable, "-S", "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                            env={**env, "PYTHONPATH": f"{task}{os.pathsep}{runtime}"})
    assert answer.returncode == 0, answer.stderr
    botocore_file, app_file = answer.stdout.split()
    assert botocore_file.startswith(str(runtime)) and app_file.startswith(str(task))
    alone = subprocess.run([sys.executable, "-S", "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                           env={**env, "PYTHONPATH": str(task)})
    assert "No module named 'botocore'" in alone.stderr or "No module named 'boto3'" in alone.stderr, alone.stderr


def test_the_deployed_package_carries_bytecode_for_the_cold_path_and_the_county_validated(template, tmp_path):
    """Lambda's /var/task is read-only: without bytecode in the zip every cold start compiles what it imports."""
    import importlib.util
    import zipfile

    from chalicelib import county_config
    (archive,) = [z for z in _deployed_zips(template) if z.name.endswith(".zip")][:1]
    with zipfile.ZipFile(archive) as z:
        names = set(z.namelist())
        for module in ("app.py", "chalicelib/services/cases.py", "pydantic/main.py", "jwt/api_jwt.py"):
            pyc = importlib.util.cache_from_source(module)
            assert pyc in names, module
            header = z.read(pyc)[:16]
            assert header[:4] == importlib.util.MAGIC_NUMBER                 # this Python's bytecode
            assert int.from_bytes(header[4:8], "little") == 1               # hash-based, never re-checked
            assert header[8:16] == importlib.util.source_hash(z.read(module))  # of the very source shipped
        assert importlib.util.cache_from_source("PIL/TiffImagePlugin.py") not in names   # off the API path
        packaged = json.loads(z.read("chalicelib/counties/demo.json"))
    yaml_data = county_config.read_yaml(county_config.COUNTIES_DIR / "demo.yaml")
    assert county_config.parse(packaged).spec == county_config.parse(yaml_data).spec
    z = zipfile.ZipFile(archive)
    z.extractall(tmp_path / "task")
    probe = ("import sys, chalicelib.county_config as c; d = c.load('demo'); d.calendar; d.oidc; "
             "schema_read = 'chalicelib.county_spec' in sys.modules; "
             "from chalicelib import county_spec; "
             "from pydantic._internal._mock_val_ser import MockValSer; "
             "print('yaml' in sys.modules, schema_read, "
             "isinstance(county_spec.CountyConfig.__pydantic_validator__, MockValSer), "
             "d.spec == c.parse(__import__('json').load(open('chalicelib/counties/demo.json'))).spec, d.name)")
    answer = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path / "task", capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(tmp_path / "task")})
    assert answer.returncode == 0, answer.stderr
    # no YAML parser on the cold path; the configuration's schema module not even imported by reading the county
    # and its calendar and token issuer, its validator not built before the comparison asked for it (the packaged
    # pickle was read, not the JSON validated); the same configuration as the file's
    assert answer.stdout.split()[:4] == ["False", "False", "True", "True"]


def test_the_deployed_package_reads_botocores_endpoint_table_for_the_apps_services_alone(template, tmp_path):
    """The whole table (every service's regions, 1.25 MB) is decoded by every container's session; the package
    carries the app's services' part of it, and the session in the package reads that one."""
    import zipfile

    import botocore.loaders

    from chalicelib.adapters import aws
    for archive in _deployed_zips(template):
        with zipfile.ZipFile(archive) as z:
            if "app.py" in z.namelist():
                table = json.loads(z.read("chalicelib/adapters/aws_endpoints.json"))
                z.extractall(tmp_path / "task")
    assert table == json.loads(json.dumps(aws.endpoints_of_services(botocore.loaders.create_loader().load_data(
        "endpoints"))))
    probe = ("from chalicelib.adapters import aws; s = aws._Session(); "
             "c = s.create_client('stepfunctions', region_name='cn-northwest-1'); "
             "t = s._get_internal_component('endpoint_resolver')._endpoint_data; "
             "print(sorted({n for p in t['partitions'] for n in p['services']}), c.meta.endpoint_url)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    answer = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path / "task", capture_output=True, text=True,
                            env={**env, "PYTHONPATH": str(tmp_path / "task")})
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.split("] ") == ["['cognito-idp', 'dynamodb', 's3', 'sns', 'sqs', 'ssm', 'states'",
                                         "https://states.cn-northwest-1.amazonaws.com.cn\n"]


def test_every_function_skips_pydantics_plugin_scan_on_cold_start(template):
    functions = resources(template, "AWS::Serverless::Function")
    assert functions
    for name, function in functions.items():
        variables = function["Properties"].get("Environment", {}).get("Variables") \
            or template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
        assert variables.get("PYDANTIC_DISABLE_PLUGINS") == "__all__", (name, sorted(variables))


def test_photos_move_to_glacier_instant_retrieval_and_uploads_leave_no_versions_behind(template):
    bucket = next(r["Properties"] for r in template["Resources"].values()
                  if r["Type"] == "AWS::S3::Bucket" and "NotificationConfiguration" not in r["Properties"]
                  and r["Properties"].get("VersioningConfiguration"))
    rules = {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
    assert rules["photos-to-glacier-ir"]["Prefix"] == "photos/"
    assert rules["photos-to-glacier-ir"]["Transitions"] == [{"StorageClass": "GLACIER_IR", "TransitionInDays": 30}]
    assert "ExpirationInDays" not in rules["photos-to-glacier-ir"]          # evidence is never deleted by age
    assert rules["incoming-cleanup"]["Prefix"] == "incoming/"
    assert rules["incoming-cleanup"]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
    assert rules["abort-multipart"]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    assert all(r["Status"] == "Enabled" for r in rules.values())


def test_the_rest_api_gzips_answers_of_a_kilobyte_or_more(template):
    """The phone page's weight budget counts compressed bytes: API Gateway must compress (1,024 bytes is the figure
    the local server uses too, so `make run` measures what a deployed stage sends)."""
    apis = resources(template, "AWS::Serverless::Api") or resources(template, "AWS::ApiGateway::RestApi")
    assert apis, "no REST API in the template"
    for name, api in apis.items():
        assert api["Properties"].get("MinimumCompressionSize") == 1024, name
