"""Counters maintained on write: what each timeline entry adds to the statistics of every
ancestor node and to the scorecard of a department. Pure: the unit of work commits the increments in the
same transaction as the change that caused them.

Statistics items are keyed "<node>#<period>#<slice>" with periods D<yyyy-mm-dd> and M<yyyy-mm> in the county's
time zone (a year is read as its twelve months) and slices "<kind>|<category>" (or "visits"); attributes are
metric counts ("reported") and "h|<clock>|<bucket>" histograms. One item per slice keeps every item under 1 KB
however many cases a county has: a write pays for the whole item it updates, so items that grew with the
number of categories and metrics made every event cost tens of write units (docs/performance.md).
Scorecard items are keyed "<department>#<yyyy>".
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from chalicelib.domain.actions import ACTIONS
from chalicelib.domain.case import Case, TimelineEntry
from chalicelib.domain.times import parse_iso
from chalicelib.domain.vocabulary import Share

STATS, SCORECARDS = "stats", "scorecards"
COUNTERS = "counters"   # named counters: a household's monthly points under a capped rule, its monthly earnings
VISITS_SLICE = "visits"
# Upper bounds (minutes, inclusive) of the histogram buckets for median report-in and resolve times;
# the last bucket is open-ended.
HISTOGRAM_BOUNDS = (15, 30, 60, 120, 240, 480, 1440, 2880, 4320, 7200, 10080, 20160, 43200)
COUNTED_ACTIONS = {name: row.counts for name, row in ACTIONS.items() if row.counts}   # each counts one metric
CASE_METRICS = ("reported", *(m.name for m in COUNTED_ACTIONS.values()), "dispatched", "acknowledged_on_time",
                "resolved", "reopened", "overdue", "evaluated", "good", "fair", "bad", "not_evaluated")
SCORECARD_FIELDS = ("assigned", "acknowledged", "acknowledged_on_time", "lead_dispatches", "resolved",
                    "resolved_on_time", "evaluated", "good", "fair", "bad", "reopened", "appeals", "voided")


class Increment(NamedTuple):
    """One counter change a command makes, written in the same transaction."""
    table: str       # STATS | SCORECARDS
    key: str
    attribute: str
    delta: int = 1


def bucket(minutes: float) -> str:
    """The histogram bucket a duration falls in: its upper bound, or 'inf'."""
    for bound in HISTOGRAM_BOUNDS:
        if minutes <= bound:
            return str(bound)
    return "inf"


def ancestors(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def period_keys(moment: datetime, tz: ZoneInfo) -> list[str]:
    local = moment.astimezone(tz)
    return [f"D{local:%Y-%m-%d}", f"M{local:%Y-%m}"]


def case_slice(kind: str, category: str) -> str:
    return f"{kind}|{category}"


def _stats(case: Case, at: datetime, tz: ZoneInfo, attribute: str) -> list[Increment]:
    periods, part = period_keys(at, tz), case_slice(case.kind, case.category)
    return [Increment(STATS, f"{n}#{p}#{part}", attribute) for n in ancestors(case.grid) for p in periods]


def _card(department: str | None, at: datetime, tz: ZoneInfo, field: str) -> list[Increment]:
    if not department:
        return []
    return [Increment(SCORECARDS, f"{department}#{at.astimezone(tz):%Y}", field)]


def _minutes(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60


def for_entry(case: Case, entry: TimelineEntry, tz: ZoneInfo) -> list[Increment]:
    """Every counter one timeline entry moves. `case` is the case after the change."""
    def count(metric: str) -> list[Increment]:
        return _stats(case, entry.at, tz, metric)

    action, data = entry.action, entry.data
    out: list[Increment] = []
    if action == "report":
        out += count("reported")
    if action in COUNTED_ACTIONS:
        out += count(COUNTED_ACTIONS[action].name)
    if action == "dispatch" and data["dispatch_no"] == 1:   # a new dispatch after a return does not count again
        out += count("dispatched")
    if action in ("dispatch", "redispatch"):
        for department in [data["lead"]] + list(data.get("co_handlers", [])):
            out += _card(department, entry.at, tz, "assigned")
        out += _card(data["lead"], entry.at, tz, "lead_dispatches")
    elif action == "acknowledge":
        out += _card(data["department"], entry.at, tz, "acknowledged")
        if data.get("on_time"):
            out += _card(data["department"], entry.at, tz, "acknowledged_on_time")
            if data["role"] == "lead":
                out += count("acknowledged_on_time")
        if data["role"] == "lead":
            dispatched = next(a.dispatched_at for a in case.active_assignments() if a.department == data["department"])
            out += _stats(case, entry.at, tz, f"h|report_in|{bucket(_minutes(dispatched, entry.at))}")
    elif action in ("resolve", "resolve_on_spot"):
        out += count("resolved")
        if action == "resolve":
            start = _lead_dispatched_at(case) or case.created_at  # the resolve clock starts at dispatch
            out += _card(data["department"], entry.at, tz, "resolved")
            if data.get("on_time"):
                out += _card(data["department"], entry.at, tz, "resolved_on_time")
        else:
            start = case.created_at
        out += _stats(case, entry.at, tz, f"h|resolve|{bucket(_minutes(start, entry.at))}")
    elif action == "evaluate":
        evaluation = case.evaluations[-1]
        out += count("evaluated") + count(data["verdict"])
        out += _card(evaluation.department, entry.at, tz, "evaluated")
        out += _card(evaluation.department, entry.at, tz, data["verdict"])
        if not data["fixed"]:
            out += count("reopened")
            out += _card(evaluation.department, entry.at, tz, "reopened")
    elif action in ("auto_close", "close"):
        out += count("not_evaluated")
    elif action == "deadline_breach" and data.get("notice") == 1:
        out += count("overdue")
    elif action == "appeal":
        out += _card(data["department"], entry.at, tz, "appeals")
    elif action == "decide_appeal" and data["decision"] == "void":
        # a voided review comes off the year it was given in (the entry's data holds the moment as written)
        out += _card(data["department"], parse_iso(data["evaluated_at"]), tz, "voided")
    return out


def _lead_dispatched_at(case: Case) -> datetime | None:
    return next((a.dispatched_at for a in case.active_assignments() if a.role == Share.LEAD), None)


def for_visit(grid: str, at: datetime, tz: ZoneInfo) -> list[Increment]:
    periods = period_keys(at, tz)
    return [Increment(STATS, f"{n}#{p}#{VISITS_SLICE}", "visits") for n in ancestors(grid) for p in periods]


def merge(increments: list[Increment]) -> dict[tuple[str, str], dict[str, int]]:
    """Increments grouped per item: one update per counter item in the transaction."""
    items: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for inc in increments:
        items[(inc.table, inc.key)][inc.attribute] += inc.delta
    return {k: dict(v) for k, v in items.items()}
