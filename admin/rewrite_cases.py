"""Rewrite every case item and its inbox links in the current format (safe to run again).

For a deployment whose items predate a format change: case aggregates stored as plain JSON (now compressed),
inbox links without `dept_status`, `kind` and `category` (the `by-dept-status` index and the inbox's filters
would miss them), cases without `next_due` and `attention` (the lists' `due_before` and `attention` filters would
miss them). Each case is rewritten only if its version is still the one read, so a case changed meanwhile
is left as its own write made it. Reading a whole table is allowed here, as in admin/recount.py.

    python -m admin.rewrite_cases            # against the tables named by TABLE_PREFIX (and AWS_ENDPOINT_URL)
"""
from __future__ import annotations

import sys

from pynamodb.exceptions import PutError


def rewrite_all() -> dict[str, int]:
    from chalicelib.adapters.case_repository import case_from_item, case_item, inbox_links
    from chalicelib.adapters.models import AssignmentItem, CaseItem
    done = {"cases": 0, "links": 0, "changed_meanwhile": 0}
    for item in CaseItem.scan(consistent_read=True):
        case = case_from_item(item)
        try:
            case_item(case).save(condition=CaseItem.version == case.version)
        except PutError:
            done["changed_meanwhile"] += 1   # its own write already used the current format
            continue
        with AssignmentItem.batch_write() as batch:
            for link in inbox_links(case):
                batch.save(link)
                done["links"] += 1
        done["cases"] += 1
    return done


def main() -> int:
    print(rewrite_all())
    return 0


if __name__ == "__main__":
    sys.exit(main())
