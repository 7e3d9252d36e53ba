"""The X viewer in a real Chromium: search as you type, a budtender's panel with its chart, and a
points adjustment that a person sees land in the balance, the ledger and the leaderboard."""

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

from conductor.loyalty import points
from conductor.loyalty.models import APPROVED, RECEIPT, Receipt
from factories import make_budtender, make_dispensary

NOW = datetime.now(UTC)
SHOPS = ["Green Door", "South Bay Collective", "Harbor Leaf", "Mission Cannabis Club"]
PEOPLE = [("Marisol", "Vega", "marisol.vega"), ("Mario", "Rossi", None),
          ("Nina", "Okafor", "nina.o"), ("Tom", "Baker", None), ("Ana", "Lima", "analima"),
          ("Dev", "Patel", None), ("Lou", "Chen", "louchen"), ("Ray", "Ortiz", None),
          ("Kim", "Nguyen", None)]  # fmt: skip


def _receipt(s: Session, budtender_id: int, spend: Decimal, at: datetime) -> None:
    receipt = Receipt(
        status=APPROVED, submitted_at=at, budtender_id=budtender_id, qualifying_spend=spend,
        image_sha256="0" * 64,
    )  # fmt: skip
    s.add(receipt)
    s.flush()
    points.record(s, amount=int(spend) * 10, reason=RECEIPT, actor="desk", now=at,
                  budtender_id=budtender_id, receipt_id=receipt.id)  # fmt: skip


@pytest.fixture
def partners(sessions: sessionmaker[Session]) -> None:
    """Four partner shops, nine budtenders, three months of approved receipts."""
    rng = random.Random(11)
    with sessions.begin() as s:
        shops = [make_dispensary(s, name=name, city="Los Angeles") for name in SHOPS]
        for i, (first, last, handle) in enumerate(PEOPLE):
            bud = make_budtender(s, shops[i % len(shops)], first_name=first, last_name=last,
                                 phone=f"+1213555{i:04d}", instagram=handle,
                                 email=f"{first.lower()}@partner.example")  # fmt: skip
            for _ in range(0 if i == 8 else rng.randint(2, 14)):  # Kim: nothing yet
                spend = Decimal(rng.randint(20, 160))
                _receipt(s, bud.id, spend, NOW - timedelta(days=rng.uniform(0.5, 84)))


@pytest.fixture
def signed_in(
    page: Page, console_url: str, sessions: sessionmaker[Session], partners: None
) -> Page:
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


def test_a_manager_finds_a_budtender_and_adjusts_their_points(
    signed_in: Page, console_url: str, errors: list[str]
) -> None:
    page = signed_in
    page.get_by_role("link", name="Budtenders").click()
    expect(page.locator("#bt-table tbody tr")).to_have_count(len(PEOPLE))
    expect(page.locator("canvas#performance-chart[data-drawn]")).to_be_attached()
    expect(page.locator("#leaderboard-card .leaders li").first).to_be_visible()
    page.get_by_label("Search budtenders").press_sequentially("mari", delay=40)
    expect(page.locator("#bt-table tbody tr")).to_have_count(2)  # Marisol and Mario
    assert "q=mari" in page.url
    page.locator("#bt-table tbody tr", has_text="Marisol Vega").click()
    expect(page.locator(".bt-head h2")).to_have_text("Marisol Vega")
    expect(page.locator("canvas#budtender-chart[data-drawn]")).to_be_attached()
    assert "id=" in page.url and "q=mari" in page.url
    balance = int(page.locator("#bt-balance").inner_text().replace(",", ""))

    page.get_by_role("spinbutton", name="Points").fill("0")
    page.get_by_label("Reason").fill("testing")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".adjust-form .error")).to_contain_text("0 points changes nothing")

    page.get_by_role("spinbutton", name="Points").fill("250")
    page.get_by_label("Reason").fill("Instagram shout-out for the new vape")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".flash")).to_have_text("Saved: +250 points")
    expect(page.locator("#bt-balance")).to_have_text(f"{balance + 250:,}")
    first_entry = page.locator("table.ledger tbody tr").first
    expect(first_entry).to_contain_text("Instagram shout-out for the new vape")
    expect(first_entry).to_contain_text("ivy")
    row = page.locator("#bt-table tbody tr", has_text="Marisol Vega")
    expect(row).to_contain_text(f"{balance + 250:,}")  # the table reloaded what it shows
    page.set_viewport_size({"width": 1366, "height": 1700})  # the whole drawer in the picture
    page.wait_for_timeout(400)  # let the chart animations finish before the picture
    screenshot(page, "budtenders-viewer")
    page.get_by_role("button", name="Close").click()
    expect(page.locator("#panel")).to_be_hidden()
    assert "id=" not in page.url and "q=mari" in page.url
    assert [e for e in errors if "422" not in e] == []


def test_filters_and_sorting_update_the_table_and_the_address(
    signed_in: Page, console_url: str, errors: list[str]
) -> None:
    page = signed_in
    page.goto(f"{console_url}/budtenders")
    page.get_by_label("Dispensary").select_option(label="Green Door")
    expect(page.locator("#bt-table tbody tr")).to_have_count(3)  # Marisol, Ana, Kim
    assert "dispensary=" in page.url
    page.locator("#bt-table th a", has_text="Name").click()
    expect(page.locator("#bt-table tbody tr td.bt-name").first).to_have_text("Ana Lima")
    assert "sort=name" in page.url
    page.get_by_label("Activity").select_option(label="Inactive 90+ days")
    expect(page.locator("#bt-table tbody tr")).to_have_count(1)
    expect(page.locator("#bt-table tbody tr")).to_contain_text("Kim Nguyen")
    page.reload()
    expect(page.locator("#bt-table tbody tr")).to_have_count(1)  # the address keeps the filters
    screenshot(page, "budtenders-filtered")
    assert errors == []


def test_a_profile_edit_is_checked_then_saved(
    signed_in: Page, console_url: str, errors: list[str]
) -> None:
    page = signed_in
    page.goto(f"{console_url}/budtenders?q=kim")
    page.locator("#bt-table tbody tr", has_text="Kim Nguyen").click()
    drawer = page.locator("#panel")
    drawer.get_by_text("Edit profile").click()
    drawer.get_by_label("Phone").fill("12")
    drawer.get_by_label("Status").select_option("inactive")
    drawer.get_by_role("button", name="Save profile").click()
    expect(page.locator(".bt-edit .error")).to_have_text("not a phone number")
    page.set_viewport_size({"width": 1366, "height": 1300})
    screenshot(page, "budtenders-edit")
    drawer.get_by_label("Phone").fill("(310) 555-0142")
    drawer.get_by_role("button", name="Save profile").click()
    expect(page.locator(".flash")).to_have_text("Saved: phone, status")
    row = page.locator("#bt-table tbody tr", has_text="Kim Nguyen")
    expect(row).to_contain_text("+13105550142")
    expect(row.locator(".badge.status-inactive")).to_be_visible()
    assert [e for e in errors if "422" not in e] == []
