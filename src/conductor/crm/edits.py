"""Changes people make to customers and sales by hand, each written to the audit log with the
values before and after (the console and any later tool share these)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from conductor.accounts.service import audit
from conductor.crm import service
from conductor.crm.models import Customer, Transaction
from conductor.crm.phone import normalize_phone
from conductor.errors import InvalidInput
from conductor.messaging.consent import record_consent

CONSENT_SOURCE = "console"


def _json(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _values(customer: Customer, names: list[str]) -> dict[str, Any]:
    return {name: _json(getattr(customer, name)) for name in names}


def edit_customer(
    session: Session,
    customer: Customer,
    changes: Mapping[str, Any],
    *,
    actor: str,
    now: datetime,
    region: str = "US",
) -> list[str]:
    """Apply ``changes`` (any of :data:`service.EDITABLE_FIELDS`) and audit what really changed.

    A phone number that cannot be read is refused rather than silently dropped. Returns the
    names of the fields that changed (none: no audit row).
    """
    phone = changes.get("phone")
    if phone and normalize_phone(phone, region) is None:
        raise InvalidInput(f"not a phone number: {phone!r}")
    names = sorted(changes)
    before = _values(customer, names)
    service.update_customer(session, customer, changes, region=region)
    after = _values(customer, names)
    changed = [name for name in names if before[name] != after[name]]
    if changed:
        audit(
            session, actor=actor, action="customer.update", entity="customer",
            entity_id=customer.id, before={n: before[n] for n in changed},
            after={n: after[n] for n in changed}, now=now,
        )  # fmt: skip
    return changed


def edit_consent(
    session: Session, customer: Customer, *, channel: str, granted: bool, actor: str, now: datetime
) -> bool:
    """Grant or withdraw SMS or e-mail consent; True when it changed (and was audited).

    SMS consent belongs to the phone number: it goes through the consent history, so the
    gateway honours it and every customer sharing the number follows.
    """
    names = [f"{channel}_consent", f"{channel}_consent_source", f"{channel}_consent_at"]
    if channel not in {"sms", "email"}:
        raise InvalidInput(f"consent channel must be sms or email, not {channel!r}")
    before = _values(customer, names)
    if before[names[0]] == granted:
        return False
    if channel == "sms" and customer.phone:
        record_consent(
            session, customer.phone, opted_out=not granted, source=CONSENT_SOURCE, at=now
        )
    else:
        service.set_consent(
            session, customer, channel=channel, granted=granted, source=CONSENT_SOURCE, at=now
        )
    audit(
        session, actor=actor, action="customer.consent", entity="customer",
        entity_id=customer.id, before=before, after=_values(customer, names), now=now,
    )  # fmt: skip
    return True


def remove_transaction(session: Session, tx: Transaction, *, actor: str, now: datetime) -> None:
    """Delete a sale (a duplicate, a test sale); the audit row keeps all of it."""
    snapshot = {
        "transaction_id": tx.transaction_id,
        "customer_id": tx.customer_id,
        "occurred_at": _json(tx.occurred_at),
        "total": _json(tx.total),
        "location": tx.location,
        "payment_type": tx.payment_type,
        "items": [
            {"product_name": i.product_name, "quantity": _json(i.quantity),
             "unit_price": _json(i.unit_price), "product_id": i.product_id}
            for i in tx.items
        ],
    }  # fmt: skip
    tx_id = tx.id
    service.delete_transaction(session, tx)
    audit(
        session, actor=actor, action="transaction.delete", entity="transaction",
        entity_id=tx_id, before=snapshot, after=None, now=now,
    )  # fmt: skip


def audit_export(session: Session, *, actor: str, what: str, ident: object, now: datetime) -> None:
    """Record that personal data left the system (a CSV download)."""
    audit(session, actor=actor, action="export", entity=what, entity_id=ident, now=now)
