"""Statistics for any node and period from the counters kept on write: O(buckets), never O(cases).

A period is a day, month, quarter, year or an inclusive date range; it is read as the fewest counter items
that cover it exactly (whole years, then whole months, then days), for the node itself. Events count on their
own date in the county's time zone. Rates: response = lead report-ins on time / dispatched; resolution =
resolved / accepted; satisfaction = (good + fair) / evaluated. Medians come from the histogram buckets
(chalicelib.domain.aggregates.HISTOGRAM_BOUNDS) and are reported as the bucket's upper bound in minutes.
"""
from __future__ import annotations

import calendar as calendar_module
import re
from collections import defaultdict
from datetime import date, timedelta

from chalicelib.domain import access, aggregates
from chalicelib.domain.errors import Forbidden, Invalid
from chalicelib.domain.roles import Principal
from chalicelib.services import exports
from chalicelib.services.unit_of_work import AbstractUnitOfWork

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
    if not access.may_read_statistics(p, node):
        raise Forbidden(f"statistics of {node} are outside your jurisdiction")
    keys = [f"{node}#{b}#{part}" for b in buckets(first, last) for part in slices(config)]
    counters: dict[str, int] = defaultdict(int)
    for key, item in uow.read_counters(aggregates.STATS, keys).items():
        part = key.split("#", 2)[2]
        for attribute, value in item.items():
            plain = attribute.startswith("h|") or part == aggregates.VISITS_SLICE
            counters[attribute if plain else f"{attribute}|{part}"] += value
    summary = summarise(counters)
    grids = len(config.jurisdiction.grids_under(node))
    summary["visits_per_grid"] = round(summary["visits"] / grids, 2) if grids else None
    return {"node": node, "level": target.level, "names": target.names, "from": first.isoformat(),
            "to": last.isoformat(), "counter_items_read": len(keys), "grids": grids, **summary}


METRIC_NAMES = {  # metric -> (Chinese, English), as a spreadsheet reader sees it
    "reported": ("上报", "reported"),
    **{m.name: (m.zh, m.en) for m in aggregates.COUNTED_ACTIONS.values()},
    "dispatched": ("派单", "dispatched"),
    "acknowledged_on_time": ("按时报到", "reported in on time"), "resolved": ("办结", "resolved"),
    "reopened": ("重办", "reopened"), "overdue": ("超时", "overdue"), "evaluated": ("已评价", "evaluated"),
    "good": ("满意", "good"), "fair": ("基本满意", "fair"), "bad": ("不满意", "bad"),
    "not_evaluated": ("未评价", "not evaluated"), "response_rate": ("响应率", "response rate"),
    "resolution_rate": ("办结率", "resolution rate"), "satisfaction_rate": ("满意率", "satisfaction rate"),
    "median_report_in_minutes": ("报到用时中位数（分钟）", "median report-in minutes"),
    "median_resolve_minutes": ("办结用时中位数（分钟）", "median resolve minutes"),
    "visits": ("走访", "visits"), "visits_per_grid": ("网格平均走访", "visits per grid"),
}
KIND_NAMES = {"demand": ("诉求", "demand"), "dispute": ("矛盾纠纷", "dispute")}
STATISTICS_COLUMNS = [("node", "节点", "node"), ("from", "起", "from"), ("to", "止", "to"),
                      ("metric", "指标", "metric"), ("kind", "类型", "kind"), ("category", "类别", "category"),
                      ("count", "数量", "count")]
SCORECARD_COLUMNS = [
    ("rank", "排名", "rank"), ("department", "部门代码", "department"), ("name", "部门", "name"),
    ("assigned", "派单", "assigned"), ("acknowledged_on_time", "按时报到", "acknowledged on time"),
    ("lead_dispatches", "牵头办理", "lead dispatches"), ("resolved", "办结", "resolved"),
    ("resolved_on_time", "按时办结", "resolved on time"), ("evaluated", "已评价", "evaluated"),
    ("good", "满意", "good"), ("fair", "基本满意", "fair"), ("bad", "不满意", "bad"),
    ("reopened", "重办", "reopened"), ("voided", "申诉撤销", "voided"), ("bad_reviews", "差评", "bad reviews"),
    ("response_rate", "响应率", "response rate"), ("resolution_rate", "办结率", "resolution rate"),
    ("satisfaction_rate", "满意率", "satisfaction rate"), ("score", "平安建设得分", "score"),
    ("eligible", "资格", "eligible"), ("composite", "综合得分", "composite")]


def to_csv(stats: dict, config, language: str) -> str:
    """One row per metric total, per kind and per category, then the rates, medians and visits."""
    zh = language == "zh"
    head = {"node": stats["node"], "from": stats["from"], "to": stats["to"]}

    def label(names: tuple[str, str]) -> str:
        return names[0] if zh else names[1]

    rows = []
    for metric, m in stats["metrics"].items():
        name = label(METRIC_NAMES[metric])
        rows.append({**head, "metric": name, "count": m["total"]})
        rows += [{**head, "metric": name, "kind": label(KIND_NAMES.get(kind, (kind, kind))), "count": n}
                 for kind, n in sorted(m["by_kind"].items())]
        rows += [{**head, "metric": name, "count": n, "category": exports.name_in(
                  config.categories[code].names, language) if code in config.categories else code}
                 for code, n in sorted(m["by_category"].items())]
    for name, value in {**stats["rates"], **{f"median_{k}_minutes": v for k, v in stats["median_minutes"].items()},
                        "visits": stats["visits"], "visits_per_grid": stats["visits_per_grid"]}.items():
        rows.append({**head, "metric": label(METRIC_NAMES[name]), "count": value})
    return exports.write(STATISTICS_COLUMNS, rows, language)


def scorecards_csv(ranking: dict, language: str) -> str:
    rows = [{**row, "name": exports.name_in(row["names"], language)} for row in ranking["items"]]
    return exports.write(SCORECARD_COLUMNS, rows, language)
