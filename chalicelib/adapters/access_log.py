"""The access log of unmasked personal-data reads (one item per read)."""
from ulid import ULID

from chalicelib.adapters.models import AccessLogItem


class DynamoAccessLog:
    def record(self, *, case_id: str, user_id: str, role: str, at: str, purpose: str) -> None:
        AccessLogItem(case_id, str(ULID()), user_id=user_id, role=role, at=at, purpose=purpose).save()

    def reads_of(self, case_id: str) -> list[dict]:
        return [{"user_id": i.user_id, "role": i.role, "at": i.at, "purpose": i.purpose}
                for i in AccessLogItem.query(case_id)]
