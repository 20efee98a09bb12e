"""What the API shows of a case: summaries for lists, details for one case. Personal data is masked: residents'
phones, and phone and ID numbers written into free text (titles, descriptions, notes); the unmasked text is read
only through the logged contacts route."""
from datetime import datetime

from chalicelib.domain import access
from chalicelib.domain.case import Case, written_record
from chalicelib.domain.jurisdiction import within
from chalicelib.domain.privacy import mask_phone, mask_text
from chalicelib.domain.roles import Principal
from chalicelib.domain.times import iso
from chalicelib.services.timers import warnings

NOTE_KEYS = ("note", "notes", "reason", "root_cause_follow_up")   # free text in resolutions, appeals, visits


def case_summary(case: Case, config) -> dict:
    return {"id": case.id, "number": case.number, "kind": case.kind, "category": case.category,
            "title": mask_text(case.title), "status": case.status, "urgency": case.urgency, "grid": case.grid,
            "center": case.center, "level": case.level, "lead_department": case.lead_department(),
            "sensitive": case.sensitive, "created_at": iso(case.created_at),
            "updated_at": iso(case.updated_at) if case.updated_at else "",
            "deadlines": {stage: iso(due) for stage, due in case.deadlines.items()},
            "warnings": warnings(case, config), "version": case.version,
            "attention": sorted(case.attention), "extension": masked_notes(written_record(case.extension)),
            "returned": masked_notes(written_record(case.returned))}


def hint(found: dict) -> dict:
    """A possible duplicate as listed (from an index entry)."""
    return {**found, "title": mask_text(found["title"])}


def masked_notes(value):
    """A copy of a nested record with the free text of NOTE_KEYS masked."""
    if isinstance(value, dict):
        return {k: mask_text(v) if k in NOTE_KEYS and isinstance(v, str) else masked_notes(v) for k, v in value.items()}
    if isinstance(value, list):
        return [masked_notes(v) for v in value]
    return value


def case_detail(case: Case, p: Principal, config, now: datetime) -> dict:
    detail, written = case_summary(case, config), case.to_dict()    # written: the case's records with ISO moments
    detail.update({
        "description": mask_text(case.description), "public_summary": mask_text(case.public_summary),
        "location": case.location, "county": case.county, "channel": case.channel, "reporter": case.reporter,
        "residents": [{"name": r["name"], "phone": mask_phone(r.get("phone"))} for r in case.residents],
        "photos": case.photos, "path_centers": case.path_centers, "assignments": written["assignments"],
        "deadline_version": case.deadline_version, "extension": masked_notes(written["extension"]),
        "extensions": masked_notes(written["extensions"]), "resolution": masked_notes(written["resolution"]),
        "evaluations": masked_notes(written["evaluations"]), "reopen_count": case.reopen_count,
        "merged_into": case.merged_into, "merged_cases": case.merged_cases, "reason": mask_text(case.reason),
        "closed_as": case.closed_as, "observed_at": written.get("observed_at"), "allowed_actions": access.actions_for(p, case, now),
    })
    if "dispatch" in detail["allowed_actions"]:
        detail["suggested_lead"] = suggested_leads(case, config)
    return detail


def timeline_entry(entry: dict) -> dict:
    return masked_notes(entry)


def suggested_leads(case: Case, config) -> list[str]:
    """Departments of the category's routing kind that the holding center may dispatch to."""
    category = config.categories.get(case.category)
    if not category or not category.routing.department_kind:
        return []
    return [d.id for d in config.jurisdiction.departments_of_kind(category.routing.department_kind, case.grid)
            if within(d.node, case.center)]
