"""A receipt desk on a test database: a partner dispensary and its budtenders, a catalogue that
holds every product a generated receipt may print, and receipts rendered with Pillow."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from conductor.config import Settings
from conductor.demo.receipts import ReceiptSpec, random_receipt_spec, render_receipt
from conductor.loyalty.desk import ReceiptDesk
from conductor.loyalty.extraction import ReceiptLine
from factories import make_budtender, make_dispensary, make_product

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 11, 24, 23, 0, tzinfo=UTC)
SHOP = ("Harbor Leaf Dispensary", "318 Pine Ave, Long Beach, CA 90802")
PRODUCTS = [
    ("MOTA Watermelon Gummies 100mg", Decimal("18.00")),
    ("MOTA Blue Dream Flower 3.5g", Decimal("35.00")),
    ("MOTA Sour Diesel Pre-Roll 1g", Decimal("9.50")),
    ("Stiiizy Pineapple Express Pod 1g", Decimal("40.00")),
    ("Kiva Camino Sparkling Pear Gummies", Decimal("20.00")),
    ("Raw Garden Lemon Haze Cart 1g", Decimal("45.00")),
]


def stock_catalogue(session: Session) -> None:
    for name, price in PRODUCTS:
        make_product(session, name=name, brand=name.split()[0], retail_price=price)
    make_product(session, name="MOTA Mango Gummies 100mg", brand="MOTA")  # a near neighbour


def partner(session: Session, *cashiers: str) -> int:
    shop = make_dispensary(session, name=SHOP[0], city="Long Beach")
    for first in cashiers:
        make_budtender(session, shop, first_name=first, last_name="Lopez")
    return shop.id


def spec(seed: int = 1, *, cashier: str = "Maria", **changes: object) -> ReceiptSpec:
    """A receipt from :data:`SHOP`, two days before :data:`NOW`, by ``cashier``."""
    rng = random.Random(seed)
    when = (NOW - timedelta(days=2)).astimezone(LA).replace(tzinfo=None)
    drawn = random_receipt_spec(rng, PRODUCTS, [SHOP], [cashier], when=when)
    drawn = replace(drawn, purchased_at=when, cashier_initial=None)
    return replace(drawn, **changes)  # type: ignore[arg-type]


def with_lines(
    base: ReceiptSpec, lines: list[ReceiptLine], *, tax_rate: str = "0.10"
) -> ReceiptSpec:
    subtotal = sum((line.total for line in lines), Decimal(0))
    tax = (subtotal * Decimal(tax_rate)).quantize(Decimal("0.01"))
    return replace(base, lines=tuple(lines), subtotal=subtotal, discount=Decimal(0), tax=tax,
                   total=subtotal + tax)  # fmt: skip


def photo(receipt: ReceiptSpec, **render: object) -> bytes:
    return render_receipt(receipt, **render)  # type: ignore[arg-type]


def desk(settings: Settings) -> ReceiptDesk:
    return ReceiptDesk.from_settings(settings)
