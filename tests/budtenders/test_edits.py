"""Hand edits of budtenders: applied whole or not at all, and audited with before and after."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from conductor.accounts.models import AuditEntry
from conductor.budtenders import edits
from conductor.errors import InvalidInput, NotFound
from conductor.loyalty import points
from factories import make_budtender, make_dispensary

NOW = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)


def _audit(session: Session) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_a_bad_value_leaves_nothing_of_the_edit_behind(session: Session) -> None:
    bud = make_budtender(session, make_dispensary(session), first_name="Dee", phone="2135550101")
    session.commit()
    with pytest.raises(InvalidInput, match="phone"):
        edits.edit_budtender(session, bud, {"status": "inactive", "phone": "12"}, actor="mia",
                             now=NOW)  # fmt: skip
    session.commit()
    assert (bud.status, bud.phone) == ("active", "+12135550101") and _audit(session) == []
    with pytest.raises(NotFound):
        edits.edit_budtender(session, bud, {"dispensary_id": 4242}, actor="mia", now=NOW)


def test_an_edit_is_audited_with_only_what_changed(session: Session) -> None:
    bud = make_budtender(session, make_dispensary(session), first_name="Dee")
    changed = edits.edit_budtender(session, bud, {"first_name": "Dee", "instagram": "@dee"},
                                   actor="mia", now=NOW)  # fmt: skip
    assert changed == ["instagram"]
    [entry] = _audit(session)
    assert (entry.action, entry.before, entry.after) == (
        "budtender.update", {"instagram": None}, {"instagram": "dee"}
    )  # fmt: skip
    assert edits.edit_budtender(session, bud, {"instagram": "dee"}, actor="mia", now=NOW) == []
    assert len(_audit(session)) == 1


def test_an_adjustment_is_a_ledger_row_and_an_audit_row(session: Session) -> None:
    bud = make_budtender(session, make_dispensary(session), first_name="Dee")
    points.adjust(session, amount=300, note="launch", actor="mia", now=NOW, budtender_id=bud.id)
    entry = edits.adjust_points(session, bud, amount=-100, note="oops", actor="ivy", now=NOW)
    assert points.budtender_balance(session, bud.id) == 200 and entry.created_by == "ivy"
    [audit] = _audit(session)
    assert audit.before == {"points": 300}
    assert audit.after == {"points": 200, "amount": -100, "note": "oops", "entry_id": entry.id}
    with pytest.raises(InvalidInput, match="reason"):
        edits.adjust_points(session, bud, amount=5, note=" ", actor="ivy", now=NOW)
