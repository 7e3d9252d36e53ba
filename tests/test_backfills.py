"""Migrations 0007 and 0009 fill their caches from the data already there: upgrading a database
that has sales, messages and customers gives the rollups and win-back columns the live code
would have kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from alembic import command
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from conductor.crm.models import Customer
from conductor.crm.stats import stale_customer_ids
from conductor.messaging import service as messaging
from conductor.rollup import service as rollups
from conductor.store import migrate
from factories import make_customer, make_sale
from rollupkit import messages_from_table, messages_kept, sales_from_transactions, sales_kept

START = datetime(2026, 2, 1, 18, 0, tzinfo=UTC)


def _downgrade(engine: Engine, revision: str) -> None:
    config = migrate.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_upgrading_a_database_with_data_fills_the_rollups_and_win_back_columns(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as s:
        for n in range(6):
            who = make_customer(s)
            for visit in range(n):
                make_sale(s, who, when=START + timedelta(days=9 * visit, minutes=n),
                          prices=[Decimal("12.34") * (n + 1)])  # fmt: skip
            messaging.store_inbound(s, sender="+12135550100", content="hi", dedup_key=f"k{n}",
                                    received_at=START + timedelta(hours=n))  # fmt: skip
            messaging.queue_outbound(s, phone_number="+12135550100", content="hello",
                                     now=START + timedelta(hours=n, minutes=14))  # fmt: skip
    with sessions() as s:
        before = {c.id: (c.lapse_day, c.win_back_value) for c in s.scalars(select(Customer))}
        sales, texts = sales_kept(s), messages_kept(s)
    try:
        _downgrade(engine, "0006")  # no rollups, no win-back columns
    finally:
        migrate.upgrade(engine)
    with sessions() as s:
        assert sales_kept(s) == sales == sales_from_transactions(s) != {}
        assert messages_kept(s) == texts == messages_from_table(s) != {}
        assert rollups.problems(s) == [] and stale_customer_ids(s) == []
        after = {c.id: (c.lapse_day, c.win_back_value) for c in s.scalars(select(Customer))}
    assert after.keys() == before.keys() and sum(v[0] is not None for v in after.values()) == 4
    for cid, (lapse, value) in after.items():
        assert (lapse is None) == (before[cid][0] is None)
        if lapse is not None:
            assert abs(lapse - before[cid][0]) < 1e-6 and abs(value - before[cid][1]) < 1e-6
