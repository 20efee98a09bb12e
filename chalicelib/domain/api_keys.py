"""Open311 API keys: `<key id>.<secret>`. Only the secret's SHA-256 is kept; a revoked key stays, refused."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import NamedTuple


class ApiKey(NamedTuple):
    """An Open311 client's key: its id, the hash of its secret, whether revoked."""
    key_id: str
    secret_hash: str
    revoked: bool = False
    name: str = ""              # who the key is for
    created_by: str = ""
    created_at: str = ""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(key_id: str, name: str, created_by: str, created_at: str) -> tuple[ApiKey, str]:
    """A new key: what is kept of it, and the key itself (shown once, never stored)."""
    secret = secrets.token_urlsafe(32)
    return ApiKey(key_id, _hash(secret), False, name, created_by, created_at), f"{key_id}.{secret}"


def key_id_of(api_key: str | None) -> str | None:
    """The id part of `<key id>.<secret>` (nothing verified), or None if it is not of that form."""
    if not api_key or "." not in api_key:
        return None
    key_id, _, secret = api_key.partition(".")
    return key_id if key_id and secret else None


def verify(api_key: str | None, record: ApiKey | None) -> str | None:
    """The key id if `record` (the stored key, read e.g. with a write's one read) is this key's, unrevoked and
    its secret matches; else None."""
    key_id = key_id_of(api_key)
    if key_id is None or record is None or record.key_id != key_id or record.revoked:
        return None
    return key_id if hmac.compare_digest(record.secret_hash, _hash(api_key.partition(".")[2])) else None
