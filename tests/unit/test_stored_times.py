"""Stored moments: exactly UTC ISO-8601 seconds ending in Z, read back to the same instant; anything else refused."""
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.times import iso, parse_iso


@pytest.mark.parametrize("text, moment", [
    ("2026-12-01T10:05:09Z", datetime(2026, 12, 1, 10, 5, 9, tzinfo=timezone.utc)),
    ("2024-02-29T23:59:59Z", datetime(2024, 2, 29, 23, 59, 59, tzinfo=timezone.utc)),
    ("2027-01-01T00:00:00Z", datetime(2027, 1, 1, tzinfo=timezone.utc)),
])
def test_stored_text_reads_back_to_its_instant_and_writes_out_the_same(text, moment):
    assert parse_iso(text) == moment and parse_iso(text).tzinfo == timezone.utc
    assert iso(parse_iso(text)) == text


@pytest.mark.parametrize("text", [
    "2026-12-01T10:05:09",        # no zone
    "2026-12-01T10:05:09+08:00",  # another zone
    "2026-12-01 10:05:09Z",       # no T
    "2026-1-01T10:05:09Z",        # unpadded month
    "2026-W48-2T10:05:09Z",       # a week date
    "2026-02-30T10:05:09Z",       # no such day
    "2026-12-01T24:00:00Z",       # no such hour
    "2026-12-01T10:05:09.5Z",     # fractions are never stored
    "",
])
def test_anything_but_the_stored_form_is_refused(text):
    with pytest.raises(ValueError):
        parse_iso(text)


@pytest.mark.parametrize("moment, text", [
    (datetime(2026, 12, 1, 18, 5, 9, 999999, tzinfo=timezone(timedelta(hours=8))), "2026-12-01T10:05:09Z"),
    (datetime(2027, 1, 1, 7, 59, 0, 1, tzinfo=timezone(timedelta(hours=8))), "2026-12-31T23:59:00Z"),
    (datetime(2026, 3, 1, 0, 0, 0, 500000, tzinfo=timezone.utc), "2026-03-01T00:00:00Z"),
])
def test_a_moment_in_any_zone_is_written_in_utc_whole_seconds_ending_in_z(moment, text):
    assert iso(moment) == text
