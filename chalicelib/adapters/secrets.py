"""Notification targets by reference: a department's DingTalk robot (webhook URL + signing secret).

In the cloud each is an SSM SecureString `/gridloop/<deployment>/dingtalk/<department>` holding
{"url": ..., "secret": ...}, put by the county admin (CloudFormation cannot create SecureStrings; see
docs/deploy.md). Locally (stage `local` only) they come from the untracked JSON file LOCAL_SECRETS_FILE:
{"dingtalk": {"<department>": {"url": ..., "secret": ...}}}. Cached per container for five minutes.
"""
from __future__ import annotations

import json
import os
import time

from chalicelib import environment, settings
from chalicelib.adapters.aws import client

CACHE_SECONDS = 300
_cache: dict[str, tuple[float, dict | None]] = {}


def parameter_name(department: str, county: str | None = None) -> str:
    """The robot's parameter; the CDK stack grants `parameter_name("*", county)` to the worker."""
    return f"/gridloop/{county or os.environ.get(environment.COUNTY, 'demo')}/dingtalk/{department}"


def dingtalk_target(department: str) -> dict | None:
    cached = _cache.get(department)
    if cached and cached[0] > time.time():
        return cached[1]
    target = _local(department) if settings.STAGE == "local" else _ssm(department)
    _cache[department] = (time.time() + CACHE_SECONDS, target)
    return target


def forget() -> None:
    _cache.clear()


def _local(department: str) -> dict | None:
    path = os.environ.get(environment.LOCAL_SECRETS_FILE, "")
    if not path or not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f).get("dingtalk", {}).get(department)


def _ssm(department: str) -> dict | None:
    ssm = client("ssm")
    try:
        value = ssm.get_parameter(Name=parameter_name(department), WithDecryption=True)["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        return None
    return json.loads(value)
