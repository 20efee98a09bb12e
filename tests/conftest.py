"""Shared test setup. The environment is set before any app import: PynamoDB reads table names at import."""
import os
import tempfile
from pathlib import Path

_KEYS = Path(tempfile.mkdtemp(prefix="gridloop-test-keys-"))
os.environ.update({
    "STAGE": "local", "TABLE_PREFIX": "gridloop-test-", "COUNTY": "demo",
    "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "cn-northwest-1", "AWS_REGION": "cn-northwest-1",
})

from support import calls  # noqa: E402

calls.install()   # before any botocore client exists: every AWS call is recorded (support/calls.py)
pytest_plugins = ["support.pytest_plugin"]   # a call without a grant fails its test (docs/security.md)

import pytest  # noqa: E402

from local.issuer import LocalIssuer  # noqa: E402

ISSUER = LocalIssuer(_KEYS).ensure_keys()
os.environ.update(ISSUER.environment())


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
