"""Which timers a case should have running, and the notices each one sends.

A timer is one Step Functions execution per timed stage: triage, report-in per department, resolve,
evaluation. Its name derives from case, stage, department and the stage's deadline version, so starting it
twice is harmless and a restarted stage gets a new name. The services compare the timers a case needed
before a change with those it needs after it: what disappeared is stopped, what appeared is started.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from chalicelib.domain.case import Case
from chalicelib.domain.times import iso
from chalicelib.domain.vocabulary import Share

ESCALATION_NOTICES = 3     # village -> township -> county -> prefecture
TOP_LEVEL_REMINDERS = 2    # further breach notices once the prefecture holds the case
TRAILING_WAIT = timedelta(days=7)   # the worker stops a timer after its last notice well within this


class Timer(NamedTuple):
    """A deadline timer for one stage of one case (a Step Functions execution)."""
    name: str
    case_id: str
    stage: str
    department: str | None
    version: int
    start: datetime
    due: datetime

    def as_dict(self) -> dict:
        """As the timer's execution carries it (moments as ISO text)."""
        return {"name": self.name, "case_id": self.case_id, "stage": self.stage, "department": self.department,
                "version": self.version, "start": iso(self.start), "due": iso(self.due)}


def _timer(case: Case, stage: str, version: int, start: datetime, due: datetime,
           department: str | None = None) -> Timer:
    name = "-".join(filter(None, [case.id, stage.replace("_", ""), department, f"v{version}"]))
    return Timer(name, case.id, stage, department, version, start, due)


def needed(case: Case) -> dict[str, Timer]:
    """The timers the case's current state calls for, by name."""
    timers: list[Timer] = []
    starts, dues = case.stage_starts, case.deadlines
    if case.status == "reported" and "triage_due" in dues:
        timers.append(_timer(case, "triage", case.deadline_version, starts.get("triage", case.created_at),
                             dues["triage_due"]))
    if case.status in ("dispatched", "in_progress"):
        for a in case.active_assignments():
            if not a.acknowledged_at:
                timers.append(_timer(case, "report_in", a.dispatch_no, a.dispatched_at, a.report_in_due, a.department))
        if "resolve_due" in dues:
            timers.append(_timer(case, "resolve", case.deadline_version, starts.get("resolve", case.updated_at),
                                 dues["resolve_due"]))
    if case.status == "resolved" and "evaluation_due" in dues:
        timers.append(_timer(case, "evaluation", case.deadline_version, starts.get("evaluation", case.updated_at),
                             dues["evaluation_due"]))
    return {t.name: t for t in timers}


def _complex(case: Case, config) -> bool:
    return config.categories[case.category].complex if case.category in config.categories else False


def _duration(timer: Timer, case: Case, config):
    return config.deadlines.duration(timer.stage, case.urgency, _complex(case, config))


def warning_at(timer: Timer, case: Case, config) -> datetime:
    """When the timer's warning goes out (75% of the stage, in the deadline's own basis), never after the due time."""
    return min(config.deadlines.warning(timer.stage, case.urgency, timer.start, config.calendar,
                                        _complex(case, config)), timer.due)


def warnings(case: Case, config) -> dict[str, str]:
    """The case's own deadlines ("<stage>_due") with the moment each stage's warning goes out: what a screen colours
    yellow, so that it agrees with the notices the timers send."""
    timers = needed(case).values()
    return {f"{t.stage}_due": iso(warning_at(t, case, config)) for t in timers
            if f"{t.stage}_due" in case.deadlines and t.due == case.deadlines[f"{t.stage}_due"]}


def notices(timer: Timer, case: Case, config) -> list[dict]:
    """The timer's notices in time order: a 75% warning, the breach, then one per grace period."""
    calendar = config.calendar
    duration = _duration(timer, case, config)
    due = timer.due
    warn = warning_at(timer, case, config)
    out = [{"kind": "warning", "at": iso(warn)}] if warn < due else []
    out.append({"kind": "breach", "at": iso(due), "n": 1})
    if timer.stage in ("evaluation",) or (timer.stage == "report_in" and _is_co_handler(case, timer.department)):
        return out  # auto-close, or a co-handler's breach: notified and counted once, never escalated
    moment = due
    for n in range(2, 2 + ESCALATION_NOTICES + TOP_LEVEL_REMINDERS - 1):
        moment = calendar.add(moment, duration)  # a grace period is the stage's own length
        out.append({"kind": "breach", "at": iso(moment), "n": n})
    return out


def _is_co_handler(case: Case, department: str | None) -> bool:
    return any(a.department == department and a.role == Share.CO for a in case.active_assignments())


def execution_input(timer: Timer, case: Case, config) -> dict:
    """What a timer's start effect carries: the timer and its planned notices."""
    return {"timer": timer.as_dict(), "notices": notices(timer, case, config)}


def state_machine_input(plan: dict, queue_url: str) -> dict:
    """The execution's input: the notices as a chain, each link holding what its SendNotice needs and the rest.

    The state machine waits for `notice`, sends it, and moves on to `then` by its OutputPath: 2 state
    transitions per notice sent, and 1 in all for a stage that ends in time (it stops while still waiting). The
    last link's message says `last`: the worker stops the execution while it waits on the trailing link, which
    holds only a moment, TRAILING_WAIT after the last notice (reached, the execution fails: see the ASL).
    """
    notices = plan["notices"]
    chain: dict = {"notice": {"at": iso(datetime.fromisoformat(notices[-1]["at"]) + TRAILING_WAIT)}}
    for i, notice in reversed(list(enumerate(notices))):
        chain = {"last": i == len(notices) - 1, "timer": plan["timer"], "queue_url": queue_url,
                 "notice": notice, "then": chain}
    return chain
