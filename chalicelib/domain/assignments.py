"""A department's share of one dispatch of a case: lead or co-handler, with its report-in clock."""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from chalicelib.domain.times import iso, iso_or_none, parse_iso, parse_or_none


class Assignment(NamedTuple):
    """A department's part in a case (lead or co-handler) from one dispatch."""
    department: str
    role: str                  # lead | co
    dispatch_no: int
    dispatched_at: datetime
    report_in_due: datetime
    active: bool = True
    acknowledged_at: datetime | None = None
    ended: str | None = None   # why it stopped being active: returned | redispatched

    def ended_as(self, why: str) -> "Assignment":
        return self._replace(active=False, ended=why)

    def acknowledged(self, at: datetime) -> "Assignment":
        return self._replace(acknowledged_at=at)

    def to_dict(self) -> dict:
        """The stored and shown form (keys in this order)."""
        return {"department": self.department, "role": self.role, "dispatch_no": self.dispatch_no,
                "dispatched_at": iso(self.dispatched_at), "report_in_due": iso(self.report_in_due),
                "active": self.active, "acknowledged_at": iso_or_none(self.acknowledged_at), "ended": self.ended}

    @classmethod
    def from_dict(cls, data: dict) -> "Assignment":
        return cls(**{**data, "dispatched_at": parse_iso(data["dispatched_at"]),
                      "report_in_due": parse_iso(data["report_in_due"]),
                      "acknowledged_at": parse_or_none(data.get("acknowledged_at"))})
