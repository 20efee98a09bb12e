"""A department's share of one dispatch of a case: lead or co-handler, with its report-in clock."""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace


@dataclass(frozen=True, slots=True)
class Assignment:
    department: str
    role: str                  # lead | co
    dispatch_no: int
    dispatched_at: str
    report_in_due: str
    active: bool = True
    acknowledged_at: str | None = None
    ended: str | None = None   # why it stopped being active: returned | redispatched

    def ended_as(self, why: str) -> "Assignment":
        return replace(self, active=False, ended=why)

    def acknowledged(self, at: str) -> "Assignment":
        return replace(self, acknowledged_at=at)

    def to_dict(self) -> dict:
        """The stored and shown form (keys in this order)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Assignment":
        return cls(**data)
