"""Checking an uploaded receipt photo, and fingerprints for spotting the same photo twice.

The difference hash (dHash: 8x8 brightness gradients of a 9x8 thumbnail) is written here
because the maintained packages for it (``imagehash``) pull in numpy and scipy for ten lines of
Pillow. Two photos whose hashes differ in at most :data:`NEAR_BITS` bits are near-identical:
the same image re-encoded, resized or lightly cropped.
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
NEAR_BITS = 6
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
    dhash: str


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
            fingerprint = dhash(oriented)
    except UploadError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UploadError(
            "the file is not a picture this server can read (HEIC photos need a JPEG copy: "
            "on iPhone, Settings > Camera > Formats > Most Compatible)"
        ) from exc
    if min(width, height) < MIN_SIDE:
        raise UploadError(f"the picture is only {width}x{height} pixels; the receipt is unreadable")
    return Photo(data, FORMATS[fmt], width, height, hashlib.sha256(data).hexdigest(), fingerprint)


def dhash(image: Image.Image) -> str:
    """64-bit difference hash as 16 hex digits."""
    small = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = small.tobytes()
    bits = 0
    for row in range(8):
        for col in range(8):
            left, right = pixels[row * 9 + col], pixels[row * 9 + col + 1]
            bits = (bits << 1) | (left > right)
    return f"{bits:016x}"


def distance(a: str, b: str) -> int:
    """Bits that differ between two hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()
