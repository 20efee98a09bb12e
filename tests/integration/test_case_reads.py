"""A page's cases are read in one round trip however long the page: a long one (Open311's holds up to 1,000) is
several BatchGetItems of 100 keys, sent at once. Counted by the shared recorder of AWS calls (support/calls.py);
each call is held a little so that calls sent in parallel overlap, and the rounds are the longest chain of calls
each ending before the next begins."""
from chalicelib.adapters.case_repository import DynamoCaseRepository, case_item
from chalicelib.adapters.models import CaseItem
from support.calls import RECORDER, Collector, dynamodb, rounds
from tests.builders import reported


def test_a_page_of_250_cases_is_three_batch_reads_in_one_round_trip(tables):
    cases = [reported(case_id=f"01CASE{n:05d}", number=f"RQ-2026-{n:06d}") for n in range(250)]
    with CaseItem.batch_write() as batch:
        for case in cases:
            batch.save(case_item(case))
    collector = Collector(keep=dynamodb, latency=0.5)
    RECORDER.add_listener(collector)
    try:
        found = DynamoCaseRepository().get_many([c.id for c in cases] + [cases[0].id, "01NOSUCHCASE"])
    finally:
        RECORDER.remove_listener(collector)
    assert sorted(found) == sorted(c.id for c in cases)
    assert found["01CASE00042"].number == "RQ-2026-000042"
    assert [c.operation for c in collector.calls] == ["BatchGetItem"] * 3      # 100 + 100 + 51 keys
    assert rounds(collector.calls) == 1
