"""One Gridloop deployment (a county, or a whole prefecture) as a CDK stack.

Every definition comes from the app's single sources: tables from chalicelib/adapters/models.py, queues and
names from chalicelib/resources.py, the functions from chalicelib/entrypoints.py, the variables that carry the
resources to the app from chalicelib/environment.py, the timer state machine from chalicelib/timer.asl.json, roles
from chalicelib/domain/roles.py, metric names from chalicelib/metrics.py; the region, the token issuer, the domain
and the edge limits from the county configuration's `deployment:` block. The app's modules are imported once, as
they are: every name is computed from the county's prefix (`resources.Names`, `models.table_name`). No ARN names
a partition: the stack synthesises for `aws` and `aws-cn` alike (the China regions get no user pool and a
REGIONAL API; infra/edge.py).
"""
from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import (ArnFormat, Aws, Duration, Fn, RemovalPolicy, Stack, aws_apigateway as apigateway,
                     aws_cognito as cognito, aws_dynamodb as dynamodb,
                     aws_iam as iam, aws_kms as kms, aws_logs as logs, aws_s3 as s3, aws_s3_notifications as s3n,
                     aws_sns as sns, aws_sqs as sqs, aws_stepfunctions as sfn)
from constructs import Construct

from chalicelib import environment, resources
from chalicelib.adapters import models, secrets
from chalicelib.county_deployment import LOG_RETENTION_DAYS
from chalicelib.domain import access, photos as photo_keys, roles
from chalicelib.entrypoints import API_HANDLER, FUNCTIONS, OUTBOX_RELAY, WORK_WORKER
from infra import alarms, console, edge
from infra.functions import logical_id
from infra.lambda_package import slim_chalice

ROOT = Path(__file__).resolve().parent.parent
API_STAGE = "api"   # the stage Chalice deploys the REST API to
SNS_MANAGED_KEY = "alias/aws/sns"   # SNS's AWS managed key: free, and its key policy lets SNS use it for the account
GET, BATCH_GET, QUERY, PUT, UPDATE, DELETE, BATCH_WRITE = (f"dynamodb:{a}" for a in (
    "GetItem", "BatchGetItem", "Query", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"))
USER_ADMINISTRATION = ("ListUsersInGroup", "AdminGetUser", "AdminCreateUser", "AdminAddUserToGroup",
                       "AdminRemoveUserFromGroup", "AdminListGroupsForUser", "AdminUpdateUserAttributes",
                       "AdminDeleteUserAttributes", "AdminDisableUser")
JURISDICTION_ATTRIBUTES = access.PLACE_ATTRIBUTES   # custom:<name> in the user pool (chalicelib/auth.py)


def _allow(role, actions: list[str], resources: list[str]) -> None:
    role.add_to_policy(iam.PolicyStatement(actions=actions, resources=resources))


def _attribute_type(attribute) -> dynamodb.AttributeType:
    return dynamodb.AttributeType.NUMBER if attribute.attr_type == "N" else dynamodb.AttributeType.STRING


def _keys(attributes) -> tuple:
    hash_key = next(a for a in attributes.values() if getattr(a, "is_hash_key", False))
    range_key = next((a for a in attributes.values() if getattr(a, "is_range_key", False)), None)
    return hash_key, range_key


class GridloopStack(Stack):
    def __init__(self, scope: Construct, stage: str, *, county: str, config, **kwargs):
        super().__init__(scope, stage, **kwargs)   # the construct id is the Chalice stage (notes: pitfalls)
        names = resources.Names.of_county(county)
        prefix = names.prefix
        self.deployment = config.spec.deployment
        self.county = county

        # No customer-managed KMS key ($1 a month, more after rotations): no personal data passes either topic
        # (docs/security.md, "Topics"). Supervision alerts (case number, category, place names from the county
        # file) are encrypted with SNS's own AWS managed key; alarm notifications (alarm name, state, metric) go
        # to an unencrypted topic, as CloudWatch cannot publish to one under an AWS managed key. Both TLS only.
        self.alerts_topic = sns.Topic(self, "AlertsTopic", topic_name=names.alerts_topic, enforce_ssl=True,
                                      master_key=kms.Alias.from_alias_name(self, "SnsManagedKey", SNS_MANAGED_KEY))
        self.oncall_topic = sns.Topic(self, "OnCallTopic", topic_name=f"{prefix}oncall", enforce_ssl=True)

        self.tables = {}
        for model in models.ALL_MODELS:
            self.tables[model] = self._table(model, models.table_name(model, prefix),
                                             models.TTL_ATTRIBUTES.get(model))

        self.queues, self.dlqs = {}, {}
        for spec in resources.QUEUES:
            dlq = sqs.Queue(self, f"{spec.key.title()}Dlq", queue_name=names.dead_letter_queue(spec),
                            enforce_ssl=True, encryption=sqs.QueueEncryption.SQS_MANAGED,
                            retention_period=Duration.days(14))
            self.dlqs[spec.key] = dlq
            self.queues[spec.key] = sqs.Queue(
                self, f"{spec.key.title()}Queue", queue_name=names.queue(spec), enforce_ssl=True,
                encryption=sqs.QueueEncryption.SQS_MANAGED, visibility_timeout=Duration.seconds(spec.visibility_timeout),
                dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=spec.max_receive_count))

        access_logs = s3.Bucket(self, "AccessLogs", block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
                                encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=True,
                                object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
                                removal_policy=RemovalPolicy.RETAIN)
        self.photos = s3.Bucket(self, "Photos", bucket_name=None, block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
                                encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=True, versioned=True,
                                server_access_logs_bucket=access_logs, server_access_logs_prefix="photos/",
                                removal_policy=RemovalPolicy.RETAIN, lifecycle_rules=photo_lifecycle(),
                                cors=photo_upload_cors(self.deployment.cors_origins))
        work = self.queues[resources.WORK.key]   # one queue for the three kinds of work (resources.py)
        self.photos.add_event_notification(s3.EventType.OBJECT_CREATED, s3n.SqsDestination(work),
                                           s3.NotificationKeyFilter(prefix=photo_keys.INCOMING))

        timer_logs = logs.LogGroup(self, "TimerLogs", retention=self._log_retention(),
                                   removal_policy=RemovalPolicy.RETAIN)
        self.timer = sfn.StateMachine(
            self, "Timer", state_machine_name=names.timer_state_machine,
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_string(resources.TIMER_ASL.read_text()), tracing_enabled=True,
            definition_substitutions={"Partition": Aws.PARTITION},
            logs=sfn.LogOptions(destination=timer_logs, level=sfn.LogLevel.ALL, include_execution_data=False))
        self.timer.add_to_role_policy(iam.PolicyStatement(   # the timer's one Task, SendNotice (timer.asl.json)
            actions=["sqs:SendMessage"], resources=[work.queue_arn]))

        cognito_spec = self.deployment.auth.cognito   # None: an external OIDC issuer (no user pool; e.g. China)
        self.user_pool = self._user_pool(prefix, cognito_spec) if cognito_spec else None

        self.function_roles = {name: iam.Role(self, f"{name.title().replace('_', '')}Role",
                                              assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
                               for name in FUNCTIONS}
        self._grant(resources.WORK.key, config.spec.notifications.sms)
        self.chalice = self._chalice(stage, county, names)
        self._report_batch_item_failures()
        self._api_logging_and_throttling()
        edge.build(self, prefix)
        console.build(self, county)   # compression, the user pool's sign-in domain (infra/console.py)
        self._function_log_groups()
        alarms.alarms_and_dashboard(self, names)

    # -- pieces ------------------------------------------------------------------------------------
    def _log_retention(self) -> logs.RetentionDays:
        """The county's `deployment.log_retention_days` as CDK names it (its members are in the same order)."""
        finite = [m for m in logs.RetentionDays if m is not logs.RetentionDays.INFINITE]
        return dict(zip(LOG_RETENTION_DAYS, finite, strict=True))[self.deployment.log_retention_days]

    def _function_log_groups(self) -> None:
        """Every function's log group made by the stack with the county's retention: one Lambda creates itself
        never expires. The function waits for its group (else its first run would create it first)."""
        for name, function_name in self.function_names.items():
            group = logs.LogGroup(self, f"{logical_id(name)}Logs", log_group_name=f"/aws/lambda/{function_name}",
                                  retention=self._log_retention(), removal_policy=RemovalPolicy.RETAIN)
            self.chalice.get_resource(logical_id(name)).add_dependency(group.node.default_child)
        for child in self.node.children:    # CDK's own handler that configures the bucket's notifications
            if child.node.id.startswith("BucketNotificationsHandler"):
                handler = child.node.default_child
                logs.LogGroup(self, "BucketNotificationsHandlerLogs", retention=self._log_retention(),
                              removal_policy=RemovalPolicy.RETAIN,
                              log_group_name=Fn.join("", ["/aws/lambda/", handler.ref]))

    def _table(self, model, name: str, ttl: str | None) -> dynamodb.Table:
        attributes = model.get_attributes()
        hash_key, range_key = _keys(attributes)
        table = dynamodb.Table(
            self, f"{model.__name__}Table", table_name=name,
            partition_key=dynamodb.Attribute(name=hash_key.attr_name, type=_attribute_type(hash_key)),
            sort_key=dynamodb.Attribute(name=range_key.attr_name, type=_attribute_type(range_key)) if range_key else None,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True),
            deletion_protection=True, removal_policy=RemovalPolicy.RETAIN,
            encryption=dynamodb.TableEncryption.AWS_MANAGED, time_to_live_attribute=ttl)
        for index in model._indexes.values():
            index_keys = {a.attr_name: a for a in index.Meta.attributes.values()}
            i_hash, i_range = _keys(index_keys)
            projection = index.Meta.projection
            kwargs = {}
            if projection.projection_type == "INCLUDE":
                kwargs = {"projection_type": dynamodb.ProjectionType.INCLUDE,
                          "non_key_attributes": projection.non_key_attributes}
            elif projection.projection_type == "KEYS_ONLY":
                kwargs = {"projection_type": dynamodb.ProjectionType.KEYS_ONLY}
            table.add_global_secondary_index(
                index_name=index.Meta.index_name,
                partition_key=dynamodb.Attribute(name=i_hash.attr_name, type=_attribute_type(i_hash)),
                sort_key=dynamodb.Attribute(name=i_range.attr_name, type=_attribute_type(i_range)) if i_range else None,
                **kwargs)
        return table

    def _user_pool(self, prefix: str, spec) -> cognito.UserPool:
        pool = cognito.UserPool(
            self, "Users", user_pool_name=f"{prefix}users", self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(username=True),
            mfa=cognito.Mfa.REQUIRED, mfa_second_factor=cognito.MfaSecondFactor(sms=False, otp=True),
            password_policy=cognito.PasswordPolicy(min_length=12, require_digits=True, require_lowercase=True,
                                                   require_uppercase=True, require_symbols=True),
            account_recovery=cognito.AccountRecovery.NONE,
            custom_attributes={name: cognito.StringAttribute(min_len=1, max_len=100, mutable=True)   # admins move people
                               for name in JURISDICTION_ATTRIBUTES},
            removal_policy=RemovalPolicy.RETAIN)
        for role in roles.ALL_ROLES:
            cognito.CfnUserPoolGroup(self, f"Group{role.title().replace('_', '')}", user_pool_id=pool.user_pool_id,
                                     group_name=role)
        # The API trusts `custom:*` for place and the groups for role: no user may write either about themselves
        # (without write_attributes Cognito lets a user's own access token rewrite every mutable attribute).
        # The console signs in with the authorization code flow (a public client: PKCE, no secret, no implicit).
        self.client = pool.add_client(
            "AppClient", auth_flows=cognito.AuthFlow(user_srp=True), generate_secret=False,
            id_token_validity=Duration.hours(8), prevent_user_existence_errors=True, enable_token_revocation=True,
            # each refresh hands the phone a new refresh token and spends the old one (a short grace for a retry)
            refresh_token_rotation_grace_period=Duration.seconds(10),
            read_attributes=cognito.ClientAttributes().with_standard_attributes(fullname=True, locale=True)
            .with_custom_attributes(*JURISDICTION_ATTRIBUTES),
            write_attributes=cognito.ClientAttributes().with_standard_attributes(locale=True),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            o_auth=cognito.OAuthSettings(flows=cognito.OAuthFlows(authorization_code_grant=True),
                                         scopes=[cognito.OAuthScope.OPENID, cognito.OAuthScope.PROFILE],
                                         callback_urls=list(spec.callback_urls), logout_urls=list(spec.logout_urls)))
        return pool

    def _grant(self, work: str, sms: bool) -> None:
        """Least privilege: each function gets the actions its code paths call, on the resources they touch.

        The integration and e2e tiers check every AWS call each function makes against these grants, and a run
        of both tiers fails on a grant no call used (support/grants.py, docs/security.md). Each grant below
        names the code path that needs it.
        """
        r = self.function_roles
        for function, tables in _table_rights(models).items():
            for model, (on_table, on_indexes) in tables.items():
                table = self.tables[model]
                if on_table:
                    _allow(r[function], list(on_table), [table.table_arn])
                if on_indexes:
                    _allow(r[function], list(on_indexes), [f"{table.table_arn}/index/*"])
        # outbox effects after a commit (adapters/outbox.AwsCarrier): the API's and the relay's start and stop
        # timers; the worker's changes only ever stop them (an auto-close ends the evaluation timer)
        for name in (API_HANDLER, OUTBOX_RELAY):
            self._timer_rights(r[name], start=True)
        self._timer_rights(r[WORK_WORKER], start=False)
        for name in FUNCTIONS:   # NOTIFY effects: onto the work queue
            _allow(r[name], ["sqs:SendMessage"], [self.queues[work].queue_arn])
        # photos (adapters/photo_store): the API signs the upload form and the view URL; the worker reads and
        # deletes the upload and copies it to photos/ or quarantine/
        _allow(r[API_HANDLER], ["s3:PutObject"], [self.photos.arn_for_objects(photo_keys.INCOMING + "*")])
        _allow(r[API_HANDLER], ["s3:GetObject"], [self.photos.arn_for_objects(photo_keys.STORED + "*")])
        _allow(r[WORK_WORKER], ["s3:GetObject", "s3:DeleteObject"],
               [self.photos.arn_for_objects(photo_keys.INCOMING + "*")])
        _allow(r[WORK_WORKER], ["s3:PutObject"], [self.photos.arn_for_objects(photo_keys.STORED + "*"),
                                                  self.photos.arn_for_objects(photo_keys.QUARANTINE + "*")])
        # users (adapters/cognito_users): the administrator lists, creates, places and disables the pool's users
        if self.user_pool is not None:
            _allow(r[API_HANDLER], [f"cognito-idp:{a}" for a in USER_ADMINISTRATION],
                   [self.user_pool.user_pool_arn])
        # notifications (adapters/notifier): supervision alerts to the alerts topic ...
        self.alerts_topic.grant_publish(r[WORK_WORKER])
        if sms:   # ... and SMS to residents where the county switches it on: a phone number has no ARN
            _allow(r[WORK_WORKER], ["sns:Publish", "sns:CheckIfPhoneNumberIsOptedOut"], ["*"])
        _allow(r[WORK_WORKER], ["sqs:SendMessage"], [self.dlqs[work].queue_arn])   # workers._dead_letter
        _allow(r[WORK_WORKER], ["ssm:GetParameter"], [self.format_arn(   # adapters/secrets: DingTalk robots
            service="ssm", resource="parameter", resource_name=secrets.parameter_name("*", self.county).lstrip("/"))])
        for spec in resources.QUEUES:
            # Lambda's event source mapping polls with the function's role; the worker sets a failed record's
            # retry delay itself (workers._retry_later)
            _allow(r[spec.consumer], ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                                      "sqs:ChangeMessageVisibility"], [self.queues[spec.key].queue_arn])

    def _log_rights(self, role, function_name: str) -> None:
        """The Lambda runtime writes the function's logs with its role: its own log group only."""
        group = self.format_arn(service="logs", resource="log-group", resource_name=f"/aws/lambda/{function_name}",
                                arn_format=ArnFormat.COLON_RESOURCE_NAME)
        _allow(role, ["logs:CreateLogGroup"], [group])
        _allow(role, ["logs:CreateLogStream", "logs:PutLogEvents"], [f"{group}:log-stream:*"])

    def _timer_rights(self, role, start: bool) -> None:
        if start:
            _allow(role, ["states:StartExecution"], [self.timer.state_machine_arn])
        _allow(role, ["states:StopExecution"], [self.format_arn(
            service="states", resource="execution", resource_name=f"{self.timer.state_machine_name}:*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME)])

    def _chalice(self, stage: str, county: str, names: resources.Names):
        env = {**resources.LAMBDA_STATIC_ENVIRONMENT,
               **environment.deployment_variables(stage=stage, county=county, prefix=names.prefix),
               **environment.resource_variables(
                   timer_state_machine_arn=self.timer.state_machine_arn, photos_bucket=self.photos.bucket_name,
                   alerts_topic_arn=self.alerts_topic.topic_arn,
                   queues={spec.key: (self.queues[spec.key].queue_url, self.queues[spec.key].queue_arn,
                                      self.dlqs[spec.key].queue_url) for spec in resources.QUEUES})}
        if self.user_pool is not None:   # known only once deployed; an external issuer is read from the config
            env[environment.USER_POOL_ID] = self.user_pool.user_pool_id
            issuer = f"https://cognito-idp.{self.region}.{self.url_suffix}/{self.user_pool.user_pool_id}"
            env.update(environment.issuer_variables(issuer=issuer, audience=self.client.user_pool_client_id,
                                                    jwks_url=f"{issuer}/.well-known/jwks.json"))
        # Chalice's construct takes stage settings as top-level parameters, which outrank its per-function
        # settings: hand it one role so it makes none, then give each function its own role below.
        stage_config = {"environment_variables": env, "manage_iam_role": False,
                        "iam_role_arn": self.function_roles[API_HANDLER].role_arn,
                        "lambda_timeout": resources.LAMBDA_TIMEOUT_SECONDS,
                        "lambda_memory_size": resources.LAMBDA_MEMORY_MB,
                        "api_gateway_endpoint_type": self.deployment.endpoint_type}
        # `chalice package`'s zips without what the Lambda runtime provides (botocore...): the rule the
        # deployed-size benchmark measures; packaged by a child interpreter in the county's region
        # (infra/lambda_package.py)
        chalice = slim_chalice(self, "Api", region=self.deployment.region, source_dir=str(ROOT),
                               stage_config=stage_config)
        chalice.get_resource("RestAPI").add_property_override("Name", names.deployment)   # not the app's name
        self.function_names = {}
        for name, role in self.function_roles.items():
            function = chalice.get_resource(logical_id(name))
            function.add_property_override("Role", role.role_arn)
            self.function_names[name] = names.function(name)
            function.add_property_override("FunctionName", self.function_names[name])   # names its log group
            self._log_rights(role, self.function_names[name])
            # an SQS event source is created only if the role may already poll the queue
            function.node.add_dependency(role.node.find_child("DefaultPolicy"))
        return chalice

    def _api_logging_and_throttling(self) -> None:
        """Access logs, execution logs for errors, metrics and throttling on the API stage Chalice creates."""
        access = self.api_access_logs = logs.LogGroup(self, "ApiAccessLogs", retention=self._log_retention(),
                                                      removal_policy=RemovalPolicy.RETAIN)
        # the execution log group API Gateway would otherwise create itself, kept forever
        logs.LogGroup(self, "ApiExecutionLogs", retention=self._log_retention(), removal_policy=RemovalPolicy.RETAIN,
                      log_group_name=Fn.sub("API-Gateway-Execution-Logs_${RestAPI}/${Stage}",
                                            {"Stage": API_STAGE}))
        cloudwatch_role = iam.Role(self, "ApiGatewayLogsRole",
                                   assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"))
        cloudwatch_role.add_to_policy(iam.PolicyStatement(
            actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups",
                     "logs:DescribeLogStreams", "logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents"],
            resources=[self.format_arn(service="logs", resource="log-group", resource_name="*",
                                       arn_format=ArnFormat.COLON_RESOURCE_NAME)]))
        account = apigateway.CfnAccount(self, "ApiGatewayAccount", cloud_watch_role_arn=cloudwatch_role.role_arn)
        api = self.chalice.get_resource("RestAPI")
        api.add_property_override("AccessLogSetting", {
            "DestinationArn": access.log_group_arn,
            # responseType names API Gateway's own answers (THROTTLED, MISSING_AUTHENTICATION_TOKEN, WAF_FILTERED…)
            "Format": json.dumps({"requestId": "$context.requestId", "ip": "$context.identity.sourceIp",
                                  "time": "$context.requestTime", "method": "$context.httpMethod",
                                  "path": "$context.resourcePath", "status": "$context.status",
                                  "responseType": "$context.error.responseType",
                                  "latency": "$context.responseLatency"})})
        api.add_property_override("MethodSettings", edge.method_settings(self.deployment.throttles))
        api.add_dependency(account)

    def _report_batch_item_failures(self) -> None:
        """Chalice's SQS event sources leave partial batch replies off: switch them on."""
        for spec in resources.QUEUES:
            logical = logical_id(spec.consumer)
            self.chalice.get_resource(logical).add_property_override(
                f"Events.{logical}SqsEventSource.Properties.FunctionResponseTypes", ["ReportBatchItemFailures"])


def _table_rights(m) -> dict:
    """function -> model -> (actions on the table, actions on its indexes). A transaction's Put and Update items
    need PutItem and UpdateItem on their tables; a Query on an index is authorised on the index."""
    return {
        API_HANDLER: {
            # the unit of work (adapters/unit_of_work): one BatchGetItem of cases, idempotency record, sequences,
            # households and API keys; one TransactWriteItems of Puts (cases, timeline, links, outbox, households,
            # visits, sequences, idempotency) and counter Updates; lists and duplicates by index
            m.CaseItem: ((GET, BATCH_GET, PUT), (QUERY,)),       # GetItem: a case read alone (cases.get)
            m.TimelineItem: ((QUERY, PUT), ()),
            m.AssignmentItem: ((QUERY, PUT), (QUERY,)),          # a department's inbox, by status on the index
            m.IdempotencyItem: ((GET, BATCH_GET, PUT), ()),      # GetItem: replaying a twin request's result
            m.CounterItem: ((BATCH_GET, PUT, UPDATE), ()),       # case numbers; points caps, reversals, earnings
            m.HouseholdItem: ((BATCH_GET, PUT), (QUERY,)),
            m.OutboxItem: ((PUT, BATCH_WRITE), ()),              # BatchWriteItem: effects marked done
            m.StatItem: ((BATCH_GET, UPDATE), ()),
            m.ScorecardItem: ((BATCH_GET, UPDATE), ()),
            m.VisitItem: ((PUT,), (QUERY,)),
            # points, stock and API keys go through the same unit of work
            m.LedgerItem: ((BATCH_GET, QUERY, PUT), ()),
            m.StockItem: ((BATCH_GET, UPDATE), ()),
            m.OrderItem: ((PUT,), ()),
            m.ApiKeyItem: ((BATCH_GET, PUT, UPDATE), (QUERY,)),  # issue, revoke, list; an Open311 POST reads its key
            m.AccessLogItem: ((PUT, QUERY), (QUERY,)),           # every unmasked contacts read (PIPL); the admin's view
        },
        WORK_WORKER: {
            # deadline notices and photo uploads: the unit of work (read, one transaction), its effects marked done
            m.CaseItem: ((GET, BATCH_GET, PUT), ()),             # GetItem: an SMS reads the resident's phone
            m.TimelineItem: ((PUT,), ()),
            m.AssignmentItem: ((PUT,), ()),
            m.OutboxItem: ((PUT, BATCH_WRITE), ()),
            m.StatItem: ((UPDATE,), ()),                         # overdue, not evaluated (auto-close)
            # notifications: Powertools Idempotency (in progress, completed; deleted when the delivery fails)
            m.WorkerIdempotencyItem: ((PUT, UPDATE, DELETE), ()),
        },
        OUTBOX_RELAY: {
            m.OutboxItem: ((BATCH_GET, BATCH_WRITE), (QUERY,)),  # pending items by index, read, marked done
        },
    }


def photo_lifecycle() -> list:
    """What storage photos use over time (docs/performance.md: a year in S3 Standard was half a case's cost).

    Accepted photos move to Glacier Instant Retrieval after 30 days (still served in milliseconds, a fifth of
    the storage price; viewed rarely once a case is closed). Uploads are moved out of incoming/ by the worker:
    on this versioned bucket the deleted originals would stay as noncurrent versions, so they expire after a
    day, as do uploads never processed (a week) and unfinished multipart uploads.
    """
    return [
        s3.LifecycleRule(id="photos-to-glacier-ir", prefix=photo_keys.STORED, transitions=[s3.Transition(
            storage_class=s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transition_after=Duration.days(30))]),
        s3.LifecycleRule(id="incoming-cleanup", prefix=photo_keys.INCOMING, expiration=Duration.days(7),
                         noncurrent_version_expiration=Duration.days(1)),
        s3.LifecycleRule(id="quarantine-cleanup", prefix=photo_keys.QUARANTINE, expiration=Duration.days(90),
                         noncurrent_version_expiration=Duration.days(1)),
        s3.LifecycleRule(id="abort-multipart", abort_incomplete_multipart_upload_after=Duration.days(1)),
    ]


def photo_upload_cors(origins: list[str]) -> list[s3.CorsRule] | None:
    """Browsers of these origins (the web console) may POST a presigned upload form and read the answer."""
    if not origins:
        return None
    return [s3.CorsRule(id="presigned-post-uploads", allowed_methods=[s3.HttpMethods.POST],
                        allowed_origins=list(origins), allowed_headers=["content-type"], max_age=3600)]

