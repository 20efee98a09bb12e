"""Alarms to the on-call topic and the deployment's dashboard. Names and metrics come from the app's own
definitions; every alarm has an entry in docs/runbook.md (a test checks it)."""
from __future__ import annotations

from aws_cdk import Duration, aws_cloudwatch as cw, aws_cloudwatch_actions as actions, aws_dynamodb as dynamodb

from chalicelib import metrics, resources
from chalicelib.entrypoints import API_HANDLER, FUNCTIONS, WORK_WORKER
from infra.functions import logical_id

# alarm id -> the runbook heading that explains it (docs/runbook.md)
RUNBOOK = {}


def _alarm(stack, alarm_id: str, metric: cw.IMetric, threshold: float, description: str, *, periods: int = 1,
           comparison=cw.ComparisonOperator.GREATER_THAN_THRESHOLD) -> cw.Alarm:
    alarm = cw.Alarm(stack, alarm_id, alarm_name=f"{stack.stack_name}-{alarm_id}", metric=metric,
                     threshold=threshold, evaluation_periods=periods, comparison_operator=comparison,
                     treat_missing_data=cw.TreatMissingData.NOT_BREACHING, alarm_description=description)
    alarm.add_alarm_action(actions.SnsAction(stack.oncall_topic))
    RUNBOOK[alarm_id] = alarm_id
    return alarm


def product_metric(service: str, name: str, dimensions: dict | None = None, statistic: str = "Sum") -> cw.Metric:
    """A metric the app emits with Powertools: namespace, name and the `service` dimension it adds (the deployment's
    name, resources.Names.deployment)."""
    return cw.Metric(namespace=metrics.NAMESPACE, metric_name=name,
                     dimensions_map={"service": service, **(dimensions or {})},
                     statistic=statistic, period=Duration.minutes(5))


# From the API's access log (infra/stack.py writes it as JSON): throttled answers and bursts of 401 by client IP.
# Watched on the dashboard, not alarmed: a client retrying an expired token or a burst against the throttle is
# not an outage (ApiClientErrorRate alarms when 4XX answers become a large share of all).
THROTTLED_QUERY = ("fields @timestamp, status, responseType | filter status = \"429\" "
                   "| stats count(*) as throttled by bin(5m), responseType")
UNAUTHENTICATED_QUERY = ("fields @timestamp, ip | filter status = \"401\" "
                         "| stats count(*) as unauthenticated by bin(5m), ip | sort unauthenticated desc | limit 20")


def edge_widgets(access_logs, api_4xx: cw.IMetric) -> list:
    names = [access_logs.log_group_name]
    return [cw.GraphWidget(title="API 4XX rate", left=[api_4xx]),
            cw.LogQueryWidget(title="API throttled (429) per 5 minutes", log_group_names=names,
                              query_string=THROTTLED_QUERY, view=cw.LogQueryVisualizationType.BAR),
            cw.LogQueryWidget(title="API 401 bursts by client IP", log_group_names=names,
                              query_string=UNAUTHENTICATED_QUERY, view=cw.LogQueryVisualizationType.TABLE)]


# What pages the on-call engineer: what users would feel, in at most 10 alarm metrics (CloudWatch bills per metric
# an alarm evaluates, a math alarm per metric it reads; the first 10 are in the free tier of both partitions).
# Everything else is on the dashboard, where looking is free.
MAX_ALARM_METRICS = 10


def alarms_and_dashboard(stack, names: resources.Names) -> None:
    prefix, service = names.prefix, names.deployment
    widgets = []
    api_5xx = cw.Metric(namespace="AWS/ApiGateway", metric_name="5XXError", dimensions_map={"ApiName": service},
                        statistic="Average", period=Duration.minutes(5))
    api_latency = cw.Metric(namespace="AWS/ApiGateway", metric_name="Latency", dimensions_map={"ApiName": service},
                            statistic="p90", period=Duration.minutes(5))
    api_4xx = cw.Metric(namespace="AWS/ApiGateway", metric_name="4XXError", dimensions_map={"ApiName": service},
                        statistic="Average", period=Duration.minutes(5))
    _alarm(stack, "ApiErrorRate", api_5xx, 0.05, "More than 5% of API requests answer 5XX", periods=2)
    _alarm(stack, "ApiLatency", api_latency, 3000, "API p90 latency above 3 s", periods=3)
    _alarm(stack, "ApiClientErrorRate", api_4xx, 0.25, "More than 25% of API requests answer 4XX for 15 minutes",
           periods=3)
    widgets.append(cw.GraphWidget(title="API 5XX rate and p90 latency", left=[api_5xx], right=[api_latency]))
    widgets += edge_widgets(stack.api_access_logs, api_4xx)

    for function in FUNCTIONS:
        name = stack.chalice.get_resource(logical_id(function)).ref
        errors = cw.Metric(namespace="AWS/Lambda", metric_name="Errors", dimensions_map={"FunctionName": name},
                           statistic="Sum", period=Duration.minutes(5))
        throttles = cw.Metric(namespace="AWS/Lambda", metric_name="Throttles", dimensions_map={"FunctionName": name},
                              statistic="Sum", period=Duration.minutes(5))
        if function != API_HANDLER:   # the API's errors are its 5XX answers (ApiErrorRate); throttles show as 5XX too
            _alarm(stack, f"{logical_id(function)}Errors", errors, 0, f"{function} raised errors")
        widgets.append(cw.GraphWidget(title=f"{function}: errors and throttles", left=[errors, throttles]))

    for spec in resources.QUEUES:
        dlq, queue = stack.dlqs[spec.key], stack.queues[spec.key]
        depth = dlq.metric_approximate_number_of_messages_visible(period=Duration.minutes(5), statistic="Maximum")
        age = queue.metric_approximate_age_of_oldest_message(period=Duration.minutes(5), statistic="Maximum")
        title = spec.key.title()
        _alarm(stack, f"{title}DlqNotEmpty", depth, 0, f"messages in the {spec.key} dead-letter queue")
        _alarm(stack, f"{title}QueueOldestMessage", age, 600, f"a {spec.key} message waited more than 10 minutes")
        widgets.append(cw.GraphWidget(title=f"{spec.key}: DLQ depth and oldest message age", left=[depth], right=[age]))
    # one worker serves the three kinds of work: its failed records by kind (a failed record is not a Lambda error)
    widgets.append(cw.GraphWidget(title=f"{WORK_WORKER}: failed records by kind", left=[
        product_metric(service, metrics.WORK_RECORD_FAILED, {"kind": kind}) for kind in metrics.WORK_KINDS]))

    failed = stack.timer.metric_failed(period=Duration.minutes(5), statistic="Sum")
    _alarm(stack, "TimerExecutionsFailed", failed, 0, "timer executions failed (a deadline may not fire)")
    widgets.append(cw.GraphWidget(title="Timer executions: started, failed, aborted",
                                  left=[stack.timer.metric_started(), failed, stack.timer.metric_aborted()]))

    # DynamoDB on demand: throttles and system errors are retried by the SDK and show up as API 5XX or worker
    # errors when they matter to users; the dashboard shows them per table
    hot = [t for m, t in stack.tables.items() if m.__name__ in ("CaseItem", "StatItem", "OutboxItem", "LedgerItem")]
    throttles = [cw.Metric(namespace="AWS/DynamoDB", metric_name=kind, dimensions_map={"TableName": table.table_name},
                           statistic="Sum", period=Duration.minutes(5))
                 for table in hot for kind in ("ReadThrottleEvents", "WriteThrottleEvents")]
    cases_table = next(t for m, t in stack.tables.items() if m.__name__ == "CaseItem")
    system_errors = cases_table.metric_system_errors_for_operations(
        operations=[dynamodb.Operation.GET_ITEM, dynamodb.Operation.QUERY, dynamodb.Operation.BATCH_GET_ITEM,
                    dynamodb.Operation.TRANSACT_WRITE_ITEMS], period=Duration.minutes(5))
    widgets.append(cw.GraphWidget(title="DynamoDB throttles (hot tables) and system errors (cases)",
                                  left=throttles, right=[system_errors]))

    outbox_age = product_metric(service, metrics.OUTBOX_OLDEST_AGE, statistic="Maximum")
    _alarm(stack, "OutboxFallingBehind", outbox_age, 300, "an outbox effect has waited more than 5 minutes", periods=2)
    breaches = product_metric(service, metrics.DEADLINE_BREACHED, {"stage": "resolve"})
    county = product_metric(service, metrics.CASE_ESCALATED, {"level": "county"})
    prefecture = product_metric(service, metrics.CASE_ESCALATED, {"level": "prefecture"})
    # escalations and breaches are the centers' work, seen on their queues and statistics: not a page
    widgets.append(cw.GraphWidget(title="Deadlines: breaches and escalations",
                                  left=[breaches, county, prefecture], right=[outbox_age]))
    cw.Dashboard(stack, "Dashboard", dashboard_name=f"{prefix}operations", widgets=[[w] for w in widgets])
