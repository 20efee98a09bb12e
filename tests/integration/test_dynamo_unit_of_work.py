"""The PynamoDB adapter against the embedded moto server: transactions, versions, races, pages."""
import pytest

from chalicelib.adapters.unit_of_work import DynamoUnitOfWork
from chalicelib.adapters.models import AssignmentItem, CaseItem, IdempotencyItem, TimelineItem
from chalicelib.domain.errors import VersionConflict
from chalicelib.domain.roles import Principal
from chalicelib.services import cases
from chalicelib.domain import commands
from chalicelib.services.unit_of_work import Command, ListQuery, Preload
from tests.builders import CENTER, T0, at, accepted, reported

GM = Principal("gm-yks-01", "grid_member", grid="BZ.RQ.TGLK.YKS.G01")


def save(case):
    uow = DynamoUnitOfWork()
    uow.execute(None, Command("save"), lambda: uow.cases.add(case))


def race(case_id, first, second):
    """Two writers read the same version of the case; `first` commits between the other's read and its commit.
    Returns what the second writer's commit raised."""
    def write(change, between=lambda: None):
        uow = DynamoUnitOfWork()

        def decide():
            change(uow.cases.seen[case_id])
            between()   # the other writer runs now: it read the same version and commits first

        return uow.execute(None, Command("race", reads=Preload(case_ids=[case_id])), decide)

    with pytest.raises(VersionConflict) as lost:
        write(second, between=lambda: write(first))
    return lost.value


def report(config, key=None, **overrides):
    body = {"kind": "demand", "category": "irrigation", "title": "no water", "description": "dry",
            "grid": "BZ.RQ.TGLK.YKS.G01", "location": {"lat": 40.605, "lon": 87.689}, **overrides}  # 85 m from G02
    reporter = GM if body["grid"] == GM.grid else Principal("station-yks", "station", node="BZ.RQ.TGLK.YKS")
    return cases.report_case(DynamoUnitOfWork(), config, reporter, commands.ReportCase.model_validate(
        {**body, "channel": "grid_visit" if reporter is GM else "walk_in"}), T0, idempotency_key=key)


def test_two_dispatchers_who_read_the_same_version_cannot_both_commit(tables):
    save(accepted())
    versions = []

    def dispatch_to(department, minute):
        def change(case):
            versions.append(case.version)
            case.dispatch(CENTER, at(minute), department, [], at(60), at(600))
        return change

    race("01CASE", dispatch_to("rq-agri", 30), dispatch_to("rq-water", 31))   # one wins, the other gets a conflict
    assert versions[0] == versions[1]                                        # both read version N
    stored = CaseItem.get("01CASE").doc
    assert stored["assignments"][0]["department"] == "rq-agri"
    assert [t.seq for t in TimelineItem.query("01CASE")] == list(range(1, stored["version"] + 1))
    assert [i.department for i in AssignmentItem.scan()] == ["rq-agri"]


def test_the_http_level_race_answers_409_to_the_loser(tables, config):
    """Same interleaving through the service: the loser's If-Match names the version it read."""
    save(accepted())
    body = commands.Dispatch(lead="rq-agri")
    county = Principal("dispatcher-rq", "dispatcher", node="BZ.RQ")
    cases.act(DynamoUnitOfWork(), config, county, "01CASE", "dispatch", body, at(30), expected_version=2)
    with pytest.raises(VersionConflict):
        cases.act(DynamoUnitOfWork(), config, county, "01CASE", "redispatch", body, at(31), expected_version=2)


def test_a_case_its_timeline_and_its_idempotency_record_commit_together(tables, config):
    created = report(config, key="abc")
    assert CaseItem.get(created["id"]).version == 1
    assert [t.doc["action"] for t in TimelineItem.query(created["id"])] == ["report"]
    assert IdempotencyItem.get("gm-yks-01#report#abc").result["id"] == created["id"]


def test_intake_retried_three_times_with_one_key_creates_one_case(tables, config):
    ids = {report(config, key="retry-1")["id"] for _ in range(3)}
    assert len(ids) == 1
    assert sum(1 for _ in CaseItem.scan()) == 1


def test_a_concurrent_duplicate_that_loses_the_race_returns_the_winners_case(tables, config):
    """Both requests pass the idempotency read before either commits: the loser replays the winner."""
    from chalicelib.services import cases as service
    original = DynamoUnitOfWork._load
    calls = []

    def interleaved(self, case_ids, key):
        calls.append(key)
        answer = original(self, case_ids, key)   # ours reads: no record yet
        if len(calls) == 1:
            report(config, key="twin")           # the twin commits before ours does
        return answer

    DynamoUnitOfWork._load = interleaved
    try:
        body = commands.ReportCase.model_validate({"kind": "demand", "category": "irrigation", "title": "no water",
                                                   "description": "dry", "grid": "BZ.RQ.TGLK.YKS.G01",
                                                   "location": {"lat": 40.605, "lon": 87.689}})
        result = service.report_case(DynamoUnitOfWork(), config, GM, body, T0, idempotency_key="twin")
    finally:
        DynamoUnitOfWork._load = original
    assert len(calls) >= 2                       # the twin really ran in between
    assert sum(1 for _ in CaseItem.scan()) == 1
    assert result["id"] == next(CaseItem.scan()).case_id


def test_a_list_page_reads_at_most_its_limit_and_the_cursor_walks_every_case(tables, config):
    created = [report(config)["id"] for _ in range(7)]
    county = Principal("dispatcher-rq", "dispatcher", node="BZ.RQ")
    seen, cursor, pages = [], None, 0
    while True:
        with DynamoUnitOfWork() as uow:
            page = uow.cases.list(ListQuery(node="BZ.RQ", limit=3, cursor=cursor), ["BZ.RQ"])
        assert page.scanned <= 3 and len(page.items) <= 3
        seen += [c.id for c in page.items]
        pages += 1
        cursor = page.cursor
        if not cursor:
            break
    assert seen == sorted(created, reverse=True)  # newest first, each once
    assert pages >= 3
    assert county  # scope is the service's job; here only the store


def test_a_cursor_from_another_list_is_refused(tables, config):
    for _ in range(3):
        report(config)
    with DynamoUnitOfWork() as uow:
        page = uow.cases.list(ListQuery(node="BZ.RQ", limit=1), ["BZ.RQ"])
    from chalicelib.domain.errors import Invalid
    with pytest.raises(Invalid) as refused, DynamoUnitOfWork() as uow:
        uow.cases.list(ListQuery(grid="BZ.RQ.TGLK.YKS.G01", limit=1, cursor=page.cursor), [])
    assert refused.value.field == "cursor"


def test_status_filters_use_the_status_index_and_subtree_filters_stay_in_the_subtree(tables, config):
    a = report(config)["id"]
    b = report(config, grid="BZ.RQ.TGLK.YKS.G02")["id"]
    station = Principal("station-yks", "station", node="BZ.RQ.TGLK.YKS")
    cases.act(DynamoUnitOfWork(), config, station, a, "reject", commands.Reason(reason="not ours"), at(5))
    with DynamoUnitOfWork() as uow:
        rejected = uow.cases.list(ListQuery(node="BZ.RQ", status="rejected"), ["BZ.RQ"])
        reported_ = uow.cases.list(ListQuery(node="BZ.RQ", status="reported"), ["BZ.RQ"])
        in_village = uow.cases.list(ListQuery(node="BZ.RQ.TGLK.YKS"), ["BZ.RQ"])
        other_village = uow.cases.list(ListQuery(node="BZ.RQ.TGLK.YS"), ["BZ.RQ"])
    assert [c.id for c in rejected.items] == [a]
    assert [c.id for c in reported_.items] == [b]
    assert {c.id for c in in_village.items} == {a, b}
    assert other_village.items == []


def test_the_inbox_and_the_queue_follow_the_case(tables, config):
    save(accepted())
    county = Principal("dispatcher-rq", "dispatcher", node="BZ.RQ")
    with DynamoUnitOfWork() as uow:
        assert [c.id for c in uow.cases.list(ListQuery(queue_center="BZ.RQ"), []).items] == ["01CASE"]
    cases.act(DynamoUnitOfWork(), config, county, "01CASE", "dispatch",
              commands.Dispatch(lead="rq-agri", co_handlers=["rq-water"]), at(30))
    with DynamoUnitOfWork() as uow:
        assert uow.cases.list(ListQuery(queue_center="BZ.RQ"), []).items == []
        assert [c.id for c in uow.cases.list(ListQuery(department="rq-agri"), []).items] == ["01CASE"]
        assert [c.id for c in uow.cases.list(ListQuery(department="rq-water", status="dispatched"), []).items] \
            == ["01CASE"]


def test_possible_duplicates_come_from_key_lookups_in_the_grid_and_the_geohash_cell(tables, config):
    first = report(config)["id"]
    near = report(config, grid="BZ.RQ.TGLK.YKS.G02", category="road_repair", kind="demand")["id"]
    far = report(config, grid="BZ.RQ.TGLK.YKS.G03", category="road_repair", kind="demand",
                 location={"lat": 40.605, "lon": 87.705})["id"]                       # another geohash cell
    new = report(config)["id"]
    station = Principal("station-yks", "station", node="BZ.RQ.TGLK.YKS")
    detail = cases.get_case(DynamoUnitOfWork(), config, station, new, T0)
    found = {d["id"] for d in detail["possible_duplicates"]}
    assert first in found and near in found and far not in found and new not in found


def test_a_prefecture_wide_list_merges_the_counties_newest_first_and_pages_each_case_once(tables):
    from ulid import ULID
    expected = []
    for minute in range(9):
        county, grid = [("BZ.RQ", "BZ.RQ.TGLK.YKS.G01"), ("BZ.HJ", "BZ.HJ.BYBLK.ELB.G01")][minute % 3 == 0]
        case = reported(case_id=str(ULID.from_datetime(at(minute))), number=f"X-{minute}", grid=grid)
        case.county = county
        save(case)
        expected.append(case.id)
    seen, cursor = [], None
    while True:
        with DynamoUnitOfWork() as uow:
            page = uow.cases.list(ListQuery(node="BZ", limit=2, cursor=cursor), ["BZ.HJ", "BZ.RQ"])
        assert len(page.items) <= 2 and page.scanned <= 2 * 2
        seen += [c.id for c in page.items]
        cursor = page.cursor
        if not cursor:
            break
    assert seen == sorted(expected, reverse=True)


def _race(case_id, first, second):
    """Both writers read the same version, then both commit: the first wins, the second gets 409."""
    race(case_id, first, second)
    with DynamoUnitOfWork() as uow:
        stored = uow.cases.get(case_id)
        entries = uow.cases.timeline(case_id, 100, None).items
    assert [e["seq"] for e in entries] == list(range(1, stored.version + 1))   # one history, no gap, no twin
    return stored


def test_a_report_in_racing_a_redispatch_has_one_winner(tables):
    from tests.builders import LEAD, dispatched
    save(dispatched())
    stored = _race("01CASE", lambda c: c.acknowledge(LEAD, at(40), "rq-agri"),
                   lambda c: c.dispatch(CENTER, at(41), "rq-water", [], at(90), at(900), redispatch=True))
    assert stored.status == "in_progress" and stored.lead_department() == "rq-agri"


def test_two_evaluations_of_one_resolution_have_one_winner(tables):
    from tests.builders import REPORTER, SCORES, resolved
    save(resolved())
    evaluate = lambda verdict: lambda c: c.evaluate(REPORTER, at(100), scores=SCORES, verdict=verdict,  # noqa: E731
                                                    fixed=verdict != "bad", on_behalf_of_resident=False, note="",
                                                    resolve_due=at(9000))
    stored = _race("01CASE", evaluate("good"), evaluate("bad"))
    assert [e["verdict"] for e in stored.to_dict()["evaluations"]] == ["good"] and stored.status == "closed"


def test_two_appeals_of_one_review_have_one_winner(tables):
    from tests.builders import LEAD, REPORTER, SCORES, resolved
    case = resolved()
    case.evaluate(REPORTER, at(100), scores=SCORES, verdict="bad", fixed=True, on_behalf_of_resident=False,
                  note="", resolve_due=None)
    save(case)
    stored = _race("01CASE", lambda c: c.appeal(LEAD, at(200), 0, "rq-agri", "flood"),
                   lambda c: c.appeal(LEAD, at(201), 0, "rq-agri", "flood, again"))
    assert stored.to_dict()["evaluations"][0]["appeal"]["reason"] == "flood"


def test_a_village_list_reads_only_its_grids_whatever_lies_between_its_cases_in_the_county(tables, config):
    """The village's two cases with 60 cases of another village of the county between them: the county partition
    filtered would evaluate 20 entries a page and find nothing on the first three pages; grid by grid, the first page
    holds both, and reads nothing else."""
    from ulid import ULID
    village = ("BZ.RQ.TGLK.YKS.G02", "BZ.RQ.TGLK.YKS.G03")
    ours = []
    for minute in range(62):
        grid = village[minute // 61] if minute in (0, 61) else "BZ.RQ.RQZ.QKL.G01"
        case = reported(case_id=str(ULID.from_datetime(at(minute))), number=f"X-{minute}", grid=grid)
        save(case)
        if grid in village:
            ours.append(case.id)
    station = Principal("station-yks", "station", node="BZ.RQ.TGLK.YKS")
    listed = cases.list_cases(DynamoUnitOfWork(), config, station, ListQuery(limit=20))
    assert [c["id"] for c in listed["items"]] == sorted(ours, reverse=True)
    with DynamoUnitOfWork() as uow:   # what the page evaluated: the village's 3 grids, nothing of the other village
        page = uow.cases.list(ListQuery(node="BZ.RQ.TGLK.YKS", grids=("BZ.RQ.TGLK.YKS.G01", *village), limit=20),
                              ["BZ.RQ"])
        assert page.scanned == 2 and page.cursor is None
        filtered = uow.cases.list(ListQuery(node="BZ.RQ.TGLK.YKS", limit=20), ["BZ.RQ"])   # the county, filtered
        assert [c.id for c in filtered.items] == [ours[1]] and filtered.scanned == 20 and filtered.cursor
