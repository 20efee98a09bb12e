"""The ports the services work through: a case repository inside a unit of work.

A unit of work commits everything it was given as ONE transaction: new and changed cases (each guarded by
its version), their new timeline entries, the departments' inbox links and the request's idempotency record.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass

from chalicelib.domain.case import Case


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
                      limit: int) -> list[Case]:
        """Non-sensitive demands of the given categories created in [first_id, end_id), newest first, at most
        `limit` (Open311 listing; bounded by its 1,000 cap)."""

    @abc.abstractmethod
    def possible_duplicates(self, case: Case, since_case_id: str, limit: int) -> list[dict]:
        """Hints (id, number, title, status, category, grid, sensitive) of open cases that may be the same."""


class AbstractHouseholdRepository(abc.ABC):
    def __init__(self):
        self.added: list = []

    def add(self, household) -> None:
        self.added.append(household)

    @abc.abstractmethod
    def list_by_grid(self, grid: str, limit: int, cursor: str | None) -> Page: ...

    @abc.abstractmethod
    def get(self, household_id: str): ...


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

    def load(self, case_ids: list[str], idempotency_key: str | None) -> IdempotencyRecord | None:
        """The write's one read: the cases it will change and its idempotency record, in one round trip."""
        cases, record = self._load(case_ids, idempotency_key)
        self.cases.seen.update(cases)
        return record

    @abc.abstractmethod
    def _load(self, case_ids: list[str], idempotency_key: str | None) -> tuple[dict, IdempotencyRecord | None]: ...

    @abc.abstractmethod
    def find_idempotency(self, key: str) -> IdempotencyRecord | None: ...

    @abc.abstractmethod
    def next_sequence(self, name: str) -> int: ...

    @abc.abstractmethod
    def read_counters(self, table: str, keys: list[str]) -> dict[str, dict[str, int]]:
        """Counter items (statistics or scorecards) by key, in one round trip."""

    @abc.abstractmethod
    def commit(self) -> None: ...

    def rollback(self) -> None:
        pass

    def changed_cases(self) -> list[Case]:
        return [c for c in self.cases.seen.values() if c.new_entries]
