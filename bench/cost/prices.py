"""Public AWS list prices (USD, US East (N. Virginia), on-demand, no free tier), as published in 2026, and the
latency assumed per AWS round trip when billing Lambda time. The China regions are priced in CNY by a
different operator; these are the reference the target is set in.

Sources: aws.amazon.com/api-gateway/pricing (REST APIs, first 333 million), /lambda/pricing (x86),
/dynamodb/pricing/on-demand (standard table class, after the November 2024 reduction), /step-functions/pricing
(Standard workflows), /sqs/pricing (standard queues), /s3/pricing (S3 Standard), /sns/pricing.
"""
API_GATEWAY_REST_PER_MILLION = 3.50
LAMBDA_PER_MILLION_REQUESTS = 0.20
LAMBDA_PER_GB_SECOND = 0.0000166667
DYNAMODB_PER_MILLION_WRU = 0.625
DYNAMODB_PER_MILLION_RRU = 0.125
DYNAMODB_PER_GB_MONTH = 0.25
STEP_FUNCTIONS_PER_THOUSAND_TRANSITIONS = 0.025
SQS_PER_MILLION_REQUESTS = 0.40
S3_PER_GB_MONTH = 0.023
S3_PER_THOUSAND_PUT = 0.005
S3_PER_THOUSAND_GET = 0.0004
S3_GLACIER_IR_PER_GB_MONTH = 0.004            # photos/ move there after 30 days (infra/stack.py photo_lifecycle)
S3_GLACIER_IR_PER_THOUSAND_TRANSITIONS = 0.02  # lifecycle transition requests
SNS_PER_MILLION_PUBLISHES = 0.50
# SMS is priced per message and country and changes often; this is an assumed price for mainland China.
SMS_PER_MESSAGE = 0.02

# A Lambda event source mapping long-polls its queue even when it is empty: about 5 pollers, one 20-second
# ReceiveMessage each (re:Post and Lambda docs: "Lambda polls with long polling ... starts with five pollers").
IDLE_RECEIVES_PER_MINUTE_PER_QUEUE = 15
RELAY_RUNS_PER_YEAR = 365 * 24 * 60          # the outbox relay runs every minute

# Typical same-region latency (ms) of one round trip of each kind, to bill the time a handler waits on AWS.
LATENCY_MS = {"dynamodb_read": 5, "dynamodb_write": 7, "dynamodb_transaction": 12, "aws_api": 15,
              "s3_get": 60, "s3_put": 50, "s3_delete": 15, "dingtalk": 120}
COLD_START_SHARE = 0.03                      # share of invocations that start a new container (billed init)
