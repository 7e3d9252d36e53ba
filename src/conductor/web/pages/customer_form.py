"""The customer edit form: what it posts, how it is read into service changes, and the shop's
local time for the viewer's templates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from conductor.crm.models import Customer

TEXT_FIELDS = ("first_name", "last_name", "phone", "email", "member_group", "marketing_source",
               "state", "zip_code")  # fmt: skip
DATE_FIELDS = ("date_of_birth", "date_joined")
MAX_POINTS = 10_000_000


class CustomerForm(BaseModel):
    """Every field as typed (strings), so a typo comes back as a message on the form."""

    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    date_of_birth: str = Field("", max_length=20)
    date_joined: str = Field("", max_length=20)
    loyalty_points: str = Field("0", max_length=12)
    member_group: str = Field("", max_length=50)
    marketing_source: str = Field("", max_length=100)
    state: str = Field("", max_length=2)
    zip_code: str = Field("", max_length=10)
    sms_consent: bool = False
    email_consent: bool = False


def parse_form(form: CustomerForm) -> tuple[dict[str, Any], dict[str, bool], dict[str, str]]:
    """Changes for ``edit_customer``, consent per channel, and errors by field name."""
    changes: dict[str, Any] = {name: getattr(form, name).strip() for name in TEXT_FIELDS}
    changes["state"] = changes["state"].upper() or None
    for name in ("member_group", "marketing_source", "zip_code"):
        changes[name] = changes[name] or None
    errors: dict[str, str] = {}
    if not (changes["first_name"] or changes["last_name"]):
        errors["first_name"] = "a customer needs a first or last name"
    for name in DATE_FIELDS:
        text = getattr(form, name).strip()
        try:
            changes[name] = date.fromisoformat(text) if text else None
        except ValueError:
            errors[name] = "a date like 1990-04-21"
    points = form.loyalty_points.strip() or "0"
    if points.isascii() and points.isdigit() and int(points) <= MAX_POINTS:
        changes["loyalty_points"] = int(points)
    else:
        errors["loyalty_points"] = f"a whole number from 0 to {MAX_POINTS:,}"
    consent = {"sms": form.sms_consent, "email": form.email_consent}
    return changes, consent, errors


def form_values(customer: Customer) -> dict[str, Any]:
    """The form's initial values from the customer record."""
    values: dict[str, Any] = {name: getattr(customer, name) or "" for name in TEXT_FIELDS}
    values["phone"] = customer.phone_raw or customer.phone or ""
    for name in DATE_FIELDS:
        moment = getattr(customer, name)
        values[name] = moment.isoformat() if moment else ""
    values["loyalty_points"] = str(customer.loyalty_points)
    values["sms_consent"] = customer.sms_consent
    values["email_consent"] = customer.email_consent
    return values


def shop_time(zone: ZoneInfo) -> Callable[[datetime | None, str], str]:
    """A formatter for times in the shop's zone: ``local(t)`` -> ``2026-05-01 17:05``."""

    def local(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return moment.astimezone(zone).strftime(fmt) if moment else ""

    return local
