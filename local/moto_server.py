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
    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB"):
            with self.lock:
                return list(self.app(environ, start_response))  # the whole response inside the lock
        return self.app(environ, start_response)


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

    def start(self) -> "EmbeddedAWS":
        os.environ["MOTO_PORT"] = str(self.port)  # moto's Step Functions calls back through it
        moto_transactions.install()
        app = SerialisedDynamoDB(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(HOST, self.port, app, threaded=True, request_handler=QuietHandler)
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
