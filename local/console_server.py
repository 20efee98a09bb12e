"""The local API server's request handler for the web console: what API Gateway does for it in the cloud, and the
local stage's sign-in.

- compression as the REST API's MinimumCompressionSize (infra/console.py): an answer of at least
  MINIMUM_COMPRESSION_BYTES goes out gzipped to a client that accepts gzip, so `make run` measures what a deployed
  stage sends (bench/console_load.py);
- `/local-issuer/…`: the demo people's sign-in (local/sign_in.py), beside the app and never part of it.
"""
from __future__ import annotations

import gzip

from chalicelib.api.gateway_answers import MINIMUM_COMPRESSION_BYTES
from local.api_server import GatewayAnswersHandler
from local.sign_in import PREFIX, LocalSignIn

MAX_FORM_BYTES = 64 * 1024


class ConsoleHandler(GatewayAnswersHandler):
    sign_in: LocalSignIn | None = None

    def _generic_handle(self) -> None:
        if self.path.startswith(PREFIX):
            self._sign_in()
            return
        super()._generic_handle()

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle

    def _sign_in(self) -> None:
        if ConsoleHandler.sign_in is None:
            ConsoleHandler.sign_in = LocalSignIn.from_environment()
        length = int(self.headers.get("content-length", "0") or 0)
        if ConsoleHandler.sign_in is None or length > MAX_FORM_BYTES:
            self.close_connection = True
            self._send_http_response(404 if length <= MAX_FORM_BYTES else 413, {"Content-Type": "application/json"},
                                     '{"error": "not_found"}')
            return
        body = self.rfile.read(length) if length else b""
        answer = ConsoleHandler.sign_in.handle(self.command, self.path, self.headers.get("host", ""), body)
        self._send_http_response(answer.status, dict(answer.headers), answer.body)

    def _send_http_response_with_body(self, code, headers, body) -> None:
        data = body if isinstance(body, bytes) else body.encode("utf-8")
        accepts = "gzip" in (self.headers.get("accept-encoding") or "").lower()
        if accepts and len(data) >= MINIMUM_COMPRESSION_BYTES and not any(
                k.lower() == "content-encoding" for k in headers):
            data = gzip.compress(data, compresslevel=6, mtime=0)
            headers["Content-Encoding"] = "gzip"
        super()._send_http_response_with_body(code, headers, data)
