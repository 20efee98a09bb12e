"""Moments: inside the domain a timezone-aware UTC datetime in whole seconds; at the edges (storage, API
responses, timer messages) UTC ISO-8601 text ending in Z, the only time format written out."""
from datetime import datetime, timezone


def instant(moment: datetime) -> datetime:
    """A moment as the domain keeps it: UTC, whole seconds (what its text form holds)."""
    return moment.astimezone(timezone.utc).replace(microsecond=0)


def iso(moment: datetime) -> str:
    """UTC, ISO-8601, seconds, ending in Z (the only time format stored)."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def iso_or_none(moment: datetime | None) -> str | None:
    return iso(moment) if moment is not None else None


def parse_or_none(text: str | None) -> datetime | None:
    return parse_iso(text) if text else None
