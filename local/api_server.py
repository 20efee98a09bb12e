"""`chalice local` for `make run`: warmed up before its first request, and answering what API Gateway answers
itself in the API's one error shape.

What `chalice local` leaves to the first requests, which then stall for seconds when several arrive at once, is
done before the server takes one (`warm_up`): import the app's modules (those kept off Lambda cold starts too)
and create its AWS clients (PynamoDB gives every table model its own botocore session, each parsing botocore's
endpoint and model files again). Then the collector is set to keep its pauses short (local/collector.py).

Chalice's development server is used as it is (same app loading, stage environment and routing), with a request
handler that differs where API Gateway does (chalicelib/api/gateway_answers.py):
- an unknown route: 404 `not_found`, never Chalice's 403 "Missing Authentication Token" that repeats the
  Authorization header (a bearer token) in its body;
- a body over API Gateway's 10 MB quota: 413 `payload_too_large`, refused before it is read;
- OPTIONS (no route defines it): 404, where Chalice would answer a CORS preflight itself.
The app itself answers an undefined method (404) and an unsupported Content-Type (415) the same in both places.
Not reproduced here: throttling (429), integration failures and timeouts (502/504): docs/api.md.

    python -m local.api_server --port 8000     # what local/run.py starts
"""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import sys
from pathlib import Path

from chalice.local import ChaliceRequestHandler, CustomLocalChalice, LocalChalice, LocalDevServer, \
    LocalGatewayException, ThreadedHTTPServer

ROOT = Path(__file__).resolve().parent.parent


class GatewayAnswersHandler(ChaliceRequestHandler):
    def _generic_handle(self) -> None:
        from chalicelib.api.gateway_answers import GATEWAY_RESPONSES, MAX_REQUEST_BYTES
        try:
            length = int(self.headers.get("content-length", "0"))
        except ValueError:
            length = 0
        if length > MAX_REQUEST_BYTES:
            self.close_connection = True          # the body is never read
            self._answer(GATEWAY_RESPONSES["REQUEST_TOO_LARGE"], 413)
            return
        if self.command == "OPTIONS":   # Chalice answers a CORS preflight itself; no route here defines OPTIONS
            self._read_body()
            self._answer(GATEWAY_RESPONSES["MISSING_AUTHENTICATION_TOKEN"], 404)
            return
        super()._generic_handle()

    def _read_body(self) -> None:
        length = int(self.headers.get("content-length", "0") or 0)
        if length > 0:
            self.rfile.read(length)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle   # Chalice binds them

    def _send_error_response(self, error: LocalGatewayException) -> None:
        """Chalice's gateway raises these for a path no route matches (and for authorizers, which this app has
        none of: its one HTTP middleware checks tokens)."""
        from chalicelib.api.gateway_answers import GATEWAY_RESPONSES
        kind = "MISSING_AUTHENTICATION_TOKEN" if error.CODE == 403 else \
            ("DEFAULT_5XX" if error.CODE >= 500 else "DEFAULT_4XX")
        self._answer(GATEWAY_RESPONSES[kind], error.CODE)

    def _answer(self, answer, fallback_status: int) -> None:
        headers = {"Content-Type": "application/json"}
        if answer.retry_after_seconds:
            headers["Retry-After"] = str(answer.retry_after_seconds)
        self._send_http_response(answer.status or fallback_status, headers, answer.body())


class StageFillsIn:
    """The environment as Chalice's factory updates it with the stage's variables (.chalice/config.json): they
    fill in what `make run` did not set, and never replace what it did (COUNTY, in the first place)."""

    def __init__(self, environ):
        self.environ = environ

    def update(self, values) -> None:
        for name, value in values.items():
            self.environ.setdefault(name, value)


class BurstServer(ThreadedHTTPServer):
    """Chalice's threaded server with a longer listen queue than socketserver's 5: when many clients connect at
    the same moment (all of them again after a restart) while the server is busy, none is reset."""
    request_queue_size = 128

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return      # the client hung up before its answer was written: nothing to print a traceback about
        super().handle_error(request, client_address)


def create_server(host: str, port: int, stage: str = "local") -> LocalDevServer:
    """What `chalice local --stage <stage>` creates, with the handler above."""
    from chalice.cli.factory import CLIFactory
    from chalice.deploy.validate import validate_routes
    factory = CLIFactory(str(ROOT), environ=StageFillsIn(os.environ))
    config = factory.create_config_obj(chalice_stage_name=stage)
    app = config.chalice_app
    validate_routes(app.routes)
    CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
    app.__class__ = CustomLocalChalice
    from local.console_server import ConsoleHandler   # compression and the local sign-in (the web console)
    return LocalDevServer(app, config, host, port, handler_cls=ConsoleHandler, server_cls=BurstServer)


def warm_up() -> None:
    """What the app would otherwise do in its first requests: import its modules, create its AWS clients."""
    import chalicelib
    for module in pkgutil.walk_packages(chalicelib.__path__, "chalicelib."):
        importlib.import_module(module.name)
    from chalicelib.adapters import aws, dynamo, models
    for model in models.ALL_MODELS:
        model._get_connection().connection.client     # PynamoDB: one session and client per model
    dynamo.connection().client                        # the unit of work's transactions and batch reads
    for service in ("sqs", "s3", "stepfunctions", "sns"):
        aws.client(service)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--stage", default="local")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")   # as `chalice local`
    for chatty in ("botocore", "pynamodb"):     # "Found credentials in environment variables." per client
        logging.getLogger(chatty).setLevel(logging.WARNING)
    from local import drill
    drill.switch_on_from_environment()
    server = create_server(args.host, args.port, args.stage)
    warm_up()
    from local.collector import keep_pauses_short
    keep_pauses_short()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
