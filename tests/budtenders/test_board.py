"""The X viewer's figures come from the ledger and receipts, and filters/sorts work in SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from conductor.budtenders import board
from conductor.budtenders import service as budtenders
from conductor.errors import InvalidInput
from conductor.loyalty import points
from conductor.loyalty.models import APPROVED, RECEIPT, REVIEW, Receipt
from factories import make_budtender, make_dispensary

NOW = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
LA = ZoneInfo("America/Los_Angeles")


def _receipt(
    session: Session, budtender_id: int, spend: str, *, at: datetime, status: str = APPROVED
) -> Receipt:
    receipt = Receipt(
        status=status, submitted_at=at, budtender_id=budtender_id,
        qualifying_spend=Decimal(spend), image_sha256="0" * 64,
    )  # fmt: skip
    session.add(receipt)
    session.flush()
    if status == APPROVED:
        earned = int(Decimal(spend)) * 10
        points.record(session, amount=earned, reason=RECEIPT, actor="t", now=at,
                      budtender_id=budtender_id, receipt_id=receipt.id)  # fmt: skip
    return receipt


def test_rows_derive_points_receipts_sales_tier_and_activity(session: Session) -> None:
    shop = make_dispensary(session, name="Green Door")
    ana = make_budtender(session, shop, first_name="Ana", last_name="Reyes")
    make_budtender(session, shop, first_name="Ben", last_name="Cole")
    _receipt(session, ana.id, "60.00", at=NOW - timedelta(days=3))
    _receipt(session, ana.id, "45.50", at=NOW - timedelta(days=40))
    _receipt(session, ana.id, "99.00", at=NOW - timedelta(days=1), status=REVIEW)
    points.adjust(session, amount=-50, note="typo", actor="boss", now=NOW, budtender_id=ana.id)
    rows = {r.name: r for r in board.budtender_rows(session, now=NOW)}
    assert rows["Ana Reyes"].points == 600 + 450 - 50
    assert rows["Ana Reyes"].receipts == 2  # the one under review does not count
    assert rows["Ana Reyes"].sales == Decimal("105.50")
    assert rows["Ana Reyes"].last_activity == NOW - timedelta(days=3)
    assert rows["Ana Reyes"].tier == "Silver"
    assert rows["Ben Cole"].points == 0 and rows["Ben Cole"].tier == "New"
    assert rows["Ben Cole"].last_activity is None


def test_filters_and_sorting(session: Session) -> None:
    north, south = (
        make_dispensary(session, name="North Star"),
        make_dispensary(session, name="South Bay"),
    )
    a = make_budtender(session, north, first_name="Alma", instagram="@alma.buds")
    b = make_budtender(session, north, first_name="Bea")
    c = make_budtender(session, south, first_name="Cruz", phone="(213) 555-0188")
    _receipt(session, a.id, "10", at=NOW - timedelta(days=2))
    _receipt(session, b.id, "600", at=NOW - timedelta(days=100))

    def names(**kw: object) -> list[str]:
        return [r.name for r in board.budtender_rows(session, now=NOW, **kw)]  # type: ignore[arg-type]

    assert names(dispensary_id=south.id) == ["Cruz"]
    assert names(activity="30d") == ["Alma"]
    assert names(activity="inactive") == ["Bea", "Cruz"]
    assert names(tier="Gold") == ["Bea"]
    assert names(text="alma") == ["Alma"] and names(text="@alma.b") == ["Alma"]
    assert names(text="south") == ["Cruz"] and names(text="5550188") == ["Cruz"]
    assert names(sort="points") == ["Bea", "Alma", "Cruz"]
    assert names(sort="name", descending=False) == ["Alma", "Bea", "Cruz"]
    assert names(sort="last_activity") == ["Alma", "Bea", "Cruz"]
    assert c.phone == "+12135550188"


def test_leaderboard_counts_only_the_period(session: Session) -> None:
    shop = make_dispensary(session)
    old, new = (
        make_budtender(session, shop, first_name="Old"),
        make_budtender(session, shop, first_name="New"),
    )
    _receipt(session, old.id, "500", at=NOW - timedelta(days=60))
    _receipt(session, new.id, "20", at=NOW - timedelta(days=5))
    leaders = board.leaderboard(session, since=NOW - timedelta(days=30))
    assert [(x.name, x.points) for x in leaders] == [("New", 200)]


def test_points_by_week_in_shop_time(session: Session) -> None:
    shop = make_dispensary(session)
    bud = make_budtender(session, shop)
    # Monday 2026-11-23 07:30 UTC is still Sunday evening in Los Angeles: the week before.
    _receipt(session, bud.id, "5", at=datetime(2026, 11, 23, 7, 30, tzinfo=UTC))
    _receipt(session, bud.id, "7", at=datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    weeks = board.points_by_week(session, now=NOW, zone=LA, weeks=3, budtender_id=bud.id)
    assert [w.start.isoformat() for w in weeks] == ["2026-11-09", "2026-11-16", "2026-11-23"]
    assert [(w.points, w.receipts) for w in weeks] == [(0, 0), (50, 1), (70, 1)]


def test_budtender_edits_are_checked(session: Session) -> None:
    bud = make_budtender(session, make_dispensary(session), first_name="Dee")
    with pytest.raises(InvalidInput, match="phone"):
        budtenders.update_budtender(session, bud, {"phone": "12"})
    with pytest.raises(InvalidInput, match="status"):
        budtenders.update_budtender(session, bud, {"status": "retired"})
    with pytest.raises(InvalidInput, match="not editable"):
        budtenders.update_budtender(session, bud, {"points": 5})
    changed = budtenders.update_budtender(session, bud, {"instagram": "@dee", "first_name": "Dee"})
    assert changed == {"instagram": None} and bud.instagram == "dee"


def test_the_count_matches_every_page_of_rows(session: Session) -> None:
    north, south = (
        make_dispensary(session, name="North Star"),
        make_dispensary(session, name="South Bay"),
    )
    for n in range(5):
        make_budtender(session, north if n % 2 else south, first_name=f"Nia{n}")
    bud = make_budtender(session, north, first_name="Omar", status="inactive")
    _receipt(session, bud.id, "150", at=NOW - timedelta(days=1))
    assert board.budtender_count(session, now=NOW) == 6
    assert board.budtender_count(session, now=NOW, text="nia") == 5
    assert board.budtender_count(session, now=NOW, dispensary_id=north.id) == 3
    assert board.budtender_count(session, now=NOW, tier="Silver", activity="7d") == 1
    assert board.budtender_count(session, now=NOW, status="inactive", text="nia") == 0
    paged = board.budtender_rows(session, now=NOW, text="nia", limit=2, offset=4)
    assert [r.name for r in paged] == ["Nia4"]
