"""The partner network for the demo: 112 dispensaries that stock the house brand, 524
budtenders working there, and a few hundred loyalty receipts from the CRM's own customers with
the points they earned.

Receipts are written as the desk would have left them (items matched to catalogue products,
points in the ledger at submission time) without running OCR on each: seeding stays quick. The
ones waiting in the review queue get a rendered photo so the queue has something to look at.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from conductor.budtenders import service as budtenders
from conductor.budtenders.models import ACTIVE, INACTIVE, NEW, Budtender, Dispensary
from conductor.crm.models import Customer, Product
from conductor.demo import names
from conductor.demo.receipts import LAYOUTS, ReceiptSpec, render_receipt
from conductor.loyalty import points
from conductor.loyalty.extraction import ReceiptLine
from conductor.loyalty.models import (
    APPROVED,
    DUPLICATE,
    RECEIPT,
    REJECTED,
    REVIEW,
    Receipt,
    ReceiptImage,
    ReceiptItem,
)
from conductor.loyalty.points import PointsRules

DISPENSARIES = 112
BUDTENDERS = 524
RECEIPTS = 360
HISTORY_DAYS = 120
TAX = Decimal("0.2575")
CENT = Decimal("0.01")
_FIRST = (
    "Green",
    "Golden",
    "High",
    "Blue",
    "Pacific",
    "Canyon",
    "Harbor",
    "Sunset",
    "Coastal",
    "Emerald",
    "Silver",
    "Wild",
    "Desert",
    "Valley",
    "Redwood",
    "Urban",
    "Lucky",
    "Cloud",
)
_SECOND = (
    "Leaf",
    "Door",
    "Tide",
    "Bloom",
    "Roots",
    "Garden",
    "Grove",
    "Haze",
    "Flower",
    "Canna",
    "Bud",
    "Sage",
    "Oasis",
    "Herb",
    "Fern",
    "Meadow",
)
_KIND = ("Dispensary", "Collective", "Cannabis Co.", "Wellness", "Apothecary", "Market")
CITIES = (
    ("Los Angeles", "CA"),
    ("Long Beach", "CA"),
    ("Santa Monica", "CA"),
    ("Pasadena", "CA"),
    ("Van Nuys", "CA"),
    ("Oakland", "CA"),
    ("San Diego", "CA"),
    ("Sacramento", "CA"),
    ("Riverside", "CA"),
    ("Fresno", "CA"),
    ("San Jose", "CA"),
    ("Bakersfield", "CA"),
)
REVIEW_REASONS = (
    "read with low confidence (41 of 100)",
    "no cashier name read",
    "lines add up to 62.00, the subtotal says 68.00",
    "dispensary not recognised (read 'GREEN D00R C0LL')",
)


Offer = tuple[int, str, Decimal]
"""A catalogue product: id, name, retail price."""
Line = tuple[int, str, Decimal, Decimal, Decimal, bool]
"""product id, name, quantity, unit price, total, qualifying."""


@dataclass(frozen=True)
class PartnerCounts:
    dispensaries: int
    budtenders: int
    receipts: int
    ledger_rows: int


def seed_partners(
    session: Session, *, seed: int, now: datetime, rules: PointsRules
) -> PartnerCounts:
    """Add the partner network and its receipts (the CRM's customers and products must exist)."""
    rng = random.Random(seed * 7919 + 6)
    shops = _dispensaries(session, rng)
    staff = _budtenders(session, rng, shops)
    house: list[Offer] = list(
        session.execute(
            select(Product.id, Product.name, Product.retail_price).where(
                Product.brand == names.HOUSE_BRAND
            )
        )
    )
    other: list[Offer] = list(
        session.execute(
            select(Product.id, Product.name, Product.retail_price)
            .where(Product.brand != names.HOUSE_BRAND)
            .limit(300)
        )
    )
    people = list(
        session.execute(
            select(
                Customer.id, Customer.first_name, Customer.last_name, Customer.phone, Customer.email
            )
            .where(Customer.phone.is_not(None), Customer.merged_into_id.is_(None))
            .order_by(Customer.id)
            .limit(4000)
        )
    )
    ledger = 0
    receipts = 0
    if house and people:
        for n in range(RECEIPTS):
            ledger += _receipt(
                session,
                rng,
                n,
                now=now,
                rules=rules,
                shops=shops,
                staff=staff,
                house=house,
                other=other,
                people=people,
            )
            receipts += 1
    session.flush()
    return PartnerCounts(len(shops), sum(len(v) for v in staff.values()), receipts, ledger)


def _dispensaries(session: Session, rng: random.Random) -> list[Dispensary]:
    shops: list[Dispensary] = []
    seen: set[str] = set()
    while len(shops) < DISPENSARIES:
        name = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)} {rng.choice(_KIND)}"
        if name in seen:
            continue
        seen.add(name)
        city, state = rng.choice(CITIES)
        phone = f"+1{rng.choice(names.AREA_CODES)}555{rng.randint(0, 9999):04d}"
        shops.append(
            budtenders.create_dispensary(session, name, city=city, state=state, phone=phone)
        )
    return shops


def _budtenders(
    session: Session, rng: random.Random, shops: list[Dispensary]
) -> dict[int, list[Budtender]]:
    per_shop = [1] * len(shops)
    for _ in range(BUDTENDERS - len(shops)):
        per_shop[rng.randrange(len(shops))] += 1
    staff: dict[int, list[Budtender]] = {}
    for shop, count in zip(shops, per_shop, strict=True):
        staff[shop.id] = []
        for _ in range(count):
            first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
            handle = f"{first}.{last}.buds".lower() if rng.random() < 0.6 else None
            email = f"{first}.{last}{rng.randint(1, 99)}@example.com".lower()
            status = rng.choices((ACTIVE, INACTIVE, NEW), weights=(86, 9, 5))[0]
            bud = budtenders.create_budtender(
                session,
                shop,
                first,
                last_name=last,
                source="demo",
                instagram=handle,
                phone=f"+1{rng.choice(names.AREA_CODES)}555{rng.randint(0, 9999):04d}",
                email=email if rng.random() < 0.8 else None,
                status=status,
            )
            staff[shop.id].append(bud)
    return staff


def _receipt(
    session: Session,
    rng: random.Random,
    n: int,
    *,
    now: datetime,
    rules: PointsRules,
    shops: list[Dispensary],
    staff: dict[int, list[Budtender]],
    house: list[Offer],
    other: list[Offer],
    people: list[Any],
) -> int:
    """One receipt and its ledger rows; returns the number of ledger rows written."""
    # Busy shops get most receipts (a few partners drive the programme): Zipf-like weights.
    shop = rng.choices(shops, weights=[1 / (rank + 1) ** 0.8 for rank in range(len(shops))])[0]
    bud = rng.choice(staff[shop.id])
    person = rng.choice(people)
    at = now - timedelta(days=HISTORY_DAYS * rng.random() ** 1.4, minutes=rng.randint(0, 600))
    picked = [(p, True) for p in rng.sample(house, rng.randint(1, 3))]
    picked += [(p, False) for p in rng.sample(other, rng.randint(0, 2))] if other else []
    lines: list[Line] = []
    for (pid, name, price), qualifying in picked:
        count = Decimal(rng.choice((1, 1, 1, 2, 2, 3)))
        lines.append((pid, name, count, price, price * count, qualifying))
    subtotal = sum((line[4] for line in lines), Decimal(0))
    tax = (subtotal * TAX).quantize(CENT)
    status = rng.choices((APPROVED, REVIEW, REJECTED, DUPLICATE), weights=(86, 8, 3, 3))[0]
    if status == REVIEW:
        at = now - timedelta(hours=rng.randint(1, 72))
    number = f"{rng.randint(100000, 999999)}"
    spend = sum((line[4] for line in lines if line[5]), Decimal(0))
    receipt = Receipt(
        status=status,
        submitted_at=at,
        channel="demo",
        submitter_name=f"{person.first_name} {person.last_name}".strip(),
        phone=person.phone,
        email=person.email,
        sms_consent=False,
        email_consent=False,
        customer_id=person.id,
        engine="tesseract",
        confidence=rng.uniform(62, 93),
        ocr_text="",
        dispensary_text=shop.name.upper(),
        dispensary_id=shop.id,
        receipt_number=number,
        purchased_at=at - timedelta(hours=rng.randint(1, 48)),
        cashier_text=bud.first_name.upper(),
        budtender_id=bud.id,
        subtotal=subtotal,
        discount=None,
        tax=tax,
        total=subtotal + tax,
        qualifying_spend=spend if status in (APPROVED, REVIEW) else Decimal(0),
        review_reasons=rng.choice(REVIEW_REASONS) if status == REVIEW else "",
        decision_note={
            REJECTED: "no qualifying products on this receipt",
            DUPLICATE: "this receipt number was already sent",
        }.get(status, ""),
        claim_key=f"{shop.id}:{number}" if status in (APPROVED, REVIEW) else None,
        image_sha256=f"{n:064x}",
        reviewed_by="system" if status != REVIEW else None,
        reviewed_at=at if status != REVIEW else None,
    )
    session.add(receipt)
    session.flush()
    for no, (pid, name, qty, price, total, qualifying) in enumerate(lines, start=1):
        session.add(
            ReceiptItem(
                receipt_id=receipt.id,
                line_no=no,
                name=name[:200],
                quantity=qty,
                unit_price=price,
                total=total,
                product_id=pid,
                match_score=100.0,
                qualifying=qualifying and status != REJECTED,
            )
        )
    if status == REVIEW:
        _photo(session, rng, receipt, shop, bud, lines)
    if status != APPROVED:
        return 0
    earned = rules.customer_points(spend)
    note = f"receipt {number}"
    points.record(
        session,
        amount=earned,
        reason=RECEIPT,
        actor="system",
        now=at,
        customer_id=person.id,
        receipt_id=receipt.id,
        note=note,
    )
    points.record(
        session,
        amount=rules.budtender_points(earned),
        reason=RECEIPT,
        actor="system",
        now=at,
        budtender_id=bud.id,
        receipt_id=receipt.id,
        note=note,
    )
    return 2


def _photo(
    session: Session,
    rng: random.Random,
    receipt: Receipt,
    shop: Dispensary,
    bud: Budtender,
    lines: list[Line],
) -> None:
    assert receipt.purchased_at is not None and receipt.subtotal is not None
    spec = ReceiptSpec(
        dispensary=shop.name,
        address=f"{rng.randint(100, 9999)} Main St, {shop.city}, {shop.state}",
        receipt_number=receipt.receipt_number or "",
        purchased_at=receipt.purchased_at.replace(tzinfo=None),
        cashier_first_name=bud.first_name,
        cashier_initial=None,
        lines=tuple(
            ReceiptLine(name, qty, price, total) for _, name, qty, price, total, _ in lines
        ),
        subtotal=receipt.subtotal,
        discount=Decimal(0),
        tax=receipt.tax or Decimal(0),
        total=receipt.total or Decimal(0),
        payment="debit",
    )
    data = render_receipt(
        spec,
        layout=rng.choice(list(LAYOUTS)),
        noise=0.2,
        rotation_deg=rng.uniform(-2, 2),
        seed=receipt.id,
        image_format="JPEG",
    )
    session.add(ReceiptImage(receipt_id=receipt.id, content_type="image/jpeg", data=data))
