"""What the stack costs every month whether or not anyone reports a case, held down by rules on the synthesised
template: no per-method API metrics nobody reads, alarms within the metrics that page, every log group with the
county's retention."""
import pytest

from chalicelib.county_config import load
from tests.integration.test_edge import of_type
from tests.integration.test_infra import EXPECTED_ALARMS as PAGING_ALARMS   # what pages: written there by hand


def alarm_metrics(alarm: dict) -> int:
    """CloudWatch bills an alarm per metric it evaluates: one, or each metric a math alarm reads."""
    metrics = alarm["Properties"].get("Metrics")
    return 1 if not metrics else sum(1 for m in metrics if "MetricStat" in m)


@pytest.mark.parametrize("county", ["demo", "yuli"])
def test_no_api_method_metrics_unless_an_alarm_reads_them(templates, county):
    template = templates.get(county)
    settings = template["Resources"]["RestAPI"]["Properties"]["MethodSettings"]
    alarmed_per_method = [a for a in of_type(template, "AWS::CloudWatch::Alarm").values()
                          if {d["Name"] for d in a["Properties"].get("Dimensions", [])} & {"Resource", "Method"}]
    assert not alarmed_per_method
    assert settings and not [s for s in settings if s.get("MetricsEnabled")], settings


@pytest.mark.parametrize("county", ["demo", "yuli"])
def test_alarms_page_for_what_users_feel_within_ten_alarm_metrics(templates, county):
    alarms = of_type(templates.get(county), "AWS::CloudWatch::Alarm")
    names = {a["Properties"]["AlarmName"].split("-", 2)[-1] for a in alarms.values()}
    assert names == PAGING_ALARMS
    assert sum(alarm_metrics(a) for a in alarms.values()) <= 10


@pytest.mark.parametrize("county", ["demo", "yuli"])
def test_every_log_group_keeps_its_lines_for_the_county_retention(templates, county):
    template = templates.get(county)
    days = load(county).spec.deployment.log_retention_days
    groups = of_type(template, "AWS::Logs::LogGroup")
    assert {g["Properties"].get("RetentionInDays") for g in groups.values()} == {days}
    names = [g["Properties"].get("LogGroupName") for g in groups.values()]
    # every function writes to a group the stack made (else Lambda creates one that never expires) ...
    for logical, function in {**of_type(template, "AWS::Serverless::Function"),
                              **of_type(template, "AWS::Lambda::Function")}.items():
        name = function["Properties"].get("FunctionName")
        wanted = f"/aws/lambda/{name}" if name else {"Fn::Join": ["", ["/aws/lambda/", {"Ref": logical}]]}
        assert wanted in names, (logical, names)
    # ... and so does API Gateway's execution log (errors), which it would otherwise create itself
    assert any("API-Gateway-Execution-Logs_${RestAPI}/" in str(n) for n in names), names


def test_a_log_retention_cloudwatch_does_not_accept_is_refused_naming_the_field():
    from pydantic import ValidationError

    from chalicelib.county_deployment import DeploymentSpec
    spec = load("demo").spec.deployment.model_dump()
    with pytest.raises(ValidationError) as refused:
        DeploymentSpec.model_validate({**spec, "log_retention_days": 100})
    assert "log_retention_days" in str(refused.value) and "365" in str(refused.value)


def test_custom_metrics_are_exactly_what_the_alarms_and_the_dashboard_read(templates):
    """Each EMF stream is billed: the code emits as metrics only the names the stack reads (the rest are log
    lines), and the stack reads nothing the code does not emit."""
    import json

    from chalicelib import metrics
    template = templates.get("demo")
    read = {a["Properties"]["MetricName"] for a in of_type(template, "AWS::CloudWatch::Alarm").values()
            if a["Properties"].get("Namespace") == metrics.NAMESPACE}
    (dashboard,) = of_type(template, "AWS::CloudWatch::Dashboard").values()
    body = json.loads("".join(p if isinstance(p, str) else "?" for p in
                              dashboard["Properties"]["DashboardBody"]["Fn::Join"][1]))
    read |= {line[1] for w in body["widgets"] for line in w["properties"].get("metrics", [])
             if line[0] == metrics.NAMESPACE}
    assert read == set(metrics.WATCHED)


def test_a_metric_nothing_reads_is_a_log_line_and_the_outbox_age_is_sent_only_while_something_waits(capsys):
    import json
    import unittest.mock as mock

    from chalicelib import metrics, workers

    def emf_lines():
        return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]

    workers._count(metrics.NOTIFICATION_SENT, {"channel": "dingtalk"})
    assert emf_lines() == []
    with mock.patch("chalicelib.adapters.outbox.relay", return_value=(0, 0, 0.0)):
        workers.relay()
    assert emf_lines() == []
    with mock.patch("chalicelib.adapters.outbox.relay", return_value=(1, 0, 95.0)):
        workers.relay()
    (line,) = [m["Name"] for e in emf_lines() for d in e["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]
               if m["Name"] == metrics.OUTBOX_OLDEST_AGE]
    assert line == metrics.OUTBOX_OLDEST_AGE
