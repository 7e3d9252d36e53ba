"""The public receipt form and the review queue in a real browser."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from browser import log_in, screenshot
from playwright.sync_api import Page
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from webkit import PASSWORD, add_user

from conductor.loyalty.extraction import ReceiptLine
from conductor.loyalty.models import APPROVED, PointsEntry, Receipt
from receipt_desk import partner, photo, spec, stock_catalogue, with_lines

D = Decimal
LINES = [
    ReceiptLine("MOTA Watermelon Gummies 100mg", D(2), D("18.00"), D("36.00")),
    ReceiptLine("Kiva Camino Sparkling Pear Gummies", D(1), D("20.00"), D("20.00")),
]


@pytest.fixture
def shop(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as s:
        stock_catalogue(s)
        return partner(s, "Maria")


def _fill(page: Page, url: str, image: Path) -> None:
    page.goto(f"{url}/rex")
    page.get_by_label("Your name").fill("Ana Diaz")
    page.get_by_label("Mobile phone").fill("(213) 555-0101")
    page.get_by_label("Text me offers").check()
    page.get_by_label("Photo of the receipt").set_input_files(str(image))
    page.get_by_role("button", name="Send my receipt").click()


def test_a_customer_sends_a_receipt_from_the_public_form(
    page: Page, console_url: str, sessions: sessionmaker[Session], shop: int, tmp_path: Path
) -> None:
    image = tmp_path / "receipt.png"
    image.write_bytes(photo(with_lines(spec(31), LINES), layout="inline", noise=0.3, seed=4))
    page.set_viewport_size({"width": 420, "height": 860})  # a phone
    page.goto(f"{console_url}/rex")
    screenshot(page, "rex-form")
    _fill(page, console_url, image)
    page.wait_for_selector("[data-status]")
    screenshot(page, "rex-result")
    assert page.get_by_role("heading").first.inner_text() == "You earned 36 points"
    with sessions() as s:
        assert s.scalars(select(Receipt.status)).all() == [APPROVED]
    _fill(page, console_url, image)
    page.wait_for_selector("[data-status]")
    assert page.get_by_role("heading").first.inner_text() == "We already have this receipt"


def test_a_bad_upload_is_explained_on_the_form(
    page: Page, console_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    text = tmp_path / "receipt.png"
    text.write_text("this is not a photo")
    _fill(page, console_url, text)
    alert = page.get_by_role("alert")
    assert "not a picture this server can read" in alert.inner_text()
    assert page.get_by_label("Your name").input_value() == "Ana Diaz"
    screenshot(page, "rex-refused")


def test_a_manager_fixes_and_approves_a_receipt_in_the_queue(
    page: Page, console_url: str, sessions: sessionmaker[Session], shop: int, tmp_path: Path
) -> None:
    good = with_lines(spec(32), LINES)
    image = tmp_path / "receipt.png"
    image.write_bytes(photo(replace(good, total=good.total + Decimal(4)), layout="inline"))
    _fill(page, console_url, image)
    page.wait_for_selector("[data-status=review]")
    add_user(sessions, "boss", "manager")
    log_in(page, console_url, "boss", PASSWORD)
    page.goto(f"{console_url}/receipts")
    page.get_by_role("link", name="1", exact=True).first.click()
    page.wait_for_selector("#reasons")
    assert "is not total" in page.locator("#reasons").inner_text()
    screenshot(page, "receipt-review")
    page.get_by_label("Total", exact=True).fill(str(good.total))
    page.get_by_role("button", name="Save corrections").click()
    page.wait_for_selector("#approve")
    assert page.locator("#reasons").count() == 0
    page.get_by_role("button", name="Approve and award points").click()
    page.wait_for_selector(".badge.status-approved")
    screenshot(page, "receipt-approved")
    with sessions() as s:
        assert sorted(s.scalars(select(PointsEntry.amount))) == [36, 360]
