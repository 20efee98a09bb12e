"""Open311 API keys: `<key id>.<secret>`; the secret is stored only as a SHA-256 hash."""
from __future__ import annotations

import hashlib
import hmac
import secrets

from ulid import ULID

from chalicelib.adapters.models import ApiKeyItem
from chalicelib.services.unit_of_work import ApiKeyRecord


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class DynamoApiKeys:
    def issue(self, name: str, created_by: str, now_iso: str) -> dict:
        key_id, secret = str(ULID()).lower(), secrets.token_urlsafe(32)
        ApiKeyItem(key_id, secret_hash=_hash(secret), name=name, created_by=created_by, created_at=now_iso,
                   revoked=False).save(condition=ApiKeyItem.key_id.does_not_exist())
        return {"key_id": key_id, "api_key": f"{key_id}.{secret}", "name": name, "created_at": now_iso}

    def revoke(self, key_id: str) -> bool:
        try:
            item = ApiKeyItem.get(key_id)
        except ApiKeyItem.DoesNotExist:
            return False
        item.update(actions=[ApiKeyItem.revoked.set(True)])
        return True

    @staticmethod
    def key_id(api_key: str | None) -> str | None:
        """The id part of `<key id>.<secret>` (no read, nothing verified), or None if it is not of that form."""
        if not api_key or "." not in api_key:
            return None
        key_id, _, secret = api_key.partition(".")
        return key_id if key_id and secret else None

    @staticmethod
    def verify(api_key: str | None, record: ApiKeyRecord | None) -> str | None:
        """The key id if `record` (the stored key, read e.g. with a write's one read) is this key's, unrevoked
        and its secret matches; else None."""
        key_id = DynamoApiKeys.key_id(api_key)
        if key_id is None or record is None or record.key_id != key_id or record.revoked:
            return None
        return key_id if hmac.compare_digest(record.secret_hash, _hash(api_key.partition(".")[2])) else None

    def holder(self, api_key: str | None) -> str | None:
        """The key id of a valid, unrevoked key, else None (one GetItem)."""
        key_id = self.key_id(api_key)
        if key_id is None:
            return None
        try:
            item = ApiKeyItem.get(key_id, consistent_read=True)
        except ApiKeyItem.DoesNotExist:
            return None
        return self.verify(api_key, ApiKeyRecord(item.key_id, item.secret_hash, bool(item.revoked)))
