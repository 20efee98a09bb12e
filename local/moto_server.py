"""The embedded AWS: moto's server on 127.0.0.1, with DynamoDB requests serialised.

moto gives transactions no isolation (it restores what a cancelled transaction touched, with no lock), so
concurrent DynamoDB requests from the API, workers and relay could erase each other's commits. One lock around
every request whose X-Amz-Target starts with "DynamoDB" prevents it; under that lock a transaction's rollback
needs only the items it touches (local/moto_transactions.py), not copies of whole tables.
"""
from __future__ import annotations

import os
import socket
import threading

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import WSGIRequestHandler, make_server

from local import moto_transactions

HOST = "127.0.0.1"


class SerialisedDynamoDB:
    """`after_request(succeeded)`, when set, runs inside the lock once a DynamoDB request has its answer (the
    local data's journal writes what the request changed: local/dynamo_journal.py)."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.after_request = None

    def __call__(self, environ, start_response):
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB"):
            return self.app(environ, start_response)
        status = []

        def recording_start_response(code, headers, *args):
            status.append(code)
            return start_response(code, headers, *args)

        with self.lock:
            answer = list(self.app(environ, recording_start_response))  # the whole response inside the lock
            if self.after_request:
                self.after_request(bool(status) and status[0].startswith("200"))
            return answer


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # one line per AWS call would drown the API's own log
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class EmbeddedAWS:
    """Start with `start()`, stop with `stop()`; `url` is the endpoint every client uses."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://{HOST}:{self.port}"
        self._server = None
        self._thread = None
        self.dynamodb: SerialisedDynamoDB | None = None

    def start(self) -> "EmbeddedAWS":
        os.environ["MOTO_PORT"] = str(self.port)  # moto's Step Functions calls back through it
        moto_transactions.install()
        self.dynamodb = SerialisedDynamoDB(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(HOST, self.port, self.dynamodb, threaded=True, request_handler=QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def reset(self) -> None:
        """Forget every resource (tests)."""
        import urllib.request
        urllib.request.urlopen(urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")).read()


def client_environment(url: str, region: str) -> dict:
    """Environment that points boto3, botocore and PynamoDB at the embedded AWS."""
    return {"AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": region, "AWS_REGION": region}
