"""What a timer's notice means for its case: warn, escalate one level, or auto-close.

A notice acts only if its timer is still one the case needs (a stage that ended in time, was restarted or
re-dispatched makes its old timer's notices stale) and only once (its key is stored with the case, in the same
transaction as the change): every breach escalates exactly once, whatever SQS redelivers.
"""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from chalicelib.domain.times import parse_iso
from chalicelib.domain.vocabulary import Share
from chalicelib.services import changes, timers
from chalicelib.services.handler import Command, handle
from chalicelib.services.unit_of_work import AbstractUnitOfWork, Preload


class Outcome(NamedTuple):
    action: str                 # warned | escalated | breached | auto_closed | stale | duplicate | missing
    stage: str = ""
    level: str = ""             # the level the case is at afterwards


def handle_notice(uow: AbstractUnitOfWork, config, message: dict, now: datetime) -> Outcome:
    timer = message["timer"]
    return handle(uow, None, Command("deadline_notice", reads=Preload(case_ids=[timer["case_id"]])),
                  lambda: _decide(uow, config, message, now))


def _decide(uow: AbstractUnitOfWork, config, message: dict, now: datetime) -> Outcome:
    timer, notice = message["timer"], message["notice"]
    case = uow.cases.seen.get(timer["case_id"])
    if case is None:
        return Outcome("missing")
    before = timers.needed(case)
    if timer["name"] not in before:
        return Outcome("stale", timer["stage"], case.level)
    key = f"{timer['name']}#{notice['kind']}#{notice.get('n', 0)}"
    stage, department = timer["stage"], timer.get("department")
    if notice["kind"] == "breach" and stage == "evaluation":
        changed, action = case.auto_close(now, key), "auto_closed"
    else:
        escalate_to = None
        co_handler = stage == "report_in" and any(
            a.department == department and a.role == Share.CO for a in case.active_assignments())
        if notice["kind"] == "breach" and not co_handler:
            above = config.jurisdiction.center_above(case.center)
            escalate_to = (above.code, above.level) if above else None
        changed = case.note_deadline(now, key, notice["kind"], stage, department, parse_iso(timer["due"]), escalate_to,
                                     notice.get("n", 0))
        action = {"warning": "warned"}.get(notice["kind"], "escalated" if escalate_to else "breached")
    if not changed:
        return Outcome("duplicate", stage, case.level)
    changes.record(uow, case, before, config)
    return Outcome(action, stage, case.level)
