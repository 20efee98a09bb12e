"""Property: after random lifecycles (reopens, merges, escalations, breaches, appeals, visits), the offline
recount, counting from the timelines with its own code, finds no difference from the aggregates kept on write."""
import random
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings, strategies as st

from admin.recount import differences, recount
from chalicelib.domain.jurisdiction import within
from chalicelib.domain.roles import Principal
from chalicelib.services import assessment, cases, deadlines, households, visits
from chalicelib.domain import commands
from tests.builders import examples, spot_in
from support.fakes import FakeUnitOfWork, RecordingUnitOfWork as Recording, Store

GRIDS = ["BZ.RQ.TGLK.YKS.G01", "BZ.RQ.TGLK.YKS.G02", "BZ.HJ.BYBLK.ELB.G01"]
CATEGORIES = [("demand", "irrigation"), ("demand", "road_repair"), ("dispute", "neighbour"),
              ("dispute", "land_boundary"), ("demand", "garbage_sanitation")]
SCORES = commands.Scores(response_speed=3, performance=3, completion=3, feedback=3)



def member(grid):
    village = grid.rsplit(".", 1)[0].rsplit(".", 1)[1].lower()
    return Principal(f"gm-{village}-{grid[-2:]}", "grid_member", grid=grid)


def holder(store, case_id):
    data = store.cases[case_id]
    role = "station" if data["level"] == "village" else "dispatcher"
    return Principal(f"{role}@{data['center']}", role, node=data["center"])


def department(d):
    return Principal(f"dept-{d}", "department", department=d)


def lifecycle(config, store, log, rng, case_id, t):
    """Drive one case along a random path; returns nothing, everything lands in the store."""
    def uow():
        return Recording(store, log)

    def step(minutes):
        nonlocal t
        t += timedelta(minutes=minutes)
        return t

    case = store.cases[case_id]
    roll = rng.random()
    if roll < 0.1:
        cases.act(uow(), config, holder(store, case_id), case_id, "reject", commands.Reason(reason="not ours"), step(30))
        return
    if roll < 0.2:
        targets = [i for i, c in store.cases.items() if i != case_id and c["status"] == "reported"
                   and within(c["grid"], case["center"])]
        if targets:
            cases.act(uow(), config, holder(store, case_id), case_id, "merge",
                      commands.Merge(target_case_id=rng.choice(targets)), step(20))
            return
    kind, category = case["kind"], case["category"]
    cases.act(uow(), config, holder(store, case_id), case_id, "accept", commands.Accept(
        kind=kind, category=category, urgency=rng.choice(["normal", "urgent"]), public_summary="s"), step(rng.randint(5, 3000)))
    if rng.random() < 0.2 and store.cases[case_id]["level"] != "prefecture":
        cases.act(uow(), config, holder(store, case_id), case_id, "escalate", commands.Reason(reason="too big"), step(10))
    if rng.random() < 0.15:
        cases.act(uow(), config, holder(store, case_id), case_id, "resolve_on_spot", commands.Note(note="done"), step(30))
    else:
        center = store.cases[case_id]["center"]
        grid = store.cases[case_id]["grid"]
        choices = sorted(d.id for d in config.jurisdiction.departments.values()
                         if within(grid, d.node) and within(d.node, center))
        if not choices:   # a receiving station has no departments: pass it up first
            cases.act(uow(), config, holder(store, case_id), case_id, "escalate", commands.Reason(reason="up"), step(5))
            center = store.cases[case_id]["center"]
            choices = sorted(d.id for d in config.jurisdiction.departments.values()
                             if within(grid, d.node) and within(d.node, center))
        lead = rng.choice(choices)
        co = [c for c in choices if c != lead][:rng.randint(0, 1)]
        mark = len(log)
        cases.act(uow(), config, holder(store, case_id), case_id, "dispatch",
                  commands.Dispatch(lead=lead, co_handlers=co), step(15))
        if rng.random() < 0.3:   # the lead is late: its report-in breach arrives first (and twice)
            timer = next(e.payload["input"] for e in log[mark:] if e.kind == "start_timer"
                         and e.payload["name"].endswith(f"-reportin-{lead}-v1"))
            breach = next(n for n in timer["notices"] if n["kind"] == "breach")
            at = datetime.strptime(breach["at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
            for _ in range(2):
                deadlines.handle_notice(uow(), config, {"timer": timer["timer"], "notice": breach}, at)
            t = max(t, at)
        if rng.random() < 0.1:
            cases.act(uow(), config, holder(store, case_id), case_id, "redispatch",
                      commands.Dispatch(lead=lead), step(60))
            co = []  # the re-dispatch named no co-handlers
        for d in co:
            cases.act(uow(), config, department(d), case_id, "acknowledge", commands.OptionalNote(), step(rng.randint(5, 900)))
        cases.act(uow(), config, department(lead), case_id, "acknowledge", commands.OptionalNote(), step(rng.randint(5, 2000)))
        for attempt in range(3):
            cases.act(uow(), config, department(lead), case_id, "resolve", commands.Resolve(note="done"),
                      step(rng.randint(60, 20000)))
            if rng.random() < 0.15:   # nobody evaluates: the center closes it once the evaluation deadline passed
                due = datetime.strptime(store.cases[case_id]["deadlines"]["evaluation_due"], "%Y-%m-%dT%H:%M:%SZ")
                wait = (due.replace(tzinfo=timezone.utc) - t).total_seconds() // 60 + rng.randint(0, 600)
                cases.act(uow(), config, holder(store, case_id), case_id, "close", commands.OptionalNote(), step(wait))
                return
            verdict = rng.choice(["good", "fair", "bad"])
            fixed = verdict != "bad" or rng.random() < 0.5 or attempt == 2
            cases.act(uow(), config, member(store.cases[case_id]["grid"]), case_id, "evaluate", commands.Evaluate(
                scores=SCORES, verdict=verdict, fixed=fixed), step(rng.randint(30, 3000)))
            if verdict == "bad" and rng.random() < 0.6:
                index = len(store.cases[case_id]["evaluations"]) - 1
                assessment.appeal(uow(), config, department(lead), case_id, index, commands.Appeal(reason="unfair"), step(60))
                county = Principal("dispatcher-county", "dispatcher", node=store.cases[case_id]["county"])
                assessment.decide_appeal(uow(), config, county, case_id, index, commands.AppealDecision(
                    decision=rng.choice(["void", "uphold"])), step(rng.randint(60, 40 * 1440)))  # maybe next year
            if fixed:
                return


@settings(max_examples=examples(20), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**9), count=st.integers(8, 25))
def test_the_recount_finds_no_difference_after_random_lifecycles(config, seed, count):
    rng = random.Random(seed)
    store, log = Store(), []
    start = rng.choice([datetime(2026, 5, 28, 2, 0, tzinfo=timezone.utc),     # across month and quarter ends
                        datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)])    # and into the next year
    homes = {g: households.register(FakeUnitOfWork(store), config, member(g), commands.RegisterHousehold(
        grid=g, head="户主", members=3), start)["id"] for g in GRIDS}
    for i in range(count):
        grid = rng.choice(GRIDS)
        kind, category = rng.choice(CATEGORIES)
        t = start + timedelta(minutes=rng.randint(0, 90 * 1440))
        created = cases.report_case(Recording(store, log), config, member(grid), commands.ReportCase(
            kind=kind, category=category, title=f"case {i}", description="d", grid=grid,
            location=commands.Location(**spot_in(config, grid))), t)
        lifecycle(config, store, log, rng, created["id"], t)
        if rng.random() < 0.5:
            visits.log_visit(FakeUnitOfWork(store), config, member(grid), commands.LogVisit(
                household_id=homes[grid], visited_at=t + timedelta(hours=1)), t + timedelta(days=200))
    stats, cards = recount(list(store.cases.values()), store.timeline, [v.to_dict() for v in store.visits.values()],
                           config.timezone)
    assert differences(stats, store.counters_by_table["stats"]) == []
    assert differences(cards, store.counters_by_table["scorecards"]) == []
    assert store.counters_by_table["stats"]      # something was counted


def test_the_recount_reports_a_tampered_counter(config):
    store = Store()
    grid = GRIDS[0]
    cases.report_case(FakeUnitOfWork(store), config, member(grid), commands.ReportCase(
        kind="demand", category="irrigation", title="t", description="d", grid=grid,
        location=commands.Location(**spot_in(config, grid))), datetime(2026, 6, 1, 3, 0, tzinfo=timezone.utc))
    store.counters_by_table["stats"]["BZ#M2026-06#demand|irrigation"]["reported"] += 1
    stats, _ = recount(list(store.cases.values()), store.timeline, [], config.timezone)
    assert differences(stats, store.counters_by_table["stats"]) == [("BZ#M2026-06#demand|irrigation", "reported", 1, 2)]
