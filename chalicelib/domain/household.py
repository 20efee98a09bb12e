"""A household of a grid: the unit that earns and redeems points. Operational data."""
from dataclasses import asdict, dataclass, field
from datetime import datetime

from chalicelib.domain.times import iso


@dataclass
class Household:
    """A household in a grid, its points balance and its personal data (shown masked)."""
    id: str
    grid: str
    head: str              # personal data: shown masked outside the grid's own staff
    phone: str | None      # personal data: always masked in responses
    members: int
    address: str
    created_at: str
    created_by: str
    version: int = 1
    balance: int = 0          # always the sum of the ledger (kept in the same transaction as each entry)
    entries: int = 0          # ledger entries so far: the next entry's seq is entries + 1

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Household":
        return cls(**data)


@dataclass
class Visit:
    """A grid member's visit to a household."""
    id: str                # ULID of the visit time: lists by grid sort by when the visit happened
    grid: str
    household_id: str
    visited_at: datetime
    by: str
    notes: str = ""
    demands_raised: list = field(default_factory=list)
    case_ids: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {**asdict(self), "visited_at": iso(self.visited_at)}
