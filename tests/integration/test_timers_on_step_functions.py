"""Deadlines through the real ASL on moto's Step Functions, the work queue and its worker (escalation)."""
import time
from datetime import datetime, timedelta, timezone

import boto3

from chalicelib import resources, workers
from chalicelib.adapters.unit_of_work import DynamoUnitOfWork
from chalicelib.adapters.outbox import execution_arn
from chalicelib.domain.roles import Principal
from chalicelib.services import cases
from chalicelib.domain import commands
from local.worker import poll_once

GM = Principal("gm-yks-01", "grid_member", grid="BZ.RQ.TGLK.YKS.G01")
STATION = Principal("station-yks", "station", node="BZ.RQ.TGLK.YKS")
COUNTY = Principal("dispatcher-rq", "dispatcher", node="BZ.RQ")
AGRI = Principal("dept-rq-agri", "department", department="rq-agri")
WATER = Principal("dept-rq-water", "department", department="rq-water")
REPORT = {"kind": "demand", "category": "irrigation", "title": "no water", "description": "dry", "urgency": "emergency",
          "grid": "BZ.RQ.TGLK.YKS.G01", "location": {"lat": 40.605, "lon": 87.685}}


def dispatched_case(config, due_in_seconds: float) -> str:
    """An emergency case dispatched so that its 30-minute report-in deadline falls `due_in_seconds` from now."""
    now = datetime.now(timezone.utc)
    dispatched_at = now - timedelta(minutes=30) + timedelta(seconds=due_in_seconds)
    case = cases.report_case(DynamoUnitOfWork(), config, GM, commands.ReportCase.model_validate(REPORT),
                             dispatched_at - timedelta(minutes=2))
    cases.act(DynamoUnitOfWork(), config, STATION, case["id"], "accept", commands.Accept(
        kind="demand", category="irrigation", urgency="emergency", public_summary="s"), dispatched_at - timedelta(minutes=1))
    cases.act(DynamoUnitOfWork(), config, COUNTY, case["id"], "dispatch",
              commands.Dispatch(lead="rq-agri", co_handlers=["rq-water"]), dispatched_at)
    return case["id"]


def drain_deadlines(seconds: float) -> None:
    sqs = boto3.client("sqs")
    end = time.time() + seconds
    while time.time() < end:
        poll_once(sqs, resources.WORK, workers.work_batch, wait_seconds=1)


def timeline(case_id):
    with DynamoUnitOfWork() as uow:
        return uow.cases.timeline(case_id, 100, None).items


def test_a_late_department_is_warned_then_escalated_once_through_the_state_machine(stack, config):
    case_id = dispatched_case(config, due_in_seconds=3)
    drain_deadlines(7)
    entries = [(e["action"], e["data"].get("department"), e["data"].get("to_center")) for e in timeline(case_id)
               if e["action"].startswith("deadline_")]
    assert sorted(entries, key=str) == sorted([
        ("deadline_warning", "rq-agri", None), ("deadline_warning", "rq-water", None),
        ("deadline_breach", "rq-agri", "BZ"),        # the lead's breach escalates county -> prefecture
        ("deadline_breach", "rq-water", None),       # a co-handler's breach is noted, not escalated
    ], key=str)
    with DynamoUnitOfWork() as uow:
        case = uow.cases.get(case_id)
    assert (case.center, case.level, case.overdue) == ("BZ", "prefecture", True)
    prefecture = Principal("dispatcher-bz", "dispatcher", node="BZ")
    queue = cases.list_cases(DynamoUnitOfWork(), config, prefecture,
                             __import__("chalicelib.services.unit_of_work", fromlist=["x"]).ListQuery(queue_center="BZ"))
    assert [c["id"] for c in queue["items"]] == [case_id]


def test_a_department_that_reports_in_on_time_aborts_its_timer_and_nothing_escalates(stack, config):
    case_id = dispatched_case(config, due_in_seconds=8)   # margin for both report-ins on a busy machine
    now = datetime.now(timezone.utc)
    cases.act(DynamoUnitOfWork(), config, AGRI, case_id, "acknowledge", commands.OptionalNote(), now)
    cases.act(DynamoUnitOfWork(), config, WATER, case_id, "acknowledge", commands.OptionalNote(), now)
    drain_deadlines(11)
    sfn = boto3.client("stepfunctions")
    for department in ("rq-agri", "rq-water"):
        name = f"{case_id}-reportin-{department}-v1"
        assert sfn.describe_execution(executionArn=execution_arn(name))["status"] == "ABORTED"
    assert [e for e in timeline(case_id) if e["action"] == "deadline_breach"] == []
    with DynamoUnitOfWork() as uow:
        assert uow.cases.get(case_id).level == "county"
    resolve_timer = [e for e in sfn.list_executions(stateMachineArn=resources.timer_state_machine_arn())["executions"]
                     if e["name"].startswith(f"{case_id}-resolve-")]
    assert [e["status"] for e in resolve_timer] == ["RUNNING"]  # the 24 h resolve clock keeps running


def test_each_notice_costs_two_state_transitions_and_the_worker_stops_a_timer_after_its_last(stack, config):
    case_id = dispatched_case(config, due_in_seconds=3)
    drain_deadlines(7)
    sfn = boto3.client("stepfunctions")
    co_handler = execution_arn(f"{case_id}-reportin-rq-water-v1")   # a co-handler's timer: a warning, a breach
    history = sfn.get_execution_history(executionArn=co_handler, maxResults=1000)["events"]
    entered = [h["type"] for h in history if h["type"].endswith("StateEntered")]
    # billed transitions: the first wait, then (send, wait) per notice; stopped in the wait after the last one
    assert entered == ["WaitStateEntered", "TaskStateEntered", "WaitStateEntered", "TaskStateEntered",
                       "WaitStateEntered"]
    assert sfn.describe_execution(executionArn=co_handler)["status"] == "ABORTED"
    lead = execution_arn(f"{case_id}-reportin-rq-agri-v1")           # further breaches to come: still waiting
    assert sfn.describe_execution(executionArn=lead)["status"] == "RUNNING"
