"""Step Functions state transitions billed for a case handled on time, read from moto's execution history.

Runs the article's irrigation case (lead + one co-handler, everyone on time) against the embedded AWS with the
real ASL, then counts each timer execution's entered states (what Step Functions Standard bills).
Target: <= 5 state transitions per case handled on time; each timer stops in its first Wait (1 each).
"""
import json
import os
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

if __name__ == "__main__":   # `python bench/timer_transitions.py`: the repository's packages on the path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from support.local_aws import LocalAWS, app_environment


def main(aws: LocalAWS) -> bool:
    """The article's case on time through the services, then the cost model against moto's history."""
    aws.create_resources()
    import boto3

    from chalicelib import resources
    from chalicelib.adapters.unit_of_work import DynamoUnitOfWork
    from chalicelib.county_config import load
    from chalicelib.domain import commands
    from chalicelib.domain.roles import Principal
    from chalicelib.services import cases
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
        "grid": gm.grid, "location": {"lat": 40.605, "lon": 87.685}}), now)
    for i, (who, action, body) in enumerate(steps, start=1):
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
    return total <= 5 and check_cost_model(sfn)


def check_cost_model(sfn):
    """The cost benchmark bills 1 transition per execution plus 2 per notice sent (bench/cost/world.py):
    run late timers on the real ASL (notices two seconds apart), stop some mid-way, and compare. Those that
    send every notice then wait on the trailing link, where the worker would stop them: stopped at the end."""
    from bench.cost.world import TRANSITIONS_LAST_NOTICE, TRANSITIONS_PER_NOTICE
    from chalicelib import resources
    from chalicelib.services import timers
    arn = resources.timer_state_machine_arn()
    samples = []   # (name, notices planned, notices to let fire before stopping, or None to run to the end)
    for planned, stop_after in ((3, 0), (3, 1), (2, None), (6, None), (6, 3)):
        start = datetime.now(timezone.utc) + timedelta(seconds=1.5)
        notices = [{"kind": "warning" if i == 0 else "breach", "n": i, "at": (start + timedelta(seconds=2 * i))
                    .strftime("%Y-%m-%dT%H:%M:%S.%fZ")} for i in range(planned)]
        name = f"sample-{planned}-{stop_after}-{int(time.time() * 1000)}"
        plan = {"timer": {"name": name, "case_id": "sample", "stage": "resolve", "department": None, "version": 1,
                          "start": notices[0]["at"], "due": notices[-1]["at"]}, "notices": notices}
        execution = sfn.start_execution(stateMachineArn=arn, name=name, input=json.dumps(
            timers.state_machine_input(plan, resources.WORK.url())))["executionArn"]
        samples.append((execution, planned, stop_after, start))
    for execution, planned, stop_after, start in samples:
        if stop_after is not None:
            # stop between the notice `stop_after` and the next one
            moment = start + timedelta(seconds=2 * stop_after - 1)
            time.sleep(max(0.0, (moment - datetime.now(timezone.utc)).total_seconds()))
            sfn.stop_execution(executionArn=execution, cause="stage ended")
    time.sleep(12)
    print(f"\n{'sample timer':<34} {'moto':>5} {'cost model':>10}")
    ok = True
    for execution, planned, stop_after, _ in samples:
        history = sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]
        entered = sum(1 for h in history if h["type"].endswith("StateEntered"))
        sent = sum(1 for h in history if h["type"] == "TaskStateEntered")   # notices sent, whatever the timing
        model = 1 + TRANSITIONS_PER_NOTICE * max(0, sent - 1) + (TRANSITIONS_LAST_NOTICE if sent else 0)
        ok &= entered == model
        label = f"{sent} of {planned} notices sent" + (", then stopped" if stop_after is not None else "")
        print(f"{label:<34} {entered:>5} {model:>10}")
        if stop_after is None:
            sfn.stop_execution(executionArn=execution, cause="last notice handled")
    print("the cost model's transitions match moto's history" if ok else "MISMATCH between the cost model and moto")
    return ok


if __name__ == "__main__":
    os.environ.update(app_environment(prefix="gridloop-bench-"))
    local_aws = LocalAWS().start()
    try:
        met = main(local_aws)
    finally:
        local_aws.stop()
    sys.exit(0 if met else 1)
