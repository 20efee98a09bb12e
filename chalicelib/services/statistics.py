"""Statistics for any node and period from the counters kept on write (DESIGN §7): O(buckets), never O(cases).

A period is a day, month, quarter, year or an inclusive date range; it is read as the fewest counter items
that cover it exactly (whole years, then whole months, then days), for the node itself. Events count on their
own date in the county's time zone. Rates: response = lead report-ins on time / dispatched; resolution =
resolved / accepted; satisfaction = (good + fair) / evaluated. Medians come from the histogram buckets
(chalicelib.domain.aggregates.HISTOGRAM_BOUNDS) and are reported as the bucket's upper bound in minutes.
"""
from __future__ import annotations

import calendar as calendar_module
import csv
import io
import re
from collections import defaultdict
from datetime import date, timedelta

from chalicelib.domain import aggregates, roles
from chalicelib.domain.errors import Forbidden, Invalid
from chalicelib.domain.jurisdiction import within
from chalicelib.domain.roles import Principal
from chalicelib.services.unit_of_work import AbstractUnitOfWork

READERS = (roles.LEADER, roles.DISPATCHER, roles.STATION, roles.ADMIN)
MAX_RANGE_DAYS = 3 * 366


def parse_period(period: str | None, start: str | None, end: str | None) -> tuple[date, date]:
    """'2026', '2026-Q3', '2026-06', '2026-06-15', or from/to dates -> an inclusive date range."""
    try:
        if period and not (start or end):
            if re.fullmatch(r"\d{4}", period):
                return date(int(period), 1, 1), date(int(period), 12, 31)
            if m := re.fullmatch(r"(\d{4})-Q([1-4])", period):
                year, quarter = int(m[1]), int(m[2])
                return date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter)
            if m := re.fullmatch(r"(\d{4})-(\d{2})", period):
                return date(int(m[1]), int(m[2]), 1), _month_end(int(m[1]), int(m[2]))
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", period):
                day = date.fromisoformat(period)
                return day, day
            raise ValueError
        if start and end and not period:
            first, last = date.fromisoformat(start), date.fromisoformat(end)
            if first > last or (last - first).days > MAX_RANGE_DAYS:
                raise Invalid(f"'from' must not be after 'to', and the range at most {MAX_RANGE_DAYS} days",
                              field="to")
            return first, last
    except ValueError:
        pass
    raise Invalid("give period=YYYY | YYYY-Qn | YYYY-MM | YYYY-MM-DD, or from=YYYY-MM-DD&to=YYYY-MM-DD",
                  field="period")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar_module.monthrange(year, month)[1])


def buckets(first: date, last: date) -> list[str]:
    """The fewest period keys that cover [first, last] exactly."""
    keys, day = [], first
    while day <= last:
        if day.day == 1 and _month_end(day.year, day.month) <= last:
            keys.append(f"M{day:%Y-%m}")
            day = _month_end(day.year, day.month) + timedelta(days=1)
        else:
            keys.append(f"D{day:%Y-%m-%d}")
            day += timedelta(days=1)
    return keys


def slices(config) -> list[str]:
    """Every slice a node-period's counters are kept in: one per category of the deployment, and visits."""
    return [aggregates.case_slice(c.kind, code) for code, c in sorted(config.categories.items())] \
        + [aggregates.VISITS_SLICE]


def _median(histogram: dict[str, int]) -> int | None:
    total = sum(histogram.values())
    if not total:
        return None
    seen = 0
    for bound in [str(b) for b in aggregates.HISTOGRAM_BOUNDS] + ["inf"]:
        seen += histogram.get(bound, 0)
        if seen * 2 >= total:
            return None if bound == "inf" else int(bound)
    return None


def summarise(counters: dict[str, int]) -> dict:
    metrics: dict = {m: {"total": 0, "by_kind": defaultdict(int), "by_category": defaultdict(int)}
                     for m in aggregates.CASE_METRICS}
    histograms: dict = {"report_in": {}, "resolve": {}}
    for attribute, value in counters.items():
        parts = attribute.split("|")
        if parts[0] == "h":
            histograms[parts[1]][parts[2]] = histograms[parts[1]].get(parts[2], 0) + value
        elif parts[0] in metrics:
            m = metrics[parts[0]]
            m["total"] += value
            m["by_kind"][parts[1]] += value
            m["by_category"][parts[2]] += value
    totals = {name: m["total"] for name, m in metrics.items()}

    def rate(a, b):
        return round(totals[a] / totals[b], 4) if totals[b] else None

    return {
        "metrics": {name: {"total": m["total"], "by_kind": dict(m["by_kind"]), "by_category": dict(m["by_category"])}
                    for name, m in metrics.items()},
        "median_minutes": {"report_in": _median(histograms["report_in"]), "resolve": _median(histograms["resolve"])},
        "rates": {"response_rate": rate("acknowledged_on_time", "dispatched"),
                  "resolution_rate": rate("resolved", "accepted"),
                  "satisfaction_rate": (round((totals["good"] + totals["fair"]) / totals["evaluated"], 4)
                                        if totals["evaluated"] else None)},
        "visits": counters.get("visits", 0),
    }


def statistics(uow: AbstractUnitOfWork, config, p: Principal, node: str, first: date, last: date) -> dict:
    target = config.jurisdiction.node(node)
    if target is None:
        raise Invalid(f"'{node}' is not a node of this deployment", field="node")
    if p.role not in READERS or not within(node, p.node or "-"):
        raise Forbidden(f"statistics of {node} are outside your jurisdiction")
    keys = [f"{node}#{b}#{part}" for b in buckets(first, last) for part in slices(config)]
    counters: dict[str, int] = defaultdict(int)
    for key, item in uow.read_counters(aggregates.STATS, keys).items():
        part = key.split("#", 2)[2]
        for attribute, value in item.items():
            plain = attribute.startswith("h|") or part == aggregates.VISITS_SLICE
            counters[attribute if plain else f"{attribute}|{part}"] += value
    summary = summarise(counters)
    grids = sum(1 for n in config.jurisdiction.nodes.values() if n.level == "grid" and within(n.code, node))
    summary["visits_per_grid"] = round(summary["visits"] / grids, 2) if grids else None
    return {"node": node, "level": target.level, "names": target.names, "from": first.isoformat(),
            "to": last.isoformat(), "counter_items_read": len(keys), "grids": grids, **summary}


def to_csv(stats: dict) -> str:
    """UTF-8 with a BOM so spreadsheet programs keep the Chinese text intact."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["节点 node", "起 from", "止 to", "指标 metric", "类型 kind", "类别 category", "数量 count"])
    head = [stats["node"], stats["from"], stats["to"]]
    for metric, m in stats["metrics"].items():
        writer.writerow(head + [metric, "", "", m["total"]])
        for kind, n in sorted(m["by_kind"].items()):
            writer.writerow(head + [metric, kind, "", n])
        for category, n in sorted(m["by_category"].items()):
            writer.writerow(head + [metric, "", category, n])
    for name, value in {**stats["rates"], **{f"median_{k}_minutes": v for k, v in stats["median_minutes"].items()},
                        "visits": stats["visits"], "visits_per_grid": stats["visits_per_grid"]}.items():
        writer.writerow(head + [name, "", "", "" if value is None else value])
    return "\ufeff" + out.getvalue()


def scorecards_csv(ranking: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    columns = ["rank", "department", "name_zh", "assigned", "acknowledged_on_time", "lead_dispatches", "resolved",
               "resolved_on_time", "evaluated", "good", "fair", "bad", "reopened", "voided", "bad_reviews",
               "response_rate", "resolution_rate", "satisfaction_rate", "score", "eligible", "composite"]
    writer.writerow(columns)
    for row in ranking["items"]:
        writer.writerow([row["names"].get("zh", "") if c == "name_zh" else row.get(c) for c in columns])
    return "\ufeff" + out.getvalue()
