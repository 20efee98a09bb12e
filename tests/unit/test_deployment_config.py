"""The county file's `deployment:` block: what a region offers decides what the file may ask for."""
import copy

import pytest
import yaml

from chalicelib.county_config import COUNTIES_DIR, ConfigError, parse


@pytest.fixture(scope="module")
def china_raw():
    return yaml.safe_load((COUNTIES_DIR / "yuli.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo_raw():
    return yaml.safe_load((COUNTIES_DIR / "demo.yaml").read_text(encoding="utf-8"))


def refused(raw) -> str:
    with pytest.raises(ConfigError) as error:
        parse(raw)
    return str(error.value)


def with_deployment(raw, **changes):
    changed = copy.deepcopy(raw)
    changed["deployment"].update(changes)
    return changed


def test_both_shipped_deployments_are_valid_and_know_their_partition(china_raw, demo_raw):
    china, demo = parse(china_raw).spec.deployment, parse(demo_raw).spec.deployment
    assert (china.partition, china.endpoint_type, china.sms_provider) == ("aws-cn", "REGIONAL", None)
    assert (demo.partition, demo.endpoint_type, demo.sms_provider) == ("aws", "EDGE", "sns")


def test_a_china_region_refuses_a_cognito_user_pool(china_raw, demo_raw):
    raw = with_deployment(china_raw, auth=copy.deepcopy(demo_raw["deployment"]["auth"]))
    assert "Cognito user pools are not offered in cn-northwest-1" in refused(raw)


def test_a_china_region_needs_the_countys_own_domain(china_raw):
    raw = with_deployment(china_raw)
    del raw["deployment"]["domain"]
    assert "needs the county's own (ICP-filed) domain" in refused(raw)


@pytest.mark.parametrize("arn, hint", [
    ("arn:aws-cn:iam::123456789012:server-certificate/gridloop/grid.yuli.example", "import it into ACM"),
    ("arn:aws-cn:acm:cn-north-1:123456789012:certificate/0b6f3c2e-5a41-4c8e", "in cn-northwest-1"),   # other region
    ("arn:aws:acm:cn-northwest-1:123456789012:certificate/0b6f3c2e-5a41-4c8e", "in cn-northwest-1"),  # partition
])
def test_a_china_domain_needs_an_acm_certificate_of_its_own_region(china_raw, arn, hint):
    raw = with_deployment(china_raw, domain={"name": "grid.yuli.example", "certificate_arn": arn})
    assert hint in refused(raw)


def test_an_edge_api_elsewhere_needs_its_acm_certificate_in_us_east_1(demo_raw):
    domain = {"name": "grid.bayingolin.example",
              "certificate_arn": "arn:aws:acm:ap-southeast-1:123456789012:certificate/5a41-4c8e"}
    assert "ACM certificate in us-east-1" in refused(with_deployment(demo_raw, domain=domain))
    domain["certificate_arn"] = "arn:aws:acm:us-east-1:123456789012:certificate/5a41-4c8e"
    assert parse(with_deployment(demo_raw, domain=domain)).spec.deployment.domain.name == "grid.bayingolin.example"


def test_sms_cannot_be_switched_on_where_no_provider_exists(china_raw):
    raw = copy.deepcopy(china_raw)
    raw["notifications"]["sms"] = True
    assert "notifications.sms is on but no SMS provider is offered in cn-northwest-1" in refused(raw)


def test_public_routes_may_not_get_more_than_staff_routes(demo_raw):
    raw = with_deployment(demo_raw, throttles={"staff": {"rate": 10, "burst": 20},
                                               "public": {"rate": 50, "burst": 20}})
    assert "public routes' throttle must not exceed" in refused(raw)


@pytest.mark.parametrize("field, value", [("issuer", "http://id.yuli.example/realms/gridloop"),
                                          ("jwks_url", "id.yuli.example/certs")])
def test_an_external_issuer_is_reached_over_https_only(china_raw, field, value):
    raw = copy.deepcopy(china_raw)
    raw["deployment"]["auth"]["oidc"][field] = value
    assert "is not an https URL" in refused(raw)


def test_an_external_issuer_must_name_its_token_type_claim(china_raw):
    raw = copy.deepcopy(china_raw)
    del raw["deployment"]["auth"]["oidc"]["token_type_claim"]
    assert "deployment.auth.oidc.token_type_claim" in refused(raw)


def test_exactly_one_issuer(china_raw, demo_raw):
    both = copy.deepcopy(china_raw)
    both["deployment"]["auth"]["cognito"] = demo_raw["deployment"]["auth"]["cognito"]
    assert "exactly one token issuer" in refused(both)
    neither = with_deployment(china_raw, auth={})
    assert "exactly one token issuer" in refused(neither)


@pytest.mark.parametrize("origin", ["https://grid.yuli.example/console", "https://*.yuli.example",
                                    "http://grid.yuli.example", "grid.yuli.example"])
def test_cors_origins_are_https_origins_without_path_or_wildcard(china_raw, origin):
    assert "is not an origin" in refused(with_deployment(china_raw, cors_origins=[origin]))


def test_cognito_callback_urls_are_https(demo_raw):
    raw = copy.deepcopy(demo_raw)
    raw["deployment"]["auth"]["cognito"]["callback_urls"] = ["http://grid.bayingolin.example/console/signed-in"]
    assert "is not an https URL" in refused(raw)


def test_the_sms_provider_follows_the_switch_and_the_region(demo_raw, china_raw):
    from chalicelib.adapters import sms
    assert isinstance(sms.provider_for(parse(demo_raw)), sms.SnsSms)
    off = copy.deepcopy(demo_raw)
    off["notifications"] = {"sms": False}
    assert sms.provider_for(parse(off)) is None
    assert sms.provider_for(parse(china_raw)) is None
