from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from conductor.crm import analytics, service
from factories import make_customer, make_product, make_sale

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ltv", "visits", "tier"),
    [
        ("0", 0, "New"),
        ("499.99", 3, "Bronze"),
        ("500", 3, "Silver"),
        ("1999.99", 9, "Silver"),
        ("2000", 9, "Gold"),
        ("5000", 40, "Platinum"),
    ],
)
def test_vip_tier_follows_lifetime_value(ltv: str, visits: int, tier: str) -> None:
    assert analytics.vip_tier(Decimal(ltv), visits) == tier


@pytest.mark.parametrize(
    ("days_since", "interval", "risk"),
    [
        (None, None, "unknown"),
        (10, 14, "low"),
        (25, 14, "medium"),
        (50, 14, "high"),
        (40, None, "low"),  # no rhythm yet: 30 days expected
        (50, None, "medium"),
        (2, 1, "low"),  # intervals under 7 days count as 7
        (400, 100, "lost"),
    ],
)
def test_churn_risk_compares_the_gap_with_the_customers_own_rhythm(
    days_since: float | None, interval: float | None, risk: str
) -> None:
    assert analytics.churn_risk(days_since, interval) == risk


def _regular(session: Session) -> tuple[int, list[datetime]]:
    """A customer who buys MOTA flower on Fridays around 17:00 local, every 14 days."""
    customer = make_customer(session, first_name="Rae", last_name="Gold", phone="3105550123")
    flower = make_product(session, name="MOTA OG 3.5g", brand="MOTA", retail_price=Decimal("40"))
    gummy = make_product(
        session, name="Sour Bites", brand="Kiva", category="Edibles", retail_price=Decimal("20")
    )
    first_friday = datetime(2026, 9, 4, 17, 10, tzinfo=LA)
    times = [first_friday + timedelta(days=14 * i) for i in range(5)]
    for i, when in enumerate(times):
        products = [flower, gummy] if i == 0 else [flower]
        make_sale(session, customer, when=when.astimezone(UTC), products=products,
                  location="Downtown" if i else "Eastside")  # fmt: skip
    session.commit()
    return customer.id, times


def test_affinity_counts_spend_and_last_bought_per_brand_category_product(
    session: Session,
) -> None:
    cid, times = _regular(session)
    affinity = analytics.customer_product_affinity(session, cid)
    assert [(b.name, b.purchases, b.spend) for b in affinity.brands] == [
        ("MOTA", 5, Decimal("200.00")),
        ("Kiva", 1, Decimal("20.00")),
    ]
    assert [c.name for c in affinity.categories] == ["Flower", "Edibles"]
    assert affinity.products[0].name == "MOTA OG 3.5g"
    assert affinity.products[0].last_bought == times[-1].astimezone(UTC)
    assert affinity.products[1].last_bought == times[0].astimezone(UTC)


def test_visit_patterns_find_the_usual_day_hour_rhythm_and_next_visit(session: Session) -> None:
    cid, times = _regular(session)
    pattern = analytics.customer_visit_patterns(session, cid, zone=LA)
    assert pattern.visits == 5
    assert pattern.usual_weekday == "Friday"
    assert pattern.usual_hour == 17
    assert pattern.mean_days_between == 14.0
    assert pattern.stdev_days_between == 0.0
    assert pattern.preferred_location == "Downtown"
    assert pattern.next_visit_expected == (times[-1] + timedelta(days=14)).astimezone(UTC)


def test_a_customer_without_visits_has_an_empty_pattern(session: Session) -> None:
    customer = make_customer(session)
    session.commit()
    pattern = analytics.customer_visit_patterns(session, customer.id, zone=LA)
    assert (pattern.visits, pattern.usual_weekday, pattern.next_visit_expected) == (0, None, None)


def test_sms_context_holds_what_a_texting_agent_needs(session: Session) -> None:
    cid, times = _regular(session)
    customer = service.get_customer(session, "(310) 555-0123")
    assert customer.id == cid
    now = times[-1].astimezone(UTC) + timedelta(days=50)
    ctx = analytics.customer_sms_context(session, customer, now=now, zone=LA)
    assert ctx.first_name == "Rae"
    assert ctx.visits == 5
    assert ctx.lifetime_value == Decimal("220.00")
    assert ctx.average_sale == Decimal("44.00")
    assert ctx.tier == "Bronze"
    assert ctx.days_since_last_visit == 50
    assert ctx.favourite_brand == "MOTA"
    assert ctx.favourite_category == "Flower"
    assert ctx.favourite_products == ["MOTA OG 3.5g", "Sour Bites"]
    assert ctx.preferred_weekday == "Friday"
    assert ctx.preferred_location == "Downtown"
    assert ctx.churn_risk == "high"  # 50 days against a 14-day rhythm
    assert ctx.sms_consent is True
    as_json = ctx.as_dict()
    assert as_json["lifetime_value"] == "220.00"
    assert as_json["last_visit"] == times[-1].astimezone(UTC).isoformat()


def _history(  # type: ignore[no-untyped-def]
    session: Session, spend: str, visits: int, last_days_ago: int, every: int, **kw
):
    customer = make_customer(session, **kw)
    for i in range(visits):
        when = NOW - timedelta(days=last_days_ago + every * i)
        make_sale(session, customer, when=when, prices=[Decimal(spend) / visits])
    return customer


def test_win_back_queue_ranks_lapsed_valuable_customers_and_skips_the_unreachable(
    session: Session,
) -> None:
    big = _history(session, "3000", 20, 60, 14, first_name="Big")
    recent_big = _history(session, "3000", 20, 200, 14, first_name="Faded")
    small = _history(session, "300", 20, 60, 14, first_name="Small")
    _history(session, "3000", 20, 5, 14, first_name="Active")  # not lapsed
    _history(session, "3000", 1, 90, 14, first_name="Once")  # one visit: no rhythm
    _history(session, "3000", 20, 60, 14, first_name="Stopped", sms_consent=False)
    _history(session, "3000", 20, 60, 14, first_name="Nophone", phone=None)
    slow = _history(session, "3000", 10, 60, 45, first_name="Slow")  # 60 < 2 x 45: not lapsed
    merged = _history(session, "3000", 20, 60, 14, first_name="Merged")
    merged.merged_into_id = big.id
    session.commit()
    queue = analytics.win_back_priority_queue(session, now=NOW, limit=10)
    assert [e.name.split()[0] for e in queue] == ["Big", "Faded", "Small"]
    assert queue[0].customer_id == big.id and queue[2].customer_id == small.id
    assert recent_big.id in {e.customer_id for e in queue}
    assert slow.id not in {e.customer_id for e in queue}
    assert queue[0].days_since_last_visit == 60
    assert queue[0].mean_interval_days == 14.0
    assert queue[0].score > queue[1].score > queue[2].score
    assert len(analytics.win_back_priority_queue(session, now=NOW, limit=1)) == 1
