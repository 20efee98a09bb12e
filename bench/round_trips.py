"""Round trips (docs/performance.md, section 1): the sequential AWS calls of every API route-method and every worker.

Runs against the embedded AWS (moto on 127.0.0.1) with the demo county seeded as `make run` seeds it, then drives
the article's closed loop in order -- report, accept, dispatch, acknowledge, extension, resolve, evaluate,
appeal, decide -- plus photos, households, visits, points, statistics, Open311 with an API key and every other
route, each as a realistic request by an authorised user, through `chalice.test.Client` in-process. Each worker
of app.py is then invoked in-process through the Chalice app's own Lambda handler with the event Lambda would
pass (an SQS record received from the real queue, a scheduled event).

Every AWS call is counted by the recorder the tests share (support/calls.py: botocore event hooks on every
client created in this process, boto3's and PynamoDB's alike), installed before any client exists. Only calls
made by one of the app's functions count: the bench's own setup and receives, and the clients moto creates for
itself (Step Functions executing the timer), are not the app's. The scenario is bench/round_trips_scenario.py.

Each call gets a simulated network latency (SIMULATED_RTT, default 15 ms) so that calls a request makes in
parallel on several threads overlap in time reliably; the SEQUENTIAL depth is the longest chain of calls each of
which ended before the next began (calls overlapping in time count as one round).

Kinds: R read (GetItem, BatchGetItem, Query, Scan, S3 GET/HEAD, Describe/List/Get/Check...), T transaction
(TransactWriteItems), W other write (PutItem, UpdateItem, DeleteItem, BatchWriteItem, S3 Copy/Delete...),
E outbox side effect (Step Functions StartExecution/StopExecution, SQS SendMessage, SNS Publish), O the outbox's
own bookkeeping (the write that marks outbox items done). A presigned S3 URL or form is not a call.

Targets, as sequential rounds per kind (a kind not named is 0):
  API read  (GET)  R<=2
  API write        R<=1, T/W<=1 (one atomic commit: one transaction, or one single-item conditional write), E<=1, O<=1
  workers          defined per worker below and printed in the table.

Exit status: 1 on any MISS, on an unexpected status, or if a registered route-method or worker was not
exercised with a 2xx / successful invocation.

    .venv/bin/python bench/round_trips.py            # the table, and the calls of every MISS
    .venv/bin/python bench/round_trips.py --calls    # the calls of every row
"""
from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

if __name__ == "__main__":   # `python bench/round_trips.py`: the repository's packages on the path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chalicelib import environment
from local.issuer import LocalIssuer
from support.calls import Call, Collector, install, made_by_the_app, rounds
from support.dingtalk_sink import SECRET, Sink
from support.local_aws import LocalAWS, app_environment

SIMULATED_RTT = float(os.environ.get("SIMULATED_RTT", "0.015"))
SHOW_ALL_CALLS = "--calls" in sys.argv
PREFIX = "gridloop-bench-rt-"

# -- classification and depth ---------------------------------------------------------------------------------
READ_OPS = {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems", "DescribeTable", "GetObject",
            "HeadObject", "ListObjects", "ListObjectsV2", "ReceiveMessage", "GetParameter", "GetParameters",
            "CheckIfPhoneNumberIsOptedOut", "DescribeExecution", "GetQueueAttributes"}
EFFECT_OPS = {("stepfunctions", "StartExecution"), ("stepfunctions", "StopExecution"), ("sqs", "SendMessage"),
              ("sqs", "SendMessageBatch"), ("sns", "Publish")}
KINDS = "RTWEO"


def classify(c: Call, outbox_table: str) -> str:
    if c.operation == "TransactWriteItems":
        return "T"
    operation = c.operation.removeprefix("Admin") if c.service == "cognito-idp" else c.operation   # AdminGetUser
    if operation in READ_OPS or operation.startswith(("Get", "Describe", "List", "Head", "Check")):
        return "R"
    if (c.service, c.operation) in EFFECT_OPS:
        return "E"
    if c.service == "dynamodb" and c.tables and set(c.tables) == {outbox_table}:
        return "O"
    return "W"


def target_text(target: dict) -> str:
    return " ".join(f"{k.replace('TW', 'T/W')}<={v}" for k, v in target.items())


@dataclass
class Row:
    name: str
    status: str
    calls: list[Call]
    target: dict
    expected_ok: bool = True
    kind_rounds: dict = field(default_factory=dict)
    rounds: int = 0
    verdict: str = ""
    over: list = field(default_factory=list)

    def evaluate(self, outbox_table: str):
        self.calls = sorted(self.calls, key=lambda c: c.start)
        for c in self.calls:
            c.kind = classify(c, outbox_table)
        self.rounds = rounds(self.calls)
        covered = set("".join(self.target))
        bounds = dict(self.target, **{k: 0 for k in KINDS if k not in covered})  # a kind not named: none allowed
        self.kind_rounds = {key: rounds([c for c in self.calls if c.kind in key]) for key in bounds}
        self.over = [key for key, limit in bounds.items() if self.kind_rounds[key] > limit]
        if not self.expected_ok:
            self.verdict = "FAIL"
        elif self.over:
            self.verdict = "MISS"
        else:
            self.verdict = "ok"


# -- report ------------------------------------------------------------------------------------------------------
def print_table(rows: list[Row]):
    width = max(len(r.name) for r in rows) + 2
    head = f"{'route-method / worker':<{width}}{'status':>7}  {'R':>2} {'T':>2} {'W':>2} {'E':>2} {'O':>2}  " \
           f"{'calls':>5} {'rounds':>6} {'ms':>6}  {'target':<28}verdict"
    print(head)
    print("-" * len(head))
    for r in rows:
        counts = {k: sum(1 for c in r.calls if c.kind == k) for k in KINDS}
        ms = (max(c.end for c in r.calls) - min(c.start for c in r.calls)) * 1000 if r.calls else 0
        verdict = r.verdict + (f" ({', '.join(k.replace('TW', 'T/W') + '=' + str(r.kind_rounds[k]) for k in r.over)})"
                               if r.verdict == "MISS" else "")
        print(f"{r.name:<{width}}{r.status:>7}  " + " ".join(f"{counts[k]:>2}" for k in KINDS)
              + f"  {len(r.calls):>5} {r.rounds:>6} {ms:>6.0f}  {target_text(r.target):<28}{verdict}")


def print_calls(r: Row, prefix: str):
    print(f"\n{r.name}  ({r.status}, {r.verdict}, {r.rounds} sequential rounds; target {target_text(r.target)})")
    if not r.calls:
        print("    (no AWS calls)")
    t0 = min((c.start for c in r.calls), default=0)
    for c in r.calls:
        tables = ",".join(t.replace(prefix, "") for t in c.tables)
        print(f"    {c.kind} {c.service}.{c.operation:<26} {tables:<28} {c.thread:<24} "
              f"{(c.start - t0) * 1000:7.1f}-{(c.end - t0) * 1000:7.1f} ms{'  ' + c.error if c.error else ''}")
        for s in c.site[:3]:
            print(f"        at {s}")


def main() -> int:
    state = Path(tempfile.mkdtemp(prefix="gridloop-round-trips-"))
    issuer = LocalIssuer(state).ensure_keys()
    os.environ.update({**app_environment(prefix=PREFIX, issuer=issuer), "POWERTOOLS_METRICS_DISABLED": "true",
                       "POWERTOOLS_LOG_LEVEL": "WARNING", "LOG_LEVEL": "WARNING"})
    # the app's calls only, each delayed by SIMULATED_RTT; installed before any botocore client exists
    recorder = Collector(keep=made_by_the_app, latency=SIMULATED_RTT, open=False)
    install().add_listener(recorder)
    aws = LocalAWS().start()
    sink = Sink(SECRET).start()          # a DingTalk robot on 127.0.0.1
    try:
        (state / "secrets.json").write_text(json.dumps({"dingtalk": {d: {"url": sink.url, "secret": SECRET}
                                                                      for d in ("rq-agri", "rq-water")}}))
        os.environ.update({environment.LOCAL_SECRETS_FILE: str(state / "secrets.json"),
                           environment.WORK_RETRY_BASE_SECONDS: "0"})
        logging.disable(logging.WARNING)  # the app's warnings would interleave with the table
        aws.create_resources()
        from bench.round_trips_scenario import OUTBOX_TABLE, Bench   # the app, imported with this environment
        bench = Bench(recorder, issuer)
        bench.run()
        return report(bench, aws.url, OUTBOX_TABLE)
    finally:
        sink.stop()
        aws.stop()


def report(bench, aws_url: str, outbox_table: str) -> int:
    rows = [Row(m.name, m.status, m.calls, m.target, m.ok) for m in bench.measured]
    for r in rows:
        r.evaluate(outbox_table)
    print(f"Round trips per request (docs/performance.md, section 1) -- embedded AWS at {aws_url}, simulated latency "
          f"{SIMULATED_RTT * 1000:.0f} ms per call")
    print("Kinds: R read, T TransactWriteItems, W other write, E outbox side effect (SFN start/stop, SQS send, "
          "SNS publish), O outbox mark-done.\nrounds = sequential depth (calls overlapping in time on different "
          "threads are one round); targets are per kind, in rounds:\n  API GET: R<=2.  API write: R<=1, T/W<=1 "
          "(one atomic commit), E<=1, O<=1.  GET contacts: R<=2, W<=1 (access log).\n  work_worker, per kind of "
          "record -- deadline: R<=1, T<=1, E<=1, O<=1 (the same as an API write).\n  photo: R<=2 (the upload + "
          "the case), W<=2 (S3 copy + delete: the move), T<=1, E<=1, O<=1.  notification: R<=2 (SMS: the case "
          "+ the SNS opt-out check), W<=2 (Powertools idempotency: in progress + completed), E<=1 (the delivery)."
          "\n  outbox_relay: R<=2 (pending + oldest-age Query), E<=1, O<=1.\n")
    print_table(rows)
    served, workers_declared = bench.routes_served(), bench.workers_declared()
    missing_routes = sorted(served - bench.routes)
    missing_workers = sorted(workers_declared - bench.workers)
    misses = [r for r in rows if r.verdict != "ok"]
    print(f"\n{len(served)} route-methods registered, {len(served & bench.routes)} exercised with a 2xx; "
          f"{len(workers_declared)} workers declared ({', '.join(sorted(workers_declared))}), "
          f"{len(workers_declared & bench.workers)} exercised; {len(rows)} requests/invocations measured; "
          f"{sum(1 for r in rows if r.verdict == 'MISS')} MISS, {sum(1 for r in rows if r.verdict == 'FAIL')} FAIL.")
    if missing_routes:
        print("NOT EXERCISED (route-methods): " + ", ".join(f"{m} {p}" for p, m in missing_routes))
    if missing_workers:
        print("NOT EXERCISED (workers): " + ", ".join(missing_workers))
    for r in (rows if SHOW_ALL_CALLS else misses):
        print_calls(r, PREFIX)
    return 1 if misses or missing_routes or missing_workers else 0


if __name__ == "__main__":
    sys.exit(main())
