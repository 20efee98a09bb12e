"""Fixtures for the tiers that use the embedded AWS (moto server on 127.0.0.1)."""
import os

import pytest

from local.moto_server import EmbeddedAWS, client_environment


@pytest.fixture(scope="session")
def aws():
    server = EmbeddedAWS().start()
    os.environ.update(client_environment(server.url, os.environ["AWS_DEFAULT_REGION"]))
    yield server
    server.stop()


@pytest.fixture
def tables(aws):
    """Fresh, empty tables for each test."""
    from chalicelib.adapters.models import create_tables
    aws.reset()
    create_tables()
    yield aws
