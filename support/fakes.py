"""An in-memory unit of work with the same contract as the DynamoDB one (for unit tests)."""
import pygeohash

from chalicelib.domain.case import Case
from chalicelib.domain.errors import VersionConflict
from chalicelib.services.unit_of_work import (AbstractCaseRepository, AbstractHouseholdRepository,
                                              AbstractUnitOfWork, AbstractVisitRepository, ApiKeyRecord,
                                              DuplicateRequest, IdempotencyRecord, ListQuery, Page, SequenceTaken)


class Store:
    """What the fake "database" holds, shared by every unit of work made from it."""

    def __init__(self):
        self.cases: dict[str, dict] = {}
        self.timeline: dict[str, list] = {}
        self.idempotency: dict[str, IdempotencyRecord] = {}
        self.counters: dict[str, int] = {}           # sequences (case numbers): name -> last number taken
        self.api_keys: dict[str, ApiKeyRecord] = {}
        self.households: dict = {}
        self.counters_by_table: dict = {"stats": {}, "scorecards": {}}
        self.visits: dict = {}
        self.commits = 0


class FakeCaseRepository(AbstractCaseRepository):
    def __init__(self, store: Store):
        super().__init__()
        self.store = store

    def _get(self, case_id):
        data = self.store.cases.get(case_id)
        return Case.from_dict(data) if data else None

    def _get_many(self, case_ids):
        return {i: Case.from_dict(self.store.cases[i]) for i in case_ids if i in self.store.cases}

    def list(self, query: ListQuery, counties):
        cases = [Case.from_dict(d) for d in self.store.cases.values()]
        if query.grid:
            cases = [c for c in cases if c.grid == query.grid]
        if query.reporter:
            cases = [c for c in cases if c.reporter["user_id"] == query.reporter]
        if query.status:
            cases = [c for c in cases if c.status == query.status]
        return Page(sorted(cases, key=lambda c: c.id, reverse=True)[: query.limit], None)

    def public_window(self, counties, first_id, end_id, categories, limit, read_limit):
        found = []
        for county in counties:   # like the adapter: the newest `read_limit` of each partition, then the filter
            window = sorted((d for d in self.store.cases.values() if d["county"] == county
                             and first_id <= d["id"] <= end_id), key=lambda d: d["id"], reverse=True)[:read_limit]
            found += [Case.from_dict(d) for d in window
                      if d["category"] in categories and not d["sensitive"] and d["kind"] == "demand"]
        return sorted(found, key=lambda c: c.id, reverse=True)[:limit]

    def timeline(self, case_id, limit, cursor):
        return Page(self.store.timeline.get(case_id, [])[:limit], None)

    def possible_duplicates(self, case, since_case_id, limit):
        """Like the adapter: open cases after `since` in the same grid and category, or in the same geohash cell."""
        def cell(d):
            loc = d.get("location") or {}
            return pygeohash.encode(loc["lat"], loc["lon"], precision=6) if "lat" in loc else None

        found = [d for d in self.store.cases.values()
                 if d["id"] != case.id and d["id"] > since_case_id
                 and d["status"] in ("reported", "accepted", "dispatched", "in_progress")
                 and ((d["grid"] == case.grid and d["category"] == case.category)
                      or (cell(d) is not None and cell(d) == cell(vars(case))))]
        return [{k: d[k] for k in ("id", "number", "title", "status", "category", "grid", "sensitive")}
                for d in sorted(found, key=lambda d: d["id"], reverse=True)][:limit]


class FakeHouseholdRepository(AbstractHouseholdRepository):
    def __init__(self, store: Store):
        super().__init__()
        self.store = store

    def _get(self, household_id):
        return self.store.households.get(household_id)

    def list_by_grid(self, grid, limit, cursor):
        return Page([h for h in self.store.households.values() if h.grid == grid][:limit], None)


class FakeVisitRepository(AbstractVisitRepository):
    def __init__(self, store: Store):
        self.store = store

    def between(self, grid, first_id, end_id, limit, cursor):
        found = sorted((v for v in self.store.visits.values() if v.grid == grid and first_id <= v.id < end_id),
                       key=lambda v: v.id)
        return Page([v.to_dict() for v in found][:limit], None)


class FakeUnitOfWork(AbstractUnitOfWork):
    def __init__(self, store: Store | None = None, fail_commit_with: Exception | None = None):
        self.store = store or Store()
        self.fail_commit_with = fail_commit_with

    def __enter__(self):
        self.cases = FakeCaseRepository(self.store)
        self.households = FakeHouseholdRepository(self.store)
        self.visits = FakeVisitRepository(self.store)
        return super().__enter__()

    def _load(self, case_ids, idempotency_key):
        cases = {i: Case.from_dict(self.store.cases[i]) for i in case_ids if i in self.store.cases}
        preload = self.preloading
        self.sequences.update({name: self.store.counters.get(name, 0) for name in preload.sequences})
        self.households.seen.update({i: self.store.households.get(i) for i in preload.household_ids})
        self.api_keys.update({i: self.store.api_keys.get(i) for i in preload.api_key_ids})
        return cases, self.store.idempotency.get(idempotency_key) if idempotency_key else None

    def read_counters(self, table, keys):
        return {k: dict(self.store.counters_by_table[table][k]) for k in keys
                if k in self.store.counters_by_table[table]}

    def find_idempotency(self, key):
        return self.store.idempotency.get(key)

    def commit(self):
        if self.fail_commit_with:
            raise self.fail_commit_with
        changed = self.changed_cases()
        added = {c.id for c in self.cases.added}
        for case in changed:  # check everything first: all or nothing, like a transaction
            stored = self.store.cases.get(case.id)
            if case.id in added and stored is not None:
                raise VersionConflict("exists")
            if case.id not in added and (stored is None or stored["version"] != case.version - len(case.new_entries)):
                raise VersionConflict("moved")
        if self.idempotency and self.idempotency.key in self.store.idempotency:
            raise DuplicateRequest(self.idempotency.key)
        for claim in self.sequence_claims.values():   # like the claim's condition: the value the load read
            if self.store.counters.get(claim.name, 0) != claim.read:
                raise SequenceTaken(f"{claim.name} is past {claim.read}")
        for case in changed:
            self.store.cases[case.id] = case.to_dict()
            self.store.timeline.setdefault(case.id, []).extend(vars(e) for e in case.new_entries)
            case.new_entries.clear()
        if self.idempotency:
            self.store.idempotency[self.idempotency.key] = self.idempotency
        for household in self.households.added:
            self.store.households[household.id] = household
        for visit in self.visits_added:
            self.store.visits[visit.id] = visit
        for claim in self.sequence_claims.values():
            self.store.counters[claim.name] = claim.claimed
        self.sequence_claims = {}
        for inc in self.increments:
            item = self.store.counters_by_table[inc.table].setdefault(inc.key, {})
            item[inc.attribute] = item.get(inc.attribute, 0) + inc.delta
        self.increments = []
        self.visits_added.clear()
        self.cases.added.clear()
        self.households.added.clear()
        self.store.commits += 1


class RecordingUnitOfWork(FakeUnitOfWork):
    """Also keeps every committed outbox effect in `log` (to see which timers start and stop)."""

    def __init__(self, store, log):
        super().__init__(store)
        self.log = log

    def commit(self):
        effects = list(self.effects)
        super().commit()
        self.log.extend(effects)


class InterleavedLoads:
    """Mix into a unit of work: after each of its loads (before its own commit) it runs the next of `between`,
    e.g. another write that commits first; `loads` keeps the sequences each load saw."""

    def _interleave(self, between):
        self.between, self.loads = list(between), []

    def _load(self, case_ids, idempotency_key):
        answer = super()._load(case_ids, idempotency_key)
        self.loads.append(dict(self.sequences))
        if self.between:
            self.between.pop(0)()
        return answer


class FakePhotoStore:
    """The photo bucket in memory: objects by key. `on_read` runs after each read (e.g. an uploader's swap)."""

    def __init__(self, on_read=None):
        self.objects: dict[str, bytes] = {}
        self.on_read = on_read

    def read(self, key, max_bytes):
        data = self.objects.get(key)
        if data is not None and self.on_read:
            self.on_read(key)
        return None if data is None else data[: max_bytes + 1]

    def put(self, key, data, content_type):
        self.objects[key] = bytes(data)

    def delete(self, key):
        self.objects.pop(key, None)
