"""Receipts, what was read off them, and the points ledger.

Balances are never stored: a customer's or a budtender's points are the sum of their
``points_ledger`` rows. A receipt keeps what the extractor read (and what a manager corrected);
its photo lives in ``receipt_images`` so that lists of receipts never load image bytes.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conductor.store.base import Base, UTCDateTime, utcnow

Money = Numeric(12, 2)

REVIEW, APPROVED, REJECTED, DUPLICATE = "review", "approved", "rejected", "duplicate"
STATUSES = (REVIEW, APPROVED, REJECTED, DUPLICATE)
"""A receipt is ``approved`` (points awarded), waiting for a person (``review``), ``rejected``
(no points; e.g. no house-brand products) or a ``duplicate`` of an earlier one (no points)."""

RECEIPT, ADJUSTMENT, REVERSAL = "receipt", "adjustment", "reversal"
REASONS = (RECEIPT, ADJUSTMENT, REVERSAL)


class Receipt(Base):
    __tablename__ = "receipts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    channel: Mapped[str] = mapped_column(String(12), default="form", server_default="form")
    """``form`` (the public page), ``api``, ``console`` or ``demo``."""

    # Who sent it, as typed on the form.
    submitter_name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    sms_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    email_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)

    # What was read (and, after review, corrected).
    engine: Mapped[str] = mapped_column(String(20), default="")
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    ocr_text: Mapped[str] = mapped_column(Text, default="")
    dispensary_text: Mapped[str | None] = mapped_column(String(200))
    dispensary_id: Mapped[int | None] = mapped_column(ForeignKey("dispensaries.id"), index=True)
    receipt_number: Mapped[str | None] = mapped_column(String(64))
    purchased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cashier_text: Mapped[str | None] = mapped_column(String(100))
    budtender_id: Mapped[int | None] = mapped_column(ForeignKey("budtenders.id"), index=True)
    subtotal: Mapped[Decimal | None] = mapped_column(Money)
    discount: Mapped[Decimal | None] = mapped_column(Money)
    tax: Mapped[Decimal | None] = mapped_column(Money)
    total: Mapped[Decimal | None] = mapped_column(Money)
    qualifying_spend: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    review_reasons: Mapped[str] = mapped_column(String(1000), default="")
    """Why a person must look at it, ``; ``-separated (empty once approved or rejected)."""
    decision_note: Mapped[str] = mapped_column(String(500), default="")

    # Duplicate detection.
    claim_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    """``dispensary_id:receipt number`` while the receipt can earn (review or approved): a second
    receipt with the same key is a duplicate. Cleared when rejected."""
    image_sha256: Mapped[str] = mapped_column(String(64), index=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"))

    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    items: Mapped[list[ReceiptItem]] = relationship(
        back_populates="receipt", order_by="ReceiptItem.line_no", cascade="all, delete-orphan"
    )

    @property
    def reasons(self) -> list[str]:
        return [r for r in self.review_reasons.split("; ") if r]


class ReceiptImage(Base):
    __tablename__ = "receipt_images"

    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id"), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ReceiptItem(Base):
    __tablename__ = "receipt_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(Numeric(10, 3))
    unit_price: Mapped[Decimal | None] = mapped_column(Money)
    total: Mapped[Decimal] = mapped_column(Money)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    match_score: Mapped[float | None] = mapped_column(Float)
    qualifying: Mapped[bool] = mapped_column(Boolean, default=False)

    receipt: Mapped[Receipt] = relationship(back_populates="items")


class PointsEntry(Base):
    """One change of points for one holder: a customer or a budtender, never both."""

    __tablename__ = "points_ledger"
    __table_args__ = (
        CheckConstraint("(customer_id IS NULL) <> (budtender_id IS NULL)", name="one_holder"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    budtender_id: Mapped[int | None] = mapped_column(ForeignKey("budtenders.id"), index=True)
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
