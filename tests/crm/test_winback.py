"""The win-back queue read from its cached columns and partial indexes is exactly the queue a
brute-force ranking of every customer's sales gives, however deep it has to read; the cached
columns are checked like the other per-customer analytics."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from conductor.crm import reports, winback
from conductor.crm.models import Customer, Transaction
from conductor.crm.stats import stale_customer_ids
from factories import make_customer, make_sale

NOW = datetime(2026, 5, 1, 20, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _regular(session: Session, *, spend: int, visits: int, away: float, every: float,
             **fields: object) -> Customer:  # fmt: skip
    customer = make_customer(session, **fields)
    for n in range(visits):
        when = NOW - away * DAY - n * every * DAY
        make_sale(session, customer, when=when, prices=[Decimal(spend) / visits])
    return customer


def _brute_force(session: Session, limit: int) -> list[tuple[int, float]]:
    """Every reachable customer's rank from their sales, in Python (the rules in analytics)."""
    ranked = []
    for c in session.scalars(select(Customer).where(Customer.merged_into_id.is_(None))):
        sales = session.scalars(select(Transaction).where(Transaction.customer_id == c.id)).all()
        if len(sales) < 2 or not c.sms_consent or c.phone is None:
            continue
        first, last = min(s.occurred_at for s in sales), max(s.occurred_at for s in sales)
        away, span = (NOW - last) / DAY, (last - first) / DAY
        if away >= 45 and away > 2 * span / (len(sales) - 1):
            value = float(sum(s.total for s in sales))
            score = value * len(sales) * 30 / (span + 30) * 90 / (90 + away)
            ranked.append((-score, c.id))
    return [(cid, round(-score, 2)) for score, cid in sorted(ranked)[:limit]]


def _queue(session: Session, limit: int) -> list[tuple[int, float]]:
    return [(e.customer_id, e.score) for e in winback.priority_queue(session, now=NOW, limit=limit)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_queue_is_the_brute_force_ranking_of_every_customer(
    session: Session, seed: int
) -> None:
    rng = random.Random(seed)
    for _ in range(120):
        _regular(session, spend=rng.randint(20, 9000), visits=rng.randint(1, 8),
                 away=rng.uniform(0, 900), every=rng.uniform(1, 60),
                 sms_consent=rng.random() > 0.1)  # fmt: skip
    session.commit()
    for limit in (1, 5, 40, 200):
        assert _queue(session, limit) == _brute_force(session, limit), limit
    assert winback.queue_size(session, now=NOW) == len(_brute_force(session, 1000))


def test_big_spenders_long_gone_do_not_hide_the_recently_lapsed(session: Session) -> None:
    """The 80 highest values are far down the ranking (recency 90/1090), so the queue must read
    past them, more than its first batch of 50, to find the five that lead."""
    for n in range(80):
        _regular(session, spend=20000 + n, visits=4, away=1000, every=10)
    leaders = [_regular(session, spend=3000 - n, visits=4, away=50, every=10) for n in range(5)]
    session.commit()
    top = reports.win_back_summary(session, now=NOW, top=5)
    assert [e.customer_id for e in top.top] == [c.id for c in leaders]
    assert top.size == 85
    assert _queue(session, 5) == _brute_force(session, 5)


def test_a_customer_lapses_the_moment_twice_their_rhythm_has_passed(session: Session) -> None:
    """Visits every 30 days: in the queue after 60 days away, not at 59.9 (and never before 45)."""
    due = _regular(session, spend=900, visits=3, away=60.01, every=30)
    _regular(session, spend=900, visits=3, away=59.9, every=30)
    _regular(session, spend=900, visits=3, away=44.9, every=10)  # 4.5 rhythms away, < 45 days
    weekly = _regular(session, spend=900, visits=3, away=45, every=7)
    session.commit()
    assert {c for c, _ in _queue(session, 10)} == {due.id, weekly.id}


def test_tampered_win_back_columns_are_reported_stale(session: Session) -> None:
    customer = _regular(session, spend=900, visits=3, away=60, every=30)
    once = _regular(session, spend=900, visits=1, away=60, every=30)
    session.commit()
    assert customer.lapse_day is not None and once.lapse_day is None
    assert stale_customer_ids(session) == []
    session.execute(update(Customer).where(Customer.id == customer.id).values(lapse_day=1.0))
    session.execute(update(Customer).where(Customer.id == once.id).values(win_back_value=5.0))
    session.commit()
    assert sorted(stale_customer_ids(session)) == sorted([customer.id, once.id])
