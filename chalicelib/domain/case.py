"""The case aggregate: one problem on its way through the closed loop.

Every action is a method that checks its row of the action table (chalicelib/domain/actions.py), changes the
case, bumps its version and records exactly one timeline entry. Nothing here knows about storage or HTTP.
"""
from __future__ import annotations

from dataclasses import dataclass, field, asdict
from datetime import datetime

from chalicelib.domain.actions import ACTIONS, allowed_actions, leads_to
from chalicelib.domain.assignments import Assignment
from chalicelib.domain.evaluations import Appeal, Evaluation
from chalicelib.domain.errors import AppealRefused, Forbidden, Invalid, InvalidTransition
from chalicelib.domain.roles import GRIDLOOP, Actor
from chalicelib.domain.times import instant, iso, iso_or_none, parse_iso, parse_or_none
from chalicelib.domain.vocabulary import HANDLING_STATUSES, TERMINAL_STATUSES, Attention, Share, Status, Verdict

# The moments inside the case's extension request, decided extensions, resolution and return (the rest are plain
# text).
RECORD_MOMENTS = ("requested_due", "requested_at", "decided_at", "resolved_at", "returned_at")


@dataclass
class TimelineEntry:
    """One entry of a case's timeline: who did what, when, in sequence."""
    seq: int
    at: datetime
    actor: dict
    action: str
    from_status: str | None
    to_status: str
    note: str = ""
    data: dict = field(default_factory=dict)    # as written out: its moments are ISO text

    def to_dict(self) -> dict:
        """The stored and shown form (keys in field order)."""
        return {**vars(self), "at": iso(self.at)}


def written_record(record: dict | None) -> dict | None:
    """A record of the case with its moments as ISO text."""
    if record is None:
        return None
    return {k: iso(v) if isinstance(v, datetime) else v for k, v in record.items()}


def _read(record: dict | None) -> dict | None:
    if record is None:
        return None
    return {k: parse_iso(v) if k in RECORD_MOMENTS and isinstance(v, str) else v for k, v in record.items()}


@dataclass
class Case:
    """The case aggregate: its status, assignments, deadlines, evaluation and what changed in this command."""
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
    created_at: datetime
    center: str                 # the node whose center currently holds the case
    level: str                  # that center's level: village | township | county | prefecture
    status: str = Status.REPORTED
    sensitive: bool = False
    residents: list = field(default_factory=list)
    photos: list = field(default_factory=list)
    public_summary: str = ""
    path_centers: list = field(default_factory=list)   # every center the case has been at
    assignments: list[Assignment] = field(default_factory=list)
    deadlines: dict[str, datetime] = field(default_factory=dict)    # "<stage>_due" -> when
    deadline_version: int = 0
    dispatch_no: int = 0
    extension: dict | None = None
    extensions: list = field(default_factory=list)
    resolution: dict | None = None
    evaluations: list[Evaluation] = field(default_factory=list)
    reopen_count: int = 0
    merged_into: str | None = None
    merged_cases: list = field(default_factory=list)
    reason: str = ""
    closed_as: str | None = None  # evaluated | not_evaluated
    stage_starts: dict[str, datetime] = field(default_factory=dict)  # stage -> when its clock started (75% warning)
    overdue: bool = False                               # a deadline of the current stage was breached
    deadline_notices: list = field(default_factory=list)  # keys of timer notices already acted on (once each)
    updated_at: datetime | None = None
    observed_at: datetime | None = None   # when the reporter saw it (their device's clock); deadlines run from created_at
    returned: dict | None = None   # the lead department's hand-back waiting for a new dispatch: department, reason, when
    version: int = 0
    # the version of its last change other than a photo joining it (None: stored before this was kept)
    acted_version: int | None = None
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
            flags.add(Attention.OVERDUE)
        if self.extension is not None and self.status == Status.IN_PROGRESS:
            flags.add(Attention.EXTENSION)
        if self.status == Status.ACCEPTED and any(a.ended == "returned" for a in self.assignments) \
                and not self.active_assignments():
            flags.add(Attention.RETURNED)
        for evaluation in self.evaluations:
            if evaluation.appeal is not None and evaluation.appeal.status == "pending":
                flags.add(Attention.APPEAL)
            elif evaluation.appeal is None and evaluation.bad:
                flags.add(Attention.BAD_REVIEW)
        return flags

    @property
    def next_due(self) -> datetime | None:
        """The earliest deadline of the stage the case is in."""
        return min(self.deadlines.values(), default=None)

    def active_assignments(self) -> list[Assignment]:
        return [a for a in self.assignments if a.active]

    def lead_department(self) -> str | None:
        return next((a.department for a in self.active_assignments() if a.role == Share.LEAD), None)

    def changed_since(self, seen_version: int) -> bool:
        """True when the case changed after the caller read `seen_version` (an If-Match), a photo joining it
        excepted: a department uploads its after-photos and then resolves, and the worker attaching them in
        between must not make its own resolve a conflict."""
        floor = self.version if self.acted_version is None else self.acted_version
        return not floor <= seen_version <= self.version

    def departments_ever(self) -> set[str]:
        return {a.department for a in self.assignments}

    def to_dict(self) -> dict:
        """The stored form (the item's document): plain JSON values, keys in field order."""
        data = asdict(self)
        data.pop("new_entries")
        if self.observed_at is None:
            data.pop("observed_at")   # a case without one is stored as before the field existed
        else:
            data["observed_at"] = iso(self.observed_at)
        if self.returned is None:
            data.pop("returned")      # likewise
        else:
            data["returned"] = written_record(self.returned)
        if self.acted_version is None:
            data.pop("acted_version")   # likewise (a case stored before it was kept, read but not acted on)
        data.update(created_at=iso(self.created_at), updated_at=iso(self.updated_at) if self.updated_at else "",
                    deadlines={k: iso(v) for k, v in self.deadlines.items()},
                    stage_starts={k: iso(v) for k, v in self.stage_starts.items()},
                    extension=written_record(self.extension), extensions=[written_record(e) for e in self.extensions],
                    resolution=written_record(self.resolution),
                    assignments=[a.to_dict() for a in self.assignments],
                    evaluations=[e.to_dict() for e in self.evaluations])
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Case":
        """The case of a freshly read document: its lists become the case's own (not copied), so a caller that
        keeps the document passes a copy of it."""
        data = dict(data)
        data.update(created_at=parse_iso(data["created_at"]), updated_at=parse_or_none(data.get("updated_at")),
                    observed_at=parse_or_none(data.get("observed_at")), returned=_read(data.get("returned")),
                    deadlines={k: parse_iso(v) for k, v in data.get("deadlines", {}).items()},
                    stage_starts={k: parse_iso(v) for k, v in data.get("stage_starts", {}).items()},
                    extension=_read(data.get("extension")), extensions=[_read(e) for e in data.get("extensions", [])],
                    resolution=_read(data.get("resolution")),
                    assignments=[Assignment.from_dict(a) for a in data.get("assignments", [])],
                    evaluations=[Evaluation.from_dict(e) for e in data.get("evaluations", [])])
        return cls(**data)

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

    def resolve_on_spot(self, actor: Actor, now: datetime, note: str, evaluation_due: datetime):
        self._guard("resolve_on_spot")
        self.resolution = {"note": note, "resolved_at": instant(now), "by": asdict(actor), "on_spot": True}
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
                 report_in_due: datetime, resolve_due: datetime, note: str = "", redispatch: bool = False):
        """The center's "whistle": a lead department and co-handlers, with deadlines."""
        action = "redispatch" if redispatch else "dispatch"
        self._guard(action)
        if lead in co_handlers:
            raise Invalid("the lead department cannot also be a co-handler", field="co_handlers")
        if len(set(co_handlers)) != len(co_handlers):
            raise Invalid("a co-handler is listed twice", field="co_handlers")
        before = self.status
        self.returned = None
        self._end_assignments("redispatched")
        self.dispatch_no += 1
        for department, role in [(lead, Share.LEAD)] + [(c, Share.CO) for c in co_handlers]:
            self.assignments.append(Assignment(department, role.value, self.dispatch_no, instant(now), report_in_due))
        self.extension = None
        self.overdue = False
        self.deadline_version += 1
        self.deadlines = {"report_in_due": report_in_due, "resolve_due": resolve_due}
        self.stage_starts = {"report_in": instant(now), "resolve": instant(now)}
        self._record(actor, now, action, before, leads_to(action, before), note,
                     {"lead": lead, "co_handlers": co_handlers, "report_in_due": iso(report_in_due),
                      "resolve_due": iso(resolve_due), "dispatch_no": self.dispatch_no})

    def acknowledge(self, actor: Actor, now: datetime, department: str, note: str = ""):
        """A department reports in. The lead's report-in moves the case to in_progress."""
        self._guard("acknowledge", department=department)
        assignment = self._active_assignment(department)
        self.assignments[self.assignments.index(assignment)] = assignment.acknowledged(instant(now))
        on_time = instant(now) <= assignment.report_in_due
        before = self.status
        after = leads_to("acknowledge", before) if assignment.role == Share.LEAD else before
        if assignment.role == Share.LEAD:
            self.deadlines.pop("report_in_due", None)  # co-handlers' report-in clocks run on their assignments
        self._record(actor, now, "acknowledge", before, after, note,
                     {"department": department, "role": assignment.role, "on_time": on_time})

    def return_to_center(self, actor: Actor, now: datetime, department: str, reason: str):
        self._guard("return")
        self._require_lead(department)
        self._end_assignments("returned")
        self.returned = {"department": department, "reason": reason, "returned_at": instant(now)}
        self.deadlines = {}
        self.stage_starts = {}
        self.overdue = False
        self.deadline_version += 1
        self._record(actor, now, "return", self.status, leads_to("return", self.status), reason,
                     {"department": department})

    def request_extension(self, actor: Actor, now: datetime, department: str, requested_due: datetime,
                          reason: str):
        self._guard("request_extension")
        self._require_lead(department)
        current_due = self.deadlines.get("resolve_due")
        if current_due is not None and requested_due <= current_due:
            raise Invalid("the requested due time must be later than the current resolve deadline",
                          field="requested_due")
        self.extension = {"requested_due": requested_due, "reason": reason, "requested_at": instant(now),
                          "department": department}
        self._record(actor, now, "request_extension", self.status, leads_to("request_extension", self.status), reason,
                     {"requested_due": iso(requested_due), "current_due": iso_or_none(current_due)})

    def decide_extension(self, actor: Actor, now: datetime, approve: bool, note: str = ""):
        self._guard("decide_extension")
        request, self.extension = self.extension, None
        data = {"approved": approve, "requested_due": iso(request["requested_due"]),
                "previous_due": iso_or_none(self.deadlines.get("resolve_due"))}
        if approve:
            self.deadlines["resolve_due"] = request["requested_due"]
            self.stage_starts["resolve"] = instant(now)
            self.overdue = False
            self.deadline_version += 1
        self.extensions.append({**request, "approved": approve, "decided_at": instant(now)})
        self._record(actor, now, "decide_extension", self.status, leads_to("decide_extension", self.status), note,
                     data)

    def resolve(self, actor: Actor, now: datetime, department: str, note: str, evaluation_due: datetime,
                root_cause_follow_up: str = ""):
        self._guard("resolve")
        self._require_lead(department)
        on_time = instant(now) <= self.deadlines.get("resolve_due", instant(now))
        self.resolution = {"note": note, "root_cause_follow_up": root_cause_follow_up, "resolved_at": instant(now),
                           "by": asdict(actor), "department": department, "on_time": on_time,
                           "dispatch_no": self.dispatch_no}
        self._enter_evaluation(evaluation_due, now)
        self._record(actor, now, "resolve", self.status, leads_to("resolve", self.status), note,
                     {"department": department, "on_time": on_time})

    def evaluate(self, actor: Actor, now: datetime, scores: dict, verdict: str, fixed: bool,
                 on_behalf_of_resident: bool, note: str, resolve_due: datetime | None):
        """The grid's member evaluates; "not fixed" reopens the case and counts as a bad review."""
        self._guard("evaluate")
        if not fixed and verdict != Verdict.BAD:
            raise Invalid("a case that is not fixed can only be evaluated 'bad'", field="verdict")
        self.evaluations.append(Evaluation(scores, verdict, fixed, instant(now), asdict(actor), on_behalf_of_resident,
                                           self.lead_department(), self.dispatch_no))
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
                self.stage_starts = {"resolve": instant(now)}
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
    def _evaluation(self, index: int) -> Evaluation:
        if not 0 <= index < len(self.evaluations):
            raise Invalid(f"case {self.number} has no evaluation {index}", field="evaluation")
        return self.evaluations[index]

    def appeal(self, actor: Actor, now: datetime, index: int, department: str, reason: str):
        """The evaluated department contests a bad review, once."""
        evaluation = self._evaluation(index)
        if not evaluation.bad:
            raise AppealRefused("only a bad review can be appealed")
        if evaluation.department != department:
            raise AppealRefused("only the evaluated department can appeal its review")
        if evaluation.appeal is not None:
            raise AppealRefused("this review has already been appealed; a review is appealed once")
        self.evaluations[index] = evaluation.appealed(Appeal(reason, instant(now), asdict(actor)))
        self._record(actor, now, "appeal", self.status, self.status, reason,
                     {"evaluation": index, "department": department, "evaluated_at": iso(evaluation.at)})

    def decide_appeal(self, actor: Actor, now: datetime, index: int, void: bool, note: str = ""):
        """The county center upholds the review or voids it (a voided review stops counting)."""
        evaluation = self._evaluation(index)
        if evaluation.appeal is None or evaluation.appeal.status != "pending":
            raise AppealRefused("there is no pending appeal of this review")
        self.evaluations[index] = evaluation.appeal_decided(void, instant(now), asdict(actor), note)
        self._record(actor, now, "decide_appeal", self.status, self.status, note,
                     {"evaluation": index, "department": evaluation.department,
                      "decision": "void" if void else "uphold", "evaluated_at": iso(evaluation.at)})

    # -- deadlines ---------------------------------------------------------------------------------
    def note_deadline(self, now: datetime, key: str, kind: str, stage: str, department: str | None, due: datetime,
                      escalate_to: tuple[str, str] | None = None, notice: int = 0) -> bool:
        """A timer's notice (warning or breach) for a stage that is still running. Acts once per key:
        False when this notice was already acted on (a redelivered message)."""
        if key in self.deadline_notices:
            return False
        self.deadline_notices.append(key)
        data = {"stage": stage, "department": department, "due": iso(due), "notice": notice}
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
        if action == "acknowledge" and any(a.department == department and a.acknowledged_at
                                           for a in self.active_assignments()):
            return self._refused(f"department {department} has already reported in")
        if action == "request_extension" and self.extension is not None:
            return self._refused("an extension request is already waiting for the center")
        if action == "decide_extension" and self.extension is None:
            return self._refused("no extension request is waiting")
        due = self.deadlines.get("evaluation_due")
        if action == "close" and due and instant(now) < due:
            return self._refused(f"the grid's member may evaluate until {iso(due)}; only a case still unevaluated "
                                 f"then can be closed as not evaluated", closable_from=iso(due))
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

    def _active_assignment(self, department: str) -> Assignment:
        """A role/place refusal (403), not a state conflict: the department does not hold the case."""
        for a in self.active_assignments():
            if a.department == department:
                return a
        raise Forbidden(f"department {department} is not assigned to this case")

    def _require_lead(self, department: str):
        if self._active_assignment(department).role != Share.LEAD:
            raise Forbidden("only the lead department can do this")

    def _end_assignments(self, why: str):
        self.assignments = [a.ended_as(why) if a.active else a for a in self.assignments]

    def _move_to_center(self, code: str, level: str):
        self.center, self.level = code, level
        if code not in self.path_centers:
            self.path_centers.append(code)

    def _enter_evaluation(self, evaluation_due: datetime, now: datetime):
        self.deadline_version += 1
        self.extension = None
        self.overdue = False
        self.deadlines = {"evaluation_due": evaluation_due}
        self.stage_starts = {"evaluation": instant(now)}

    def _finish_timers(self):
        self.deadlines = {}
        self.stage_starts = {}
        self.overdue = False
        self.deadline_version += 1

    def _record(self, actor: Actor, now: datetime, action: str, before: str | None, after: str, note: str,
                data: dict | None = None):
        self.status = after
        self.version += 1
        if action != "photo_attached":
            self.acted_version = self.version
        self.updated_at = instant(now)
        self.new_entries.append(TimelineEntry(self.version, instant(now), asdict(actor), action, before, after,
                                              note, data or {}))


def open_case(*, case_id: str, number: str, actor: Actor, now: datetime, kind: str, category: str, title: str,
              description: str, grid: str, county: str, village: str, location: dict, channel: str,
              urgency: str, residents: list, sensitive: bool, triage_due: datetime, level: str = "village",
              observed_at: datetime | None = None) -> Case:
    """Intake: a new case lands in the receiving station of its grid's village (`village`), or — for an Open311
    report no grid contains — at the root center (`village` the root's code, `level` its level)."""
    case = Case(id=case_id, number=number, kind=kind, category=category, title=title, description=description,
                grid=grid, county=county, location=location, reporter=asdict(actor), channel=channel,
                urgency=urgency, created_at=instant(now), center=village, level=level, sensitive=sensitive,
                residents=residents, path_centers=[village], deadlines={"triage_due": triage_due},
                stage_starts={"triage": instant(now)}, deadline_version=1,
                observed_at=instant(observed_at) if observed_at else None)
    case._record(actor, now, "report", None, Status.REPORTED, "", {"channel": channel, "kind": kind, "category": category})
    return case
