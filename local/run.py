"""`make run`: the whole stack on 127.0.0.1 — embedded AWS, tables, demo data, `chalice local`, the worker.

Three processes: this one serves the embedded AWS (moto); the API (local/api_server.py) and the worker with the outbox
relay (local/worker.py) run apart, so neither's work holds the interpreter the others need.
Ctrl-C (or SIGTERM) stops everything and leaves no process behind.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE = Path(os.environ.get("GRIDLOOP_STATE_DIR", ROOT / ".local"))
API_PORT = int(os.environ.get("API_PORT", "8000"))
AWS_PORT = int(os.environ.get("AWS_PORT", "5100"))
REGION = "cn-northwest-1"
TABLE_PREFIX = "gridloop-local-"


def local_environment(aws_url: str, issuer) -> dict:
    from local.moto_server import client_environment
    return {**client_environment(aws_url, REGION),
            **issuer.environment(), "STAGE": "local", "TABLE_PREFIX": TABLE_PREFIX, "COUNTY": "demo",
            "LOCAL_SECRETS_FILE": str(STATE / "secrets.json"),
            # EMF metric lines are for CloudWatch; locally they would drown the log (GRIDLOOP_METRICS=1 shows them)
            "POWERTOOLS_METRICS_DISABLED": "false" if os.environ.get("GRIDLOOP_METRICS") else "true"}


def main() -> int:
    from local.collector import keep_pauses_short
    from local.issuer import LocalIssuer
    from local.moto_server import EmbeddedAWS

    issuer = LocalIssuer(STATE).ensure_keys()
    aws = EmbeddedAWS(AWS_PORT).start()
    env = local_environment(aws.url, issuer)
    os.environ.update(env)

    from chalicelib import county_config
    from local.aws_resources import create_all
    from local.seed import load_households, load_people

    resources_env = create_all(aws.url)
    os.environ.update(resources_env)
    env.update(resources_env)
    config = county_config.load("demo")
    people = load_people(config)
    from datetime import datetime, timezone
    households = load_households(config, people, datetime.now(timezone.utc))
    from local.seed import stock_supermarkets
    stock_supermarkets(config, people, 20)   # opening stock for the demo supermarkets
    print(f"Loaded the demo county: {len(config.jurisdiction.nodes)} nodes, "
          f"{len(config.jurisdiction.departments)} departments, {len(people['users'])} users, "
          f"{households} households.", flush=True)

    keep_pauses_short()   # this process serves the embedded AWS: moto's data stays, its pauses must not grow
    child_env = {**os.environ, **env}
    worker = subprocess.Popen([sys.executable, "-m", "local.worker"], cwd=ROOT, env=child_env)
    # `chalice local --no-autoreload`, warmed up, answering like API Gateway where Chalice's server does not
    api = subprocess.Popen([sys.executable, "-m", "local.api_server", "--host", "127.0.0.1", "--port", str(API_PORT),
                            "--stage", "local"], cwd=ROOT, env=child_env)
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        _wait_until_up(f"http://127.0.0.1:{API_PORT}/health", api)
        tokens = {u["user_id"]: issuer.token(u) for u in people["users"]}
        (STATE / "tokens.json").write_text(json.dumps({"api": f"http://127.0.0.1:{API_PORT}",
                                                       "users": people["users"], "tokens": tokens}, indent=1))
        _print_banner(people, tokens)
        while not stopping and api.poll() is None and worker.poll() is None:
            time.sleep(0.5)
    finally:
        for child in (api, worker):
            if child.poll() is None:
                child.terminate()
        for child in (api, worker):
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        aws.stop()
        print("\nGridloop local stack stopped.", flush=True)
    return 0 if stopping else (api.returncode or worker.returncode or 1)


def _wait_until_up(url: str, process, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"chalice local exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the API did not answer at {url} within {timeout:.0f} s")


BANNER_USERS = ("gm-yks-01", "station-yks", "dispatcher-rq", "dept-rq-agri", "evaluator-yks", "clerk-yks",
                "leader-rq", "admin-bz")  # the people of the article's irrigation case first


def _print_banner(people: dict, tokens: dict) -> None:
    first_of_role = {}
    for u in sorted(people["users"], key=lambda u: u["user_id"] not in BANNER_USERS):
        first_of_role.setdefault(u["role"], u)
    print(f"\nGridloop is running at http://127.0.0.1:{API_PORT}  (OpenAPI: /openapi.json)\n", flush=True)
    print("A ready token for each demo role (all users' tokens: .local/tokens.json):")
    for role, u in first_of_role.items():
        where = u.get("grid") or u.get("department") or u.get("node") or ""
        print(f"\n# {role}: {u['user_id']} {u.get('name', '')} [{where}]")
        print(f"export TOKEN_{role.upper()}={tokens[u['user_id']]}")
    print("\nExample:\n  curl -H \"Authorization: Bearer $TOKEN_GRID_MEMBER\" http://127.0.0.1:%d/cases/mine" % API_PORT)
    print("Ctrl-C stops everything.\n", flush=True)


if __name__ == "__main__":
    sys.exit(main())
