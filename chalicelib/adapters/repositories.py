"""The repositories of households and visits on DynamoDB (cases have theirs: case_repository.py)."""
from __future__ import annotations

import json

from chalicelib.adapters.models import HouseholdItem, VisitItem
from chalicelib.adapters.paging import one_page
from chalicelib.domain.household import Household
from chalicelib.services.unit_of_work import AbstractHouseholdRepository, AbstractVisitRepository, Page


class DynamoHouseholdRepository(AbstractHouseholdRepository):
    def _get(self, household_id: str) -> Household | None:
        try:
            return Household.from_dict(HouseholdItem.get(household_id, consistent_read=True).doc)
        except HouseholdItem.DoesNotExist:
            return None

    def list_by_grid(self, grid: str, limit: int, cursor: str | None) -> Page:
        items, next_cursor, scanned = one_page(
            lambda last: HouseholdItem.by_grid.query(grid, page_size=limit, last_evaluated_key=last),
            "households:" + grid, cursor)
        ids = [item["household_id"]["S"] for item in items]
        found = {i.household_id: Household.from_dict(i.doc) for i in HouseholdItem.batch_get(ids)} if ids else {}
        return Page([found[i] for i in ids if i in found], next_cursor, scanned=scanned)


class DynamoVisitRepository(AbstractVisitRepository):
    def between(self, grid, first_id, end_id, limit, cursor):
        items, next_cursor, scanned = one_page(
            lambda last: VisitItem.by_grid.query(grid, range_key_condition=VisitItem.visit_id.between(first_id, end_id),
                                                 page_size=limit, last_evaluated_key=last),
            f"visits:{grid}:{first_id}:{end_id}", cursor)
        return Page([json.loads(i["doc"]["S"]) for i in items if i["visit_id"]["S"] < end_id], next_cursor,
                    scanned=scanned)
