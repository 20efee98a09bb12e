"""Photos of a case: presigned uploads scoped to one case, validation of what arrives, short-lived views."""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import NamedTuple

from ulid import ULID

from chalicelib.domain import access, photos
from chalicelib.domain.times import iso
from chalicelib.domain.errors import Forbidden, InvalidTransition, NotFound
from chalicelib.domain.roles import Principal
from chalicelib.services import changes, timers
from chalicelib.domain import commands
from chalicelib.services.handler import Command, handle
from chalicelib.services.unit_of_work import AbstractUnitOfWork, Preload


def _case_for(uow: AbstractUnitOfWork, p: Principal, case_id: str):
    case = uow.cases.get(case_id)
    if case is None or not access.can_see(p, case):
        raise NotFound(f"no case {case_id} that you can see")
    return case


def request_upload(uow: AbstractUnitOfWork, store, p: Principal, case_id: str, body: commands.PhotoUpload,
                   idempotency_key: str | None = None) -> dict:
    with uow:
        case = _case_for(uow, p, case_id)
    if case.status not in photos.PHASE_STATUSES[body.phase]:
        raise InvalidTransition(f"{body.phase}-photos cannot be added to a case that is {case.status}",
                                status=case.status, allowed_actions=[])
    if not access.may_add_photos(p, case, body.phase):
        raise Forbidden(f"your role or place does not allow adding {body.phase}-photos to this case")
    photo_id = _photo_id(p, case.id, body.phase, idempotency_key)
    key = photos.incoming_key(case.id, body.phase, photo_id)
    form = store.upload_form(key, body.content_type, photos.MAX_BYTES, photos.UPLOAD_SECONDS)
    return {"photo_id": photo_id, "upload": form, "expires_in": photos.UPLOAD_SECONDS, "max_bytes": photos.MAX_BYTES}


def _photo_id(p: Principal, case_id: str, phase: str, idempotency_key: str | None) -> str:
    """A new photo's id; with an Idempotency-Key the same person's same key names the same photo, so an upload
    repeated after a lost answer lands on the same key and is attached once (a second upload is dropped)."""
    if not idempotency_key:
        return str(ULID())
    seed = "\0".join((p.user_id, case_id, phase, idempotency_key)).encode()
    return str(ULID.from_bytes(hashlib.sha256(seed).digest()[:16]))


def view(uow: AbstractUnitOfWork, store, p: Principal, case_id: str, photo_id: str) -> dict:
    with uow:
        case = _case_for(uow, p, case_id)
    photo = next((ph for ph in case.photos if ph["id"] == photo_id), None)
    if photo is None:
        raise NotFound(f"case {case.number} has no photo {photo_id}")
    return {**photo, "url": store.view_url(photo["key"], photos.VIEW_SECONDS), "expires_in": photos.VIEW_SECONDS}


class UploadOutcome(NamedTuple):
    """What the worker did with an uploaded photo, and why."""
    action: str          # attached | rejected | duplicate | gone | ignored
    reason: str = ""


def process_upload(uow: AbstractUnitOfWork, config, store, validate, key: str, now: datetime) -> UploadOutcome:
    """An object arrived under incoming/: decode it fully; attach it, or quarantine it. Safe to repeat.

    The presigned form stays usable for a while, so the key may be written again at any moment: what is attached
    is the bytes that were read and checked (written under a name of their own digest), never a copy of whatever
    the key holds later, and a photo already attached is never replaced."""
    parsed = photos.parse_incoming_key(key)
    if parsed is None:
        return UploadOutcome("ignored", "not an upload key")
    case_id, phase, photo_id = parsed
    data = store.read(key, photos.MAX_BYTES)
    if data is None:
        return UploadOutcome("gone")  # handled by an earlier delivery
    try:
        info = validate(data)
    except Exception as invalid:  # images.InvalidPhoto
        return _quarantine(store, key, data, getattr(invalid, "reason_code", "invalid"))
    target = photos.stored_key(case_id, phase, photo_id, info.content_type, hashlib.sha256(data).hexdigest())

    def decide() -> UploadOutcome:
        case = uow.cases.seen.get(case_id)
        if case is None:
            return _quarantine(store, key, data, "no_such_case")
        if any(p["id"] == photo_id for p in case.photos):
            store.delete(key)   # a second upload to an attached photo's form: dropped
            return UploadOutcome("duplicate")
        store.put(target, data, info.content_type)
        before = timers.needed(case)
        case.attach_photo(now, {"id": photo_id, "phase": phase, "key": target, "content_type": info.content_type,
                                "width": info.width, "height": info.height, "bytes": info.bytes, "at": iso(now)})
        changes.record(uow, case, before, config)
        return UploadOutcome("attached")

    # a concurrent delivery that attached first makes the commit a conflict: retried, then "duplicate"
    outcome = handle(uow, None, Command("attach_photo", reads=Preload(case_ids=[case_id])), decide)
    if outcome.action == "attached":
        store.delete(key)
    return outcome


def _quarantine(store, key: str, data: bytes, reason: str) -> UploadOutcome:
    store.put(photos.quarantine_key(key), data, "application/octet-stream")
    store.delete(key)
    return UploadOutcome("rejected", reason)
