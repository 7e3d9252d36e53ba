"""Factories for test data. They go through the CRM service functions, like every real writer,
so search keys and cached analytics are maintained exactly as in production."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from conductor.budtenders import service as budtenders
from conductor.budtenders.models import Budtender, Dispensary
from conductor.crm import service
from conductor.crm.keys import customer_search_keys
from conductor.crm.models import Customer, Product, Staff, Transaction
from conductor.crm.stats import refresh_customer_stats

_seq = itertools.count(1)


def make_customer(session: Session, **fields: Any) -> Customer:
    n = next(_seq)
    member_id = fields.pop("member_id", f"M{n:06d}")
    consent = fields.pop("sms_consent", True)
    fields.setdefault("first_name", "Test")
    fields.setdefault("last_name", f"Customer{n}")
    fields.setdefault("phone", f"+1213555{n % 10000:04d}")
    customer = service.create_customer(session, member_id, **fields)
    if consent:
        service.set_consent(
            session, customer, channel="sms", granted=True, source="test", at=datetime.now(UTC)
        )
    return customer


def make_product(session: Session, **fields: Any) -> Product:
    n = next(_seq)
    fields.setdefault("brand", "MOTA")
    fields.setdefault("category", "Flower")
    fields.setdefault("retail_price", Decimal("25.00"))
    fields.setdefault("quantity_in_stock", 10)
    return service.create_product(
        session, fields.pop("product_id", f"P{n:06d}"), fields.pop("name", f"Product {n}"), **fields
    )


def make_staff(session: Session, **fields: Any) -> Staff:
    n = next(_seq)
    fields.setdefault("first_name", "Staff")
    fields.setdefault("last_name", f"Member{n}")
    return service.create_staff(session, fields.pop("staff_id", f"S{n:04d}"), **fields)


def make_sale(
    session: Session,
    customer: Customer | None,
    *,
    when: datetime,
    products: list[Product] | None = None,
    prices: list[Decimal] | None = None,
    location: str = "Downtown",
    staff: Staff | None = None,
) -> Transaction:
    """A sale of the given products (or one anonymous line per price)."""
    n = next(_seq)
    if products:
        items = [
            service.ItemInput(
                line_id=f"L{n}-{i}",
                product_name=p.name,
                unit_price=p.retail_price or Decimal("0"),
                product=p,
            )
            for i, p in enumerate(products)
        ]
    else:
        items = [
            service.ItemInput(line_id=f"L{n}-{i}", product_name="Item", unit_price=price)
            for i, price in enumerate(prices or [Decimal("25.00")])
        ]
    return service.record_transaction(
        session,
        transaction_id=f"T{n:08d}",
        customer=customer,
        occurred_at=when,
        items=items,
        location=location,
        staff=staff,
        payment_type="Cash",
    )


def make_imported_customer(session: Session, **columns: Any) -> Customer:
    """A customer written directly, as a bulk importer does: values stored exactly as given
    (an upper-case e-mail, a phone only in ``phone_raw``), search keys and analytics maintained."""
    n = next(_seq)
    columns.setdefault("member_id", f"M{n:06d}")
    columns.setdefault("first_name", "Imported")
    columns.setdefault("last_name", f"Customer{n}")
    customer = Customer(**columns)
    keys = customer_search_keys(customer.first_name, customer.last_name, customer.phone)
    for name, value in keys.items():
        setattr(customer, name, value)
    session.add(customer)
    session.flush()
    refresh_customer_stats(session, [customer.id])
    return customer


def make_dispensary(session: Session, **fields: Any) -> Dispensary:
    n = next(_seq)
    return budtenders.create_dispensary(
        session, fields.pop("name", f"Partner Shop {n}"), **{"state": "CA", **fields}
    )


def make_budtender(session: Session, dispensary: Dispensary, **fields: Any) -> Budtender:
    n = next(_seq)
    first = fields.pop("first_name", f"Bud{n}")
    return budtenders.create_budtender(session, dispensary, first, **fields)
