"""The one stored form of a moment: UTC, ISO-8601, whole seconds, ending in Z."""
from datetime import datetime, timezone


def iso(moment: datetime) -> str:
    """UTC, ISO-8601, seconds, ending in Z (the only time format stored)."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
