"""An in-memory unit of work with the same contract as the DynamoDB one (for unit tests)."""
import json

import pygeohash

from dataclasses import replace

from chalicelib.domain import points
from chalicelib.domain.api_keys import ApiKey
from chalicelib.domain.case import Case
from chalicelib.domain.times import iso
from chalicelib.domain.errors import OutOfStock, VersionConflict
from chalicelib.domain.privacy import mask_name
from chalicelib.services.dispatcher import EffectCarrier
from chalicelib.services.unit_of_work import (AbstractCaseRepository, AbstractHouseholdRepository,
                                              AbstractLedgerRepository, AbstractUnitOfWork, AbstractVisitRepository,
                                              DuplicateRequest, IdempotencyRecord, ListQuery, Page,
                                              RankingItems, SequenceTaken)


def read_case(document: dict) -> Case:
    """A case from the store as the real adapter reads one: a document of its own, decoded from stored JSON, so
    nothing the case holds is shared with the store."""
    return Case.from_dict(json.loads(json.dumps(document)))


class Store:
    """What the fake "database" holds, shared by every unit of work made from it."""

    def __init__(self):
        self.cases: dict[str, dict] = {}
        self.timeline: dict[str, list] = {}
        self.idempotency: dict[str, IdempotencyRecord] = {}
        self.counters: dict[str, int] = {}           # named counters: sequences (case numbers), points caps, marks
        self.api_keys: dict[str, ApiKey] = {}
        self.households: dict = {}
        self.counters_by_table: dict = {"stats": {}, "scorecards": {}, "counters": {}}  # counters: other than `value`
        self.visits: dict = {}
        self.ledger: dict[str, dict[int, dict]] = {}  # household id -> seq -> entry
        self.stock: dict[str, int] = {}
        self.orders: dict[str, dict] = {}
        self.carried_out: list = []                 # the effects handed over after each commit
        self.commits = 0


class FakeCaseRepository(AbstractCaseRepository):
    def __init__(self, store: Store):
        super().__init__()
        self.store = store

    def _get(self, case_id):
        data = self.store.cases.get(case_id)
        return read_case(data) if data else None

    def _get_many(self, case_ids):
        return {i: read_case(self.store.cases[i]) for i in case_ids if i in self.store.cases}

    def list(self, query: ListQuery, counties):
        cases = [read_case(d) for d in self.store.cases.values()]
        if query.grid:
            cases = [c for c in cases if c.grid == query.grid]
        if query.grids:
            cases = [c for c in cases if c.grid in query.grids]
        if query.reporter:
            cases = [c for c in cases if c.reporter["user_id"] == query.reporter]
        if query.status:
            cases = [c for c in cases if c.status == query.status]
        if query.due_before:
            cases = [c for c in cases if c.next_due is not None and iso(c.next_due) <= query.due_before]  # as stored
        if query.attention:
            cases = [c for c in cases if query.attention in c.attention]
        return Page(sorted(cases, key=lambda c: c.id, reverse=True)[: query.limit], None)

    def public_window(self, counties, first_id, end_id, categories, limit, read_limit):
        found = []
        for county in counties:   # like the adapter: the newest `read_limit` of each partition, then the filter
            window = sorted((d for d in self.store.cases.values() if d["county"] == county
                             and first_id <= d["id"] <= end_id), key=lambda d: d["id"], reverse=True)[:read_limit]
            found += [read_case(d) for d in window
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

    def get_many(self, household_ids):
        return {i: self.store.households[i] for i in household_ids if i in self.store.households}

    def ranking_items(self, grids, months, names=True):
        """The reference the grids' rosters and month items must equal: every household of the grids, masked, and
        the sum of its ledger's awards, penalties and reversals counted in those months."""
        households = [h for h in self.store.households.values() if h.grid in grids]
        earned = {h.id: sum(e["points"] for e in self.store.ledger.get(h.id, {}).values()
                            if e["month"] in months and e["kind"] != "redemption") for h in households}
        return RankingItems({h.id: mask_name(h.head) for h in households} if names else {},
                            {i: n for i, n in earned.items() if self.store.ledger.get(i)})


class FakeLedgerRepository(AbstractLedgerRepository):
    def __init__(self, store: Store):
        super().__init__()
        self.store = store

    def page(self, household_id, limit, cursor, newest_first=False):
        entries = self.store.ledger.get(household_id, {})
        order = sorted(entries, reverse=newest_first)
        start = int(cursor) if cursor else 0
        more = start + limit < len(order)
        return Page([entries[seq] for seq in order[start:start + limit]], str(start + limit) if more else None)


class FakeVisitRepository(AbstractVisitRepository):
    def __init__(self, store: Store):
        self.store = store

    def between(self, grid, first_id, end_id, limit, cursor):
        found = sorted((v for v in self.store.visits.values() if v.grid == grid and first_id <= v.id < end_id),
                       key=lambda v: v.id)
        return Page([v.to_dict() for v in found][:limit], None)


class FakeCarrier(EffectCarrier):
    """Effects handed over after a commit, kept in order in the store (`carried_out`)."""

    def __init__(self, store: Store):
        self.store = store

    def start_timer(self, effect):
        self.store.carried_out.append(effect)

    stop_timer = notify = start_timer

    def mark_done(self, tried, done):
        pass


class FakeUnitOfWork(AbstractUnitOfWork):
    def __init__(self, store: Store | None = None, fail_commit_with: Exception | None = None):
        self.store = store or Store()
        self.fail_commit_with = fail_commit_with
        self.carrier = FakeCarrier(self.store)

    def __enter__(self):
        self.cases = FakeCaseRepository(self.store)
        self.households = FakeHouseholdRepository(self.store)
        self.visits = FakeVisitRepository(self.store)
        self.ledger = FakeLedgerRepository(self.store)
        return super().__enter__()

    def _load(self, case_ids, idempotency_key):
        cases = {i: read_case(self.store.cases[i]) for i in case_ids if i in self.store.cases}
        preload = self.preloading
        self.sequences.update({name: self.store.counters.get(name, 0) for name in preload.sequences})
        self.counters.update({name: self.store.counters.get(name) for name in preload.counter_names})
        for name in preload.counter_names:   # a grid's roster counts its households
            if name.startswith(points.roster_key("")):
                self.counters[name] = sum(1 for h in self.store.households.values()
                                          if points.roster_key(h.grid) == name) or None
        for i in preload.household_ids:   # a copy, as a read would give: the decision changes it
            household = self.store.households.get(i)
            self.households.loaded(i, replace(household) if household else None)
        self.api_keys.update({i: self.store.api_keys.get(i) for i in preload.api_key_ids})
        self.ledger_entries.update({(h, seq): self.store.ledger.get(h, {}).get(seq) for h, seq in preload.ledger_entries})
        self.stock.update({key: self.store.stock.get(key) for key in preload.stock_keys})
        return cases, self.store.idempotency.get(idempotency_key) if idempotency_key else None

    def read_counters(self, table, keys):
        if table == "counters":
            return {k: {"value": self.store.counters[k]} for k in keys if k in self.store.counters}
        return {k: dict(self.store.counters_by_table[table][k]) for k in keys
                if k in self.store.counters_by_table[table]}

    def read_stock(self, keys):
        return {k: self.store.stock[k] for k in keys if k in self.store.stock}

    def find_idempotency(self, key):
        return self.store.idempotency.get(key)

    def _commit(self):
        if self.fail_commit_with:
            raise self.fail_commit_with
        store = self.store
        changed = self.changed_cases()
        added = {c.id for c in self.cases.added}
        for case in changed:  # check everything first: all or nothing, like a transaction
            stored = store.cases.get(case.id)
            if case.id in added and stored is not None:
                raise VersionConflict("exists")
            if case.id not in added and (stored is None or stored["version"] != case.version - len(case.new_entries)):
                raise VersionConflict("moved")
        if self.idempotency and self.idempotency.key in store.idempotency:
            raise DuplicateRequest(self.idempotency.key)
        for claim in self.sequence_claims.values():   # like the claim's condition: the value the load read
            if store.counters.get(claim.name, 0) != claim.read:
                raise SequenceTaken(f"{claim.name} is past {claim.read}")
        for household in self.households.changed():
            if store.households[household.id].version != self.households.versions[household.id]:
                raise VersionConflict("the household moved")
        for household in self.households.added:   # like the roster's condition
            if sum(1 for h in store.households.values() if h.grid == household.grid) >= points.MAX_HOUSEHOLDS_PER_GRID:
                raise points.grid_full(household.grid)
        for household_id, entry in self.ledger.added:
            if entry.seq in store.ledger.get(household_id, {}):
                raise VersionConflict("the entry exists")
        if any(name in store.counters for name, _ in self.once_marks):
            raise VersionConflict("marked already")
        for change in self.stock_changes:
            level = store.stock.get(change.key)
            if change.delta < 0 and (level or 0) < -change.delta:
                raise OutOfStock("the item is out of stock")
            if change.delta > 0 and level != change.read:
                raise VersionConflict("the stock moved")
        for case in changed:
            store.cases[case.id] = case.to_dict()
            store.timeline.setdefault(case.id, []).extend(e.to_dict() for e in case.new_entries)
        if self.idempotency:
            store.idempotency[self.idempotency.key] = self.idempotency
        for household in self.households.added + self.households.changed():
            store.households[household.id] = replace(household)
        for household_id, entry in self.ledger.added:
            store.ledger.setdefault(household_id, {})[entry.seq] = entry.to_dict()
        for visit in self.visits_added:
            store.visits[visit.id] = visit
        for claim in self.sequence_claims.values():
            store.counters[claim.name] = claim.claimed
        store.counters.update(dict(self.once_marks))
        for order in self.orders_added:
            store.orders[order["id"]] = order
        for change in self.stock_changes:
            store.stock[change.key] = store.stock.get(change.key, 0) + change.delta
        for key in self.api_keys_added:
            store.api_keys[key.key_id] = key
        for key_id in self.api_keys_revoked:
            store.api_keys[key_id] = store.api_keys[key_id]._replace(revoked=True)
        for inc in self.increments:
            if inc.table == "counters" and inc.attribute == "value":
                store.counters[inc.key] = store.counters.get(inc.key, 0) + inc.delta
                continue
            item = store.counters_by_table[inc.table].setdefault(inc.key, {})
            item[inc.attribute] = item.get(inc.attribute, 0) + inc.delta
        store.commits += 1


class RecordingUnitOfWork(FakeUnitOfWork):
    """Also keeps every committed outbox effect in `log` (to see which timers start and stop)."""

    def __init__(self, store, log):
        super().__init__(store)
        self.log = log

    def _commit(self):
        effects = list(self.effects)
        super()._commit()
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
