"""The dashboard's reports give the right numbers for constructed data (SQLite and PostgreSQL),
and the dashboard's cards carry them to the charts."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from webkit import add_user, login

from conductor.config import Settings
from conductor.crm import analytics, reports
from conductor.crm.merge import merge_customers
from conductor.messaging import service as messaging
from conductor.messaging.reports import messages_per_day
from conductor.rollup.slots import slot_start
from conductor.web.app import create_app
from conductor.web.deps import now
from factories import make_customer, make_sale

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=LA)  # two days after the spring-forward change


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LA)


def test_revenue_per_day_buckets_sales_into_the_shops_days(session: Session) -> None:
    who = make_customer(session)
    for when, price in [
        (at(8, 0, 1), "10.00"),  # DST day: 00:01 PST is 08:01 UTC
        (at(8, 23, 59), "20.00"),  # 23:59 PDT is 06:59 UTC on the 9th, still the 8th here
        (at(9, 0, 0), "5.55"),
        (at(10, 11), "1.00"),
        (at(6, 23), "99.00"),  # outside a 4-day window (7th to 10th)
        (at(10, 13), "7.00"),  # later today: still today's
    ]:
        make_sale(session, who, when=when, prices=[Decimal(price)])
    session.commit()
    days = reports.revenue_per_day(session, days=4, now=NOW, zone=LA)
    assert [(d.day.day, d.sales, d.revenue) for d in days] == [
        (7, 0, Decimal("0.00")),
        (8, 2, Decimal("30.00")),
        (9, 1, Decimal("5.55")),
        (10, 2, Decimal("8.00")),
    ]
    assert len(reports.revenue_per_day(session, days=90, now=NOW, zone=LA)) == 90


def test_messages_per_day_counts_received_and_sent_per_local_day(session: Session) -> None:
    for n, when in enumerate([at(9, 23, 30), at(10, 0, 30), at(10, 9), at(2, 12)]):
        messaging.store_inbound(session, sender="+12135550100", content="hi",
                                dedup_key=f"k{n}", received_at=when)  # fmt: skip
    for when in (at(9, 8), at(9, 8), at(10, 10)):
        messaging.queue_outbound(session, phone_number="+12135550100", content="hello", now=when)
    session.commit()
    days = messages_per_day(session, days=3, now=NOW, zone=LA)
    assert [(d.day, d.inbound, d.outbound) for d in days] == [
        (date(2026, 3, 8), 0, 0),
        (date(2026, 3, 9), 1, 2),
        (date(2026, 3, 10), 2, 1),
    ]


def test_customers_per_tier_follows_the_thresholds_and_skips_merged_customers(
    session: Session,
) -> None:
    make_customer(session)  # no sales: New
    for totals in (["499.99"], ["500.00"], ["1999.99"], ["2000.00"], ["4999.99"], ["5000.00"]):
        make_sale(session, make_customer(session), when=at(1, 12), prices=[Decimal(totals[0])])
    survivor, duplicate = make_customer(session), make_customer(session)
    make_sale(session, survivor, when=at(1, 12), prices=[Decimal("600.00")])
    make_sale(session, duplicate, when=at(2, 12), prices=[Decimal("3000.00")])
    merge_customers(session, survivor.id, [duplicate.id], reason="test")
    session.commit()
    tiers = reports.customers_per_tier(session)
    assert tiers == {"New": 1, "Bronze": 1, "Silver": 2, "Gold": 3, "Platinum": 1}
    assert list(tiers) == list(reports.TIERS)


def test_the_win_back_size_counts_exactly_the_priority_queue(session: Session) -> None:
    now = datetime(2026, 5, 1, 12, tzinfo=UTC)

    def regular(last_days_ago: int, visits: int, every: int, **fields: object) -> None:
        who = make_customer(session, **fields)
        for n in range(visits):
            make_sale(session, who, when=now - timedelta(days=last_days_ago + n * every))

    regular(60, 5, 10)  # lapsed: in
    regular(200, 3, 30)  # lapsed long ago: in
    regular(50, 4, 30)  # 50 days away but comes every 30: not lapsed enough
    regular(20, 5, 5)  # recent: out
    regular(90, 1, 1)  # one visit: out
    regular(90, 4, 10, sms_consent=False)  # no consent: out
    regular(120, 3, 10, phone=None)  # no phone: out
    session.commit()
    summary = reports.win_back_summary(session, now=now, top=5)
    queue = analytics.win_back_priority_queue(session, now=now, limit=1000)
    assert summary.size == len(queue) == 2
    assert summary.top == queue


def test_the_dashboard_cards_carry_the_numbers_to_the_charts(
    client: TestClient, sessions: sessionmaker[Session], web_app: FastAPI
) -> None:
    with sessions.begin() as s:
        make_sale(s, make_customer(s), when=at(9, 12), prices=[Decimal("123.45")])
    web_app.dependency_overrides[now] = lambda: NOW
    add_user(sessions, "dan", "staff")
    login(client, "dan")
    assert 'hx-get="/dashboard/revenue"' in client.get("/dashboard").text
    revenue = client.get("/dashboard/revenue", params={"days": 7}).text
    chart = json.loads(re.search(r"data-chart='([^']+)'", revenue).group(1))  # type: ignore[union-attr]
    assert chart["type"] == "bar" and chart["data"]["datasets"][0]["data"][-2:] == [123.45, 0.0]
    assert chart["data"]["labels"][-1] == "Mar 10" and "$123" in revenue
    tiers = client.get("/dashboard/tiers").text
    assert '"data": [0, 1, 0, 0, 0]' in tiers.replace("&#34;", '"')
    assert client.get("/dashboard/revenue", params={"days": 1000}).status_code == 422
    assert "Nobody to win back" in client.get("/dashboard/win-back").text
    assert "Messages per day" in client.get("/dashboard/messages").text


def _chart(html: str) -> dict[str, Any]:
    found = re.search(r"data-chart='([^']+)'", html)
    assert found, "the card has no chart"
    return dict(json.loads(found.group(1).replace("&#34;", '"')))


def _card_client(settings: Settings, sessions: sessionmaker[Session], zone: str) -> TestClient:
    app = create_app(settings.model_copy(update={"timezone": zone}), sessions)
    app.dependency_overrides[now] = lambda: datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    client = TestClient(app)
    login(client, "dan")
    return client


def test_the_cards_count_days_in_the_configured_zone_and_a_new_zone_needs_no_rebuild(
    settings: Settings, sessions: sessionmaker[Session]
) -> None:
    # Kathmandu is UTC+5:45: its midnight is 18:15 UTC, a quarter hour but no whole hour.
    with sessions.begin() as s:
        for when, price in [(datetime(2026, 3, 9, 18, 14, 59, tzinfo=UTC), "1.00"),
                            (datetime(2026, 3, 9, 18, 15, tzinfo=UTC), "2.00"),
                            (datetime(2026, 3, 10, 7, 30, tzinfo=UTC), "4.00")]:  # fmt: skip
            make_sale(s, None, when=when, prices=[Decimal(price)])
            messaging.store_inbound(s, sender="+12135550100", content="hi",
                                    dedup_key=when.isoformat(), received_at=when)  # fmt: skip
    add_user(sessions, "dan", "staff")
    expected = {
        # 18:14 and 18:15 UTC on the 9th are 11:14 and 11:15 in LA; 07:30 UTC on the 10th is
        # 00:30 PDT on the 10th.
        "America/Los_Angeles": ([3.0, 4.0], [2, 1]),
        # In Kathmandu 18:14:59 UTC is 23:59:59 on the 9th, 18:15 UTC midnight of the 10th.
        "Asia/Kathmandu": ([1.0, 6.0], [1, 2]),
        # In Tokyo (UTC+9) all three are on the 10th.
        "Asia/Tokyo": ([0.0, 7.0], [0, 3]),
    }
    for zone, (revenue, received) in expected.items():
        with _card_client(settings, sessions, zone) as client:
            chart = _chart(client.get("/dashboard/revenue", params={"days": 7}).text)
            assert chart["data"]["labels"][-2:] == ["Mar 9", "Mar 10"], zone
            assert chart["data"]["datasets"][0]["data"][-2:] == revenue, zone
            chart = _chart(client.get("/dashboard/messages").text)
            assert chart["data"]["datasets"][0]["data"][-2:] == received, zone
            assert sum(chart["data"]["datasets"][1]["data"]) == 0, zone


@pytest.mark.parametrize(
    "when", [datetime(2026, 1, 15, tzinfo=UTC), datetime(2026, 7, 15, tzinfo=UTC)]
)
def test_every_zones_local_midnights_fall_on_quarter_hours(when: datetime) -> None:
    """The rollups add up quarter hours; a zone whose day started elsewhere would raise."""
    for name in sorted(available_timezones()):
        for day in reports.local_days(days=90, now=when, zone=ZoneInfo(name)):
            assert slot_start(day.end) - slot_start(day.start) in range(80, 113), name  # 20-28 h


def test_the_revenue_card_adds_up_sales_count_and_cents_exactly(
    client: TestClient, sessions: sessionmaker[Session], web_app: FastAPI
) -> None:
    with sessions.begin() as s:
        for price in ("0.10", "0.20", "19.99", "1234.56"):
            make_sale(s, make_customer(s), when=at(9, 12), prices=[Decimal(price)])
    web_app.dependency_overrides[now] = lambda: NOW
    add_user(sessions, "dan", "staff")
    login(client, "dan")
    html = client.get("/dashboard/revenue", params={"days": 7}).text
    assert _chart(html)["data"]["datasets"][0]["data"][-2] == 1254.85
    assert "<b>$1,255</b>" in html and "from 4 sales" in html and "$313.71 a sale" in html


def test_each_of_ninety_days_gets_its_own_sales(session: Session) -> None:
    """A sale on every local day, first and last minute alternating: none lands on a neighbour."""
    today = NOW.astimezone(LA).date()
    for back in range(90):
        day = today - timedelta(days=back)
        minute = (0, 0) if back % 2 else (23, 59)
        when = datetime(day.year, day.month, day.day, *minute, tzinfo=LA)
        make_sale(session, None, when=when, prices=[Decimal(back + 1)])
    session.commit()
    days = reports.revenue_per_day(session, days=90, now=NOW, zone=LA)
    assert [(d.sales, d.revenue) for d in days] == [(1, Decimal(n).quantize(Decimal("0.01")))
                                                   for n in range(90, 0, -1)]  # fmt: skip
    assert days[-1].day == today
