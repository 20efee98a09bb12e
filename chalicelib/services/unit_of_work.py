"""The ports the services work through: repositories inside a unit of work.

A write is one command run by the unit of work (`execute`): one read (`load`: the cases, households, counters,
ledger entries, stock and API keys the command decides on, with its idempotency record, in one round trip), the
command's decision, and ONE transaction: new and changed cases (each guarded by its version), their timeline
entries, the departments' inbox links, households (guarded by their version), ledger entries, orders, stock, API
keys, counters, the outbox item of its effects and the request's idempotency record with its answer. `execute` is
the only way to commit, so no write can leave its idempotency record out; it hands the committed effects back
for the dispatcher (chalicelib/services/dispatcher.py) to carry out.
"""
from __future__ import annotations

import abc
import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from chalicelib.domain.api_keys import ApiKey
from chalicelib.domain.case import Case
from chalicelib.domain.errors import Invalid, VersionConflict
from chalicelib.domain.household import Household, Visit
from chalicelib.domain.points import LedgerEntry
from chalicelib.domain.roles import Principal

if TYPE_CHECKING:
    from chalicelib.services.dispatcher import EffectCarrier


class ListQuery(NamedTuple):
    """One page of cases. Exactly one of the key fields (grid, department, queue_center, reporter, node)
    picks the index; status/kind/category narrow it."""
    node: str | None = None
    grid: str | None = None
    department: str | None = None
    queue_center: str | None = None
    reporter: str | None = None
    status: str | None = None
    kind: str | None = None
    category: str | None = None
    due_before: str | None = None    # the current stage's deadline falls before this instant (overdue, nearly due)
    attention: str | None = None     # one of vocabulary.Attention (Case.attention)
    grids: tuple[str, ...] = ()      # a subtree listed grid by grid (set by the service: the node's grids)
    limit: int = 20
    cursor: str | None = None


@dataclass
class Page:
    """One page of a list, the cursor to the next, and how many items the store read."""
    items: list
    cursor: str | None
    scanned: int = 0  # items the store read for this page (bounded by the limit)


SEQUENCE_ATTEMPTS = 5   # writes that lose a sequence number (a case number) to a concurrent one read again; bounded


class DuplicateRequest(Exception):
    """Another request with the same idempotency key committed first."""


class IdempotencyRecord(NamedTuple):
    """The stored answer to a request with an idempotency key, and the hash of that request."""
    key: str
    request_hash: str
    result: dict


class SequenceTaken(VersionConflict):
    """A concurrent write claimed the sequence number this one read (e.g. a case number): read again, retry."""
    code = "sequence_taken"


class SequenceClaim(NamedTuple):
    """The next number of a sequence, taken inside the write's transaction: it commits only if the sequence still
    holds the value the write's one read saw (no number is taken twice, none is skipped)."""
    name: str
    read: int        # the value loaded (0: the sequence has no item yet)
    claimed: int     # the value it becomes


@dataclass
class Preload:
    """The keys a write's one read (`load`) fetches with its idempotency record, in one round trip, and checks
    to run on what was read before anything else happens (e.g. authentication)."""
    case_ids: list[str] = field(default_factory=list)
    sequences: list[str] = field(default_factory=list)
    household_ids: list[str] = field(default_factory=list)
    api_key_ids: list[str] = field(default_factory=list)
    counter_names: list[str] = field(default_factory=list)          # e.g. a points cap; absent: None
    ledger_entries: list[tuple[str, int]] = field(default_factory=list)   # (household id, seq)
    stock_keys: list[str] = field(default_factory=list)
    checks: list[Callable[[], None]] = field(default_factory=list)

    def merge(self, other: "Preload") -> None:
        for name in ("case_ids", "sequences", "household_ids", "api_key_ids", "counter_names", "ledger_entries",
                     "stock_keys"):
            mine = getattr(self, name)
            mine += [k for k in getattr(other, name) if k not in mine]
        self.checks += other.checks


@dataclass(frozen=True)
class Command:
    """One write: its name (with the caller and the key, the idempotency record's key), what a retry must repeat,
    the caller's Idempotency-Key, and what its one read fetches."""
    operation: str
    payload: dict = field(default_factory=dict)
    key: str | None = None
    reads: Preload = field(default_factory=Preload)

    def record_key(self, p: Principal | None) -> str | None:
        return f"{p.user_id}#{self.operation}#{self.key}" if self.key and p else None

    def request_hash(self) -> str:
        return hashlib.sha256(json.dumps(self.payload, sort_keys=True, default=str).encode()).hexdigest()


class IdempotencyKeyReused(Invalid):
    code = "idempotency_key_reused"


class StockChange(NamedTuple):
    """A change of one supermarket item's stock, conditional on what the write's read found."""
    key: str
    delta: int                 # negative: taken (never below zero); positive: added
    read: int | None = None    # for an addition: the level read (None: no item yet)


class AbstractCaseRepository(abc.ABC):
    def __init__(self):
        self.seen: dict[str, Case] = {}
        self.added: list[Case] = []

    def add(self, case: Case) -> None:
        self.added.append(case)
        self.seen[case.id] = case

    def get(self, case_id: str) -> Case | None:
        case = self._get(case_id)
        if case:
            self.seen[case.id] = case
        return case

    def get_many(self, case_ids: list[str]) -> dict[str, Case]:
        """Several cases in one read (e.g. a merge's source and target)."""
        cases = self._get_many(case_ids)
        self.seen.update(cases)
        return cases

    @abc.abstractmethod
    def _get(self, case_id: str) -> Case | None: ...

    @abc.abstractmethod
    def _get_many(self, case_ids: list[str]) -> dict[str, Case]: ...

    @abc.abstractmethod
    def list(self, query: ListQuery, counties: list[str]) -> Page: ...

    @abc.abstractmethod
    def timeline(self, case_id: str, limit: int, cursor: str | None) -> Page: ...

    @abc.abstractmethod
    def public_window(self, counties: list[str], first_id: str, end_id: str, categories: list[str],
                      limit: int, read_limit: int) -> list[Case]:
        """Non-sensitive demands of the given categories created in [first_id, end_id), newest first, at most
        `limit`, found among the newest `read_limit` cases of each county partition (Open311 listing: what one
        anonymous call reads stays bounded)."""

    @abc.abstractmethod
    def possible_duplicates(self, case: Case, since_case_id: str, limit: int) -> list[dict]:
        """Hints (id, number, title, status, category, grid, sensitive) of open cases that may be the same."""


@dataclass
class RankingItems:
    """What the public points ranking reads: masked names and the month's net points."""
    names: dict[str, str] = field(default_factory=dict)   # household id -> masked name (the grids' rosters)
    earned: dict[str, int] = field(default_factory=dict)  # household id -> net points of the month (absent: 0)


class AbstractHouseholdRepository(abc.ABC):
    def __init__(self):
        self.added: list[Household] = []
        self.seen: dict[str, Household | None] = {}   # read by the write's one read (`load`)
        self.versions: dict[str, int] = {}             # household id -> its version as read

    def add(self, household: Household) -> None:
        self.added.append(household)

    def loaded(self, household_id: str, household: Household | None) -> None:
        self.seen[household_id] = household
        if household is not None:
            self.versions[household_id] = household.version

    def changed(self) -> list[Household]:
        """Households read by the write whose version moved: each is written conditional on the version read."""
        return [h for i, h in self.seen.items() if h is not None and h.version != self.versions.get(i)]

    def get(self, household_id: str) -> Household | None:
        """The household, from the write's one read if it fetched it, else read now."""
        if household_id in self.seen:
            return self.seen[household_id]
        return self._get(household_id)

    @abc.abstractmethod
    def list_by_grid(self, grid: str, limit: int, cursor: str | None) -> Page: ...

    @abc.abstractmethod
    def get_many(self, household_ids: list[str]) -> dict[str, Household]:
        """Households by id, in one round trip (BatchGets of 100 keys in parallel)."""

    @abc.abstractmethod
    def ranking_items(self, grids: list[str], months: list[str], names: bool = True) -> RankingItems:
        """The grids' month items of these months, summed per household, and their rosters (unless `names` is
        false), chalicelib.domain.points: one round trip of grids x (months + 1) keys."""

    @abc.abstractmethod
    def _get(self, household_id: str) -> Household | None: ...


class AbstractLedgerRepository(abc.ABC):
    def __init__(self):
        self.added: list[tuple[str, LedgerEntry]] = []    # (household id, entry)

    def append(self, household_id: str, entry: LedgerEntry) -> None:
        self.added.append((household_id, entry))

    @abc.abstractmethod
    def page(self, household_id: str, limit: int, cursor: str | None, newest_first: bool = False) -> Page:
        """Entries by seq, from the first or (newest_first) from the latest."""


class AbstractVisitRepository(abc.ABC):
    @abc.abstractmethod
    def between(self, grid: str, first_id: str, end_id: str, limit: int, cursor: str | None) -> Page:
        """Visits of a grid with first_id <= id < end_id (ids are ULIDs of the visit time), oldest first."""


class AbstractUnitOfWork(abc.ABC):
    carrier: "EffectCarrier"   # where the dispatcher sends the effects this unit of work committed
    cases: AbstractCaseRepository
    households: AbstractHouseholdRepository
    visits: AbstractVisitRepository
    ledger: AbstractLedgerRepository

    def __enter__(self):
        self.idempotency: IdempotencyRecord | None = None   # set by `execute` only, committed with the change
        self.effects: list = []  # outbox items: committed with the change, carried out after it
        self.increments: list = []  # counter increments (statistics, scorecards, named counters)
        self.visits_added: list[Visit] = []
        self.preloading = Preload()  # what the next `load` also fetches (see preload)
        self.sequences: dict[str, int] = {}  # sequence name -> value, as loaded (0 if it has no item yet)
        self.api_keys: dict[str, ApiKey | None] = {}  # key id -> record, as loaded (None: unknown key)
        self.counters: dict[str, int | None] = {}  # named counter -> value, as loaded (None: no item)
        self.ledger_entries: dict[tuple[str, int], dict | None] = {}  # (household id, seq) -> entry, as loaded
        self.stock: dict[str, int | None] = {}  # stock key -> level, as loaded (None: no item)
        self.sequence_claims: dict[str, SequenceClaim] = {}  # committed with the change, conditional on `read`
        self.once_marks: list[tuple[str, int]] = []  # named counters written once (e.g. "this entry is reversed")
        self.orders_added: list[dict] = []
        self.stock_changes: list[StockChange] = []
        self.api_keys_added: list[ApiKey] = []
        self.api_keys_revoked: list[str] = []
        return self

    def __exit__(self, *args):
        self.rollback()

    def add_effects(self, effects: list) -> None:
        self.effects.extend(effects)

    def add_increments(self, increments: list) -> None:
        self.increments.extend(increments)

    def preload(self, preload: Preload) -> None:
        """Have the next `load` also fetch these keys (in its one round trip) and then run these checks."""
        self.preloading.merge(preload)

    def load(self, idempotency_key: str | None = None) -> IdempotencyRecord | None:
        """The write's one read: what was preloaded (cases into `cases.seen`, sequences into `sequences`,
        households into `households.seen`, API keys into `api_keys`, named counters into `counters`, ledger
        entries into `ledger_entries`, stock into `stock`) and its idempotency record, in one round trip. The
        preload's checks run on it before the caller sees the record."""
        cases, record = self._load(list(self.preloading.case_ids), idempotency_key)
        self.cases.seen.update(cases)
        for check in self.preloading.checks:
            check()
        return record

    @abc.abstractmethod
    def _load(self, case_ids: list[str], idempotency_key: str | None) -> tuple[dict, IdempotencyRecord | None]:
        """Cases by id and the idempotency record; in the same read, the other keys of `self.preloading`, stored
        into `self.sequences` (every name, 0 if absent), `self.households` (`loaded`), `self.api_keys`,
        `self.counters`, `self.ledger_entries` and `self.stock` (None if absent)."""

    @abc.abstractmethod
    def find_idempotency(self, key: str) -> IdempotencyRecord | None: ...

    def claim_sequence(self, name: str) -> int:
        """The next number of a preloaded sequence. No round trip: the claim commits with the change, and the
        commit raises SequenceTaken if a concurrent write claimed that number first."""
        if name not in self.sequences:
            raise RuntimeError(f"sequence {name!r} was not preloaded")
        self.sequences[name] += 1
        read = self.sequence_claims[name].read if name in self.sequence_claims else self.sequences[name] - 1
        self.sequence_claims[name] = SequenceClaim(name, read, self.sequences[name])
        return self.sequences[name]

    def mark_once(self, name: str, value: int) -> None:
        """A named counter written once: the commit fails (a conflict) if it exists already."""
        self.once_marks.append((name, value))

    def take_stock(self, key: str, quantity: int) -> None:
        """Take from a stock, never below zero: the commit raises OutOfStock otherwise."""
        self.stock_changes.append(StockChange(key, -quantity))

    def add_stock(self, key: str, quantity: int) -> None:
        """Add to a stock read by `load`: the commit is a conflict if it moved meanwhile."""
        self.stock_changes.append(StockChange(key, quantity, self.stock.get(key)))

    @abc.abstractmethod
    def read_counters(self, table: str, keys: list[str]) -> dict[str, dict[str, int]]:
        """Counter items (statistics, scorecards or named counters) by key, in one round trip."""

    @abc.abstractmethod
    def read_stock(self, keys: list[str]) -> dict[str, int]:
        """Stock levels by key, in one round trip (absent keys are left out)."""

    def has_changes(self) -> bool:
        return bool(self.changed_cases() or self.households.added or self.households.changed() or self.ledger.added
                    or self.visits_added or self.increments or self.effects or self.sequence_claims
                    or self.once_marks or self.orders_added or self.stock_changes or self.api_keys_added
                    or self.api_keys_revoked or self.idempotency)

    def execute(self, p: Principal | None, command: Command, decide: Callable[[], Any]) -> tuple[Any, list]:
        """Run one command: one read, `decide` (which changes what was read and returns the answer), and one
        transaction that also writes the idempotency record holding that answer. A retry with the same key answers
        the first result and changes nothing; a twin request that commits first makes ours fail on the record's
        condition, and we answer its result. A sequence number (a case number) taken by a concurrent write between
        our read and our commit: the command is read and decided again. Returns the answer and the effects the
        transaction committed (for the dispatcher)."""
        record_key, request_hash = command.record_key(p), command.request_hash()

        def replay(record: IdempotencyRecord | None):
            if record is None:
                raise RuntimeError(f"the twin of {record_key} committed but its record is gone")
            if record.request_hash != request_hash:
                raise IdempotencyKeyReused("this Idempotency-Key was used for a different request",
                                           field="Idempotency-Key")
            return record.result

        for attempt in range(SEQUENCE_ATTEMPTS):
            with self:
                self.preload(command.reads)
                existing = self.load(record_key)
                if existing:
                    return replay(existing), []
                result = decide()
                self.idempotency = IdempotencyRecord(record_key, request_hash, result) if record_key else None
                if not self.has_changes():
                    return result, []
                effects = list(self.effects)
                try:
                    self._commit()
                except DuplicateRequest:
                    return replay(self.find_idempotency(record_key)), []
                except SequenceTaken:
                    if attempt == SEQUENCE_ATTEMPTS - 1:
                        raise   # 409: still contended after every attempt; the client retries with its key
                    continue
                return result, effects
        raise AssertionError("unreachable: the last attempt returns or raises")

    @abc.abstractmethod
    def _commit(self) -> None:
        """Write everything given as one transaction, or nothing."""

    def rollback(self) -> None:
        pass

    def changed_cases(self) -> list[Case]:
        return [c for c in self.cases.seen.values() if c.new_entries]
