"""Property: with a controlled clock, every deadline breach escalates exactly once and nothing escalates
without one. "Breach" comes from a reference model written here: a minute-by-minute table of the county's
working time (hours, statutory holidays from the calendar package, the county's own days), independent of
the production deadline code. Timers are simulated from the outbox effects the services commit.
"""
import heapq
import random
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import chinese_calendar
from hypothesis import HealthCheck, given, settings, strategies as st

from chalicelib.domain.roles import Principal
from chalicelib.services import cases, deadlines
from chalicelib.domain import commands
from tests.builders import examples
from support.fakes import RecordingUnitOfWork, Store

TZ = ZoneInfo("Asia/Shanghai")
WINDOW_START = datetime(2026, 11, 2, tzinfo=timezone.utc)   # runs into 2027, past the calendar package's data
WINDOW_DAYS = 100
PERIODS = [(10 * 60, 14 * 60), (15 * 60 + 30, 19 * 60 + 30)]   # demo county: 10:00-14:00, 15:30-19:30
DAY = 480                                                       # working minutes in one working day
BREACH_NOTICES = 5        # breach + four grace periods: village -> township -> county -> prefecture, then reminders
GRID = "BZ.RQ.TGLK.YKS.G01"
GM = Principal("gm-yks-01", "grid_member", grid=GRID)
STATION = Principal("station-yks", "station", node="BZ.RQ.TGLK.YKS")
LEAD = Principal("dept-rq-transport", "department", department="rq-transport")


def reference_working_minutes(config):
    """cumulative[i] = working minutes in [WINDOW_START, WINDOW_START + i minutes)."""
    holidays, workdays = set(config.spec.calendar.holidays), set(config.spec.calendar.workdays)

    def workday(d: date) -> bool:
        if d in workdays:
            return True
        if d in holidays:
            return False
        try:
            return chinese_calendar.is_workday(d)
        except NotImplementedError:      # a year the package does not know: Monday to Friday
            return d.weekday() < 5

    cumulative = [0]
    for minute in range(WINDOW_DAYS * 1440):
        local = (WINDOW_START + timedelta(minutes=minute)).astimezone(TZ)
        of_day = local.hour * 60 + local.minute
        working = workday(local.date()) and any(a <= of_day < b for a, b in PERIODS)
        cumulative.append(cumulative[-1] + working)
    return cumulative


def minute_of(moment: datetime) -> int:
    return int((moment - WINDOW_START).total_seconds() // 60)


def due_after(cumulative, start: datetime, working_minutes: int) -> datetime:
    """The first moment by which `working_minutes` of working time have passed since `start`."""
    target = cumulative[minute_of(start)] + working_minutes
    m = minute_of(start)
    while cumulative[m] < target:
        m += 1
    return WINDOW_START + timedelta(minutes=m)


class SimulatedTimers:
    """Step Functions as the outbox drives it: started timers send notices at their times until stopped."""

    def __init__(self):
        self.running, self.stopped = {}, {}

    def apply(self, effects, now, schedule):
        for effect in effects:
            if effect.kind == "start_timer" and effect.payload["name"] not in self.running:
                self.running[effect.payload["name"]] = effect.payload["input"]
                for notice in effect.payload["input"]["notices"]:
                    at = datetime.strptime(notice["at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
                    schedule(at, "notice", {"timer": effect.payload["input"]["timer"], "notice": notice})
            elif effect.kind == "stop_timer":
                self.stopped[effect.payload["name"]] = now



plan = st.lists(st.fixed_dictionaries({
    "start": st.integers(0, 20 * 1440),                 # intake minute within the first 20 days
    "accept_after": st.integers(5, 4 * 1440),           # may be after the triage deadline
    "dispatch_after": st.integers(5, 3 * 1440),
    "ack_after": st.one_of(st.none(), st.integers(5, 5 * 1440)),
    "resolve_after": st.one_of(st.none(), st.integers(5, 12 * 1440)),
    "redeliver": st.booleans(),
}), min_size=6, max_size=12)


@settings(max_examples=examples(12), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans=plan, seed=st.integers(0, 10**6))
def test_every_breach_escalates_exactly_once_and_nothing_escalates_without_one(config, plans, seed):
    cumulative = _cumulative(config)
    rng = random.Random(seed)
    store, committed, events, counter = Store(), [], [], [0]
    timers_sim = SimulatedTimers()
    horizon = WINDOW_START + timedelta(days=WINDOW_DAYS - 1)

    def schedule(at, kind, payload):
        if at < horizon:
            counter[0] += 1
            heapq.heappush(events, (at, counter[0], kind, payload))

    expected = {}
    for i, p in enumerate(plans):
        t_report = WINDOW_START + timedelta(minutes=p["start"])
        t_accept = t_report + timedelta(minutes=p["accept_after"])
        t_dispatch = t_accept + timedelta(minutes=p["dispatch_after"])
        t_ack = t_dispatch + timedelta(minutes=p["ack_after"]) if p["ack_after"] is not None else None
        t_resolve = (t_ack + timedelta(minutes=p["resolve_after"])) if (t_ack and p["resolve_after"]) else None
        schedule(t_report, "report", {"i": i})
        schedule(t_accept, "accept", {"i": i})
        schedule(t_dispatch, "dispatch", {"i": i})
        if t_ack:
            schedule(t_ack, "ack", {"i": i})
        if t_resolve:
            schedule(t_resolve, "resolve", {"i": i})
        # The reference: which breach notices must act (stage, n), from working minutes alone.
        want = set()
        for stage, start, length, ended in (("triage", t_report, DAY, t_accept),
                                            ("report_in", t_dispatch, DAY, t_ack),
                                            ("resolve", t_dispatch, 5 * DAY, t_resolve)):
            for n in range(1, BREACH_NOTICES + 1):
                breach = due_after(cumulative, start, n * length)
                if breach < horizon and (ended is None or breach < ended):
                    want.add((stage, n))
        expected[i] = want

    ids = {}
    while events:
        at, _, kind, payload = heapq.heappop(events)
        effects_before = len(committed)
        if kind == "notice":
            name = payload["timer"]["name"]
            stopped_at = timers_sim.stopped.get(name)
            if stopped_at is not None and stopped_at <= at:
                if rng.random() < 0.3:    # a notice that should never have been sent must change nothing
                    deadlines.handle_notice(RecordingUnitOfWork(store, committed), config, payload, at)
                continue
            deadlines.handle_notice(RecordingUnitOfWork(store, committed), config, payload, at)
            if plans[0]["redeliver"] or rng.random() < 0.2:   # SQS delivers at least once
                deadlines.handle_notice(RecordingUnitOfWork(store, committed), config, payload, at)
        else:
            i = payload["i"]
            uow = RecordingUnitOfWork(store, committed)
            if kind == "report":
                ids[i] = cases.report_case(uow, config, GM, commands.ReportCase(
                    kind="demand", category="road_repair", title=f"pothole {i}", description="deep", grid=GRID,
                    location=commands.Location(lat=40.605, lon=87.685)), at)["id"]
            elif kind == "accept":
                holder = _holder(store, ids[i])
                cases.act(uow, config, holder, ids[i], "accept", commands.Accept(
                    kind="demand", category="road_repair", urgency="normal", public_summary="pothole"), at)
            elif kind == "dispatch":
                cases.act(uow, config, _holder(store, ids[i]), ids[i], "dispatch", commands.Dispatch(lead="rq-transport"), at)
            elif kind == "ack":
                cases.act(uow, config, LEAD, ids[i], "acknowledge", commands.OptionalNote(), at)
            elif kind == "resolve":
                cases.act(uow, config, LEAD, ids[i], "resolve", commands.Resolve(note="filled"), at)
        timers_sim.apply(committed[effects_before:], at, schedule)

    from hypothesis import event
    event(f"breaches expected: {min(sum(len(w) for w in expected.values()) // 10 * 10, 50)}+")
    for i, case_id in ids.items():
        entries = store.timeline[case_id]
        breaches = [(e["data"]["stage"], _n(e)) for e in entries if e["action"] == "deadline_breach"]
        assert sorted(breaches) == sorted(expected[i]), (i, plans[i])          # each expected breach, once
        assert len(breaches) == len(set(breaches))
        center = "BZ.RQ.TGLK.YKS"                                               # every case starts at its station
        for e in entries:
            if e["action"] == "deadline_breach":
                above = ".".join(center.split(".")[:-1])
                if above:                                    # below the prefecture: one level up, no more
                    assert e["data"].get("to_center") == above, (i, e)
                else:                                        # at the prefecture: notified again, nowhere higher
                    assert "to_center" not in e["data"], (i, e)
            elif "to_center" in e["data"]:
                raise AssertionError(f"{e['action']} moved the case without a breach")
            center = e["data"].get("to_center") or e["data"].get("forwarded_to") or center


def _n(entry):
    return entry["data"]["notice"]  # which breach notice of its timer: 1 = the breach, 2.. = grace periods


def _holder(store, case_id):
    data = store.cases[case_id]
    role = "station" if data["level"] == "village" else "dispatcher"
    return Principal(f"{role}-{data['center']}", role, node=data["center"])


_CUMULATIVE = {}


def _cumulative(config):
    if "table" not in _CUMULATIVE:
        _CUMULATIVE["table"] = reference_working_minutes(config)
    return _CUMULATIVE["table"]
