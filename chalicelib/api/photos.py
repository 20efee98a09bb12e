"""Photo routes: a presigned upload form scoped to one case, and short-lived links to view."""
from chalice import Blueprint

from chalicelib import runtime
from chalicelib.api.http import header, parse_body, principal, route
from chalicelib.services import photos
from chalicelib.domain import commands

bp = Blueprint(__name__)
TAG = "photos"


@route(bp, "/cases/{case_id}/photos", "POST", "A presigned upload form for one photo of the case", TAG,
       body=commands.PhotoUpload, success=201,
       headers={"Idempotency-Key": "optional; the same key names the same photo, so a photo uploaded again after a "
                                   "lost answer is attached once"})
def request_photo_upload(case_id):
    request = bp.current_request
    body = parse_body(request, commands.PhotoUpload)
    return photos.request_upload(runtime.new_uow(), runtime.photo_store(), principal(request), case_id, body,
                                 idempotency_key=header(request, "Idempotency-Key"))


@route(bp, "/cases/{case_id}/photos/{photo_id}", "GET", "A short-lived link to one attached photo", TAG)
def view_photo(case_id, photo_id):
    request = bp.current_request
    return photos.view(runtime.new_uow(), runtime.photo_store(), principal(request), case_id, photo_id)
