"""A county in the AWS China (Ningxia) region (chalicelib/counties/yuli.yaml) synthesises a stack it can deploy:
every ARN in the aws-cn partition, no Cognito user pool (an external OIDC issuer, read by the API from the
configuration), no SMS, a REGIONAL API under the county's own domain."""
import json
import re

import pytest

REGION = "cn-northwest-1"


@pytest.fixture(scope="module")
def china(templates):
    return templates.get("yuli")


@pytest.fixture(scope="module")
def expanded(templates):
    return templates.expanded("yuli")


def of_type(template, kind):
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def arns(node):
    """Every ARN-building value: plain strings with `arn:`, Fn::Sub strings, Fn::Join lists starting one."""
    if isinstance(node, dict):
        if "Fn::Join" in node:
            separator, parts = node["Fn::Join"]
            for i, part in enumerate(parts):
                if isinstance(part, str) and part.endswith("arn:"):
                    yield ("join", parts[i + 1] if i + 1 < len(parts) else None)
        for value in node.values():
            yield from arns(value)
    elif isinstance(node, list):
        for value in node:
            yield from arns(value)
    elif isinstance(node, str):
        for match in re.finditer(r"arn:(\$\{[A-Za-z:]+\}|[^:\"$]*):", node):
            yield ("text", match.group(1))


def test_the_stack_is_in_the_countys_china_region(china):
    from aws_cdk.region_info import RegionInfo
    text = json.dumps(china)
    assert f":{REGION}:" in text                              # the region is the county's, not a token
    assert RegionInfo.get(REGION).partition == "aws-cn"     # where AWS::Partition resolves at deploy time


@pytest.mark.parametrize("which", ["synthesised", "after SAM's transform"])
def test_every_arn_is_in_the_aws_cn_partition(china, expanded, which):
    """Each ARN names its partition through AWS::Partition (aws-cn in cn-northwest-1) or literally as aws-cn
    (the certificate from the county file); none says `arn:aws:`."""
    template = china if which == "synthesised" else expanded
    found = list(arns({k: v for k, v in template.items() if not k.startswith("_")}))
    assert found
    for kind, partition in found:
        if kind == "join":
            assert partition == {"Ref": "AWS::Partition"}, partition
        else:
            # ${Partition}: the timer ASL's placeholder, substituted with AWS::Partition (test_infra.py)
            assert partition in ("${AWS::Partition}", "${Partition}", "aws-cn"), partition
    assert "arn:aws:" not in json.dumps(template)
    assert ".amazonaws.com/" not in json.dumps(template)     # endpoints end in amazonaws.com.cn (AWS::URLSuffix)


def test_no_cognito_and_the_api_reads_its_issuer_from_the_county_configuration(china):
    assert not [r for r in china["Resources"].values() if r["Type"].startswith("AWS::Cognito::")]
    for name, function in of_type(china, "AWS::Serverless::Function").items():
        variables = function["Properties"].get("Environment", {}).get("Variables", {})
        assert not {v for v in variables if v.startswith("AUTH_")}, name   # chalicelib/auth.py reads the config
        assert variables["COUNTY"] == "yuli"


def test_no_sms_is_configured_where_sns_sms_is_not_offered():
    from chalicelib import county_config
    from chalicelib.adapters import sms
    config = county_config.load("yuli")
    assert config.spec.notifications.sms is False and sms.provider_for(config) is None


def test_the_api_is_regional_under_the_countys_domain_with_its_certificate(expanded):
    api = next(iter(of_type(expanded, "AWS::ApiGateway::RestApi").values()))["Properties"]
    assert api["EndpointConfiguration"] == {"Types": ["REGIONAL"]}
    # the domain is the only way in (its firewall, its certificate): SAM writes the switch into the definition
    assert api["Body"]["x-amazon-apigateway-endpoint-configuration"] == {"disableExecuteApiEndpoint": True}
    (domain_id, domain), = of_type(expanded, "AWS::ApiGateway::DomainName").items()
    assert domain["Properties"] == {
        "DomainName": "grid.yuli.example", "EndpointConfiguration": {"Types": ["REGIONAL"]},
        "RegionalCertificateArn": "arn:aws-cn:acm:cn-northwest-1:123456789012:certificate/"
                                  "0b6f3c2e-5a41-4c8e-9d1f-2e7a9c4b8d10",
        "SecurityPolicy": "TLS_1_2"}
    (mapping,) = of_type(expanded, "AWS::ApiGateway::BasePathMapping").values()
    assert mapping["Properties"] == {"DomainName": {"Ref": domain_id}, "RestApiId": {"Ref": "RestAPI"},
                                     "Stage": {"Ref": "RestAPIapiStage"}}   # at the root: one origin for all


def test_the_demo_outside_china_keeps_its_edge_api_and_user_pool(templates):
    demo = templates.expanded("demo")
    api = next(iter(of_type(demo, "AWS::ApiGateway::RestApi").values()))["Properties"]
    assert api["EndpointConfiguration"] == {"Types": ["EDGE"]}
    # no domain of its own: the default address is the way in
    assert "x-amazon-apigateway-endpoint-configuration" not in api["Body"]
    assert of_type(demo, "AWS::Cognito::UserPool") and not of_type(demo, "AWS::ApiGateway::DomainName")
    variables = demo["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert {"AUTH_ISSUER", "AUTH_AUDIENCE", "AUTH_JWKS_URL"} <= set(variables)   # known only once deployed
