"""The port the points services work through: one read and one conditional transaction per operation."""
from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass, field

from chalicelib.services.unit_of_work import IdempotencyRecord, Page


@dataclass
class PointsRead:
    household: object | None = None          # Household
    entry: dict | None = None                # the entry a reversal names
    reversed: bool = False                   # whether that entry was already reversed
    cap_total: int = 0                       # points recorded this month under the rule
    stock: int | None = None                 # stock of the item a redemption takes
    idempotency: IdempotencyRecord | None = None


@dataclass
class PointsWrite:
    household: object                        # Household, after the change (version already bumped)
    entry: object                            # LedgerEntry
    cap_key: str | None = None               # "cap#<household>#<rule>#<yyyy-mm>"
    earned_key: str | None = None            # "earned#<household>#<yyyy-mm>": net points earned that month
    reversal_key: str | None = None          # "reversed#<household>#<seq>": marks an entry as reversed, once
    stock_key: str | None = None
    quantity: int = 0
    order: dict | None = None
    idempotency: IdempotencyRecord | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class HouseholdsRead:
    households: list = field(default_factory=list)           # Household, grid by grid in the order asked
    counters: dict[str, int] = field(default_factory=dict)   # the counters asked for that exist (absent: 0)


class PointsStore(abc.ABC):
    @abc.abstractmethod
    def read(self, household_id: str, *, entry_seq: int | None = None, cap_key: str | None = None,
             stock_key: str | None = None, idempotency_key: str | None = None) -> PointsRead:
        """Everything an operation decides on, in one round trip."""

    @abc.abstractmethod
    def write(self, change: PointsWrite, previous_version: int) -> None:
        """One transaction: household (version-guarded), ledger entry, counters, stock (never below zero),
        order, idempotency record. Raises VersionConflict, OutOfStock, DuplicateRequest."""

    @abc.abstractmethod
    def ledger(self, household_id: str, limit: int, cursor: str | None) -> Page: ...

    @abc.abstractmethod
    def counters(self, keys: list[str]) -> dict[str, int]: ...

    @abc.abstractmethod
    def stock(self, keys: list[str]) -> dict[str, int]: ...

    @abc.abstractmethod
    def restock(self, key: str, quantity: int) -> int: ...

    @abc.abstractmethod
    def households_in_grids(self, grids: list[str],
                            counter_names: Callable[[str], list[str]] | None = None) -> HouseholdsRead:
        """The households of these grids and, for each, the counters `counter_names(household id)` names.

        Two sequential round trips however many grids: the grids' listings together, then the households and
        their counters together."""
