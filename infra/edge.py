"""The API's edge: what API Gateway answers itself, its throttles, the county's domain, the optional web
firewall and the API function's reserved concurrency, all from the county configuration's `deployment:` block.

- Gateway Responses: API Gateway's own answers in the API's error shape (chalicelib/api/gateway_answers.py).
- Throttles: the stage's default is the staff routes' limit; every public route (Open311, the points ranking,
  health, the OpenAPI document: the route registry's `public=True`) gets the lower public limit.
- Domain: an API Gateway custom domain mapped to the stage at its root, REGIONAL in the China regions (no
  edge-optimized APIs there) with an IAM server certificate, EDGE elsewhere with an ACM certificate. One origin
  for the API and the web console, which the API serves itself (docs/deploy.md, "One domain"); the default
  execute-api address is switched off, so the domain is the only way in.
- WAF (optional): a regional web ACL with one per-IP rate rule, associated with the stage.
- Reserved concurrency (optional) for the API function, so a flood cannot take the worker's concurrency.
"""
from __future__ import annotations

import importlib

from aws_cdk import Fn, aws_wafv2 as wafv2


def build(stack, prefix: str) -> None:
    deployment = stack.deployment
    api = stack.chalice.get_resource("RestAPI")
    api.add_property_override("GatewayResponses", gateway_responses())
    if deployment.domain:
        api.add_property_override("Domain", {
            "DomainName": deployment.domain.name, "CertificateArn": deployment.domain.certificate_arn,
            "EndpointConfiguration": deployment.endpoint_type, "SecurityPolicy": "TLS_1_2"})
        # one way in: the default execute-api address would bypass the domain's firewall and its certificate
        api.add_property_override("DisableExecuteApiEndpoint", True)
    if deployment.waf.enabled:
        _firewall(stack, prefix, deployment.waf.requests_per_ip_per_5_minutes)
    if deployment.api_reserved_concurrency:
        stack.chalice.get_resource("APIHandler").add_property_override(
            "ReservedConcurrentExecutions", deployment.api_reserved_concurrency)


def gateway_responses() -> dict:
    """SAM's GatewayResponses (x-amazon-apigateway-gateway-responses): deployed with the API's definition."""
    from chalicelib.api.gateway_answers import GATEWAY_RESPONSES
    responses = {}
    for kind, answer in GATEWAY_RESPONSES.items():
        response = {"ResponseTemplates": {"application/json": answer.body()},
                    "ResponseParameters": {"Headers": {"Content-Type": "'application/json'"}}}
        if answer.retry_after_seconds:
            response["ResponseParameters"]["Headers"]["Retry-After"] = f"'{answer.retry_after_seconds}'"
        if answer.status is not None:
            response["StatusCode"] = str(answer.status)
        responses[kind] = response
    return responses


def public_routes() -> list[tuple[str, str]]:
    """(path, method) of every public route, from the app's own route registry."""
    importlib.import_module("app")               # registers every blueprint's routes
    from chalicelib.api.http import public_paths
    return sorted(public_paths())


def method_settings(throttles) -> list[dict]:
    """Stage-wide: the staff limit; each public route: the lower public limit (method settings override the
    stage's). Execution logs for errors everywhere, never request bodies (personal data). No method-level
    metrics: CloudWatch bills them as custom metrics per route and method, no alarm reads them, and the access
    log has every request's route, status and latency (the per-route figures come from there)."""
    logging = {"LoggingLevel": "ERROR", "MetricsEnabled": False, "DataTraceEnabled": False}
    settings = [{"ResourcePath": "/*", "HttpMethod": "*", **logging,
                 "ThrottlingBurstLimit": throttles.staff.burst, "ThrottlingRateLimit": throttles.staff.rate}]
    for path, method in public_routes():
        settings.append({"ResourcePath": "/" + path.replace("/", "~1"), "HttpMethod": method,
                         **logging, "ThrottlingBurstLimit": throttles.public.burst,
                         "ThrottlingRateLimit": throttles.public.rate})
    return settings


def _firewall(stack, prefix: str, limit: int) -> None:
    from chalicelib.api.gateway_answers import THROTTLED

    def visibility(name):
        return wafv2.CfnWebACL.VisibilityConfigProperty(cloud_watch_metrics_enabled=True, metric_name=name,
                                                        sampled_requests_enabled=True)

    acl = wafv2.CfnWebACL(
        stack, "ApiFirewall", name=f"{prefix}api", scope="REGIONAL", default_action={"allow": {}},
        visibility_config=visibility(f"{prefix}api"),
        custom_response_bodies={"throttled": {"contentType": "APPLICATION_JSON", "content": THROTTLED.body()}},
        rules=[wafv2.CfnWebACL.RuleProperty(
            name="per-ip-rate", priority=0, visibility_config=visibility(f"{prefix}api-per-ip-rate"),
            statement={"rateBasedStatement": {"limit": limit, "aggregateKeyType": "IP"}},
            action={"block": {"customResponse": {
                "responseCode": THROTTLED.status, "customResponseBodyKey": "throttled",
                "responseHeaders": [{"name": "Retry-After", "value": "60"}]}}})])
    # `RestAPI.Stage` is SAM's reference to the stage it creates: the association waits for the stage
    stage_arn = Fn.sub("arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${RestAPI}/stages/${RestAPI.Stage}")
    wafv2.CfnWebACLAssociation(stack, "ApiFirewallAssociation", resource_arn=stage_arn, web_acl_arn=acl.attr_arn)
