"""The ports the services work through: a case repository inside a unit of work.

A unit of work commits everything it was given as ONE transaction: new and changed cases (each guarded by
its version), their new timeline entries, the departments' inbox links and the request's idempotency record.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Callable

from chalicelib.domain.case import Case
from chalicelib.domain.errors import VersionConflict


@dataclass(frozen=True)
class ListQuery:
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
    limit: int = 20
    cursor: str | None = None


@dataclass
class Page:
    items: list
    cursor: str | None
    scanned: int = 0  # items the store read for this page (bounded by the limit)


class DuplicateRequest(Exception):
    """Another request with the same idempotency key committed first."""


@dataclass(frozen=True)
class IdempotencyRecord:
    key: str
    request_hash: str
    result: dict


class SequenceTaken(VersionConflict):
    """A concurrent write claimed the sequence number this one read (e.g. a case number): read again, retry."""
    code = "sequence_taken"


@dataclass(frozen=True)
class SequenceClaim:
    """The next number of a sequence, taken inside the write's transaction: it commits only if the sequence still
    holds the value the write's one read saw (no number is taken twice, none is skipped)."""
    name: str
    read: int        # the value loaded (0: the sequence has no item yet)
    claimed: int     # the value it becomes


@dataclass(frozen=True)
class ApiKeyRecord:
    """What the store holds of an API key: its id, the hash of its secret, whether it was revoked."""
    key_id: str
    secret_hash: str
    revoked: bool


@dataclass
class Preload:
    """Keys a write's one read (`load`) fetches besides its cases and idempotency record, in the same round trip
   , and checks to run on what was read before anything else happens (e.g. authentication)."""
    sequences: list[str] = field(default_factory=list)
    household_ids: list[str] = field(default_factory=list)
    api_key_ids: list[str] = field(default_factory=list)
    checks: list[Callable[[], None]] = field(default_factory=list)

    def merge(self, other: "Preload") -> None:
        self.sequences += [k for k in other.sequences if k not in self.sequences]
        self.household_ids += [k for k in other.household_ids if k not in self.household_ids]
        self.api_key_ids += [k for k in other.api_key_ids if k not in self.api_key_ids]
        self.checks += other.checks


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


class AbstractHouseholdRepository(abc.ABC):
    def __init__(self):
        self.added: list = []
        self.seen: dict = {}  # household id -> household, or None: read by the write's one read (`load`)

    def add(self, household) -> None:
        self.added.append(household)

    def get(self, household_id: str):
        """The household, from the write's one read if it fetched it, else read now."""
        if household_id in self.seen:
            return self.seen[household_id]
        return self._get(household_id)

    @abc.abstractmethod
    def list_by_grid(self, grid: str, limit: int, cursor: str | None) -> Page: ...

    @abc.abstractmethod
    def _get(self, household_id: str): ...


class AbstractVisitRepository(abc.ABC):
    @abc.abstractmethod
    def between(self, grid: str, first_id: str, end_id: str, limit: int, cursor: str | None) -> Page:
        """Visits of a grid with first_id <= id < end_id (ids are ULIDs of the visit time), oldest first."""


class AbstractUnitOfWork(abc.ABC):
    cases: AbstractCaseRepository
    households: AbstractHouseholdRepository
    visits: AbstractVisitRepository

    def __enter__(self):
        self.idempotency: IdempotencyRecord | None = None
        self.pending_idempotency: tuple[str, str] | None = None  # (key, request hash) of this request
        self.effects: list = []  # outbox items: committed with the change, carried out after it
        self.increments: list = []  # counter increments (statistics, scorecards), committed with the change
        self.visits_added: list = []
        self.preloading = Preload()  # what the next `load` also fetches (see preload)
        self.sequences: dict[str, int] = {}  # sequence name -> value, as loaded (0 if it has no item yet)
        self.api_keys: dict[str, ApiKeyRecord | None] = {}  # key id -> record, as loaded (None: unknown key)
        self.sequence_claims: dict[str, SequenceClaim] = {}  # committed with the change, conditional on `read`
        return self

    def __exit__(self, *args):
        self.rollback()

    def add_effects(self, effects: list) -> None:
        self.effects.extend(effects)

    def add_increments(self, increments: list) -> None:
        self.increments.extend(increments)

    def record_idempotency(self, record: IdempotencyRecord) -> None:
        """Commit this record with the change (conditional on its key being new)."""
        self.idempotency = record

    def preload(self, preload: Preload) -> None:
        """Have the next `load` also fetch these keys (in its one round trip) and then run these checks."""
        self.preloading.merge(preload)

    def load(self, case_ids: list[str], idempotency_key: str | None) -> IdempotencyRecord | None:
        """The write's one read: the cases it will change, its idempotency record and what was preloaded
        (sequences into `sequences`, households into `households.seen`, API keys into `api_keys`), in one round
        trip. The preload's checks run on it before the caller sees the record."""
        cases, record = self._load(case_ids, idempotency_key)
        self.cases.seen.update(cases)
        for check in self.preloading.checks:
            check()
        return record

    @abc.abstractmethod
    def _load(self, case_ids: list[str], idempotency_key: str | None) -> tuple[dict, IdempotencyRecord | None]:
        """Cases by id and the idempotency record; in the same read, the keys of `self.preloading`, stored into
        `self.sequences` (every name, 0 if absent), `self.households.seen` and `self.api_keys` (None if absent)."""

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

    @abc.abstractmethod
    def read_counters(self, table: str, keys: list[str]) -> dict[str, dict[str, int]]:
        """Counter items (statistics or scorecards) by key, in one round trip."""

    @abc.abstractmethod
    def commit(self) -> None: ...

    def rollback(self) -> None:
        pass

    def changed_cases(self) -> list[Case]:
        return [c for c in self.cases.seen.values() if c.new_entries]
