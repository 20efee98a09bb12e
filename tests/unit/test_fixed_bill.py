"""The fixed monthly bill read from a template (bench/cost/fixed.py), on a small hand-written template whose
bill is worked out here by hand from the list prices (CloudWatch, KMS, WAF pricing pages)."""
import json

from bench.cost import fixed, prices


def alarm(metrics: int = 0) -> dict:
    if not metrics:
        return {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Namespace": "AWS/Lambda", "MetricName": "Errors"}}
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Metrics": [
        {"Id": "e", "Expression": "+".join(f"m{i}" for i in range(metrics))},
        *({"Id": f"m{i}", "MetricStat": {}} for i in range(metrics))]}}


def template(*, method_metrics: bool, alarms: list, keys: int = 0, waf_rules: int = 0) -> dict:
    body = {"widgets": [{"properties": {"metrics": [["Gridloop", "CaseEscalated", "level", "county", "service", "gridloop",
                                                     {"stat": "Sum"}], ["AWS/Lambda", "Errors"]]}}]}
    resources = {f"Alarm{i}": a for i, a in enumerate(alarms)}
    resources["RestAPI"] = {"Type": "AWS::Serverless::Api", "Properties": {
        "DefinitionBody": {"paths": {"/cases": {"get": {}, "post": {}}, "/health": {"get": {}}}},
        "MethodSettings": [{"ResourcePath": "/*", "HttpMethod": "*", "MetricsEnabled": method_metrics}]}}
    resources["Dashboard"] = {"Type": "AWS::CloudWatch::Dashboard",
                              "Properties": {"DashboardBody": {"Fn::Join": ["", [json.dumps(body)]]}}}
    for i in range(keys):
        resources[f"Key{i}"] = {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": True}}
    if waf_rules:
        resources["Acl"] = {"Type": "AWS::WAFv2::WebACL", "Properties": {"Rules": [{}] * waf_rules}}
    return {"Resources": resources}


def costs(lines) -> dict:
    return {line.item: line.cost for line in lines}


def test_alarms_are_billed_per_metric_past_the_ten_free_and_method_metrics_as_custom_metrics():
    # 9 single-metric alarms + a math alarm over 4 metrics = 13 alarm metrics, 3 past the free 10: $0.30.
    # 3 route-methods x 5 method metrics + 1 app stream = 16 custom metrics, 6 past the free 10: 6 x $0.30.
    lines = costs(fixed.fixed_lines(template(method_metrics=True, alarms=[alarm()] * 9 + [alarm(4)]),
                                    prices.US_EAST_1))
    assert round(lines["alarms"], 2) == 0.30
    assert round(lines["custom metrics"], 2) == 1.80
    assert lines["dashboards"] == 0.0 and lines["KMS keys"] == 0.0 and lines["web firewall (WAF)"] == 0.0


def test_within_the_free_allowances_nothing_is_billed_even_where_the_price_was_not_found():
    lines = costs(fixed.fixed_lines(template(method_metrics=False, alarms=[alarm()] * 9), prices.CN_NORTHWEST_1))
    assert lines["alarms"] == 0.0 and lines["custom metrics"] == 0.0 and lines["dashboards"] == 0.0
    assert lines["outbox relay"] is None                       # Lambda's price in CNY was not found
    amount, missing = fixed.total(fixed.fixed_lines(template(method_metrics=False, alarms=[]), prices.CN_NORTHWEST_1))
    assert missing == 3 and amount == 0.0                       # relay, idle polling, console polling


def test_alarm_metrics_past_the_free_ten_are_priced_in_yuan_in_the_china_regions():
    lines = costs(fixed.fixed_lines(template(method_metrics=False, alarms=[alarm()] * 12), prices.CN_NORTHWEST_1))
    assert round(lines["alarms"], 3) == round(2 * 0.622, 3)


def test_a_rotating_key_costs_one_then_two_then_three_a_month_and_a_web_acl_its_fee_and_rules():
    # over 5 years: 1, 2, 3, 3, 3 a month -> 12 / 5 = 2.40 on average; a web ACL $5 + 1 rule $1
    lines = costs(fixed.fixed_lines(template(method_metrics=False, alarms=[], keys=1, waf_rules=1),
                                    prices.US_EAST_1, years_kept=5))
    assert round(lines["KMS keys"], 2) == 2.40
    assert lines["web firewall (WAF)"] == 6.00


def test_the_console_polling_is_screens_hours_and_interval_as_stated():
    console = fixed.Console(screens=2, hours_per_day=1, interval_seconds=60, working_days=12)
    assert console.calls_per_month == 2 * 60 * 12 / 12
