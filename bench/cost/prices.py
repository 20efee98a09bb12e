"""Public list prices, one table per region and currency, each with where and when it was read; and the latency
assumed per AWS round trip when billing Lambda time.

A price that was not found on the region's page is None and prints as "not found": never converted from
another currency. On-demand, no free tier unless a line says so (free allowances are listed apart: they are
what a small county mostly lives within).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PriceTable:
    region: str
    currency: str
    symbol: str
    source: str
    prices: dict = field(default_factory=dict)     # item -> price, or None: not found
    free: dict = field(default_factory=dict)       # item -> monthly free allowance (always-free tiers only)

    def __getitem__(self, item: str):
        return self.prices[item]


US_EAST_1 = PriceTable(
    region="us-east-1", currency="USD", symbol="$",
    source="aws.amazon.com/{api-gateway,lambda,dynamodb/on-demand,step-functions,sqs,s3,sns,cloudwatch,kms}/pricing, "
           "US East (N. Virginia), as published in 2026 (read 2026-11; the step-functions page from the stored copy "
           "of aws.amazon.com/step-functions/pricing/, read 2026-12-01)",
    prices={
        "api_rest_per_million": 3.50,
        "lambda_per_million_requests": 0.20,
        "lambda_per_gb_second": 0.0000166667,                  # x86
        "dynamodb_per_million_wru": 0.625,                     # standard table class, after the Nov 2024 cut
        "dynamodb_per_million_rru": 0.125,
        "dynamodb_per_gb_month": 0.25,
        "dynamodb_pitr_per_gb_month": 0.20,                    # continuous backups, by table size
        "step_functions_per_thousand_transitions": 0.025,
        "sqs_per_million_requests": 0.40,
        "s3_per_gb_month": 0.023,
        "s3_per_thousand_put": 0.005,
        "s3_per_thousand_get": 0.0004,
        "s3_glacier_ir_per_gb_month": 0.004,                   # photos/ move there after 30 days
        "s3_glacier_ir_per_thousand_transitions": 0.02,
        "sns_per_million_publishes": 0.50,
        "cloudwatch_alarm_metric_month": 0.10,                 # standard resolution, per metric an alarm reads
        "cloudwatch_custom_metric_month": 0.30,                # first 10,000; prorated by the hour
        "cloudwatch_dashboard_month": 3.00,
        "logs_ingestion_per_gb": 0.50,
        "logs_storage_per_gb_month": 0.03,
        "kms_key_month": 1.00,                                 # +1 a month for each of the first two rotations
        "waf_web_acl_month": 5.00,
        "waf_rule_month": 1.00,
        "sms_per_message": 0.02,                               # an assumption for mainland China: per country
    },
    free={"cloudwatch_alarm_metric_month": 10, "cloudwatch_custom_metric_month": 10, "cloudwatch_dashboard_month": 3,
          "logs_gb": 5, "step_functions_transitions": 4000},
)

# Amazon Web Services China (Ningxia), operated by NWCD, priced in CNY. Read from the stored copies of
# amazonaws.cn/cloudwatch/pricing (Chinese page: custom metrics, alarms, API requests, free tier) and
# amazonaws.cn/en/dynamodb/pricing/ (on-demand writes), 2026-12-01. The stored DynamoDB page breaks off in the
# on-demand sentence ("Write requests: ¥ 11.1538 for e..."): read as per million write request units, the unit
# on-demand prices use. Everything else was not found in the stored copies.
CN_NORTHWEST_1 = PriceTable(
    region="cn-northwest-1", currency="CNY", symbol="¥",
    source="amazonaws.cn/cloudwatch/pricing and amazonaws.cn/en/dynamodb/pricing/ (stored copies, read 2026-12-01)",
    prices={
        "api_rest_per_million": None,
        "lambda_per_million_requests": None,
        "lambda_per_gb_second": None,
        "dynamodb_per_million_wru": 11.1538,
        "dynamodb_per_million_rru": None,
        "dynamodb_per_gb_month": None,
        "dynamodb_pitr_per_gb_month": None,
        "step_functions_per_thousand_transitions": None,
        "sqs_per_million_requests": None,
        "s3_per_gb_month": None,
        "s3_per_thousand_put": None,
        "s3_per_thousand_get": None,
        "s3_glacier_ir_per_gb_month": None,
        "s3_glacier_ir_per_thousand_transitions": None,
        "sns_per_million_publishes": None,
        "cloudwatch_alarm_metric_month": 0.622,
        "cloudwatch_custom_metric_month": 2.0,
        "cloudwatch_dashboard_month": None,
        "logs_ingestion_per_gb": None,
        "logs_storage_per_gb_month": None,
        "kms_key_month": None,
        "waf_web_acl_month": None,
        "waf_rule_month": None,
        "sms_per_message": None,                               # SNS SMS is not offered in the China regions
    },
    # "免费套餐包括 10 个自定义指标和 10 个标准精度指标告警 ... 5GB 日志数据摄取和 5GB 日志数据存档 ... 3 个控制面板"
    free={"cloudwatch_alarm_metric_month": 10, "cloudwatch_custom_metric_month": 10, "cloudwatch_dashboard_month": 3,
          "logs_gb": 5},
)

# Looked for again on 2026-12-01 in the stored copies of public pages and documentation ("amazonaws.cn pricing
# dynamodb ningxia", "Amazon Step Functions 定价 宁夏", and per service: Lambda, API Gateway, DynamoDB reads and
# storage, S3, SQS, SNS, Step Functions, CloudWatch Logs): the stored amazonaws.cn pages hold only the prices
# above (the DynamoDB page's provisioned capacity, ¥0.058 per 10 write / 50 read capacity units an hour, is
# not what on-demand tables pay); amazonaws.cn/en/documentation-overview/step-functions and
# docs.amazonaws.cn's Lambda page carry no prices. Every other line stays "not found".
#
# The demo deploys to ap-southeast-1 (Singapore). Of its prices only Step Functions' is in a stored page
# (aws.amazon.com/step-functions/pricing/, "Asia Pacific (Singapore) | $0.0250" per 1,000 transitions, the same
# as us-east-1; read 2026-12-01): the demo is priced at us-east-1's table as a stated stand-in.

def table_for(region: str) -> PriceTable:
    """The region's own table; a global region without one of its own is priced at us-east-1's (stated)."""
    return CN_NORTHWEST_1 if region.startswith("cn-") else US_EAST_1


# A Lambda event source mapping long-polls its queue even when it is empty: about 5 pollers, one 20-second
# ReceiveMessage each (re:Post and Lambda docs: "Lambda polls with long polling ... starts with five pollers").
IDLE_RECEIVES_PER_MINUTE_PER_QUEUE = 15
RELAY_RUNS_PER_YEAR = 365 * 24 * 60          # the outbox relay runs every minute

# Typical same-region latency (ms) of one round trip of each kind, to bill the time a handler waits on AWS.
LATENCY_MS = {"dynamodb_read": 5, "dynamodb_write": 7, "dynamodb_transaction": 12, "aws_api": 15,
              "s3_get": 60, "s3_put": 50, "s3_delete": 15, "dingtalk": 120}
COLD_START_SHARE = 0.03                      # share of invocations that start a new container (billed init)

# What a deployment's logs take, per line kind (bytes, measured on the local stack's JSON lines and Lambda's
# platform lines START/END/REPORT): the bill's log ingestion.
LOG_BYTES = {"lambda_platform": 420, "app_line": 380, "access_log": 260}
