"""Soak: people play the article's lifecycle over HTTP against the embedded default, at once, for some minutes.

    .venv/bin/python bench/soak.py --people 1 --minutes 1
    .venv/bin/python bench/soak.py --people 8 --minutes 1
    .venv/bin/python bench/soak.py --people 8 --api http://127.0.0.1:8000   # against a running `make run`

Without --api it starts its own `make run` (python -m local.run) on free ports with a fresh state directory, so
it collides with nothing, and stops it with Ctrl-C's signal at the end.

Each person is one thread playing lifecycles back to back, each in a village of their own (people round-robin
over the demo's grid members, so their stations differ): report (grid member), accept (the village's station),
read (the center's dispatcher), dispatch (to the county's agriculture bureau), report-in (the bureau
acknowledges), resolve (the bureau), evaluate (the grid member). A step that fails ends that lifecycle; the
person starts the next one.

Printed: p50/p95/max per step, server errors (5xx, refused or timed-out connections) and other failures per step,
and the accounting: every case a report created is read back at the end and must show the status and the
timeline its lifecycle left (none lost), with case numbers all distinct (none doubled); with its own stack, the
notifications the worker handled, that the work queue is empty soon after and that nothing was dead-lettered,
and the stack's memory before and after. The load average of the machine is printed next to the figures (the
machine is shared: compare runs made under similar load).

Targets (the embedded default on a 2-core machine): 1 person, every step p95 <= 0.5 s; 8 people, every write
p95 <= 1.5 s; always 0 server errors and nothing lost. Exits 1 on a miss. A benchmark, not a test.

Built to grow: more people play more parts through `casts`; LocalStack.stop() and start() again on the same
state directory and ports is a restart, and Api.call takes the Idempotency-Key a retried write must repeat.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STEPS = ("report", "accept", "read", "dispatch", "report-in", "resolve", "evaluate")
READS = {"read"}
ONE_PERSON_P95 = 0.5      # seconds, every step
MANY_PEOPLE_WRITE_P95 = 1.5


# --- the stack --------------------------------------------------------------------------------------------------

class LocalStack:
    """`make run` in a subprocess of its own session, on free ports, with its own state directory."""

    def __init__(self, state: Path):
        from local.moto_server import free_port
        self.state = state
        self.api_port, self.aws_port = free_port(), free_port()
        self.api = f"http://127.0.0.1:{self.api_port}"
        self.aws = f"http://127.0.0.1:{self.aws_port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 120) -> "LocalStack":
        (self.state / "tokens.json").unlink(missing_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AUTH_", "TABLE_", "MOTO_"))}
        env.update({"API_PORT": str(self.api_port), "AWS_PORT": str(self.aws_port),
                    "GRIDLOOP_STATE_DIR": str(self.state)})
        log = open(self.state / "stack.log", "a")   # a file, not a pipe: a full pipe would block the server
        self.process = subprocess.Popen([sys.executable, "-m", "local.run"], cwd=ROOT, env=env, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + timeout
        while not (self.state / "tokens.json").exists():
            if self.process.poll() is not None or time.time() > deadline:
                self.stop()
                raise SystemExit(f"the local stack did not start:\n{(self.state / 'stack.log').read_text()}")
            time.sleep(0.2)
        return self

    def stop(self) -> float:
        """Ctrl-C's signal to the whole group; returns the seconds it took to stop."""
        if not self.process or self.process.poll() is not None:
            return 0.0
        began = time.perf_counter()
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        return time.perf_counter() - began

    def memory_mb(self) -> float | None:
        """Resident memory of every process of the stack's session (Linux /proc), in MB."""
        if not self.process or self.process.poll() is not None:
            return None
        total = 0
        for status in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = status.read_text().rsplit(")", 1)[1].split()
                if int(fields[3]) == self.process.pid:   # the session id (field 6 of stat)
                    total += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")   # rss in pages (field 24)
            except (OSError, IndexError, ValueError):
                continue
        return total / 2**20


# --- people -----------------------------------------------------------------------------------------------------

@dataclass
class Cast:
    """Who plays each part of one person's lifecycles."""
    grid_member: str
    grid: str
    station: str
    county: str          # the county node, e.g. BZ.RQ
    dispatchers: dict    # center node -> dispatcher user id


def casts(users: list[dict], people: int) -> list[Cast]:
    """One cast per person; people round-robin over villages first, so that their stations differ."""
    stations = {u["node"]: u["user_id"] for u in users if u["role"] == "station"}
    dispatchers = {u["node"]: u["user_id"] for u in users if u["role"] == "dispatcher"}
    by_village = defaultdict(list)
    for u in sorted((u for u in users if u["role"] == "grid_member"), key=lambda u: u["user_id"]):
        village = u["grid"].rsplit(".", 1)[0]
        if village in stations:
            by_village[village].append(u)
    rounds = [u for i in range(max(map(len, by_village.values()))) for v in sorted(by_village)
              for u in by_village[v][i:i + 1]]
    chosen = [rounds[i % len(rounds)] for i in range(people)]
    return [Cast(u["user_id"], u["grid"], stations[u["grid"].rsplit(".", 1)[0]], ".".join(u["grid"].split(".")[:2]),
                 dispatchers) for u in chosen]


class Failed(Exception):
    def __init__(self, status: int | None, detail: str):
        super().__init__(f"{status}: {detail}")
        self.status, self.detail = status, detail

    @property
    def server_error(self) -> bool:
        return self.status is None or self.status >= 500


class Api:
    def __init__(self, base: str, tokens: dict, timeout: float = 60):
        self.base, self.tokens, self.timeout = base, tokens, timeout

    def call(self, user: str, method: str, path: str, body: dict | None = None, key: str | None = None) -> dict:
        """One request; a POST carries an Idempotency-Key (a retry of the same write passes the same key)."""
        headers = {"Authorization": f"Bearer {self.tokens[user]}", "Content-Type": "application/json"}
        if method == "POST":
            headers["Idempotency-Key"] = key or str(uuid.uuid4())
        request = urllib.request.Request(self.base + path, method=method, headers=headers,
                                         data=json.dumps(body).encode() if body is not None else None)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as e:
            raise Failed(e.code, e.read().decode(errors="replace")[:300]) from None
        except OSError as e:    # refused, reset, timed out: the server did not answer
            raise Failed(None, repr(e)) from None


@dataclass
class Case:
    id: str
    number: str
    reporter: str
    status: str = ""
    actions: list = field(default_factory=list)


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.seconds = defaultdict(list)          # step -> [latency]
        self.calls: list[tuple] = []              # (seconds, step, began): the slowest are printed
        self.began = time.perf_counter()
        self.server_errors = defaultdict(int)     # step -> count
        self.other_failures = defaultdict(int)
        self.examples: dict[str, str] = {}
        self.cases: list[Case] = []
        self.lifecycles = 0

    def timed(self, step: str, call):
        began = time.perf_counter()
        try:
            return call()
        except Failed as failure:
            with self.lock:
                (self.server_errors if failure.server_error else self.other_failures)[step] += 1
                self.examples.setdefault(step, str(failure))
            raise
        finally:
            took = time.perf_counter() - began
            with self.lock:
                self.seconds[step].append(took)
                self.calls.append((took, step, began - self.began))


def lifecycle(api: Api, cast: Cast, record: Recorder) -> None:
    """The article's case, once: each step as the person whose part it is."""
    county = cast.county.split(".")[1].lower()
    lead, lead_user = f"{county}-agri", f"dept-{county}-agri"
    answer = record.timed("report", lambda: api.call(cast.grid_member, "POST", "/cases", {
        "kind": "demand", "category": "irrigation", "urgency": "normal", "grid": cast.grid, "channel": "grid_visit",
        "title": "Farmland without irrigation", "description": "The irrigation system is incomplete (soak).",
        "location": {"lat": 40.6035, "lon": 87.7015}}))
    case = Case(answer["id"], answer["number"], cast.grid_member, answer["status"], ["report"])
    with record.lock:
        record.cases.append(case)
    path = f"/cases/{case.id}"

    def act(step, action, user, body):
        answer = record.timed(step, lambda: api.call(user, "POST", f"{path}/{action}", body))
        case.status = answer["status"]
        case.actions.append(action)
        return answer

    accepted = act("accept", "accept", cast.station, {
        "kind": "demand", "category": "irrigation", "urgency": "normal",
        "public_summary": "Irrigation missing for allotted farmland"})
    dispatcher = cast.dispatchers[accepted["center"]]
    record.timed("read", lambda: api.call(dispatcher, "GET", path))
    act("dispatch", "dispatch", dispatcher, {"lead": lead, "note": "Inspect and restore irrigation"})
    act("report-in", "acknowledge", lead_user, {"note": "Staff on the way"})
    act("resolve", "resolve", lead_user, {"note": "Water from a neighbour's well; channel dredged."})
    act("evaluate", "evaluate", cast.grid_member, {
        "scores": {"response_speed": 5, "performance": 5, "completion": 4, "feedback": 5}, "verdict": "good",
        "fixed": True})
    with record.lock:
        record.lifecycles += 1


def play(api: Api, cast: Cast, record: Recorder, until: float) -> None:
    while time.time() < until:
        try:
            lifecycle(api, cast, record)
        except Failed:
            time.sleep(0.2)   # counted by the recorder; the next lifecycle starts


# --- accounting and figures -------------------------------------------------------------------------------------

def account(api: Api, cases: list[Case]) -> dict:
    """Every case a report created, read back: its status and timeline as its lifecycle left them."""
    lost, wrong = [], []
    for case in cases:
        try:
            stored = api.call(case.reporter, "GET", f"/cases/{case.id}")
            timeline = [e["action"] for e in api.call(case.reporter, "GET", f"/cases/{case.id}/timeline")["items"]]
        except Failed as failure:
            lost.append(f"{case.number}: {failure}")
            continue
        if stored["status"] != case.status or timeline[:len(case.actions)] != case.actions:
            wrong.append(f"{case.number}: status {stored['status']} (expected {case.status}), "
                         f"timeline {timeline} (expected {case.actions} first)")
    numbers = [c.number for c in cases]
    doubled = sorted({n for n in numbers if numbers.count(n) > 1})
    return {"cases": len(cases), "lost": lost, "wrong": wrong, "doubled": doubled}


def background(aws_url: str, wait: float = 30) -> dict:
    """After the run: the stack's background work caught up (the work queue empty) and nothing dead-lettered."""
    import boto3
    sqs = boto3.client("sqs", endpoint_url=aws_url, region_name="cn-northwest-1", aws_access_key_id="local",
                       aws_secret_access_key="local")
    began = time.time()
    while True:
        counts = {}
        for url in sqs.list_queues().get("QueueUrls", []):
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
                "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
            counts[url.rsplit("/", 1)[1]] = sum(int(v) for v in attributes.values())
        waiting = sum(n for name, n in counts.items() if not name.endswith("-dlq"))
        if waiting == 0 or time.time() > began + wait:
            return {"waiting": waiting, "dead": sum(n for name, n in counts.items() if name.endswith("-dlq")),
                    "after": time.time() - began}
        time.sleep(1)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def report(record: Recorder, people: int, seconds: float, books: dict, load: tuple, memory: tuple,
           slowest: int = 0, settled: dict | None = None) -> bool:
    print(f"\n{people} {'person' if people == 1 else 'people'}, {seconds:.0f} s: {record.lifecycles} lifecycles "
          f"completed, {books['cases']} cases reported")
    print(f"requests answered: {sum(map(len, record.seconds.values()))}; "
          f"load average before {load[0]}, after {load[1]} (1, 5, 15 min; {os.cpu_count()} cores)")
    if memory[0] is not None:
        print(f"stack memory (RSS) before {memory[0]:.0f} MB, after {memory[1]:.0f} MB")
    print(f"\n{'step':<10} {'n':>5} {'p50 s':>7} {'p95 s':>7} {'max s':>7} {'5xx':>4} {'other':>5}  target p95")
    met = True
    for step in STEPS:
        times = record.seconds.get(step, [])
        target = ONE_PERSON_P95 if people == 1 else (None if step in READS else MANY_PEOPLE_WRITE_P95)
        p95 = percentile(times, 95) if times else None
        ok = target is None or (p95 is not None and p95 <= target)
        met &= ok
        figures = (f"{statistics.median(times):>7.3f} {p95:>7.3f} {max(times):>7.3f}" if times
                   else f"{'-':>7} {'-':>7} {'-':>7}")
        print(f"{step:<10} {len(times):>5} {figures} {record.server_errors[step]:>4} {record.other_failures[step]:>5}"
              f"  {'' if target is None else f'<= {target} ' + ('met' if ok else 'MISSED')}")
    errors = sum(record.server_errors.values())
    for step, example in record.examples.items():
        print(f"  first failure of {step}: {example}")
    print(f"\nserver errors: {errors} (target 0)")
    print(f"accounted for: {books['cases'] - len(books['lost']) - len(books['wrong'])} of {books['cases']} cases; "
          f"lost {len(books['lost'])}, status or timeline wrong {len(books['wrong'])}, "
          f"numbers doubled {len(books['doubled'])} (target 0 each)")
    for line in (books["lost"] + books["wrong"] + books["doubled"])[:10]:
        print(f"  {line}")
    if settled:
        print(f"background work: {settled['notifications']} notifications delivered or skipped by the worker; "
              f"work queue left after {settled['after']:.0f} s: {settled['waiting']}, dead-lettered: {settled['dead']} "
              f"(target 0 each)")
        print(f"the stack stopped {settled['stopped']:.1f} s after Ctrl-C's signal")
    if slowest:
        print(f"\nthe {slowest} slowest calls (seconds after the start):")
        for took, step, at in sorted(record.calls, reverse=True)[:slowest]:
            print(f"  {took:6.3f} s  {step:<10} at {at:6.1f} s")
    caught_up = not settled or (settled["waiting"] == 0 and settled["dead"] == 0)
    return met and caught_up and errors == 0 and not (books["lost"] or books["wrong"] or books["doubled"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=1)
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--slowest", type=int, default=0, help="also print the N slowest calls, with when")
    parser.add_argument("--api", help="a running stack's URL (default: start one on free ports)")
    parser.add_argument("--tokens", type=Path, default=ROOT / ".local" / "tokens.json",
                        help="with --api: the tokens file `make run` wrote")
    args = parser.parse_args()

    stack, settled = None, None
    with tempfile.TemporaryDirectory(prefix="gridloop-soak-") as state:
        if args.api:
            base, tokens_file = args.api, args.tokens
        else:
            print("starting the local stack on free ports ...", flush=True)
            stack = LocalStack(Path(state)).start()
            base, tokens_file = stack.api, stack.state / "tokens.json"
        try:
            known = json.loads(tokens_file.read_text())
            api = Api(base, known["tokens"])
            record = Recorder()
            load_before, memory_before = os.getloadavg(), stack.memory_mb() if stack else None
            began = time.time()
            until = began + args.minutes * 60
            threads = [threading.Thread(target=play, args=(api, cast, record, until), daemon=True)
                       for cast in casts(known["users"], args.people)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            seconds = time.time() - began
            load_after, memory_after = os.getloadavg(), stack.memory_mb() if stack else None
            books = account(api, record.cases)
            if stack:
                settled = background(stack.aws)
                settled["notifications"] = (stack.state / "stack.log").read_text().count('"message":"notification"')
        finally:
            if stack:
                stopped = stack.stop()
                if settled:
                    settled["stopped"] = stopped
    fmt = lambda load: ", ".join(f"{x:.2f}" for x in load)  # noqa: E731
    met = report(record, args.people, seconds, books, (fmt(load_before), fmt(load_after)),
                 (memory_before, memory_after), args.slowest, settled)
    print("\nall targets met" if met else "\ntargets MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
