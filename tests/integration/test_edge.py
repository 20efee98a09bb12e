"""The API's edge in the synthesised stack: API Gateway's own answers in the API's error shape, lower throttles
for the public routes, the 4XX alarm and the access-log widgets, the photo bucket's CORS rule, the optional WAF
rule and reserved concurrency. Expectations are written here by hand; the county files are the inputs."""
import json

import pytest

# API Gateway response type -> (status, the API's error code); None keeps API Gateway's own status
EXPECTED_GATEWAY_RESPONSES = {
    "MISSING_AUTHENTICATION_TOKEN": ("404", "not_found"),   # unknown route, or a method the route lacks (no 405)
    "RESOURCE_NOT_FOUND": ("404", "not_found"),
    "REQUEST_TOO_LARGE": ("413", "payload_too_large"),
    "UNSUPPORTED_MEDIA_TYPE": ("415", "unsupported_media_type"),
    "THROTTLED": ("429", "throttled"),
    "QUOTA_EXCEEDED": ("429", "throttled"),
    "WAF_FILTERED": ("403", "forbidden"),
    "INTEGRATION_FAILURE": ("502", "bad_gateway"),
    "INTEGRATION_TIMEOUT": ("504", "gateway_timeout"),
    "DEFAULT_4XX": (None, "request_refused"),
    "DEFAULT_5XX": (None, "bad_gateway"),
}
# The routes anyone may call without a token (docs/api.md), as API Gateway encodes resource paths
PUBLIC_ROUTES = {
    ("/~1health", "GET"), ("/~1openapi.json", "GET"), ("/~1villages~1{village}~1points-ranking", "GET"),
    ("/~1open311~1v2~1{document}", "GET"), ("/~1open311~1v2~1{document}", "POST"),
    ("/~1open311~1v2~1services~1{code_fmt}", "GET"), ("/~1open311~1v2~1requests~1{id_fmt}", "GET"),
    ("/~1open311~1v2~1tokens~1{token_fmt}", "GET"),
    ("/~1", "GET"), ("/~1console", "GET"), ("/~1console~1{asset}", "GET"),      # the web console's page and files
    ("/~1console~1phone", "GET"),                                                # the grid member's phone page
}
# county -> (staff rate, staff burst, public rate, public burst), from the county files
THROTTLES = {"demo": (100, 200, 10, 20), "yuli": (50, 100, 5, 10)}


def of_type(template, kind):
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def rest_api(expanded):
    (api,) = of_type(expanded, "AWS::ApiGateway::RestApi").values()
    return api["Properties"]


@pytest.mark.parametrize("county", ["demo", "yuli"])
def test_api_gateways_own_answers_use_the_apis_error_shape(templates, county):
    responses = rest_api(templates.expanded(county))["Body"]["x-amazon-apigateway-gateway-responses"]
    assert set(responses) == set(EXPECTED_GATEWAY_RESPONSES)
    for kind, (status, code) in EXPECTED_GATEWAY_RESPONSES.items():
        response = responses[kind]
        assert response.get("statusCode") == status, kind
        template = response["responseTemplates"]["application/json"]
        assert "$" not in template, (kind, template)     # static: no $context.error.messageString, no header echo
        body = json.loads(template)
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message"} and body["error"]["code"] == code
        assert response["responseParameters"]["gatewayresponse.header.Content-Type"] == "'application/json'"
    assert responses["THROTTLED"]["responseParameters"]["gatewayresponse.header.Retry-After"] == "'1'"


@pytest.mark.parametrize("county", ["demo", "yuli"])
def test_public_routes_get_lower_throttles_than_staff_routes(templates, county):
    (stage,) = of_type(templates.expanded(county), "AWS::ApiGateway::Stage").values()
    settings = {(s["ResourcePath"], s["HttpMethod"]): s for s in stage["Properties"]["MethodSettings"]}
    staff_rate, staff_burst, public_rate, public_burst = THROTTLES[county]
    default = settings.pop(("/*", "*"))
    assert (default["ThrottlingRateLimit"], default["ThrottlingBurstLimit"]) == (staff_rate, staff_burst)
    assert set(settings) == PUBLIC_ROUTES
    for key, setting in settings.items():
        assert (setting["ThrottlingRateLimit"], setting["ThrottlingBurstLimit"]) == (public_rate, public_burst), key
        assert setting["LoggingLevel"] == "ERROR" and setting["DataTraceEnabled"] is False   # no bodies logged
    assert public_rate < staff_rate and public_burst < staff_burst


def test_the_api_paths_of_the_throttles_exist_in_the_api(templates):
    paths = rest_api(templates.expanded("demo"))["Body"]["paths"]
    for encoded, method in PUBLIC_ROUTES:
        path = encoded.replace("~1", "/")[1:]
        assert method.lower() in paths[path], (path, method)


def test_a_4xx_rate_alarm_watches_the_api_level_metric_and_the_dashboard_reads_the_access_log(template_demo):
    alarms = {a["Properties"]["AlarmName"].split("-", 2)[-1]: a["Properties"]
              for a in of_type(template_demo, "AWS::CloudWatch::Alarm").values()}
    alarm = alarms["ApiClientErrorRate"]
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == ("AWS/ApiGateway", "4XXError", "Average")
    assert alarm["Dimensions"] == [{"Name": "ApiName", "Value": "gridloop-demo"}]   # the whole API, no stage/route
    assert 0 < alarm["Threshold"] < 1 and alarm["EvaluationPeriods"] >= 2
    (dashboard,) = of_type(template_demo, "AWS::CloudWatch::Dashboard").values()
    separator, parts = dashboard["Properties"]["DashboardBody"]["Fn::Join"]
    body = json.loads(separator.join(p if isinstance(p, str) else f"<{p.get('Ref')}>" for p in parts))
    queries = [w["properties"]["query"] for w in body["widgets"] if w["type"] == "log"]
    (access_log,) = [k for k in of_type(template_demo, "AWS::Logs::LogGroup") if k.startswith("ApiAccessLogs")]
    assert queries and all(q.startswith(f"SOURCE '<{access_log}>'") for q in queries)   # the API's access log
    throttled = next(q for q in queries if 'filter status = "429"' in q)
    unauthenticated = next(q for q in queries if 'filter status = "401"' in q)
    assert "bin(5m)" in throttled and "by bin(5m), ip" in unauthenticated   # 401 bursts per client address
    assert not [a for a in alarms if "401" in a or "Throttled" in a]   # watched, not alarmed


@pytest.fixture(scope="module")
def template_demo(templates):
    return templates.get("demo")


def test_two_counties_in_one_account_name_their_apis_apart_and_never_alarm_on_each_others_metrics(templates):
    def api_name(template):
        (api,) = of_type(template, "AWS::Serverless::Api").values()
        return api["Properties"]["Name"]

    def watched(template):   # every metric an alarm reads, math alarms' too: (namespace, name, dimensions)
        metrics = []
        for alarm in of_type(template, "AWS::CloudWatch::Alarm").values():
            props = alarm["Properties"]
            metrics += [props] if "MetricName" in props else [
                m["MetricStat"]["Metric"] for m in props.get("Metrics", []) if "MetricStat" in m]
        return {(m["Namespace"], m["MetricName"],
                 tuple(sorted((d["Name"], json.dumps(d["Value"])) for d in m.get("Dimensions", []))))
                for m in metrics}

    demo, yuli = templates.get("demo"), templates.get("yuli")
    assert (api_name(demo), api_name(yuli)) == ("gridloop-demo", "gridloop-yuli")
    shared = {m for m in watched(demo) & watched(yuli) if m[0] in ("AWS/ApiGateway", "Gridloop")}
    assert shared == set()
    dimensions = [dict(m[2]) for m in watched(demo) if m[0] in ("AWS/ApiGateway", "Gridloop")]
    assert dimensions and all(d.get("ApiName", d.get("service")) == '"gridloop-demo"' for d in dimensions)


@pytest.mark.parametrize("county, origins", [("demo", ["https://grid.bayingolin.example"]),
                                             ("yuli", ["https://grid.yuli.example"])])
def test_the_photo_bucket_lets_the_configured_origins_post_presigned_uploads(templates, county, origins):
    buckets = of_type(templates.get(county), "AWS::S3::Bucket")
    photos = next(v for k, v in buckets.items() if k.startswith("Photos"))["Properties"]
    (rule,) = photos["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedOrigins"] == origins and rule["AllowedMethods"] == ["POST"]
    assert "*" not in rule["AllowedOrigins"]
    others = [v["Properties"] for k, v in buckets.items() if not k.startswith("Photos")]
    assert not [b for b in others if "CorsConfiguration" in b]   # the access-log bucket stays closed


def test_without_the_switches_there_is_no_web_acl_and_no_reserved_concurrency(templates):
    demo = templates.get("demo")
    assert not of_type(demo, "AWS::WAFv2::WebACL") and not of_type(demo, "AWS::WAFv2::WebACLAssociation")
    assert "ReservedConcurrentExecutions" not in demo["Resources"]["APIHandler"]["Properties"]


def test_the_switched_on_web_acl_limits_each_client_ip_and_answers_429_in_the_error_shape(templates):
    expanded = templates.expanded("yuli")
    (acl,) = of_type(expanded, "AWS::WAFv2::WebACL").values()
    p = acl["Properties"]
    assert p["Scope"] == "REGIONAL" and p["DefaultAction"] == {"Allow": {}}
    (rule,) = p["Rules"]
    assert rule["Statement"]["RateBasedStatement"] == {"Limit": 600, "AggregateKeyType": "IP"}
    response = rule["Action"]["Block"]["CustomResponse"]
    assert response["ResponseCode"] == 429
    body = json.loads(p["CustomResponseBodies"][response["CustomResponseBodyKey"]]["Content"])
    assert body["error"]["code"] == "throttled"
    (association,) = of_type(expanded, "AWS::WAFv2::WebACLAssociation").values()
    arn = association["Properties"]["ResourceArn"]["Fn::Sub"]
    assert arn == "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${RestAPI}/stages/${RestAPIapiStage}"
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": [next(iter(of_type(expanded, "AWS::WAFv2::WebACL"))),
                                                                      "Arn"]}


def test_the_switched_on_reserved_concurrency_is_the_api_functions_only(templates):
    functions = of_type(templates.expanded("yuli"), "AWS::Lambda::Function")
    assert functions["APIHandler"]["Properties"]["ReservedConcurrentExecutions"] == 20
    assert not [k for k, f in functions.items() if k != "APIHandler" and "ReservedConcurrentExecutions" in f["Properties"]]
