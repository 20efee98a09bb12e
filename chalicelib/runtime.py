"""What the entrypoints wire together, created lazily once per container: config, unit of work, clock."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from chalicelib import county_config


def config() -> county_config.Deployment:
    return county_config.load()


def new_uow():
    from chalicelib.adapters.unit_of_work import DynamoUnitOfWork   # imported on first use, not at every cold start
    return DynamoUnitOfWork()


def access_log():
    from chalicelib.adapters.access_log import DynamoAccessLog
    return DynamoAccessLog()


def user_directory():
    """The stack's user pool (None: this stage has none, e.g. the local stack or an external issuer)."""
    import os
    from chalicelib import environment
    pool = os.environ.get(environment.USER_POOL_ID)
    if not pool:
        return None
    from chalicelib.adapters.cognito_users import CognitoUsers
    return CognitoUsers(pool)


def photo_store():
    from chalicelib.adapters.photo_store import S3PhotoStore
    return S3PhotoStore()


clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
