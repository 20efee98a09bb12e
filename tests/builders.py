"""Build domain cases in any status by calling the aggregate's own actions (no storage)."""
import os
from datetime import datetime, timedelta, timezone

from chalicelib.domain.case import Actor, open_case

T0 = datetime(2026, 3, 17, 3, 0, tzinfo=timezone.utc)  # the article's visit date, 11:00 Beijing time
GRID = "BZ.RQ.TGLK.YKS.G01"
SPOT = {"lat": 40.605, "lon": 87.685}                  # inside GRID (a 0.01-degree tile from 87.68 E, 40.60 N)
VILLAGE = "BZ.RQ.TGLK.YKS"
COUNTY = "BZ.RQ"

REPORTER = Actor("gm-yks-01", "grid_member", "grid member")
STATION = Actor("station-yks", "station")
CENTER = Actor("dispatcher-rq", "dispatcher")
LEAD = Actor("dept-rq-agri", "department")
CO = Actor("dept-rq-water", "department")


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def reported(case_id="01CASE", number="RQ-2026-000001", grid=GRID):
    return open_case(case_id=case_id, number=number, actor=REPORTER, now=T0, kind="demand",
                     category="irrigation", title="72 mu without irrigation", description="channel missing",
                     grid=grid, county=COUNTY, village=VILLAGE, location=dict(SPOT),
                     channel="grid_visit", urgency="normal", residents=[], sensitive=False,
                     triage_due=at(60 * 24))


def accepted(**kw):
    case = reported(**kw)
    case.accept(STATION, at(10), kind="demand", category="irrigation", urgency="normal",
                public_summary="irrigation missing", sensitive=False, forward_to=(COUNTY, "county"))
    return case


def dispatched(co_handlers=("rq-water",), **kw):
    case = accepted(**kw)
    case.dispatch(CENTER, at(20), "rq-agri", list(co_handlers), report_in_due=at(60 * 24),
                  resolve_due=at(60 * 24 * 15))
    return case


def in_progress(**kw):
    case = dispatched(**kw)
    case.acknowledge(LEAD, at(30), "rq-agri")
    return case


def resolved(**kw):
    case = in_progress(**kw)
    case.resolve(LEAD, at(60), "rq-agri", "water restored", evaluation_due=at(60 * 24 * 7))
    return case


def closed(**kw):
    case = resolved(**kw)
    case.evaluate(REPORTER, at(90), scores=SCORES, verdict="good", fixed=True, on_behalf_of_resident=False,
                  note="", resolve_due=None)
    return case


def rejected(**kw):
    case = reported(**kw)
    case.reject(STATION, at(5), "not a matter for the grid")
    return case


def merged(**kw):
    case = reported(**kw)
    case.merge_into(STATION, at(5), reported(case_id="01OTHER", number="RQ-2026-000002"), "same channel")
    return case


SCORES = {"response_speed": 5, "performance": 4, "completion": 5, "feedback": 4}
BUILDERS = {"reported": reported, "accepted": accepted, "dispatched": dispatched, "in_progress": in_progress,
            "resolved": resolved, "closed": closed, "rejected": rejected, "merged": merged}


def report_body(title="no water"):
    """What a grid member of GRID sends to report the irrigation problem (validated, as the API would)."""
    from chalicelib.domain import commands
    return commands.ReportCase.model_validate({
        "kind": "demand", "category": "irrigation", "title": title, "description": "dry", "grid": GRID,
        "location": SPOT})


def spot_in(config, grid: str) -> dict:
    """The middle of a grid's boundary (the demo's grids are small rectangles): a location intake accepts."""
    ring = config.boundary_of[grid][0]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    return {"lat": round((min(lats) + max(lats)) / 2, 6), "lon": round((min(lons) + max(lons)) / 2, 6)}


def examples(default: int) -> int:
    """Hypothesis examples of a unit-tier property test. `make mutation` runs the covering tests of every mutant
    that survives the fast ones, so it asks for fewer (MUTATION_EXAMPLES); `make test` keeps the default."""
    return int(os.environ.get("MUTATION_EXAMPLES", default))
