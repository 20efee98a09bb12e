"""A commit whose answer is lost: DynamoDB committed the transaction, the response never came back, and botocore
sent the same request again. Without a token the second attempt is a second write (a second case, or a 409 on
the version the first attempt already moved); with the ClientRequestToken of the attempt, DynamoDB answers it
with the first answer and writes nothing (chalicelib/adapters/dynamo.transact).

moto ignores ClientRequestToken: these tests run behind `EmulatedClientRequestTokens`, an EMULATION of DynamoDB's
documented rule (API reference, TransactWriteItems, ClientRequestToken): within 10 minutes of a successful call,
a call with the same token and the same parameters returns the first answer without writing again; the same
token with other parameters answers IdempotentParameterMismatch. A call that did not succeed wrote nothing and is
simply carried out again.
"""
from __future__ import annotations

import json
import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError
from pynamodb.exceptions import TransactWriteError

from chalicelib.adapters import dynamo, unit_of_work
from chalicelib.adapters.models import CounterItem
from support.calls import RECORDER, Collector, any_call
from tests.e2e.helpers import ACCEPT, REPORT, household_ready_to_redeem, new_case, ok

WINDOW_SECONDS = 600
COUNTY_TIME = ZoneInfo("Asia/Shanghai")   # the demo county's: statistics count on its calendar days


class _Body:
    def __init__(self, content: bytes):
        self.content = content

    def stream(self, **_):
        yield self.content


class EmulatedClientRequestTokens:
    """DynamoDB's token rule in front of moto, on one botocore client's TransactWriteItems requests. It also
    loses answers on request: the transaction is sent and committed, then the client sees a read timeout."""

    def __init__(self, client):
        self.client, self.lock = client, threading.Lock()
        self.first = {}              # token -> (the other parameters, the first answer, when)
        self.to_lose, self.lost, self.replayed, self.mismatches = 0, [], 0, 0

    def lose_next_answers(self, count: int = 1) -> None:
        self.to_lose = count

    def before_send(self, request, **_):
        parameters = json.loads(request.body)
        token = parameters.pop("ClientRequestToken", None)
        with self.lock:
            known = self.first.get(token) if token else None
        if known and time.time() - known[2] < WINDOW_SECONDS:
            if known[0] != parameters:
                self.mismatches += 1
                return self._answer(request, 400, {"__type": "com.amazonaws.dynamodb.v20120810#"
                                                   "IdempotentParameterMismatchException",
                                                   "message": "the same token with other parameters"})
            self.replayed += 1
            status, headers, content = known[1]
            return AWSResponse(request.url, status, headers, _Body(content))
        answer = self.client._endpoint.http_session.send(request)     # on to moto: the transaction runs
        content = answer.content
        if token and answer.status_code == 200:
            with self.lock:
                self.first[token] = (parameters, (200, dict(answer.headers), content), time.time())
        if self.to_lose:
            self.to_lose -= 1
            self.lost.append(answer.status_code)
            raise ReadTimeoutError(endpoint_url=request.url)          # botocore retries the same request
        return answer

    @staticmethod
    def _answer(request, status: int, body: dict):
        return AWSResponse(request.url, status, {"Content-Type": "application/x-amz-json-1.0"},
                           _Body(json.dumps(body).encode()))


@pytest.fixture
def dynamodb(stack):
    """The emulation on the app's DynamoDB client (the unit of work's and the points store's transactions)."""
    client = dynamo.connection().client
    emulation = EmulatedClientRequestTokens(client)
    event = "before-send.dynamodb.TransactWriteItems"
    client.meta.events.register(event, emulation.before_send)
    yield emulation
    client.meta.events.unregister(event, emulation.before_send)


@pytest.fixture
def transactions():
    """The TransactWriteItems calls the app sends meanwhile, as the shared recorder sees them."""
    collector = Collector(keep=any_call)
    RECORDER.add_listener(collector)
    yield lambda: [c for c in collector.calls if c.operation == "TransactWriteItems"]
    RECORDER.remove_listener(collector)


def test_an_intake_without_idempotency_key_whose_answer_is_lost_is_one_case(api, dynamodb, transactions):
    dynamodb.lose_next_answers(1)
    created = ok(api.call("gm-yks-01", "POST", "/cases", REPORT), 201)        # no Idempotency-Key
    assert dynamodb.lost == [200] and dynamodb.replayed == 1                  # committed, lost, answered again
    assert [c["id"] for c in ok(api.call("gm-yks-01", "GET", "/cases/mine"))["items"]] == [created["id"]]
    timeline = ok(api.call("gm-yks-01", "GET", f"/cases/{created['id']}/timeline"))["items"]
    assert [e["action"] for e in timeline] == ["report"]
    month = f"{datetime.fromisoformat(created['created_at'].replace('Z', '+00:00')).astimezone(COUNTY_TIME):%Y-%m}"
    assert ok(api.call("leader-rq", "GET", f"/statistics?node=BZ.RQ&period={month}"))["metrics"]["reported"][
        "total"] == 1
    (sent,) = transactions()
    assert sent.params["ClientRequestToken"]                                  # the one attempt, under its token
    assert new_case(api)["number"].endswith("-000002")                        # the next number: none taken twice


def test_a_case_action_whose_answer_is_lost_is_applied_once_and_answers_success(api, dynamodb):
    case = new_case(api)
    dynamodb.lose_next_answers(1)
    accepted = ok(api.call("station-yks", "POST", f"/cases/{case['id']}/accept", ACCEPT))   # not a 409
    assert dynamodb.lost == [200] and dynamodb.replayed == 1
    assert accepted["version"] == case["version"] + 1
    detail = ok(api.call("station-yks", "GET", f"/cases/{case['id']}"))
    assert (detail["status"], detail["version"]) == ("accepted", case["version"] + 1)
    timeline = ok(api.call("station-yks", "GET", f"/cases/{case['id']}/timeline"))["items"]
    assert [e["action"] for e in timeline] == ["report", "accept"]


def test_a_redemption_whose_answer_is_lost_spends_once_and_answers_success(api, dynamodb):
    home = household_ready_to_redeem(api)
    dynamodb.lose_next_answers(1)
    order = ok(api.call("clerk-yks", "POST", "/supermarkets/yks-market/redemptions",    # no Idempotency-Key
                        {"household_id": home, "sku": "soap"}), 201)
    assert dynamodb.lost == [200] and dynamodb.replayed == 1
    ledger = ok(api.call("evaluator-yks", "GET", f"/households/{home}/ledger"))
    assert ledger["balance"] == 25 and len(ledger["items"]) == 4 and order["order"]["id"]
    stock = ok(api.call("clerk-yks", "GET", "/supermarkets/yks-market/stock"))["items"]
    assert {i["sku"]: i["stock"] for i in stock}["soap"] == 1


def test_a_transaction_rebuilt_after_losing_the_case_number_is_sent_under_a_new_token(api, monkeypatch, transactions):
    """A concurrent intake takes the number between our read and our commit: our transaction is cancelled and
    rebuilt with the next number, a new transaction with a new token."""
    real_commit, rival = unit_of_work.DynamoUnitOfWork._commit, []

    def commit_after_a_rival(uow):
        if not rival:
            rival.append(None)
            rival[0] = api.call("gm-yks-02", "POST", "/cases", {**REPORT, "grid": "BZ.RQ.TGLK.YKS.G02"})
        return real_commit(uow)

    monkeypatch.setattr(unit_of_work.DynamoUnitOfWork, "_commit", commit_after_a_rival)
    ours = ok(api.call("gm-yks-01", "POST", "/cases", REPORT), 201)
    assert (ok(rival[0], 201)["number"][-6:], ours["number"][-6:]) == ("000001", "000002")
    sent = transactions()
    assert len(sent) == 3                                   # the rival's, ours cancelled, ours rebuilt
    tokens = [c.params["ClientRequestToken"] for c in sent]
    assert all(tokens) and len(set(tokens)) == 3


def test_the_emulation_answers_a_repeated_token_as_dynamodb_documents(dynamodb):
    put = CounterItem("emulation-check", value=1).get_save_kwargs_from_instance(
        condition=CounterItem.name.does_not_exist())
    connection = dynamo.connection()
    connection.transact_write_items([], [], [put], [], client_request_token="token-1")
    connection.transact_write_items([], [], [put], [], client_request_token="token-1")   # moto alone: cancelled
    assert dynamodb.replayed == 1 and CounterItem.get("emulation-check").value == 1
    other = CounterItem("emulation-other", value=1).get_save_kwargs_from_instance()
    with pytest.raises(TransactWriteError) as refused:
        connection.transact_write_items([], [], [other], [], client_request_token="token-1")
    assert refused.value.cause_response_code == "IdempotentParameterMismatchException"
    assert dynamodb.mismatches == 1 and CounterItem.count() == 1
