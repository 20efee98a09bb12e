"""The Lambda package carries botocore's endpoint table narrowed to the app's services (chalicelib/adapters/aws.py):
every one of those services must resolve, in every region botocore knows, exactly as with the whole table."""
import itertools
import json

import botocore.loaders
import botocore.session
import pytest
from botocore.regions import EndpointResolver

# the endpoint prefixes of the app's seven services, written out here (Step Functions' is "states")
APP_PREFIXES = {"dynamodb", "states", "sqs", "sns", "s3", "ssm", "cognito-idp"}
COUNTY_REGIONS = ("cn-northwest-1", "cn-north-1", "us-east-1", "ap-southeast-1")


@pytest.fixture
def whole():
    return botocore.loaders.create_loader().load_data("endpoints")


@pytest.fixture
def packaged(tmp_path, monkeypatch, whole):
    """The table as infra/lambda_package.py writes it into the package, where the app's session looks for it."""
    from chalicelib.adapters import aws
    path = tmp_path / "aws_endpoints.json"
    path.write_text(json.dumps(aws.endpoints_of_services(whole)))
    monkeypatch.setattr(aws, "ENDPOINTS", path)
    for name in ("AWS_ENDPOINT_URL", "AWS_DATA_PATH"):
        monkeypatch.delenv(name, raising=False)
    return path


def _resolved(resolver: EndpointResolver, prefix: str, region: str, dualstack: bool, fips: bool):
    try:
        return resolver.construct_endpoint(prefix, region, use_dualstack_endpoint=dualstack, use_fips_endpoint=fips)
    except Exception as error:   # a variant a partition does not offer: the same refusal either way
        return type(error).__name__


def test_the_narrowed_table_holds_the_apps_services_in_every_partition_and_is_a_fraction_of_the_whole(whole):
    from chalicelib.adapters import aws
    narrowed = aws.endpoints_of_services(whole)
    assert [p["partition"] for p in narrowed["partitions"]] == [p["partition"] for p in whole["partitions"]]
    for mine, theirs in zip(narrowed["partitions"], whole["partitions"]):
        assert set(mine["services"]) == APP_PREFIXES & set(theirs["services"])
        assert {k: v for k, v in mine.items() if k != "services"} == {k: v for k, v in theirs.items() if k != "services"}
        assert all(mine["services"][s] == theirs["services"][s] for s in mine["services"])
    assert len(json.dumps(narrowed)) < len(json.dumps(whole)) / 10


def test_every_region_resolves_each_app_service_and_variant_as_with_the_whole_table(whole):
    from chalicelib.adapters import aws
    full, narrowed = EndpointResolver(whole, True), EndpointResolver(aws.endpoints_of_services(whole), True)
    regions = [r for p in whole["partitions"] for r in p["regions"]]
    assert len(regions) > 30
    compared = 0
    for region, prefix, dualstack, fips in itertools.product(regions, sorted(APP_PREFIXES), (False, True),
                                                              (False, True)):
        assert _resolved(narrowed, prefix, region, dualstack, fips) == _resolved(full, prefix, region, dualstack,
                                                                                  fips), (region, prefix)
        compared += 1
    assert compared == len(regions) * 7 * 4
    assert [full.get_partition_for_region(r) for r in regions] == [narrowed.get_partition_for_region(r)
                                                                  for r in regions]


def test_the_apps_session_reads_the_narrowed_table_and_makes_the_clients_stock_botocore_makes(packaged):
    from chalicelib.adapters import aws
    for region in COUNTY_REGIONS:
        app_session, stock = aws._Session(), botocore.session.get_session()
        for service in aws.SERVICES:
            mine = app_session.create_client(service, region_name=region, aws_access_key_id="k",
                                             aws_secret_access_key="s")
            theirs = stock.create_client(service, region_name=region, aws_access_key_id="k",
                                         aws_secret_access_key="s")
            assert (mine.meta.endpoint_url, mine.meta.region_name, mine.meta.partition,
                    mine._request_signer._signing_name, mine._request_signer._region_name) == (
                theirs.meta.endpoint_url, theirs.meta.region_name, theirs.meta.partition,
                theirs._request_signer._signing_name, theirs._request_signer._region_name), (service, region)
        table = app_session._get_internal_component("endpoint_resolver")._endpoint_data
        assert {s for p in table["partitions"] for s in p["services"]} == APP_PREFIXES   # the packaged one was read
    signed = aws._Session().create_client("s3", region_name="cn-northwest-1", aws_access_key_id="k",
                                          aws_secret_access_key="s").generate_presigned_post("photos", "incoming/x")
    assert signed["url"] == "https://photos.s3.cn-northwest-1.amazonaws.com.cn/"


def test_an_endpoint_table_set_through_aws_data_path_is_read_instead(packaged, tmp_path, monkeypatch):
    from chalicelib.adapters import aws
    own = tmp_path / "data"
    own.mkdir()
    (own / "endpoints.json").write_text(json.dumps({"partitions": [], "version": 3}))
    monkeypatch.setenv("AWS_DATA_PATH", str(own))
    assert aws._Session().get_component("data_loader").load_data("endpoints") == {"partitions": [], "version": 3}


def test_without_the_packaged_table_botocores_whole_table_is_read(tmp_path, monkeypatch):
    from chalicelib.adapters import aws
    monkeypatch.setattr(aws, "ENDPOINTS", tmp_path / "absent.json")
    monkeypatch.delenv("AWS_DATA_PATH", raising=False)
    read = aws._Session().get_component("data_loader").load_data("endpoints")
    assert read == botocore.loaders.create_loader().load_data("endpoints") and "ec2" in read["partitions"][0]["services"]
