"""Receipts in, points out: submit, check, approve, reject, correct, reverse.

A submitted photo is always stored. Then, in order: the same photo seen before (same bytes, or a
near-identical picture) is a ``duplicate``; otherwise it is read (:class:`Extractor`), matched
(:mod:`conductor.loyalty.matching`) and checked. A receipt that passes every check is approved at
once and its points written to the ledger; one with no qualifying products is ``rejected``; any
doubt (low OCR confidence, lines or totals that do not add up, an unknown dispensary, no receipt
number, an ambiguous cashier, an old or future date) sends it to ``review`` with the reasons, for
a manager to correct and approve. The same receipt number at the same dispensary earns once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conductor.budtenders import service as budtenders
from conductor.budtenders.models import NEW, Budtender
from conductor.crm.keys import fold
from conductor.errors import ConductorError, InvalidInput, NotFound
from conductor.loyalty import points
from conductor.loyalty.customers import Submitter, customer_for
from conductor.loyalty.extraction import ExtractedReceipt, Extractor, ReceiptLine
from conductor.loyalty.matching import (
    CashierName,
    Catalogue,
    match_cashier,
    match_dispensary,
)
from conductor.loyalty.models import (
    APPROVED,
    DUPLICATE,
    RECEIPT,
    REJECTED,
    REVERSAL,
    REVIEW,
    PointsEntry,
    Receipt,
    ReceiptImage,
    ReceiptItem,
)
from conductor.loyalty.photo import Photo
from conductor.loyalty.points import PointsRules

log = logging.getLogger(__name__)
CENT = Decimal("0.01")
SYSTEM = "system"
SAME_PRINT = 95.0
"""Printed texts at least this similar (rapidfuzz ratio) are the same receipt: measured on
rendered receipts, one photo re-encoded or resized, or photographed again, reads 95-98; another
receipt from the same till with the same items reads about 92."""
MIN_PRINT = 80
"""Too little text read to compare (a blank or unreadable photo)."""
HEADER_LINES = 6
"""The dispensary's name is looked for in this many first lines when the reader's guess fails."""


@dataclass(frozen=True)
class Checks:
    """What decides between approving at once and asking a person."""

    rules: PointsRules
    zone: ZoneInfo
    min_confidence: float = 60.0
    max_age: timedelta = timedelta(days=30)


@dataclass
class Outcome:
    receipt: Receipt
    customer_points: int = 0
    budtender_points: int = 0
    reasons: list[str] = field(default_factory=list)


# --- submitting ------------------------------------------------------------------------------


def submit_receipt(
    session: Session,
    who: Submitter,
    photo: Photo,
    *,
    extractor: Extractor,
    checks: Checks,
    now: datetime,
    channel: str = "form",
    second: Extractor | None = None,
) -> Outcome:
    """Store, read, match and decide one receipt. ``second`` (a vision model) is asked only when
    the first reading leaves doubts; the reading with fewer doubts is kept."""
    customer = customer_for(session, who, now=now)
    receipt = Receipt(
        status=REVIEW,
        submitted_at=now,
        channel=channel,
        submitter_name=who.name,
        phone=who.phone,
        email=who.email,
        sms_consent=who.sms_consent,
        email_consent=who.email_consent,
        customer_id=customer.id,
        image_sha256=photo.sha256,
    )
    session.add(receipt)
    session.flush()
    session.add(
        ReceiptImage(receipt_id=receipt.id, content_type=photo.content_type, data=photo.data)
    )
    earlier = _same_photo(session, receipt)
    if earlier is not None:
        return _duplicate(session, receipt, earlier, "the same photo was sent before")
    reading = _read(extractor, photo) or ExtractedReceipt(engine=extractor.name)
    _apply_reading(session, receipt, reading, checks, now=now)
    reasons = check(session, receipt, checks, now=now)
    if reasons and second is not None:
        reasons = _second_opinion(session, receipt, reasons, second, photo, checks, now=now)
    earlier = _same_print(session, receipt)
    if earlier is not None:
        return _duplicate(session, receipt, earlier, "a photo of the same receipt was sent before")
    return _decide(session, receipt, reasons, checks.rules, now=now)


def _second_opinion(
    session: Session,
    receipt: Receipt,
    reasons: list[str],
    second: Extractor,
    photo: Photo,
    checks: Checks,
    *,
    now: datetime,
) -> list[str]:
    kept = _reading_of(receipt)
    other = _read(second, photo)
    if other is None:  # the second engine failing leaves the first reading
        return reasons
    _apply_reading(session, receipt, other, checks, now=now)
    other_reasons = check(session, receipt, checks, now=now)
    if len(other_reasons) < len(reasons):
        return other_reasons
    _apply_reading(session, receipt, kept, checks, now=now)
    return check(session, receipt, checks, now=now)


def _reading_of(receipt: Receipt) -> ExtractedReceipt:
    """The stored reading (to put back when a second engine does no better)."""
    return ExtractedReceipt(
        engine=receipt.engine,
        text=receipt.ocr_text,
        confidence=receipt.confidence,
        dispensary=receipt.dispensary_text,
        receipt_number=receipt.receipt_number,
        purchased_at=receipt.purchased_at,
        cashier=receipt.cashier_text,
        lines=tuple(_line(i) for i in receipt.items),
        subtotal=receipt.subtotal,
        discount=receipt.discount,
        tax=receipt.tax,
        total=receipt.total,
    )


def _read(extractor: Extractor, photo: Photo) -> ExtractedReceipt | None:
    try:
        return extractor.extract(photo.data)
    except ConductorError as exc:
        log.info("the %s reader could not read a receipt: %s", extractor.name, type(exc).__name__)
    except OSError as exc:  # the engine itself is missing or broken (tesseract not installed)
        log.warning("the %s reader is not working: %s", extractor.name, exc)
    return None


def _same_photo(session: Session, receipt: Receipt) -> Receipt | None:
    """An earlier, not rejected receipt with exactly these bytes."""
    stmt = select(Receipt).where(
        Receipt.image_sha256 == receipt.image_sha256,
        Receipt.id != receipt.id,
        Receipt.status.in_((APPROVED, REVIEW)),
    )
    return session.scalars(stmt.order_by(Receipt.id).limit(1)).first()


def _same_print(session: Session, receipt: Receipt) -> Receipt | None:
    """An earlier, not rejected receipt from the same dispensary whose printed text reads the
    same: the same photo re-encoded or resized, or a new photo of the same slip. Two receipts
    whose numbers were both read and differ are different receipts, however alike."""
    text = _printed(receipt.ocr_text)
    if len(text) < MIN_PRINT:
        return None
    stmt = select(Receipt.id, Receipt.ocr_text, Receipt.receipt_number).where(
        Receipt.id != receipt.id, Receipt.status.in_((APPROVED, REVIEW))
    )
    if receipt.dispensary_id is not None:
        stmt = stmt.where(Receipt.dispensary_id == receipt.dispensary_id)
    number = _number(receipt.receipt_number)
    for rid, other_text, other_number in session.execute(stmt):
        if number and _number(other_number) and number != _number(other_number):
            continue
        if fuzz.ratio(text, _printed(other_text), score_cutoff=SAME_PRINT):
            return session.get(Receipt, rid)
    return None


def _printed(text: str) -> str:
    return " ".join(text.lower().split())


def _number(text: str | None) -> str:
    return fold(text).replace(" ", "")


def _apply_reading(
    session: Session, receipt: Receipt, reading: ExtractedReceipt, checks: Checks, *, now: datetime
) -> None:
    receipt.engine, receipt.ocr_text = reading.engine, reading.text
    receipt.confidence = float(reading.confidence)
    receipt.dispensary_text = _clip(reading.dispensary, 200)
    receipt.receipt_number = _clip(reading.receipt_number, 64)
    receipt.cashier_text = _clip(reading.cashier, 100)
    receipt.purchased_at = (
        reading.purchased_at.replace(tzinfo=checks.zone)
        if reading.purchased_at is not None and reading.purchased_at.tzinfo is None
        else reading.purchased_at
    )
    receipt.subtotal, receipt.discount = reading.subtotal, reading.discount
    receipt.tax, receipt.total = reading.tax, reading.total
    header = [line for line in reading.text.splitlines() if line.strip()][:HEADER_LINES]
    dispensary, _ = match_dispensary(session, reading.dispensary, header)
    receipt.dispensary_id = dispensary.id if dispensary else None
    receipt.items.clear()
    session.flush()
    for number, line in enumerate(reading.lines, start=1):
        receipt.items.append(
            ReceiptItem(
                line_no=number,
                name=line.name[:200],
                quantity=line.quantity,
                unit_price=line.unit_price,
                total=line.total,
            )
        )
    rematch(session, receipt, checks.rules, now=now)


def rematch(session: Session, receipt: Receipt, rules: PointsRules, *, now: datetime) -> None:
    """Match the lines to products and the cashier to a budtender; spend and claim follow."""
    catalogue = Catalogue(session, rules)
    for item in receipt.items:
        found = catalogue.match(_line(item))
        item.product_id, item.match_score, item.qualifying = (
            found.product_id,
            found.score,
            found.qualifying,
        )
    receipt.qualifying_spend = _spend(receipt)
    if receipt.budtender_id is None and receipt.dispensary_id is not None:
        receipt.budtender_id = _cashier(session, receipt, now=now)
    session.flush()


def _spend(receipt: Receipt) -> Decimal:
    """Qualifying lines' totals, less their share of a discount on the whole receipt."""
    spend = sum((i.total for i in receipt.items if i.qualifying), Decimal(0))
    if receipt.discount and receipt.subtotal and 0 < receipt.discount < receipt.subtotal:
        spend = spend * (receipt.subtotal - receipt.discount) / receipt.subtotal
    return spend.quantize(CENT)


def _cashier(session: Session, receipt: Receipt, *, now: datetime) -> int | None:
    name = CashierName.parse(receipt.cashier_text)
    if name is None or receipt.dispensary_id is None:
        return None
    found = match_cashier(session, receipt.dispensary_id, name)
    if found.budtender is not None:
        return found.budtender.id
    if found.candidates > 1:
        return None
    dispensary = budtenders.get_dispensary(session, receipt.dispensary_id)
    created = budtenders.create_budtender(
        session,
        dispensary,
        name.first,
        last_name=name.initial or "",
        source="receipt",
    )
    created.status = NEW
    created.created_at = now
    return created.id


def _line(item: ReceiptItem) -> ReceiptLine:
    return ReceiptLine(item.name, item.quantity, item.unit_price, item.total)


def _clip(text: str | None, size: int) -> str | None:
    text = " ".join((text or "").split())
    return text[:size] or None


# --- checking --------------------------------------------------------------------------------


def check(session: Session, receipt: Receipt, checks: Checks, *, now: datetime) -> list[str]:
    """Every doubt about this receipt, in words a manager acts on (empty: approve)."""
    reasons: list[str] = []
    if receipt.confidence < checks.min_confidence and receipt.reviewed_by is None:
        reasons.append(f"read with low confidence ({receipt.confidence:.0f} of 100)")
    if receipt.dispensary_id is None:
        seen = receipt.dispensary_text or "nothing"
        reasons.append(f"dispensary not recognised (read {seen!r})")
    if not receipt.receipt_number:
        reasons.append("no receipt number read")
    if receipt.purchased_at is None:
        reasons.append("no purchase date read")
    elif receipt.purchased_at > now + timedelta(days=1):
        reasons.append("dated in the future")
    elif now - receipt.purchased_at > checks.max_age:
        reasons.append(f"older than {checks.max_age.days} days")
    reasons.extend(_arithmetic(receipt))
    reasons.extend(_matching(session, receipt, checks.rules))
    return reasons


def _arithmetic(receipt: Receipt) -> list[str]:
    reasons: list[str] = []
    if not receipt.items:
        return ["no line items read"]
    for item in receipt.items:
        if not _line(item).adds_up:
            reasons.append(
                f"line {item.line_no}: {item.quantity.normalize()} x {item.unit_price} "
                f"is not {item.total}"
            )
    items_total = sum((i.total for i in receipt.items), Decimal(0))
    if receipt.subtotal is not None and abs(items_total - receipt.subtotal) > CENT:
        reasons.append(f"lines add up to {items_total}, the subtotal says {receipt.subtotal}")
    if receipt.total is None:
        reasons.append("no total read")
    if None not in (receipt.subtotal, receipt.tax, receipt.total):
        assert receipt.subtotal is not None and receipt.tax is not None
        assert receipt.total is not None
        discount = receipt.discount or Decimal(0)
        if abs(receipt.subtotal - discount + receipt.tax - receipt.total) > CENT:
            less = f" - discount {discount}" if discount else ""
            reasons.append(
                f"subtotal {receipt.subtotal}{less} + tax {receipt.tax} "
                f"is not total {receipt.total}"
            )
    return reasons


def _matching(session: Session, receipt: Receipt, rules: PointsRules) -> list[str]:
    reasons: list[str] = []
    catalogue_words = [fold(b) for b in rules.brands]
    for item in receipt.items:
        named = any(word and word in fold(item.name).split() for word in catalogue_words)
        if named and not item.qualifying:
            reasons.append(f"line {item.line_no} ({item.name!r}) is not in the catalogue")
    if receipt.dispensary_id is not None and receipt.budtender_id is None:
        if receipt.cashier_text:
            reasons.append(f"more than one budtender could be {receipt.cashier_text!r}")
        else:
            reasons.append("no cashier name read")
    return reasons


# --- deciding --------------------------------------------------------------------------------


def _decide(
    session: Session, receipt: Receipt, reasons: list[str], rules: PointsRules, *, now: datetime
) -> Outcome:
    earlier = _claim(session, receipt)
    if earlier is not None:
        return _duplicate(session, receipt, earlier, "this receipt number was already sent")
    if reasons:
        receipt.status, receipt.review_reasons = REVIEW, "; ".join(reasons)[:1000]
        session.flush()
        return Outcome(receipt, reasons=reasons)
    if not any(i.qualifying for i in receipt.items):
        return _reject(
            session, receipt, "no qualifying products on this receipt", actor=SYSTEM, now=now
        )
    return _award(session, receipt, rules, actor=SYSTEM, now=now)


def _claim(session: Session, receipt: Receipt) -> Receipt | None:
    """Take this receipt's number at its dispensary, or the earlier receipt that holds it."""
    if receipt.dispensary_id is None or not receipt.receipt_number:
        receipt.claim_key = None
        return None
    key = f"{receipt.dispensary_id}:{_number(receipt.receipt_number)}"[:100]
    if receipt.claim_key == key:
        return None
    holder = session.scalars(select(Receipt).where(Receipt.claim_key == key)).first()
    if holder is not None and holder.id != receipt.id:
        return holder
    try:
        with session.begin_nested():
            receipt.claim_key = key
            session.flush()
    except IntegrityError:  # another submission took it in the meantime
        receipt.claim_key = None
        return session.scalars(select(Receipt).where(Receipt.claim_key == key)).first()
    return None


def _duplicate(session: Session, receipt: Receipt, earlier: Receipt, why: str) -> Outcome:
    receipt.status, receipt.duplicate_of_id = DUPLICATE, earlier.id
    receipt.claim_key, receipt.review_reasons = None, ""
    receipt.decision_note = f"{why} (receipt {earlier.id})"
    session.flush()
    return Outcome(receipt, reasons=[why])


def _reject(session: Session, receipt: Receipt, note: str, *, actor: str, now: datetime) -> Outcome:
    receipt.status, receipt.claim_key, receipt.review_reasons = REJECTED, None, ""
    receipt.decision_note = note[:500]
    receipt.reviewed_by, receipt.reviewed_at = actor, now
    session.flush()
    return Outcome(receipt, reasons=[note])


def _award(
    session: Session, receipt: Receipt, rules: PointsRules, *, actor: str, now: datetime
) -> Outcome:
    customer_points = rules.customer_points(receipt.qualifying_spend)
    budtender_points = rules.budtender_points(customer_points) if receipt.budtender_id else 0
    note = f"receipt {receipt.receipt_number or receipt.id}"
    if customer_points and receipt.customer_id is not None:
        points.record(
            session,
            amount=customer_points,
            reason=RECEIPT,
            actor=actor,
            now=now,
            customer_id=receipt.customer_id,
            receipt_id=receipt.id,
            note=note,
        )
    if budtender_points:
        points.record(
            session,
            amount=budtender_points,
            reason=RECEIPT,
            actor=actor,
            now=now,
            budtender_id=receipt.budtender_id,
            receipt_id=receipt.id,
            note=note,
        )
    receipt.status, receipt.review_reasons = APPROVED, ""
    receipt.reviewed_by, receipt.reviewed_at = actor, now
    session.flush()
    return Outcome(receipt, customer_points, budtender_points)


# --- a person's decisions --------------------------------------------------------------------


@dataclass(frozen=True)
class Correction:
    """What a manager may correct on a receipt before approving it (``None``: unchanged)."""

    dispensary_id: int | None = None
    receipt_number: str | None = None
    budtender_id: int | None = None
    purchased_at: datetime | None = None
    lines: tuple[ReceiptLine, ...] | None = None
    subtotal: Decimal | None = None
    discount: Decimal | None = None
    tax: Decimal | None = None
    total: Decimal | None = None


def correct_receipt(
    session: Session,
    receipt: Receipt,
    correction: Correction,
    *,
    checks: Checks,
    actor: str,
    now: datetime,
) -> list[str]:
    """Apply a manager's corrections to a receipt under review; returns the remaining doubts."""
    _require(receipt, REVIEW)
    if correction.dispensary_id is not None:
        budtenders.get_dispensary(session, correction.dispensary_id)
        if correction.dispensary_id != receipt.dispensary_id:
            receipt.budtender_id = None
        receipt.dispensary_id = correction.dispensary_id
    if correction.budtender_id is not None:
        budtender = budtenders.get_budtender(session, correction.budtender_id)
        if receipt.dispensary_id is not None and budtender.dispensary_id != receipt.dispensary_id:
            raise InvalidInput(f"{budtender.name} does not work at this receipt's dispensary")
        receipt.budtender_id = budtender.id
    if correction.receipt_number is not None:
        receipt.receipt_number = _clip(correction.receipt_number, 64)
    if correction.purchased_at is not None:
        receipt.purchased_at = correction.purchased_at
    for name in ("subtotal", "discount", "tax", "total"):
        value = getattr(correction, name)
        if value is not None:
            setattr(receipt, name, value)
    if correction.lines is not None:
        receipt.items.clear()
        session.flush()
        for number, line in enumerate(correction.lines, start=1):
            if line.total < 0 or line.quantity <= 0:
                raise InvalidInput(f"line {number}: quantity and total must be positive")
            receipt.items.append(
                ReceiptItem(
                    line_no=number,
                    name=line.name[:200],
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    total=line.total,
                )
            )
    receipt.reviewed_by, receipt.reviewed_at = actor, now  # a person has read it now
    rematch(session, receipt, checks.rules, now=now)
    reasons = check(session, receipt, checks, now=now)
    receipt.review_reasons = "; ".join(reasons)[:1000]
    session.flush()
    return reasons


def approve_receipt(
    session: Session, receipt: Receipt, *, rules: PointsRules, actor: str, now: datetime
) -> Outcome:
    """A manager approves a receipt under review: its points go to the ledger."""
    _require(receipt, REVIEW)
    earlier = _claim(session, receipt)
    if earlier is not None:
        return _duplicate(session, receipt, earlier, "this receipt number was already sent")
    if receipt.qualifying_spend <= 0:
        raise InvalidInput("no line of this receipt qualifies; reject it or correct its lines")
    return _award(session, receipt, rules, actor=actor, now=now)


def reject_receipt(
    session: Session, receipt: Receipt, *, note: str, actor: str, now: datetime
) -> Outcome:
    _require(receipt, REVIEW)
    if not note.strip():
        raise InvalidInput("say why the receipt is rejected (the customer is told)")
    return _reject(session, receipt, note.strip(), actor=actor, now=now)


def reverse_receipt(
    session: Session, receipt: Receipt, *, note: str, actor: str, now: datetime
) -> list[PointsEntry]:
    """Take back an approved receipt's points (fraud found later): opposite ledger rows."""
    _require(receipt, APPROVED)
    if not note.strip():
        raise InvalidInput("say why the receipt's points are taken back")
    earned = session.scalars(select(PointsEntry).where(PointsEntry.receipt_id == receipt.id))
    reversals = [
        points.record(
            session,
            amount=-e.amount,
            reason=REVERSAL,
            actor=actor,
            now=now,
            customer_id=e.customer_id,
            budtender_id=e.budtender_id,
            receipt_id=receipt.id,
            note=note,
        )
        for e in list(earned)
        if e.reason == RECEIPT
    ]
    _reject(session, receipt, f"reversed: {note.strip()}", actor=actor, now=now)
    return reversals


def _require(receipt: Receipt, status: str) -> None:
    if receipt.status != status:
        raise InvalidInput(f"receipt {receipt.id} is {receipt.status}, not {status}")


def get_receipt(session: Session, receipt_id: int) -> Receipt:
    found = session.get(Receipt, receipt_id)
    if found is None:
        raise NotFound(f"no receipt {receipt_id}")
    return found


def credited_budtender(session: Session, receipt: Receipt) -> Budtender | None:
    return session.get(Budtender, receipt.budtender_id) if receipt.budtender_id else None
