"""Moments: inside the domain a timezone-aware UTC datetime in whole seconds; at the edges (storage, API
responses, timer messages) UTC ISO-8601 text ending in Z, the only time format written out."""
import re
from datetime import datetime, timezone

_STORED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def instant(moment: datetime) -> datetime:
    """A moment as the domain keeps it: UTC, whole seconds (what its text form holds)."""
    return moment.astimezone(timezone.utc).replace(microsecond=0)


def iso(moment: datetime) -> str:
    """UTC, ISO-8601, seconds, ending in Z (the only time format stored)."""
    # isoformat of a naive moment without microseconds is exactly YYYY-MM-DDTHH:MM:SS, several times faster than
    # strftime (a case list writes a few moments per case)
    return moment.astimezone(timezone.utc).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def parse_iso(text: str) -> datetime:
    """The stored form back (exactly `iso`'s: a case list reads a few of these per case, so not strptime, which
    took a fifth of a warm list's time). Once the pattern holds, `fromisoformat` reads it as aware UTC (Python 3.11
    takes the Z), five times faster than building it from its parts."""
    if not _STORED.fullmatch(text):
        raise ValueError(f"time data {text!r} is not UTC ISO-8601 text ending in Z")
    return datetime.fromisoformat(text)


def iso_or_none(moment: datetime | None) -> str | None:
    return iso(moment) if moment is not None else None


def parse_or_none(text: str | None) -> datetime | None:
    return parse_iso(text) if text else None
