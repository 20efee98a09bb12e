"""boto3 clients, created lazily once per container and shared (Chalice's sample-app pattern)."""
import functools

import boto3
from botocore.config import Config

from chalicelib import settings

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=3, read_timeout=10,
                 signature_version="s3v4")


@functools.lru_cache(maxsize=None)
def client(service: str):
    return boto3.session.Session().client(service, region_name=settings.REGION, config=_CONFIG)
