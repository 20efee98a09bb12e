"""A case item as the release before typed assignments and evaluations wrote it (written out here by hand, not by
the code under test) still loads on moto, acts, and is stored again in the same format."""
import json
import zlib

from chalicelib.adapters import dynamo
from chalicelib.adapters.case_repository import case_item
from chalicelib.adapters.models import CaseItem
from chalicelib.adapters.unit_of_work import DynamoUnitOfWork
from chalicelib.domain.assignments import Assignment
from chalicelib.domain.evaluations import Appeal, Evaluation
from tests.builders import REPORTER, SCORES, at

# Dispatched with a co-handler, returned, dispatched again, both reported in, an extension approved, resolved,
# evaluated "not fixed", the bad review appealed and voided, resolved again: waiting for its evaluation.
DOC = """{"id":"01OLD","number":"RQ-2026-000009","kind":"demand","category":"irrigation",
"title":"72 mu without irrigation","description":"channel missing","grid":"BZ.RQ.TGLK.YKS.G01","county":"BZ.RQ",
"location":{"lat":40.605,"lon":87.685},"reporter":{"user_id":"gm-yks-01","role":"grid_member","name":"grid member"},
"channel":"grid_visit","urgency":"normal","created_at":"2026-03-17T03:00:00Z","center":"BZ.RQ","level":"county",
"status":"resolved","sensitive":false,"residents":[],"photos":[],"public_summary":"irrigation missing",
"path_centers":["BZ.RQ.TGLK.YKS","BZ.RQ"],
"assignments":[
 {"department":"rq-agri","role":"lead","dispatch_no":1,"dispatched_at":"2026-03-17T03:20:00Z",
  "report_in_due":"2026-03-18T03:00:00Z","active":false,"acknowledged_at":null,"ended":"returned"},
 {"department":"rq-water","role":"co","dispatch_no":1,"dispatched_at":"2026-03-17T03:20:00Z",
  "report_in_due":"2026-03-18T03:00:00Z","active":false,"acknowledged_at":null,"ended":"returned"},
 {"department":"rq-agri","role":"lead","dispatch_no":2,"dispatched_at":"2026-03-17T03:50:00Z",
  "report_in_due":"2026-03-18T03:50:00Z","active":true,"acknowledged_at":"2026-03-17T04:00:00Z","ended":null},
 {"department":"rq-water","role":"co","dispatch_no":2,"dispatched_at":"2026-03-17T03:50:00Z",
  "report_in_due":"2026-03-18T03:50:00Z","active":true,"acknowledged_at":"2026-03-17T04:10:00Z","ended":null}],
"deadlines":{"evaluation_due":"2026-03-25T03:00:00Z"},"deadline_version":8,"dispatch_no":2,"extension":null,
"extensions":[{"requested_due":"2026-04-06T03:00:00Z","reason":"a season","requested_at":"2026-03-17T04:20:00Z",
 "department":"rq-agri","approved":true,"decided_at":"2026-03-17T04:30:00Z"}],
"resolution":{"note":"fixed again","root_cause_follow_up":"","resolved_at":"2026-03-17T05:20:00Z",
 "by":{"user_id":"dept-rq-agri","role":"department","name":""},"department":"rq-agri","on_time":true,"dispatch_no":2},
"evaluations":[
 {"scores":{"response_speed":5,"performance":4,"completion":5,"feedback":4},"verdict":"bad","fixed":false,
  "at":"2026-03-17T04:50:00Z","by":{"user_id":"gm-yks-01","role":"grid_member","name":"grid member"},
  "on_behalf_of_resident":false,"department":"rq-agri","dispatch_no":2,
  "appeal":{"reason":"the flood","at":"2026-03-17T05:00:00Z","by":{"user_id":"dept-rq-agri","role":"department",
   "name":""},"status":"voided","decided_at":"2026-03-17T05:10:00Z",
   "decided_by":{"user_id":"dispatcher-rq","role":"dispatcher","name":""},"note":"seen"},
  "voided":true}],
"reopen_count":1,"merged_into":null,"merged_cases":[],"reason":"","closed_as":null,
"stage_starts":{"evaluation":"2026-03-17T05:20:00Z"},"overdue":false,"deadline_notices":[],
"updated_at":"2026-03-17T05:20:00Z","version":14}"""


def old_item() -> dict:
    """The item as that release put it: index attributes, and the aggregate as compact JSON, zlib-compressed."""
    doc = json.loads(DOC)
    return {"case_id": {"S": "01OLD"}, "version": {"N": "14"}, "number": {"S": "RQ-2026-000009"},
            "status": {"S": "resolved"}, "kind": {"S": "demand"}, "category": {"S": "irrigation"},
            "grid": {"S": "BZ.RQ.TGLK.YKS.G01"}, "county": {"S": "BZ.RQ"}, "county_status": {"S": "BZ.RQ#resolved"},
            "reporter_id": {"S": "gm-yks-01"}, "geo_cell": {"S": "tzsh6c"}, "sensitive": {"BOOL": False},
            "title": {"S": "72 mu without irrigation"},
            "doc": {"B": zlib.compress(json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode(), 6)}}


def stored_doc(client) -> dict:
    raw = client.get_item(TableName=CaseItem.Meta.table_name, Key={"case_id": {"S": "01OLD"}})["Item"]
    return json.loads(zlib.decompress(raw["doc"]["B"]))


def test_a_case_item_of_the_previous_format_loads_as_typed_records(tables):
    dynamo.connection().client.put_item(TableName=CaseItem.Meta.table_name, Item=old_item())
    with DynamoUnitOfWork() as uow:
        case = uow.cases.get("01OLD")
    assert all(isinstance(a, Assignment) for a in case.assignments)
    assert [(a.department, a.role, a.dispatch_no, a.active, a.ended) for a in case.assignments] == [
        ("rq-agri", "lead", 1, False, "returned"), ("rq-water", "co", 1, False, "returned"),
        ("rq-agri", "lead", 2, True, None), ("rq-water", "co", 2, True, None)]
    assert case.lead_department() == "rq-agri" and case.departments_ever() == {"rq-agri", "rq-water"}
    [evaluation] = case.evaluations
    assert isinstance(evaluation, Evaluation) and isinstance(evaluation.appeal, Appeal)
    assert (evaluation.verdict, evaluation.department, evaluation.voided, evaluation.appeal.status,
            evaluation.appeal.note) == ("bad", "rq-agri", True, "voided", "seen")


def test_a_case_item_of_the_previous_format_is_stored_again_byte_for_byte(tables):
    client = dynamo.connection().client
    client.put_item(TableName=CaseItem.Meta.table_name, Item=old_item())
    with DynamoUnitOfWork() as uow:
        case = uow.cases.get("01OLD")
    case_item(case).save()
    assert json.dumps(stored_doc(client), ensure_ascii=False) == json.dumps(json.loads(DOC), ensure_ascii=False)


def test_a_case_item_of_the_previous_format_acts_and_keeps_its_records(tables):
    client = dynamo.connection().client
    client.put_item(TableName=CaseItem.Meta.table_name, Item=old_item())
    with DynamoUnitOfWork() as uow:
        case = uow.cases.get("01OLD")
    case.evaluate(REPORTER, at(60 * 24), scores=SCORES, verdict="good", fixed=True, on_behalf_of_resident=False,
                  note="water flows", resolve_due=None)
    case_item(case).save()
    old, new = json.loads(DOC), stored_doc(client)
    assert new["assignments"] == old["assignments"]
    assert new["evaluations"][0] == old["evaluations"][0]
    assert new["evaluations"][1] == {"scores": SCORES, "verdict": "good", "fixed": True, "at": "2026-03-18T03:00:00Z",
                                     "by": {"user_id": "gm-yks-01", "role": "grid_member", "name": "grid member"},
                                     "on_behalf_of_resident": False, "department": "rq-agri", "dispatch_no": 2}
    assert (new["status"], new["closed_as"], new["version"]) == ("closed", "evaluated", 15)
