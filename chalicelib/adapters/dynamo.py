"""The unit of work and case repository on DynamoDB, through PynamoDB."""
from __future__ import annotations

import base64
import hashlib
import json
import time
from concurrent.futures import ThreadPoolExecutor

import pygeohash
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib import settings
from chalicelib.adapters.models import (AssignmentItem, CaseItem, CounterItem, IdempotencyItem, TimelineItem)
from chalicelib.domain.case import Case
from chalicelib.domain.errors import Invalid, VersionConflict
from chalicelib.services.unit_of_work import (AbstractCaseRepository, AbstractUnitOfWork, DuplicateRequest,
                                              IdempotencyRecord, ListQuery, Page)

IDEMPOTENCY_TTL_SECONDS = 24 * 3600
GEO_PRECISION = 6

_connection: Connection | None = None


def connection() -> Connection:
    """One connection per container (lazy, reused across invocations)."""
    global _connection
    if _connection is None:
        _connection = Connection(region=settings.REGION)
    return _connection


def encode_cursor(payload: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, fingerprint: str) -> dict:
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(payload, dict) or payload.get("f") != fingerprint:
            raise ValueError
        return payload
    except ValueError:
        raise Invalid("the cursor does not belong to this list or is damaged", field="cursor") from None


def _to_case(item: CaseItem) -> Case:
    return Case.from_dict(item.doc)


def _inbox_links(case: Case) -> list[AssignmentItem]:
    """One inbox link per department ever assigned: its latest role, active if it still holds the case."""
    latest: dict[str, AssignmentItem] = {}
    for a in case.assignment_objs():
        current = latest.get(a.department)
        latest[a.department] = AssignmentItem(a.department, case.id, role=a.role,
                                              active=a.active or bool(current and current.active),
                                              status=case.status)
    return list(latest.values())


def _to_item(case: Case) -> CaseItem:
    loc = case.location or {}
    geo = pygeohash.encode(loc["lat"], loc["lon"], precision=GEO_PRECISION) if "lat" in loc else None
    return CaseItem(case.id, version=case.version, number=case.number, status=case.status, kind=case.kind,
                    category=case.category, grid=case.grid, county=case.county,
                    county_status=f"{case.county}#{case.status}", reporter_id=case.reporter["user_id"],
                    queue_center=case.center if case.awaiting_center else None, geo_cell=geo,
                    sensitive=case.sensitive, doc=case.to_dict())


class DynamoCaseRepository(AbstractCaseRepository):
    def _get(self, case_id: str) -> Case | None:
        try:
            return _to_case(CaseItem.get(case_id, consistent_read=True))
        except CaseItem.DoesNotExist:
            return None

    def _get_many(self, case_ids: list[str]) -> dict[str, Case]:
        ids = list(dict.fromkeys(case_ids))
        return {i.case_id: _to_case(i) for i in CaseItem.batch_get(ids)} if ids else {}

    def list(self, query: ListQuery, counties: list[str]) -> Page:
        """One Query (Limit = page size) on the index the query picks, then one BatchGet of that page.

        Filters the index cannot key are filter expressions, so a page may come back short; it never
        reads more than `limit` index entries.
        """
        fingerprint = hashlib.sha256(repr(sorted((k, v) for k, v in vars(query).items()
                                                 if k not in ("cursor", "limit"))).encode()).hexdigest()[:16]
        state = decode_cursor(query.cursor, fingerprint) if query.cursor else {"f": fingerprint}
        conditions = []
        county_pass = None
        if query.department:
            source, hash_key = AssignmentItem, query.department
            if query.status:
                conditions.append(AssignmentItem.status == query.status)
        else:
            if query.queue_center:
                source, hash_key = CaseItem.by_queue, query.queue_center
            elif query.reporter:
                source, hash_key = CaseItem.by_reporter, query.reporter
            elif query.grid:
                source, hash_key = CaseItem.by_grid, query.grid
            else:  # a subtree: one county at a time, the cursor remembers which
                county_pass = state.get("c", 0)
                if county_pass >= len(counties):
                    return Page([], None)
                county = counties[county_pass]
                if query.status:
                    source, hash_key = CaseItem.by_county_status, f"{county}#{query.status}"
                else:
                    source, hash_key = CaseItem.by_county, county
                if query.node and query.node.count(".") > county.count("."):
                    conditions.append(CaseItem.grid.startswith(query.node + "."))
            if query.status and source is not CaseItem.by_county_status:
                conditions.append(CaseItem.status == query.status)
            if query.kind:
                conditions.append(CaseItem.kind == query.kind)
            if query.category:
                conditions.append(CaseItem.category == query.category)
        condition = None
        for c in conditions:
            condition = c if condition is None else condition & c
        results = source.query(hash_key, filter_condition=condition, scan_index_forward=False,
                               page_size=query.limit, last_evaluated_key=state.get("k"))
        raw = next(results.page_iter)  # exactly one Query request
        ids = [item["case_id"]["S"] for item in raw.get("Items", [])]
        cases = self._get_many(ids)
        found = [cases[i] for i in ids if i in cases]
        if query.department:  # the inbox index does not carry kind and category
            found = [c for c in found if (not query.kind or c.kind == query.kind)
                     and (not query.category or c.category == query.category)]
        last_key = raw.get("LastEvaluatedKey")
        if last_key:
            next_state = {**state, "k": last_key}
        elif county_pass is not None and county_pass + 1 < len(counties):
            next_state = {"f": fingerprint, "c": county_pass + 1}
        else:
            next_state = None
        return Page(found, encode_cursor(next_state) if next_state else None, scanned=raw.get("ScannedCount", 0))

    def timeline(self, case_id: str, limit: int, cursor: str | None) -> Page:
        fingerprint = "timeline:" + case_id
        state = decode_cursor(cursor, fingerprint) if cursor else {"f": fingerprint}
        results = TimelineItem.query(case_id, page_size=limit, last_evaluated_key=state.get("k"))
        raw = next(results.page_iter)
        entries = [json.loads(item["doc"]["S"]) for item in raw.get("Items", [])]
        last_key = raw.get("LastEvaluatedKey")
        return Page(entries, encode_cursor({"f": fingerprint, "k": last_key}) if last_key else None,
                    scanned=raw.get("ScannedCount", 0))

    def possible_duplicates(self, case: Case, since_case_id: str, limit: int) -> list[Case]:
        """Open cases in the same grid and category, or in the same geohash cell, newer than `since`."""
        open_filter = CaseItem.status.is_in("reported", "accepted", "dispatched", "in_progress")
        queries = [(CaseItem.by_grid, case.grid, open_filter & (CaseItem.category == case.category))]
        if "lat" in (case.location or {}):
            cell = pygeohash.encode(case.location["lat"], case.location["lon"], precision=GEO_PRECISION)
            queries.append((CaseItem.by_geo_cell, cell, open_filter))

        def run(q):
            index, key, condition = q
            it = index.query(key, range_key_condition=CaseItem.case_id > since_case_id, filter_condition=condition,
                             scan_index_forward=False, page_size=limit)
            return [item["case_id"]["S"] for item in next(it.page_iter).get("Items", [])]

        with ThreadPoolExecutor(max_workers=len(queries)) as pool:  # parallel: one round trip
            found = [i for ids in pool.map(run, queries) for i in ids if i != case.id]
        return list(self._get_many(found[: limit * 2]).values())[:limit] if found else []


class DynamoUnitOfWork(AbstractUnitOfWork):
    def __enter__(self):
        self.cases = DynamoCaseRepository()
        return super().__enter__()

    def find_idempotency(self, key: str) -> IdempotencyRecord | None:
        try:
            item = IdempotencyItem.get(key, consistent_read=True)
        except IdempotencyItem.DoesNotExist:
            return None
        if item.expires_at < time.time():
            return None
        return IdempotencyRecord(item.key, item.request_hash, item.result)

    def next_sequence(self, name: str) -> int:
        counter = CounterItem(name)
        counter.update(actions=[CounterItem.value.add(1)])
        return int(counter.value)

    def commit(self) -> None:
        changed = self.changed_cases()
        added = {c.id for c in self.cases.added}
        try:
            with TransactWrite(connection=connection()) as tx:
                for case in changed:
                    previous_version = case.version - len(case.new_entries)
                    condition = (CaseItem.case_id.does_not_exist() if case.id in added
                                 else CaseItem.version == previous_version)
                    tx.save(_to_item(case), condition=condition)
                    for entry in case.new_entries:
                        tx.save(TimelineItem(case.id, entry.seq, doc=vars(entry)),
                                condition=TimelineItem.seq.does_not_exist())
                    for link in _inbox_links(case):
                        tx.save(link)
                if self.idempotency:
                    r = self.idempotency
                    tx.save(IdempotencyItem(r.key, request_hash=r.request_hash, result=r.result,
                                            expires_at=int(time.time()) + IDEMPOTENCY_TTL_SECONDS),
                            condition=IdempotencyItem.key.does_not_exist())
        except TransactWriteError as exc:
            reasons = [getattr(r, "code", None) if r else None for r in (exc.cancellation_reasons or [])]
            if self.idempotency and reasons and reasons[-1] == "ConditionalCheckFailed":
                raise DuplicateRequest(self.idempotency.key) from None
            if "ConditionalCheckFailed" in reasons or exc.cause_response_code == "TransactionCanceledException":
                raise VersionConflict("the case was changed by someone else; read it again and retry") from None
            raise
        for case in changed:
            case.new_entries.clear()
        self.cases.added.clear()
