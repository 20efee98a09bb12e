"""The in-memory unit of work keeps the DynamoDB one's contract for case numbers, households and API keys: read
with the write's one load, the number claimed at commit on the value read, a lost claim read again."""
import hashlib

import pytest

from chalicelib.domain.api_keys import ApiKey
from chalicelib.domain.errors import Invalid
from chalicelib.domain.household import Household
from chalicelib.domain.roles import Principal
from chalicelib.services import cases, open311, visits
from chalicelib.domain import commands
from chalicelib.services.unit_of_work import SEQUENCE_ATTEMPTS as NUMBER_ATTEMPTS
from chalicelib.services.open311 import Open311Error
from chalicelib.services.unit_of_work import SequenceTaken
from tests.builders import T0, at, report_body
from support.fakes import FakeHouseholdRepository, FakeUnitOfWork, InterleavedLoads, Store

GM = Principal("gm-yks-01", "grid_member", grid="BZ.RQ.TGLK.YKS.G01")
COUNTER = "case-number#RQ#2026"


class Interleaved(InterleavedLoads, FakeUnitOfWork):
    """Runs another write right after each of its loads, before its own commit."""

    def __init__(self, store, between):
        super().__init__(store)
        self._interleave(between)


def report(config, store, key=None, title="no water", uow=None):
    return cases.report_case(uow or FakeUnitOfWork(store), config, GM, report_body(title), T0, idempotency_key=key)


def numbers(store):
    return sorted(c["number"] for c in store.cases.values())


def test_the_number_is_read_with_the_load_and_taken_only_at_commit(config):
    store = Store()
    failing = FakeUnitOfWork(store, fail_commit_with=RuntimeError("AWS is down"))
    with pytest.raises(RuntimeError):
        report(config, store, uow=failing)
    assert store.counters == {} and store.cases == {}               # a failed commit took no number
    assert report(config, store)["number"] == "RQ-2026-000001"
    assert store.counters == {COUNTER: 1}


def test_a_lost_number_is_read_again_and_the_next_one_taken(config):
    store = Store()
    report(config, store)
    rival = []
    ours = Interleaved(store, [lambda: rival.append(report(config, store, title="rival"))])
    created = report(config, store, uow=ours)
    assert [load[COUNTER] for load in ours.loads] == [1, 2]
    assert (rival[0]["number"], created["number"]) == ("RQ-2026-000002", "RQ-2026-000003")
    assert numbers(store) == ["RQ-2026-000001", "RQ-2026-000002", "RQ-2026-000003"] and store.counters[COUNTER] == 3


def test_the_retries_are_bounded(config):
    store = Store()
    ours = Interleaved(store, [lambda i=i: report(config, store, title=f"rival {i}") for i in range(NUMBER_ATTEMPTS)])
    with pytest.raises(SequenceTaken):
        report(config, store, key="k", uow=ours)
    assert numbers(store) == [f"RQ-2026-{n:06d}" for n in range(1, NUMBER_ATTEMPTS + 1)] and store.idempotency == {}


def test_a_replay_takes_no_number_and_a_twin_in_between_is_replayed(config):
    store = Store()
    first = report(config, store, key="k-1")
    assert report(config, store, key="k-1") == first and store.counters[COUNTER] == 1
    twin = []
    ours = Interleaved(store, [lambda: twin.append(report(config, store, key="k-2"))])
    assert report(config, store, key="k-2", uow=ours) == twin[0] and len(ours.loads) == 1
    assert numbers(store) == ["RQ-2026-000001", "RQ-2026-000002"] and store.counters[COUNTER] == 2


def test_a_visit_takes_its_household_from_the_load(config, monkeypatch):
    store = Store()
    store.households["h-1"] = Household.from_dict({"id": "h-1", "grid": GM.grid, "head": "户主", "members": 3,
                                                   "version": 1, "phone": None, "address": "", "created_at": "",
                                                   "created_by": GM.user_id})
    monkeypatch.setattr(FakeHouseholdRepository, "_get", lambda self, i: pytest.fail("a second read"))
    visit = visits.log_visit(FakeUnitOfWork(store), config, GM, commands.LogVisit(
        household_id="h-1", visited_at=at(10)), at(20))
    assert visit["household_id"] == "h-1" and len(store.visits) == 1
    with pytest.raises(Invalid):
        visits.log_visit(FakeUnitOfWork(store), config, GM, commands.LogVisit(
            household_id="h-2", visited_at=at(10)), at(20))


def test_an_open311_key_is_checked_on_the_load(config):
    store = Store()
    store.api_keys["k1"] = ApiKey("k1", hashlib.sha256(b"secret").hexdigest(), revoked=False)
    form = {"api_key": "k1.secret", "service_code": "road_repair", "lat": "40.605", "long": "87.685",
            "description": "Pothole", "idempotency_key": "i-1"}
    created = open311.create_request(FakeUnitOfWork(store), config, form, T0)
    for wrong in ("k1.guess", "k2.secret"):
        with pytest.raises(Open311Error) as refused:
            open311.create_request(FakeUnitOfWork(store), config, {**form, "api_key": wrong}, T0)
        assert refused.value.status == 403
    store.api_keys["k1"] = ApiKey("k1", store.api_keys["k1"].secret_hash, revoked=True)
    with pytest.raises(Open311Error):
        open311.create_request(FakeUnitOfWork(store), config, form, T0)
    assert list(store.cases) == [created[0]["service_request_id"]]
