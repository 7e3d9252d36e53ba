"""Service functions for dispensaries and budtenders: every change goes through here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from conductor.budtenders.models import STATUSES, Budtender, Dispensary
from conductor.crm.keys import fold
from conductor.crm.phone import normalize_phone
from conductor.errors import InvalidInput, NotFound

EDITABLE = frozenset(
    {"first_name", "last_name", "phone", "email", "instagram", "status", "dispensary_id"}
)


def create_dispensary(
    session: Session,
    name: str,
    *,
    city: str | None = None,
    state: str | None = None,
    phone: str | None = None,
) -> Dispensary:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("a dispensary needs a name")
    if session.scalar(select(Dispensary.id).where(Dispensary.name == name)) is not None:
        raise InvalidInput(f"there is already a dispensary called {name!r}")
    row = Dispensary(name=name, name_key=fold(name), city=city, state=state, phone=phone)
    session.add(row)
    session.flush()
    return row


def create_budtender(
    session: Session,
    dispensary: Dispensary,
    first_name: str,
    *,
    last_name: str = "",
    source: str = "console",
    region: str = "US",
    **fields: Any,
) -> Budtender:
    budtender = Budtender(dispensary=dispensary, first_name="", last_name="", source=source)
    _apply(budtender, {"first_name": first_name, "last_name": last_name, **fields}, region)
    session.add(budtender)
    session.flush()
    return budtender


def update_budtender(
    session: Session, budtender: Budtender, changes: Mapping[str, Any], *, region: str = "US"
) -> dict[str, Any]:
    """Apply ``changes``; returns the previous values of what changed (for the audit log)."""
    _known(changes)
    before = {name: getattr(budtender, name) for name in changes}
    _apply(budtender, changes, region)
    session.flush()
    return {k: v for k, v in before.items() if getattr(budtender, k) != v}


def _known(fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - EDITABLE
    if unknown:
        raise InvalidInput(f"not editable budtender fields: {', '.join(sorted(unknown))}")


def _apply(budtender: Budtender, fields: Mapping[str, Any], region: str) -> None:
    _known(fields)
    for name, value in fields.items():
        text = " ".join(str(value).split()) if value is not None else ""
        if name == "phone":
            budtender.phone = normalize_phone(text, region) if text else None
            if text and budtender.phone is None:
                raise InvalidInput(f"not a phone number: {text!r}")
        elif name == "email":
            if text and "@" not in text:
                raise InvalidInput(f"not an e-mail address: {text!r}")
            budtender.email = text.lower() or None
        elif name == "instagram":
            budtender.instagram = text.lstrip("@") or None
        elif name == "status":
            if text not in STATUSES:
                raise InvalidInput(f"status must be one of {', '.join(STATUSES)}")
            budtender.status = text
        elif name == "dispensary_id":
            budtender.dispensary_id = int(value)
        else:
            setattr(budtender, name, text)
    if not budtender.first_name:
        raise InvalidInput("a budtender needs a first name")
    budtender.name_key = fold(f"{budtender.first_name} {budtender.last_name}")


def get_budtender(session: Session, budtender_id: int) -> Budtender:
    found = session.get(Budtender, budtender_id)
    if found is None:
        raise NotFound(f"no budtender {budtender_id}")
    return found


def get_dispensary(session: Session, dispensary_id: int) -> Dispensary:
    found = session.get(Dispensary, dispensary_id)
    if found is None:
        raise NotFound(f"no dispensary {dispensary_id}")
    return found


def dispensaries(session: Session) -> list[Dispensary]:
    return list(session.scalars(select(Dispensary).order_by(Dispensary.name_key)))


def staff_of(session: Session, dispensary_id: int) -> list[Budtender]:
    stmt = select(Budtender).where(Budtender.dispensary_id == dispensary_id)
    return list(session.scalars(stmt.order_by(Budtender.name_key, Budtender.id)))
