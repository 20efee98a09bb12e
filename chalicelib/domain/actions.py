"""The actions of the closed loop, one row each: the one place an action is defined.

A row names the action, the statuses it applies from, the status it leads to, who may take it (by role and
relation to the case), the body it takes, how it is performed on the case, and what it brings along: the people
it notifies and the statistic it counts. The case aggregate guards its methods with it, the access policy answers
"may this person do this here" from it, the API serves one route per row with the row's body (and so the OpenAPI
document describes it), and each caller's `allowed_actions` is read from it.
"""
from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Callable, Mapping, NamedTuple

from chalicelib.domain import commands
from chalicelib.domain.errors import Invalid, InvalidTransition
from chalicelib.domain.jurisdiction import within
from chalicelib.domain.roles import Actor
from chalicelib.domain.times import instant
from chalicelib.domain.vocabulary import CENTER_LEVELS, HANDLING_STATUSES, Stage, Status

if TYPE_CHECKING:
    from chalicelib.domain.case import Case


class Party(Enum):
    """Who may take an action, by their relation to the case."""
    CENTER = "the center holding the case"
    HIGHER_CENTER = "a center above the one holding the case"
    CENTER_ON_PATH = "a center the case has been at"
    LEAD = "the lead department"
    CO_HANDLER = "a co-handling department"
    REPORTER = "the reporter"
    EVALUATOR = "the member of the case's grid"


class Audience(Enum):
    """Who hears about an action once it is committed (through the outbox and the work queue)."""
    RESIDENTS = "the residents concerned, by SMS"
    LEAD = "the lead department, by its DingTalk robot"


SAME = "same"          # the action leaves the status where it is
DECIDED = "decided"    # the action's outcome decides (an evaluation closes or reopens)


class Metric(NamedTuple):
    """A statistics counter an action moves, with its names in exports."""
    name: str
    zh: str
    en: str


class OtherCase(NamedTuple):
    """A body field naming a second case the action writes to, and who may write to that one."""
    field: str
    party: Party


class Turn(NamedTuple):
    """What an action is performed with: who acts (their department, for a department's action), when, the
    deployment's rules and the cases the write read."""
    actor: Actor
    department: str | None
    now: datetime
    rules: object        # the deployment: .jurisdiction, .categories, .deadlines, .calendar
    cases: Mapping[str, "Case"]

    def due(self, stage: Stage, urgency: str, complex_category: bool = False) -> datetime:
        return instant(self.rules.deadlines.due(stage, urgency, self.now, self.rules.calendar, complex_category))


class Action(NamedTuple):
    """One transition of the case lifecycle: from which statuses, to which, by whom."""
    name: str
    from_statuses: frozenset[Status]
    to_status: Status | str           # a status, SAME or DECIDED
    who: frozenset[Party]
    body: type[commands.Body]
    perform: Callable[["Case", commands.Body, Turn], None]
    notifies: frozenset[Audience] = frozenset()
    counts: Metric | None = None
    other_case: OtherCase | None = None
    names: tuple[str, str] = ("", "")   # zh, en: how a notification names it

    @property
    def path(self) -> str:
        """The last part of the action's route, /cases/{case_id}/<path>."""
        return self.name.replace("_", "-")


# -- how the actions that need the deployment's rules are performed ----------------------------------------------
def holding_level(case: "Case", routed: str) -> str:
    """Where triage diverts a case: the routed level, but never below the center holding it (a center above,
    after an escalation, keeps what it took)."""
    if CENTER_LEVELS.index(routed) < CENTER_LEVELS.index(case.level):
        return case.level
    return routed


def _category(rules, code: str, kind: str):
    category = rules.categories.get(code)
    if category is None:
        raise Invalid(f"'{code}' is not a category of this deployment", field="category")
    if category.kind != kind:
        raise Invalid(f"category '{code}' is a {category.kind}, not a {kind}", field="kind")
    return category


def _accept(case: "Case", body: commands.Accept, t: Turn) -> None:
    category = _category(t.rules, body.category, body.kind)
    level = holding_level(case, body.forward_to_level or category.routing.level)
    target = t.rules.jurisdiction.ancestor_at(case.grid, level)
    sensitive = category.sensitive if body.sensitive is None else body.sensitive
    case.accept(t.actor, t.now, kind=body.kind, category=body.category, urgency=body.urgency,
                public_summary=body.public_summary, sensitive=sensitive, forward_to=(target.code, target.level))


def _escalate(case: "Case", body: commands.Reason, t: Turn) -> None:
    above = t.rules.jurisdiction.center_above(case.center)
    if above is None:
        raise InvalidTransition("the case is already at the top center", status=case.status,
                                allowed_actions=["dispatch"])
    case.escalate(t.actor, t.now, (above.code, above.level), body.reason)


def _dispatch(case: "Case", body: commands.Dispatch, t: Turn, redispatch: bool = False) -> None:
    jurisdiction = t.rules.jurisdiction
    for name, department_id in [("lead", body.lead)] + [("co_handlers", c) for c in body.co_handlers]:
        department = jurisdiction.department(department_id)
        if department is None:
            raise Invalid(f"'{department_id}' is not a department of this deployment", field=name)
        if not within(case.grid, department.node) or not within(department.node, case.center):
            raise Invalid(f"department '{department_id}' does not serve this case from center {case.center}",
                          field=name)
    complex_category = t.rules.categories[case.category].complex
    case.dispatch(t.actor, t.now, body.lead, list(body.co_handlers),
                  report_in_due=t.due(Stage.REPORT_IN, case.urgency),
                  resolve_due=t.due(Stage.RESOLVE, case.urgency, complex_category),
                  note=body.note, redispatch=redispatch)


def _evaluate(case: "Case", body: commands.Evaluate, t: Turn) -> None:
    complex_category = t.rules.categories[case.category].complex
    case.evaluate(t.actor, t.now, scores=body.scores.model_dump(), verdict=body.verdict, fixed=body.fixed,
                  on_behalf_of_resident=body.on_behalf_of_resident, note=body.note,
                  resolve_due=t.due(Stage.RESOLVE, case.urgency, complex_category))


def _row(name, from_statuses, to_status, who, body, perform, **more) -> Action:
    return Action(name, frozenset(from_statuses), to_status, frozenset(who), body, perform, **more)


C, RESIDENTS = Party.CENTER, Audience.RESIDENTS
ACTIONS: dict[str, Action] = {row.name: row for row in (
    _row("accept", {Status.REPORTED}, Status.ACCEPTED, {C}, commands.Accept, _accept,
         notifies={RESIDENTS}, counts=Metric("accepted", "受理", "accepted")),
    _row("reject", {Status.REPORTED}, Status.REJECTED, {C}, commands.Reason,
         lambda case, body, t: case.reject(t.actor, t.now, body.reason),
         counts=Metric("rejected", "不予受理", "rejected")),
    _row("merge", {Status.REPORTED}, Status.MERGED, {C}, commands.Merge,
         lambda case, body, t: case.merge_into(t.actor, t.now, t.cases[body.target_case_id], body.note),
         counts=Metric("merged", "合并", "merged"), other_case=OtherCase("target_case_id", Party.CENTER_ON_PATH)),
    _row("resolve_on_spot", {Status.ACCEPTED}, Status.RESOLVED, {C}, commands.Note,
         lambda case, body, t: case.resolve_on_spot(t.actor, t.now, body.note, t.due(Stage.EVALUATION, case.urgency)),
         notifies={RESIDENTS}),
    _row("escalate", {Status.ACCEPTED}, SAME, {C}, commands.Reason, _escalate),
    _row("dispatch", {Status.ACCEPTED}, Status.DISPATCHED, {C}, commands.Dispatch, _dispatch),
    _row("redispatch", HANDLING_STATUSES, Status.DISPATCHED, {C}, commands.Dispatch,
         lambda case, body, t: _dispatch(case, body, t, redispatch=True)),
    _row("acknowledge", HANDLING_STATUSES, Status.IN_PROGRESS, {Party.LEAD, Party.CO_HANDLER}, commands.OptionalNote,
         lambda case, body, t: case.acknowledge(t.actor, t.now, t.department, body.note)),   # a co-handler's: SAME
    _row("return", {Status.DISPATCHED}, Status.ACCEPTED, {Party.LEAD}, commands.Reason,
         lambda case, body, t: case.return_to_center(t.actor, t.now, t.department, body.reason)),
    _row("request_extension", {Status.IN_PROGRESS}, SAME, {Party.LEAD}, commands.ExtensionRequest,
         lambda case, body, t: case.request_extension(t.actor, t.now, t.department, instant(body.requested_due),
                                                     body.reason)),
    _row("decide_extension", {Status.IN_PROGRESS}, SAME, {C}, commands.ExtensionDecision,
         lambda case, body, t: case.decide_extension(t.actor, t.now, body.approve, body.note)),
    _row("resolve", {Status.IN_PROGRESS}, Status.RESOLVED, {Party.LEAD}, commands.Resolve,
         lambda case, body, t: case.resolve(t.actor, t.now, t.department, body.note,
                                            t.due(Stage.EVALUATION, case.urgency), body.root_cause_follow_up),
         notifies={RESIDENTS}),
    _row("evaluate", {Status.RESOLVED}, DECIDED, {Party.EVALUATOR}, commands.Evaluate, _evaluate,
         notifies={RESIDENTS}),   # closed, or in_progress when not fixed
    _row("close", {Status.RESOLVED}, Status.CLOSED, {C}, commands.OptionalNote,
         lambda case, body, t: case.close(t.actor, t.now, body.note), notifies={RESIDENTS}),
    _row("supervise", HANDLING_STATUSES, SAME, {Party.HIGHER_CENTER}, commands.Supervise,
         lambda case, body, t: case.supervise(t.actor, t.now, body.note), notifies={Audience.LEAD},
         counts=Metric("supervised", "督办", "supervised"), names=("督办", "supervision notice")),
)}


def allowed_actions(status: str) -> list[str]:
    """The actions the status allows, whoever asks."""
    return sorted(name for name, row in ACTIONS.items() if status in row.from_statuses)


def leads_to(action: str, before: str) -> str:
    """The status an action leaves the case in when its row fixes it (the status before, for SAME)."""
    to_status = ACTIONS[action].to_status
    if to_status == DECIDED:
        raise ValueError(f"{action}: the outcome decides the status")
    return before if to_status == SAME else to_status
