"""The unit of work and case repository on DynamoDB, through PynamoDB."""
from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pygeohash
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError

from chalicelib import settings
from chalicelib.adapters import outbox
from chalicelib.adapters.models import (ApiKeyItem, AssignmentItem, CaseItem, CounterItem, HouseholdItem, IdempotencyItem,
                                       OutboxItem, ScorecardItem, StatItem, TimelineItem, VisitItem)
from chalicelib.domain import aggregates
from chalicelib.domain.case import Case
from chalicelib.domain.household import Household
from chalicelib.domain.errors import Invalid, VersionConflict
from chalicelib.domain.vocabulary import OPEN_STATUSES, Status
from chalicelib.services.unit_of_work import (AbstractCaseRepository, AbstractHouseholdRepository,
                                              AbstractUnitOfWork, AbstractVisitRepository, ApiKeyRecord, DuplicateRequest, IdempotencyRecord, ListQuery,
                                              Page, SequenceClaim, SequenceTaken)

IDEMPOTENCY_TTL_SECONDS = 24 * 3600
GEO_PRECISION = 6

_connection: Connection | None = None


def connection() -> Connection:
    """One connection per container (lazy, reused across invocations)."""
    global _connection
    if _connection is None:
        _connection = Connection(region=settings.REGION)
    return _connection


def batch_get(request: dict, client=None) -> dict[str, list]:
    """One BatchGetItem (items by table); repeated only for the keys DynamoDB left unprocessed."""
    client = client or connection().client
    found: dict[str, list] = {}
    while request:
        answer = client.batch_get_item(RequestItems=request)
        for table, items in answer.get("Responses", {}).items():
            found.setdefault(table, []).extend(items)
        request = answer.get("UnprocessedKeys") or {}
    return found


def transact(puts: list[dict], updates: list[dict]) -> None:
    """One TransactWriteItems attempt, under a ClientRequestToken of its own.

    If the answer to a committed transaction is lost (a timeout, a dropped connection), botocore sends the same
    request again with the same token, and DynamoDB answers it with the first answer and writes nothing again
    (for 10 minutes). Each attempt of ours is a new transaction -- e.g. rebuilt with the next case number --
    so it gets a new token: the same token with other items is refused (IdempotentParameterMismatch).
    """
    connection().transact_write_items([], [], puts, updates, client_request_token=str(uuid.uuid4()))


def chunks(keys: list, size: int = 100) -> list[list]:
    """The distinct keys in BatchGetItem-sized lists (at most 100 keys per request)."""
    unique = list(dict.fromkeys(keys))
    return [unique[start:start + size] for start in range(0, len(unique), size)]


def in_parallel(fn, tasks: list, width: int = 8) -> list:
    """fn over tasks, up to `width` at once: one round trip of latency when each task is one request."""
    if len(tasks) <= 1:
        return [fn(t) for t in tasks]
    with ThreadPoolExecutor(max_workers=min(width, len(tasks))) as pool:
        return list(pool.map(fn, tasks))


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
    """One inbox link per department ever assigned: its latest role, active if it still holds the case; the
    case's status (also as `dept_status`, the key of by-dept-status), kind and category, for inbox filters."""
    latest: dict[str, AssignmentItem] = {}
    for a in case.assignment_objs():
        current = latest.get(a.department)
        latest[a.department] = AssignmentItem(a.department, case.id, role=a.role,
                                              active=a.active or bool(current and current.active),
                                              status=case.status, kind=case.kind, category=case.category,
                                              dept_status=f"{a.department}#{case.status}")
    return list(latest.values())


def _to_item(case: Case) -> CaseItem:
    loc = case.location or {}
    geo = pygeohash.encode(loc["lat"], loc["lon"], precision=GEO_PRECISION) if "lat" in loc else None
    return CaseItem(case.id, version=case.version, number=case.number, status=case.status, kind=case.kind,
                    category=case.category, grid=case.grid, county=case.county,
                    county_status=f"{case.county}#{case.status}", reporter_id=case.reporter["user_id"],
                    queue_center=case.center if case.awaiting_center else None, geo_cell=geo,
                    sensitive=case.sensitive, title=case.title, doc=case.to_dict())


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
        """A page of cases, newest first, from the index the query picks.

        Round trips: the index Queries run in parallel (one per county for a prefecture-wide list), then one
        BatchGet. Each Query has Limit = page size, so a page reads at most limit x partitions index entries.
        Filters the key cannot serve are filter expressions: a page may come back short, never unbounded.
        """
        fingerprint = hashlib.sha256(repr(sorted((k, v) for k, v in vars(query).items()
                                                 if k not in ("cursor", "limit"))).encode()).hexdigest()[:16]
        state = decode_cursor(query.cursor, fingerprint) if query.cursor else {"f": fingerprint, "p": {}}
        partitions, condition = self._partitions(query, counties)
        pending = [p for p in partitions if not state["p"].get(p[0], {}).get("done")]

        def run(partition):
            name, source, _, _ = partition
            results = source.query(name, filter_condition=condition, scan_index_forward=False,
                                   page_size=query.limit, last_evaluated_key=state["p"].get(name, {}).get("k"))
            raw = next(results.page_iter)  # exactly one Query request
            return partition, [i["case_id"]["S"] for i in raw.get("Items", [])], raw.get("LastEvaluatedKey"), \
                raw.get("ScannedCount", 0)

        with ThreadPoolExecutor(max_workers=max(1, min(8, len(pending)))) as pool:
            fetched = list(pool.map(run, pending))
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
        else:
            if query.queue_center:
                partitions = [(query.queue_center, CaseItem.by_queue, "queue_center", {})]
            elif query.reporter:
                partitions = [(query.reporter, CaseItem.by_reporter, "reporter_id", {})]
            elif query.grid:
                partitions = [(query.grid, CaseItem.by_grid, "grid", {})]
            elif query.status:
                partitions = [(f"{c}#{query.status}", CaseItem.by_county_status, "county_status", {}) for c in counties]
            else:
                partitions = [(c, CaseItem.by_county, "county", {}) for c in counties]
            if query.node and counties and query.node.count(".") > counties[0].count("."):
                conditions.append(CaseItem.grid.startswith(query.node + "."))
            if query.status and (query.queue_center or query.reporter or query.grid):
                conditions.append(CaseItem.status == query.status)
            if query.kind:
                conditions.append(CaseItem.kind == query.kind)
            if query.category:
                conditions.append(CaseItem.category == query.category)
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
            pages = CaseItem.by_county.query(
                county, range_key_condition=CaseItem.case_id.between(first_id, end_id), filter_condition=condition,
                scan_index_forward=False, page_size=read_limit).page_iter
            return [item["case_id"]["S"] for item in next(pages).get("Items", [])]   # exactly one Query request

        ids = sorted((i for found in in_parallel(run, counties) for i in found), reverse=True)[:limit]
        cases = self._get_many(ids)
        return [cases[i] for i in ids if i in cases]

    def timeline(self, case_id: str, limit: int, cursor: str | None) -> Page:
        fingerprint = "timeline:" + case_id
        state = decode_cursor(cursor, fingerprint) if cursor else {"f": fingerprint}
        results = TimelineItem.query(case_id, page_size=limit, last_evaluated_key=state.get("k"))
        raw = next(results.page_iter)
        entries = [json.loads(item["doc"]["S"]) for item in raw.get("Items", [])]
        last_key = raw.get("LastEvaluatedKey")
        return Page(entries, encode_cursor({"f": fingerprint, "k": last_key}) if last_key else None,
                    scanned=raw.get("ScannedCount", 0))

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
            return next(it.page_iter).get("Items", [])

        with ThreadPoolExecutor(max_workers=len(queries)) as pool:
            found = {}
            for items in pool.map(run, queries):
                for raw in items:
                    hint = {k: next(iter(v.values())) for k, v in raw.items()}
                    if hint["case_id"] != case.id:
                        found.setdefault(hint["case_id"], hint)
        return [{"id": h["case_id"], "number": h["number"], "title": h["title"], "status": h["status"],
                 "category": h["category"], "grid": h["grid"], "sensitive": h["sensitive"]}
                for h in sorted(found.values(), key=lambda h: h["case_id"], reverse=True)[:limit]]


class DynamoHouseholdRepository(AbstractHouseholdRepository):
    def _get(self, household_id: str) -> Household | None:
        try:
            return Household.from_dict(HouseholdItem.get(household_id, consistent_read=True).doc)
        except HouseholdItem.DoesNotExist:
            return None

    def list_by_grid(self, grid: str, limit: int, cursor: str | None) -> Page:
        fingerprint = "households:" + grid
        state = decode_cursor(cursor, fingerprint) if cursor else {"f": fingerprint}
        raw = next(HouseholdItem.by_grid.query(grid, page_size=limit, last_evaluated_key=state.get("k")).page_iter)
        ids = [item["household_id"]["S"] for item in raw.get("Items", [])]
        found = {i.household_id: Household.from_dict(i.doc) for i in HouseholdItem.batch_get(ids)} if ids else {}
        last_key = raw.get("LastEvaluatedKey")
        return Page([found[i] for i in ids if i in found],
                    encode_cursor({"f": fingerprint, "k": last_key}) if last_key else None,
                    scanned=raw.get("ScannedCount", 0))


class DynamoVisitRepository(AbstractVisitRepository):
    def between(self, grid, first_id, end_id, limit, cursor):
        fingerprint = f"visits:{grid}:{first_id}:{end_id}"
        state = decode_cursor(cursor, fingerprint) if cursor else {"f": fingerprint}
        raw = next(VisitItem.by_grid.query(grid, range_key_condition=VisitItem.visit_id.between(first_id, end_id),
                                           page_size=limit, last_evaluated_key=state.get("k")).page_iter)
        items = [json.loads(i["doc"]["S"]) for i in raw.get("Items", []) if i["visit_id"]["S"] < end_id]
        last_key = raw.get("LastEvaluatedKey")
        return Page(items, encode_cursor({"f": fingerprint, "k": last_key}) if last_key else None,
                    scanned=raw.get("ScannedCount", 0))


class DynamoUnitOfWork(AbstractUnitOfWork):
    def __enter__(self):
        self.cases = DynamoCaseRepository()
        self.households = DynamoHouseholdRepository()
        self.visits = DynamoVisitRepository()
        return super().__enter__()

    def read_counters(self, table: str, keys: list[str]) -> dict[str, dict[str, int]]:
        return read_counters(table, keys)

    def _load(self, case_ids, idempotency_key):
        request = {}
        if case_ids:
            request[CaseItem.Meta.table_name] = {"Keys": [{"case_id": {"S": i}} for i in dict.fromkeys(case_ids)],
                                                 "ConsistentRead": True}
        if idempotency_key:
            request[IdempotencyItem.Meta.table_name] = {"Keys": [{"key": {"S": idempotency_key}}],
                                                        "ConsistentRead": True}
        preload = self.preloading   # sequences, households, API keys: in the same BatchGetItem
        for model, attribute, keys in ((CounterItem, "name", preload.sequences),
                                       (HouseholdItem, "household_id", preload.household_ids),
                                       (ApiKeyItem, "key_id", preload.api_key_ids)):
            if keys:
                request[model.Meta.table_name] = {"Keys": [{attribute: {"S": k}} for k in dict.fromkeys(keys)],
                                                  "ConsistentRead": True}
        items = batch_get(request) if request else {}
        cases = {i["case_id"]["S"]: _to_case(CaseItem.from_raw_data(i)) for i in items.get(CaseItem.Meta.table_name, [])}
        record = None
        for raw in items.get(IdempotencyItem.Meta.table_name, []):
            item = IdempotencyItem.from_raw_data(raw)
            if item.expires_at >= time.time():
                record = IdempotencyRecord(item.key, item.request_hash, item.result)
        self._preloaded(items)
        return cases, record

    def _preloaded(self, items: dict[str, list]) -> None:
        """What the BatchGetItem found of the preload's keys (absent keys: 0, None, None)."""
        preload = self.preloading
        self.sequences.update({name: 0 for name in preload.sequences})
        for raw in items.get(CounterItem.Meta.table_name, []):
            self.sequences[raw["name"]["S"]] = int(raw.get("value", {}).get("N", "0"))
        self.households.seen.update({i: None for i in preload.household_ids})
        for raw in items.get(HouseholdItem.Meta.table_name, []):
            self.households.seen[raw["household_id"]["S"]] = Household.from_dict(HouseholdItem.from_raw_data(raw).doc)
        self.api_keys.update({i: None for i in preload.api_key_ids})
        for raw in items.get(ApiKeyItem.Meta.table_name, []):
            item = ApiKeyItem.from_raw_data(raw)
            self.api_keys[item.key_id] = ApiKeyRecord(item.key_id, item.secret_hash, bool(item.revoked))

    def find_idempotency(self, key: str) -> IdempotencyRecord | None:
        try:
            item = IdempotencyItem.get(key, consistent_read=True)
        except IdempotencyItem.DoesNotExist:
            return None
        if item.expires_at < time.time():
            return None
        return IdempotencyRecord(item.key, item.request_hash, item.result)

    def commit(self) -> None:
        """One TransactWriteItems: the changes, their timeline, inbox links, outbox, counters, idempotency."""
        changed = self.changed_cases()
        puts, updates, idempotency_position = transaction_request(self)
        for attempt in range(3):
            try:
                transact(puts, updates)
                break
            except TransactWriteError as exc:
                reasons = [getattr(r, "code", None) if r else None for r in (exc.cancellation_reasons or [])]
                if idempotency_position is not None and len(reasons) > idempotency_position \
                        and reasons[idempotency_position] == "ConditionalCheckFailed":
                    raise DuplicateRequest(self.idempotency.key) from None
                raise_if_sequence_taken(puts, reasons)  # a concurrent write claimed the number first: re-read
                if "ConditionalCheckFailed" in reasons:
                    raise VersionConflict("the case was changed by someone else; read it again and retry") from None
                if "TransactionConflict" in reasons and attempt < 2:
                    time.sleep(0.05 * (attempt + 1))  # another transaction held a shared counter: try again
                    continue
                raise  # throttling, conflicts that persist, AWS errors: nothing was written; the API answers 503
        for case in changed:
            case.new_entries.clear()
        self.cases.added.clear()
        self.households.added.clear()
        self.visits_added.clear()
        self.sequence_claims = {}
        self.increments = []
        committed, self.effects = self.effects, []
        outbox.carry_out_all(committed)  # best effort now; the relay retries what fails


def transaction_request(uow: AbstractUnitOfWork) -> tuple[list[dict], list[dict], int | None]:
    """The Put and Update items of a unit of work's one transaction, and where its idempotency record sits.

    Also what the cost benchmark meters: it sizes exactly these items (bench/metering.py).
    """
    added = {c.id for c in uow.cases.added}
    puts: list[dict] = []
    for case in uow.changed_cases():
        previous_version = case.version - len(case.new_entries)
        condition = (CaseItem.case_id.does_not_exist() if case.id in added
                     else CaseItem.version == previous_version)
        puts.append(_to_item(case).get_save_kwargs_from_instance(condition=condition))
        puts += [TimelineItem(case.id, entry.seq, doc=vars(entry)).get_save_kwargs_from_instance(
            condition=TimelineItem.seq.does_not_exist()) for entry in case.new_entries]
        puts += [link.get_save_kwargs_from_instance() for link in _inbox_links(case)]
    if uow.effects:   # one outbox item for all of the transaction's effects
        puts.append(outbox.to_item(uow.effects).get_save_kwargs_from_instance(
            condition=OutboxItem.outbox_id.does_not_exist()))
    puts += [HouseholdItem(h.id, grid=h.grid, version=h.version, doc=h.to_dict()).get_save_kwargs_from_instance(
        condition=HouseholdItem.household_id.does_not_exist()) for h in uow.households.added]
    puts += [VisitItem(v.id, grid=v.grid, doc=v.to_dict()).get_save_kwargs_from_instance(
        condition=VisitItem.visit_id.does_not_exist()) for v in uow.visits_added]
    puts += [sequence_claim_put(claim) for claim in uow.sequence_claims.values()]
    idempotency_position = None
    if uow.idempotency:
        idempotency_position = len(puts)
        puts.append(idempotency_put(uow.idempotency))
    return puts, counter_updates(aggregates.merge(uow.increments)), idempotency_position


def sequence_claim_put(claim: SequenceClaim) -> dict:
    """A sequence's next number as a transaction Put, conditional on the value the write read (or on no item)."""
    condition = (CounterItem.name.does_not_exist() | (CounterItem.value == 0)) if claim.read == 0 \
        else CounterItem.value == claim.read
    return CounterItem(claim.name, value=claim.claimed).get_save_kwargs_from_instance(condition=condition)


def raise_if_sequence_taken(puts: list[dict], reasons: list) -> None:
    """SequenceTaken if a cancelled transaction failed on a sequence claim (the only counters-table Puts)."""
    for put, reason in zip(puts, reasons):  # the Puts lead the TransactItems (no checks or deletes before them)
        if reason == "ConditionalCheckFailed" and put.get("TableName") == CounterItem.Meta.table_name:
            raise SequenceTaken("a concurrent report took this case number; read again and retry") from None


def idempotency_put(record: IdempotencyRecord) -> dict:
    """The idempotency record as a transaction Put that fails if a twin request committed first."""
    return IdempotencyItem(record.key, request_hash=record.request_hash, result=record.result,
                           expires_at=int(time.time()) + IDEMPOTENCY_TTL_SECONDS).get_save_kwargs_from_instance(
        condition=IdempotencyItem.key.does_not_exist())


def counter_updates(items: dict[tuple[str, str], dict[str, int]]) -> list[dict]:
    """One UpdateItem (ADD) per counter item; attribute names go through placeholders."""
    tables = {aggregates.STATS: StatItem.Meta.table_name, aggregates.SCORECARDS: ScorecardItem.Meta.table_name}
    updates = []
    for (table, key), counters in sorted(items.items()):
        names = {f"#a{i}": attribute for i, attribute in enumerate(counters)}
        values = {f":v{i}": {"N": str(delta)} for i, delta in enumerate(counters.values())}
        updates.append({"TableName": tables[table], "Key": {"key": {"S": key}},
                        "UpdateExpression": "ADD " + ", ".join(f"#a{i} :v{i}" for i in range(len(counters))),
                        "ExpressionAttributeNames": names, "ExpressionAttributeValues": values})
    return updates


def read_counters(table: str, keys: list[str]) -> dict[str, dict[str, int]]:
    """Counter items by key: one BatchGetItem per 100 keys, sent in parallel (one round trip)."""
    name = {aggregates.STATS: StatItem.Meta.table_name, aggregates.SCORECARDS: ScorecardItem.Meta.table_name}[table]
    requests = [{name: {"Keys": [{"key": {"S": k}} for k in chunk]}} for chunk in chunks(keys)]
    return {raw["key"]["S"]: {a: int(v["N"]) for a, v in raw.items() if a != "key"}
            for found in in_parallel(batch_get, requests) for raw in found.get(name, [])}
