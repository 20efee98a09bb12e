"""Create the deployment's AWS resources on the embedded moto server, from the same definitions as CDK:
tables (adapters/models.py), the work queue with its dead-letter queue (resources.py), the timer state machine
(timer.asl.json), the photo bucket with its ObjectCreated -> work-queue notification, and the alerts topic.

Returns the environment variables the app reads, exactly as the CDK stack sets them in the cloud.
"""
from __future__ import annotations

import json
import urllib.request

import boto3

from chalicelib import resources
from chalicelib.adapters.models import create_tables

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
    sqs, sfn, s3, sns = (boto3.client(s) for s in ("sqs", "stepfunctions", "s3", "sns"))
    env = {}
    for spec in resources.QUEUES:
        dlq_url = sqs.create_queue(QueueName=spec.dlq_name)["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        url = sqs.create_queue(QueueName=spec.name, Attributes={
            "VisibilityTimeout": str(spec.visibility_timeout),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": spec.max_receive_count}),
        })["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        key = spec.key.upper()
        env.update({f"{key}_QUEUE_URL": url, f"{key}_QUEUE_ARN": arn, f"{key}_DLQ_URL": dlq_url})
    env["TIMER_STATE_MACHINE_ARN"] = sfn.create_state_machine(
        name=resources.TIMER_STATE_MACHINE, definition=resources.timer_definition(_partition()), roleArn=LOCAL_ROLE,
        type="STANDARD")["stateMachineArn"]
    bucket = resources.PHOTOS_BUCKET_NAME
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": boto3.session.Session().region_name})
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [{
        "QueueArn": env[f"{resources.WORK.key.upper()}_QUEUE_ARN"], "Events": ["s3:ObjectCreated:*"],
        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "incoming/"}]}}}]})
    env["PHOTOS_BUCKET"] = bucket
    env["ALERTS_TOPIC_ARN"] = sns.create_topic(Name=resources.ALERTS_TOPIC)["TopicArn"]
    return env
