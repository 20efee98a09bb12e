"""The DingTalk robot client against a local HTTP sink that checks signatures the way DingTalk documents them.

The sink's signature check is written here from DingTalk's published algorithm (timestamp + "\\n" + secret,
HMAC-SHA256 keyed with the secret, base64, URL-encoded), independently of the module under test.
"""
from __future__ import annotations

import json
import socket
import time
import urllib.parse

import pytest

from chalicelib.adapters import dingtalk
from chalicelib.adapters.dingtalk import DeliveryFailed

from support.dingtalk_sink import ONE_HOUR_MS, SECRET, TIMEOUT, TOKEN, Sink, expected_sign  # noqa: F401


@pytest.fixture
def sink():
    s = Sink(SECRET)
    s.thread.start()
    yield s
    s.server.shutdown()
    s.server.server_close()
    s.thread.join(timeout=2)


def test_signed_markdown_message_arrives_and_verifies(sink):
    message = dingtalk.markdown_message("案件 GL-2026-0001 已派遣", "### 已派遣\n- 部门：城管\n- 时限：2 个工作日")
    dingtalk.send(sink.url, SECRET, message, timeout=TIMEOUT)

    assert len(sink.requests) == 1
    received = sink.requests[0]
    assert received["path"] == "/robot/send"
    assert received["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(received["body"].decode("utf-8")) == {
        "msgtype": "markdown",
        "markdown": {"title": "案件 GL-2026-0001 已派遣", "text": "### 已派遣\n- 部门：城管\n- 时限：2 个工作日"},
    }
    timestamp = int(received["query"]["timestamp"][0])
    assert abs(time.time() * 1000 - timestamp) < ONE_HOUR_MS
    assert received["query"]["sign"][0] == expected_sign(SECRET, received["query"]["timestamp"][0])


def test_text_message_with_mentions_arrives(sink):
    message = dingtalk.text_message("超时预警", ["案件 GL-2026-0002", "剩余 4 小时"], at_mobiles=["13800000000"])
    dingtalk.send(sink.url, SECRET, message, timeout=TIMEOUT, now_ms=int(time.time() * 1000))

    body = json.loads(sink.requests[0]["body"].decode("utf-8"))
    assert body["msgtype"] == "text"
    assert body["text"]["content"].startswith("超时预警\n案件 GL-2026-0002\n剩余 4 小时")
    assert "@13800000000" in body["text"]["content"]
    assert body["at"] == {"atMobiles": ["13800000000"], "isAtAll": False}


def test_wrong_secret_is_rejected_and_not_retryable(sink):
    with pytest.raises(DeliveryFailed) as failure:
        dingtalk.send(sink.url, "SECwrong", dingtalk.markdown_message("t", "x"), timeout=TIMEOUT)
    assert failure.value.retryable is False
    assert "310000" in failure.value.reason
    assert len(sink.requests) == 1  # it arrived; the sink refused the signature


def test_stale_timestamp_is_rejected_by_the_sink(sink):
    two_hours_ago = int(time.time() * 1000) - 2 * ONE_HOUR_MS
    with pytest.raises(DeliveryFailed) as failure:
        dingtalk.send(sink.url, SECRET, dingtalk.markdown_message("t", "x"), timeout=TIMEOUT, now_ms=two_hours_ago)
    assert failure.value.retryable is False


def test_sink_down_is_retryable():
    with socket.socket() as probe:  # a port that was free a moment ago and has nobody listening now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/robot/send?access_token={TOKEN}"
    started = time.monotonic()
    with pytest.raises(DeliveryFailed) as failure:
        dingtalk.send(url, SECRET, dingtalk.markdown_message("t", "x"), timeout=TIMEOUT)
    assert failure.value.retryable is True
    assert TOKEN not in failure.value.reason and SECRET not in failure.value.reason
    assert time.monotonic() - started < 1


def test_sink_503_is_retryable(sink):
    sink.status = 503
    with pytest.raises(DeliveryFailed) as failure:
        dingtalk.send(sink.url, SECRET, dingtalk.markdown_message("t", "x"), timeout=TIMEOUT)
    assert failure.value.retryable is True
    assert "503" in failure.value.reason


def test_sink_400_is_not_retryable(sink):
    sink.status = 400
    with pytest.raises(DeliveryFailed) as failure:
        dingtalk.send(sink.url, SECRET, dingtalk.markdown_message("t", "x"), timeout=TIMEOUT)
    assert failure.value.retryable is False


def test_rate_limit_errcode_is_retryable(sink):
    sink.reply = {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}
    with pytest.raises(DeliveryFailed) as failure:
        dingtalk.send(sink.url, SECRET, dingtalk.markdown_message("t", "x"), timeout=TIMEOUT)
    assert failure.value.retryable is True
    assert "130101" in failure.value.reason


def test_slow_sink_times_out_and_is_retryable():
    with socket.socket() as listener:  # accepts the connection (backlog) but never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/robot/send?access_token={TOKEN}"
        with pytest.raises(DeliveryFailed) as failure:
            dingtalk.send(url, SECRET, dingtalk.markdown_message("t", "x"), timeout=0.2)
    assert failure.value.retryable is True


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/robot?access_token=x",
                                 "oapi.dingtalk.com/robot/send?access_token=x", "https:///robot/send"])
def test_non_http_urls_are_refused(url):
    with pytest.raises(ValueError):
        dingtalk.send(url, SECRET, dingtalk.markdown_message("t", "x"), timeout=TIMEOUT)


def test_signed_url_appends_timestamp_and_encoded_sign():
    url = dingtalk.signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc", SECRET, 1700000000000)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["access_token"] == ["abc"]
    assert query["timestamp"] == ["1700000000000"]
    assert query["sign"] == [expected_sign(SECRET, "1700000000000")]


# -- only DingTalk's robot host, over https, outside the local stage ------------------------------------------
@pytest.mark.parametrize("url", [
    "http://oapi.dingtalk.com/robot/send?access_token=x",            # plain http: the token would travel in clear
    "https://evil.example/robot/send?access_token=x",                # another host
    "https://oapi.dingtalk.com.evil.example/robot/send?access_token=x",
    "https://oapi.dingtalk.com@evil.example/robot/send?access_token=x",
    "https://x@oapi.dingtalk.com/robot/send?access_token=x",
    "https://oapi.dingtalk.com:8443/robot/send?access_token=x",
    "http://127.0.0.1:9/robot/send?access_token=x",                  # the loopback sinks: the local stage only
])
def test_a_deployed_stage_sends_only_to_dingtalks_robot_host_over_https(monkeypatch, url):
    from chalicelib import settings
    monkeypatch.setattr(settings, "STAGE", "dev")
    with pytest.raises(ValueError, match="https://oapi.dingtalk.com"):
        dingtalk.send(url, SECRET, dingtalk.markdown_message("t", "x"), timeout=TIMEOUT)


def test_dingtalks_own_robot_url_passes_the_check_in_a_deployed_stage(monkeypatch):
    from chalicelib import settings
    monkeypatch.setattr(settings, "STAGE", "dev")
    url = dingtalk.signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc", SECRET, 1700000000000)
    assert url.startswith("https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1700000000000&sign=")


def test_a_robot_parameter_pointing_elsewhere_is_undeliverable_not_retried(monkeypatch):
    """What the work queue's worker does with it: give up on the message (a retry cannot fix the URL)."""
    from chalicelib import settings
    from chalicelib.adapters import notifier, secrets
    from chalicelib.services.notify import Undeliverable
    monkeypatch.setattr(settings, "STAGE", "dev")
    monkeypatch.setattr(secrets, "dingtalk_target",
                        lambda department: {"url": "https://evil.example/robot/send?access_token=x", "secret": SECRET})
    monkeypatch.setattr(notifier, "department_text", lambda message, config: ("RQ-2026-000001", ["dispatch"]))
    with pytest.raises(Undeliverable, match="oapi.dingtalk.com"):
        notifier.deliver({"channel": "dingtalk", "department": "rq-agri"}, None, lambda case_id: None)
