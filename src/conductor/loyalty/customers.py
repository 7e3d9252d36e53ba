"""Who sent a receipt: the CRM customer with that phone number or e-mail, or a new one.

A box ticked on the form is consent given there and then, recorded with source ``rex-form``;
a box left empty changes nothing (it is not an opt-out).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from conductor.crm import service as crm
from conductor.crm.models import Customer
from conductor.crm.phone import normalize_phone
from conductor.errors import InvalidInput
from conductor.mail import email_address
from conductor.messaging.consent import record_consent

SOURCE = "rex-form"
MEMBER_PREFIX = "REX-"


@dataclass(frozen=True)
class Submitter:
    """The form's fields, checked: a name and at least one way to reach the person."""

    name: str
    phone: str | None
    email: str | None
    sms_consent: bool = False
    email_consent: bool = False

    @classmethod
    def checked(
        cls,
        name: str,
        phone: str | None,
        email: str | None,
        *,
        sms_consent: bool = False,
        email_consent: bool = False,
        region: str = "US",
    ) -> Submitter:
        name = " ".join((name or "").split())
        if not name:
            raise InvalidInput("name: tell us your name")
        if len(name) > 200:
            raise InvalidInput("name: at most 200 characters")
        e164 = None
        if phone and phone.strip():
            e164 = normalize_phone(phone, region)
            if e164 is None:
                raise InvalidInput(f"phone: {phone.strip()!r} is not a phone number")
        address = None
        if email and email.strip():
            try:
                address = email_address(email)
            except InvalidInput as exc:
                raise InvalidInput(f"email: {exc}") from None
        if e164 is None and address is None:
            raise InvalidInput("phone or email: give at least one so we can confirm your points")
        if sms_consent and e164 is None:
            raise InvalidInput("phone: texts need a phone number")
        if email_consent and address is None:
            raise InvalidInput("email: e-mails need an address")
        return cls(name, e164, address, sms_consent, email_consent)


def customer_for(session: Session, who: Submitter, *, now: datetime) -> Customer:
    """The customer this person is (by phone, then e-mail), created when unknown."""
    customer = None
    live = Customer.merged_into_id.is_(None)
    if who.phone:
        stmt = select(Customer).where(Customer.phone == who.phone, live).order_by(Customer.id)
        customer = session.scalars(stmt.limit(1)).first()
    if customer is None and who.email:
        stmt = select(Customer).where(Customer.email == who.email, live).order_by(Customer.id)
        customer = session.scalars(stmt.limit(1)).first()
    if customer is None:
        first, _, last = who.name.partition(" ")
        customer = crm.create_customer(
            session,
            MEMBER_PREFIX + secrets.token_hex(5).upper(),
            first_name=first,
            last_name=last,
            phone=who.phone,
            email=who.email,
            marketing_source="REX receipt",
            date_joined=now.date(),
        )
    elif who.phone and not customer.phone:
        crm.update_customer(session, customer, {"phone": who.phone})
    if who.sms_consent and who.phone:
        record_consent(session, who.phone, opted_out=False, source=SOURCE, at=now)
        crm.set_consent(session, customer, channel="sms", granted=True, source=SOURCE, at=now)
    if who.email_consent and who.email:
        crm.set_consent(session, customer, channel="email", granted=True, source=SOURCE, at=now)
    return customer
