"""cdk-nag's AwsSolutions checks, and the findings this stack accepts — each with its reason."""
from __future__ import annotations

import aws_cdk as cdk

IAM5 = "AwsSolutions::AwsSolutions-IAM5"
# (construct path inside the stack, finding, reason). A finding not listed here fails `make test`.
ACKNOWLEDGED = [
    ("Users", "AwsSolutions::AwsSolutions-COG8",
     "The Cognito Plus feature plan (threat protection) is not offered in every region this stack targets "
     "(AWS China has no user pools at all); MFA with TOTP is required instead."),
    ("Timer", f"{IAM5}[Resource::*]",
     "CDK's grants for X-Ray tracing and CloudWatch Logs delivery: those APIs have no resource-level permissions."),
    ("BucketNotificationsHandler050a0587b7544547bf325f094a3db834", "AwsSolutions::AwsSolutions-IAM4"
     "[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
     "CDK's own custom resource that configures the bucket notification; it only writes its logs."),
    ("WorkWorkerRole", f"{IAM5}[Resource::*]",
     "sns:Publish to a phone number (SMS) and sns:CheckIfPhoneNumberIsOptedOut have no resource ARN."),
    ("ApiGatewayLogsRole", f"{IAM5}[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:*]",
     "API Gateway's account-wide logging role writes the execution log groups API Gateway itself names."),
    ("OnCallTopic", "AwsSolutions::AwsSolutions-SNS2",
     "Alarm notifications only (alarm name, state, metric): no personal data. CloudWatch cannot publish to a topic "
     "under the AWS managed key, and a customer-managed key is a fixed monthly cost (docs/security.md, Topics)."),
]
# Findings on the API Gateway and Lambda resources that only exist after SAM expansion (cdk-nag skips
# AWS::Serverless::*): rule -> reason.
SAM_ACKNOWLEDGED = {
    "AwsSolutions-L1": "The project fixes Python 3.11 (Chalice 1.34 and the pinned wheels target it); the runtime "
                       "moves with a planned upgrade, not silently.",
    "AwsSolutions-APIG2": "Every request body is validated in the app (pydantic), which answers 400 naming each "
                          "field in the API's one error shape; API Gateway models would duplicate the schemas.",
    "AwsSolutions-APIG3": "AWS WAF is a per-deployment switch (deployment.waf in the county config: a web ACL is "
                          "a fixed monthly cost); API Gateway throttling is always on (deployment.throttles).",
    "AwsSolutions-APIG4": "Authorisation is the app's one HTTP middleware verifying Cognito/OIDC tokens "
                          ": a custom authorizer cannot answer 401 under chalice local.",
    "AwsSolutions-COG4": "Tokens of the deployment's user pool are verified in the app's middleware (see APIG4).",
}
ENV = "arn:<AWS::Partition>:{service}:<AWS::Region>:<AWS::AccountId>:"
ROLES = ("ApiHandlerRole", "WorkWorkerRole", "OutboxRelayRole")


def _wildcards(stack) -> list[tuple[str, str]]:
    """The function roles' wildcard resources, named as cdk-nag names them, each with its reason."""
    from chalicelib.adapters.secrets import parameter_name
    lid = stack.get_logical_id
    photos = lid(stack.photos.node.default_child)
    out = [(f"{IAM5}[Resource::<{lid(t.node.default_child)}.Arn>/index/*]",
            "Queries read the table's GSIs; index ARNs are table/index/<name>.") for t in stack.tables.values()]
    out += [(f"{IAM5}[Resource::{ENV.format(service='states')}execution:<{lid(stack.timer.node.default_child)}.Name>:*]",
             "Timers are stopped by name: executions of this one state machine, one per case stage."),
            (f"{IAM5}[Resource::<{photos}.Arn>/incoming/*]", "Uploads are per-case object keys under one prefix."),
            (f"{IAM5}[Resource::<{photos}.Arn>/photos/*]", "Attached photos are per-case keys under one prefix."),
            (f"{IAM5}[Resource::<{photos}.Arn>/quarantine/*]", "Rejected uploads are per-case keys under one prefix."),
            *((f"{IAM5}[Resource::{ENV.format(service='logs')}log-group:/aws/lambda/{name}:log-stream:*]",
               "The Lambda runtime writes one stream per container into the function's own log group.")
              for name in stack.function_names.values()),
            (f"{IAM5}[Resource::{ENV.format(service='ssm')}parameter{parameter_name('*', stack.county)}]",
             "One DingTalk robot parameter per department under the deployment's own path.")]
    return out


def check(app: cdk.App, stack: cdk.Stack) -> None:
    """Run AwsSolutions over the app, acknowledging the accepted findings on their constructs."""
    from cdk_nag import AwsSolutionsChecks
    # the stack's region is the county's (a literal in its ARNs), not <AWS::Region>
    region = "<AWS::Region>" if cdk.Token.is_unresolved(stack.region) else stack.region

    def here(rule: str) -> str:
        return rule.replace("<AWS::Region>", region)

    for path, rule, reason in ACKNOWLEDGED:
        construct = stack.node.try_find_child(path)   # e.g. no user pool where an external issuer is trusted
        if construct is not None:
            cdk.Validations.of(construct).acknowledge(cdk.Acknowledgment(id=here(rule), reason=reason))
    for role in ROLES:
        cdk.Validations.of(stack.node.find_child(role)).acknowledge(
            *[cdk.Acknowledgment(id=here(rule), reason=reason) for rule, reason in _wildcards(stack)])
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))


def check_expanded(expanded: dict, outdir: str) -> list[str]:
    """cdk-nag over the SAM-expanded template: the unacknowledged findings on Lambda and API Gateway resources."""
    import json
    from pathlib import Path

    from aws_cdk import cloudformation_include
    from cdk_nag import AwsSolutionsChecks

    template = dict(expanded)
    template.pop("Transform", None)
    template.get("Parameters", {}).pop("BootstrapVersion", None)
    template.get("Rules", {}).pop("CheckBootstrapVersion", None)
    path = Path(outdir) / "expanded.json"
    path.write_text(json.dumps(template))
    app = cdk.App(outdir=str(Path(outdir) / "out"))
    stack = cdk.Stack(app, "expanded", synthesizer=cdk.LegacyStackSynthesizer())
    cloudformation_include.CfnInclude(stack, "Template", template_file=str(path))
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    try:
        app.synth()
    except Exception:  # noqa: BLE001  (validation failures are read from the report below)
        pass
    report = json.loads((Path(outdir) / "out" / "validation-report.json").read_text())
    types = {k: v["Type"] for k, v in template["Resources"].items()}
    found = []
    for plugin in report.get("pluginReports", []):
        for violation in plugin.get("violations", []):
            rule = violation["ruleName"].split("[")[0]
            for construct in violation.get("violatingConstructs", []):
                logical = construct.get("constructPath", "").split("/")[2:3]
                kind = types.get(logical[0], "") if logical else ""
                if kind.startswith(("AWS::Lambda::", "AWS::ApiGateway::")) and rule not in SAM_ACKNOWLEDGED:
                    found.append(f"{violation['ruleName']} on {logical[0]}")
    return found
