"""Photo validation: only JPEG, PNG and WebP that decode fully and stay within the size and pixel limits."""
from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageFile

from chalicelib.adapters import images
from chalicelib.adapters.images import InvalidPhoto, PhotoInfo, validate


def picture(fmt: str, size=(320, 240), **save_args) -> bytes:
    """A real photo-like image (gradient plus noise) encoded by Pillow."""
    width, height = size
    gradient = Image.linear_gradient("L").resize(size)
    noise = Image.effect_noise(size, 40)
    img = Image.merge("RGB", (gradient, noise, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    out = io.BytesIO()
    img.save(out, fmt, **save_args)
    return out.getvalue()


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def single_colour_png(width: int, height: int) -> bytes:
    """A complete, valid 1-bit greyscale PNG of a black image, built without holding its pixels in memory.

    Every scanline is filter byte 0 followed by zero bits, so the raw stream is all zeros and deflates to almost
    nothing: a 20000x20000 image is a few tens of kilobytes — a decompression bomb.
    """
    raw_size = ((width + 7) // 8 + 1) * height
    compressor = zlib.compressobj(9)
    block = bytes(1 << 20)
    parts = []
    while raw_size:
        step = min(raw_size, len(block))
        parts.append(compressor.compress(block[:step]))
        raw_size -= step
    parts.append(compressor.flush())
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", b"".join(parts))
            + _chunk(b"IEND", b""))


@pytest.fixture
def no_decoding(monkeypatch):
    """Fails the test if any pixel data is decoded."""
    def refuse(self, *args, **kwargs):
        raise AssertionError("pixels were decoded")
    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


def reason(data: bytes, **limits) -> str:
    with pytest.raises(InvalidPhoto) as failure:
        validate(data, **limits)
    return failure.value.reason_code


# --- accepted --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt, content_type", [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")])
def test_real_images_are_accepted(fmt, content_type):
    data = picture(fmt)
    assert validate(data) == PhotoInfo(format=fmt, content_type=content_type, width=320, height=240,
                                       bytes=len(data))


def test_allowed_types_and_limits():
    assert images.ALLOWED_TYPES == {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
    assert images.MAX_BYTES == 10 * 1024 * 1024
    assert images.MAX_PIXELS == 40_000_000


def test_crafted_png_helper_makes_a_valid_png():
    assert validate(single_colour_png(64, 48)).format == "PNG"


def test_jpeg_with_a_multi_picture_segment_is_a_jpeg():
    # Phone cameras add MPF secondary images (gain or depth maps); Pillow names such files "MPO".
    primary, secondary = Image.new("RGB", (64, 48), "red"), Image.new("RGB", (32, 24), "blue")
    out = io.BytesIO()
    primary.save(out, "MPO", save_all=True, append_images=[secondary])
    info = validate(out.getvalue())
    assert (info.format, info.content_type, info.width, info.height) == ("JPEG", "image/jpeg", 64, 48)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_animated_images_count_every_frame(fmt):
    frames = [Image.new("RGB", (64, 48), colour) for colour in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, fmt, save_all=True, append_images=frames[1:])
    assert validate(out.getvalue()).format == fmt
    assert reason(out.getvalue(), max_pixels=64 * 48 * 2) == "too_many_pixels"


# --- refused ---------------------------------------------------------------------------------------------------

def test_text_is_not_an_image():
    assert reason(b"hello, not a picture") == "not_an_image"


def test_empty_file_is_not_an_image():
    assert reason(b"") == "not_an_image"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_first_half_of_a_real_image_is_refused(fmt):
    data = picture(fmt)
    assert reason(data[: len(data) // 2]) in {"truncated", "corrupt"}


def test_truncated_jpeg_is_refused_even_if_someone_allowed_truncated_images(monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    data = picture("JPEG")
    assert reason(data[: len(data) // 2]) in {"truncated", "corrupt"}
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_jpeg_missing_only_its_last_bytes_is_refused():
    data = picture("JPEG")
    assert reason(data[:-2]) in {"truncated", "corrupt"}


def test_png_with_a_damaged_pixel_chunk_is_corrupt():
    data = bytearray(picture("PNG"))
    middle = len(data) // 2
    data[middle: middle + 16] = bytes(b ^ 0xFF for b in data[middle: middle + 16])
    assert reason(bytes(data)) == "corrupt"


def test_oversize_bytes_are_too_large_without_decoding(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the file was opened")
    monkeypatch.setattr(Image, "open", refuse)
    assert reason(b"\xff\xd8\xff" + bytes(images.MAX_BYTES)) == "too_large"
    assert reason(b"x" * 101, max_bytes=100) == "too_large"


def test_a_decompression_bomb_is_refused_without_decoding(no_decoding):
    bomb = single_colour_png(20000, 20000)  # 400 million pixels in a few tens of kilobytes
    assert len(bomb) < 200_000
    assert reason(bomb) == "too_many_pixels"


def test_pixel_limit_is_checked_from_the_header_before_decoding(no_decoding):
    # 48 million pixels: below Pillow's own bomb threshold, above ours.
    assert reason(single_colour_png(8000, 6000)) == "too_many_pixels"


def test_pillows_own_bomb_guard_still_applies_when_the_caller_raises_the_limit(no_decoding):
    # 100 million pixels: Pillow's DecompressionBombWarning (above Image.MAX_IMAGE_PIXELS) is a refusal too.
    assert Image.MAX_IMAGE_PIXELS < 100_000_000
    assert reason(single_colour_png(10000, 10000), max_pixels=10**9) == "too_many_pixels"


def test_a_lowered_pixel_limit_applies_to_real_images():
    assert reason(picture("JPEG"), max_pixels=320 * 240 - 1) == "too_many_pixels"
    assert validate(picture("JPEG"), max_pixels=320 * 240).width == 320


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_image_formats_are_unsupported(fmt):
    assert reason(picture(fmt)) == "unsupported_format"


def test_invalid_photo_carries_code_and_message():
    with pytest.raises(InvalidPhoto) as failure:
        validate(b"hello, not a picture")
    assert failure.value.reason_code == "not_an_image"
    assert failure.value.message


@pytest.fixture
def spy_plugin(monkeypatch):
    """An extra Pillow plugin that records every file offered to it (Pillow asks each plugin in turn)."""
    offered = []

    def accept(prefix):
        offered.append(bytes(prefix[:8]))
        return False

    monkeypatch.setattr(Image, "ID", list(Image.ID))
    monkeypatch.setattr(Image, "OPEN", dict(Image.OPEN))
    Image.register_open("SPY", lambda fp, filename=None: None, accept)
    return offered


@pytest.mark.parametrize("data", [picture("JPEG"), picture("PNG"), picture("WEBP"), picture("GIF"), picture("BMP"),
                                  b"hello, not a picture", bytes(range(256)) * 4],
                         ids=["jpeg", "png", "webp", "gif", "bmp", "text", "noise"])
def test_uploaded_bytes_reach_only_the_decoder_their_signature_names(spy_plugin, data):
    try:
        validate(data)
    except InvalidPhoto:
        pass
    assert spy_plugin == []


@pytest.mark.parametrize("data,expected", [
    (b"GIF89a" + bytes(100), "unsupported_format"), (b"BM" + bytes(100), "unsupported_format"),
    (b"II*\x00" + bytes(100), "unsupported_format"), (b"\x00\x00\x00\x18ftypheic" + bytes(100), "unsupported_format"),
    (b"%PDF-1.7" + bytes(100), "not_an_image"), (b"\xff\xd8\xff" + bytes(100), "corrupt"),
])
def test_the_format_is_told_by_its_signature(data, expected):
    assert reason(data) in ({expected} if expected != "corrupt" else {"corrupt", "truncated"})
