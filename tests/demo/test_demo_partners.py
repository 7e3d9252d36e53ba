"""The demo's partner network: 112 dispensaries, 524 budtenders and loyalty receipts whose
points are all in the ledger, by the configured rules."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import Result

from conductor.budtenders.models import Budtender, Dispensary
from conductor.loyalty.models import APPROVED, REVIEW, PointsEntry, Receipt, ReceiptImage
from conductor.loyalty.photo import check_upload

CliRun = Callable[..., Result]
SEED_ARGS = ("demo", "seed", "--scale", "0.02", "--seed", "3", "--end-date", "2026-04-30")


def test_the_partner_network_and_its_receipts_are_seeded(cli: CliRun, session: Session) -> None:
    result = cli(*SEED_ARGS)
    assert "524" in result.output and "112" in result.output
    assert session.scalar(select(func.count()).select_from(Dispensary)) == 112
    assert session.scalar(select(func.count()).select_from(Budtender)) == 524
    shops = session.scalars(select(Budtender.dispensary_id)).all()
    assert len(set(shops)) == 112  # every partner has someone
    statuses = Counter(session.scalars(select(Receipt.status)))
    assert 200 <= sum(statuses.values()) <= 500 and statuses[APPROVED] > statuses[REVIEW] > 0
    by_receipt = Counter(session.scalars(select(Receipt.dispensary_id)))
    assert max(by_receipt.values()) < sum(by_receipt.values()) / 4  # busy shops, not one shop


def test_every_approved_receipt_earned_by_the_rules(cli: CliRun, session: Session) -> None:
    cli(*SEED_ARGS)
    for receipt in session.scalars(select(Receipt)):
        rows = session.execute(
            select(PointsEntry.customer_id, PointsEntry.budtender_id, PointsEntry.amount).where(
                PointsEntry.receipt_id == receipt.id
            )
        ).all()
        if receipt.status != APPROVED:
            assert rows == []
            continue
        spend = sum((i.total for i in receipt.items if i.qualifying), Decimal(0))
        assert spend == receipt.qualifying_spend
        assert sorted(rows, key=lambda r: r.amount) == [
            (receipt.customer_id, None, int(spend)),
            (None, receipt.budtender_id, 10 * int(spend)),
        ]


def test_receipts_waiting_for_review_have_a_readable_photo(cli: CliRun, session: Session) -> None:
    cli(*SEED_ARGS)
    waiting = session.scalars(select(Receipt.id).where(Receipt.status == REVIEW)).all()
    images = session.scalars(select(ReceiptImage).where(ReceiptImage.receipt_id.in_(waiting)))
    checked = [check_upload(i.data, i.content_type, max_bytes=10_000_000) for i in images]
    assert len(checked) == len(waiting) and all(p.content_type == "image/jpeg" for p in checked)
