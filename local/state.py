"""Where `make run` keeps what it writes on this machine (untracked, under `.local/` unless GRIDLOOP_STATE_DIR says
otherwise), and the file that tells the other commands where the running stack answers.

    .local/signing-key.pem, jwks.json   the local token issuer's key (kept, so printed tokens stay valid)
    .local/tokens.json                  a token per demo person, written once the API answers
    .local/stack.json                   the running stack: URLs, county, pid (removed when it stops)
    .local/secrets.json                 webhook secrets, written by hand (docs/deploy.md)
    .local/data/<county>/               the county's local data (local/persistence.py); `make reset` deletes it
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from chalicelib import environment

ROOT = Path(__file__).resolve().parent.parent


def state_dir() -> Path:
    return Path(os.environ.get("GRIDLOOP_STATE_DIR", ROOT / ".local"))


def tokens_file() -> Path:
    return state_dir() / "tokens.json"


def stack_file() -> Path:
    return state_dir() / "stack.json"


def data_dir(county: str) -> Path:
    return state_dir() / "data" / county


def running_stack() -> dict | None:
    """What the running `make run` wrote about itself, or None when no stack has said it is running here."""
    try:
        return json.loads(stack_file().read_text())
    except (OSError, ValueError):
        return None


def not_running_message() -> str:
    return "Gridloop is not running here: start it with `make run` (in another terminal), then try again."


def client_environment(stack: dict) -> dict:
    """The environment that points the app's own adapters (PynamoDB, boto3) at a running stack's embedded AWS."""
    return {"AWS_ENDPOINT_URL": stack["aws"], "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": stack["region"], "AWS_REGION": stack["region"],
            **environment.deployment_variables(stage="local", county=stack["county"], prefix=stack["table_prefix"])}
