"""Working-time deadlines: hours, lunch breaks, statutory holidays, overrides, 2027 fallback.

Expected instants are written by hand (Xinjiang hours 10:00-14:00 and 15:30-19:30, Asia/Shanghai = UTC+8,
no DST) or come from the minute-stepping reference model below, whose statutory holidays are typed in from
the State Council notices (国办发明电〔2024〕12号 for 2025, 国办发明电〔2025〕7号 for 2026).
"""
import copy
import logging
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from chalicelib.county_config import COUNTIES_DIR, load, parse
from chalicelib.county_spec import DurationSpec
from chalicelib.domain.deadline_policy import Duration
from chalicelib.domain.working_time import WorkingCalendar
from chalicelib.domain.workdays import build_working_calendar

SH = ZoneInfo("Asia/Shanghai")
UTC = timezone.utc


def local(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=SH)


def utc(dt):
    return dt.astimezone(UTC)


WD = Duration(1, "working_days")


# -- a hand-written calendar (the reference data) -----------------------------------------------------
def _span(first: date, last: date):
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}


STATUTORY_OFF = set().union(
    # 2025
    {date(2025, 1, 1)},
    _span(date(2025, 1, 28), date(2025, 2, 4)),    # Spring Festival
    _span(date(2025, 4, 4), date(2025, 4, 6)),     # Qingming
    _span(date(2025, 5, 1), date(2025, 5, 5)),     # Labour Day
    _span(date(2025, 5, 31), date(2025, 6, 2)),    # Dragon Boat
    _span(date(2025, 10, 1), date(2025, 10, 8)),   # National Day + Mid-Autumn
    # 2026
    _span(date(2026, 1, 1), date(2026, 1, 3)),     # New Year
    _span(date(2026, 2, 15), date(2026, 2, 23)),   # Spring Festival
    _span(date(2026, 4, 4), date(2026, 4, 6)),     # Qingming
    _span(date(2026, 5, 1), date(2026, 5, 5)),     # Labour Day
    _span(date(2026, 6, 19), date(2026, 6, 21)),   # Dragon Boat
    _span(date(2026, 9, 25), date(2026, 9, 27)),   # Mid-Autumn
    _span(date(2026, 10, 1), date(2026, 10, 7)),   # National Day
)
STATUTORY_MAKE_UP = {
    date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28), date(2025, 10, 11),
    date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20),
    date(2026, 10, 10),
}
# Xinjiang regional days off (as in the demo config): Eid al-Fitr and Corban.
XINJIANG_OFF = set().union(
    _span(date(2025, 3, 29), date(2025, 3, 31)), _span(date(2025, 6, 6), date(2025, 6, 10)),
    _span(date(2026, 3, 20), date(2026, 3, 22)), _span(date(2026, 5, 27), date(2026, 5, 31)),
)


def hand_workday(d: date, county_off=frozenset(), county_on=frozenset()) -> bool:
    """County overrides first, then the State Council schedule (2025-2026), otherwise Monday-Friday."""
    if d in county_on:
        return True
    if d in county_off:
        return False
    if d in STATUTORY_MAKE_UP:
        return True
    if d in STATUTORY_OFF:
        return False
    return d.weekday() < 5


def xinjiang_workday(d: date) -> bool:
    return hand_workday(d, county_off=XINJIANG_OFF)


XINJIANG_PERIODS = {w: [(time(10), time(14)), (time(15, 30), time(19, 30))] for w in range(5)}


# -- the reference model: step minute by minute -------------------------------------------------------
class MinuteModel:
    """Walks local wall-clock minutes of a UTC+8 zone (Asia/Shanghai has no DST) one at a time.

    `periods` maps weekday -> [(start minute of day, end minute of day)]; a workday without periods of
    its own (a make-up weekend day) uses Monday's.
    """

    def __init__(self, periods, workday, offset_minutes=480):
        self.periods = periods
        self.workday = workday
        self.offset = offset_minutes
        self._days = {}

    def _spans(self, day_index):
        spans = self._days.get(day_index)
        if spans is None:
            d = date(1970, 1, 1) + timedelta(days=day_index)
            spans = (self.periods.get(d.weekday()) or self.periods[0]) if self.workday(d) else []
            self._days[day_index] = spans
        return spans

    def working(self, m):  # m: local minutes since 1970-01-01 00:00 local
        minute_of_day = m % 1440
        return any(s <= minute_of_day < e for s, e in self._spans(m // 1440))

    def _to_local_minutes(self, instant):
        return int(instant.timestamp()) // 60 + self.offset

    def _to_utc(self, m):
        return datetime.fromtimestamp((m - self.offset) * 60, UTC)

    def add(self, start, working_minutes):
        m = self._to_local_minutes(start)
        if working_minutes == 0:
            return start
        while True:
            if self.working(m):
                working_minutes -= 1
                if working_minutes == 0:
                    return self._to_utc(m + 1)
            m += 1

    def between(self, a, b):
        return sum(1 for m in range(self._to_local_minutes(a), self._to_local_minutes(b)) if self.working(m))


def _minutes(hhmm):
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


XINJIANG_MODEL_PERIODS = {w: [(600, 840), (930, 1170)] for w in range(5)}


@pytest.fixture(scope="module")
def xinjiang():
    return WorkingCalendar(SH, XINJIANG_PERIODS, xinjiang_workday)


@pytest.fixture(scope="module")
def demo():
    return load("demo")


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load((COUNTIES_DIR / "demo.yaml").read_text(encoding="utf-8"))


def with_overrides(raw, holidays=(), workdays=()):
    changed = copy.deepcopy(raw)
    changed["calendar"]["holidays"] = list(changed["calendar"].get("holidays") or []) + list(holidays)
    changed["calendar"]["workdays"] = list(changed["calendar"].get("workdays") or []) + list(workdays)
    return parse(changed)


# -- working hours and the lunch break ----------------------------------------------------------------
def test_a_working_day_set_on_tuesday_at_13_ends_wednesday_at_13(xinjiang):
    assert xinjiang.add(utc(local(2026, 3, 10, 13)), WD) == utc(local(2026, 3, 11, 13))


def test_a_deadline_set_in_the_lunch_break_counts_from_15_30_and_stays_at_the_period_end(xinjiang):
    # 15:30-19:30 Tuesday (240) + 10:00-14:00 Wednesday (240) = 480: ends at 14:00, not 15:30.
    assert xinjiang.add(utc(local(2026, 3, 10, 14, 30)), WD) == utc(local(2026, 3, 11, 14))


def test_a_deadline_set_friday_evening_runs_into_monday(xinjiang):
    # Friday 18:00-19:30 (90), Monday 10:00-14:00 (240) and 15:30-18:00 (150).
    assert xinjiang.add(utc(local(2026, 3, 13, 18)), WD) == utc(local(2026, 3, 16, 18))


def test_a_deadline_set_on_saturday_counts_from_monday_10_00(xinjiang):
    assert xinjiang.add(utc(local(2026, 3, 14, 9)), WD) == utc(local(2026, 3, 16, 19, 30))
    assert xinjiang.add(utc(local(2026, 3, 14, 9)), Duration(1, "working_minutes")) == utc(local(2026, 3, 16, 10, 1))


def test_a_deadline_set_before_the_morning_starts_counts_from_the_period_start(xinjiang):
    assert xinjiang.add(utc(local(2026, 3, 10, 7)), Duration(30, "working_minutes")) == utc(local(2026, 3, 10, 10, 30))


def test_working_minutes_that_end_at_the_lunch_break_stay_before_lunch(xinjiang):
    assert xinjiang.add(utc(local(2026, 3, 10, 13)), Duration(60, "working_minutes")) == utc(local(2026, 3, 10, 14))
    assert xinjiang.add(utc(local(2026, 3, 10, 13)), Duration(61, "working_minutes")) == utc(local(2026, 3, 10, 15, 31))


def test_seconds_in_the_start_are_kept(xinjiang):
    start = utc(local(2026, 3, 10, 10)) + timedelta(seconds=30)
    assert xinjiang.add(start, Duration(1, "working_minutes")) == start + timedelta(minutes=1)


def test_working_minutes_between_rounds_partial_minutes_down(xinjiang):
    a = utc(local(2026, 3, 10, 10)) + timedelta(seconds=30)
    assert xinjiang.working_minutes_between(a, utc(local(2026, 3, 10, 10, 2))) == 1


def test_calendar_minutes_ignore_working_hours(xinjiang):
    start = utc(local(2026, 3, 14, 23, 50))  # Saturday night
    assert xinjiang.add(start, Duration(120, "minutes")) == start + timedelta(hours=2)


def test_results_are_aware_utc_and_any_aware_start_is_accepted(xinjiang):
    result = xinjiang.add(local(2026, 3, 10, 13), WD)
    assert result.tzinfo == UTC and result == local(2026, 3, 11, 13)


def test_a_naive_start_is_refused(xinjiang):
    with pytest.raises(ValueError):
        xinjiang.add(datetime(2026, 3, 10, 13), WD)


def test_working_days_are_multiples_of_the_standard_day(xinjiang):
    # 3 working days = 1440 working minutes; Tuesday 13:00 -> Friday 13:00.
    assert xinjiang.add(utc(local(2026, 3, 10, 13)), Duration(3, "working_days")) == utc(local(2026, 3, 13, 13))
    assert xinjiang.add(utc(local(2026, 3, 10, 13)), Duration(1440, "working_minutes")) == utc(local(2026, 3, 13, 13))


def test_working_minutes_between_counts_only_working_periods(xinjiang):
    assert xinjiang.working_minutes_between(utc(local(2026, 3, 10, 10)), utc(local(2026, 3, 11, 10))) == 480
    assert xinjiang.working_minutes_between(utc(local(2026, 3, 10, 13)), utc(local(2026, 3, 10, 16))) == 90
    assert xinjiang.working_minutes_between(utc(local(2026, 3, 13, 19)), utc(local(2026, 3, 16, 10, 30))) == 60
    assert xinjiang.working_minutes_between(utc(local(2026, 3, 10, 16)), utc(local(2026, 3, 10, 13))) == -90
    assert xinjiang.working_minutes_between(utc(local(2026, 3, 14)), utc(local(2026, 3, 15, 23))) == 0


def test_a_make_up_weekend_day_works_mondays_hours():
    periods = {0: [(time(9), time(12)), (time(13), time(17))],   # Monday: 420 minutes, the standard day
               1: [(time(9), time(12))], 2: [(time(9), time(12))], 3: [(time(9), time(12))],
               4: [(time(9), time(12))], 5: [(time(9), time(11))]}  # Saturday half day
    cal = WorkingCalendar(SH, periods, xinjiang_workday)
    # Sunday 2025-09-28 is a make-up day: Monday's hours 09:00-12:00, 13:00-17:00.
    assert cal.add(utc(local(2025, 9, 28, 8)), Duration(240, "working_minutes")) == utc(local(2025, 9, 28, 14))
    # Saturday 2025-10-11 is a make-up day and has hours of its own: 09:00-11:00.
    assert cal.add(utc(local(2025, 10, 11, 8)), Duration(150, "working_minutes")) == utc(local(2025, 10, 13, 9, 30))
    # One working day is Monday's 420 minutes: Tuesday 180 + Wednesday 180 + Thursday 60.
    assert cal.add(utc(local(2026, 3, 10, 9)), WD) == utc(local(2026, 3, 12, 10))


# -- statutory holidays and make-up days --------------------------------------------------------------
@pytest.mark.parametrize("start, due", [
    # 2025 Spring Festival: Jan 28 - Feb 4 off; Sunday Jan 26 and Saturday Feb 8 worked.
    (local(2025, 1, 24, 18), local(2025, 1, 26, 18)),
    (local(2025, 1, 27, 13), local(2025, 2, 5, 13)),
    (local(2025, 2, 7, 18), local(2025, 2, 8, 18)),
    # 2025 National Day: Oct 1 - 8 off; Sunday Sep 28 and Saturday Oct 11 worked.
    (local(2025, 9, 26, 18), local(2025, 9, 28, 18)),
    (local(2025, 9, 30, 13), local(2025, 10, 9, 13)),
    (local(2025, 10, 10, 18), local(2025, 10, 11, 18)),
    (local(2025, 10, 4, 11), local(2025, 10, 9, 19, 30)),
    # 2026 Spring Festival: Feb 15 - 23 off; Saturdays Feb 14 and Feb 28 worked.
    (local(2026, 2, 13, 13), local(2026, 2, 14, 13)),
    (local(2026, 2, 14, 13), local(2026, 2, 24, 13)),
    (local(2026, 2, 27, 18), local(2026, 2, 28, 18)),
    # 2026 Mid-Autumn Sep 25 - 27 and National Day Oct 1 - 7; Sunday Sep 20 and Saturday Oct 10 worked.
    (local(2026, 9, 18, 18), local(2026, 9, 20, 18)),
    (local(2026, 9, 24, 13), local(2026, 9, 28, 13)),
    (local(2026, 9, 30, 13), local(2026, 10, 8, 13)),
    (local(2026, 10, 9, 18), local(2026, 10, 10, 18)),
])
def test_one_working_day_skips_statutory_holidays_and_works_make_up_days(demo, start, due):
    assert demo.calendar.add(utc(start), WD) == utc(due)


def test_the_demo_calendar_follows_the_state_council_schedule_and_the_xinjiang_days_off(demo):
    cal = demo.calendar
    off = set(demo.spec.calendar.holidays)
    on = set(demo.spec.calendar.workdays)
    day = date(2025, 1, 1)
    mismatches = []
    while day <= date(2027, 12, 31):
        if cal.is_workday(day) != hand_workday(day, county_off=off, county_on=on):
            mismatches.append(day)
        day += timedelta(days=1)
    assert mismatches == []


def test_a_xinjiang_regional_holiday_in_the_config_is_skipped(demo):
    # Eid al-Fitr 2025: Saturday Mar 29 - Monday Mar 31 (demo config); Friday 13:00 + 1 day -> Tuesday 13:00.
    assert demo.calendar.add(utc(local(2025, 3, 28, 13)), WD) == utc(local(2025, 4, 1, 13))


def test_a_date_added_to_the_config_holidays_is_skipped(raw):
    cfg = with_overrides(raw, holidays=["2026-03-11"])  # a Wednesday
    assert cfg.calendar.add(utc(local(2026, 3, 10, 13)), WD) == utc(local(2026, 3, 12, 13))


# -- 2027: outside chinesecalendar 1.11 ---------------------------------------------------------------
def test_a_deadline_crossing_into_2027_falls_back_to_monday_to_friday(raw, caplog):
    cfg = with_overrides(raw)
    years = []
    cal = build_working_calendar(cfg.spec.calendar, on_fallback=years.append)
    # Dec 30 11:00-19:30 (420), Dec 31 (480), Fri Jan 1 (480), Mon Jan 4 (480), Tue Jan 5 (480), Wed Jan 6 60.
    with caplog.at_level(logging.WARNING, logger="chalicelib.domain.workdays"):
        assert cal.add(utc(local(2026, 12, 30, 11)), Duration(5, "working_days")) == utc(local(2027, 1, 6, 11))
        cal.add(utc(local(2027, 6, 1, 11)), Duration(5, "working_days"))
    assert years == [2027]
    assert len([r for r in caplog.records if "2027" in r.getMessage()]) == 1


def test_the_county_can_carry_2027s_schedule_before_the_package_knows_it(raw):
    # New Year's Day 2027 off, a (hypothetical) make-up Saturday Jan 9 worked.
    cfg = with_overrides(raw, holidays=["2027-01-01"], workdays=["2027-01-09"])
    cal = cfg.calendar
    assert cal.add(utc(local(2026, 12, 30, 11)), Duration(5, "working_days")) == utc(local(2027, 1, 7, 11))
    assert cal.add(utc(local(2027, 1, 8, 18)), WD) == utc(local(2027, 1, 9, 18))


def test_a_failing_fallback_hook_never_breaks_a_deadline(raw):
    def broken(year):
        raise RuntimeError("metrics are down")

    cal = build_working_calendar(with_overrides(raw).spec.calendar, on_fallback=broken)
    assert cal.add(utc(local(2027, 3, 1, 10)), WD) == utc(local(2027, 3, 1, 19, 30))


def test_the_calendar_is_built_once_per_config(demo):
    assert demo.calendar is demo.calendar


# -- the 75% warning, in the deadline's own basis -----------------------------------------------------
def test_the_warning_of_a_two_hour_deadline_is_after_90_calendar_minutes(demo):
    start = utc(local(2026, 3, 14, 23))  # Saturday night: calendar time ignores working hours
    policy = demo.deadlines
    assert policy.duration("triage", "urgent") == Duration(120, "minutes")
    assert policy.warning("triage", "urgent", start, demo.calendar) == start + timedelta(minutes=90)
    assert policy.due("triage", "urgent", start, demo.calendar) == start + timedelta(minutes=120)


def test_the_warning_of_a_working_day_is_after_360_of_its_480_working_minutes(demo):
    cal = demo.calendar
    policy = demo.deadlines
    start = utc(local(2026, 3, 10, 10))
    assert policy.warning("triage", "normal", start, cal) == utc(local(2026, 3, 10, 17, 30))
    assert policy.due("triage", "normal", start, cal) == utc(local(2026, 3, 10, 19, 30))
    # From 13:00: 60 + 240 on Tuesday, 60 on Wednesday.
    assert cal.warning_at(utc(local(2026, 3, 10, 13)), WD) == utc(local(2026, 3, 11, 11))


def test_the_warning_of_five_working_days_is_after_1800_working_minutes(xinjiang):
    # Monday 10:00 + 1800 working minutes = 3 full days (1440) + 360 -> Thursday 17:30.
    assert xinjiang.warning_at(utc(local(2026, 3, 9, 10)), Duration(5, "working_days")) == utc(local(2026, 3, 12, 17, 30))


def test_warnings_round_down_to_whole_minutes(xinjiang):
    start = utc(local(2026, 3, 10, 10))
    assert xinjiang.warning_at(start, Duration(30, "minutes")) == start + timedelta(minutes=22)
    assert xinjiang.warning_at(start, Duration(1, "working_minutes")) == start
    assert xinjiang.warning_at(start, Duration(100, "minutes"), fraction=0.29) == start + timedelta(minutes=29)


def test_the_warning_of_a_working_deadline_set_outside_working_time_counts_from_the_next_period(xinjiang):
    assert xinjiang.warning_at(utc(local(2026, 3, 14, 9)), WD) == utc(local(2026, 3, 16, 17, 30))


# -- units from the config ----------------------------------------------------------------------------
def test_working_hours_in_the_config_are_working_minutes():
    assert DurationSpec(working_hours=2).to_domain() == Duration(120, "working_minutes")
    assert DurationSpec(working_days=3).to_domain() == Duration(3, "working_days")
    with pytest.raises(ValueError):
        DurationSpec(working_hours=2, hours=2)


# -- guards and efficiency ----------------------------------------------------------------------------
def test_a_calendar_without_any_working_day_refuses_working_time_but_not_calendar_time():
    cal = WorkingCalendar(SH, XINJIANG_PERIODS, lambda d: False)
    start = utc(local(2026, 3, 10, 13))
    with pytest.raises(ValueError):
        cal.add(start, WD)
    assert cal.add(start, Duration(5, "minutes")) == start + timedelta(minutes=5)


def test_a_calendar_without_working_hours_is_refused():
    with pytest.raises(ValueError):
        WorkingCalendar(SH, {w: [] for w in range(7)}, lambda d: True)


def test_overlapping_periods_are_refused():
    with pytest.raises(ValueError):
        WorkingCalendar(SH, {0: [(time(9), time(12)), (time(11), time(14))]}, lambda d: True)


def test_long_deadlines_are_counted_day_by_day():
    asked = []

    def workday(d):
        asked.append(d)
        return d.weekday() < 5

    cal = WorkingCalendar(SH, XINJIANG_PERIODS, workday)
    # 250 working days (Mon-Fri, no holidays) from Monday 2026-03-09 10:00 end on Friday 2027-02-19 19:30.
    assert cal.add(utc(local(2026, 3, 9, 10)), Duration(250, "working_days")) == utc(local(2027, 2, 19, 19, 30))
    assert len(asked) == len(set(asked)) <= 350


# -- daylight-saving time (not in China, but done right anyway) ---------------------------------------
def test_a_period_across_the_spring_forward_gap_counts_its_real_length():
    berlin = ZoneInfo("Europe/Berlin")
    cal = WorkingCalendar(berlin, {6: [(time(1), time(4))]}, lambda d: True)  # Sundays 01:00-04:00
    day_start = datetime(2026, 3, 29, 0, tzinfo=berlin)  # clocks go 02:00 -> 03:00
    assert cal.working_minutes_between(day_start, day_start + timedelta(hours=6)) == 120
    assert cal.add(day_start, Duration(120, "working_minutes")) == datetime(2026, 3, 29, 2, tzinfo=UTC)


def test_a_period_across_the_fall_back_overlap_counts_its_real_length():
    new_york = ZoneInfo("America/New_York")
    cal = WorkingCalendar(new_york, {6: [(time(0), time(3))]}, lambda d: True)  # Sundays 00:00-03:00
    day_start = datetime(2026, 11, 1, 0, tzinfo=new_york)  # clocks go 02:00 EDT -> 01:00 EST
    assert cal.working_minutes_between(day_start, day_start + timedelta(hours=6)) == 240
    assert cal.add(day_start, Duration(240, "working_minutes")) == datetime(2026, 11, 1, 8, tzinfo=UTC)


# -- property: the calendar agrees with the minute-stepping model -------------------------------------
FIRST = datetime(2025, 1, 1, tzinfo=SH)
LAST = datetime(2027, 12, 31, 23, 59, tzinfo=SH)
starts = st.integers(0, int((LAST - FIRST).total_seconds() // 60)).map(
    lambda m: (FIRST + timedelta(minutes=m)).astimezone(UTC))
durations = st.one_of(st.integers(0, 1440).map(lambda n: Duration(n, "working_minutes")),
                      st.integers(0, 3).map(lambda n: Duration(n, "working_days")))
PROPERTY = settings(max_examples=200, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

MODEL = MinuteModel(XINJIANG_MODEL_PERIODS, xinjiang_workday)
IRREGULAR_PERIODS = {0: [(time(8), time(12)), (time(14), time(18))], 1: [(time(8), time(12))],
                     2: [(time(9, 15), time(11, 45)), (time(12, 30), time(13)), (time(16), time(21))],
                     3: [(time(0), time(1)), (time(23), time(23, 59))], 4: [(time(8), time(18))],
                     5: [(time(10), time(11))]}
IRREGULAR_MODEL = MinuteModel(
    {w: [(p[0].hour * 60 + p[0].minute, p[1].hour * 60 + p[1].minute) for p in spans]
     for w, spans in IRREGULAR_PERIODS.items()}, xinjiang_workday)


def _minutes_of(duration, standard_day):
    return duration.amount * (standard_day if duration.unit == "working_days" else 1)


@PROPERTY
@given(start=starts, duration=durations)
def test_add_agrees_with_the_minute_model(xinjiang, start, duration):
    assert xinjiang.add(start, duration) == MODEL.add(start, _minutes_of(duration, 480))


@PROPERTY
@given(start=starts, duration=durations)
def test_add_agrees_with_the_minute_model_on_irregular_hours(start, duration):
    cal = WorkingCalendar(SH, IRREGULAR_PERIODS, xinjiang_workday)
    assert cal.add(start, duration) == IRREGULAR_MODEL.add(start, _minutes_of(duration, 480))


@PROPERTY
@given(start=starts, duration=durations)
def test_the_demo_calendar_agrees_with_the_minute_model(demo, start, duration):
    off = set(demo.spec.calendar.holidays)
    model = MinuteModel(
        {w: [(_minutes(p.split("-")[0]), _minutes(p.split("-")[1])) for p in getattr(demo.spec.calendar.working_hours, name)]
         for w, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
        lambda d: hand_workday(d, county_off=off, county_on=set(demo.spec.calendar.workdays)))
    day = sum(_minutes(p.split("-")[1]) - _minutes(p.split("-")[0]) for p in demo.spec.calendar.working_hours.mon)
    assert demo.calendar.add(start, duration) == model.add(start, _minutes_of(duration, day))


@PROPERTY
@given(a=starts, span=st.integers(0, 5 * 1440))
def test_working_minutes_between_agrees_with_the_minute_model(xinjiang, a, span):
    b = a + timedelta(minutes=span)
    assert xinjiang.working_minutes_between(a, b) == MODEL.between(a, b)


@PROPERTY
@given(start=starts, duration=durations)
def test_the_working_minutes_between_start_and_due_are_the_duration(xinjiang, start, duration):
    due = xinjiang.add(start, duration)
    assert xinjiang.working_minutes_between(start, due) == _minutes_of(duration, 480)
    warn = xinjiang.warning_at(start, duration)
    assert start <= warn <= due
    assert xinjiang.working_minutes_between(start, warn) == _minutes_of(duration, 480) * 3 // 4
