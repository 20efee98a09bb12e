"""Names of the deployment's AWS resources other than tables (tables: adapters/models.py), and where the app
finds them.

Every name is a function of the deployment's prefix (`Names`): the CDK stack names a county's resources with
`Names("gridloop-<county>-")`, the local runtime creates this process's (`NAMES`) on the embedded AWS. The app
finds them through the environment variables of chalicelib/environment.py, which both set.
"""
import os
from pathlib import Path
from typing import NamedTuple

from chalicelib import entrypoints, environment, settings

TIMER_ASL = Path(__file__).parent / "timer.asl.json"   # the one definition of the timer state machine


def timer_definition(partition: str) -> str:
    """The ASL with its ${Partition} placeholder filled (CDK fills it with DefinitionSubstitutions instead)."""
    return TIMER_ASL.read_text().replace("${Partition}", partition)


LAMBDA_MEMORY_MB = 512      # every function (the stack sets it; the cost benchmark bills GB-seconds with it)
LAMBDA_TIMEOUT_SECONDS = 60
# Environment every function gets besides its resource names. Pydantic would otherwise scan every installed
# distribution's entry points for plugins when the first model is built: on every cold start (docs/performance.md).
LAMBDA_STATIC_ENVIRONMENT = {"PYDANTIC_DISABLE_PLUGINS": "__all__"}


class QueueSpec(NamedTuple):
    """One SQS queue of the stack: its name, consumer, timeouts and dead-letter policy."""
    key: str                    # short name: the queue's name is <prefix><key>, its variables <KEY>_QUEUE_URL...
    consumer: str               # the function whose event source it is (chalicelib/entrypoints.py)
    visibility_timeout: int     # seconds; AWS's guidance for a Lambda event source: >= 6x the function timeout
    max_receive_count: int      # deliveries before the dead-letter queue
    batch_size: int             # records per worker invocation (the event source's BatchSize)

    def url(self) -> str:
        return os.environ.get(environment.queue_url(self.key), "")

    def dlq_url(self) -> str:
        return os.environ.get(environment.dead_letter_queue_url(self.key), "")

    def arn(self) -> str:
        return os.environ.get(environment.queue_arn(self.key),
                              f"arn:aws:sqs:cn-northwest-1:000000000000:{NAMES.queue(self)}")


# The one work queue, consumed by the one worker function (app.py `work_worker`, chalicelib/workers.py), which
# tells its three kinds of record apart by their bodies: deadline notices (the timer's SendNotice task), photo
# upload events (the photo bucket's ObjectCreated notification) and notifications (the outbox's NOTIFY effects).
# A Lambda event source long-polls its queue even when it is empty (about 15 receives a minute, billed): one
# queue for the three kinds pays that once. Why these numbers (docs/data-model.md, "The work queue"):
# - visibility 360 s = 6 x the 60 s function timeout (AWS's guidance for Lambda event sources: a batch the
#   function is still working on, or a retried invocation, never becomes visible again meanwhile). Failed
#   records do not wait for it: the worker sets each one's retry delay (exponential backoff, workers.py);
# - 6 receives: what notifications needed (a DingTalk outage of about 10 minutes rides on the backoff 10, 20,
#   ... 320 s) and more than deadlines (5) and photos (3) had; every kind is safe to repeat (a notice acts
#   once, a photo is attached once, a delivery is idempotent per effect), and an upload that cannot be an
#   image is quarantined, never retried;
# - 10 records a batch (the most without a batching window): a batch of ten of the largest photos allowed
#   (40 MP) decodes in about 6 s on a developer machine, a few times that on a 512 MB Lambda's share of a vCPU,
#   within the 60 s timeout; notices and notifications take milliseconds.
WORK = QueueSpec("work", consumer=entrypoints.WORK_WORKER, visibility_timeout=6 * LAMBDA_TIMEOUT_SECONDS,
                 max_receive_count=6, batch_size=10)
QUEUES = (WORK,)


class Names(NamedTuple):
    """The names of one deployment's resources."""
    prefix: str                 # "gridloop-<county>-"; locally "gridloop-local-" (environment.PREFIX)

    def queue(self, spec: QueueSpec) -> str:
        return f"{self.prefix}{spec.key}"

    def dead_letter_queue(self, spec: QueueSpec) -> str:
        return f"{self.prefix}{spec.key}-dlq"

    @property
    def timer_state_machine(self) -> str:
        return f"{self.prefix}timer"

    @property
    def photos_bucket(self) -> str:
        return f"{self.prefix}photos"

    @property
    def alerts_topic(self) -> str:
        return f"{self.prefix}alerts"

    @property
    def deployment(self) -> str:
        """The deployment's own name ("gridloop-<county>"): its REST API's name and the `service` dimension of its
        metrics, so that two counties deployed in one account never share an alarm's metric."""
        return self.prefix.rstrip("-")

    def function(self, name: str) -> str:
        """A Lambda function's name (chalicelib/entrypoints.py names the functions)."""
        return f"{self.prefix}{name}"

    @classmethod
    def of_county(cls, county: str) -> "Names":
        """A county's deployment in the cloud (infra/stack.py)."""
        return cls(f"gridloop-{county}-")


NAMES = Names(settings.TABLE_PREFIX)   # this process's deployment


def timer_state_machine_arn() -> str:
    return os.environ.get(environment.TIMER_STATE_MACHINE_ARN, "")


def photos_bucket() -> str:
    return os.environ.get(environment.PHOTOS_BUCKET, NAMES.photos_bucket)


def alerts_topic_arn() -> str:
    return os.environ.get(environment.ALERTS_TOPIC_ARN, "")
