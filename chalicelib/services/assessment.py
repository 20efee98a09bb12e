"""Appeals of bad reviews, scorecards and rankings of departments."""
from __future__ import annotations

from datetime import datetime

from chalicelib.domain import access, aggregates, assessment
from chalicelib.domain.errors import Forbidden, Invalid, NotFound
from chalicelib.domain.jurisdiction import within
from chalicelib.domain.roles import Actor, Principal
from chalicelib.services import changes, timers, views
from chalicelib.services.handler import Command, handle
from chalicelib.domain import commands
from chalicelib.services.unit_of_work import AbstractUnitOfWork, Preload


def _change(uow, config, p, case_id, key, payload, mutate, now):
    def decide():
        case = uow.cases.seen.get(case_id)
        if case is None or not access.can_see(p, case):
            raise NotFound(f"no case {case_id} that you can see")
        before = timers.needed(case)
        mutate(case)
        changes.record(uow, case, before, config)
        return views.case_detail(case, p, config, now)

    return handle(uow, p, Command(payload["operation"], payload, key, Preload(case_ids=[case_id])), decide)


def appeal(uow: AbstractUnitOfWork, config, p: Principal, case_id: str, index: int, body: commands.Appeal,
           now: datetime, idempotency_key: str | None = None) -> dict:
    if not access.may_appeal(p):
        raise Forbidden("only the evaluated department can appeal a review")
    return _change(uow, config, p, case_id, idempotency_key,
                   {"operation": "appeal", "case": case_id, "evaluation": index, **body.model_dump()},
                   lambda case: case.appeal(Actor.of(p), now, index, p.department, body.reason),
                   now)


def decide_appeal(uow: AbstractUnitOfWork, config, p: Principal, case_id: str, index: int,
                  body: commands.AppealDecision, now: datetime, idempotency_key: str | None = None) -> dict:
    def mutate(case):
        if not access.may_decide_appeal(p, case):
            raise Forbidden("the county center decides appeals")
        case.decide_appeal(Actor.of(p), now, index, body.decision == "void", body.note)

    return _change(uow, config, p, case_id, idempotency_key,
                   {"operation": "decide_appeal", "case": case_id, "evaluation": index, **body.model_dump()},
                   mutate, now)


def scorecard(uow: AbstractUnitOfWork, config, p: Principal, department_id: str, year: int) -> dict:
    department = config.jurisdiction.department(department_id)
    if department is None:
        raise Invalid(f"'{department_id}' is not a department of this deployment", field="department")
    if not access.may_read_scorecard(p, department):
        raise Forbidden(f"department {department_id} is outside your jurisdiction")
    counters = uow.read_counters(aggregates.SCORECARDS, [f"{department_id}#{year}"]).get(f"{department_id}#{year}", {})
    card = assessment.scorecard(counters, config.assessment)
    return {"department": department_id, "names": department.names, "node": department.node, "year": year, **card,
            "composite": assessment.composite(card, config.assessment)}


def ranking(uow: AbstractUnitOfWork, config, p: Principal, node: str, level: str, year: int) -> dict:
    """Departments at one level inside `node`, best first by the configured composite. O(departments)."""
    if config.jurisdiction.node(node) is None:
        raise Invalid(f"'{node}' is not a node of this deployment", field="node")
    if not access.may_read_rankings(p, node):
        raise Forbidden(f"{node} is outside your jurisdiction")
    departments = [d for d in config.jurisdiction.departments.values()
                   if within(d.node, node) and config.jurisdiction.node(d.node).level == level]
    counters = uow.read_counters(aggregates.SCORECARDS, [f"{d.id}#{year}" for d in departments])
    rows = []
    for d in departments:
        card = assessment.scorecard(counters.get(f"{d.id}#{year}", {}), config.assessment)
        rows.append({"department": d.id, "names": d.names, "node": d.node, **card,
                     "composite": assessment.composite(card, config.assessment)})
    rows.sort(key=lambda r: (-r["composite"], r["department"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return {"node": node, "level": level, "year": year, "items": rows}
