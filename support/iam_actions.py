"""What IAM authorises for each AWS call the app makes: a hand-written map from API operations to IAM actions
and the resources they are checked on, from the AWS Service Authorization Reference
(https://docs.aws.amazon.com/service-authorization/latest/reference/) -- never read from the stack under test.

Resources are named in the caller's world (table names, queue URLs, bucket and key, topic and state machine ARNs
as the local stack has them); support/deployed.py translates them into the synthesised stack's ARNs.
An operation missing here is an error: a new kind of call must be mapped before it can be checked.
"""
from __future__ import annotations

from dataclasses import dataclass

ANY = ("*",)   # actions that take no resource ARN (SMS to a phone number, the opt-out check)


@dataclass(frozen=True)
class Request:
    action: str
    resource: tuple   # ("table", name) ("index", table, index) ("queue", url) ("object", bucket, key)
                      # ("bucket", name) ("topic", arn) ("topic-key", topic arn) ("state-machine", arn)
                      # ("execution", arn) ("parameter", name) ("user-pool", id) ANY


class Unmapped(Exception):
    pass


def _table_or_index(params: dict) -> tuple:
    if params.get("IndexName"):
        return ("index", params["TableName"], params["IndexName"])
    return ("table", params["TableName"])


TRANSACT_ACTIONS = {"Put": "dynamodb:PutItem", "Update": "dynamodb:UpdateItem", "Delete": "dynamodb:DeleteItem",
                    "ConditionCheck": "dynamodb:ConditionCheckItem"}


def dynamodb(operation: str, params: dict) -> list[Request]:
    if operation in ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "DescribeTable"):
        return [Request(f"dynamodb:{operation}", ("table", params["TableName"]))]
    if operation in ("Query", "Scan"):   # on an index: checked against the index's ARN
        return [Request(f"dynamodb:{operation}", _table_or_index(params))]
    if operation in ("BatchGetItem", "BatchWriteItem"):   # one check per table of the batch
        return [Request(f"dynamodb:{operation}", ("table", table)) for table in params["RequestItems"]]
    if operation == "TransactWriteItems":   # each item is its own action on its own table
        return [Request(TRANSACT_ACTIONS[kind], ("table", body["TableName"]))
                for item in params["TransactItems"] for kind, body in item.items()]
    if operation == "TransactGetItems":
        return [Request("dynamodb:GetItem", ("table", item["Get"]["TableName"])) for item in params["TransactItems"]]
    raise Unmapped(f"dynamodb.{operation}")


def s3(operation: str, params: dict) -> list[Request]:
    def obj(bucket_key="Bucket", key="Key"):
        return ("object", params[bucket_key], params[key])

    if operation in ("GetObject", "HeadObject", "PresignedUrl:get_object", "PresignedUrl:head_object"):
        return [Request("s3:GetObject", obj())]      # HeadObject needs s3:GetObject
    if operation in ("PutObject", "PresignedPost", "PresignedUrl:put_object"):
        return [Request("s3:PutObject", obj())]      # a presigned upload is the signing role's PutObject
    if operation == "DeleteObject":
        action = "s3:DeleteObjectVersion" if params.get("VersionId") else "s3:DeleteObject"
        return [Request(action, obj())]
    if operation == "CopyObject":                    # read the source, write the target
        source = params["CopySource"]
        if isinstance(source, str):
            bucket, _, key = source.lstrip("/").partition("/")
        else:
            bucket, key = source["Bucket"], source["Key"]
        return [Request("s3:GetObject", ("object", bucket, key)), Request("s3:PutObject", obj())]
    if operation in ("ListObjects", "ListObjectsV2"):
        return [Request("s3:ListBucket", ("bucket", params["Bucket"]))]
    raise Unmapped(f"s3.{operation}")


SQS_ACTIONS = {"SendMessage": "sqs:SendMessage", "SendMessageBatch": "sqs:SendMessage",
               "ReceiveMessage": "sqs:ReceiveMessage", "DeleteMessage": "sqs:DeleteMessage",
               "DeleteMessageBatch": "sqs:DeleteMessage", "ChangeMessageVisibility": "sqs:ChangeMessageVisibility",
               "ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
               "GetQueueAttributes": "sqs:GetQueueAttributes", "PurgeQueue": "sqs:PurgeQueue"}


def sqs(operation: str, params: dict) -> list[Request]:
    if operation in SQS_ACTIONS:
        return [Request(SQS_ACTIONS[operation], ("queue", params["QueueUrl"]))]
    raise Unmapped(f"sqs.{operation}")


def sns(operation: str, params: dict) -> list[Request]:
    if operation == "Publish":
        if params.get("PhoneNumber"):                # SMS: no resource ARN
            return [Request("sns:Publish", ANY)]
        topic = params.get("TopicArn") or params["TargetArn"]
        # a topic encrypted with a KMS key: the publisher also needs the key (SNS developer guide, SSE)
        return [Request("sns:Publish", ("topic", topic)), Request("kms:GenerateDataKey", ("topic-key", topic)),
                Request("kms:Decrypt", ("topic-key", topic))]
    if operation == "CheckIfPhoneNumberIsOptedOut":
        return [Request("sns:CheckIfPhoneNumberIsOptedOut", ANY)]
    raise Unmapped(f"sns.{operation}")


def stepfunctions(operation: str, params: dict) -> list[Request]:
    if operation == "StartExecution":
        return [Request("states:StartExecution", ("state-machine", params["stateMachineArn"]))]
    if operation in ("StopExecution", "DescribeExecution"):
        return [Request(f"states:{operation}", ("execution", params["executionArn"]))]
    raise Unmapped(f"stepfunctions.{operation}")


def ssm(operation: str, params: dict) -> list[Request]:
    # SecureStrings under the AWS managed key aws/ssm need no kms grant: its key policy lets SSM use it
    if operation == "GetParameter":
        return [Request("ssm:GetParameter", ("parameter", params["Name"]))]
    if operation == "GetParameters":
        return [Request("ssm:GetParameters", ("parameter", name)) for name in params["Names"]]
    raise Unmapped(f"ssm.{operation}")


COGNITO_ADMINISTRATION = ("ListUsersInGroup", "AdminGetUser", "AdminCreateUser", "AdminAddUserToGroup",
                          "AdminRemoveUserFromGroup", "AdminListGroupsForUser", "AdminUpdateUserAttributes",
                          "AdminDeleteUserAttributes", "AdminDisableUser", "ListUsers")


def cognito_idp(operation: str, params: dict) -> list[Request]:
    # each on the user pool (arn:...:cognito-idp:<region>:<account>:userpool/<id>), the action named as the operation
    if operation in COGNITO_ADMINISTRATION:
        return [Request(f"cognito-idp:{operation}", ("user-pool", params["UserPoolId"]))]
    raise Unmapped(f"cognito-idp.{operation}")


SERVICES = {"dynamodb": dynamodb, "s3": s3, "sqs": sqs, "sns": sns, "stepfunctions": stepfunctions, "ssm": ssm, "cognito-idp": cognito_idp}

# Step Functions service integrations (the timer's Task states): the IAM action the state machine's role needs
# and the Task parameter that names the resource (Step Functions developer guide, "IAM policies for integrated
# services").
INTEGRATIONS = {"sqs:sendMessage": ("sqs:SendMessage", "QueueUrl", "queue")}


def requests_of(service: str, operation: str, params: dict) -> list[Request]:
    if service not in SERVICES:
        raise Unmapped(f"{service}.{operation}")
    return SERVICES[service](operation, params)
