"""Reading messages the way people and automations look at them: conversation threads grouped
by phone number, one conversation, the outbox, and filtered lists for API polling."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, or_, select, true
from sqlalchemy.orm import Session

from conductor.crm.models import Customer
from conductor.crm.phone import query_digits
from conductor.crm.service import search_customers
from conductor.messaging import status as st
from conductor.messaging.models import Message


@dataclass(frozen=True)
class Filters:
    """What a person narrowed a list to; empty values mean "any"."""

    search: str = ""
    status: str | None = None
    direction: str | None = None

    def clause(self, session: Session) -> ColumnElement[bool] | None:
        conditions: list[ColumnElement[bool]] = []
        if self.status:
            conditions.append(Message.status == self.status)
        if self.direction:
            conditions.append(Message.direction == self.direction)
        text = self.search.replace("\x00", "").strip()
        if text:
            conditions.append(_search(session, text))
        return and_(true(), *conditions) if conditions else None


def _search(session: Session, text: str) -> ColumnElement[bool]:
    """Messages whose text contains ``text``, whose number contains its digits, or whose
    customer's name, phone or member id starts with it."""
    options: list[ColumnElement[bool]] = [Message.content.icontains(text, autoescape=True)]
    digits = query_digits(text)
    if digits:
        options.append(Message.phone_number.contains(digits, autoescape=True))
    customers = search_customers(session, text, limit=50)
    if customers:
        options.append(Message.customer_id.in_([c.id for c in customers]))
        phones = [c.phone for c in customers if c.phone]
        if phones:
            options.append(Message.phone_number.in_(phones))
    return or_(*options)


@dataclass(frozen=True)
class Thread:
    """One conversation: every message to or from one phone number."""

    phone_number: str
    last: Message
    unread: int
    total: int
    customer: Customer | None

    @property
    def name(self) -> str:
        return self.customer.name if self.customer else ""


def threads(session: Session, filters: Filters, *, limit: int = 50) -> list[Thread]:
    """Conversations with at least one message matching ``filters``, latest activity first."""
    is_unread = and_(Message.direction == st.INBOUND, Message.status == st.UNREAD)
    stmt = (
        select(
            Message.phone_number,
            func.max(Message.id),
            func.sum(case((is_unread, 1), else_=0)),
            func.count(),
        )
        .group_by(Message.phone_number)
        .order_by(func.max(Message.created_at).desc(), func.max(Message.id).desc())
        .limit(limit)
    )
    matching = filters.clause(session)
    if matching is not None:
        stmt = stmt.having(func.sum(case((matching, 1), else_=0)) > 0)
    rows = session.execute(stmt).all()
    last = {
        m.id: m for m in session.scalars(select(Message).where(Message.id.in_(r[1] for r in rows)))
    }
    customers = customers_for(session, last.values())
    return [
        Thread(phone, last[last_id], int(unread or 0), total, customers.get(last[last_id].id))
        for phone, last_id, unread, total in rows
    ]


def customers_for(session: Session, messages: Iterable[Message]) -> dict[int, Customer]:
    """The customer of each message (by its ``customer_id``, else by its phone number), by
    message id; messages from unknown numbers are left out."""
    messages = list(messages)
    ids = {m.customer_id for m in messages if m.customer_id is not None}
    phones = {m.phone_number for m in messages if m.customer_id is None}
    by_id = {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(ids)))}
    by_phone: dict[str, Customer] = {}
    stmt = (
        select(Customer)
        .where(Customer.phone.in_(phones), Customer.merged_into_id.is_(None))
        .order_by(Customer.last_visit_at.asc().nulls_first(), Customer.id.desc())
    )
    for candidate in session.scalars(stmt):
        by_phone[candidate.phone or ""] = candidate  # the most recent visitor is written last
    found: dict[int, Customer] = {}
    for m in messages:
        customer = by_id.get(m.customer_id) if m.customer_id else by_phone.get(m.phone_number)
        if customer is not None:
            found[m.id] = customer
    return found


def conversation(session: Session, phone_number: str, *, limit: int = 200) -> list[Message]:
    """The latest ``limit`` messages to and from ``phone_number``, oldest first."""
    stmt = (
        select(Message)
        .where(Message.phone_number == phone_number)
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(limit)
    )
    return list(reversed(session.scalars(stmt).all()))


def outbox(session: Session, filters: Filters, *, limit: int = 100) -> Sequence[Message]:
    """Outbound messages matching ``filters``, newest first."""
    stmt = select(Message).where(Message.direction == st.OUTBOUND)
    matching = filters.clause(session)
    if matching is not None:
        stmt = stmt.where(matching)
    return session.scalars(stmt.order_by(Message.id.desc()).limit(limit)).all()


def list_messages(
    session: Session,
    *,
    direction: str | None = None,
    status: str | None = None,
    since_id: int | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> Sequence[Message]:
    """Messages after an id and/or a time, in id order: what an automation polls with."""
    stmt = select(Message)
    if direction:
        stmt = stmt.where(Message.direction == direction)
    if status:
        stmt = stmt.where(Message.status == status)
    if since_id is not None:
        stmt = stmt.where(Message.id > since_id)
    if since is not None:
        stmt = stmt.where(Message.created_at >= since)
    return session.scalars(stmt.order_by(Message.id).limit(limit)).all()
