"""Shared test setup. The environment is set before any app import: PynamoDB reads table names at import."""
import os
import tempfile
from pathlib import Path

import pytest

from local.issuer import LocalIssuer
from support import calls
from support.local_aws import app_environment

ISSUER = LocalIssuer(Path(tempfile.mkdtemp(prefix="gridloop-test-keys-"))).ensure_keys()
os.environ.update(app_environment(prefix="gridloop-test-", issuer=ISSUER))
calls.install()   # before any botocore client exists: every AWS call is recorded (support/calls.py)
pytest_plugins = ["support.pytest_plugin"]   # a call without a grant fails its test (docs/security.md)


@pytest.fixture(scope="session")
def issuer():
    return ISSUER


@pytest.fixture(scope="session")
def config():
    from chalicelib import county_config
    return county_config.load("demo")


@pytest.fixture(scope="session")
def people(config):
    from local.seed import load_people
    return load_people(config)


@pytest.fixture(scope="session")
def users(people):
    return {u["user_id"]: u for u in people["users"]}
