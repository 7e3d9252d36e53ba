"""CRM state changes and lookups: every writer (CLI, console, bot, importers) goes through here.

Writes that change a customer's transactions refresh the cached analytics in the same database
transaction (see :mod:`conductor.crm.stats`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from conductor.crm.keys import customer_search_keys, fold, prefix_upper_bound
from conductor.crm.models import Customer, Product, Staff, Transaction, TransactionItem
from conductor.crm.phone import normalize_phone, query_digits
from conductor.crm.stats import refresh_customer_stats
from conductor.errors import InvalidInput, NotFound

CENT = Decimal("0.01")
EDITABLE_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "phone",
        "email",
        "date_of_birth",
        "loyalty_points",
        "member_group",
        "marketing_source",
        "state",
        "zip_code",
        "date_joined",
    }
)


def _apply_customer_fields(customer: Customer, fields: Mapping[str, Any], region: str) -> None:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput(f"not editable customer fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        if name == "phone":
            customer.phone_raw = value or None
            customer.phone = normalize_phone(value, region)
        elif name == "email":
            customer.email = value.strip().lower() if value and value.strip() else None
        elif name in {"first_name", "last_name"}:
            setattr(customer, name, (value or "").strip())
        else:
            setattr(customer, name, value)
    keys = customer_search_keys(customer.first_name, customer.last_name, customer.phone)
    for name, value in keys.items():
        setattr(customer, name, value)


def create_customer(
    session: Session, member_id: str, *, region: str = "US", **fields: Any
) -> Customer:
    """Add a customer; ``fields`` are any of :data:`EDITABLE_FIELDS`."""
    if not member_id.strip():
        raise InvalidInput("member_id must not be blank")
    customer = Customer(member_id=member_id.strip(), first_name="", last_name="")
    _apply_customer_fields(customer, fields, region)
    session.add(customer)
    session.flush()
    return customer


def update_customer(
    session: Session, customer: Customer, changes: Mapping[str, Any], *, region: str = "US"
) -> Customer:
    """Change editable fields; search keys follow."""
    _apply_customer_fields(customer, changes, region)
    session.flush()
    return customer


def set_consent(
    session: Session,
    customer: Customer,
    *,
    channel: str,
    granted: bool,
    source: str,
    at: datetime,
) -> None:
    """Record SMS or e-mail consent with its source and time."""
    if channel not in {"sms", "email"}:
        raise InvalidInput(f"consent channel must be sms or email, not {channel!r}")
    setattr(customer, f"{channel}_consent", granted)
    setattr(customer, f"{channel}_consent_source", source)
    setattr(customer, f"{channel}_consent_at", at)
    session.flush()


def get_customer(session: Session, ident: str | int, *, region: str = "US") -> Customer:
    """A customer by database id, member id or phone number (any format); NotFound otherwise.

    A merged customer resolves to the survivor it was merged into.
    """
    text = str(ident).strip()
    found = session.scalars(select(Customer).where(Customer.member_id == text)).first()
    if found is None and text.isdigit() and len(text) < 10:
        found = session.get(Customer, int(text))
    if found is None:
        e164 = normalize_phone(text, region)
        if e164 is not None:
            found = session.scalars(
                select(Customer)
                .where(Customer.phone == e164, Customer.merged_into_id.is_(None))
                .order_by(Customer.last_visit_at.desc().nulls_last(), Customer.id)
            ).first()
    if found is None:
        raise NotFound(f"no customer with id, member id or phone {text!r}")
    while found.merged_into_id is not None:
        found = session.get_one(Customer, found.merged_into_id)
    return found


def search_customers(session: Session, text: str, *, limit: int = 25) -> list[Customer]:
    """Customers whose name, last name, phone, e-mail or member id starts with ``text``.

    Each signal is its own index range scan ordered by that index and limited, so the cost does
    not grow with the number of customers; results are merged and ordered by name.
    """
    query = text.strip()
    if not query:
        return []
    ranges: list[tuple[Any, str]] = []
    digits = query_digits(query)
    if digits:
        ranges.append((Customer.phone_key, digits))
    folded = fold(query)
    if folded and not digits:
        ranges += [(Customer.name_key, folded), (Customer.last_name_key, folded)]
        if "@" in folded or "." in folded:
            ranges.append((Customer.email, folded))
    found: dict[int, Customer] = {}
    exact = session.scalars(select(Customer).where(Customer.member_id == query)).first()
    if exact is not None:
        found[exact.id] = exact
    for column, prefix in ranges:
        stmt = (
            select(Customer)
            .where(column >= prefix, column < prefix_upper_bound(prefix))
            .where(Customer.merged_into_id.is_(None))
            .order_by(column)
            .limit(limit)
        )
        for customer in session.scalars(stmt):
            found.setdefault(customer.id, customer)
    ordered = sorted(found.values(), key=lambda c: (c.name_key, c.id))
    return ordered[:limit]


@dataclass(frozen=True)
class ItemInput:
    """One line of a sale, as a service caller gives it."""

    line_id: str
    product_name: str
    unit_price: Decimal
    quantity: Decimal = Decimal("1")
    product: Product | None = None
    brand: str | None = None
    category: str | None = None


def record_transaction(
    session: Session,
    *,
    transaction_id: str,
    customer: Customer | None,
    occurred_at: datetime,
    items: Sequence[ItemInput],
    staff: Staff | None = None,
    location: str | None = None,
    payment_type: str | None = None,
    discount: Decimal = Decimal("0"),
    tax: Decimal = Decimal("0"),
) -> Transaction:
    """Record a sale with its items; totals are computed, the customer's analytics refreshed."""
    if occurred_at.tzinfo is None:
        raise InvalidInput("occurred_at must be timezone-aware")
    lines = [_item_row(item) for item in items]
    subtotal = sum((line.total_price for line in lines), Decimal("0"))
    tx = Transaction(
        transaction_id=transaction_id,
        customer_id=customer.id if customer else None,
        occurred_at=occurred_at,
        subtotal=subtotal,
        discount=discount,
        tax=tax,
        total=(subtotal - discount + tax).quantize(CENT),
        staff_id=staff.id if staff else None,
        location=location,
        payment_type=payment_type,
        items=lines,
    )
    session.add(tx)
    session.flush()
    refresh_customer_stats(session, [tx.customer_id])
    return tx


def _item_row(item: ItemInput) -> TransactionItem:
    product = item.product
    return TransactionItem(
        line_id=item.line_id,
        product_id=product.id if product else None,
        product_name=item.product_name,
        brand=item.brand or (product.brand if product else None),
        category=item.category or (product.category if product else None),
        quantity=item.quantity,
        unit_price=item.unit_price,
        total_price=(item.quantity * item.unit_price).quantize(CENT),
    )


def delete_transaction(session: Session, tx: Transaction) -> None:
    """Remove a sale and its items; the customer's analytics follow."""
    customer_id = tx.customer_id
    for item in list(tx.items):
        session.delete(item)
    session.delete(tx)
    session.flush()
    refresh_customer_stats(session, [customer_id])


def reassign_transaction(session: Session, tx: Transaction, customer: Customer | None) -> None:
    """Attach a sale to another customer (or none); both customers' analytics follow."""
    before = tx.customer_id
    tx.customer_id = customer.id if customer else None
    session.flush()
    refresh_customer_stats(session, [before, tx.customer_id])


def customer_transactions(
    session: Session, customer_id: int, *, limit: int = 50, offset: int = 0
) -> list[Transaction]:
    """A customer's sales, newest first."""
    stmt = (
        select(Transaction)
        .where(Transaction.customer_id == customer_id)
        .order_by(Transaction.occurred_at.desc(), Transaction.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(stmt))


def transaction_items(session: Session, transaction_id: int) -> list[TransactionItem]:
    """The lines of one sale, in order."""
    stmt = (
        select(TransactionItem)
        .where(TransactionItem.transaction_id == transaction_id)
        .order_by(TransactionItem.id)
    )
    return list(session.scalars(stmt))


def get_transaction(session: Session, ident: str | int) -> Transaction:
    text = str(ident).strip()
    tx = session.scalars(select(Transaction).where(Transaction.transaction_id == text)).first()
    if tx is None and text.isdigit():
        tx = session.get(Transaction, int(text))
    if tx is None:
        raise NotFound(f"no transaction {text!r}")
    return tx


def create_product(session: Session, product_id: str, name: str, **fields: Any) -> Product:
    product = Product(product_id=product_id, name=name, **fields)
    session.add(product)
    session.flush()
    return product


def create_staff(session: Session, staff_id: str, **fields: Any) -> Staff:
    staff = Staff(staff_id=staff_id, **fields)
    session.add(staff)
    session.flush()
    return staff


def customer_by_id(session: Session, customer_id: int) -> Customer:
    """A customer by database id (a merged one resolves to its survivor); NotFound otherwise."""
    found = session.get(Customer, customer_id)
    if found is None:
        raise NotFound(f"no customer {customer_id}")
    while found.merged_into_id is not None:
        found = session.get_one(Customer, found.merged_into_id)
    return found


def transaction_by_id(session: Session, transaction_id: int) -> Transaction:
    """A sale by database id; NotFound otherwise."""
    tx = session.get(Transaction, transaction_id)
    if tx is None:
        raise NotFound(f"no transaction {transaction_id}")
    return tx


TRANSACTION_SORTS = ("date", "total", "items")


@dataclass(frozen=True)
class TransactionRow:
    transaction: Transaction
    item_count: int


def customer_transaction_rows(
    session: Session,
    customer_id: int,
    *,
    sort: str = "date",
    descending: bool = True,
    limit: int = 20,
    offset: int = 0,
    with_items: bool = False,
) -> list[TransactionRow]:
    """One page of a customer's sales with their item counts, ordered by date, total or items
    (newest first by default); ``with_items`` loads the lines too, in one more query."""
    t = Transaction
    items = (
        select(func.count(TransactionItem.id))
        .where(TransactionItem.transaction_id == t.id)
        .correlate(t)
        .scalar_subquery()
    )
    key = {"total": t.total, "items": items}.get(sort, t.occurred_at)
    direction = (key.desc(), t.id.desc()) if descending else (key.asc(), t.id.asc())
    stmt = select(t, items).where(t.customer_id == customer_id).order_by(*direction)
    if with_items:
        stmt = stmt.options(selectinload(t.items))
    rows = session.execute(stmt.limit(limit).offset(offset))
    return [TransactionRow(tx, int(n)) for tx, n in rows]
