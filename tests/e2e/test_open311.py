"""The Open311 GeoReport v2 facade, validated against the community schemas in tests/open311_schemas/."""
import json
from pathlib import Path
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.e2e.helpers import drive, new_case, ok

SCHEMAS = Path(__file__).resolve().parents[1] / "open311_schemas"   # with their source and licence (README.md)


def validator(name):
    registry = Registry().with_resources(
        (f.name, Resource.from_contents(json.loads(f.read_text()), default_specification=DRAFT202012))
        for f in SCHEMAS.glob("*.json"))
    return Draft202012Validator(json.loads((SCHEMAS / name).read_text()), registry=registry)


def get(api, path):
    response = api.client.http.get(path)
    body = response.body.decode() if isinstance(response.body, bytes) else response.body
    return response.status_code, body, response.headers.get("Content-Type", "")


def post(api, path, fields):
    response = api.client.http.post(path, headers={"Content-Type": "application/x-www-form-urlencoded"},
                                    body=urlencode(fields))
    body = response.body.decode() if isinstance(response.body, bytes) else response.body
    return response.status_code, body


@pytest.fixture
def api_key(api):
    return ok(api.call("admin-bz", "POST", "/admin/open311-keys", {"name": "civic app"}), 201)


def file(api, key, **fields):
    # inside Yakinson grid 1: the square 87.68..87.69 E, 40.60..40.61 N of demo.yaml
    form = {"api_key": key["api_key"], "service_code": "road_repair", "lat": "40.605", "long": "87.685",
            "description": "Pothole at the school gate", "first_name": "张", "last_name": "三", "phone": "13911112222",
            **fields}
    return post(api, "/open311/v2/requests.json", form)


def test_services_and_definitions_validate_and_list_only_public_demands(api):
    code, body, kind = get(api, "/open311/v2/services.json")
    services = json.loads(body)
    validator("services.json").validate(services)
    codes = {s["service_code"] for s in services}
    assert "road_repair" in codes and not codes & {"land_boundary", "family", "neighbour", "public_security"}
    definition = json.loads(get(api, "/open311/v2/services/road_repair.json")[1])
    validator("service-definition.json").validate(definition)
    assert [a["code"] for a in definition["attributes"]] == ["surface", "width_m"]
    code, body, _ = get(api, "/open311/v2/services/land_boundary.json")
    assert code == 404 and json.loads(body)[0]["code"] == 404


def test_xml_documents_parse_and_carry_the_same_services(api):
    code, body, kind = get(api, "/open311/v2/services.xml")
    assert code == 200 and kind.startswith("text/xml")
    root = ET.fromstring(body)
    assert root.tag == "services" and {s.findtext("service_code") for s in root} == {
        s["service_code"] for s in json.loads(get(api, "/open311/v2/services.json")[1])}
    definition = ET.fromstring(get(api, "/open311/v2/services/road_repair.xml")[1])
    assert definition.tag == "service_definition" and definition.find("attributes/attribute/code").text == "surface"


def test_discovery_fields_follow_the_spec(api):
    discovery = json.loads(get(api, "/open311/v2/discovery.json")[1])
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(discovery)
    endpoint = discovery["endpoints"][0]
    assert {"specification", "url", "changeset", "type", "formats"} <= set(endpoint)
    assert endpoint["formats"] == ["application/json", "text/xml"]


def test_a_post_inside_a_grid_lands_at_its_station_and_outside_every_grid_at_the_root(api, api_key):
    code, body = file(api, api_key)
    created = json.loads(body)
    assert code == 201 and set(created[0]) >= {"service_request_id", "service_notice"}
    station_queue = ok(api.call("station-yks", "GET", "/queue"))["items"]
    assert [c["id"] for c in station_queue] == [created[0]["service_request_id"]]
    detail = ok(api.call("station-yks", "GET", f"/cases/{created[0]['service_request_id']}"))
    assert (detail["grid"], detail["channel"], detail["status"]) == ("BZ.RQ.TGLK.YKS.G01", "open311", "reported")
    code, body = file(api, api_key, lat="10.0", long="10.0")
    outside = json.loads(body)[0]["service_request_id"]
    root_queue = ok(api.call("dispatcher-bz", "GET", "/queue"))["items"]
    assert outside in [c["id"] for c in root_queue]
    token = json.loads(get(api, f"/open311/v2/tokens/{outside}.json")[1])
    assert token == [{"token": outside, "service_request_id": outside}]


def test_keys_are_required_and_revocable_and_bad_input_is_a_400_in_the_spec_format(api, api_key):
    code, body = file(api, {"api_key": ""})
    assert code == 403 and json.loads(body)[0]["code"] == 403 and json.loads(body)[0]["description"]
    assert file(api, {"api_key": api_key["key_id"] + ".wrong"})[0] == 403
    ok(api.call("admin-bz", "POST", f"/admin/open311-keys/{api_key['key_id']}/revoke"))
    code, body = file(api, api_key)
    assert code == 403
    fresh = ok(api.call("admin-bz", "POST", "/admin/open311-keys", {"name": "second"}), 201)
    code, body = file(api, fresh, service_code="ufo_sighting")
    error = json.loads(body)
    assert code == 400 and len(error) == 1 and set(error[0]) == {"code", "description"}
    assert error[0]["code"] == 400 and "ufo_sighting" in error[0]["description"]
    assert file(api, fresh, service_code="land_boundary")[0] == 400        # disputes are not Open311 services
    assert file(api, fresh, lat="north")[0] == 400
    code, body = post(api, "/open311/v2/requests.xml", {"service_code": "road_repair"})
    assert code == 403 and ET.fromstring(body).tag == "errors" and ET.fromstring(body).find("error/code").text == "403"
    assert api.call("gm-yks-01", "POST", "/admin/open311-keys", {"name": "x"})[0] == 403


def test_get_requests_shows_only_public_cases_and_no_personal_data(api, api_key):
    public = drive(api, new_case(api, {
        "kind": "demand", "category": "road_repair", "title": "Pothole", "description": "SECRET reporter words",
        "grid": "BZ.RQ.TGLK.YKS.G01", "location": {"lat": 40.60354, "lon": 87.68651},
        "residents": [{"name": "王某某", "phone": "13900000007"}]})["id"], "dispatched")
    dispute = new_case(api, {"kind": "dispute", "category": "neighbour", "title": "fence", "description": "quarrel",
                             "grid": "BZ.RQ.TGLK.YKS.G01", "location": {"lat": 40.605, "lon": 87.685}})
    sensitive = new_case(api, {"kind": "dispute", "category": "family", "title": "family", "description": "private",
                               "grid": "BZ.RQ.TGLK.YKS.G01", "location": {"lat": 40.605, "lon": 87.685}})
    file(api, api_key)
    code, body, _ = get(api, "/open311/v2/requests.json")
    listed = json.loads(body)
    validator("requests.json").validate(listed)
    ids = [r["service_request_id"] for r in listed]
    assert public["id"] in ids and dispute["id"] not in ids and sensitive["id"] not in ids
    for forbidden in ("SECRET reporter words", "王某某", "13900000007", "张", "13911112222", "Pothole at the school"):
        assert forbidden not in body
    mine = next(r for r in listed if r["service_request_id"] == public["id"])
    assert (mine["status"], mine["status_notes"], mine["lat"], mine["long"]) == ("open", "dispatched", 40.604, 87.687)
    assert mine["description"] == "irrigation missing"          # the station's public summary, not the report
    assert mine["agency_responsible"] == "若羌县农业农村局" and mine["expected_datetime"] == public["deadlines"]["resolve_due"]
    one = json.loads(get(api, f"/open311/v2/requests/{public['id']}.json")[1])
    validator("requests.json").validate(one)
    assert len(one) == 1
    assert get(api, f"/open311/v2/requests/{dispute['id']}.json")[0] == 404
    assert get(api, f"/open311/v2/requests/{sensitive['id']}.xml")[0] == 404
    only = json.loads(get(api, f"/open311/v2/requests.json?service_request_id={public['id']},{dispute['id']}")[1])
    assert [r["service_request_id"] for r in only] == [public["id"]]
    assert json.loads(get(api, "/open311/v2/requests.json?status=closed")[1]) == []
    code, body, _ = get(api, "/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-12-31T00:00:00Z")
    assert code == 400 and "90 days" in json.loads(body)[0]["description"]
    paged = json.loads(get(api, "/open311/v2/requests.json?page=1&page_size=1")[1])
    assert len(paged) == 1
    xml = ET.fromstring(get(api, "/open311/v2/requests.xml")[1])
    assert xml.tag == "service_requests" and public["id"] in [r.findtext("service_request_id") for r in xml]


def test_listing_can_be_switched_off(api, config, monkeypatch):
    from chalicelib import runtime
    from chalicelib.county_config import Deployment
    case = drive(api, new_case(api, {"kind": "demand", "category": "road_repair", "title": "t", "description": "d",
                                      "grid": "BZ.RQ.TGLK.YKS.G01", "location": {"lat": 40.605, "lon": 87.685}})["id"],
                 "accepted")
    assert json.loads(get(api, "/open311/v2/requests.json")[1]) != []
    quiet = Deployment.from_spec(config.spec.model_copy(update={
        "open311": config.spec.open311.model_copy(update={"listing": False})}))
    monkeypatch.setattr(runtime, "config", lambda: quiet)
    assert json.loads(get(api, "/open311/v2/requests.json")[1]) == []
    assert get(api, f"/open311/v2/requests/{case['id']}.json")[0] == 404


@pytest.mark.parametrize("query,name", [
    ("page=1000000&page_size=1000", "page"),   # page x page_size past the first 1,000 requests of the window
    ("page=2&page_size=600", "page"),
    ("page_size=1001", "page_size"),
    ("page=0", "page"),
    ("page_size=0", "page_size"),
    ("page=two", "page"),
])
def test_get_requests_past_the_documented_maxima_is_a_400_naming_the_parameter(api, query, name):
    code, body, _ = get(api, f"/open311/v2/requests.json?{query}")
    errors = json.loads(body)
    assert code == 400 and errors[0]["code"] == 400 and name in errors[0]["description"], body


@pytest.mark.parametrize("fields,name", [
    ({"phone": "call me maybe"}, "phone"),
    ({"description": "x" * 5001}, "description"),
    ({"first_name": "张" * 101}, "first_name"),
    ({"address_string": "a" * 301}, "address_string"),
    ({"lat": "nan"}, "lat"),
    ({"description": "water\x00everywhere"}, "description"),
])
@pytest.mark.parametrize("key", ["unknown", "issued"])
def test_every_bad_post_form_is_a_400_in_the_open311_error_format(api, api_key, fields, name, key):
    sent = api_key if key == "issued" else {"api_key": "a.b"}
    code, body = file(api, sent, **fields)
    errors = json.loads(body)
    assert code == 400 and len(errors) == 1 and set(errors[0]) == {"code", "description"}, body
    assert errors[0]["code"] == 400 and name in errors[0]["description"]
    response = api.client.http.post("/open311/v2/requests.xml",
                                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                                    body=urlencode({"api_key": sent["api_key"], "service_code": "road_repair",
                                                    "lat": "40.605", "long": "87.685",
                                                    "description": "Pothole", **fields}))
    assert response.status_code == 400 and ET.fromstring(response.body).find("error/code").text == "400"
