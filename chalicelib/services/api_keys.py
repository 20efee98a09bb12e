"""Open311 API keys, issued and revoked by the county admin: each a command over the unit of work."""
from __future__ import annotations

from datetime import datetime

from ulid import ULID

from chalicelib.domain import access, api_keys, commands
from chalicelib.domain.errors import Forbidden, NotFound
from chalicelib.domain.roles import Principal
from chalicelib.domain.times import iso
from chalicelib.services.handler import Command, handle
from chalicelib.services.unit_of_work import AbstractUnitOfWork, Preload


def issue(uow: AbstractUnitOfWork, p: Principal, body: commands.IssueApiKey, now: datetime) -> dict:
    """A new key, shown once. Not replayed by Idempotency-Key: its secret is never stored, not even in an answer
    kept for a retry."""
    if not access.may_manage_api_keys(p):
        raise Forbidden("only the county admin issues Open311 API keys")

    def decide() -> dict:
        record, api_key = api_keys.issue(str(ULID()).lower(), body.name, p.user_id, iso(now))
        uow.api_keys_added.append(record)
        return {"key_id": record.key_id, "api_key": api_key, "name": record.name, "created_at": record.created_at}

    return handle(uow, p, Command("issue_api_key"), decide)


def revoke(uow: AbstractUnitOfWork, p: Principal, key_id: str) -> dict:
    if not access.may_manage_api_keys(p):
        raise Forbidden("only the county admin revokes Open311 API keys")

    def decide() -> dict:
        if uow.api_keys.get(key_id) is None:
            raise NotFound(f"no API key {key_id}")
        uow.api_keys_revoked.append(key_id)
        return {"key_id": key_id, "revoked": True}

    return handle(uow, p, Command("revoke_api_key", reads=Preload(api_key_ids=[key_id])), decide)
