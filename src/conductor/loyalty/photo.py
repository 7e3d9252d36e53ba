"""Checking an uploaded receipt photo: a real picture this server can read, within limits.

The same photo sent twice is spotted by its SHA-256 here and, re-encoded or resized, by what
is printed on it (:func:`conductor.loyalty.service.submit_receipt`): pixel fingerprints
(difference hashes) cannot tell two receipts from the same till, photographed the same way,
from one photo saved twice; the printed text can.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from conductor.errors import InvalidInput

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIF": "image/heic"}
"""What Pillow can open, by its format name, with the content type stored (HEIF only where
the pillow-heif plugin is installed; without it an iPhone HEIC photo gets a clear refusal)."""
DECLARED = {
    "image/jpeg",
    "image/jpg",
    "image/pjpeg",
    "image/png",
    "image/webp",
    "image/heic",
    "image/heif",
    "application/octet-stream",
    "",
}
"""Content types a browser or a script may declare for a photo (the bytes decide)."""
MIN_SIDE = 200
MAX_PIXELS = 40_000_000


class UploadError(InvalidInput):
    """The upload is not a receipt photo this server can read; the message says why."""


@dataclass(frozen=True)
class Photo:
    data: bytes
    content_type: str
    width: int
    height: int
    sha256: str


def check_upload(data: bytes, declared_type: str | None, *, max_bytes: int) -> Photo:
    """The upload as a :class:`Photo`, or :class:`UploadError` saying what is wrong with it."""
    if not data:
        raise UploadError("the file is empty; choose a photo of the receipt")
    if len(data) > max_bytes:
        raise UploadError(
            f"the photo is {len(data) / 1e6:.1f} MB; the largest accepted is "
            f"{max_bytes / 1e6:.0f} MB (a phone photo at normal quality is 2-5 MB)"
        )
    declared = (declared_type or "").split(";")[0].strip().lower()
    if declared not in DECLARED:
        raise UploadError(f"a {declared} file is not a photo; send a JPEG or PNG picture")
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format or ""
            if fmt not in FORMATS:
                raise UploadError(f"{fmt or 'this'} images are not accepted; send a JPEG or PNG")
            if image.width * image.height > MAX_PIXELS:
                raise UploadError("the picture is too large in pixels; send a normal phone photo")
            image.load()
            oriented = ImageOps.exif_transpose(image)
            width, height = oriented.size
    except UploadError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UploadError(
            "the file is not a picture this server can read (HEIC photos need a JPEG copy: "
            "on iPhone, Settings > Camera > Formats > Most Compatible)"
        ) from exc
    if min(width, height) < MIN_SIDE:
        raise UploadError(f"the picture is only {width}x{height} pixels; the receipt is unreadable")
    return Photo(data, FORMATS[fmt], width, height, hashlib.sha256(data).hexdigest())
