"""A synthetic prefecture-year driven through the services: cases, photos, timers, notices, reads, statistics.

The mix (stated here, seeded, so every run plays the same year):
- 30,000 cases spread over the year's working hours, 18% disputes (the article: 14,900 disputes to 68,400
  demands), urgency 85% normal, 12% urgent, 3% emergency;
- triage: 88% accepted, 6% rejected, 6% resolved on the spot by the station; 65% of reports carry a photo;
- 30% of dispatches add a co-handler; 8% of report-ins and 10% of resolutions are late (the timers warn and
  escalate); 15% of the on-time ones come after the 75% warning;
- 78% of resolved cases are evaluated (good 85%, fair 10%, bad 5%; a third of the bad ones are not fixed, so
  the case reopens and is resolved again), the rest auto-close when the evaluation timer runs out; half of the
  resolutions carry an after-photo;
- reads: the reporter opens the case twice, the station and the dispatcher read their queue and the case, each
  department its inbox, the case and its timeline; leaders run 50 statistics queries a day.
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

from bench.cost.world import MeteredUnitOfWork, World, worker_idempotency
from chalicelib.domain.case import Case
from support.fakes import read_case
from chalicelib.entrypoints import API_HANDLER, WORK_WORKER
from chalicelib.domain.roles import Principal
from chalicelib.services import cases, deadlines, photos, statistics, views
from chalicelib.domain import commands
from chalicelib.services.unit_of_work import ListQuery

YEAR = 2026
SCORES = {"response_speed": 5, "performance": 4, "completion": 5, "feedback": 4}


class PhotoBucket:
    """The S3 photo store as the photos service sees it: every call is one request (metered)."""

    def __init__(self, world: World, photo_bytes: bytes):
        self.world, self.data = world, photo_bytes

    def upload_form(self, key, content_type, max_bytes, expires):
        return {"url": "https://s3.invalid/", "fields": {"key": key}}      # presigned locally: no request

    def view_url(self, key, expires):
        return "https://s3.invalid/" + key

    def read(self, key, max_bytes):
        self.world.round("s3_get", "s3", "GetObject")
        self.world.bill.add("s3", "get_requests")
        return self.data

    def put(self, key, data, content_type):
        self.world.round("s3_put", "s3", "PutObject")
        self.world.bill.add("s3", "put_requests")

    def delete(self, key):
        self.world.round("s3_delete", "s3", "DeleteObject")              # DELETE requests are free


class Year:
    def __init__(self, config, world: World, validate_photo, photo_bytes: bytes, cases_per_year: int, seed=9):
        self.config, self.world, self.validate = config, world, validate_photo
        self.photo_bytes = photo_bytes
        self.store = PhotoBucket(world, photo_bytes)
        self.random = random.Random(seed)
        self.n = cases_per_year
        self.grids = sorted(c for c, n in config.jurisdiction.nodes.items() if n.level == "grid")
        self.categories = {kind: sorted(c for c, v in config.categories.items() if v.kind == kind)
                           for kind in ("demand", "dispute")}
        self.outcomes: dict[str, int] = {}
        self.reopened: set[str] = set()
        self.calendar = config.calendar
        self.api_requests = 0

    # -- plumbing -------------------------------------------------------------------------------------
    def _api(self, name: str, call):
        """One API request: API Gateway, one Lambda invocation, the service call."""
        self.api_requests += 1
        self.world.bill.add("apigateway", "requests")
        self.world.begin(API_HANDLER)
        try:
            return call(MeteredUnitOfWork(self.world))
        except Exception as refused:   # a refused action still cost its request and its read
            self.outcomes[f"{name} refused: {type(refused).__name__}"] = \
                self.outcomes.get(f"{name} refused: {type(refused).__name__}", 0) + 1
            return None
        finally:
            self.world.end()

    def _case(self, case_id: str) -> Case:
        return read_case(self.world.store.cases[case_id])

    def _count(self, what: str) -> None:
        self.outcomes[what] = self.outcomes.get(what, 0) + 1

    def _at(self, case: Case, stage: str, start: datetime, fraction: float) -> datetime:
        """When `fraction` of the stage's deadline has elapsed in working time (past 1: that late)."""
        duration = self.config.deadlines.duration(stage, case.urgency, self.config.categories[case.category].complex)
        moment = start     # the case's moments are datetimes
        while fraction > 1:
            moment, fraction = self.calendar.add(moment, duration), fraction - 1
        return self.calendar.warning_at(moment, duration, fraction)

    def _on_time(self, late_share: float) -> float:
        r = self.random.random()
        if r < late_share:
            return self.random.uniform(1.05, 2.0)       # late: the breach notices fire, the case escalates
        if r < late_share + 0.15:
            return self.random.uniform(0.78, 0.98)      # after the 75% warning
        return self.random.uniform(0.05, 0.7)

    # -- the year -------------------------------------------------------------------------------------
    def run(self) -> None:
        start = datetime(YEAR, 1, 1, tzinfo=timezone.utc)
        for i in range(self.n):
            moment = start + timedelta(seconds=self.random.uniform(0, 365 * 86400))
            self.world.schedule(moment, "report", i)
        for day in range(365):
            for q in range(max(1, round(50 * self.n / 30000))):
                self.world.schedule(start + timedelta(days=day, hours=2, minutes=q), "statistics", q)
        self._drain()
        # what is still running at the year's end is billed up to now: nothing more to add

    def _drain(self) -> None:
        import heapq
        world = self.world
        while world.events:
            moment, _, kind, payload = heapq.heappop(world.events)
            world.now = moment
            getattr(self, "_on_" + kind)(moment, payload)

    def _later(self, moment: datetime, kind: str, payload) -> None:
        self.world.schedule(moment, kind, payload)

    def _on_notice(self, now, payload):
        name, timer, notice, last = payload
        message = self.world.fire_notice(name, timer, notice, last)
        if message is None:
            return
        self.world.begin(WORK_WORKER, "deadline")
        outcome = deadlines.handle_notice(MeteredUoWFactory(self.world)(), self.config, message, now)
        if last:   # the worker stops the timer waiting on its trailing link (workers.handle_deadline)
            self.world.round("aws_api", "stepfunctions", "StopExecution")
        self.world.end()
        self.world.bill.add("sqs", "requests")           # the event source deletes the message
        self._count(f"notice: {outcome.action}")

    def _on_notification(self, now, message):
        world = self.world
        world.begin(WORK_WORKER, "notification")
        worker_idempotency(world, message["effect_id"])
        channel = message.get("channel")
        if channel == "sms":
            world.round("dynamodb_read", "dynamodb", "GetItem")
            world.bill.add("sns", "sms")
            world.round("aws_api", "sns", "Publish")
        elif channel == "alert":
            world.bill.add("sns", "publishes")
            world.round("aws_api", "sns", "Publish")
        else:
            world.round("dingtalk", "dingtalk", "robot")   # an HTTPS call to DingTalk: no AWS bill, but time
        world.end()
        world.bill.add("sqs", "requests")                   # the event source deletes the message
        self._count(f"notification: {channel}")

    def _on_statistics(self, now, q):
        counties = sorted(c for c, n in self.config.jurisdiction.nodes.items() if n.level == "county")
        node = self.config.jurisdiction.root.code if q % 5 == 0 else counties[q % len(counties)]
        leader = Principal("leader", "leader", node=self.config.jurisdiction.root.code)
        local = now.date()
        first = date(local.year, max(1, local.month - 2), 1) if q % 2 else date(local.year, local.month, 1)
        self._api("statistics", lambda uow: statistics.statistics(uow, self.config, leader, node, first, local))

    def _spot(self, grid, r):
        """A location inside the grid's boundary (the demo's grids are 0.01-degree tiles from their first corner)."""
        lon, lat = self.config.boundary_of[grid][0][0]
        return {"lat": lat + 0.001 + 0.008 * r.random(), "lon": lon + 0.001 + 0.008 * r.random()}

    def _on_report(self, now, i):
        r = self.random
        kind = "dispute" if r.random() < 0.18 else "demand"
        category = r.choice(self.categories[kind])
        grid = r.choice(self.grids)
        urgency = r.choices(["normal", "urgent", "emergency"], [85, 12, 3])[0]
        gm = Principal(f"gm-{grid}", "grid_member", grid=grid)
        body = commands.ReportCase.model_validate({
            "kind": kind, "category": category, "title": "问题" * 8, "description": "网格员走访发现的问题。" * 12,
            "grid": grid, "location": self._spot(grid, r), "urgency": urgency,
            "residents": [{"name": "居民", "phone": "+86 139 0000 0000"}] if r.random() < 0.4 else []})
        detail = self._api("report", lambda uow: cases.report_case(uow, self.config, gm, body, now, f"k{i}"))
        if detail is None:
            return
        case_id = detail["id"]
        if r.random() < 0.65:
            self._photo(now, gm, case_id, "before")
        for _ in range(2):
            self._api("read", lambda uow: cases.get_case(uow, self.config, gm, case_id, now))
        case = self._case(case_id)
        self._later(self._at(case, "triage", case.created_at, self._on_time(0.03)), "triage", case_id)

    def _photo(self, now, who, case_id, phase):
        body = commands.PhotoUpload(phase=phase, content_type="image/jpeg", size=len(self.photo_bytes))
        form = self._api("photo", lambda uow: photos.request_upload(uow, self.store, who, case_id, body))
        if form is None:
            return
        self.world.bill.add("s3", "put_requests")            # the phone's POST to S3
        self.world.bill.add("s3", "stored_bytes", len(self.photo_bytes))   # the incoming copy expires in a day
        self.world.bill.add("s3", "stored_objects")
        self.world.bill.add("sqs", "requests", 2)             # S3 event into the queue; the event source's delete
        self._later(now + timedelta(seconds=5), "photo_arrived",
                    f"incoming/{case_id}/{phase}/{form['photo_id']}")

    def _on_photo_arrived(self, now, key):
        self.world.begin(WORK_WORKER, "photo")
        outcome = photos.process_upload(MeteredUoWFactory(self.world)(), self.config, self.store, self.validate,
                                        key, now)
        self.world.end()
        self._count(f"photo: {outcome.action}")

    def _on_triage(self, now, case_id):
        case = self._case(case_id)
        station = Principal(f"station-{case.center}", "station", node=case.center)
        self._api("read", lambda uow: cases.list_cases(uow, self.config, station,
                                                       ListQuery(queue_center=case.center, limit=20)))
        self._api("read", lambda uow: cases.get_case(uow, self.config, station, case_id, now))
        roll = self.random.random()
        if roll < 0.06:
            self._api("reject", lambda uow: cases.act(uow, self.config, station, case_id, "reject",
                                                      commands.Reason(reason="不属于受理范围"), now, f"rj{case_id}"))
            return
        if roll < 0.12:
            on_spot = commands.Accept(kind=case.kind, category=case.category, urgency=case.urgency,
                                      public_summary="当场解决的问题", forward_to_level="village")
            self._api("accept", lambda uow: cases.act(uow, self.config, station, case_id, "accept", on_spot, now,
                                                      f"ac{case_id}"))
            self._api("resolve_on_spot", lambda uow: cases.act(uow, self.config, station, case_id, "resolve_on_spot",
                                                               commands.OptionalNote(note="当场解决"), now, f"os{case_id}"))
            self._later_evaluation(now, case_id)
            return
        body = commands.Accept(kind=case.kind, category=case.category, urgency=case.urgency,
                               public_summary="已受理的问题摘要")
        self._api("accept", lambda uow: cases.act(uow, self.config, station, case_id, "accept", body, now,
                                                  f"ac{case_id}"))
        self._later(now + timedelta(minutes=self.random.uniform(20, 240)), "dispatch", case_id)

    def _on_dispatch(self, now, case_id):
        case = self._case(case_id)
        if case.status != "accepted":
            return self._count(f"dispatch skipped: {case.status}")
        dispatcher = Principal(f"dispatcher-{case.center}", "dispatcher", node=case.center)
        self._api("read", lambda uow: cases.list_cases(uow, self.config, dispatcher,
                                                       ListQuery(queue_center=case.center, limit=20)))
        self._api("read", lambda uow: cases.get_case(uow, self.config, dispatcher, case_id, now))
        leads = views.suggested_leads(case, self.config)
        others = [d.id for d in self.config.jurisdiction.departments.values()
                  if d.id not in leads and case.grid.startswith(d.node + ".") and d.node == case.center]
        lead = (leads or others or [None])[0]
        if lead is None:   # no department of that kind here: the center passes the case up, which dispatches it
            done = self._api("escalate", lambda uow: cases.act(uow, self.config, dispatcher, case_id, "escalate",
                                                               commands.Reason(reason="本级无对应部门"), now,
                                                               f"es{case_id}{now.timestamp()}"))
            if done is not None:
                self._later(now + timedelta(minutes=self.random.uniform(20, 240)), "dispatch", case_id)
            return self._count("dispatch: passed up (no department at this center)")
        others = [d for d in others if d != lead]
        co = [self.random.choice(others)] if others and self.random.random() < 0.3 else []
        body = commands.Dispatch(lead=lead, co_handlers=co)
        if self._api("dispatch", lambda uow: cases.act(uow, self.config, dispatcher, case_id, "dispatch", body,
                                                       now, f"dp{case_id}")) is None:
            return
        case = self._case(case_id)
        for a in case.active_assignments():
            moment = self._at(case, "report_in", a.dispatched_at, self._on_time(0.08))
            self._later(moment, "acknowledge", (case_id, a.department, a.role))

    def _on_acknowledge(self, now, payload):
        case_id, department, role = payload
        dept = Principal(f"dept-{department}", "department", department=department)
        self._api("read", lambda uow: cases.list_cases(uow, self.config, dept, ListQuery(limit=20)))
        self._api("read", lambda uow: cases.get_case(uow, self.config, dept, case_id, now))
        self._api("read", lambda uow: cases.timeline(uow, dept, case_id, 50, None))
        self._api("acknowledge", lambda uow: cases.act(uow, self.config, dept, case_id, "acknowledge",
                                                       commands.OptionalNote(), now, f"ak{case_id}{department}"))
        if role == "lead":
            case = self._case(case_id)
            start = next(a.dispatched_at for a in case.active_assignments() if a.department == department)
            if case.deadlines.get("resolve_due"):
                self._later(self._at(case, "resolve", start, self._on_time(0.10)), "resolve", (case_id, department))

    def _on_resolve(self, now, payload):
        case_id, department = payload
        dept = Principal(f"dept-{department}", "department", department=department)
        if self.random.random() < 0.5:
            self._photo(now, dept, case_id, "after")
        done = self._api("resolve", lambda uow: cases.act(uow, self.config, dept, case_id, "resolve",
                                                          commands.Resolve(note="已办结，现场核实。"), now,
                                                          f"rs{case_id}{now.timestamp()}"))
        if done is not None:
            self._later_evaluation(now, case_id)

    def _later_evaluation(self, now, case_id):
        case = self._case(case_id)
        if case.status == "resolved" and self.random.random() < 0.78:
            self._later(self._at(case, "evaluation", case.updated_at, self.random.uniform(0.05, 0.8)),
                        "evaluate", case_id)

    def _on_evaluate(self, now, case_id):
        case = self._case(case_id)
        if case.status != "resolved":
            return self._count(f"evaluate skipped: {case.status}")
        gm = Principal(case.reporter["user_id"], "grid_member", grid=case.grid)
        self._api("read", lambda uow: cases.get_case(uow, self.config, gm, case_id, now))
        verdict = self.random.choices(["good", "fair", "bad"], [85, 10, 5])[0]
        fixed = not (verdict == "bad" and self.random.random() < 1 / 3)
        if not fixed:
            self.reopened.add(case_id)
        body = commands.Evaluate(scores=commands.Scores(**SCORES), verdict=verdict, fixed=fixed)
        self._api("evaluate", lambda uow: cases.act(uow, self.config, gm, case_id, "evaluate", body, now,
                                                    f"ev{case_id}{now.timestamp()}"))
        case = self._case(case_id)
        if case.status in ("dispatched", "in_progress"):       # reopened: the lead resolves it again
            lead = case.lead_department()
            self._later(now + timedelta(days=self.random.uniform(1, 4)), "resolve", (case_id, lead))


class MeteredUoWFactory:
    def __init__(self, world):
        self.world = world

    def __call__(self):
        return MeteredUnitOfWork(self.world)
