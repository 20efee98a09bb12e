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


@pytest.fixture
def stack(aws):
    """Fresh tables, queues, state machine, bucket and topic, as `make run` creates them."""
    from local.aws_resources import create_all
    aws.reset()
    env = create_all(aws.url)
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    yield env
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
