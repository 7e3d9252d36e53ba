"""A small shop for bot tests: products in and out of stock, a regular customer, an inbound."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from conductor.bot.context import BusinessInfo
from conductor.bot.service import BotOptions
from conductor.crm.models import Customer
from conductor.gateway.inbound import dedup_key
from conductor.messaging import service
from conductor.messaging.models import Message
from factories import make_customer, make_product, make_sale

NOW = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
BUSINESS = BusinessInfo(
    "MOTA Dispensary", "9am-9pm every day", "123 Main St, Los Angeles, CA", "(323) 555-0100",
    "MOTA Dispensary: questions? Call (323) 555-0100. Reply STOP to opt out.",
)  # fmt: skip
OPTIONS = BotOptions("test-bot", BUSINESS, ZoneInfo("America/Los_Angeles"))
REGULAR = "+13105550123"
_seq = itertools.count()
STRANGER = "+14155550199"


def stock_the_shop(session: Session) -> None:
    make_product(
        session,
        name="MOTA OG Kush 3.5g",
        brand="MOTA",
        category="Flower",
        strain_type="Indica",
        retail_price=Decimal("35.00"),
        quantity_in_stock=12,
    )
    make_product(
        session,
        name="MOTA Blue Dream 3.5g",
        brand="MOTA",
        category="Flower",
        strain_type="Sativa",
        retail_price=Decimal("38.00"),
        quantity_in_stock=4,
    )
    make_product(
        session,
        name="Kiva Camino Gummies",
        brand="Kiva",
        category="Edibles",
        retail_price=Decimal("22.00"),
        quantity_in_stock=30,
    )
    make_product(
        session,
        name="Stiiizy Pineapple Express Pod",
        brand="Stiiizy",
        category="Vapes",
        retail_price=Decimal("45.00"),
        quantity_in_stock=0,
    )
    make_product(
        session,
        name="Wyld Elderberry Gummies",
        brand="Wyld",
        category="Edibles",
        retail_price=Decimal("20.00"),
        quantity_in_stock=9,
    )


def regular_customer(session: Session) -> Customer:
    customer = make_customer(session, first_name="Rae", last_name="Gold", phone=REGULAR,
                             loyalty_points=420)  # fmt: skip
    gummies = make_product(session, name="Sour Bites", brand="Kiva", category="Edibles",
                           retail_price=Decimal("18.00"), quantity_in_stock=0)  # fmt: skip
    for weeks in (3, 5, 7):
        make_sale(session, customer, when=NOW - timedelta(weeks=weeks), products=[gummies])
    return customer


def inbound(session: Session, text: str, phone: str = REGULAR) -> Message:
    message = service.store_inbound(
        session, sender=phone, content=text, dedup_key=dedup_key(f"{phone}:{text}:{next(_seq)}"),
        received_at=NOW,
    )  # fmt: skip
    assert message is not None
    return message
