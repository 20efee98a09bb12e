"""The OpenAPI document is valid, public, and describes exactly the routes the app serves."""
from openapi_spec_validator import validate

from tests.e2e.helpers import ok


def test_the_document_is_valid_openapi_3_and_served_without_a_token(api):
    doc = ok(api.call(None, "GET", "/openapi.json"))
    validate(doc)
    assert doc["openapi"].startswith("3.")
    assert doc["security"] == [{"bearer": []}]
    assert doc["paths"]["/openapi.json"]["get"]["security"] == []


def test_every_route_the_app_serves_is_documented_and_nothing_else(api):
    from app import app
    doc = ok(api.call(None, "GET", "/openapi.json"))
    served = {(path, method.lower()) for path, methods in app.routes.items() for method in methods}
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    assert served == documented


def test_request_bodies_carry_their_validation_rules(api):
    doc = ok(api.call(None, "GET", "/openapi.json"))
    report = doc["components"]["schemas"]["ReportCase"]
    assert {"kind", "category", "title", "description", "grid", "location"} <= set(report["required"])
    assert doc["paths"]["/cases"]["post"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ReportCase"}
