"""What an extractor reads off a receipt photo, whichever engine read it.

Two engines produce an :class:`ExtractedReceipt`: tesseract (:mod:`conductor.loyalty.ocr` and
:mod:`conductor.loyalty.parse`) and, optionally, a vision LLM behind an OpenAI-compatible
endpoint (:mod:`conductor.loyalty.vision`). Everything downstream (matching, points, the review
queue) sees only this shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class ReceiptLine:
    """One line item as printed: ``quantity`` x ``unit_price`` should make ``total``."""

    name: str
    quantity: Decimal
    unit_price: Decimal | None
    total: Decimal

    @property
    def adds_up(self) -> bool:
        """The line's own arithmetic checks out (to the cent)."""
        if self.unit_price is None:
            return True
        return abs(self.quantity * self.unit_price - self.total) <= Decimal("0.01")


@dataclass(frozen=True)
class ExtractedReceipt:
    """Everything read off one receipt; any field may be missing when it could not be read."""

    engine: str
    """``tesseract`` or ``vision``."""
    text: str = ""
    """The raw text read (shown on the review screen; never logged)."""
    confidence: float = 0.0
    """0-100: the engine's confidence in what it read (tesseract: mean word confidence)."""
    dispensary: str | None = None
    receipt_number: str | None = None
    purchased_at: datetime | None = None
    """Naive: the shop's local date and time as printed."""
    cashier: str | None = None
    lines: tuple[ReceiptLine, ...] = field(default_factory=tuple)
    subtotal: Decimal | None = None
    discount: Decimal | None = None
    """Money taken off the subtotal (a positive amount), when the receipt prints one."""
    tax: Decimal | None = None
    total: Decimal | None = None

    @property
    def items_total(self) -> Decimal:
        return sum((line.total for line in self.lines), Decimal(0))


class Extractor(Protocol):
    """Reads a receipt image (the uploaded bytes: PNG, JPEG, ...)."""

    name: str

    def extract(self, image: bytes) -> ExtractedReceipt: ...
