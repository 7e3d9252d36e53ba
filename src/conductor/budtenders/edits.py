"""Changes people make to budtenders by hand: profile edits and points adjustments, each written
to the audit log with the values before and after (the console and any later tool share these)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from conductor.accounts.service import audit
from conductor.budtenders import service
from conductor.budtenders.models import Budtender
from conductor.errors import InvalidInput
from conductor.loyalty import points
from conductor.loyalty.models import PointsEntry


def edit_budtender(
    session: Session,
    budtender: Budtender,
    changes: Mapping[str, Any],
    *,
    actor: str,
    now: datetime,
    region: str = "US",
) -> list[str]:
    """Apply ``changes`` (any of :data:`service.EDITABLE`) and audit what really changed.

    Refused whole: on a bad value (:class:`InvalidInput`) or an unknown dispensary
    (:class:`NotFound`) nothing of the edit stays on the budtender. Returns the names of the
    fields that changed (none: no audit row).
    """
    if "dispensary_id" in changes:
        service.get_dispensary(session, int(changes["dispensary_id"]))
    try:
        before = service.update_budtender(session, budtender, changes, region=region)
    except InvalidInput:
        session.expire(budtender)  # drop what was applied before the bad value
        raise
    if before:
        after = {name: getattr(budtender, name) for name in before}
        audit(
            session, actor=actor, action="budtender.update", entity="budtender",
            entity_id=budtender.id, before=before, after=after, now=now,
        )  # fmt: skip
    return sorted(before)


def adjust_points(
    session: Session, budtender: Budtender, *, amount: int, note: str, actor: str, now: datetime
) -> PointsEntry:
    """A manual change of a budtender's points through the ledger, with the reason written down
    (:func:`conductor.loyalty.points.adjust` refuses 0, too much and no reason)."""
    balance = points.budtender_balance(session, budtender.id)
    entry = points.adjust(
        session, amount=amount, note=note, actor=actor, now=now, budtender_id=budtender.id
    )
    audit(
        session, actor=actor, action="points.adjust", entity="budtender", entity_id=budtender.id,
        before={"points": balance},
        after={"points": balance + amount, "amount": amount, "note": entry.note,
               "entry_id": entry.id},
        now=now,
    )  # fmt: skip
    return entry
