"""Residents' contact details, and the case's title and description as written (phone and ID numbers unmasked),
only for the people who must call them back, and logged (PIPL)."""
from __future__ import annotations

from datetime import datetime

from chalicelib.domain import access
from chalicelib.domain.times import iso
from chalicelib.domain.errors import Forbidden, NotFound
from chalicelib.domain.roles import Principal


def contacts(uow, access_log, p: Principal, case_id: str, purpose: str, now: datetime) -> dict:
    with uow:
        case = uow.cases.get(case_id)
    if case is None or not access.can_see(p, case):
        raise NotFound(f"no case {case_id} that you can see")
    if not access.may_see_contacts(p, case):
        raise Forbidden("only the holding center, the assigned departments and the grid's member see contacts")
    access_log.record(case_id=case.id, user_id=p.user_id, role=p.role, at=iso(now), purpose=purpose)
    return {"case_id": case.id, "number": case.number, "title": case.title, "description": case.description,
            "residents": [{"name": r["name"], "phone": r.get("phone")} for r in case.residents],
            "logged": True}
