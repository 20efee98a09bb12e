"""What arrives in the photo bucket becomes evidence only as the bytes that were checked, and stays that way."""
import io

from PIL import Image

from chalicelib.adapters import images
from chalicelib.domain import photos
from chalicelib.services import photos as photo_service
from tests.builders import T0, at, report_body
from support.fakes import FakePhotoStore, FakeUnitOfWork, Store


def jpeg(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


def new_case(config, store):
    from chalicelib.domain.roles import Principal
    from chalicelib.services import cases
    gm = Principal("gm-yks-01", "grid_member", grid="BZ.RQ.TGLK.YKS.G01")
    return cases.report_case(FakeUnitOfWork(store), config, gm, report_body(), T0)["id"]


def stored(bucket, case_id):
    return {k: v for k, v in bucket.objects.items() if k.startswith(photos.STORED + case_id)}


def test_an_object_swapped_after_its_check_is_not_what_gets_attached(config):
    store = Store()
    case_id = new_case(config, store)
    key = photos.incoming_key(case_id, "before", "01PHOTO")
    checked = jpeg("green")

    def swap(read_key):   # the uploader posts again with the same form while the worker is deciding
        bucket.objects[read_key] = b"not the photo that was checked"

    bucket = FakePhotoStore(on_read=swap)
    bucket.objects[key] = checked
    outcome = photo_service.process_upload(FakeUnitOfWork(store), config, bucket, images.validate, key, at(1))
    assert outcome.action == "attached"
    assert list(stored(bucket, case_id).values()) == [checked]


def test_a_second_upload_to_an_attached_photos_key_changes_nothing(config):
    store = Store()
    case_id = new_case(config, store)
    key = photos.incoming_key(case_id, "before", "01PHOTO")
    bucket = FakePhotoStore()
    first, second = jpeg("green"), jpeg("red")
    bucket.objects[key] = first
    assert photo_service.process_upload(FakeUnitOfWork(store), config, bucket, images.validate, key, at(1)).action \
        == "attached"
    attached = dict(stored(bucket, case_id))
    bucket.objects[key] = second                       # the form is valid for 10 minutes: the same key again
    again = photo_service.process_upload(FakeUnitOfWork(store), config, bucket, images.validate, key, at(2))
    assert again.action == "duplicate"
    assert stored(bucket, case_id) == attached and list(attached.values()) == [first]
    assert key not in bucket.objects                   # the second upload is gone, not kept
    assert [p["id"] for p in store.cases[case_id]["photos"]] == ["01PHOTO"]
