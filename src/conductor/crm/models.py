"""CRM tables. Names follow the existing system's automations (customers, transactions, ...).

Cached analytics on ``customers`` (visit_count, lifetime_value, first/last visit, and the
win-back queue's lapse_day and win_back_value) are never typed in:
:func:`conductor.crm.stats.refresh_customer_stats` recomputes them from ``transactions`` in the
same database transaction as every write that changes a customer's transactions.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    and_,
    literal_column,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conductor.store.base import Base, UTCDateTime, search_key, utcnow

Money = Numeric(12, 2)


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), unique=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    phone_raw: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(search_key(254), index=True)
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    loyalty_points: Mapped[int] = mapped_column(Integer, default=0)
    member_group: Mapped[str | None] = mapped_column(String(50))
    marketing_source: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(2))
    zip_code: Mapped[str | None] = mapped_column(String(10))
    date_joined: Mapped[date | None] = mapped_column(Date)

    sms_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    sms_consent_source: Mapped[str | None] = mapped_column(String(50))
    sms_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    email_consent_source: Mapped[str | None] = mapped_column(String(50))
    email_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Search keys, maintained by crm.service on every write (lower-case, accents folded).
    name_key: Mapped[str] = mapped_column(search_key(201), default="", index=True)
    last_name_key: Mapped[str] = mapped_column(search_key(100), default="", index=True)
    phone_key: Mapped[str | None] = mapped_column(search_key(20), index=True)

    # Cached analytics derived from transactions (see module docstring).
    visit_count: Mapped[int] = mapped_column(Integer, default=0)
    lifetime_value: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    first_visit_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_visit_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # ... and two more, derived from those four, for the win-back queue (conductor.crm.winback);
    # None below two visits.
    lapse_day: Mapped[float | None] = mapped_column(Float)
    """When the customer lapses: the last visit plus twice the mean interval between visits, in
    days since 1970-01-01 UTC."""
    win_back_value: Mapped[float | None] = mapped_column(Float)
    """The part of the win-back score that does not change with time: lifetime value x visits
    per 30 days of the active span."""

    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    # No index: "IS NULL" matches nearly every row, and an index on it lures SQLite's planner
    # away from the search-key indexes (migration 0005 drops the one 0001 made).
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


REACHABLE_REGULAR = and_(
    Customer.merged_into_id.is_(None),
    Customer.sms_consent.is_(True),
    Customer.phone.is_not(None),
    Customer.visit_count >= literal_column("2"),
)
"""Not merged, may be texted, has a number, came at least twice: who the win-back queue may hold.
Queries repeat these very terms for SQLite to use the partial indexes below (hence the 2 written
into the SQL, not a bound parameter it could not compare)."""
Index("ix_customers_win_back_lapse", Customer.lapse_day, Customer.last_visit_at,
      # covering: SQLite reads the terms of REACHABLE_REGULAR from the index, not the table
      Customer.visit_count, Customer.sms_consent, Customer.merged_into_id, Customer.phone,
      sqlite_where=REACHABLE_REGULAR, postgresql_where=REACHABLE_REGULAR)  # fmt: skip
Index("ix_customers_win_back_value", Customer.win_back_value,
      sqlite_where=REACHABLE_REGULAR, postgresql_where=REACHABLE_REGULAR)  # fmt: skip


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[str] = mapped_column(String(64), unique=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str | None] = mapped_column(String(50))
    location: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[str] = mapped_column(String(64), unique=True)
    sku: Mapped[str | None] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    brand: Mapped[str | None] = mapped_column(String(100), index=True)
    category: Mapped[str | None] = mapped_column(String(100), index=True)
    strain_type: Mapped[str | None] = mapped_column(String(20))
    strain: Mapped[str | None] = mapped_column(String(100))
    thc_pct: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    cbd_pct: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    effects: Mapped[str | None] = mapped_column(Text)
    retail_price: Mapped[Decimal | None] = mapped_column(Money)
    cost: Mapped[Decimal | None] = mapped_column(Money)
    quantity_in_stock: Mapped[int] = mapped_column(Integer, default=0)
    vendor: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Transaction(Base):
    """A sale. Payment type only: card numbers and other payment data are never stored."""

    __tablename__ = "transactions"
    __table_args__ = (
        Index("ix_transactions_customer_occurred", "customer_id", "occurred_at"),
        # Covering: revenue per day reads (occurred_at, total) from the index alone.
        Index("ix_transactions_occurred_total", "occurred_at", "total"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transaction_id: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    subtotal: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    discount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    tax: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    total: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    location: Mapped[str | None] = mapped_column(String(100))
    payment_type: Mapped[str | None] = mapped_column(String(30))

    items: Mapped[list[TransactionItem]] = relationship(
        back_populates="transaction", order_by="TransactionItem.id"
    )


class TransactionItem(Base):
    __tablename__ = "transaction_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line_id: Mapped[str] = mapped_column(String(64), unique=True)
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("transactions.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    product_name: Mapped[str] = mapped_column(String(200), default="")
    brand: Mapped[str | None] = mapped_column(String(100))
    category: Mapped[str | None] = mapped_column(String(100))
    quantity: Mapped[Decimal] = mapped_column(Numeric(10, 3), default=Decimal("1"))
    unit_price: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    total_price: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))

    transaction: Mapped[Transaction] = relationship(back_populates="items")


class CustomerMerge(Base):
    """Audit row for every merge: the merged customer's full record, so nothing is lost."""

    __tablename__ = "customer_merges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survivor_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    merged_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    merged_member_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(200))
    confidence: Mapped[Decimal | None] = mapped_column(Numeric(4, 3))
    transactions_moved: Mapped[int] = mapped_column(Integer, default=0)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    merged_by: Mapped[str] = mapped_column(String(100), default="cli")
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
