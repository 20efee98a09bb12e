"""DingTalk custom robot ("自定义机器人") webhook client, standard library only.

A department group's chat receives dispatch, warning and escalation messages through a DingTalk robot with the
"加签" (signature) security setting. The robot's webhook URL carries ``?access_token=...``; each request adds
``timestamp`` (milliseconds) and ``sign`` computed with the robot's ``SEC...`` secret, and DingTalk refuses a
timestamp more than one hour away from its own clock.

Secrets: both the webhook URL (its access token is a credential) and the signing secret are secrets. In the cloud
they come from SSM Parameter Store SecureString parameters; locally from an untracked file. The caller loads them
and passes them in; this module never puts the URL or the secret into an exception message or a log line. It sends
only to DingTalk's robot host over https (the `local` stage also to the loopback interface, for its sinks).

``send`` raises ``DeliveryFailed`` with ``retryable`` set so that the notification worker knows whether to let the
message go back to the queue (connection errors, timeouts, HTTP 5xx/429, DingTalk's rate limit errcode 130101) or
to give up on it (other HTTP errors, other DingTalk errcodes such as 310000 "sign not match").
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from chalicelib import settings

__all__ = ["DeliveryFailed", "RATE_LIMIT_ERRCODE", "escape_markdown", "markdown_message", "send", "sign",
           "signed_url", "text_message"]

#: The host of DingTalk's custom-robot webhooks (https://oapi.dingtalk.com/robot/send?access_token=...).
ROBOT_HOST = "oapi.dingtalk.com"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
#: DingTalk errcode for "send too fast" (more than 20 messages a minute for one robot).
RATE_LIMIT_ERRCODE = 130101
_MAX_RESPONSE_BYTES = 64 * 1024


class DeliveryFailed(Exception):
    """A message did not reach DingTalk. ``retryable`` tells whether sending it again later may succeed."""

    def __init__(self, reason: str, retryable: bool):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable

    def __repr__(self) -> str:
        return f"DeliveryFailed({self.reason!r}, retryable={self.retryable})"


def sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's published signature, already URL-encoded for the query string.

    string_to_sign = "{timestamp}\\n{secret}"; HMAC-SHA256 keyed with the secret; base64; quote_plus.
    """
    string_to_sign = f"{timestamp_ms}\n{secret}"
    digest = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode("ascii"))


def _check_url(webhook_url: str) -> None:
    """Only DingTalk's robot host over https: a webhook parameter pointing elsewhere (a typo, or someone with
    SSM write access) must not turn the worker into a client of an arbitrary host. The local stage's robots
    (the demo's and the tests' sinks) listen on the loopback interface."""
    if not isinstance(webhook_url, str):
        raise ValueError("webhook URL must be a string")
    parts = urllib.parse.urlsplit(webhook_url)
    try:
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        host, port = "", None
    dingtalk = parts.scheme.lower() == "https" and host == ROBOT_HOST and port in (None, 443)
    loopback = settings.STAGE == "local" and parts.scheme.lower() in ("http", "https") and host in LOOPBACK
    if not (dingtalk or loopback) or parts.username or parts.password:
        # Do not echo the URL: it carries the robot's access token.
        raise ValueError(f"webhook URL must be https://{ROBOT_HOST}/...")


def signed_url(webhook_url: str, secret: str, now_ms: int) -> str:
    """The webhook URL with ``timestamp`` and ``sign`` appended to its query string."""
    _check_url(webhook_url)
    separator = "&" if urllib.parse.urlsplit(webhook_url).query else ("" if webhook_url.endswith("?") else "?")
    return f"{webhook_url}{separator}timestamp={int(now_ms)}&sign={sign(secret, int(now_ms))}"


def text_message(title: str, lines: list[str], at_mobiles: list[str] | None = None) -> dict:
    """A ``text`` message: the title, then one line each. ``at_mobiles`` are @-mentioned (DingTalk only highlights
    a mention whose ``@mobile`` also appears in the content, so it is appended to the last line)."""
    mobiles = [str(m) for m in (at_mobiles or [])]
    content = "\n".join([title, *lines])
    if mobiles:
        content += "\n" + " ".join(f"@{m}" for m in mobiles)
    return {
        "msgtype": "text",
        "text": {"content": content},
        "at": {"atMobiles": mobiles, "isAtAll": False},
    }


_MARKDOWN_SPECIALS = "\\`*_{}[]()#+!|<>~"


def escape_markdown(text: str) -> str:
    """Plain text made safe to put into a markdown message: every character markdown gives a meaning (emphasis,
    links, images, headings, HTML) is backslash-escaped, so the text shows as written and links nothing."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIALS else c for c in text)


def markdown_message(title: str, markdown_text: str) -> dict:
    """A ``markdown`` message; ``title`` is what the chat list and the notification show."""
    return {"msgtype": "markdown", "markdown": {"title": title, "text": markdown_text}}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect of the POST would be replayed as a GET elsewhere: treat it as an HTTP error instead."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D401, ANN001
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def send(webhook_url: str, secret: str | None, message: dict, timeout: float = 5,
         now_ms: int | None = None) -> None:
    """POST ``message`` to the robot. Returns when DingTalk answered errcode 0; raises ``DeliveryFailed`` otherwise.

    ``secret`` None sends unsigned (a robot secured by keywords or IP ranges only). ``ValueError`` for a URL that
    is not https to DingTalk's robot host.
    """
    _check_url(webhook_url)
    if secret:
        url = signed_url(webhook_url, secret, int(time.time() * 1000) if now_ms is None else now_ms)
    else:
        url = webhook_url
    body = json.dumps(message, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with _opener.open(request, timeout=timeout) as response:
            status = response.status
            raw = response.read(_MAX_RESPONSE_BYTES)
    except urllib.error.HTTPError as exc:
        exc.close()
        retryable = exc.code >= 500 or exc.code == 429
        raise DeliveryFailed(f"HTTP {exc.code}", retryable=retryable) from None
    except urllib.error.URLError as exc:
        raise DeliveryFailed(f"connection failed: {_describe(exc.reason)}", retryable=True) from None
    except (OSError, http.client.HTTPException) as exc:  # timeouts while reading, resets, bad status lines
        raise DeliveryFailed(f"connection failed: {_describe(exc)}", retryable=True) from None

    if status != 200:  # other 2xx: DingTalk always answers 200 with a JSON body
        raise DeliveryFailed(f"HTTP {status}", retryable=False)
    try:
        answer = json.loads(raw.decode("utf-8"))
        errcode = int(answer.get("errcode", -1))
    except (ValueError, AttributeError, TypeError):
        raise DeliveryFailed("unexpected response body", retryable=False) from None
    if errcode != 0:
        errmsg = str(answer.get("errmsg", ""))[:200]
        raise DeliveryFailed(f"errcode {errcode}: {errmsg}", retryable=errcode == RATE_LIMIT_ERRCODE)


def _describe(reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return "timed out"
    return f"{type(reason).__name__}: {reason}"[:200]
