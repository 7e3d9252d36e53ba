from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from conductor.bot.context import BotContext, BusinessInfo, ProductFact, Turn
from conductor.bot.guard import (
    EMPTY,
    TOO_LONG,
    UNKNOWN_NUMBER,
    UNKNOWN_PRICE,
    UNKNOWN_PRODUCT,
    check_reply,
    fit_parts,
    sms_parts,
)
from conductor.crm.analytics import SmsContext

SHOP = BusinessInfo(
    name="MOTA Dispensary",
    hours="Mon-Sat 9am-9pm, Sun 10am-6pm",
    address="1234 Main St, Los Angeles, CA 90012",
    phone="+12135550100",
    help_text="Reply STOP to opt out.",
)
BLUE_DREAM = ProductFact("Blue Dream", "MOTA", "Flower", "Hybrid", Decimal("25.00"), 8)
GELATO = ProductFact("Gelato 3.5g", "Jungle", "Flower", "Indica", Decimal("42.50"), 3)
CATALOGUE = frozenset(
    {"blue dream", "gelato 3.5g", "mota", "jungle", "blue dream cart", "sour diesel", "kiva"}
)


def customer(**fields: Any) -> SmsContext:
    values: dict[str, Any] = {
        "customer_id": 1, "member_id": "M000001", "first_name": "Ana", "name": "Ana Lopez",
        "phone": "+12135550111", "email": "ana@example.com", "tier": "Gold",
        "loyalty_points": 1240, "visits": 17, "lifetime_value": Decimal("2310.00"),
        "average_sale": Decimal("135.88"), "last_visit": datetime(2024, 3, 2, 18, tzinfo=UTC),
        "days_since_last_visit": 12, "favourite_category": "Flower", "favourite_brand": "MOTA",
        "favourite_products": ["Blue Dream"], "preferred_location": None,
        "preferred_weekday": "Friday", "usual_hour": 18, "next_visit_expected": None,
        "churn_risk": "low", "sms_consent": True, "email_consent": False,
    }  # fmt: skip
    return SmsContext(**{**values, **fields})


def context(text: str = "hi, got any blue dream?", **fields: Any) -> BotContext:
    fields.setdefault("customer", customer())
    fields.setdefault("products", [BLUE_DREAM, GELATO])
    fields.setdefault("catalogue", CATALOGUE)
    return BotContext(phone="+12135550111", text=text, business=SHOP, **fields)


def test_a_reply_made_only_of_the_context_facts_is_accepted() -> None:
    text = (
        "Hi Ana! Blue Dream by MOTA is in stock at $25 (8 left), and Gelato 3.5g is $42.50. "
        "You have 1,240 points after 17 visits. We're open 9:00am-9pm, call 213-555-0100."
    )
    verdict = check_reply(text, context(), max_parts=2)
    assert verdict.ok, verdict
    assert verdict.text == text


def test_a_product_in_the_catalogue_but_not_in_the_context_is_refused() -> None:
    verdict = check_reply("Try Sour Diesel, it's great!", context(), max_parts=2)
    assert (verdict.problem, verdict.detail) == (UNKNOWN_PRODUCT, "sour diesel")


def test_a_brand_not_offered_is_refused_but_the_shop_name_is_not() -> None:
    assert check_reply("Kiva bars are back!", context(), max_parts=2).problem == UNKNOWN_PRODUCT
    bare = context(products=[], customer=customer(favourite_brand=None, favourite_products=[]))
    assert check_reply("Thanks for texting MOTA Dispensary!", bare, max_parts=2).ok
    assert check_reply("MOTA has a new drop", bare, max_parts=2).problem == UNKNOWN_PRODUCT


def test_a_longer_name_around_an_offered_one_is_refused() -> None:
    verdict = check_reply("The Blue Dream Cart is in!", context(), max_parts=2)
    assert (verdict.problem, verdict.detail) == (UNKNOWN_PRODUCT, "blue dream cart")


def test_names_from_the_customers_own_history_are_allowed() -> None:
    ctx = context(products=[], last_purchase=["Sour Diesel"])
    assert check_reply("Hope you liked the Sour Diesel!", ctx, max_parts=2).ok


@pytest.mark.parametrize("price", ["$24", "$25.50", "$ 30", "12 dollars", "$1,200"])
def test_a_price_that_no_product_in_the_context_has_is_refused(price: str) -> None:
    verdict = check_reply(f"Blue Dream is {price} today.", context(), max_parts=2)
    assert (verdict.problem, verdict.detail) == (UNKNOWN_PRICE, price)


@pytest.mark.parametrize("price", ["$25", "$25.00", "25 dollars", "$42.50"])
def test_a_price_of_a_product_in_the_context_is_accepted(price: str) -> None:
    assert check_reply(f"It is {price}.", context(), max_parts=2).ok


def test_no_price_at_all_is_allowed_when_the_context_has_no_products() -> None:
    verdict = check_reply("Flower starts at $10.", context(products=[]), max_parts=2)
    assert verdict.problem == UNKNOWN_PRICE


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Get 20% off this week!", "20"),
        ("You have 1300 points.", "1300"),
        ("Only 4 left!", "4"),
        ("We open at 7am.", "7"),
        ("Call us at 213-555-0199.", "213"),
    ],
)
def test_a_number_not_in_the_context_is_refused(text: str, found: str) -> None:
    verdict = check_reply(text, context(), max_parts=2)
    assert verdict.problem == UNKNOWN_NUMBER
    assert found in verdict.detail.split(", ")


@pytest.mark.parametrize(
    "text",
    [
        "Your last visit was March 2, 12 days ago.",
        "We're at 1234 Main St, 90012.",
        "Sure, we'll hold 2 for you.",  # the customer asked for 2
        "Call (213) 555-0100 or +1 213 555 0100.",
        "Sunday we close at 6pm.",
    ],
)
def test_numbers_from_the_context_are_accepted(text: str) -> None:
    ctx = context("can you hold 2 blue dream for me?")
    verdict = check_reply(text, ctx, max_parts=2)
    assert verdict.ok, verdict


def test_numbers_from_earlier_turns_are_accepted() -> None:
    at = datetime(2024, 3, 14, tzinfo=UTC)
    ctx = context("ok thanks", turns=[Turn("inbound", "is it open on the 16th?", at)])
    assert check_reply("Yes, open on the 16th.", ctx, max_parts=2).ok
    assert check_reply("Yes, open on the 19th.", ctx, max_parts=2).problem == UNKNOWN_NUMBER


def test_an_empty_reply_is_refused() -> None:
    assert check_reply("  \n ", context(), max_parts=2).problem == EMPTY


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("{" * 80, 1),  # GSM-7 extension characters take two septets
        ("{" * 81, 2),
        ("é" * 160, 1),  # é is in the GSM-7 alphabet
        ("ł" * 70, 1),  # ł is not: UCS-2, 70 a part, then 67
        ("ł" * 71, 2),
        ("ł" * 134, 2),
        ("ł" * 135, 3),
    ],
)
def test_sms_parts_are_counted_like_the_modem_sends_them(text: str, parts: int) -> None:
    assert sms_parts(text) == parts


def test_an_over_long_reply_is_trimmed_at_a_sentence_boundary() -> None:
    first = "Hi Ana! Blue Dream is in stock."
    text = f"{first} {'Plenty more to say here. ' * 12}"
    assert sms_parts(text) > 1
    verdict = check_reply(text, context(), max_parts=1)
    assert verdict.ok
    assert verdict.text.startswith(first)
    assert verdict.text.endswith(".")
    assert sms_parts(verdict.text) == 1
    assert sms_parts(verdict.text + " Plenty more to say here.") == 2


def test_an_over_long_reply_without_a_boundary_that_fits_is_refused() -> None:
    text = "word " * 80 + "end."
    verdict = check_reply(text, context(), max_parts=2)
    assert verdict.problem == TOO_LONG
    assert fit_parts(text, 2) is None
