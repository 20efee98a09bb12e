"""Drill mode: deadlines in compressed time. Expected instants are worked out by hand from the demo county's
8-hour working day (10:00-14:00 and 15:30-19:30) and a drill day of 60 s: a speed of 480."""
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.deadline_policy import Duration
from chalicelib.domain.drill_time import DrillCalendar
from chalicelib.domain.roles import Principal
from chalicelib.domain import commands, workdays
from chalicelib.services import cases
from support.fakes import RecordingUnitOfWork as Recording, Store

T0 = datetime(2026, 12, 1, 3, 0, 0, tzinfo=timezone.utc)
GM = Principal("gm-yks-01", "grid_member", grid="BZ.RQ.TGLK.YKS.G01")
STATION = Principal("station-yks", "station", node="BZ.RQ.TGLK.YKS")
COUNTY = Principal("dispatcher-rq", "dispatcher", node="BZ.RQ")
DRILL = DrillCalendar(standard_day_minutes=480, working_day=timedelta(seconds=60))


@pytest.mark.parametrize("duration, seconds", [
    (Duration(1, "working_days"), 60),
    (Duration(5, "working_days"), 300),
    (Duration(15, "working_days"), 900),
    (Duration(240, "working_minutes"), 30),     # half a working day
    (Duration(30, "minutes"), 3),               # 3.75 s, whole seconds down
    (Duration(1440, "minutes"), 180),           # 24 h
    (Duration(1, "minutes"), 1),                # 0.125 s: never less than a second
])
def test_a_duration_lasts_its_share_of_a_drill_day(duration, seconds):
    assert DRILL.add(T0, duration) == T0 + timedelta(seconds=seconds)


@pytest.mark.parametrize("duration, seconds", [
    (Duration(1, "working_days"), 45),
    (Duration(5, "working_days"), 225),
    (Duration(120, "minutes"), 11),             # 75% of 15 s is 11.25
])
def test_the_warning_comes_at_three_quarters_in_the_same_basis(duration, seconds):
    assert DRILL.warning_at(T0, duration) == T0 + timedelta(seconds=seconds)


def test_a_drill_counts_nights_weekends_and_holidays_alike():
    new_year = datetime(2027, 1, 1, 23, 59, 30, tzinfo=timezone.utc)   # a holiday, at night in Xinjiang
    assert DRILL.add(new_year, Duration(1, "working_days")) == new_year + timedelta(seconds=60)


def test_naive_instants_and_negative_durations_are_refused():
    with pytest.raises(ValueError):
        DRILL.add(datetime(2026, 12, 1, 3, 0), Duration(1, "working_days"))
    with pytest.raises(ValueError):
        DRILL.add(T0, Duration(-1, "minutes"))


def test_the_switch_turns_the_deployments_calendar_into_the_drill_and_back(config):
    real = config.calendar
    try:
        workdays.run_as_drill(timedelta(seconds=60))
        assert config.calendar.add(T0, Duration(1, "working_days")) == T0 + timedelta(seconds=60)
    finally:
        workdays.run_as_drill(None)
    assert config.calendar is real


def test_in_a_drill_a_dispatch_plans_warning_breach_and_escalations_seconds_apart(config):
    """The lead's report-in (normal: 1 working day): warning at 45 s, breach at 60 s, then one breach per further
    drill day (a grace period is the stage's own length): 120, 180, 240, 300 s. Resolve (irrigation is complex:
    15 working days): due 900 s after dispatch."""
    store, log = Store(), []
    try:
        workdays.run_as_drill(timedelta(seconds=60))
        case = cases.report_case(Recording(store, log), config, GM, commands.ReportCase.model_validate({
            "kind": "demand", "category": "irrigation", "title": "t", "description": "d", "grid": GM.grid,
            "location": {"lat": 40.605, "lon": 87.685}}), T0)
        cases.act(Recording(store, log), config, STATION, case["id"], "accept", commands.Accept(
            kind="demand", category="irrigation", urgency="normal", public_summary="s"), T0 + timedelta(seconds=5))
        dispatched = cases.act(Recording(store, log), config, COUNTY, case["id"], "dispatch",
                               commands.Dispatch(lead="rq-agri"), T0 + timedelta(seconds=10))
    finally:
        workdays.run_as_drill(None)
    start = T0 + timedelta(seconds=10)

    def at(seconds):
        return (start + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")

    report_in = next(e for e in log if e.kind == "start_timer" and "-reportin-" in e.payload["name"])
    assert [(n["kind"], n["at"]) for n in report_in.payload["input"]["notices"]] == [
        ("warning", at(45)), ("breach", at(60)), ("breach", at(120)), ("breach", at(180)), ("breach", at(240)),
        ("breach", at(300))]
    assert dispatched["deadlines"]["resolve_due"] == at(900)
