"""The grid member's evaluation of one dispatch, and the department's appeal of a bad one."""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from chalicelib.domain.times import iso, parse_iso
from chalicelib.domain.vocabulary import Verdict


class Appeal(NamedTuple):
    """A department's appeal against a bad review, and its outcome."""
    reason: str
    at: datetime
    by: dict
    status: str = "pending"            # pending | upheld | voided
    decided_at: datetime | None = None
    decided_by: dict | None = None
    note: str | None = None

    def decided(self, void: bool, at: datetime, by: dict, note: str) -> "Appeal":
        return self._replace(status="voided" if void else "upheld", decided_at=at, decided_by=by, note=note)

    def to_dict(self) -> dict:
        data = {"reason": self.reason, "at": iso(self.at), "by": dict(self.by), "status": self.status}
        if self.decided_at is not None:    # the decision's keys exist once it is made
            data.update({"decided_at": iso(self.decided_at), "decided_by": dict(self.decided_by), "note": self.note})
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Appeal":
        decided_at = data.get("decided_at")
        return cls(**{**data, "at": parse_iso(data["at"]), "decided_at": parse_iso(decided_at) if decided_at else None})


class Evaluation(NamedTuple):
    """The reporter's review of the handling: scores, verdict, whether it was fixed."""
    scores: dict
    verdict: str
    fixed: bool
    at: datetime
    by: dict
    on_behalf_of_resident: bool
    department: str | None             # the lead department evaluated
    dispatch_no: int
    appeal: Appeal | None = None
    voided: bool | None = None         # set when an appeal is decided: a voided review stops counting

    @property
    def bad(self) -> bool:
        return self.verdict == Verdict.BAD

    def appealed(self, appeal: Appeal) -> "Evaluation":
        return self._replace(appeal=appeal)

    def appeal_decided(self, void: bool, at: datetime, by: dict, note: str) -> "Evaluation":
        return self._replace(appeal=self.appeal.decided(void, at, by, note), voided=void)

    def to_dict(self) -> dict:
        """The stored and shown form: `appeal` and `voided` appear only once they happened."""
        data = {"scores": dict(self.scores), "verdict": self.verdict, "fixed": self.fixed, "at": iso(self.at),
                "by": dict(self.by), "on_behalf_of_resident": self.on_behalf_of_resident,
                "department": self.department, "dispatch_no": self.dispatch_no}
        if self.appeal is not None:
            data["appeal"] = self.appeal.to_dict()
        if self.voided is not None:
            data["voided"] = self.voided
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Evaluation":
        appeal = data.get("appeal")
        return cls(**{**data, "at": parse_iso(data["at"]), "appeal": Appeal.from_dict(appeal) if appeal else None})
