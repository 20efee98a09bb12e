"""Every write is one command over the unit of work: its idempotency record is committed with its answer in the
same transaction, whatever the write (cases, households, visits, points), and its effects are handed to the
dispatcher only after that transaction committed."""
import pytest

from chalicelib.domain import commands
from chalicelib.domain.errors import VersionConflict
from chalicelib.domain.roles import Principal
from chalicelib.services import cases, dispatcher, households, points, visits
from chalicelib.services.dispatcher import EffectCarrier
from chalicelib.services.effects import Effect
from chalicelib.services.unit_of_work import AbstractUnitOfWork
from tests.builders import T0, accepted, at
from support.fakes import FakeUnitOfWork, Store

GM = Principal("gm-yks-01", "grid_member", grid="BZ.RQ.TGLK.YKS.G01")
EVALUATOR = Principal("pe-yks", "points_evaluator", node="BZ.RQ.TGLK.YKS")
COUNTY = Principal("dispatcher-rq", "dispatcher", node="BZ.RQ")


def household(config, store) -> str:
    body = commands.RegisterHousehold(grid=GM.grid, head="Tursun", members=3)
    return households.register(FakeUnitOfWork(store), config, GM, body, T0)["id"]


def test_a_command_can_commit_only_through_the_unit_of_works_execute():
    """No public commit: a write cannot leave its idempotency record out by calling one."""
    assert not hasattr(AbstractUnitOfWork, "commit")


WRITES = {   # each write, with what a retry with the same key must not repeat (hand-written)
    "register a household": (
        lambda config, store, key: households.register(
            FakeUnitOfWork(store), config, GM, commands.RegisterHousehold(grid=GM.grid, head="Ayşe", members=2),
            T0, idempotency_key=key),
        lambda store: len(store.households)),
    "log a visit": (
        lambda config, store, key: visits.log_visit(
            FakeUnitOfWork(store), config, GM,
            commands.LogVisit(household_id=store.first_household, visited_at=T0, notes="well"), at(1),
            idempotency_key=key),
        lambda store: len(store.visits)),
    "record points": (
        lambda config, store, key: points.record(
            FakeUnitOfWork(store), config, EVALUATOR, store.first_household,
            commands.RecordPoints(rule="volunteer_work", reason="cleared the canal"), at(1), idempotency_key=key),
        lambda store: sum(len(entries) for entries in store.ledger.values())),
    "report a case": (
        lambda config, store, key: cases.report_case(
            FakeUnitOfWork(store), config, GM, commands.ReportCase(
                kind="demand", category="irrigation", title="no water", description="dry", grid=GM.grid,
                location={"lat": 40.605, "lon": 87.685}), T0, idempotency_key=key),
        lambda store: len(store.cases)),
}


@pytest.mark.parametrize("write", WRITES)
def test_a_write_retried_with_its_key_is_applied_once_and_answers_the_first_result(config, write):
    perform, count = WRITES[write]
    store = Store()
    store.first_household = household(config, store)
    before, commits = count(store), store.commits
    first = perform(config, store, "key-1")
    again = perform(config, store, "key-1")
    assert again == first
    assert count(store) == before + 1
    assert store.commits == commits + 1                   # the retry committed nothing
    (record,) = [r for k, r in store.idempotency.items() if k.endswith("#key-1")]
    assert record.result == first                         # the answer was committed with the change


class WatchingCarrier(EffectCarrier):
    """Notes, for each effect it is given, how many commits the store had seen by then."""

    def __init__(self, store):
        self.store, self.seen, self.marked = store, [], []

    def start_timer(self, effect):
        self.seen.append((effect.kind, self.store.commits))

    stop_timer = notify = start_timer

    def mark_done(self, tried, done):
        self.marked.append((len(tried), len(done)))


def dispatch_case(config, store, carrier, fail_commit_with=None):
    store.cases["01CASE"] = accepted().to_dict()
    unit = FakeUnitOfWork(store, fail_commit_with=fail_commit_with)
    unit.carrier = carrier
    return cases.act(unit, config, COUNTY, "01CASE", "dispatch", commands.Dispatch(lead="rq-agri"), at(30))


def test_the_effects_of_a_write_are_carried_out_after_its_commit(config):
    store = Store()
    carrier = WatchingCarrier(store)
    dispatch_case(config, store, carrier)
    # a dispatch to one lead of an accepted case (triage ended at acceptance): report-in and resolve start, the
    # lead is notified
    assert sorted(kind for kind, _ in carrier.seen) == ["notify", "start_timer", "start_timer"]
    assert {commits for _, commits in carrier.seen} == {1}   # every one after the one commit
    assert carrier.marked == [(3, 3)]


def test_a_write_whose_commit_fails_carries_out_nothing(config):
    store = Store()
    carrier = WatchingCarrier(store)
    with pytest.raises(VersionConflict):
        dispatch_case(config, store, carrier, fail_commit_with=VersionConflict("moved"))
    assert carrier.seen == [] and carrier.marked == []


class FlakyCarrier(EffectCarrier):
    def __init__(self):
        self.done = []

    def start_timer(self, effect):
        raise ConnectionError("Step Functions unreachable")

    def stop_timer(self, effect):
        self.done.append(effect.id)

    notify = stop_timer

    def mark_done(self, tried, done):
        self.marked = ([e.id for e in tried], [e.id for e in done])


def test_the_dispatcher_sends_each_effect_to_its_kind_and_leaves_a_failure_pending():
    effects = [Effect("start_timer", {}, id="a"), Effect("notify", {}, id="b"), Effect("stop_timer", {}, id="c")]
    carrier = FlakyCarrier()
    done = dispatcher.dispatch(effects, carrier)
    assert [e.id for e in done] == ["b", "c"] and carrier.done == ["b", "c"]
    assert carrier.marked == (["a", "b", "c"], ["b", "c"])   # "a" stays pending for the relay
