"""Open311 API keys: `<key id>.<secret>`; the secret is stored only as a SHA-256 hash."""
from __future__ import annotations

import hashlib
import hmac
import secrets

from ulid import ULID

from chalicelib.adapters.models import ApiKeyItem


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

    def holder(self, api_key: str | None) -> str | None:
        """The key id of a valid, unrevoked key, else None."""
        if not api_key or "." not in api_key:
            return None
        key_id, _, secret = api_key.partition(".")
        try:
            item = ApiKeyItem.get(key_id, consistent_read=True)
        except ApiKeyItem.DoesNotExist:
            return None
        if item.revoked or not hmac.compare_digest(item.secret_hash, _hash(secret)):
            return None
        return key_id
