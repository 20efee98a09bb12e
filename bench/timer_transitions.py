"""Step Functions state transitions billed for a case handled on time, read from moto's execution history.

Runs the article's irrigation case (lead + one co-handler, everyone on time) against the embedded AWS with the
real ASL, then counts each timer execution's entered states (what Step Functions Standard bills).
Target (issue 9): <= 5 state transitions per case handled on time; each timer stops in its first Wait (1 each).
"""
import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.update({"STAGE": "local", "TABLE_PREFIX": "gridloop-bench-", "COUNTY": "demo"})

from local.moto_server import EmbeddedAWS, client_environment  # noqa: E402

aws = EmbeddedAWS().start()
os.environ.update(client_environment(aws.url, "cn-northwest-1"))

import boto3  # noqa: E402

from chalicelib import resources  # noqa: E402
from chalicelib.adapters.dynamo import DynamoUnitOfWork  # noqa: E402
from chalicelib.county_config import load  # noqa: E402
from chalicelib.domain.roles import Principal  # noqa: E402
from chalicelib.services import cases, commands  # noqa: E402
from local.aws_resources import create_all  # noqa: E402


def main():
    os.environ.update(create_all(aws.url))
    config = load("demo")
    now = datetime.now(timezone.utc)
    gm = Principal("gm-yks-01", "grid_member", grid="BZ.RQ.TGLK.YKS.G01")
    steps = [
        (Principal("station-yks", "station", node="BZ.RQ.TGLK.YKS"), "accept", commands.Accept(
            kind="demand", category="irrigation", urgency="normal", public_summary="irrigation")),
        (Principal("dispatcher-rq", "dispatcher", node="BZ.RQ"), "dispatch",
         commands.Dispatch(lead="rq-agri", co_handlers=["rq-water"])),
        (Principal("dept-rq-agri", "department", department="rq-agri"), "acknowledge", commands.OptionalNote()),
        (Principal("dept-rq-water", "department", department="rq-water"), "acknowledge", commands.OptionalNote()),
        (Principal("dept-rq-agri", "department", department="rq-agri"), "resolve", commands.Resolve(note="done")),
        (gm, "evaluate", commands.Evaluate(scores=commands.Scores(response_speed=5, performance=5, completion=5,
                                                                   feedback=5), verdict="good")),
    ]
    case = cases.report_case(DynamoUnitOfWork(), config, gm, commands.ReportCase.model_validate({
        "kind": "demand", "category": "irrigation", "title": "72 mu", "description": "dry",
        "grid": gm.grid, "location": {"lat": 40.6, "lon": 87.7}}), now)
    for i, (who, action, body) in enumerate(steps, start=1):
        import time
        time.sleep(0.3)  # let each execution reach its Wait before the stage ends
        cases.act(DynamoUnitOfWork(), config, who, case["id"], action, body, now + timedelta(minutes=i))
    sfn = boto3.client("stepfunctions")
    total = 0
    print(f"{'execution':<50} {'status':<9} transitions")
    for e in sfn.list_executions(stateMachineArn=resources.timer_state_machine_arn())["executions"]:
        history = sfn.get_execution_history(executionArn=e["executionArn"], maxResults=1000)["events"]
        entered = [h["type"] for h in history if h["type"].endswith("StateEntered")]
        total += len(entered)
        print(f"{e['name'].split('-', 1)[1]:<50} {e['status']:<9} {len(entered)}")
    print(f"\nstate transitions for one case handled on time: {total} (target: <= 5)")


try:
    main()
finally:
    aws.stop()
