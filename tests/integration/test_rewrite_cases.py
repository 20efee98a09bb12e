"""admin/rewrite_cases.py on moto: items in the format of the first release (plain-JSON aggregate, inbox links without
their status key) are read as they are and rewritten so the status inbox finds them."""
import json

from admin.rewrite_cases import rewrite_all
from chalicelib.adapters import dynamo
from chalicelib.adapters.case_repository import case_item
from chalicelib.adapters.unit_of_work import DynamoUnitOfWork
from chalicelib.adapters.models import AssignmentItem, CaseItem
from chalicelib.services.unit_of_work import ListQuery
from tests.builders import dispatched


def legacy_items(case):
    """The case item and its inbox link as the adapter wrote them before: `doc` a JSON string, links bare."""
    item = case_item(case).serialize()
    item["doc"] = {"S": json.dumps(case.to_dict())}
    link = {"department": {"S": "rq-agri"}, "case_id": {"S": case.id}, "role": {"S": "lead"},
            "active": {"BOOL": True}, "status": {"S": case.status}}
    return item, link


def test_a_case_written_in_the_old_format_is_read_and_after_the_rewrite_found_by_the_status_inbox(tables):
    case = dispatched(co_handlers=())
    item, link = legacy_items(case)
    client = dynamo.connection().client
    client.put_item(TableName=CaseItem.Meta.table_name, Item=item)
    client.put_item(TableName=AssignmentItem.Meta.table_name, Item=link)
    assert CaseItem.get(case.id).doc["id"] == case.id                    # the old format still reads

    def status_inbox():
        with DynamoUnitOfWork() as uow:
            return [c.id for c in uow.cases.list(ListQuery(department="rq-agri", status="dispatched", limit=10), []).items]

    assert status_inbox() == []                                           # the index misses the old link
    assert rewrite_all() == {"cases": 1, "links": 1, "changed_meanwhile": 0}
    assert status_inbox() == [case.id]
    raw = client.get_item(TableName=CaseItem.Meta.table_name, Key={"case_id": {"S": case.id}})["Item"]
    assert "B" in raw["doc"] and CaseItem.get(case.id).doc == case.to_dict()
    assert rewrite_all() == {"cases": 1, "links": 1, "changed_meanwhile": 0}   # safe to run again
    assert status_inbox() == [case.id]
