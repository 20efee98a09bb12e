"""What one deployment pays every month whatever its number of cases, read from its synthesised template.

Usage: python -m bench.cost.fixed [COUNTY ...]      (default: demo yuli; each priced in its own region's table)
       python -m bench.cost.fixed --template PATH --region REGION   (any template, e.g. an older synthesis)

Counted from the template (support/deployed.py synthesises it once per content of the code):
- alarms, billed per metric they evaluate (a math alarm per metric it reads);
- custom metrics: the app's streams (namespace and dimensions) the alarms and the dashboard read, and API
  Gateway's method-level metrics where `MetricsEnabled` is set (5 per route-method: Count, 4XXError, 5XXError,
  Latency, IntegrationLatency), each counted as reported all month (an upper bound: streams are billed by the hour);
- dashboards and the metrics they show; KMS keys and their rotations; log groups and their retention;
- the relay every minute, the idle long polling of the work queue's event source, the web console's polling.
Storage (and point-in-time recovery, priced by table size) grows with the cases kept: it is in the variable bill
(bench/cost_per_case.py), over the years a county keeps its cases.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.cost import prices
from bench.cost.prices import PriceTable

METHOD_METRICS = ("Count", "4XXError", "5XXError", "Latency", "IntegrationLatency")
# the relay's log per invocation: Lambda's own lines (START, END, REPORT)
RELAY_LOG_BYTES = prices.LOG_BYTES["lambda_platform"]


@dataclass(frozen=True)
class Console:
    """The web console's polling: screens open at once, hours a working day, seconds between refreshes (its lists
    and its dashboard refresh every 60 s while visible: console/src/screens), working days a year. Each refresh
    is counted as one list call: API Gateway, one Lambda invocation, one Query and one BatchGetItem of a 20-case
    page (10.5 read units, docs/performance.md section 2); a dashboard refresh reads more (16-192 counter keys)."""
    screens: int = 10
    hours_per_day: float = 8
    interval_seconds: int = 60
    working_days: int = 250
    read_units_per_call: float = 10.5
    lambda_ms: int = 25                     # own time and two eventually consistent reads

    @property
    def calls_per_month(self) -> float:
        return self.screens * self.hours_per_day * 3600 / self.interval_seconds * self.working_days / 12

    def describe(self) -> str:
        return (f"{self.screens} screens x {self.hours_per_day:g} h x {self.working_days} days, every "
                f"{self.interval_seconds} s")


@dataclass
class Line:
    item: str
    detail: str
    cost: float | None                        # a month, in the table's currency; None: a price not found


def _of_type(template: dict, kind: str) -> dict:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def alarm_metric_count(alarm: dict) -> int:
    metrics = alarm["Properties"].get("Metrics")
    return 1 if not metrics else sum(1 for m in metrics if "MetricStat" in m)


def dashboard_metrics(dashboard: dict) -> list[list]:
    body = dashboard["Properties"]["DashboardBody"]
    text = "".join(p if isinstance(p, str) else "?" for p in body["Fn::Join"][1]) if isinstance(body, dict) else body
    return [line for w in json.loads(text)["widgets"] for line in w["properties"].get("metrics", [])]


def app_streams(template: dict, namespace: str) -> set[tuple]:
    """The app's custom metric streams the stack reads: (name, dimensions) in its namespace."""
    streams = set()
    for alarm in _of_type(template, "AWS::CloudWatch::Alarm").values():
        p = alarm["Properties"]
        if p.get("Namespace") == namespace:
            streams.add((p["MetricName"], tuple(sorted((d["Name"], d["Value"]) for d in p.get("Dimensions", [])))))
    for dashboard in _of_type(template, "AWS::CloudWatch::Dashboard").values():
        for line in dashboard_metrics(dashboard):
            if line[0] == namespace:
                dims = line[2:-1] if isinstance(line[-1], dict) else line[2:]
                streams.add((line[1], tuple(sorted(zip(dims[::2], dims[1::2])))))
    return streams


def method_metric_count(template: dict) -> int:
    api = template["Resources"]["RestAPI"]["Properties"]
    methods = [(path, m) for path, ops in api["DefinitionBody"]["paths"].items() for m in ops if m != "parameters"]
    settings = api.get("MethodSettings", [])
    stage_wide = any(s.get("MetricsEnabled") and s["ResourcePath"] == "/*" for s in settings)
    per_method = {(s["ResourcePath"], s["HttpMethod"]) for s in settings if s.get("MetricsEnabled")}
    enabled = len(methods) if stage_wide else len(per_method)
    return enabled * len(METHOD_METRICS)


def _cost(table: PriceTable, key: str, quantity: float):
    price = table[key]
    if quantity == 0:
        return 0.0          # within the free allowance: nothing to pay, whatever the price
    return None if price is None else quantity * price


def fixed_lines(template: dict, table: PriceTable, *, console: Console = Console(), queues: int = 1,
                lambda_memory_mb: int = 512, years_kept: int = 5) -> list[Line]:
    from chalicelib import metrics
    lines = []
    free = table.free
    alarms = _of_type(template, "AWS::CloudWatch::Alarm")
    alarm_metrics = sum(alarm_metric_count(a) for a in alarms.values())
    billable = max(0, alarm_metrics - free.get("cloudwatch_alarm_metric_month", 0))
    lines.append(Line("alarms", f"{len(alarms)} alarms over {alarm_metrics} alarm metrics "
                                f"({free.get('cloudwatch_alarm_metric_month', 0)} free)",
                      _cost(table, "cloudwatch_alarm_metric_month", billable)))

    streams = app_streams(template, metrics.NAMESPACE)
    methods = method_metric_count(template)
    billable = max(0, len(streams) + methods - free.get("cloudwatch_custom_metric_month", 0))
    lines.append(Line("custom metrics", f"{len(streams)} app streams read by alarms/dashboard + {methods} API "
                                        f"method metrics ({free.get('cloudwatch_custom_metric_month', 0)} free; "
                                        "each as if reported all month)",
                      _cost(table, "cloudwatch_custom_metric_month", billable)))

    dashboards = _of_type(template, "AWS::CloudWatch::Dashboard")
    shown = [len(dashboard_metrics(d)) for d in dashboards.values()]
    over = [n for n in shown if n > 50]
    billable = max(0, len(dashboards) - free.get("cloudwatch_dashboard_month", 0)) + len(over)
    lines.append(Line("dashboards", f"{len(dashboards)} showing {sum(shown)} metrics "
                                    f"({free.get('cloudwatch_dashboard_month', 0)} free with up to 50 metrics each)",
                      _cost(table, "cloudwatch_dashboard_month", min(billable, len(dashboards)))))

    keys = _of_type(template, "AWS::KMS::Key")
    rotating = sum(1 for k in keys.values() if k["Properties"].get("EnableKeyRotation"))
    # a rotating key costs 1, then 2 after its first yearly rotation, then 3 (later rotations are free)
    key_months = len(keys) - rotating + rotating * sum(min(3, year + 1) for year in range(years_kept)) / years_kept
    lines.append(Line("KMS keys", f"{len(keys)} customer-managed ({rotating} rotating yearly), averaged over "
                                  f"{years_kept} years", _cost(table, "kms_key_month", key_months)))

    acls = _of_type(template, "AWS::WAFv2::WebACL")
    rules = sum(len(a["Properties"].get("Rules", [])) for a in acls.values())
    waf = [_cost(table, "waf_web_acl_month", len(acls)), _cost(table, "waf_rule_month", rules)]
    lines.append(Line("web firewall (WAF)", f"{len(acls)} web ACL(s) with {rules} rule(s) (deployment.waf; requests "
                                            "through it are billed apart)", None if None in waf else sum(waf)))

    groups = _of_type(template, "AWS::Logs::LogGroup")
    retention = sorted({g["Properties"].get("RetentionInDays") for g in groups.values()}, key=str)
    named = json.dumps([g["Properties"].get("LogGroupName") for g in groups.values()])
    functions = {**_of_type(template, "AWS::Serverless::Function"), **_of_type(template, "AWS::Lambda::Function")}
    unkept = [k for k, f in functions.items() if (f["Properties"].get("FunctionName") or k) not in named]
    lines.append(Line("log groups", f"{len(groups)} made by the stack, retention {retention} days; "
                                    f"{len(unkept)} of {len(functions)} functions log to a group Lambda creates, kept "
                                    "forever (ingestion and storage: variable bill)", 0.0))

    runs = prices.RELAY_RUNS_PER_YEAR / 12
    gb = lambda_memory_mb / 1024
    relay_ms = math.ceil(1 + prices.LATENCY_MS["dynamodb_read"])
    lambda_request, lambda_second = table["lambda_per_million_requests"], table["lambda_per_gb_second"]
    rru, logs_in = table["dynamodb_per_million_rru"], table["logs_ingestion_per_gb"]
    relay = None if None in (lambda_request, lambda_second, rru, logs_in) else runs * (
        lambda_request / 1e6 + relay_ms / 1000 * gb * lambda_second + 0.5 * rru / 1e6
        + RELAY_LOG_BYTES / 1e9 * logs_in)
    lines.append(Line("outbox relay", "every minute: one invocation, one Query, its platform log lines", relay))

    receives = queues * prices.IDLE_RECEIVES_PER_MINUTE_PER_QUEUE * runs
    lines.append(Line("SQS idle polling", f"{queues} event source, ~{prices.IDLE_RECEIVES_PER_MINUTE_PER_QUEUE} "
                                          "empty long polls a minute", _cost(table, "sqs_per_million_requests",
                                                                              receives / 1e6)))
    calls = console.calls_per_month
    api = table["api_rest_per_million"]
    polling = None if None in (api, lambda_request, lambda_second, rru) else calls * (
        api / 1e6 + lambda_request / 1e6 + console.lambda_ms / 1000 * gb * lambda_second
        + console.read_units_per_call * rru / 1e6)
    lines.append(Line("web console polling", f"{console.describe()}: {calls:,.0f} list calls", polling))
    return lines


def total(lines: list[Line]) -> tuple[float, int]:
    """The sum of the priced lines and how many lines have a price not found."""
    return sum(line.cost for line in lines if line.cost is not None), sum(1 for line in lines if line.cost is None)


def money(table: PriceTable, amount: float | None, digits: int = 2) -> str:
    return "not found" if amount is None else f"{table.symbol}{amount:,.{digits}f}"


def report(name: str, template: dict, table: PriceTable, **kwargs) -> tuple[float, int]:
    lines = fixed_lines(template, table, **kwargs)
    stand_in = "" if table.region in name else f": {table.region}'s list prices stand in (no table of its own region is stored)"
    print(f"\nfixed cost per month, {name}, priced in {table.region} ({table.currency}){stand_in}")
    for line in lines:
        print(f"  {line.item:<22} {money(table, line.cost):>11}   {line.detail}")
    amount, missing = total(lines)
    print(f"  {'fixed total':<22} {money(table, amount):>11}" + (f"   + {missing} line(s) not found" if missing else ""))
    return amount, missing


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("counties", nargs="*", default=["demo", "yuli"])
    parser.add_argument("--template")
    parser.add_argument("--region")
    args = parser.parse_args()
    from chalicelib.county_config import load
    if args.template:
        report(args.template, json.loads(Path(args.template).read_text()), prices.table_for(args.region))
        return 0
    from support.deployed import template_path
    for county in args.counties:
        deployment = load(county).spec.deployment
        table = prices.table_for(deployment.region)
        report(f"{county} ({deployment.region})", json.loads(template_path(county).read_text()), table,
               years_kept=deployment.case_retention_years)
    return 0


if __name__ == "__main__":
    sys.exit(main())
