"""Receipt photo -> clean page -> tesseract -> text lines -> parsed receipt.

:func:`load` opens the uploaded bytes (anything else is a :class:`ReceiptImageError`) and turns
the photo upright by its EXIF tag. :func:`clean` gives tesseract an easy page: grayscale; the
paper found and the table around it whitened; the tilt measured and removed; the light evened
out; the paper scaled to :data:`TEXT_WIDTH` pixels; an Otsu threshold; a 3 x 3 median against
specks; the printed rules (``-----``) erased. :func:`recognise` runs tesseract (``psm 4``: one
column of lines of varying size; ``psm 6`` finds as many items but fewer header fields on the
generated receipts, see bench/README.md) and puts its words back into printed lines by their
position on the page. :class:`TesseractExtractor` chains these with
:func:`conductor.loyalty.parse.parse_receipt`.

Hand-written here with Pillow, because numpy and OpenCV are not dependencies:

- Otsu's threshold, from the 256-bin histogram (:func:`otsu`);
- the paper (:func:`paper_mask`): the bright area of a 200 px wide copy, closed (dilate, then
  erode, each a box blur and a threshold) so its print counts as paper;
- the skew (:func:`estimate_skew`): the page cut into vertical strips, each strip's row
  profile taken once (a resize to one pixel wide); a trial angle only shifts the strips'
  profiles, and the level angle is the one whose summed profile is peakiest (coarse 0.5
  degree steps, then 0.1);
- the flat field (:func:`flatten`): the paper's brightness from a max filter on a 1/8 copy
  (ink is thin and dark, so the maximum is paper), divided out with :mod:`PIL.ImageMath`;
- the rules (:func:`erase_rules`): bands of ink between blank rows, much thinner than a text
  line and running across the page. Tesseract's layout analysis otherwise takes the items
  between two rules for a picture now and then and drops them.
"""

from __future__ import annotations

import io
import math
import os
import statistics
import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise, zip_longest

import pytesseract
from PIL import Image, ImageChops, ImageFilter, ImageMath, ImageOps, UnidentifiedImageError

from conductor.errors import ConductorError, InvalidInput
from conductor.loyalty.extraction import ExtractedReceipt
from conductor.loyalty.parse import parse_receipt

MAX_PIXELS = 50_000_000
"""A bigger upload is refused before it is decoded (a 48 MP phone photo still passes)."""
TEXT_WIDTH = 1200
"""Pixels across the paper after scaling: 42-column receipts then have ~28 px letters."""
MASK_WIDTH = 200
"""Width of the copy the paper is found on."""
SMALL = 800
"""Width of the copy the skew is measured on."""
SKEW_LIMIT = 6.0
"""Degrees either way the skew search covers; a photo tilted more is read as it is."""
STRIP = 40
"""Width in pixels (on the small copy) of the strips the skew search shifts."""


class ReceiptImageError(InvalidInput):
    """The upload is not an image we can read (empty, another kind of file, cut short, huge)."""


class OcrError(ConductorError):
    """Tesseract failed on a page or took longer than the extractor's timeout. (Tesseract not
    installed at all is pytesseract's ``TesseractNotFoundError``, an ``OSError``.)"""


@dataclass(frozen=True)
class OcrText:
    """What tesseract read: the text lines, top to bottom, and the mean word confidence."""

    lines: tuple[str, ...]
    confidence: float

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Timings:
    """Seconds spent in each stage of the last :meth:`TesseractExtractor.extract` call."""

    clean: float = 0.0
    tesseract: float = 0.0
    parse: float = 0.0
    angle: float = 0.0
    """Degrees the photo was turned by to level it."""


def load(data: bytes) -> Image.Image:
    """The upload as an upright Pillow image, decoded in full (so damage shows up here)."""
    if not data:
        raise ReceiptImageError("the upload is empty: expected a photo of the receipt")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise ReceiptImageError(f"the image is too large ({image.width}x{image.height})")
            image.load()
    except UnidentifiedImageError as exc:
        raise ReceiptImageError("the upload is not an image (expected JPEG, PNG, ...)") from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ReceiptImageError("the image is too large") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ReceiptImageError(f"the image is damaged or cut short ({exc})") from exc
    return ImageOps.exif_transpose(image)


def clean(image: Image.Image, *, text_width: int = TEXT_WIDTH) -> tuple[Image.Image, float]:
    """A black-on-white page: the paper alone, ``text_width`` pixels wide, its lines level,
    shadows gone, printed rules erased. Also the angle (degrees) it was turned by."""
    gray = _gray(image)
    paper = paper_mask(_shrink(gray, MASK_WIDTH))
    small = _shrink(gray, SMALL)
    angle = estimate_skew(ImageChops.multiply(_ink(small), _grow(paper, small.size)))
    paper = _grow(paper, gray.size)
    box = paper.getbbox() or (0, 0, *gray.size)
    gray, paper = gray.crop(box), paper.crop(box)
    if gray.width > 2 * text_width:  # a phone camera's 3000+ pixels: less to turn and clean
        size = (2 * text_width, max(1, round(gray.height * 2 * text_width / gray.width)))
        gray = gray.resize(size, Image.Resampling.BOX)
        paper = paper.resize(size, Image.Resampling.NEAREST)
    gray = ImageChops.lighter(gray, ImageOps.invert(paper))  # the table around it turns white
    if angle:
        gray = gray.rotate(angle, Image.Resampling.BICUBIC, expand=True, fillcolor=255)
        paper = paper.rotate(angle, Image.Resampling.NEAREST, expand=True, fillcolor=0)
        gray = gray.crop(paper.getbbox() or (0, 0, *gray.size))
    gray = flatten(gray)
    size = (text_width, max(1, round(gray.height * text_width / gray.width)))
    gray = gray.resize(size, Image.Resampling.LANCZOS)
    level = otsu(gray)
    page = gray.point(lambda v: 255 if v > level else 0).filter(ImageFilter.MedianFilter(3))
    return erase_rules(page), angle


def _gray(image: Image.Image) -> Image.Image:
    """Luminance; a transparent background counts as white paper, not black."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        image = image.convert("RGBA")
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image)
    return image if image.mode == "L" else ImageOps.grayscale(image)


def recognise(page: Image.Image, *, psm: int = 4, lang: str = "eng", timeout: float = 0) -> OcrText:
    """Tesseract's words, put back into printed lines by where they sit on the page.
    ``timeout`` in seconds (0: none)."""
    try:
        data = pytesseract.image_to_data(
            page, lang=lang, config=f"--psm {psm}", timeout=timeout,
            output_type=pytesseract.Output.DICT,
        )  # fmt: skip
    except RuntimeError as exc:  # pytesseract's TesseractError, and its timeout
        raise OcrError(f"tesseract could not read the page: {exc}") from exc
    lines: dict[tuple[int, int, int], _Line] = {}
    confidences: list[float] = []
    for i, word in enumerate(data["text"]):
        word = word.strip()
        if not word:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        box = (data["left"][i], data["top"][i], data["width"][i], data["height"][i])
        lines.setdefault(key, _Line()).add(box, word)
        if float(data["conf"][i]) >= 0:
            confidences.append(float(data["conf"][i]))
    text = tuple(row.text() for row in _rows(lines.values()))
    return OcrText(text, round(statistics.fmean(confidences), 1) if confidences else 0.0)


@dataclass
class _Line:
    """Words tesseract put on one line. The line's extent is the median of its words' tops
    and bottoms: a speck stuck to one word makes that word's box much taller."""

    boxes: list[tuple[int, int, int, int]] = field(default_factory=list)
    words: list[tuple[int, int, str]] = field(default_factory=list)

    def add(self, box: tuple[int, int, int, int], word: str) -> None:
        self.boxes.append(box)
        self.words.append((box[0], box[2], word))

    @property
    def top(self) -> float:
        return statistics.median(top for _, top, _, _ in self.boxes)

    @property
    def bottom(self) -> float:
        return statistics.median(top + height for _, top, _, height in self.boxes)

    def overlaps(self, other: _Line) -> bool:
        """Half the shorter line's height or more is shared: the same printed line."""
        shared = min(self.bottom, other.bottom) - max(self.top, other.top)
        return shared > 0.5 * min(self.bottom - self.top, other.bottom - other.top)

    def text(self) -> str:
        """The words left to right; a gap of about two letters or more becomes two spaces."""
        words = sorted(self.words)
        letter = sum(w for _, w, _ in words) / max(1, sum(len(t) for _, _, t in words))
        out = words[0][2]
        for (left, width, _), (next_left, _, word) in pairwise(words):
            out += ("  " if next_left - (left + width) > 1.8 * letter else " ") + word
        return out


def _rows(lines: Iterable[_Line]) -> list[_Line]:
    """Tesseract's lines, top to bottom, those side by side (columns it read apart) merged.

    Its reading order follows the blocks it found, which on a receipt can put the footer
    before the totals; the page position is what holds."""
    rows: list[_Line] = []
    for line in sorted(lines, key=lambda line: line.top):
        if rows and rows[-1].overlaps(line):
            rows[-1].boxes += line.boxes
            rows[-1].words += line.words
        else:
            rows.append(line)
    return rows


class TesseractExtractor:
    """The :class:`~conductor.loyalty.extraction.Extractor` on the local tesseract."""

    name = "tesseract"

    def __init__(
        self,
        *,
        psm: int = 4,
        lang: str = "eng",
        text_width: int = TEXT_WIDTH,
        timeout: float = 30.0,
    ) -> None:
        # Tesseract's OpenMP threads made each run 2-3x slower on a busy 2-core machine: one
        # thread per run, unless the environment already says otherwise.
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        self.psm = psm
        self.lang = lang
        self.text_width = text_width
        self.timeout = timeout
        self.timings = Timings()

    def extract(self, image: bytes) -> ExtractedReceipt:
        started = time.perf_counter()
        page, angle = clean(load(image), text_width=self.text_width)
        cleaned = time.perf_counter()
        read = recognise(page, psm=self.psm, lang=self.lang, timeout=self.timeout)
        recognised = time.perf_counter()
        receipt = parse_receipt(read.text, engine=self.name, confidence=read.confidence)
        self.timings = Timings(
            cleaned - started, recognised - cleaned, time.perf_counter() - recognised, angle
        )
        return receipt


# --- the hand-written image steps ------------------------------------------------------------


def otsu(gray: Image.Image) -> int:
    """Otsu's threshold: the gray level that best splits the histogram into two classes."""
    histogram = gray.histogram()[:256]
    total = sum(histogram)
    weighted_sum = sum(i * n for i, n in enumerate(histogram))
    best, best_level, below, below_sum = -1.0, 127, 0, 0.0
    for level, count in enumerate(histogram):
        below += count
        below_sum += level * count
        above = total - below
        if below == 0 or above == 0:
            continue
        between = below * above * (below_sum / below - (weighted_sum - below_sum) / above) ** 2
        if between > best:
            best, best_level = between, level
    return best_level


def estimate_skew(ink: Image.Image, *, limit: float = SKEW_LIMIT) -> float:
    """Degrees to rotate (counter-clockwise) to level the lines of ``ink`` (white on black).

    The page is cut into vertical strips and each strip's row profile taken once; tilting the
    page by a small angle then only shifts each profile up or down by ``x * tan(angle)``, so
    trying an angle costs a sum of shifted lists rather than a rotation. The level angle is the
    one whose summed profile is peakiest (largest sum of squares: ink in a few rows)."""
    strips = max(1, ink.width // STRIP)
    profiles = [
        list(
            ink.crop((k * STRIP, 0, (k + 1) * STRIP, ink.height))
            .resize((1, ink.height), Image.Resampling.BOX)
            .tobytes()
        )
        for k in range(strips)
    ]
    centres = [(k + 0.5) * STRIP - ink.width / 2 for k in range(strips)]

    def peakiness(angle: float) -> float:
        slope = math.tan(math.radians(angle))
        shifts = [round(x * slope) for x in centres]
        low = min(shifts)
        padded = [
            [0] * (shift - low) + profile for shift, profile in zip(shifts, profiles, strict=True)
        ]
        return float(sum(total * total for total in map(sum, zip_longest(*padded, fillvalue=0))))

    # the smallest tilt wins a tie (a blank page stays as it is)
    coarse = max(sorted(_frange(-limit, limit, 0.5), key=abs), key=peakiness)
    near = [a for a in _frange(coarse - 0.4, coarse + 0.4, 0.1) if abs(a) <= limit]
    fine = max(sorted(near, key=abs), key=peakiness)
    return -round(fine, 1) if abs(fine) >= 0.2 else 0.0  # image rows grow downwards


def _frange(start: float, stop: float, step: float) -> list[float]:
    count = round((stop - start) / step)
    return [start + i * step for i in range(count + 1)]


def flatten(gray: Image.Image) -> Image.Image:
    """``gray`` divided by its paper brightness, so shadows and gradients become white."""
    small = gray.resize((max(1, gray.width // 8), max(1, gray.height // 8)), Image.Resampling.BOX)
    paper = small.filter(ImageFilter.MaxFilter(7)).filter(ImageFilter.BoxBlur(4))
    paper = paper.resize(gray.size, Image.Resampling.BILINEAR)
    flat: Image.Image = ImageMath.lambda_eval(
        lambda m: m["convert"](m["float"](m["a"]) * 255 / m["max"](m["b"], 1), "L"),
        a=gray,
        b=paper,
    )
    return flat


def paper_mask(small: Image.Image) -> Image.Image:
    """White where the receipt is: the bright area with its print filled in (at this size a
    stroke is a pixel or two), a pixel in from its edges so they add no line of their own.
    All white when no paper stands out."""
    level = otsu(small)
    bright = small.point(lambda v: 255 if v > level else 0)
    mask = _erode(_dilate(bright, 3), 4)
    share = mask.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    if not isinstance(share, int) or share < 255 * 0.2:
        return Image.new("L", small.size, 255)
    return mask


def _shrink(gray: Image.Image, width: int) -> Image.Image:
    height = max(1, round(width * gray.height / gray.width))
    return gray.resize((width, height), Image.Resampling.BOX)


def _grow(mask: Image.Image, size: tuple[int, int]) -> Image.Image:
    return mask.resize(size, Image.Resampling.BILINEAR).point(lambda v: 255 if v > 127 else 0)


def erase_rules(page: Image.Image) -> Image.Image:
    """White over printed rules (``------``): bands of ink, between blank rows, less than half
    as tall as the median band (a text line) and running across most of the width."""
    rows = ImageOps.invert(page).resize((1, page.height), Image.Resampling.BOX).tobytes()
    bands, start = [], None
    for y, ink in enumerate([*rows, 0]):
        if ink > 2 and start is None:
            start = y
        elif ink <= 2 and start is not None:
            bands.append((start, y))
            start = None
    if not bands:
        return page
    line = statistics.median(bottom - top for top, bottom in bands)
    page = page.copy()
    for top, bottom in bands:
        if bottom - top < 0.5 * line and _spans(page.crop((0, top, page.width, bottom))):
            page.paste(255, (0, top, page.width, bottom))
    return page


def _spans(band: Image.Image) -> bool:
    columns = ImageOps.invert(band).resize((band.width, 1), Image.Resampling.BOX).tobytes()
    inked = [x for x, ink in enumerate(columns) if ink > 20]
    return bool(inked) and inked[-1] - inked[0] > 0.6 * band.width and len(inked) > 0.3 * band.width


def _dilate(mask: Image.Image, radius: int) -> Image.Image:
    """White grows by ``radius`` pixels (a box blur: any white nearby makes it non-zero)."""
    return mask.filter(ImageFilter.BoxBlur(radius)).point(lambda v: 255 if v > 0 else 0)


def _erode(mask: Image.Image, radius: int) -> Image.Image:
    """White shrinks by ``radius`` pixels (only all-white neighbourhoods stay white)."""
    return mask.filter(ImageFilter.BoxBlur(radius)).point(lambda v: 255 if v > 250 else 0)


def _ink(small: Image.Image) -> Image.Image:
    level = otsu(small)
    return small.point(lambda v: 255 if v <= level else 0)
