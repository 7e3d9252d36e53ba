"""The vision model as the second reader: asked only when tesseract's reading leaves doubts, and
kept only when it leaves fewer. Only the HTTP wire is fake (``httpx.MockTransport``)."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import httpx
import pytest
from PIL import Image, ImageFilter
from sqlalchemy.orm import Session

from conductor.config import Settings
from conductor.loyalty.customers import Submitter
from conductor.loyalty.desk import ReceiptDesk
from conductor.loyalty.extraction import ReceiptLine
from conductor.loyalty.models import APPROVED, REVIEW
from conductor.loyalty.vision import VisionExtractor
from receipt_desk import NOW, partner, photo, spec, stock_catalogue, with_lines

ANA = Submitter.checked("Ana Diaz", "(213) 555-0101", None)
LINES = [
    ReceiptLine("MOTA Blue Dream Flower 3.5g", Decimal(2), Decimal("35.00"), Decimal("70.00")),
    ReceiptLine("Raw Garden Lemon Haze Cart 1g", Decimal(1), Decimal("45.00"), Decimal("45.00")),
]
RECEIPT = with_lines(spec(51), LINES)


def _blurred() -> bytes:
    """A shaky, small photo: too soft for tesseract, fine for a person (or a vision model)."""
    image = Image.open(io.BytesIO(photo(RECEIPT, layout="inline", noise=0.4)))
    small = image.resize((image.width // 3, image.height // 3)).filter(ImageFilter.GaussianBlur(2))
    out = io.BytesIO()
    small.save(out, "PNG")
    return out.getvalue()


def _answer() -> dict[str, object]:
    return {
        "dispensary": RECEIPT.dispensary, "receipt_number": RECEIPT.receipt_number,
        "purchased_at": RECEIPT.purchased_at.isoformat(sep=" "), "cashier": "Maria",
        "lines": [{"name": line.name, "quantity": str(line.quantity),
                   "unit_price": str(line.unit_price), "total": str(line.total)}
                  for line in RECEIPT.lines],
        "subtotal": str(RECEIPT.subtotal), "discount": None, "tax": str(RECEIPT.tax),
        "total": str(RECEIPT.total), "text": "", "confidence": 90,
    }  # fmt: skip


def _desk(settings: Settings, status: int, calls: list[int]) -> ReceiptDesk:
    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        content = json.dumps(_answer())
        return httpx.Response(status, json={"choices": [{"message": {"content": content}}]})

    vision = VisionExtractor(base_url="http://vision.test/v1", model="qwen2.5-vl", api_key=None,
                             timeout=5, transport=httpx.MockTransport(handle))  # fmt: skip
    return ReceiptDesk.from_settings(settings, second=vision)


@pytest.fixture
def shop(session: Session) -> int:
    stock_catalogue(session)
    return partner(session, "Maria")


def test_a_photo_tesseract_cannot_read_is_read_by_the_vision_model(
    session: Session, settings: Settings, shop: int
) -> None:
    calls: list[int] = []
    outcome = _desk(settings, 200, calls).submit(session, ANA, _blurred(), "image/png", now=NOW)
    assert calls == [1]
    assert outcome.receipt.status == APPROVED, outcome.receipt.reasons
    assert outcome.receipt.engine == "vision"
    assert (outcome.customer_points, outcome.budtender_points) == (70, 700)


def test_a_clear_photo_never_reaches_the_vision_model(
    session: Session, settings: Settings, shop: int
) -> None:
    calls: list[int] = []
    clear = photo(RECEIPT, layout="inline")
    outcome = _desk(settings, 200, calls).submit(session, ANA, clear, "image/png", now=NOW)
    assert outcome.receipt.status == APPROVED and outcome.receipt.engine == "tesseract"
    assert calls == []


def test_a_vision_model_that_is_down_leaves_the_receipt_for_a_person(
    session: Session, settings: Settings, shop: int
) -> None:
    calls: list[int] = []
    outcome = _desk(settings, 503, calls).submit(session, ANA, _blurred(), "image/png", now=NOW)
    assert len(calls) >= 1
    assert outcome.receipt.status == REVIEW and outcome.receipt.engine == "tesseract"
    assert outcome.receipt.reasons and outcome.customer_points == 0
