"""The API of `make run`: `chalice local --no-autoreload`, through Chalice's own local server, warmed up first.

    python -m local.api --port 8000

What `chalice local` leaves to the first requests, which then stall for seconds when several arrive at once:
- the AWS clients. PynamoDB gives every table model its own botocore session, and each session loads and parses
  botocore's endpoint and DynamoDB model files again (16 models); the app's boto3 clients each have their own
  session too. Created here, before the server takes its first request.
- the modules the app imports on first use (kept out of Lambda cold starts): imported here.
Then the collector is set to keep its pauses short (local/collector.py).
"""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--stage", default="local")
    args = parser.parse_args()
    from chalice.cli import create_local_server
    from chalice.cli.factory import CLIFactory
    os.environ["AWS_CHALICE_CLI_MODE"] = "true"       # as the `chalice` command does
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")   # as `chalice local` does
    server = create_local_server(CLIFactory(project_dir=str(ROOT), environ=os.environ), args.host, args.port,
                                 args.stage)
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
