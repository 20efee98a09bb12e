"""Create the deployment's AWS resources on the embedded moto server, from the same definitions as CDK:
tables (adapters/models.py), the work queue with its dead-letter queue, the timer state machine
(timer.asl.json), the photo bucket with its ObjectCreated -> work-queue notification, and the alerts topic, named
as this process's deployment names them (resources.NAMES).

Returns the environment variables the app reads, built as the CDK stack builds them in the cloud
(chalicelib/environment.py).
"""
from __future__ import annotations

import json
import urllib.request

import boto3

from chalicelib import environment, resources
from chalicelib.adapters.models import create_tables
from chalicelib.domain import photos as photo_keys

LOCAL_ROLE = "arn:aws:iam::123456789012:role/gridloop-local-timer"


def enable_state_machine_execution(aws_url: str) -> None:
    """moto only runs state machines when told to (otherwise executions are static records)."""
    body = json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode()
    urllib.request.urlopen(urllib.request.Request(f"{aws_url}/moto-api/config", data=body, method="POST")).read()


def _partition() -> str:
    region = boto3.session.Session().region_name or ""
    return "aws-cn" if region.startswith("cn-") else "aws"


def create_all(aws_url: str) -> dict:
    enable_state_machine_execution(aws_url)
    create_tables()
    names = resources.NAMES
    sqs, sfn, s3, sns = (boto3.client(s) for s in ("sqs", "stepfunctions", "s3", "sns"))
    queues = {}
    for spec in resources.QUEUES:
        dlq_url = sqs.create_queue(QueueName=names.dead_letter_queue(spec))["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        url = sqs.create_queue(QueueName=names.queue(spec), Attributes={
            "VisibilityTimeout": str(spec.visibility_timeout),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": spec.max_receive_count}),
        })["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        queues[spec.key] = (url, arn, dlq_url)
    timer_arn = sfn.create_state_machine(
        name=names.timer_state_machine, definition=resources.timer_definition(_partition()), roleArn=LOCAL_ROLE,
        type="STANDARD")["stateMachineArn"]
    bucket = names.photos_bucket
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": boto3.session.Session().region_name})
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [{
        "QueueArn": queues[resources.WORK.key][1], "Events": ["s3:ObjectCreated:*"],
        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": photo_keys.INCOMING}]}}}]})
    alerts_arn = sns.create_topic(Name=names.alerts_topic)["TopicArn"]
    return environment.resource_variables(timer_state_machine_arn=timer_arn, photos_bucket=bucket,
                                          alerts_topic_arn=alerts_arn, queues=queues)
