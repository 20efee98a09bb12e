"""Fixtures for the tiers that use the embedded AWS (moto server on 127.0.0.1; support/local_aws.py)."""
import os

import pytest

from support.local_aws import LocalAWS


@pytest.fixture(scope="session")
def aws():
    server = LocalAWS().start()
    yield server
    server.stop()


@pytest.fixture
def tables(aws):
    """Fresh, empty tables for each test."""
    aws.reset()
    aws.create_tables()
    yield aws


@pytest.fixture
def stack(aws):
    """Fresh tables, queues, state machine, bucket and topic, as `make run` creates them."""
    aws.reset()
    saved = dict(os.environ)
    env = aws.create_resources()
    yield env
    for name in env:
        if name in saved:
            os.environ[name] = saved[name]
        else:
            os.environ.pop(name, None)
