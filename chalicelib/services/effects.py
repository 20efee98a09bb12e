"""Side effects of a change, written to the outbox in the change's own transaction.

After the commit they are carried out (start/stop a timer, queue a notification) and marked done; the relay
retries whatever is left, so a crash between commit and side effect loses nothing. Every effect is safe to
carry out twice: timers have deterministic names and notifications are deduplicated by effect id.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ulid import ULID

from chalicelib.domain.actions import ACTIONS, Audience
from chalicelib.domain.case import Case, TimelineEntry
from chalicelib.services import timers

START_TIMER, STOP_TIMER, NOTIFY = "start_timer", "stop_timer", "notify"


@dataclass
class Effect:
    """Work to do after the commit (a timer, a notification), kept as an outbox item until done."""
    kind: str
    payload: dict
    id: str = field(default_factory=lambda: str(ULID()))


def for_change(case: Case, timers_before: dict[str, timers.Timer], entries: list[TimelineEntry], config) -> list[Effect]:
    """Timer starts/stops that bring the running timers in line with the case, plus its notifications."""
    after = timers.needed(case)
    out = [Effect(STOP_TIMER, {"name": name}) for name in timers_before if name not in after]
    out += [Effect(START_TIMER, {"name": name, "input": timers.execution_input(t, case, config)})
            for name, t in after.items() if name not in timers_before]
    for entry in entries:
        out += [Effect(NOTIFY, message) for message in notifications(case, entry)]
    return out


def notifications(case: Case, entry: TimelineEntry) -> list[dict]:
    """Who hears about a timeline entry. Messages carry the case's number, category and grid (references), never
    its free text or personal data: a reporter's title may hold a phone number."""
    head = {"case_id": case.id, "number": case.number, "category": case.category, "grid": case.grid,
            "event": entry.action}
    data = entry.data
    if entry.action in ("dispatch", "redispatch"):
        departments = [data["lead"]] + list(data.get("co_handlers", []))
        return [{**head, "channel": "dingtalk", "department": d, "role": "lead" if d == data["lead"] else "co",
                 "due": {"report_in": data["report_in_due"], "resolve": data["resolve_due"]}} for d in departments]
    if entry.action == "deadline_warning" and data.get("department"):
        return [{**head, "channel": "dingtalk", "department": data["department"], "stage": data["stage"],
                 "due": data["due"]}]
    if entry.action == "deadline_breach":
        # The supervision notice (督办): to the department in charge and to the center now holding the case.
        department = data.get("department") or case.lead_department()
        out = [{**head, "channel": "alert", "center": case.center, "stage": data["stage"], "due": data["due"],
                "level": case.level}]
        if department:
            out.append({**head, "channel": "dingtalk", "department": department, "stage": data["stage"],
                        "due": data["due"], "supervision": True})
        return out
    audiences = ACTIONS[entry.action].notifies if entry.action in ACTIONS else set()
    out = []
    if Audience.LEAD in audiences and case.lead_department():
        out.append({**head, "channel": "dingtalk", "department": case.lead_department()})
    if Audience.RESIDENTS in audiences or entry.action == "auto_close":
        out += [{**head, "channel": "sms", "resident": i} for i, r in enumerate(case.residents)
                if r.get("phone") and not r.get("sms_opt_out")]
    return out
