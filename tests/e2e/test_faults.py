"""Fault injection at the botocore level on write paths: the caller gets 503 with retry advice, nothing is
half-written, and a retry with the same Idempotency-Key completes the write once."""
import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from chalicelib.adapters import dynamo, unit_of_work
from chalicelib.adapters.models import OutboxItem, StatItem, TimelineItem
from tests.e2e.helpers import ACCEPT, REPORT, household_ready_to_redeem, new_case, ok

FAULTS = {
    "throttling": lambda op: ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, op),
    "internal error": lambda op: ClientError({"Error": {"Code": "InternalServerError", "Message": "oops"}}, op),
    "transaction conflict": lambda op: ClientError({"Error": {"Code": "TransactionCanceledException",
                                                              "Message": "Transaction cancelled [TransactionConflict]"},
                                                    "CancellationReasons": [{"Code": "TransactionConflict"}]}, op),
    "timeout": lambda op: ReadTimeoutError(endpoint_url="http://dynamodb"),
}


@pytest.fixture
def inject():
    """Fail the next `times` calls of one DynamoDB operation, on the app's own client."""
    events = dynamo.connection().client.meta.events
    handlers = []

    def arm(operation: str, fault: str, times: int = 1):
        remaining = [times]

        def fail(**kwargs):
            if remaining[0] > 0:
                remaining[0] -= 1
                raise FAULTS[fault](operation)
        events.register(f"before-call.dynamodb.{operation}", fail)
        handlers.append((f"before-call.dynamodb.{operation}", fail))

    yield arm
    for name, handler in handlers:
        events.unregister(name, handler)


def snapshot(case_id):
    """Timeline entries, outbox items and every statistics counter: what a half-written change would move."""
    counters = {}
    for raw in dynamo.connection().client.scan(TableName=StatItem.Meta.table_name)["Items"]:
        counters[raw["key"]["S"]] = {k: v for k, v in raw.items() if k != "key"}
    return sum(1 for _ in TimelineItem.query(case_id)), sum(1 for _ in OutboxItem.scan()), counters


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_failed_transaction_answers_503_writes_nothing_and_a_retry_applies_once(api, inject, fault):
    case = new_case(api)
    before = snapshot(case["id"])
    version = ok(api.call("station-yks", "GET", f"/cases/{case['id']}"))["version"]
    inject("TransactWriteItems", fault, times=1 if fault != "transaction conflict" else 3)
    code, body = api.call("station-yks", "POST", f"/cases/{case['id']}/accept", ACCEPT,
                          headers={"Idempotency-Key": "accept-1"})
    assert code == 503 and body["error"]["code"] == "temporarily_unavailable"
    assert ok(api.call("station-yks", "GET", f"/cases/{case['id']}"))["version"] == version
    assert snapshot(case["id"]) == before                                   # nothing half-written
    accepted = ok(api.call("station-yks", "POST", f"/cases/{case['id']}/accept", ACCEPT,
                           headers={"Idempotency-Key": "accept-1"}))
    again = ok(api.call("station-yks", "POST", f"/cases/{case['id']}/accept", ACCEPT,
                        headers={"Idempotency-Key": "accept-1"}))
    assert accepted["version"] == again["version"] == version + 1           # applied once


def test_a_throttled_read_answers_503_not_500(api, inject):
    case = new_case(api)
    inject("BatchGetItem", "throttling")
    code, body = api.call("station-yks", "POST", f"/cases/{case['id']}/accept", ACCEPT)
    assert code == 503


def test_a_failed_intake_leaves_no_case_behind(api, inject):
    inject("TransactWriteItems", "internal error")
    code, _ = api.call("gm-yks-01", "POST", "/cases", REPORT, headers={"Idempotency-Key": "k"})
    assert code == 503
    assert ok(api.call("gm-yks-01", "GET", "/cases/mine"))["items"] == []
    created = ok(api.call("gm-yks-01", "POST", "/cases", REPORT, headers={"Idempotency-Key": "k"}), 201)
    assert [c["id"] for c in ok(api.call("gm-yks-01", "GET", "/cases/mine"))["items"]] == [created["id"]]


def test_a_body_over_the_limit_is_refused_with_413(api):
    code, body = api.call("gm-yks-01", "POST", "/cases", {**REPORT, "description": "x" * 70000})
    assert code == 413 and body["error"]["code"] == "payload_too_large"


def test_a_throttled_redemption_answers_503_and_spends_nothing(api, inject):
    home = household_ready_to_redeem(api)
    inject("TransactWriteItems", "throttling")
    code, _ = api.call("clerk-yks", "POST", "/supermarkets/yks-market/redemptions",
                       {"household_id": home, "sku": "soap"}, headers={"Idempotency-Key": "soap-1"})
    assert code == 503
    ledger = ok(api.call("evaluator-yks", "GET", f"/households/{home}/ledger"))
    assert ledger["balance"] == 30 and len(ledger["items"]) == 3
    assert {i["sku"]: i["stock"] for i in ok(api.call("clerk-yks", "GET", "/supermarkets/yks-market/stock"))["items"]}[
        "soap"] == 2
    ok(api.call("clerk-yks", "POST", "/supermarkets/yks-market/redemptions", {"household_id": home, "sku": "soap"},
                headers={"Idempotency-Key": "soap-1"}), 201)
    assert ok(api.call("evaluator-yks", "GET", f"/households/{home}/ledger"))["balance"] == 25


def test_two_requests_with_one_idempotency_key_racing_both_answer_the_one_case_committed(api, monkeypatch):
    """The twin commits between our read and our commit: our transaction fails on the idempotency record and
    replays the twin's result."""
    real_commit, twin = unit_of_work.DynamoUnitOfWork._commit, []

    def commit_after_the_twin(uow):
        if not twin:
            twin.append(None)      # the twin's own commit goes straight through
            twin[0] = api.call("gm-yks-01", "POST", "/cases", REPORT, headers={"Idempotency-Key": "twin"})
        return real_commit(uow)

    monkeypatch.setattr(unit_of_work.DynamoUnitOfWork, "_commit", commit_after_the_twin)
    ours = ok(api.call("gm-yks-01", "POST", "/cases", REPORT, headers={"Idempotency-Key": "twin"}), 201)
    theirs = ok(twin[0], 201)
    assert ours == theirs
    assert [c["id"] for c in ok(api.call("gm-yks-01", "GET", "/cases/mine"))["items"]] == [ours["id"]]
