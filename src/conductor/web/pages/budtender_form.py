"""The X viewer's two forms, a budtender's profile and a points adjustment: what they post and
how each is read into service arguments, with a message per field for what cannot be used."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from conductor.budtenders.models import STATUSES, Budtender
from conductor.crm.phone import normalize_phone
from conductor.loyalty.points import MAX_ADJUSTMENT

PROFILE_FIELDS = ("first_name", "last_name", "status", "phone", "email", "instagram",
                  "dispensary_id")  # fmt: skip
LIMITS = {"first_name": 60, "last_name": 60, "phone": 40, "email": 254, "instagram": 60}
REASON_LENGTH = 500
POSTED = 2_000
"""The most a field may carry at all; the real limits above come back as messages."""


class ProfileForm(BaseModel):
    """Every field as typed (strings), so a typo comes back as a message on the form."""

    first_name: str = Field("", max_length=POSTED)
    last_name: str = Field("", max_length=POSTED)
    status: str = Field("", max_length=POSTED)
    phone: str = Field("", max_length=POSTED)
    email: str = Field("", max_length=POSTED)
    instagram: str = Field("", max_length=POSTED)
    dispensary_id: str = Field("", max_length=POSTED)


class PointsForm(BaseModel):
    amount: str = Field("", max_length=POSTED)
    reason: str = Field("", max_length=POSTED)


def parse_profile(
    form: ProfileForm, dispensary_ids: set[int], region: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """Changes for ``edit_budtender`` and errors by field name (the edit is refused whole)."""
    changes: dict[str, Any] = {name: " ".join(getattr(form, name).split()) for name in LIMITS}
    errors = {name: f"at most {most} characters" for name, most in LIMITS.items()
              if len(changes[name]) > most}  # fmt: skip
    if not changes["first_name"]:
        errors["first_name"] = "a budtender needs a first name"
    if changes["phone"] and normalize_phone(changes["phone"], region) is None:
        errors["phone"] = "not a phone number"
    if changes["email"] and "@" not in changes["email"]:
        errors["email"] = "not an e-mail address"
    changes["status"] = form.status.strip()
    if changes["status"] not in STATUSES:
        errors["status"] = f"one of {', '.join(STATUSES)}"
    text = form.dispensary_id.strip()
    if text.isascii() and text.isdigit() and int(text) in dispensary_ids:
        changes["dispensary_id"] = int(text)
    else:
        errors["dispensary_id"] = "pick one of the partner dispensaries"
    return changes, errors


def profile_values(budtender: Budtender) -> dict[str, Any]:
    """The profile form's initial values."""
    values = {name: getattr(budtender, name) or "" for name in PROFILE_FIELDS}
    values["instagram"] = f"@{budtender.instagram}" if budtender.instagram else ""
    return values


def parse_points(form: PointsForm) -> tuple[int, str, dict[str, str]]:
    """The amount (a whole number, + or -, not 0), the reason, and errors by field name."""
    errors: dict[str, str] = {}
    text = form.amount.strip().replace(",", "").replace("\u2212", "-")
    digits = text.removeprefix("+").removeprefix("-")
    amount = int(text) if digits.isascii() and digits.isdigit() and len(digits) <= 9 else None
    if amount is None:
        errors["amount"] = "a whole number of points, like 250 or -100"
    elif amount == 0:
        errors["amount"] = "0 points changes nothing"
    elif abs(amount) > MAX_ADJUSTMENT:
        errors["amount"] = f"at most {MAX_ADJUSTMENT:,} points at a time"
    reason = " ".join(form.reason.split())
    if not reason:
        errors["reason"] = "say why (the reason is kept in the ledger)"
    elif len(reason) > REASON_LENGTH:
        errors["reason"] = f"at most {REASON_LENGTH} characters"
    return amount or 0, reason, errors
