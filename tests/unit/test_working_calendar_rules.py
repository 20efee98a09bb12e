"""The working calendar's own rules, written out by hand: which instants are working time, how a calendar's
periods are checked, which day is the standard working day, and how the deadline policy uses a calendar."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.deadline_policy import DeadlinePolicy, Duration
from chalicelib.domain.working_time import WorkingCalendar

SH = ZoneInfo("Asia/Shanghai")
UTC = timezone.utc
SPLIT_DAY = {w: [(time(15, 30), time(19, 30)), (time(10), time(14))] for w in range(5)}   # given out of order


def local(y, mo, d, h=0, mi=0, s=0):
    return datetime(y, mo, d, h, mi, s, tzinfo=SH)


def weekdays(d: date) -> bool:
    return d.weekday() < 5


@pytest.mark.parametrize("instant,working", [
    (local(2026, 3, 10, 10), True),                  # a period's start is working time
    (local(2026, 3, 10, 13, 59, 59), True),
    (local(2026, 3, 10, 14), False),                 # its end is not: the lunch break starts
    (local(2026, 3, 10, 15, 29), False),
    (local(2026, 3, 10, 15, 30), True),
    (local(2026, 3, 10, 19, 30), False),
    (local(2026, 3, 10, 9, 59), False),
    (local(2026, 3, 14, 11), False),                 # Saturday
])
def test_working_time_is_inside_a_period_of_a_workday(instant, working):
    calendar = WorkingCalendar(SH, SPLIT_DAY, weekdays)
    assert calendar.is_working_time(instant) is working
    assert calendar.is_working_time(instant.astimezone(UTC)) is working


def test_a_naive_instant_is_refused_in_so_many_words():
    calendar = WorkingCalendar(SH, SPLIT_DAY, weekdays)
    with pytest.raises(ValueError, match="^working-time arithmetic needs timezone-aware datetimes$"):
        calendar.is_working_time(datetime(2026, 3, 10, 11))


def test_periods_are_kept_in_order_and_every_weekday_is_known():
    calendar = WorkingCalendar(SH, SPLIT_DAY, weekdays)
    assert calendar.periods == {**{w: ((time(10), time(14)), (time(15, 30), time(19, 30))) for w in range(5)},
                                5: (), 6: ()}
    assert calendar.standard_day_minutes == 480


def test_the_standard_day_is_the_first_weekday_with_periods():
    calendar = WorkingCalendar(SH, {2: [(time(9), time(10))], 3: [(time(8), time(12))]}, lambda d: True)
    assert calendar.standard_periods == ((time(9), time(10)),) and calendar.standard_day_minutes == 60
    assert calendar.working_minutes(Duration(3, "working_days")) == 180
    # A Monday with no periods of its own is worked with the standard (Wednesday's) hour.
    monday = local(2026, 3, 9, 0)
    assert calendar.add(monday, Duration(30, "working_minutes")) == local(2026, 3, 9, 9, 30).astimezone(UTC)


@pytest.mark.parametrize("periods,message", [
    ({7: [(time(9), time(10))]}, "weekday 7 is not 0 (Monday) .. 6 (Sunday)"),
    ({-1: [(time(9), time(10))]}, "weekday -1 is not 0 (Monday) .. 6 (Sunday)"),
    ({0: [(time(10), time(10))]}, "period 10:00:00-10:00:00 must start before it ends"),
    ({0: [(time(11), time(10))]}, "period 11:00:00-10:00:00 must start before it ends"),
    ({0: [(time(9, tzinfo=UTC), time(10, tzinfo=UTC))]}, "periods are local wall-clock times without tzinfo"),
    ({0: [(time(9), time(12)), (time(11, 59), time(14))]}, "periods overlap on weekday 0"),
    ({w: [] for w in range(7)}, "a working calendar needs working periods on at least one weekday"),
])
def test_a_bad_set_of_periods_is_refused_in_so_many_words(periods, message):
    with pytest.raises(ValueError) as refused:
        WorkingCalendar(SH, periods, lambda d: True)
    assert str(refused.value) == message


def test_touching_periods_are_not_an_overlap():
    calendar = WorkingCalendar(SH, {0: [(time(9), time(12)), (time(12), time(14))]}, lambda d: True)
    assert calendar.standard_day_minutes == 300


def test_working_minutes_between_is_signed_and_counts_only_working_time():
    calendar = WorkingCalendar(SH, SPLIT_DAY, weekdays)
    a, b = local(2026, 3, 10, 13), local(2026, 3, 10, 16)     # 60 before lunch + 30 after
    assert calendar.working_minutes_between(a, b) == 90
    assert calendar.working_minutes_between(b, a) == -90
    assert calendar.working_minutes_between(a, a) == 0


def test_negative_and_non_working_units_are_refused():
    calendar = WorkingCalendar(SH, SPLIT_DAY, weekdays)
    with pytest.raises(ValueError, match="^a duration cannot be negative$"):
        calendar.add(local(2026, 3, 10, 11), Duration(-1, "minutes"))
    with pytest.raises(ValueError, match="^'minutes' is not a working-time unit$"):
        calendar.working_minutes(Duration(5, "minutes"))
    with pytest.raises(ValueError, match="^fraction must be between 0 and 1$"):
        calendar.warning_at(local(2026, 3, 10, 11), Duration(5, "minutes"), 1.5)
    start = local(2026, 3, 10, 11)
    assert calendar.warning_at(start, Duration(100, "minutes"), 0) == start.astimezone(UTC)
    assert calendar.warning_at(start, Duration(100, "minutes"), 1) == (start + timedelta(minutes=100)).astimezone(UTC)
    assert calendar.warning_at(start, Duration(100, "minutes"), 0.29) == (start + timedelta(minutes=29)).astimezone(UTC)


class EveryMinute:
    """A calendar in which every minute is worked: what the policy hands over is all that decides."""

    def add(self, start, duration):
        return start + timedelta(minutes=duration.amount)

    def warning_at(self, start, duration, fraction=0.75):
        return start + timedelta(minutes=int(duration.amount * fraction))


def test_the_policy_picks_the_stage_urgency_and_complexity_and_passes_the_fraction():
    start = datetime(2026, 3, 10, 5, tzinfo=UTC)
    policy = DeadlinePolicy({("resolve", "normal", False): Duration(100, "minutes"),
                             ("resolve", "normal", True): Duration(1000, "minutes")})
    stand_in = EveryMinute()
    assert policy.duration("resolve", "normal", True) == Duration(1000, "minutes")
    assert policy.due("resolve", "normal", start, stand_in) == start + timedelta(minutes=100)
    assert policy.due("resolve", "normal", start, stand_in, True) == start + timedelta(minutes=1000)
    assert policy.warning("resolve", "normal", start, stand_in) == start + timedelta(minutes=75)
    assert policy.warning("resolve", "normal", start, stand_in, True) == start + timedelta(minutes=750)
    assert policy.warning("resolve", "normal", start, stand_in, True, 0.29) == start + timedelta(minutes=290)


def test_fractions_are_taken_exactly_not_approximated():
    start = datetime(2026, 3, 10, 5, tzinfo=UTC)
    calendar = WorkingCalendar(SH, SPLIT_DAY, weekdays)
    assert calendar.warning_at(start, Duration(1000, "minutes"), 0.999) == start + timedelta(minutes=999)


def test_working_time_is_judged_on_the_local_date_even_when_utc_is_still_yesterday():
    early = WorkingCalendar(SH, {w: [(time(6), time(9))] for w in range(7)}, lambda d: True)
    assert early.is_working_time(local(2026, 3, 10, 7))              # 23:00 UTC on the 9th
    assert not early.is_working_time(local(2026, 3, 10, 9, 30))


def test_a_period_with_one_zoned_bound_is_refused_in_so_many_words():
    with pytest.raises(ValueError) as refused:
        WorkingCalendar(SH, {0: [(time(9), time(10, tzinfo=UTC)), (time(11), time(12))]}, lambda d: True)
    assert str(refused.value) == "periods are local wall-clock times without tzinfo"


def test_each_day_is_worked_out_once_however_many_deadlines_ask():
    asked = []

    def workday(d):
        asked.append(d)
        return weekdays(d)

    calendar = WorkingCalendar(SH, SPLIT_DAY, workday)
    start = local(2026, 3, 9, 10)
    first = calendar.add(start, Duration(5, "working_days"))
    assert calendar.add(start, Duration(5, "working_days")) == first
    assert calendar.working_minutes_between(start, first) == 5 * 480
    assert sorted(asked) == sorted(set(asked))           # the second and third walks ask nothing again


@pytest.mark.parametrize("machine_zone", ["UTC", "Pacific/Kiritimati", "America/Los_Angeles"])
def test_results_are_utc_and_days_are_the_countys_whatever_the_machines_zone(monkeypatch, machine_zone):
    import time as clock
    monkeypatch.setenv("TZ", machine_zone)
    clock.tzset()
    try:
        long_day = WorkingCalendar(SH, {w: [(time(6), time(21))] for w in range(7)}, lambda d: True)
        due = long_day.add(local(2026, 3, 10, 20), Duration(120, "working_minutes"))
        assert due == local(2026, 3, 11, 7) and due.utcoffset() == timedelta(0)
        assert long_day.working_minutes_between(local(2026, 3, 10, 20), local(2026, 3, 11, 7)) == 120
        assert long_day.working_minutes_between(local(2026, 3, 11, 6), local(2026, 3, 11, 7, 30)) == 90
        assert long_day.is_working_time(local(2026, 3, 11, 6, 30))
        assert long_day.add(local(2026, 3, 10, 20), Duration(5, "minutes")).utcoffset() == timedelta(0)
    finally:
        monkeypatch.undo()
        clock.tzset()


def test_a_calendar_searches_1098_idle_days_for_working_time_and_no_further():
    from chalicelib.domain.working_time import MAX_IDLE_DAYS
    assert MAX_IDLE_DAYS == 1098
    start = local(2026, 3, 10, 12)
    first = start.date()

    def only(*offsets):
        return lambda d: (d - first).days in offsets

    assert WorkingCalendar(SH, SPLIT_DAY, only(1098)).add(start, Duration(30, "working_minutes")) == \
        (local(2026, 3, 10, 10, 30) + timedelta(days=1098)).astimezone(UTC)
    # after a worked day (its last 360 minutes used) the count starts again: 1098 idle days are searched anew
    assert WorkingCalendar(SH, SPLIT_DAY, only(0, 1099)).add(start, Duration(390, "working_minutes")) == \
        (local(2026, 3, 10, 10, 30) + timedelta(days=1099)).astimezone(UTC)
    with pytest.raises(ValueError) as refused:
        WorkingCalendar(SH, SPLIT_DAY, only(1099)).add(start, Duration(30, "working_minutes"))
    assert str(refused.value) == f"no working time within 1098 days after {start.astimezone(UTC).isoformat()}"


def test_an_instant_whose_zone_gives_no_offset_is_refused():
    from datetime import tzinfo

    class NoOffset(tzinfo):
        def utcoffset(self, dt):
            return None

        def dst(self, dt):
            return None

    calendar = WorkingCalendar(SH, SPLIT_DAY, weekdays)
    with pytest.raises(ValueError, match="^working-time arithmetic needs timezone-aware datetimes$"):
        calendar.add(datetime(2026, 3, 10, 11, tzinfo=NoOffset()), Duration(5, "minutes"))


def test_a_warning_moment_asked_again_is_the_same_and_a_calendar_keeps_a_bounded_number():
    """Lists show every case's warning on each request; the calendar keeps the moments it computed, at most
    WARNINGS_KEPT of them. Expected moments: the split day by hand (10:00-14:00, 15:30-19:30, weekdays)."""
    from chalicelib.domain import working_time
    calendar = WorkingCalendar(SH, SPLIT_DAY, weekdays)
    start, eight_hours = local(2026, 3, 10, 11), Duration(480, "working_minutes")
    first = calendar.warning_at(start, eight_hours)   # 75%: 360 minutes, 180 before lunch, 180 from 15:30
    assert first == calendar.warning_at(start.astimezone(UTC), eight_hours) == local(2026, 3, 10, 18, 30).astimezone(UTC)
    assert calendar.warning_at(start, eight_hours, 0.5) == local(2026, 3, 10, 16, 30).astimezone(UTC)
    for minutes in range(working_time.WARNINGS_KEPT + 5):
        calendar.warning_at(start + timedelta(minutes=minutes), Duration(10, "minutes"))
    assert len(calendar._warnings) <= working_time.WARNINGS_KEPT
    assert calendar.warning_at(start, eight_hours) == first
