"""The embedded AWS as `make run` starts it, for the tests and the benchmarks that run the app in their own process.

The app reads its environment at import (PynamoDB takes table names from it, `settings` the stage), so such a
process first sets `app_environment(...)`, then imports the app. `LocalAWS().start()` serves moto on 127.0.0.1
and points every client of the process at it; `create_resources()` creates the deployment's tables, queues,
state machine, bucket and topic (local/aws_resources.py) and sets the variables the app finds them by.
Importing this module starts nothing.
"""
from __future__ import annotations

import os

from chalicelib import environment

REGION = "cn-northwest-1"


def app_environment(*, prefix: str = environment.LOCAL_PREFIX, county: str = "demo", issuer=None) -> dict:
    """The local stage of `county` with resource names starting with `prefix`, in the local region, with stand-in
    credentials (moto takes any) and, given a `local.issuer.LocalIssuer`, its key as the trusted issuer."""
    env = {**environment.deployment_variables(stage="local", county=county, prefix=prefix),
           "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION,
           "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
    if issuer is not None:
        env.update(issuer.environment())
    return env


class LocalAWS:
    """moto's server on a free port of 127.0.0.1 (local/moto_server.py), serving this process's clients."""

    def __init__(self):
        from local.moto_server import EmbeddedAWS
        self.server = EmbeddedAWS()
        self.url = self.server.url

    def start(self) -> "LocalAWS":
        from local.moto_server import client_environment
        self.server.start()
        os.environ.update(client_environment(self.url, os.environ.get("AWS_DEFAULT_REGION", REGION)))
        return self

    @property
    def dynamodb(self):
        """The server's DynamoDB application (local data hooks its `after_request`)."""
        return self.server.dynamodb

    def create_tables(self) -> None:
        from chalicelib.adapters.models import create_tables
        create_tables()

    def create_resources(self) -> dict:
        """Every resource of the deployment, as `make run` creates them; returns (and sets) their variables."""
        from local.aws_resources import create_all
        found = create_all(self.url)
        os.environ.update(found)
        return found

    def reset(self) -> None:
        """Forget every resource."""
        self.server.reset()

    def stop(self) -> None:
        self.server.stop()
