"""The environment variables the app's functions read: each name is spelled here and nowhere else.

The CDK stack sets them on every function (infra/stack.py), the local runtime on its processes (local/run.py,
local/aws_resources.py, local/issuer.py), the tests and benchmarks on theirs (support/local_aws.py), each through
the builders below. The app reads them through settings.py, resources.py, auth.py and adapters/secrets.py.
"""
from __future__ import annotations

STAGE = "STAGE"                        # no default: only a stage named `local` trusts the local key file
COUNTY = "COUNTY"                      # chalicelib/counties/<COUNTY>.yaml
PREFIX = "TABLE_PREFIX"                # starts every resource name of the deployment: tables, queues, bucket...
TIMER_STATE_MACHINE_ARN = "TIMER_STATE_MACHINE_ARN"
PHOTOS_BUCKET = "PHOTOS_BUCKET"
ALERTS_TOPIC_ARN = "ALERTS_TOPIC_ARN"
AUTH_ISSUER = "AUTH_ISSUER"            # a user pool's issuer, known once deployed (an external one: the config)
AUTH_AUDIENCE = "AUTH_AUDIENCE"
AUTH_JWKS_URL = "AUTH_JWKS_URL"
AUTH_JWKS_FILE = "AUTH_JWKS_FILE"      # the local stage's key file
USER_POOL_ID = "USER_POOL_ID"          # the stack's user pool, where the administrator manages users (none: no pool)
LOCAL_SECRETS_FILE = "LOCAL_SECRETS_FILE"        # the local stage's DingTalk robots (adapters/secrets.py)
WORK_RETRY_BASE_SECONDS = "WORK_RETRY_BASE_SECONDS"   # first retry delay of a failed work record (workers.py)

LOCAL_PREFIX = "gridloop-local-"       # the local stack's names (`make run`), and the prefix when none is set


def queue_url(key: str) -> str:
    return f"{key.upper()}_QUEUE_URL"


def queue_arn(key: str) -> str:
    return f"{key.upper()}_QUEUE_ARN"


def dead_letter_queue_url(key: str) -> str:
    return f"{key.upper()}_DLQ_URL"


def deployment_variables(*, stage: str, county: str, prefix: str) -> dict[str, str]:
    return {STAGE: stage, COUNTY: county, PREFIX: prefix}


def resource_variables(*, timer_state_machine_arn: str, photos_bucket: str, alerts_topic_arn: str,
                       queues: dict[str, tuple[str, str, str]]) -> dict[str, str]:
    """Where the app finds its resources; `queues`: key -> (url, arn, dead-letter queue url)."""
    found = {TIMER_STATE_MACHINE_ARN: timer_state_machine_arn, PHOTOS_BUCKET: photos_bucket,
             ALERTS_TOPIC_ARN: alerts_topic_arn}
    for key, (url, arn, dlq_url) in queues.items():
        found.update({queue_url(key): url, queue_arn(key): arn, dead_letter_queue_url(key): dlq_url})
    return found


def issuer_variables(*, issuer: str, audience: str, jwks_url: str = "", jwks_file: str = "") -> dict[str, str]:
    """The token issuer a stage trusts: a user pool's (JWKS URL) or the local stage's (key file)."""
    found = {AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience}
    if jwks_url:
        found[AUTH_JWKS_URL] = jwks_url
    if jwks_file:
        found[AUTH_JWKS_FILE] = jwks_file
    return found
