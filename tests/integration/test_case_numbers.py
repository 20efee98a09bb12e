"""Case numbers claimed inside the intake's one transaction, on the embedded moto server (docs/performance.md).

The intake reads the county-year counter with its idempotency record (one BatchGetItem) and claims N+1 in its
TransactWriteItems, conditional on the counter still being N. These tests interleave intakes between that read and
that commit, the way concurrent Lambdas would.
"""
import pytest

from chalicelib.adapters.repositories import DynamoHouseholdRepository
from chalicelib.adapters.unit_of_work import DynamoUnitOfWork
from chalicelib.adapters.models import CaseItem, CounterItem, IdempotencyItem, VisitItem
from chalicelib.domain.errors import Invalid
from chalicelib.domain.roles import Principal
from chalicelib.services import api_keys, cases, households, open311, visits
from chalicelib.domain import commands
from chalicelib.services.unit_of_work import SEQUENCE_ATTEMPTS as NUMBER_ATTEMPTS
from chalicelib.services.open311 import Open311Error
from chalicelib.services.unit_of_work import SequenceTaken
from tests.builders import T0, at, report_body
from support.fakes import InterleavedLoads

GM = Principal("gm-yks-01", "grid_member", grid="BZ.RQ.TGLK.YKS.G01")
ADMIN = Principal("admin-bz", "admin", node="BZ")
COUNTER = "case-number#RQ#2026"


def report(config, key=None, title="no water", uow=None):
    return cases.report_case(uow or DynamoUnitOfWork(), config, GM, report_body(title), T0, idempotency_key=key)


class Interleaved(InterleavedLoads, DynamoUnitOfWork):
    """A unit of work that lets other intakes commit right after each of its loads (before its own commit)."""

    def __init__(self, between):
        super().__init__()
        self._interleave(between)   # one callable per load; run after the read, before the commit


def numbers():
    return sorted(item.number for item in CaseItem.scan())


def counter():
    return int(CounterItem.get(COUNTER, consistent_read=True).value)


def test_the_first_intake_of_a_year_creates_the_counter_inside_its_transaction(tables, config):
    assert report(config)["number"] == "RQ-2026-000001"
    assert counter() == 1
    assert report(config)["number"] == "RQ-2026-000002"
    assert counter() == 2


def test_an_intake_that_loses_its_number_to_a_concurrent_one_reads_again_and_takes_the_next(tables, config):
    report(config)                                                   # the counter is at N = 1
    rival = []
    ours = Interleaved([lambda: rival.append(report(config, title="rival"))])
    created = report(config, uow=ours)
    assert [load[COUNTER] for load in ours.loads] == [1, 2]          # both read N; ours read again after losing
    assert rival[0]["number"] == "RQ-2026-000002"                    # the rival committed N + 1 first
    assert created["number"] == "RQ-2026-000003"                     # ours retried and took N + 2
    assert numbers() == ["RQ-2026-000001", "RQ-2026-000002", "RQ-2026-000003"]   # unique, no gap
    assert counter() == 3


def test_two_first_intakes_of_a_year_race_for_number_one(tables, config):
    """Both read no counter item: the claim's attribute_not_exists condition lets one of them create it."""
    rival = []
    ours = Interleaved([lambda: rival.append(report(config, title="rival"))])
    created = report(config, uow=ours)
    assert (rival[0]["number"], created["number"]) == ("RQ-2026-000001", "RQ-2026-000002")
    assert numbers() == ["RQ-2026-000001", "RQ-2026-000002"] and counter() == 2


def test_an_intake_that_keeps_losing_gives_up_after_bounded_attempts_and_writes_nothing(tables, config):
    rivals = [lambda i=i: report(config, title=f"rival {i}") for i in range(NUMBER_ATTEMPTS)]
    ours = Interleaved(rivals)
    with pytest.raises(SequenceTaken):
        report(config, key="unlucky", uow=ours)
    assert len(ours.loads) == NUMBER_ATTEMPTS
    assert numbers() == [f"RQ-2026-{n:06d}" for n in range(1, NUMBER_ATTEMPTS + 1)]   # only the rivals', no gap
    assert counter() == NUMBER_ATTEMPTS
    assert sum(1 for _ in IdempotencyItem.scan()) == 0               # ours left no record: its retry will run
    assert report(config, key="unlucky")["number"] == f"RQ-2026-{NUMBER_ATTEMPTS + 1:06d}"


def test_a_replayed_intake_returns_its_number_without_taking_another(tables, config):
    first = report(config, key="k-1")
    again = report(config, key="k-1")
    assert again == first and first["number"] == "RQ-2026-000001"
    assert counter() == 1                                            # the replay took no number
    assert report(config, key="k-2")["number"] == "RQ-2026-000002"   # so the next one follows without a gap


def test_a_twin_that_commits_between_our_read_and_our_commit_is_replayed_not_renumbered(tables, config):
    """Ours fails on both the idempotency record and the number: it is a replay, not a retry."""
    twin = []
    ours = Interleaved([lambda: twin.append(report(config, key="twin"))])
    created = report(config, key="twin", uow=ours)
    assert created == twin[0] and len(ours.loads) == 1
    assert numbers() == ["RQ-2026-000001"] and counter() == 1


def test_an_open311_key_is_checked_on_the_intakes_one_read_before_anything_is_replayed(tables, config):
    issued = api_keys.issue(DynamoUnitOfWork(), ADMIN, commands.IssueApiKey(name="civic app"), T0)
    form = {"api_key": issued["api_key"], "service_code": "road_repair", "lat": "40.605", "long": "87.685",
            "description": "Pothole at the school gate", "phone": "13911112222", "first_name": "张",
            "idempotency_key": "o-1"}
    created = open311.create_request(DynamoUnitOfWork(), config, form, T0)
    assert open311.create_request(DynamoUnitOfWork(), config, form, T0) == created     # replayed
    for wrong in (issued["key_id"] + ".not-the-secret", "unknown.secret", issued["key_id"] + "."):
        with pytest.raises(Open311Error) as refused:   # same client id and key: still no replay without the secret
            open311.create_request(DynamoUnitOfWork(), config, {**form, "api_key": wrong}, T0)
        assert refused.value.status == 403
    api_keys.revoke(DynamoUnitOfWork(), ADMIN, issued["key_id"])
    with pytest.raises(Open311Error) as refused:
        open311.create_request(DynamoUnitOfWork(), config, form, T0)
    assert refused.value.status == 403
    assert sum(1 for _ in CaseItem.scan()) == 1


def test_a_visit_reads_its_household_with_the_idempotency_record(tables, config, monkeypatch):
    home = households.register(DynamoUnitOfWork(), config, GM, commands.RegisterHousehold(
        grid=GM.grid, head="户主", members=3), T0)["id"]
    other = households.register(DynamoUnitOfWork(), config, Principal(
        "gm-yks-02", "grid_member", grid="BZ.RQ.TGLK.YKS.G02"), commands.RegisterHousehold(
        grid="BZ.RQ.TGLK.YKS.G02", head="户主", members=2), T0)["id"]
    def no_separate_read(self, household_id):
        raise AssertionError("the household should come with the load's BatchGetItem")

    monkeypatch.setattr(DynamoHouseholdRepository, "_get", no_separate_read)
    uow = DynamoUnitOfWork()
    visit = visits.log_visit(uow, config, GM, commands.LogVisit(household_id=home, visited_at=at(10)), at(20),
                             idempotency_key="v-1")
    assert visit["household_id"] == home
    assert uow.households.seen[home].id == home                      # it came with the load
    for missing in (other, "no-such-household"):
        with pytest.raises(Invalid) as refused:
            visits.log_visit(DynamoUnitOfWork(), config, GM, commands.LogVisit(
                household_id=missing, visited_at=at(10)), at(20))
        assert refused.value.field == "household_id"
    assert sum(1 for _ in VisitItem.scan()) == 1
