"""What the API shows of a case: summaries for lists, details for one case; personal data masked."""
from chalicelib.domain import access
from chalicelib.domain.case import Case, allowed_actions
from chalicelib.domain.jurisdiction import within
from chalicelib.domain.privacy import mask_phone
from chalicelib.domain.roles import Principal


def case_summary(case: Case) -> dict:
    return {"id": case.id, "number": case.number, "kind": case.kind, "category": case.category,
            "title": case.title, "status": case.status, "urgency": case.urgency, "grid": case.grid,
            "center": case.center, "level": case.level, "lead_department": case.lead_department(),
            "sensitive": case.sensitive, "created_at": case.created_at, "updated_at": case.updated_at,
            "deadlines": dict(case.deadlines), "version": case.version}


def actions_for(case: Case, p: Principal) -> list[str]:
    return [a for a in allowed_actions(case.status) if access.can_act(p, case, a)]


def case_detail(case: Case, p: Principal, config) -> dict:
    detail = case_summary(case)
    detail.update({
        "description": case.description, "public_summary": case.public_summary, "location": case.location,
        "county": case.county, "channel": case.channel, "reporter": case.reporter,
        "residents": [{"name": r["name"], "phone": mask_phone(r.get("phone"))} for r in case.residents],
        "photos": case.photos, "path_centers": case.path_centers, "assignments": case.assignments,
        "deadline_version": case.deadline_version, "extension": case.extension, "extensions": case.extensions,
        "resolution": case.resolution, "evaluations": case.evaluations, "reopen_count": case.reopen_count,
        "merged_into": case.merged_into, "merged_cases": case.merged_cases, "reason": case.reason,
        "closed_as": case.closed_as, "allowed_actions": actions_for(case, p),
    })
    if "dispatch" in detail["allowed_actions"]:
        detail["suggested_lead"] = suggested_leads(case, config)
    return detail


def suggested_leads(case: Case, config) -> list[str]:
    """Departments of the category's routing kind that the holding center may dispatch to."""
    category = config.categories.get(case.category)
    if not category or not category.routing.department_kind:
        return []
    return [d.id for d in config.jurisdiction.departments_of_kind(category.routing.department_kind, case.grid)
            if within(d.node, case.center)]
