"""Cases on DynamoDB: the item a case is stored as, its inbox links, and the case repository's reads."""
from __future__ import annotations

import hashlib
import json

import pygeohash

from chalicelib.adapters.dynamo import chunks, in_parallel
from chalicelib.adapters.models import AssignmentItem, CaseItem, TimelineItem
from chalicelib.adapters.paging import decode_cursor, encode_cursor, first_page, one_page
from chalicelib.domain.case import Case
from chalicelib.domain.times import iso_or_none
from chalicelib.domain.vocabulary import OPEN_STATUSES, Status
from chalicelib.services.unit_of_work import AbstractCaseRepository, ListQuery, Page

GEO_PRECISION = 6


def case_from_item(item: CaseItem) -> Case:
    return Case.from_dict(item.doc)


def inbox_links(case: Case) -> list[AssignmentItem]:
    """One inbox link per department ever assigned: its latest role, active if it still holds the case; the
    case's status (also as `dept_status`, the key of by-dept-status), kind and category, for inbox filters."""
    latest: dict[str, AssignmentItem] = {}
    for a in case.assignments:
        current = latest.get(a.department)
        latest[a.department] = AssignmentItem(a.department, case.id, role=a.role,
                                              active=a.active or bool(current and current.active),
                                              status=case.status, kind=case.kind, category=case.category,
                                              dept_status=f"{a.department}#{case.status}",
                                              attention=case.attention or None)
    return list(latest.values())


def case_item(case: Case) -> CaseItem:
    loc = case.location or {}
    geo = pygeohash.encode(loc["lat"], loc["lon"], precision=GEO_PRECISION) if "lat" in loc else None
    return CaseItem(case.id, version=case.version, number=case.number, status=case.status, kind=case.kind,
                    category=case.category, grid=case.grid, county=case.county,
                    county_status=f"{case.county}#{case.status}", reporter_id=case.reporter["user_id"],
                    queue_center=case.center if case.awaiting_center else None, geo_cell=geo,
                    sensitive=case.sensitive, title=case.title, next_due=iso_or_none(case.next_due),
                    attention=case.attention or None, doc=case.to_dict())


class DynamoCaseRepository(AbstractCaseRepository):
    def _get(self, case_id: str) -> Case | None:
        try:
            return case_from_item(CaseItem.get(case_id, consistent_read=True))
        except CaseItem.DoesNotExist:
            return None

    def _get_many(self, case_ids: list[str]) -> dict[str, Case]:
        """The cases by id in one round trip: a long page (Open311's, up to 1,000) is several BatchGetItems of 100
        keys, sent at once rather than one after the other."""
        parts = in_parallel(lambda part: [case_from_item(i) for i in CaseItem.batch_get(part)], chunks(case_ids))
        return {case.id: case for part in parts for case in part}

    def list(self, query: ListQuery, counties: list[str]) -> Page:
        """A page of cases, newest first, from the index the query picks.

        Round trips: the index Queries run in parallel (one per county for a prefecture-wide list), then one
        BatchGet. Each Query has Limit = page size, so a page reads at most limit x partitions index entries.
        Filters the key cannot serve are filter expressions: a page may come back short, never unbounded.
        """
        fingerprint = hashlib.sha256(repr(sorted((k, v) for k, v in query._asdict().items()
                                                 if k not in ("cursor", "limit"))).encode()).hexdigest()[:16]
        state = decode_cursor(query.cursor, fingerprint) if query.cursor else {"f": fingerprint, "p": {}}
        partitions, condition = self._partitions(query, counties)
        pending = [p for p in partitions if not state["p"].get(p[0], {}).get("done")]

        def run(partition):
            name, source, _, _ = partition
            results = source.query(name, filter_condition=condition, scan_index_forward=False,
                                   page_size=query.limit, last_evaluated_key=state["p"].get(name, {}).get("k"))
            raw = first_page(results)
            return partition, [i["case_id"]["S"] for i in raw.get("Items", [])], raw.get("LastEvaluatedKey"), \
                raw.get("ScannedCount", 0)

        fetched = in_parallel(run, pending)
        merged = sorted(((case_id, p[0]) for p, ids, _, _ in fetched for case_id in ids), reverse=True)
        taken = merged[: query.limit]
        next_partitions = dict(state["p"])
        for (name, _, hash_attr, table_key), ids, last_key, _ in fetched:
            used = [case_id for case_id, source in taken if source == name]
            if len(used) == len(ids):      # the whole page went out: continue after what DynamoDB read
                next_partitions[name] = {"k": last_key} if last_key else {"done": True}
            elif used:                     # continue right after the last case returned
                next_partitions[name] = {"k": {"case_id": {"S": used[-1]}, hash_attr: {"S": name}, **table_key}}
        cases = self._get_many([case_id for case_id, _ in taken])
        found = [cases[i] for i, _ in taken if i in cases]
        more = any(not next_partitions.get(p[0], {}).get("done") for p in partitions)
        cursor = encode_cursor({"f": fingerprint, "p": next_partitions}) if more else None
        return Page(found, cursor, scanned=sum(f[3] for f in fetched))

    @staticmethod
    def _partitions(query: ListQuery, counties: list[str]):
        """[(hash key, index or table, hash attribute, the table's key beyond case_id)] and the filter condition
        of a list query. Every filter is a Query filter: a page reads only what DynamoDB evaluated for it."""
        conditions = []
        if query.department:
            department = query.department
            if query.status:   # the links of cases in that status only: no entry read is filtered out
                partitions = [(f"{department}#{query.status}", AssignmentItem.by_dept_status, "dept_status",
                               {"department": {"S": department}})]
            else:
                partitions = [(department, AssignmentItem, "department", {})]
            if query.kind:     # the link mirrors the case's kind and category (rewritten with the case)
                conditions.append(AssignmentItem.kind == query.kind)
            if query.category:
                conditions.append(AssignmentItem.category == query.category)
            if query.attention:
                conditions.append(AssignmentItem.attention.contains(query.attention))
        else:
            if query.queue_center:
                partitions = [(query.queue_center, CaseItem.by_queue, "queue_center", {})]
            elif query.reporter:
                partitions = [(query.reporter, CaseItem.by_reporter, "reporter_id", {})]
            elif query.grid:
                partitions = [(query.grid, CaseItem.by_grid, "grid", {})]
            elif query.grids:   # a small subtree, grid by grid: every entry read is under the node
                partitions = [(grid, CaseItem.by_grid, "grid", {}) for grid in query.grids]
            elif query.status:
                partitions = [(f"{c}#{query.status}", CaseItem.by_county_status, "county_status", {}) for c in counties]
            else:
                partitions = [(c, CaseItem.by_county, "county", {}) for c in counties]
            if query.node and counties and query.node.count(".") > counties[0].count(".") and not query.grids:
                conditions.append(CaseItem.grid.startswith(query.node + "."))
            if query.status and (query.queue_center or query.reporter or query.grid or query.grids):
                conditions.append(CaseItem.status == query.status)
            if query.kind:
                conditions.append(CaseItem.kind == query.kind)
            if query.category:
                conditions.append(CaseItem.category == query.category)
            if query.due_before:
                conditions.append(CaseItem.next_due <= query.due_before)
            if query.attention:
                conditions.append(CaseItem.attention.contains(query.attention))
        condition = None
        for c in conditions:
            condition = c if condition is None else condition & c
        return partitions, condition

    def public_window(self, counties, first_id, end_id, categories, limit, read_limit):
        """One Query per county partition, in parallel, each with Limit = read_limit: DynamoDB evaluates at most
        read_limit index entries per partition (filtered ones included) however many cases the window holds."""
        if not categories:
            return []
        condition = (CaseItem.category.is_in(*categories) & (CaseItem.sensitive == False)  # noqa: E712
                     & (CaseItem.kind == "demand"))

        def run(county):
            return [item["case_id"]["S"] for item in first_page(CaseItem.by_county.query(
                county, range_key_condition=CaseItem.case_id.between(first_id, end_id), filter_condition=condition,
                scan_index_forward=False, page_size=read_limit)).get("Items", [])]

        ids = sorted((i for found in in_parallel(run, counties) for i in found), reverse=True)[:limit]
        cases = self._get_many(ids)
        return [cases[i] for i in ids if i in cases]

    def timeline(self, case_id: str, limit: int, cursor: str | None) -> Page:
        items, next_cursor, scanned = one_page(
            lambda last: TimelineItem.query(case_id, page_size=limit, last_evaluated_key=last), "timeline:" + case_id,
            cursor)
        return Page([json.loads(item["doc"]["S"]) for item in items], next_cursor, scanned=scanned)

    def possible_duplicates(self, case: Case, since_case_id: str, limit: int) -> list[dict]:
        """Open cases in the same grid and category, or in the same geohash cell, newer than `since`.

        Both Queries run in parallel and answer from the index projection: one round trip, no case reads.
        """
        open_filter = CaseItem.status.is_in(*(s.value for s in OPEN_STATUSES if s != Status.RESOLVED))
        queries = [(CaseItem.by_grid, case.grid, open_filter & (CaseItem.category == case.category))]
        if "lat" in (case.location or {}):
            cell = pygeohash.encode(case.location["lat"], case.location["lon"], precision=GEO_PRECISION)
            queries.append((CaseItem.by_geo_cell, cell, open_filter))

        def run(q):
            index, key, condition = q
            it = index.query(key, range_key_condition=CaseItem.case_id > since_case_id, filter_condition=condition,
                             scan_index_forward=False, page_size=limit)
            return first_page(it).get("Items", [])

        found = {}
        for items in in_parallel(run, queries):
            for raw in items:
                hint = {k: next(iter(v.values())) for k, v in raw.items()}
                if hint["case_id"] != case.id:
                    found.setdefault(hint["case_id"], hint)
        return [{"id": h["case_id"], "number": h["number"], "title": h["title"], "status": h["status"],
                 "category": h["category"], "grid": h["grid"], "sensitive": h["sensitive"]}
                for h in sorted(found.values(), key=lambda h: h["case_id"], reverse=True)[:limit]]
