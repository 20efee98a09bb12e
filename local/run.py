"""`make run`: the whole stack on 127.0.0.1 — embedded AWS, tables, the county's people, `chalice local`, the worker.

Three processes: this one serves the embedded AWS (moto) and keeps its data on disk (local/persistence.py); the
API (local/api_server.py) and the worker with the outbox relay (local/worker.py) run apart, so neither's work
holds the interpreter the others need. Ctrl-C (or SIGTERM) stops everything and leaves no process behind.

Settings (environment; the Makefile passes its variables of the same names):
    COUNTY=demo            the deployment: chalicelib/counties/<COUNTY>.yaml
    API_PORT=8000          the API;  AWS_PORT=5100  the embedded AWS (both checked before anything starts)
    DRILL=1                deadlines in compressed time (local/drill.py); DRILL_DAY_SECONDS=60
    GRIDLOOP_STATE_DIR     where local files live (default .local/; local/state.py)
    GRIDLOOP_DATA=memory   keep nothing on disk (to measure what keeping costs)
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

from chalicelib import environment   # names only: nothing of the app's settings is read at import
from local import ports, state

ROOT = Path(__file__).resolve().parent.parent
API_PORT = int(os.environ.get("API_PORT") or "8000")
AWS_PORT = int(os.environ.get("AWS_PORT") or "5100")
REGION = "cn-northwest-1"     # the embedded AWS's region, whatever the county deploys to


def local_environment(aws_url: str, issuer, county: str, drill_seconds: float | None) -> dict:
    from local import drill
    from local.moto_server import client_environment
    env = {**client_environment(aws_url, REGION), **issuer.environment(),
           **environment.deployment_variables(stage="local", county=county, prefix=environment.LOCAL_PREFIX),
           environment.LOCAL_SECRETS_FILE: str(state.state_dir() / "secrets.json"),
           # EMF metric lines are for CloudWatch; locally they would drown the log (GRIDLOOP_METRICS=1 shows them)
           "POWERTOOLS_METRICS_DISABLED": "false" if os.environ.get("GRIDLOOP_METRICS") else "true",
           "TZ": "UTC"}   # moto's Step Functions compares a Wait's UTC timestamp with the local wall clock
    if drill_seconds:
        env[drill.VARIABLE] = str(drill_seconds)
    return env


def known_counties() -> list[str]:
    """(Read from the directory, not through chalicelib: its settings must not be imported before the
    environment below is set.)"""
    return sorted(p.stem for p in (ROOT / "chalicelib" / "counties").glob("*.yaml"))


def preflight(county: str) -> float | None:
    """Everything that can refuse a start, before anything is printed or written. Returns the drill's day."""
    taken = ports.problems({"API_PORT": API_PORT, "AWS_PORT": AWS_PORT})
    if taken:
        raise SystemExit("\n".join(taken))
    if county not in known_counties():
        raise SystemExit(f"No county configuration named {county!r}. The deployments that exist: "
                         f"{', '.join(known_counties())} (chalicelib/counties/<name>.yaml).")
    from local import drill
    return drill.day_seconds_from_make()


def reset(county: str) -> int:
    """`make reset`: delete the county's local data (refused while a stack runs on it)."""
    from local.persistence import InUse, reset as delete
    directory = state.data_dir(county)
    try:
        deleted = delete(directory)
    except InUse as busy:
        raise SystemExit(f"{busy}: stop it (Ctrl-C) before `make reset`.")
    print(f"Deleted {_shown(directory)}: the next `make run` starts {county} from its seed." if deleted else
          f"No local data for {county} ({_shown(directory)}): the next `make run` starts from its seed.")
    return 0


def main(argv: list[str] | None = None) -> int:
    county = os.environ.get(environment.COUNTY) or "demo"
    if "--reset" in (sys.argv[1:] if argv is None else argv):
        return reset(county)
    drill_seconds = preflight(county)
    os.environ["TZ"] = "UTC"
    time.tzset()

    from local.persistence import InUse, LocalData
    data = LocalData(state.data_dir(county), REGION, kept=os.environ.get("GRIDLOOP_DATA") != "memory")
    try:
        data.lock()
    except InUse as busy:
        raise SystemExit(f"{busy}. Stop it first, or run this one elsewhere: GRIDLOOP_STATE_DIR=<dir> make run")

    from local.collector import keep_pauses_short
    from local.issuer import LocalIssuer
    from local.moto_server import EmbeddedAWS

    issuer = LocalIssuer(state.state_dir()).ensure_keys()
    aws = EmbeddedAWS(AWS_PORT).start()
    env = local_environment(aws.url, issuer, county, drill_seconds)
    os.environ.update(env)
    from local import drill
    drill.switch_on_from_environment()

    try:
        people = _prepare(aws, data, county, env)
    except BaseException:
        aws.stop()
        raise
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
        _wait_until_up(f"http://127.0.0.1:{API_PORT}/health", api, lambda: stopping)
        if not stopping:
            _announce(issuer, people, county, aws.url, drill_seconds, data)
        while not stopping and api.poll() is None and worker.poll() is None:
            time.sleep(0.2)
    finally:
        began = time.perf_counter()
        state.stack_file().unlink(missing_ok=True)
        for child in (api, worker):
            if child.poll() is None:
                child.terminate()
        for child in (api, worker):
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        data.stop()
        aws.stop()
        if data.kept and data.journal.lines:
            print(f"local data: {data.journal.lines} writes journaled ({data.journal.bytes / 2**20:.1f} MB), "
                  f"{1000 * data.journal.seconds / data.journal.lines:.2f} ms each on average", flush=True)
        kept = f"its data is kept in {_shown(data.directory)} (`make reset` starts over)" if data.kept else \
            "its data was in memory only"
        print(f"\nGridloop local stack stopped in {time.perf_counter() - began:.1f} s; {kept}.", flush=True)
    return 0 if stopping else (api.returncode or worker.returncode or 1)


def _prepare(aws, data, county: str, env: dict) -> dict:
    """Resources, the kept data put back, the seed (first start only), the open cases' timers started again."""
    from chalicelib import county_config
    from local import timers
    from local.aws_resources import create_all
    from local.seed import load_households, people_for, stock_supermarkets

    config = county_config.load(county)
    people, source = people_for(config)
    resources_env = create_all(aws.url)
    os.environ.update(resources_env)
    env.update(resources_env)
    restoring = time.perf_counter()
    restored = data.restore()
    restore_seconds = time.perf_counter() - restoring
    data.start()
    if data.kept:
        aws.dynamodb.after_request = data.journal.request_done
    if data.seeded:
        print(f"Loaded {config.name}: {len(config.jurisdiction.nodes)} nodes, "
              f"{len(config.jurisdiction.departments)} departments, {len(people['users'])} users ({source}); "
              f"kept data from {_shown(data.directory)}: {restored.items} items, {restored.objects} photos, "
              f"{restored.messages} queued messages (restored in {restore_seconds:.1f} s).", flush=True)
    else:
        from datetime import datetime, timezone

        households = load_households(config, people, datetime.now(timezone.utc))
        stock_supermarkets(config, 20)   # opening stock for the supermarkets
        data.mark_seeded()
        kept = f"data kept in {_shown(data.directory)}" if data.kept else "data in memory only (GRIDLOOP_DATA=memory)"
        print(f"Loaded {config.name}: {len(config.jurisdiction.nodes)} nodes, "
              f"{len(config.jurisdiction.departments)} departments, {len(people['users'])} users ({source}), "
              f"{households} households; {kept}.", flush=True)
    started = timers.rearm(config)
    if started:
        print(f"Started again the {started} timer(s) of the open cases (a deadline passed meanwhile fires now).",
              flush=True)
    return people


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd())) + "/"
    except ValueError:
        return str(path) + "/"


def _wait_until_up(url: str, process, stopping, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline and not stopping():
        if process.poll() is not None:
            raise SystemExit(f"the API process exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:
            time.sleep(0.3)
    if not stopping():
        raise SystemExit(f"the API did not answer at {url} within {timeout:.0f} s")


def _announce(issuer, people: dict, county: str, aws_url: str, drill_seconds: float | None, data) -> None:
    api_url = f"http://127.0.0.1:{API_PORT}"
    tokens = {u["user_id"]: issuer.token(u) for u in people["users"]}
    state.tokens_file().write_text(json.dumps({"api": api_url, "users": people["users"], "tokens": tokens},
                                              indent=1))
    state.stack_file().write_text(json.dumps({
        "pid": os.getpid(), "api": api_url, "aws": aws_url, "region": REGION,
        "table_prefix": environment.LOCAL_PREFIX, "county": county, "drill_day_seconds": drill_seconds, "data": str(data.directory)}, indent=1))
    _print_banner(people, tokens, county, drill_seconds)


BANNER_USERS = ("gm-yks-01", "station-yks", "dispatcher-rq", "dept-rq-agri", "evaluator-yks", "clerk-yks",
                "leader-rq", "admin-bz")  # the people of the article's irrigation case first


def _print_banner(people: dict, tokens: dict, county: str, drill_seconds: float | None) -> None:
    first_of_role = {}
    for u in sorted(people["users"], key=lambda u: u["user_id"] not in BANNER_USERS):
        first_of_role.setdefault(u["role"], u)
    print(f"\nGridloop ({county}) is running at http://127.0.0.1:{API_PORT}  (OpenAPI: /openapi.json)\n", flush=True)
    if drill_seconds:
        print(f"DRILL: deadlines run in compressed time, one working day = {drill_seconds:g} s "
              f"(`make demo` shows a late case warned and escalated).\n")
    print(f"A ready token for each role (all users' tokens: {_shown(state.state_dir())}tokens.json):")
    for role, u in first_of_role.items():
        where = u.get("grid") or u.get("department") or u.get("node") or ""
        print(f"\n# {role}: {u['user_id']} {u.get('name', '')} [{where}]")
        print(f"export TOKEN_{role.upper()}={tokens[u['user_id']]}")
    print("\nExample:\n  curl -H \"Authorization: Bearer $TOKEN_GRID_MEMBER\" http://127.0.0.1:%d/cases/mine" % API_PORT)
    print("Ctrl-C stops everything; the data stays for the next `make run`.\n", flush=True)


if __name__ == "__main__":
    sys.exit(main())
