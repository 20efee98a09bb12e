"""Photo validation with Pillow: an uploaded object is attached to a case only if it decodes fully as an image.

Order of checks, cheapest and safest first:

1. byte size (``too_large``) — without opening anything;
2. the format from the file's signature (magic bytes): JPEG, PNG or WebP; a known other image signature (GIF,
   BMP, TIFF, HEIC/AVIF, ICO) is ``unsupported_format``, anything else ``not_an_image``. Only the one Pillow
   plugin the signature names ever parses the bytes: untrusted input is never offered to every plugin in turn;
3. container length: a PNG without a complete IEND chunk or a WebP shorter than its RIFF header declares is
   ``truncated``; then the header parse by that one plugin;
4. pixel count from the header (``too_many_pixels``) — before any pixel is decoded, so a decompression bomb is
   refused without being inflated; Pillow's own ``Image.MAX_IMAGE_PIXELS`` guard stays in force too
   (``DecompressionBombError``/``DecompressionBombWarning`` both mean ``too_many_pixels``);
5. a structural ``verify()`` (e.g. PNG chunk CRCs), then a fresh open and a full ``load()`` of every frame
   (``truncated`` / ``corrupt``); animated PNG/WebP count every frame's pixels in step 4.
   ``ImageFile.LOAD_TRUNCATED_IMAGES`` is forced off: a truncated image must fail.

Phone JPEGs that carry an MPF secondary image (gain maps, depth maps) open in Pillow as "MPO"; they are JPEG
files and are accepted as ``image/jpeg``; their primary image is the one decoded.
"""
from __future__ import annotations

import io
import struct
import warnings
import zlib
from typing import NamedTuple

from PIL import Image, ImageFile, UnidentifiedImageError

__all__ = ["ALLOWED_TYPES", "InvalidPhoto", "MAX_BYTES", "MAX_PIXELS", "PhotoInfo", "content_type_for", "sniff",
           "validate"]

from chalicelib.domain.photos import ALLOWED_TYPES, MAX_BYTES, MAX_PIXELS  # noqa: E402  (the one home of the limits)

_FORMAT_TO_TYPE = {fmt: content_type for content_type, fmt in ALLOWED_TYPES.items()}
# MPO is how Pillow names a JPEG with a multi-picture (MPF) segment.
_FORMAT_ALIASES = {"MPO": "JPEG"}
# Signatures of image formats that are not accepted (to say "unsupported" rather than "not an image").
_OTHER_SIGNATURES = ((0, b"GIF87a", "GIF"), (0, b"GIF89a", "GIF"), (0, b"BM", "BMP"), (0, b"II*\x00", "TIFF"),
                     (0, b"MM\x00*", "TIFF"), (0, b"\x00\x00\x01\x00", "ICO"), (4, b"ftypheic", "HEIC"),
                     (4, b"ftypheix", "HEIC"), (4, b"ftypmif1", "HEIF"), (4, b"ftypavif", "AVIF"))
_PNG_IEND = b"\x00\x00\x00\x00IEND\xaeB`\x82"  # length 0, type, and the CRC every IEND chunk has
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error, IndexError, TypeError,
                  KeyError)


class InvalidPhoto(Exception):
    """The upload is not an acceptable photo. ``reason_code`` is one of: too_large, not_an_image,
    unsupported_format, too_many_pixels, truncated, corrupt."""

    def __init__(self, reason_code: str, message: str):
        super().__init__(f"{reason_code}: {message}")
        self.reason_code = reason_code
        self.message = message


class PhotoInfo(NamedTuple):
    format: str          # Pillow format name: JPEG, PNG or WEBP
    content_type: str    # image/jpeg, image/png or image/webp
    width: int
    height: int
    bytes: int


def content_type_for(fmt: str) -> str | None:
    """The content type for a Pillow format name, or None when the format is not allowed."""
    return _FORMAT_TO_TYPE.get(_FORMAT_ALIASES.get(fmt, fmt))


def validate(data: bytes, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS) -> PhotoInfo:
    """Check ``data`` is a JPEG, PNG or WebP within the limits that decodes completely; raise ``InvalidPhoto``."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("validate expects bytes")
    size = len(data)
    if size > max_bytes:
        raise InvalidPhoto("too_large", f"{size} bytes is more than the limit of {max_bytes}")
    if size == 0:
        raise InvalidPhoto("not_an_image", "the file is empty")
    data = bytes(data)
    # Never accept a partly decoded image, whatever another module set.
    ImageFile.LOAD_TRUNCATED_IMAGES = False

    signed_as = sniff(data)
    _check_container(data)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        # Header only: format and dimensions.
        with _open(data, signed_as) as img:
            fmt = _FORMAT_ALIASES.get(img.format, img.format)
            content_type = content_type_for(fmt)
            if content_type is None or fmt != signed_as:   # a guard against plugin surprises
                raise InvalidPhoto("unsupported_format", f"{fmt} images are not accepted")
            width, height = img.size
            frames = _frame_count(img) if img.format not in _FORMAT_ALIASES else 1
            _check_pixels(width, height, frames, max_pixels)
            if fmt == "PNG":
                _guard(img.verify)  # chunk CRCs and structure; verify() leaves the image unusable
        # Fresh open, decode every pixel of every frame.
        with _open(data, signed_as) as img:
            for index in range(frames):
                if index:
                    _guard(lambda: img.seek(index))
                _guard(img.load)
    return PhotoInfo(format=fmt, content_type=content_type, width=width, height=height, bytes=size)


def sniff(data: bytes) -> str:
    """The accepted format the file's signature names (JPEG, PNG or WEBP); InvalidPhoto otherwise."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    other = next((name for offset, magic, name in _OTHER_SIGNATURES if data[offset:offset + len(magic)] == magic),
                 None)
    if other:
        raise InvalidPhoto("unsupported_format", f"{other} images are not accepted; use JPEG, PNG or WebP")
    raise InvalidPhoto("not_an_image", "the file is not an image")


def _open(data: bytes, fmt: str) -> Image.Image:
    """Only the plugin of the format the signature names parses the bytes."""
    try:
        return Image.open(io.BytesIO(data), formats=(fmt,))
    except UnidentifiedImageError:
        raise InvalidPhoto("corrupt", f"the file starts like a {fmt} image but is not one") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidPhoto("too_many_pixels", "the image has too many pixels") from None
    except _DECODE_ERRORS as exc:
        raise _decode_failure(exc) from None


def _check_container(data: bytes) -> None:
    """Cut-offs the pixel decoder may miss or report vaguely: a PNG without its complete IEND chunk, a WebP
    shorter than its RIFF header declares."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and _PNG_IEND not in data:
        raise InvalidPhoto("truncated", "the image file is truncated (no complete IEND chunk)")
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and int.from_bytes(data[4:8], "little") + 8 > len(data):
        raise InvalidPhoto("truncated", "the image file is truncated (shorter than its RIFF header declares)")


def _frame_count(img: Image.Image) -> int:
    try:
        return max(1, int(getattr(img, "n_frames", 1)))
    except _DECODE_ERRORS as exc:
        raise _decode_failure(exc) from None


def _check_pixels(width: int, height: int, frames: int, max_pixels: int) -> None:
    if width <= 0 or height <= 0:
        raise InvalidPhoto("corrupt", "the image has no pixels")
    pixels = width * height * frames
    if pixels > max_pixels:
        what = f"{width}x{height}" + (f" x {frames} frames" if frames > 1 else "")
        raise InvalidPhoto("too_many_pixels", f"{what} is more than the limit of {max_pixels} pixels")


def _guard(action) -> None:
    try:
        action()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidPhoto("too_many_pixels", "the image has too many pixels") from None
    except _DECODE_ERRORS as exc:
        raise _decode_failure(exc) from None


def _decode_failure(exc: BaseException) -> InvalidPhoto:
    text = str(exc)
    if isinstance(exc, EOFError) or "truncated" in text.lower() or "premature end" in text.lower():
        return InvalidPhoto("truncated", "the image file is truncated")
    return InvalidPhoto("corrupt", f"the image could not be decoded ({type(exc).__name__})")
