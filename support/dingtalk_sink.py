"""A local DingTalk robot endpoint for tests: it checks signatures with its own code, written from DingTalk's
published algorithm (timestamp + "\\n" + secret, HMAC-SHA256 keyed with the secret, base64, URL-encoded),
independently of the module under test.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"
TOKEN = "test-access-token"
TIMEOUT = 0.5
ONE_HOUR_MS = 3600 * 1000


def expected_sign(secret: str, timestamp: str) -> str:
    """DingTalk's documented algorithm, unencoded (the sink compares after parsing the query string)."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}\n{secret}".encode("utf-8"), digestmod=hashlib.sha256)
    return base64.b64encode(mac.digest()).decode("ascii")


class Sink:
    """Records requests; answers like DingTalk (or with a scripted status / errcode)."""

    def __init__(self, secret: str):
        self.secret = secret
        self.requests: list[dict] = []
        self.status = 200
        self.reply: dict | None = None  # overrides the verdict when set
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                parsed = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(parsed.query)
                sink.requests.append({"path": parsed.path, "query": query, "headers": dict(self.headers),
                                      "body": body})
                if sink.status != 200:
                    self._answer(sink.status, {"errcode": -1, "errmsg": "unavailable"})
                    return
                self._answer(200, sink.reply or sink.verdict(query))

            def _answer(self, status, payload):
                data = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/robot/send?access_token={TOKEN}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    def verdict(self, query: dict) -> dict:
        if query.get("access_token") != [TOKEN]:
            return {"errcode": 300001, "errmsg": "token is not exist"}
        timestamps, signs = query.get("timestamp", []), query.get("sign", [])
        if len(timestamps) != 1 or len(signs) != 1 or not timestamps[0].isdigit():
            return {"errcode": 310000, "errmsg": "sign not match"}
        if abs(int(time.time() * 1000) - int(timestamps[0])) > ONE_HOUR_MS:
            return {"errcode": 310000, "errmsg": "timestamp is out of range"}
        if not hmac.compare_digest(signs[0], expected_sign(self.secret, timestamps[0])):
            return {"errcode": 310000, "errmsg": "sign not match"}
        return {"errcode": 0, "errmsg": "ok"}

    def start(self) -> "Sink":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=2)

    def messages(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests]
