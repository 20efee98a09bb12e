"""The console's page: its Content-Security-Policy and where it signs in, by deployment (chalicelib/console.py)."""
import json
import re
from pathlib import Path

import pytest

from chalicelib import console, county_config


ROOT = Path(__file__).resolve().parents[2]


def directives(policy: str) -> dict:
    return {d.split()[0]: d.split()[1:] for d in policy.split("; ")}


@pytest.fixture
def settings(config):
    return {"sign_in": console.sign_in(config, {"AUTH_AUDIENCE": "gridloop-local"}, "local"), "timezone": "Asia/Shanghai",
            "language": "zh", "county": "demo"}


def test_the_policy_allows_no_inline_code_no_eval_no_other_origin_for_code_and_requires_trusted_types(settings):
    policy = directives(console.content_security_policy(settings, ("http://127.0.0.1:5100",)))
    assert policy["default-src"] == ["'none'"]
    for kind in ("script-src", "style-src", "font-src"):
        assert policy[kind] == ["'self'"], kind
    assert policy["require-trusted-types-for"] == ["'script'"] and policy["trusted-types"] == ["default"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert not any("unsafe" in s or s == "*" for values in policy.values() for s in values)
    # the photo bucket is the one other origin: uploads (connect) and views (img)
    assert policy["connect-src"] == ["'self'", "http://127.0.0.1:5100"]
    assert policy["img-src"] == ["'self'", "data:", "blob:", "http://127.0.0.1:5100"]


def test_an_external_issuer_adds_only_its_token_endpoint_to_what_the_page_may_call():
    yuli = county_config.load("yuli")
    settings = {"sign_in": console.sign_in(yuli, {}, "dev")}
    assert settings["sign_in"] == {
        "authorize": "https://id.yuli.example/realms/gridloop/protocol/openid-connect/auth",
        "token": "https://id.yuli.example/realms/gridloop/protocol/openid-connect/token",
        "logout": "https://id.yuli.example/realms/gridloop/protocol/openid-connect/logout",
        "client_id": "gridloop-console", "scope": "openid profile"}
    policy = directives(console.content_security_policy(settings, ("https://photos.s3.cn-northwest-1.amazonaws.com.cn",)))
    assert policy["connect-src"] == ["'self'", "https://photos.s3.cn-northwest-1.amazonaws.com.cn",
                                     "https://id.yuli.example"]
    assert policy["script-src"] == ["'self'"]


def test_the_user_pool_signs_in_on_its_hosted_domain_and_nothing_signs_in_without_one(config):
    hosted = "https://gridloop-demo.auth.ap-southeast-1.amazoncognito.com"
    assert console.sign_in(config, {"AUTH_SIGN_IN_URL": hosted, "AUTH_AUDIENCE": "client-1"}, "dev") == {
        "authorize": f"{hosted}/oauth2/authorize", "token": f"{hosted}/oauth2/token", "logout": f"{hosted}/logout",
        "client_id": "client-1", "scope": "openid profile"}
    assert console.sign_in(config, {"AUTH_AUDIENCE": "client-1"}, "dev") is None
    # the local people picker is the local stage's alone
    assert console.sign_in(config, {"AUTH_AUDIENCE": "gridloop-local"}, "dev") is None
    assert console.sign_in(config, {"AUTH_AUDIENCE": "gridloop-local"}, "local")["local"] is True


def test_the_page_runs_no_inline_script_and_its_settings_cannot_close_their_data_block(settings):
    hostile = {**settings, "county": "</script><script>alert(1)</script>"}
    page = console.page(hostile)
    blocks = re.findall(r"<script([^>]*)>(.*?)</script>", page, flags=re.S)
    assert [attrs for attrs, _ in blocks] == [' type="application/json" id="gridloop-settings"',
                                              f' type="module" src="console/{console.manifest()["entry"]}"']
    assert json.loads(blocks[0][1])["county"] == hostile["county"]
    assert "style=" not in page and "onload" not in page


def test_the_page_hands_the_screens_the_domains_words_so_they_hold_no_copy(config):
    assert console.settings_for_browser(config)["vocabulary"] == {
        "statuses": ["reported", "accepted", "dispatched", "in_progress", "resolved", "rejected", "merged", "closed"],
        "attentions": ["overdue", "extension", "returned", "appeal", "bad_review"],
        "urgencies": ["normal", "urgent", "emergency"],
        "photo_types": ["image/jpeg", "image/png", "image/webp"],
        "scores": ["response_speed", "performance", "completion", "feedback"],
        "verdicts": ["good", "fair", "bad"], "decisions": ["uphold", "void"],
        "role_places": {"grid_member": "grid", "station": "node", "dispatcher": "node", "department": "department",
                        "points_evaluator": "node", "clerk": "node", "leader": "node", "admin": "node"}}
    sources = [p.read_text() for p in (ROOT / "console" / "src").rglob("*.js*")]
    assert not [s for s in sources if "'in_progress', 'resolved'" in s or "'normal', 'urgent'" in s
                or "'image/png'" in s or "'response_speed', 'performance'" in s or "'good', 'fair'" in s
                or "'uphold', 'void'" in s or "'overdue', 'extension'" in s or "'points_evaluator', 'clerk'" in s]
