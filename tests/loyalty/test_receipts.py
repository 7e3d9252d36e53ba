"""Receipts end to end on the real tesseract: rendered photos in, points and budtender credit
out; duplicates earn nothing; doubtful receipts wait for a manager; confirmations go out."""

from __future__ import annotations

import io
from dataclasses import replace
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conductor.budtenders.models import NEW, Budtender
from conductor.config import Settings
from conductor.crm.models import Customer
from conductor.errors import InvalidInput
from conductor.loyalty import points
from conductor.loyalty.customers import Submitter
from conductor.loyalty.extraction import ReceiptLine
from conductor.loyalty.models import APPROVED, DUPLICATE, REJECTED, REVIEW, PointsEntry
from conductor.loyalty.service import Correction
from conductor.messaging.consent import record_consent
from conductor.messaging.models import Message
from receipt_desk import NOW, desk, partner, photo, spec, stock_catalogue, with_lines
from smtpkit import smtp_collector

ANA = Submitter.checked("Ana Diaz", "(213) 555-0101", "ana@example.com", sms_consent=True)
MOTA_LINES = [
    ReceiptLine("MOTA Blue Dream Flower 3.5g", Decimal(2), Decimal("35.00"), Decimal("70.00")),
    ReceiptLine("Stiiizy Pineapple Express Pod 1g", Decimal(1), Decimal("40.00"), Decimal("40.00")),
    ReceiptLine("MOTA Sour Diesel Pre-Roll 1g", Decimal(3), Decimal("9.50"), Decimal("28.50")),
]  # fmt: skip


@pytest.fixture
def shop(session: Session) -> int:
    stock_catalogue(session)
    return partner(session, "Maria", "Jose")


def _ledger(session: Session) -> list[tuple[str, int]]:
    rows = session.execute(select(PointsEntry.customer_id, PointsEntry.amount)).all()
    return sorted(("customer" if c else "budtender", a) for c, a in rows)


def test_a_clean_receipt_earns_points_for_the_customer_and_ten_times_for_the_budtender(
    session: Session, settings: Settings, shop: int
) -> None:
    receipt_spec = with_lines(spec(11, cashier="Maria"), MOTA_LINES)
    outcome = desk(settings).submit(
        session, ANA, photo(receipt_spec, layout="inline", rotation_deg=1.5, noise=0.4, seed=3),
        "image/png", now=NOW,
    )  # fmt: skip
    receipt = outcome.receipt
    assert receipt.status == APPROVED, receipt.reasons
    assert receipt.receipt_number == receipt_spec.receipt_number
    assert [i.total for i in receipt.items] == [line.total for line in MOTA_LINES]
    assert [i.qualifying for i in receipt.items] == [True, False, True]
    assert receipt.qualifying_spend == Decimal("98.50")
    assert (outcome.customer_points, outcome.budtender_points) == (98, 980)
    maria = session.scalars(select(Budtender).where(Budtender.first_name == "Maria")).one()
    assert receipt.budtender_id == maria.id and receipt.dispensary_id == shop
    customer = session.get(Customer, receipt.customer_id)
    assert customer is not None and customer.phone == "+12135550101" and customer.sms_consent
    assert points.customer_balance(session, customer.id) == 98
    assert points.budtender_balance(session, maria.id) == 980
    texts = session.scalars(select(Message).where(Message.phone_number == "+12135550101")).all()
    assert len(texts) == 1 and "earned 98 points" in texts[0].content


def test_the_same_receipt_twice_earns_nothing_the_second_time(
    session: Session, settings: Settings, shop: int
) -> None:
    the_desk = desk(settings)
    receipt_spec = with_lines(spec(12), MOTA_LINES[:1])
    first = photo(receipt_spec, layout="qty-first", noise=0.3, seed=1)
    assert the_desk.submit(session, ANA, first, "image/png", now=NOW).receipt.status == APPROVED
    # The very same file; the same picture saved again as a JPEG: the same print.
    again = the_desk.submit(session, ANA, first, "image/png", now=NOW).receipt
    jpeg = io.BytesIO()
    Image.open(io.BytesIO(first)).convert("RGB").save(jpeg, "JPEG", quality=70)
    resaved = the_desk.submit(session, ANA, jpeg.getvalue(), "image/jpeg", now=NOW).receipt
    # A new photo of the same receipt (another angle and light): its number is known.
    other = photo(receipt_spec, layout="qty-first", noise=0.6, rotation_deg=-2.0, seed=9)
    retaken = the_desk.submit(session, ANA, other, "image/png", now=NOW).receipt
    assert [again.status, resaved.status, retaken.status] == [DUPLICATE] * 3
    assert again.decision_note.startswith("the same photo was sent before")
    assert resaved.decision_note.startswith("a photo of the same receipt")
    assert retaken.duplicate_of_id == again.duplicate_of_id == resaved.duplicate_of_id
    assert _ledger(session) == [("budtender", 700), ("customer", 70)]


def test_another_receipt_printed_by_the_same_till_is_not_a_duplicate(
    session: Session, settings: Settings, shop: int
) -> None:
    the_desk = desk(settings)
    first = with_lines(spec(17), MOTA_LINES[:1])
    second = with_lines(spec(18), MOTA_LINES[2:])
    for receipt_spec in (first, second):
        image = photo(receipt_spec, layout="inline", noise=0.3, seed=5)
        outcome = the_desk.submit(session, ANA, image, "image/png", now=NOW)
        assert outcome.receipt.status == APPROVED, outcome.receipt.decision_note
    assert _ledger(session) == [("budtender", 280), ("budtender", 700), ("customer", 28),
                                ("customer", 70)]  # fmt: skip


def test_an_unknown_cashier_becomes_a_new_budtender_who_is_credited(
    session: Session, settings: Settings, shop: int
) -> None:
    receipt_spec = with_lines(spec(13, cashier="Xiomara"), MOTA_LINES[2:])
    outcome = desk(settings).submit(
        session, ANA, photo(receipt_spec, layout="stacked", font="sans"), "image/png", now=NOW
    )
    assert outcome.receipt.status == APPROVED, outcome.receipt.reasons
    created = session.get(Budtender, outcome.receipt.budtender_id)
    assert created is not None and created.first_name == "Xiomara"
    assert created.status == NEW and created.source == "receipt" and created.dispensary_id == shop
    assert outcome.budtender_points == 280


def test_a_receipt_that_does_not_add_up_waits_for_a_manager_who_corrects_and_approves_it(
    session: Session, settings: Settings, shop: int
) -> None:
    the_desk = desk(settings)
    good = with_lines(spec(14), MOTA_LINES)
    wrong = replace(good, total=good.total + Decimal("5.00"))
    outcome = the_desk.submit(session, ANA, photo(wrong, layout="inline"), "image/png", now=NOW)
    receipt = outcome.receipt
    assert receipt.status == REVIEW and outcome.customer_points == 0
    assert any("is not total" in reason for reason in receipt.reasons)
    assert _ledger(session) == []
    remaining = the_desk.correct(
        session, receipt, Correction(total=good.total), actor="boss", now=NOW
    )
    assert remaining == []
    approved = the_desk.approve(session, receipt, actor="boss", now=NOW)
    assert receipt.status == APPROVED and receipt.reviewed_by == "boss"
    assert (approved.customer_points, approved.budtender_points) == (98, 980)
    with pytest.raises(InvalidInput, match="approved, not review"):
        the_desk.approve(session, receipt, actor="boss", now=NOW)


def test_a_receipt_without_house_brand_products_is_rejected(
    session: Session, settings: Settings, shop: int
) -> None:
    receipt_spec = with_lines(spec(15), MOTA_LINES[1:2])
    outcome = desk(settings).submit(
        session, ANA, photo(receipt_spec, layout="inline"), "image/png", now=NOW
    )
    assert outcome.receipt.status == REJECTED
    assert "no qualifying products" in outcome.receipt.decision_note
    assert outcome.receipt.claim_key is None and _ledger(session) == []


def test_an_opted_out_number_gets_no_text_but_still_earns(
    session: Session, settings: Settings, shop: int
) -> None:
    record_consent(session, "+12135550199", opted_out=True, source="STOP", at=NOW)
    quiet = Submitter.checked("Bo Li", "213-555-0199", None)
    receipt_spec = with_lines(spec(16), MOTA_LINES[:1])
    outcome = desk(settings).submit(
        session, quiet, photo(receipt_spec, layout="inline"), "image/png", now=NOW
    )
    assert outcome.receipt.status == APPROVED and outcome.customer_points == 70
    assert session.scalar(select(func.count()).select_from(Message)) == 0


def test_the_confirmation_is_e_mailed_through_a_real_smtp_server(
    session: Session, settings: Settings, shop: int
) -> None:
    with smtp_collector() as (inbox, mail):
        configured = settings.model_copy(
            update={"smtp_host": mail.host, "smtp_port": mail.port, "smtp_tls": "none",
                    "mail_from": "MOTA <hello@mota.test>"}
        )  # fmt: skip
        by_mail = Submitter.checked("Cy Park", None, "cy@example.com")
        receipt_spec = with_lines(spec(19), MOTA_LINES[:1])
        outcome = desk(configured).submit(
            session, by_mail, photo(receipt_spec, layout="inline"), "image/png", now=NOW
        )
    assert outcome.receipt.status == APPROVED
    assert [m.rcpt_tos for m in inbox.mails] == [["cy@example.com"]]
    message = inbox.message()
    assert "receipt" in message["Subject"].lower()
    assert "earned 70 points" in message.get_content()
    logged = session.scalars(select(Message).where(Message.channel == "email")).one()
    assert logged.status == "sent" and logged.phone_number == "cy@example.com"
