"""Names of the deployment's AWS resources other than tables (tables: adapters/models.py).

The CDK stack and the local runtime create them from these names; the app finds them through
environment variables that both set (the Lambda gets the real URLs and ARNs from CDK).
"""
import os
from dataclasses import dataclass
from pathlib import Path

PREFIX = os.environ.get("RESOURCE_PREFIX", os.environ.get("TABLE_PREFIX", "gridloop-local-"))
TIMER_ASL = Path(__file__).parent / "timer.asl.json"   # the one definition of the timer state machine


def timer_definition(partition: str) -> str:
    """The ASL with its ${Partition} placeholder filled (CDK fills it with DefinitionSubstitutions instead)."""
    return TIMER_ASL.read_text().replace("${Partition}", partition)


@dataclass(frozen=True)
class QueueSpec:
    key: str                    # short name; env vars are <KEY>_QUEUE_URL / _ARN
    visibility_timeout: int     # seconds; at least the worker Lambda's timeout
    max_receive_count: int      # deliveries before the dead-letter queue

    @property
    def name(self) -> str:
        return f"{PREFIX}{self.key}"

    @property
    def dlq_name(self) -> str:
        return f"{PREFIX}{self.key}-dlq"

    def url(self) -> str:
        return os.environ.get(f"{self.key.upper()}_QUEUE_URL", "")

    def dlq_url(self) -> str:
        return os.environ.get(f"{self.key.upper()}_DLQ_URL", "")

    def arn(self) -> str:
        return os.environ.get(f"{self.key.upper()}_QUEUE_ARN",
                              f"arn:aws:sqs:cn-northwest-1:000000000000:{self.name}")


DEADLINES = QueueSpec("deadlines", visibility_timeout=60, max_receive_count=5)
PHOTOS = QueueSpec("photos", visibility_timeout=120, max_receive_count=3)
NOTIFICATIONS = QueueSpec("notifications", visibility_timeout=60, max_receive_count=6)
QUEUES = (DEADLINES, PHOTOS, NOTIFICATIONS)

LAMBDA_MEMORY_MB = 512      # every function (the stack sets it; the cost benchmark bills GB-seconds with it)
LAMBDA_TIMEOUT_SECONDS = 60

TIMER_STATE_MACHINE = f"{PREFIX}timer"
PHOTOS_BUCKET_NAME = f"{PREFIX}photos"
ALERTS_TOPIC = f"{PREFIX}alerts"


def timer_state_machine_arn() -> str:
    return os.environ.get("TIMER_STATE_MACHINE_ARN", "")


def photos_bucket() -> str:
    return os.environ.get("PHOTOS_BUCKET", PHOTOS_BUCKET_NAME)


def alerts_topic_arn() -> str:
    return os.environ.get("ALERTS_TOPIC_ARN", "")
