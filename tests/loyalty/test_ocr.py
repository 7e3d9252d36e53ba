"""Receipt photos through the real tesseract: receipts drawn by :mod:`conductor.demo.receipts`
in each layout and font, tilted and noisy, read by :class:`TesseractExtractor` end to end;
photos that are no photos refused with a clear message. (bench/receipts.py measures the same
on 60 receipts; these are fixed ones that must keep reading right.)"""

from __future__ import annotations

import io
import random
import struct
import zlib

import pytest
from PIL import Image
from rapidfuzz import fuzz

from conductor.demo.receipts import (
    ReceiptSpec,
    printed_lines,
    random_receipt_spec,
    render_receipt,
    sample_products,
)
from conductor.loyalty.extraction import ExtractedReceipt
from conductor.loyalty.ocr import (
    OcrError,
    ReceiptImageError,
    TesseractExtractor,
    clean,
    load,
    otsu,
)

PRODUCTS = sample_products(random.Random(0), 60)
SIMILAR = 85


def receipt(seed: int) -> ReceiptSpec:
    return random_receipt_spec(random.Random(seed), PRODUCTS)


@pytest.fixture(scope="module")
def extractor() -> TesseractExtractor:
    return TesseractExtractor()


def assert_reads(
    got: ExtractedReceipt, spec: ReceiptSpec, layout: str, font: str, size: int
) -> None:
    assert fuzz.ratio(got.dispensary or "", spec.dispensary, processor=str.casefold) >= SIMILAR
    assert got.receipt_number == spec.receipt_number
    assert (got.cashier or "").casefold() == spec.cashier.casefold()
    assert got.purchased_at == spec.purchased_at
    printed = printed_lines(spec, layout, font, size)
    assert len(got.lines) == len(printed), got.text
    for want, line in zip(printed, got.lines, strict=True):
        assert fuzz.ratio(line.name, want.name, processor=str.casefold) >= SIMILAR, got.text
        assert (line.quantity, line.unit_price, line.total) == (
            want.quantity, want.unit_price, want.total), got.text  # fmt: skip
    assert (got.subtotal, got.tax, got.total) == (spec.subtotal, spec.tax, spec.total), got.text
    assert got.discount == (spec.discount or None)
    assert got.engine == "tesseract"
    assert 50 < got.confidence <= 100


@pytest.mark.parametrize(
    ("layout", "font", "size", "rotation", "noise", "seed"),
    [
        ("inline", "mono", 22, 2.5, 0.6, 20),
        ("inline", "sans", 24, -1.5, 0.5, 2),
        ("inline", "serif", 20, 0.0, 0.3, 3),
        ("stacked", "mono", 21, -2.0, 0.6, 4),
        ("stacked", "sans", 26, 1.0, 0.9, 5),
        ("stacked", "serif", 23, 3.0, 0.4, 6),
        ("qty-first", "mono", 25, -3.0, 0.7, 7),
        ("qty-first", "sans", 22, 2.0, 1.0, 8),
        ("qty-first", "serif", 24, -0.5, 0.6, 9),
    ],
)
def test_tesseract_reads_every_field_of_a_photographed_receipt(
    extractor: TesseractExtractor,
    layout: str,
    font: str,
    size: int,
    rotation: float,
    noise: float,
    seed: int,
) -> None:
    spec = receipt(seed)
    image = render_receipt(
        spec, layout=layout, font=font, font_size=size, rotation_deg=rotation, noise=noise,
        seed=seed,
    )  # fmt: skip
    assert_reads(extractor.extract(image), spec, layout, font, size)
    assert abs(extractor.timings.angle + rotation) <= 0.3


def test_a_jpeg_is_read_like_a_png(extractor: TesseractExtractor) -> None:
    spec = receipt(10)
    image = render_receipt(spec, layout="stacked", font="sans", rotation_deg=-1.0, noise=0.5,
                           seed=10, image_format="JPEG")  # fmt: skip
    assert image[:2] == b"\xff\xd8"
    assert_reads(extractor.extract(image), spec, "stacked", "sans", 22)


def test_a_photo_stored_sideways_is_turned_upright_by_its_exif_tag(
    extractor: TesseractExtractor,
) -> None:
    spec = receipt(11)
    upright = Image.open(io.BytesIO(render_receipt(spec, layout="inline", noise=0.3, seed=11)))
    exif = Image.Exif()
    exif[0x0112] = 6  # "turn 90 degrees clockwise to show": the sensor saw it on its side
    out = io.BytesIO()
    upright.transpose(Image.Transpose.ROTATE_90).convert("RGB").save(out, "JPEG", exif=exif)
    assert_reads(extractor.extract(out.getvalue()), spec, "inline", "mono", 22)


def test_a_transparent_background_counts_as_paper(extractor: TesseractExtractor) -> None:
    spec = receipt(12)
    page = Image.open(io.BytesIO(render_receipt(spec, layout="qty-first", font="sans")))
    ink = page.convert("L").point(lambda v: 255 - v)  # text opaque, paper see-through
    clear = Image.new("RGBA", page.size, (0, 0, 0, 0))
    clear.putalpha(ink)
    out = io.BytesIO()
    clear.save(out, "PNG")
    assert_reads(extractor.extract(out.getvalue()), spec, "qty-first", "sans", 22)


def test_a_full_size_phone_photo_is_read(extractor: TesseractExtractor) -> None:
    spec = receipt(13)
    data = render_receipt(spec, layout="inline", font="sans", rotation_deg=1.2, noise=0.6, seed=13)
    small = Image.open(io.BytesIO(data))
    big = small.resize((small.width * 4, small.height * 4), Image.Resampling.BICUBIC)
    out = io.BytesIO()
    big.convert("RGB").save(out, "JPEG", quality=90)
    assert big.width > 2400  # wider than twice TEXT_WIDTH: cut down before turning
    assert_reads(extractor.extract(out.getvalue()), spec, "inline", "sans", 22)


@pytest.mark.parametrize("rotation", [-3.0, -1.2, 0.6, 2.4])
def test_the_tilt_is_measured_and_removed(rotation: float) -> None:
    image = render_receipt(receipt(14), layout="stacked", rotation_deg=rotation, noise=0.7, seed=2)
    page, angle = clean(load(image))
    assert abs(angle + rotation) <= 0.3
    assert page.mode == "L"
    assert set(page.histogram()[1:255]) == {0}  # black and white only
    assert page.width == 1200


def test_otsu_splits_ink_from_paper() -> None:
    two_tone = Image.new("L", (100, 100), 230)
    two_tone.paste(40, (0, 0, 30, 100))
    assert 40 <= otsu(two_tone) < 230


def test_the_renderer_is_deterministic() -> None:
    spec = receipt(15)
    one = render_receipt(spec, layout="inline", rotation_deg=1.0, noise=0.5, seed=3)
    assert one == render_receipt(spec, layout="inline", rotation_deg=1.0, noise=0.5, seed=3)
    assert one != render_receipt(spec, layout="inline", rotation_deg=1.0, noise=0.5, seed=4)
    assert receipt(15) == spec


def test_printed_names_are_cut_or_wrapped_as_the_layout_prints_them() -> None:
    spec = receipt(16)
    long_name = max(spec.lines, key=lambda line: len(line.name)).name
    assert len(long_name) > 24
    inline = {line.name for line in printed_lines(spec, "inline")}
    stacked = {line.name for line in printed_lines(spec, "stacked")}
    assert all(len(name) <= 24 and name == name.upper() for name in inline)
    assert long_name in stacked or any(len(name) >= 28 for name in stacked)
    assert all(line.unit_price is None for line in printed_lines(spec, "qty-first"))


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the upload is empty"),
        (b"%PDF-1.7\n1 0 obj <<>> endobj\n", "the upload is not an image"),
        (b"Receipt #: 1234\nTotal 12.00\n", "the upload is not an image"),
        ("half a png", "the image is damaged or cut short"),
        ("half a jpeg", "the image is damaged or cut short"),
        (_png_header(40_000, 40_000), "the image is too large"),
    ],
)
def test_what_is_no_photo_is_refused_with_a_clear_message(
    extractor: TesseractExtractor, data: bytes | str, message: str
) -> None:
    if isinstance(data, str):
        kind = "PNG" if "png" in data else "JPEG"
        whole = render_receipt(receipt(17), noise=0.2, image_format=kind)  # type: ignore[arg-type]
        data = whole[: len(whole) // 2]
    with pytest.raises(ReceiptImageError, match=message):
        extractor.extract(data)


def test_a_tesseract_run_that_takes_too_long_is_an_ocr_error() -> None:
    with pytest.raises(OcrError, match="tesseract could not read the page"):
        TesseractExtractor(timeout=0.001).extract(render_receipt(receipt(18)))
