"""schemathesis against the served OpenAPI document, on the real local server, with valid tokens: no 5xx and
every response as documented. And the document is strict enough for that to mean something."""
import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"


@pytest.mark.parametrize("user", ["dispatcher-rq", "gm-yks-01"])
def test_generated_requests_find_no_server_error_and_no_undocumented_response(local_stack, user):
    token = json.loads((local_stack["state"] / "tokens.json").read_text())["tokens"][user]
    schemathesis = Path(sys.executable).parent / "schemathesis"
    # The coverage phase also sends TRACE/OPTIONS, which chalice's development server answers 501 itself
    # (API Gateway answers those before the app); examples and fuzzing exercise every documented operation.
    answer = subprocess.run([str(schemathesis), "run", f"{local_stack['api']}/openapi.json", "-H",
                             f"Authorization: Bearer {token}", "--max-examples", "8", "--phases", "examples,fuzzing",
                             "--checks", CHECKS, "--workers", "2", "--seed", "20261128", "--no-color"],
                            capture_output=True, text=True, timeout=600)
    summary = answer.stdout[-3000:]
    assert answer.returncode == 0, summary
    generated = int(re.search(r"(\d+) generated, \d+ passed", answer.stdout).group(1))
    assert generated >= 300, summary


def test_the_document_is_strict_enough_to_mean_something(local_stack):
    doc = json.loads(urllib.request.urlopen(f"{local_stack['api']}/openapi.json").read())
    for name, schema in doc["components"]["schemas"].items():
        if schema.get("type") == "object" and name not in ("Error",):
            assert schema.get("additionalProperties") is False, name      # unknown fields are refused
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            for parameter in operation["parameters"]:
                schema = parameter["schema"]
                constrained = {"enum", "pattern", "maxLength", "maximum", "format"} & set(schema)
                assert constrained, (method, path, parameter["name"])        # no bare strings
    report = doc["components"]["schemas"]["ReportCase"]
    assert set(report["required"]) >= {"kind", "category", "title", "description", "grid", "location"}
    assert report["properties"]["kind"]["enum"] == ["demand", "dispute"]
