"""Put the personal-data access log and the Open311 keys of an older deployment on the administrator's lists
(safe to run again, and while the API runs).

`GET /admin/access-log` reads the log month by month from the `by-month` index, and `GET /admin/open311-keys`
reads the `listed` index: an item reaches an index only with its key attribute, which reads and keys written
before those lists existed do not have. Without this, an administrator's view of who read whose personal data
starts at the upgrade (the reads of one case, `?case=`, were always complete). Each old item gains the attribute
in one update conditioned on its still lacking it. Reading whole tables is allowed here, as in admin/recount.py.

    python -m admin.index_admin_lists      # against the tables named by TABLE_PREFIX (and AWS_ENDPOINT_URL)
"""
from __future__ import annotations

import sys


def index_all() -> dict[str, int]:
    from pynamodb.exceptions import UpdateError

    from chalicelib.adapters.access_log import month_of
    from chalicelib.adapters.models import LISTED, AccessLogItem, ApiKeyItem
    done = {"access_log_entries": 0, "api_keys": 0, "already_indexed": 0}

    def give(item, attribute, value, counter) -> None:
        try:
            item.update(actions=[attribute.set(value)], condition=attribute.does_not_exist())
            done[counter] += 1
        except UpdateError as error:
            if getattr(error, "cause_response_code", None) != "ConditionalCheckFailedException":
                raise
            done["already_indexed"] += 1      # written by the API meanwhile, or by an earlier run

    for entry in AccessLogItem.scan(AccessLogItem.month.does_not_exist(), consistent_read=True):
        give(entry, AccessLogItem.month, month_of(entry.at), "access_log_entries")
    for key in ApiKeyItem.scan(ApiKeyItem.listing.does_not_exist(), consistent_read=True):
        give(key, ApiKeyItem.listing, LISTED, "api_keys")
    return done


def main() -> int:
    print(index_all())
    return 0


if __name__ == "__main__":
    sys.exit(main())
