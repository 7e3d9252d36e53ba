"""The IC viewer, the products page and the dashboard in a real Chromium."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from browser import log_in, screenshot
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session, sessionmaker
from webkit import PASSWORD, add_user

from conductor.crm.models import Product
from conductor.messaging import service as messaging
from factories import make_customer, make_product, make_sale

NOW = datetime.now(UTC)
NAMES = [("Marisol", "Vega"), ("Mario", "Rossi"), ("Nina", "Okafor"), ("Tom", "Baker"),
         ("Ana", "Lima"), ("Dev", "Patel"), ("Lou", "Chen"), ("Ray", "Ortiz")]  # fmt: skip
PRODUCTS = """
Apple Fritter 3.5g|Pacific Roots|Flower|Hybrid|30.61|0.93|euphoric, relaxed|45
Blue Dream 1g Cart|Raw Garden|Vapes|Sativa|82.10|0.20|uplifted, creative|38
Granddaddy Purple 3.5g|MOTA|Flower|Indica|24.80|0.10|sleepy, relaxed|40
Camino Gummies 100mg|Kiva|Edibles|Hybrid|||calm, happy|22
1:1 Tincture 15ml|MOTA|Tinctures|CBD|||relief|18.50
"""


def _catalogue(s: Session, rng: random.Random) -> list[Product]:
    products = []
    for line in PRODUCTS.strip().splitlines():
        name, brand, category, strain, thc, cbd, effects, price = line.split("|")
        products.append(
            make_product(
                s,
                name=name,
                brand=brand,
                category=category,
                strain_type=strain,
                thc_pct=Decimal(thc) if thc else None,
                cbd_pct=Decimal(cbd) if cbd else None,
                effects=effects,
                retail_price=Decimal(price),
                quantity_in_stock=rng.randint(0, 60),
            )
        )
    return products


@pytest.fixture
def shop(sessions: sessionmaker[Session]) -> None:
    """A small shop: a few customers with months of sales, and a month of texts."""
    rng = random.Random(7)
    with sessions.begin() as s:
        products = _catalogue(s, rng)
        for i, (first, last) in enumerate(NAMES):
            who = make_customer(s, first_name=first, last_name=last, phone=f"+1213555{i:04d}")
            lapsed = 60 if i >= 6 else 0  # the last two stopped coming: the win-back queue
            for _ in range(rng.randint(3, 12)):
                basket = rng.sample(products, rng.randint(1, 3))
                when = NOW - timedelta(days=lapsed + rng.uniform(0, 90))
                make_sale(s, who, when=when, products=basket)
        for n in range(60):
            when = NOW - timedelta(days=rng.uniform(0, 29))
            if n % 3:
                messaging.queue_outbound(s, phone_number="+12135550000", content="Hi", now=when)
            else:
                messaging.store_inbound(s, sender="+12135550001", content="Hello",
                                        dedup_key=f"d{n}", received_at=when)  # fmt: skip


@pytest.fixture
def signed_in(page: Page, console_url: str, sessions: sessionmaker[Session], shop: None) -> Page:
    add_user(sessions, "ivy", "manager")
    log_in(page, console_url, "ivy", PASSWORD)
    page.wait_for_url(f"{console_url}/dashboard")
    return page


@pytest.fixture
def errors(page: Page) -> Iterator[list[str]]:
    """Console errors and uncaught exceptions of the page; the test asserts there are none."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.append(str(e)))
    yield seen


def test_a_person_finds_a_customer_and_opens_a_sale_and_a_product(
    signed_in: Page, console_url: str, errors: list[str]
) -> None:
    page = signed_in
    page.goto(f"{console_url}/customers")
    page.get_by_label("Search customers").press_sequentially("mari", delay=30)
    page.get_by_role("link", name="Marisol Vega").click()
    expect(page.locator(".customer-head h2")).to_have_text("Marisol Vega")
    assert "/customers?id=" in page.url
    page.locator("#transactions tbody tr").first.click()
    expect(page.locator("#items table.items tbody tr").first).to_be_visible()
    page.locator("#items tbody tr.clickable").first.click()
    expect(page.locator("#product")).to_contain_text("In stock")
    screenshot(page, "customers-viewer")
    page.get_by_role("button", name="Edit").click()
    page.get_by_label("Phone").fill("not a phone")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".edit-form .error")).to_contain_text("not a phone number")
    screenshot(page, "customers-edit")
    page.get_by_label("Phone").fill("(213) 555-0199")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_have_text("Saved: phone")
    assert [e for e in errors if "422" not in e] == []


def test_the_products_page_filters_and_shows_a_product(
    signed_in: Page, console_url: str, errors: list[str]
) -> None:
    page = signed_in
    page.goto(f"{console_url}/products")
    page.get_by_label("All brands").select_option("MOTA")
    expect(page.locator("#product-table tbody tr")).to_have_count(2)
    page.locator("#product-table tbody tr").first.click()
    expect(page.locator("#product h2")).to_have_text("1:1 Tincture 15ml")
    assert "brand=MOTA" in page.url
    screenshot(page, "products")
    assert errors == []


def test_the_dashboard_draws_its_charts(
    signed_in: Page, console_url: str, errors: list[str]
) -> None:
    page = signed_in
    page.goto(f"{console_url}/dashboard")
    for chart in ("revenue-chart", "messages-chart", "tiers-chart"):
        expect(page.locator(f"canvas#{chart}[data-drawn]")).to_be_attached()
    expect(page.locator("#win-back-card table, #win-back-card p.muted").first).to_be_visible()
    page.get_by_role("button", name="90 days").click()
    expect(page.locator("canvas#revenue-chart[aria-label*='90 days'][data-drawn]")).to_be_attached()
    page.wait_for_timeout(400)  # let the chart animation finish before the picture
    screenshot(page, "dashboard")
    assert errors == []
