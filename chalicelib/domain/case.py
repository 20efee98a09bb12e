"""The case aggregate: one problem on its way through the closed loop.

Every action is a method that checks its row of the action table (chalicelib/domain/actions.py), changes the
case, bumps its version and records exactly one timeline entry. Nothing here knows about storage or HTTP.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field, asdict
from datetime import datetime

from chalicelib.domain.actions import ACTIONS, allowed_actions, leads_to
from chalicelib.domain.errors import AppealRefused, Forbidden, Invalid, InvalidTransition
from chalicelib.domain.roles import GRIDLOOP, Actor
from chalicelib.domain.times import iso, parse_iso  # noqa: F401  (parse_iso: used by importers until times are typed)
from chalicelib.domain.vocabulary import HANDLING_STATUSES, TERMINAL_STATUSES, Share, Status, Verdict

@dataclass
class TimelineEntry:
    seq: int
    at: str
    actor: dict
    action: str
    from_status: str | None
    to_status: str
    note: str = ""
    data: dict = field(default_factory=dict)


@dataclass
class Assignment:
    department: str
    role: str                  # lead | co
    dispatch_no: int
    dispatched_at: str
    report_in_due: str
    active: bool = True
    acknowledged_at: str | None = None
    ended: str | None = None   # why it stopped being active: returned | redispatched


@dataclass
class Case:
    id: str
    number: str
    kind: str
    category: str
    title: str
    description: str
    grid: str
    county: str
    location: dict
    reporter: dict
    channel: str
    urgency: str
    created_at: str
    center: str                 # the node whose center currently holds the case
    level: str                  # that center's level: village | township | county | prefecture
    status: str = Status.REPORTED
    sensitive: bool = False
    residents: list = field(default_factory=list)
    photos: list = field(default_factory=list)
    public_summary: str = ""
    path_centers: list = field(default_factory=list)   # every center the case has been at
    assignments: list = field(default_factory=list)
    deadlines: dict = field(default_factory=dict)
    deadline_version: int = 0
    dispatch_no: int = 0
    extension: dict | None = None
    extensions: list = field(default_factory=list)
    resolution: dict | None = None
    evaluations: list = field(default_factory=list)
    reopen_count: int = 0
    merged_into: str | None = None
    merged_cases: list = field(default_factory=list)
    reason: str = ""
    closed_as: str | None = None  # evaluated | not_evaluated
    stage_starts: dict = field(default_factory=dict)    # stage -> when its clock started (for the 75% warning)
    overdue: bool = False                               # a deadline of the current stage was breached
    deadline_notices: list = field(default_factory=list)  # keys of timer notices already acted on (once each)
    updated_at: str = ""
    version: int = 0
    new_entries: list = field(default_factory=list, repr=False, compare=False)

    # -- reading -------------------------------------------------------------------------------
    @property
    def awaiting_center(self) -> bool:
        """True while the holding center must act (its queue shows the case)."""
        if self.status in (Status.REPORTED, Status.ACCEPTED):
            return True
        if self.status in HANDLING_STATUSES and self.overdue:
            return True  # escalated: the center above sees it flagged
        return self.status == Status.IN_PROGRESS and self.extension is not None

    @property
    def attention(self) -> set[str]:
        """What a supervising center looks for: a breached stage (overdue), an extension request waiting for the
        center (extension), a case the lead department handed back that waits to be dispatched again (returned), an
        appeal waiting for the county center (appeal); and what a department may still contest: a bad review not
        appealed (bad_review)."""
        flags = set()
        if self.overdue and self.status in HANDLING_STATUSES:
            flags.add("overdue")
        if self.extension is not None and self.status == Status.IN_PROGRESS:
            flags.add("extension")
        if self.status == Status.ACCEPTED and any(a.get("ended") == "returned" for a in self.assignments) \
                and not any(a["active"] for a in self.assignments):
            flags.add("returned")
        for evaluation in self.evaluations:
            appeal = evaluation.get("appeal")
            if appeal and appeal["status"] == "pending":
                flags.add("appeal")
            elif not appeal and evaluation["verdict"] == Verdict.BAD:
                flags.add("bad_review")
        return flags

    @property
    def next_due(self) -> str | None:
        """The earliest deadline of the stage the case is in (all are UTC instants in one format)."""
        return min(self.deadlines.values(), default=None)

    def active_assignments(self) -> list[Assignment]:
        return [a for a in self.assignment_objs() if a.active]

    def assignment_objs(self) -> list[Assignment]:
        return [Assignment(**a) for a in self.assignments]

    def lead_department(self) -> str | None:
        return next((a.department for a in self.active_assignments() if a.role == Share.LEAD), None)

    def departments_ever(self) -> set[str]:
        return {a["department"] for a in self.assignments}

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("new_entries")
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Case":
        return cls(**copy.deepcopy(data))

    # -- actions -------------------------------------------------------------------------------
    def accept(self, actor: Actor, now: datetime, *, kind: str, category: str, urgency: str,
               public_summary: str, sensitive: bool, forward_to: tuple[str, str] | None):
        """Triage: classify, write the public summary and divert to the center that will handle it."""
        self._guard("accept")
        before = self.status
        self.kind, self.category, self.urgency = kind, category, urgency
        self.public_summary, self.sensitive = public_summary, sensitive
        self.deadlines.pop("triage_due", None)
        self.stage_starts.pop("triage", None)
        self.overdue = False
        data = {"kind": kind, "category": category, "urgency": urgency, "sensitive": sensitive}
        if forward_to and forward_to[0] != self.center:
            data["forwarded_to"] = forward_to[0]
            self._move_to_center(*forward_to)
        self._record(actor, now, "accept", before, leads_to("accept", before), public_summary, data)

    def reject(self, actor: Actor, now: datetime, reason: str):
        self._guard("reject")
        self.reason = reason
        self._finish_timers()
        self._record(actor, now, "reject", self.status, leads_to("reject", self.status), reason)

    def merge_into(self, actor: Actor, now: datetime, target: "Case", note: str = ""):
        self._guard("merge")
        if target.id == self.id:
            raise Invalid("a case cannot be merged into itself", field="target_case_id")
        if target.status in TERMINAL_STATUSES:
            raise Invalid(f"case {target.number} is {target.status} and takes no merges", field="target_case_id")
        self.merged_into = target.id
        self._finish_timers()
        self._record(actor, now, "merge", self.status, leads_to("merge", self.status), note,
                     {"target_case_id": target.id, "target_number": target.number})
        target.merged_cases.append(self.id)
        target._record(actor, now, "merged_in", target.status, target.status, note,
                       {"source_case_id": self.id, "source_number": self.number})

    def resolve_on_spot(self, actor: Actor, now: datetime, note: str, evaluation_due: str):
        self._guard("resolve_on_spot")
        self.resolution = {"note": note, "resolved_at": iso(now), "by": asdict(actor), "on_spot": True}
        self._enter_evaluation(evaluation_due, now)
        self._record(actor, now, "resolve_on_spot", self.status, leads_to("resolve_on_spot", self.status), note)

    def escalate(self, actor: Actor, now: datetime, next_center: tuple[str, str], reason: str):
        """By hand: the holding center passes what its level cannot solve to the next center."""
        self._guard("escalate")
        before_center = self.center
        self._move_to_center(*next_center)
        self._record(actor, now, "escalate", self.status, leads_to("escalate", self.status), reason,
                     {"from_center": before_center, "to_center": self.center, "level": self.level})

    def dispatch(self, actor: Actor, now: datetime, lead: str, co_handlers: list[str],
                 report_in_due: str, resolve_due: str, note: str = "", redispatch: bool = False):
        """The center's "whistle": a lead department and co-handlers, with deadlines."""
        action = "redispatch" if redispatch else "dispatch"
        self._guard(action)
        if lead in co_handlers:
            raise Invalid("the lead department cannot also be a co-handler", field="co_handlers")
        if len(set(co_handlers)) != len(co_handlers):
            raise Invalid("a co-handler is listed twice", field="co_handlers")
        before = self.status
        for a in self.assignments:
            if a["active"]:
                a["active"], a["ended"] = False, "redispatched"
        self.dispatch_no += 1
        for department, role in [(lead, "lead")] + [(c, "co") for c in co_handlers]:
            self.assignments.append(asdict(Assignment(department, role, self.dispatch_no, iso(now), report_in_due)))
        self.extension = None
        self.overdue = False
        self.deadline_version += 1
        self.deadlines = {"report_in_due": report_in_due, "resolve_due": resolve_due}
        self.stage_starts = {"report_in": iso(now), "resolve": iso(now)}
        self._record(actor, now, action, before, leads_to(action, before), note,
                     {"lead": lead, "co_handlers": co_handlers, "report_in_due": report_in_due,
                      "resolve_due": resolve_due, "dispatch_no": self.dispatch_no})

    def acknowledge(self, actor: Actor, now: datetime, department: str, note: str = ""):
        """A department reports in. The lead's report-in moves the case to in_progress."""
        self._guard("acknowledge", department=department)
        assignment = self._active_assignment(department)
        assignment["acknowledged_at"] = iso(now)
        on_time = iso(now) <= assignment["report_in_due"]
        before = self.status
        after = leads_to("acknowledge", before) if assignment["role"] == Share.LEAD else before
        if assignment["role"] == Share.LEAD:
            self.deadlines.pop("report_in_due", None)  # co-handlers' report-in clocks run on their assignments
        self._record(actor, now, "acknowledge", before, after, note,
                     {"department": department, "role": assignment["role"], "on_time": on_time})

    def return_to_center(self, actor: Actor, now: datetime, department: str, reason: str):
        self._guard("return")
        self._require_lead(department)
        for a in self.assignments:
            if a["active"]:
                a["active"], a["ended"] = False, "returned"
        self.deadlines = {}
        self.stage_starts = {}
        self.overdue = False
        self.deadline_version += 1
        self._record(actor, now, "return", self.status, leads_to("return", self.status), reason,
                     {"department": department})

    def request_extension(self, actor: Actor, now: datetime, department: str, requested_due: str, reason: str):
        self._guard("request_extension")
        self._require_lead(department)
        if requested_due <= self.deadlines.get("resolve_due", ""):
            raise Invalid("the requested due time must be later than the current resolve deadline",
                          field="requested_due")
        self.extension = {"requested_due": requested_due, "reason": reason, "requested_at": iso(now),
                          "department": department}
        self._record(actor, now, "request_extension", self.status, leads_to("request_extension", self.status), reason,
                     {"requested_due": requested_due, "current_due": self.deadlines.get("resolve_due")})

    def decide_extension(self, actor: Actor, now: datetime, approve: bool, note: str = ""):
        self._guard("decide_extension")
        request, self.extension = self.extension, None
        data = {"approved": approve, "requested_due": request["requested_due"],
                "previous_due": self.deadlines.get("resolve_due")}
        if approve:
            self.deadlines["resolve_due"] = request["requested_due"]
            self.stage_starts["resolve"] = iso(now)
            self.overdue = False
            self.deadline_version += 1
        self.extensions.append({**request, "approved": approve, "decided_at": iso(now)})
        self._record(actor, now, "decide_extension", self.status, leads_to("decide_extension", self.status), note,
                     data)

    def resolve(self, actor: Actor, now: datetime, department: str, note: str, evaluation_due: str,
                root_cause_follow_up: str = ""):
        self._guard("resolve")
        self._require_lead(department)
        on_time = iso(now) <= self.deadlines.get("resolve_due", iso(now))
        self.resolution = {"note": note, "root_cause_follow_up": root_cause_follow_up, "resolved_at": iso(now),
                           "by": asdict(actor), "department": department, "on_time": on_time,
                           "dispatch_no": self.dispatch_no}
        self._enter_evaluation(evaluation_due, now)
        self._record(actor, now, "resolve", self.status, leads_to("resolve", self.status), note,
                     {"department": department, "on_time": on_time})

    def evaluate(self, actor: Actor, now: datetime, scores: dict, verdict: str, fixed: bool,
                 on_behalf_of_resident: bool, note: str, resolve_due: str | None):
        """The grid's member evaluates; "not fixed" reopens the case and counts as a bad review."""
        self._guard("evaluate")
        if not fixed and verdict != Verdict.BAD:
            raise Invalid("a case that is not fixed can only be evaluated 'bad'", field="verdict")
        evaluation = {"scores": scores, "verdict": verdict, "fixed": fixed, "at": iso(now),
                      "by": asdict(actor), "on_behalf_of_resident": on_behalf_of_resident,
                      "department": self.lead_department(), "dispatch_no": self.dispatch_no}
        self.evaluations.append(evaluation)
        self.deadlines.pop("evaluation_due", None)
        before = self.status
        if fixed:
            self.closed_as = "evaluated"
            after = Status.CLOSED
        else:
            self.reopen_count += 1
            self.resolution = None
            self.deadline_version += 1
            if resolve_due:
                self.deadlines["resolve_due"] = resolve_due
                self.stage_starts = {"resolve": iso(now)}
            after = Status.IN_PROGRESS
        self._record(actor, now, "evaluate", before, after, note,
                     {"verdict": verdict, "fixed": fixed, "scores": scores,
                      "on_behalf_of_resident": on_behalf_of_resident})

    def close(self, actor: Actor, now: datetime, note: str = ""):
        """Close a resolved case nobody evaluated by its evaluation deadline: it counts as "not evaluated"."""
        self._guard("close", now)
        self.closed_as = "not_evaluated"
        self._finish_timers()
        self._record(actor, now, "close", self.status, leads_to("close", self.status), note, {"closed_as": "not_evaluated"})

    def supervise(self, actor: Actor, now: datetime, note: str):
        """A supervision notice (督办) from a center above the holder to the lead department: the case stays put."""
        self._guard("supervise")
        self._record(actor, now, "supervise", self.status, leads_to("supervise", self.status), note,
                     {"department": self.lead_department(), "center": self.center})

    # -- appeals of bad reviews ------------------------------------------------------------------
    def _evaluation(self, index: int) -> dict:
        if not 0 <= index < len(self.evaluations):
            raise Invalid(f"case {self.number} has no evaluation {index}", field="evaluation")
        return self.evaluations[index]

    def appeal(self, actor: Actor, now: datetime, index: int, department: str, reason: str):
        """The evaluated department contests a bad review, once."""
        evaluation = self._evaluation(index)
        if evaluation["verdict"] != "bad":
            raise AppealRefused("only a bad review can be appealed")
        if evaluation["department"] != department:
            raise AppealRefused("only the evaluated department can appeal its review")
        if evaluation.get("appeal"):
            raise AppealRefused("this review has already been appealed; a review is appealed once")
        evaluation["appeal"] = {"reason": reason, "at": iso(now), "by": asdict(actor), "status": "pending"}
        self._record(actor, now, "appeal", self.status, self.status, reason,
                     {"evaluation": index, "department": department, "evaluated_at": evaluation["at"]})

    def decide_appeal(self, actor: Actor, now: datetime, index: int, void: bool, note: str = ""):
        """The county center upholds the review or voids it (a voided review stops counting)."""
        evaluation = self._evaluation(index)
        appeal = evaluation.get("appeal")
        if not appeal or appeal["status"] != "pending":
            raise AppealRefused("there is no pending appeal of this review")
        appeal.update({"status": "voided" if void else "upheld", "decided_at": iso(now), "decided_by": asdict(actor),
                       "note": note})
        evaluation["voided"] = void
        self._record(actor, now, "decide_appeal", self.status, self.status, note,
                     {"evaluation": index, "department": evaluation["department"],
                      "decision": "void" if void else "uphold", "evaluated_at": evaluation["at"]})

    # -- deadlines ---------------------------------------------------------------------------------
    def note_deadline(self, now: datetime, key: str, kind: str, stage: str, department: str | None, due: str,
                      escalate_to: tuple[str, str] | None = None, notice: int = 0) -> bool:
        """A timer's notice (warning or breach) for a stage that is still running. Acts once per key:
        False when this notice was already acted on (a redelivered message)."""
        if key in self.deadline_notices:
            return False
        self.deadline_notices.append(key)
        data = {"stage": stage, "department": department, "due": due, "notice": notice}
        if kind == "breach":
            self.overdue = True
            if escalate_to and escalate_to[0] != self.center:
                data.update({"from_center": self.center, "to_center": escalate_to[0], "level": escalate_to[1]})
                self._move_to_center(*escalate_to)
        self._record(GRIDLOOP, now, f"deadline_{kind}", self.status, self.status, "", data)
        return True

    def auto_close(self, now: datetime, key: str) -> bool:
        """The evaluation silence ran out: close as "not evaluated" (excluded from satisfaction)."""
        if key in self.deadline_notices or self.status != Status.RESOLVED:
            return False
        self.deadline_notices.append(key)
        self.closed_as = "not_evaluated"
        self._finish_timers()
        self._record(GRIDLOOP, now, "auto_close", self.status, Status.CLOSED, "", {"closed_as": "not_evaluated"})
        return True

    def attach_photo(self, now: datetime, photo: dict) -> bool:
        """A validated upload joins the case once: an attached photo never changes, whatever is uploaded again."""
        if any(p["id"] == photo["id"] for p in self.photos):
            return False
        self.photos.append(photo)
        self._record(GRIDLOOP, now, "photo_attached", self.status, self.status, "",
                     {"photo_id": photo["id"], "phase": photo["phase"]})
        return True

    # -- what the state allows -------------------------------------------------------------------
    def conflict(self, action: str, now: datetime | None = None,
                 department: str | None = None) -> InvalidTransition | None:
        """Why the case's state refuses `action` now (None when it allows it): the status first, then the action's
        own state: a department's report-in already made, an extension request already waiting (or none waiting),
        a resolved case's evaluation deadline not yet past."""
        by_status = self._status_refusal(action)
        if by_status:
            return by_status
        if action == "acknowledge" and any(a["active"] and a["department"] == department and a["acknowledged_at"]
                                           for a in self.assignments):
            return self._refused(f"department {department} has already reported in")
        if action == "request_extension" and self.extension is not None:
            return self._refused("an extension request is already waiting for the center")
        if action == "decide_extension" and self.extension is None:
            return self._refused("no extension request is waiting")
        due = self.deadlines.get("evaluation_due")
        if action == "close" and due and iso(now) < due:
            return self._refused(f"the grid's member may evaluate until {due}; only a case still unevaluated then "
                                 f"can be closed as not evaluated", closable_from=due)
        return None

    def check(self, action: str):
        """Raise InvalidTransition (with the allowed actions) when the status does not allow `action`."""
        refused = self._status_refusal(action)
        if refused:
            raise refused

    # -- internals -----------------------------------------------------------------------------
    def _refused(self, message: str, **details) -> InvalidTransition:
        return InvalidTransition(message, status=self.status, allowed_actions=allowed_actions(self.status), **details)

    def _status_refusal(self, action: str) -> InvalidTransition | None:
        if self.status not in ACTIONS[action].from_statuses:
            return self._refused(f"cannot {action.replace('_', ' ')} a case that is {self.status}")
        return None

    def _guard(self, action: str, now: datetime | None = None, department: str | None = None):
        """Raise what `conflict` finds; `now` matters to `close` only, `department` to `acknowledge` only."""
        refused = self.conflict(action, now, department)
        if refused:
            raise refused

    def _active_assignment(self, department: str) -> dict:
        """A role/place refusal (403), not a state conflict: the department does not hold the case."""
        for a in self.assignments:
            if a["active"] and a["department"] == department:
                return a
        raise Forbidden(f"department {department} is not assigned to this case")

    def _require_lead(self, department: str):
        if self._active_assignment(department)["role"] != "lead":
            raise Forbidden("only the lead department can do this")

    def _move_to_center(self, code: str, level: str):
        self.center, self.level = code, level
        if code not in self.path_centers:
            self.path_centers.append(code)

    def _enter_evaluation(self, evaluation_due: str, now: datetime):
        self.deadline_version += 1
        self.extension = None
        self.overdue = False
        self.deadlines = {"evaluation_due": evaluation_due}
        self.stage_starts = {"evaluation": iso(now)}

    def _finish_timers(self):
        self.deadlines = {}
        self.stage_starts = {}
        self.overdue = False
        self.deadline_version += 1

    def _record(self, actor: Actor, now: datetime, action: str, before: str | None, after: str, note: str,
                data: dict | None = None):
        self.status = after
        self.version += 1
        self.updated_at = iso(now)
        self.new_entries.append(TimelineEntry(self.version, iso(now), asdict(actor), action, before, after,
                                              note, data or {}))


def open_case(*, case_id: str, number: str, actor: Actor, now: datetime, kind: str, category: str, title: str,
              description: str, grid: str, county: str, village: str, location: dict, channel: str,
              urgency: str, residents: list, sensitive: bool, triage_due: str, level: str = "village") -> Case:
    """Intake: a new case lands in the receiving station of its grid's village (`village`), or — for an Open311
    report no grid contains — at the root center (`village` the root's code, `level` its level)."""
    case = Case(id=case_id, number=number, kind=kind, category=category, title=title, description=description,
                grid=grid, county=county, location=location, reporter=asdict(actor), channel=channel,
                urgency=urgency, created_at=iso(now), center=village, level=level, sensitive=sensitive,
                residents=residents, path_centers=[village], deadlines={"triage_due": triage_due},
                stage_starts={"triage": iso(now)}, deadline_version=1)
    case._record(actor, now, "report", None, Status.REPORTED, "", {"channel": channel, "kind": kind, "category": category})
    return case
