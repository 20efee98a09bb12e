"""Soak: people use the embedded default over HTTP, at once, for some minutes; optionally restarted midway.

    .venv/bin/python bench/soak.py --people 1 --minutes 1
    .venv/bin/python bench/soak.py --people 8 --minutes 1
    .venv/bin/python bench/soak.py --roles --minutes 10 --restart     # 20 people in their parts, a restart midway
    .venv/bin/python bench/soak.py --people 8 --in-memory             # the same without keeping data on disk
    .venv/bin/python bench/soak.py --people 8 --api http://127.0.0.1:8000   # against a running `make run`

Without --api it starts its own `make run` (python -m local.run, local/harness.py) on free ports with a fresh state
directory, so it collides with nothing, and stops it with Ctrl-C's signal at the end.

Two casts:
- the article (default, `--people N`): each person is one thread playing the article's lifecycle back to back,
  every part of it, in a village of their own (people round-robin over the demo's grid members): report (grid
  member), accept (the village's station), read (the center's dispatcher), dispatch (to the county's agriculture
  bureau), report-in (the bureau), resolve (the bureau), evaluate (the grid member). A failed step ends that
  lifecycle; the person starts the next one.
- the county (`--roles`): 20 people each playing their own part (bench/soak_roles.py): 8 grid members report and
  evaluate, 4 stations triage their queues, 2 county centers dispatch, 4 bureaus report in and resolve from their
  inboxes, 2 points evaluators record and correct household points. Cases move from person to person.

`--restart`: halfway through, the people are held (no request in flight), the stack is stopped with Ctrl-C's signal
and started again on the same data and ports, and the people carry on with the same cases.

Printed: requests answered, p50/p95/max per step, server errors (5xx, refused or timed-out connections) and
other failures per step, and the accounting: every case a report created is read back at the end and must show
the status and the timeline the people's answered actions left (none lost), with case numbers all distinct (none
doubled); with its own stack, the notifications the worker handled, that the work queue is empty soon after and
nothing was dead-lettered, `admin.recount`'s differences (target 0), the stack's memory (before, around the restart,
after), how long the stack took to stop (and to start again), and the machine's load average (the machine is
shared: compare runs made under similar load).

Targets (the embedded default on a 2-core machine): 1 person, every step p95 <= 0.5 s; more people, every write
p95 <= 1.5 s; always 0 server errors, no refusal but version conflicts, and nothing lost. Exits 1 on a miss. A benchmark, not a test.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from local.harness import StackProcess  # noqa: E402


_GRIDS: dict[str, list] = {}


def inside(grid: str, county: str = "demo") -> dict:
    """A location inside `grid`'s boundary (intake refuses one far outside its grid): the mean of its outer ring's
    corners, which lies inside the demo's convex grids (checked)."""
    if not _GRIDS:
        from chalicelib import county_config
        from chalicelib.domain.geo import in_polygon
        for code, rings in county_config.load(county).grid_boundaries:
            corners = rings[0][:-1]
            lon, lat = sum(p[0] for p in corners) / len(corners), sum(p[1] for p in corners) / len(corners)
            if in_polygon(lon, lat, rings):
                _GRIDS[code] = {"lat": round(lat, 6), "lon": round(lon, 6)}
    return _GRIDS[grid]

STEPS = ("report", "accept", "read", "dispatch", "report-in", "resolve", "evaluate")
READS = {"read", "poll"}
ONE_PERSON_P95 = 0.5      # seconds, every step
MANY_PEOPLE_WRITE_P95 = 1.5


# --- people -----------------------------------------------------------------------------------------------------

@dataclass
class Cast:
    """Who plays each part of one person's lifecycles (the article cast)."""
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


class Gate:
    """Lets requests through while open; `hold()` closes it and waits until none is in flight (for a restart).
    The time a thread waited at it is kept (`waited()`), so that it does not count as the request's latency."""

    def __init__(self):
        self._open = threading.Event()
        self._open.set()
        self._lock = threading.Condition()
        self._in_flight = 0
        self._local = threading.local()

    def waited(self) -> float:
        return getattr(self._local, "waited", 0.0)

    def __enter__(self):
        began = time.perf_counter()
        while True:
            self._open.wait()
            with self._lock:
                if self._open.is_set():
                    self._in_flight += 1
                    self._local.waited = self.waited() + time.perf_counter() - began
                    return self

    def __exit__(self, *_):
        with self._lock:
            self._in_flight -= 1
            self._lock.notify_all()

    def hold(self) -> None:
        self._open.clear()
        with self._lock:
            self._lock.wait_for(lambda: self._in_flight == 0)

    def release(self) -> None:
        self._open.set()


class Api:
    def __init__(self, base: str, tokens: dict, timeout: float = 60, gate: Gate | None = None):
        self.base, self.tokens, self.timeout, self.gate = base, tokens, timeout, gate or Gate()

    def call(self, user: str, method: str, path: str, body: dict | None = None, key: str | None = None) -> dict:
        """One request; a POST carries an Idempotency-Key (a retry of the same write passes the same key)."""
        headers = {"Authorization": f"Bearer {self.tokens[user]}", "Content-Type": "application/json"}
        if method == "POST":
            headers["Idempotency-Key"] = key or str(uuid.uuid4())
        request = urllib.request.Request(self.base + path, method=method, headers=headers,
                                         data=json.dumps(body).encode() if body is not None else None)
        with self.gate:
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
    version: int = 0      # of the answer `status` came from: answers to two people may arrive in either order
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)


class Recorder:
    def __init__(self, gate: Gate | None = None):
        self.gate = gate or Gate()
        self.lock = threading.Lock()
        self.seconds = defaultdict(list)          # step -> [latency]
        self.calls: list[tuple] = []              # (seconds, step, began): the slowest are printed
        self.began = time.perf_counter()
        self.server_errors = defaultdict(int)     # step -> count
        self.other_failures = defaultdict(int)
        self.refused = defaultdict(int)           # other failures but version conflicts: the scenario's mistakes
        self.examples: dict[str, str] = {}
        self.cases: list[Case] = []
        self.lifecycles = 0

    def timed(self, step: str, call):
        began, held = time.perf_counter(), self.gate.waited()
        try:
            return call()
        except Failed as failure:
            with self.lock:
                (self.server_errors if failure.server_error else self.other_failures)[step] += 1
                if not failure.server_error and failure.status != 409:
                    self.refused[step] += 1
                self.examples.setdefault(step, f"{failure} (sent at {began - self.began:.1f} s, failed at "
                                               f"{time.perf_counter() - self.began:.1f} s, {time.strftime('%H:%M:%S')})")
            raise
        finally:
            took = time.perf_counter() - began - (self.gate.waited() - held)   # not the time held for a restart
            with self.lock:
                self.seconds[step].append(took)
                self.calls.append((took, step, began - self.began))

    def acted(self, case: Case, action: str, answer: dict) -> None:
        """An answered action on a case: what its timeline must show at the end."""
        with case.lock:
            case.actions.append(action)
            if answer.get("version", 0) >= case.version:
                case.status, case.version = answer["status"], answer.get("version", 0)


def lifecycle(api: Api, cast: Cast, record: Recorder) -> None:
    """The article's case, once: each step as the person whose part it is."""
    county = cast.county.split(".")[1].lower()
    lead, lead_user = f"{county}-agri", f"dept-{county}-agri"
    answer = record.timed("report", lambda: api.call(cast.grid_member, "POST", "/cases", {
        "kind": "demand", "category": "irrigation", "urgency": "normal", "grid": cast.grid, "channel": "grid_visit",
        "title": "Farmland without irrigation", "description": "The irrigation system is incomplete (soak).",
        "location": inside(cast.grid)}))
    case = Case(answer["id"], answer["number"], cast.grid_member, answer["status"], ["report"])
    with record.lock:
        record.cases.append(case)
    path = f"/cases/{case.id}"

    def act(step, action, user, body):
        answer = record.timed(step, lambda: api.call(user, "POST", f"{path}/{action}", body))
        record.acted(case, action, answer)
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
    """Every case a report created, read back: its status, and its timeline holding exactly the people's answered
    actions (in any order where two people acted at once; the system's deadline entries aside)."""
    lost, wrong = [], []
    for case in cases:
        try:
            stored = api.call(case.reporter, "GET", f"/cases/{case.id}")
            timeline = [e["action"] for e in api.call(case.reporter, "GET", f"/cases/{case.id}/timeline?limit=100")
                        ["items"] if e["actor"]["user_id"] != "system"]
        except Failed as failure:
            lost.append(f"{case.number}: {failure}")
            continue
        if stored["status"] != case.status or Counter(timeline) != Counter(case.actions):
            wrong.append(f"{case.number}: status {stored['status']} (expected {case.status}), "
                         f"timeline {timeline} (expected {case.actions})")
    numbers = [c.number for c in cases]
    doubled = sorted({n for n in numbers if numbers.count(n) > 1})
    return {"cases": len(cases), "lost": lost, "wrong": wrong, "doubled": doubled}


def background(aws_url: str, wait: float = 60) -> dict:
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


def recount(stack: StackProcess) -> tuple[int | None, str]:
    """`make recount` against the soak's stack: (differences, its first line)."""
    answer = subprocess.run([sys.executable, "-m", "admin.recount", "--local"], cwd=ROOT, capture_output=True,
                            text=True, env={**os.environ, "GRIDLOOP_STATE_DIR": str(stack.state)}, timeout=600)
    first = (answer.stdout or answer.stderr).strip().splitlines()[:1]
    found = re.search(r"(\d+) difference", first[0]) if first else None
    return (int(found.group(1)) if found else None), (first[0] if first else answer.stderr[-300:])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def report(record: Recorder, people: int, seconds: float, books: dict, load: tuple, memory: dict,
           slowest: int = 0, settled: dict | None = None, steps=STEPS, restart: dict | None = None) -> bool:
    print(f"\n{people} {'person' if people == 1 else 'people'}, {seconds:.0f} s: {record.lifecycles} lifecycles "
          f"completed, {books['cases']} cases reported")
    print(f"requests answered: {sum(map(len, record.seconds.values()))}; "
          f"load average before {load[0]}, after {load[1]} (1, 5, 15 min; {os.cpu_count()} cores)")
    if memory:
        print("stack memory (RSS): " + ", ".join(f"{when} {mb:.0f} MB" for when, mb in memory.items() if mb))
    if restart:
        print(f"restart at {restart['at']:.0f} s: held {restart['held']:.1f} s for the requests in flight, "
              f"stopped in {restart['stopped']:.1f} s, serving again {restart['started']:.1f} s later")
    print(f"\n{'step':<10} {'n':>5} {'p50 s':>7} {'p95 s':>7} {'max s':>7} {'5xx':>4} {'other':>5}  target p95")
    met = True
    for step in steps:
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
    refused = sum(record.refused.values())
    print(f"requests refused other than version conflicts (409, two people acting at once): {refused} (target 0: "
          f"the people send only valid requests)")
    print(f"accounted for: {books['cases'] - len(books['lost']) - len(books['wrong'])} of {books['cases']} cases; "
          f"lost {len(books['lost'])}, status or timeline wrong {len(books['wrong'])}, "
          f"numbers doubled {len(books['doubled'])} (target 0 each)")
    for line in (books["lost"] + books["wrong"] + books["doubled"])[:10]:
        print(f"  {line}")
    if settled:
        print(f"background work: {settled['notifications']} notifications delivered or skipped by the worker; "
              f"work queue left after {settled['after']:.0f} s: {settled['waiting']}, dead-lettered: {settled['dead']} "
              f"(target 0 each)")
        print(f"recount: {settled['recount'][1]} (target 0 differences)")
        print(f"the stack stopped {settled['stopped']:.1f} s after Ctrl-C's signal")
    if slowest:
        print(f"\nthe {slowest} slowest calls (seconds after the start):")
        for took, step, at in sorted(record.calls, reverse=True)[:slowest]:
            print(f"  {took:6.3f} s  {step:<10} at {at:6.1f} s")
    caught_up = not settled or (settled["waiting"] == 0 and settled["dead"] == 0 and settled["recount"][0] == 0)
    lost = books["lost"] or books["wrong"] or books["doubled"]
    return met and caught_up and errors == 0 and refused == 0 and not lost


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=1, help="the article cast: how many people")
    parser.add_argument("--roles", action="store_true", help="the county cast: 20 people, each in their part")
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--restart", action="store_true", help="stop and start the stack halfway (own stack only)")
    parser.add_argument("--in-memory", action="store_true", help="the stack keeps nothing on disk (GRIDLOOP_DATA)")
    parser.add_argument("--keep", type=Path, help="keep the stack's state directory (and its log) here")
    parser.add_argument("--slowest", type=int, default=0, help="also print the N slowest calls, with when")
    parser.add_argument("--api", help="a running stack's URL (default: start one on free ports)")
    parser.add_argument("--tokens", type=Path, default=ROOT / ".local" / "tokens.json",
                        help="with --api: the tokens file `make run` wrote")
    args = parser.parse_args()
    if args.restart and args.api:
        parser.error("--restart needs the soak's own stack (no --api)")

    stack, settled, restart, memory = None, None, None, {}
    with tempfile.TemporaryDirectory(prefix="gridloop-soak-") as state:
        state = str(args.keep) if args.keep else state
        if args.api:
            base, tokens_file = args.api, args.tokens
        else:
            print("starting the local stack on free ports ...", flush=True)
            settings = {"GRIDLOOP_DATA": "memory"} if args.in_memory else {}
            stack = StackProcess(Path(state), **settings).start()
            base, tokens_file = stack.api, stack.state / "tokens.json"
        try:
            known = json.loads(tokens_file.read_text())
            api = Api(base, known["tokens"])
            record = Recorder(api.gate)
            load_before, memory["before"] = os.getloadavg(), stack.memory_mb() if stack else None
            began = time.time()
            until = began + args.minutes * 60
            if args.roles:
                from bench.soak_roles import STEPS as steps, people_of_the_county
                threads = people_of_the_county(api, known["users"], record, until)
                people = len(threads)
            else:
                steps, people = STEPS, args.people
                threads = [threading.Thread(target=play, args=(api, cast, record, until), daemon=True)
                           for cast in casts(known["users"], args.people)]
            for t in threads:
                t.start()
            if args.restart:
                restart = restart_midway(stack, api.gate, began, args.minutes * 30, memory)
            for t in threads:
                t.join()
            seconds = time.time() - began
            load_after, memory["after"] = os.getloadavg(), stack.memory_mb() if stack else None
            books = account(api, record.cases)
            if stack:
                settled = background(stack.aws)
                settled["notifications"] = stack.log.read_text().count('"message":"notification"')
                settled["recount"] = recount(stack)
        finally:
            if stack:
                stopped = stack.stop()
                if settled:
                    settled["stopped"] = stopped
    fmt = lambda load: ", ".join(f"{x:.2f}" for x in load)  # noqa: E731
    met = report(record, people, seconds, books, (fmt(load_before), fmt(load_after)), memory, args.slowest,
                 settled, steps, restart)
    print("\nall targets met" if met else "\ntargets MISSED")
    return 0 if met else 1


def restart_midway(stack: StackProcess, gate: Gate, began: float, after_seconds: float, memory: dict) -> dict:
    """Hold the people, stop the stack (Ctrl-C's signal), start it on the same data and ports, let them go on."""
    time.sleep(max(0.0, began + after_seconds - time.time()))
    holding = time.perf_counter()
    gate.hold()
    held = time.perf_counter() - holding
    memory["before the restart"] = stack.memory_mb()
    stopped = stack.stop()
    starting = time.perf_counter()
    stack.start()
    started = time.perf_counter() - starting
    memory["after the restart"] = stack.memory_mb()
    gate.release()
    print(f"restarted: stopped in {stopped:.1f} s, serving again after {started:.1f} s", flush=True)
    return {"at": after_seconds, "held": held, "stopped": stopped, "started": started}


if __name__ == "__main__":
    from bench import soak   # one copy of the classes, shared with bench/soak_roles.py
    sys.exit(soak.main())
