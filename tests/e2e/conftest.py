import json

import pytest

from tests.aws import aws, stack, tables  # noqa: F401


@pytest.fixture(autouse=True)
def _calls_checked(grant_check, transaction_tokens):
    """Every AWS call the app's functions make here is checked against their grants (support/grants.py), and
    every transaction for a token of its own (support/transactions.py)."""


@pytest.fixture
def api(stack, issuer, users):
    """HTTP through chalice.test.Client, as a named demo user."""
    from chalice.test import Client
    from app import app

    class Api:
        def __init__(self, client):
            self.client = client
            self.users = users

        def token(self, user_id):
            return issuer.token(users[user_id])

        def call(self, user_id, method, path, body=None, headers=None, raw=None):
            h = {"Content-Type": "application/json"}
            if user_id:
                h["Authorization"] = f"Bearer {issuer.token(users[user_id])}"
            h.update(headers or {})
            payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
            response = self.client.http.request(method, path, headers=h, body=payload)
            return response.status_code, (json.loads(response.body) if response.body else None)

    with Client(app) as client:
        yield Api(client)


import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from local.moto_server import free_port  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def _announced(state, process) -> bool:
    try:
        return json.loads((state / "stack.json").read_text())["pid"] == process.pid
    except (OSError, ValueError, KeyError):
        return False


@pytest.fixture(scope="module")
def local_stack(tmp_path_factory, grant_check):
    """`make run` for real, on free ports, once per test module; its API server and worker check their calls
    against the grants too (support/boot/sitecustomize.py)."""
    from support.pytest_plugin import watch
    state = tmp_path_factory.mktemp("state")
    api_port, aws_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AUTH_", "TABLE_", "MOTO_"))}
    env.update({"API_PORT": str(api_port), "AWS_PORT": str(aws_port), "GRIDLOOP_STATE_DIR": str(state),
                "PYTHONPATH": str(ROOT / "support" / "boot"), "GRIDLOOP_GRANTS_SINK": str(state / "grants"),
                "GRIDLOOP_TEMPLATE": str(grant_check.template_path)})
    watch(state / "grants")
    log = open(state / "stack.log", "w")   # a file, not a pipe: a full pipe would block the server
    process = subprocess.Popen([sys.executable, "-m", "local.run"], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 90
    while not _announced(state, process):   # stack.json is written after tokens.json: both are complete then
        if process.poll() is not None or time.time() > deadline:
            process.kill()
            pytest.fail(f"the local stack did not start:\n{(state / 'stack.log').read_text()}")
        time.sleep(0.2)
    yield {"process": process, "state": state, "api": f"http://127.0.0.1:{api_port}", "ports": (api_port, aws_port)}
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)


