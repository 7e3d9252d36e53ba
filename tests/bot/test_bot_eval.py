"""Runs the evaluation set in tests/bot_eval/ through the real bot and prints its score."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from botkit import NOW, OPTIONS, REGULAR, STRANGER, inbound, regular_customer, stock_the_shop
from sqlalchemy import select
from sqlalchemy.orm import Session

from conductor.bot.offline import OfflineResponder
from conductor.bot.service import handle
from conductor.crm.models import Product
from conductor.messaging import consent
from conductor.messaging import status as st
from conductor.messaging.models import Message
from conductor.modem import pdu
from factories import make_customer, make_product, make_sale

CASES = json.loads((Path(__file__).parents[1] / "bot_eval" / "cases.json").read_text())
VIP = "+13235550177"
SENDERS = {"regular": REGULAR, "vip": VIP, "stranger": STRANGER}
OTHER_NAME = {"regular": "Vic", "vip": "Rae", "stranger": "Rae"}
PRICE = re.compile(r"\$(\d+(?:\.\d{2})?)")
PASS_MARK = 1.0


def _vip(session: Session) -> None:
    vic = make_customer(session, first_name="Vic", last_name="Park", phone=VIP,
                        loyalty_points=2450)  # fmt: skip
    og = session.scalars(select(Product).where(Product.name == "MOTA OG Kush 3.5g")).one()
    make_sale(session, vic, when=NOW.replace(day=20, month=11), products=[og])
    pen = make_product(session, name="Pax Era Pen", brand="Pax", category="Accessories",
                       retail_price=Decimal("30.00"), quantity_in_stock=3)  # fmt: skip
    make_sale(session, vic, when=NOW.replace(day=1, month=10), products=[pen])


def _problems(case: dict[str, Any], outcome: Any, message: Message, reply: Message | None,
              prices: set[Decimal]) -> list[str]:  # fmt: skip
    problems: list[str] = []
    if outcome.kind != case.get("kind", "reply"):
        problems.append(f"kind {outcome.kind}")
    if "needs_human" in case and (message.status == st.NEEDS_HUMAN) != case["needs_human"]:
        problems.append(f"status {message.status}")
    text = reply.content if reply else ""
    problems += [
        f"missing {w!r}" for w in case.get("contains", []) if w.lower() not in text.lower()
    ]
    problems += [f"has {w!r}" for w in case.get("not_contains", []) if w.lower() in text.lower()]
    if reply and len(pdu.encode_submit(reply.phone_number, text)) > 2:
        problems.append("over 2 SMS parts")
    problems += [
        f"price ${p} not in stock" for p in PRICE.findall(text) if Decimal(p) not in prices
    ]
    if OTHER_NAME[case["from"]] in text:
        problems.append("names another customer")
    return problems


def test_the_evaluation_set(session: Session) -> None:
    assert len(CASES) >= 40
    stock_the_shop(session)
    regular_customer(session)
    _vip(session)
    prices = {p.retail_price for p in session.scalars(select(Product))
              if p.quantity_in_stock > 0 and p.retail_price is not None}  # fmt: skip
    failures: list[str] = []
    for number, case in enumerate(CASES, 1):
        phone = SENDERS[case["from"]]
        if consent.is_opted_out(session, phone):
            consent.record_consent(session, phone, opted_out=False, source="eval reset", at=NOW)
        message = inbound(session, case["text"], phone)
        outcome = handle(session, message, options=OPTIONS, responder=OfflineResponder(), now=NOW)
        reply = session.get(Message, outcome.reply_id) if outcome.reply_id else None
        problems = _problems(case, outcome, message, reply, prices)
        if problems:
            failures.append(f"#{number} {case['text']!r} -> {reply.content if reply else None!r}: "
                            f"{', '.join(problems)}")  # fmt: skip
    score = (len(CASES) - len(failures)) / len(CASES)
    print(f"\nbot evaluation: {len(CASES) - len(failures)}/{len(CASES)} passed ({score:.0%})")
    for failure in failures:
        print("  FAIL", failure)
    assert score >= PASS_MARK, "\n".join(failures)
