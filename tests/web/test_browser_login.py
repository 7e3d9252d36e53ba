"""Logging in with a real browser."""

from __future__ import annotations

from browser import log_in, screenshot
from playwright.sync_api import Page
from sqlalchemy.orm import Session, sessionmaker
from webkit import PASSWORD, add_user


def test_a_person_logs_in_and_a_wrong_password_is_told(
    page: Page, console_url: str, sessions: sessionmaker[Session]
) -> None:
    add_user(sessions, "gil", "staff")
    log_in(page, console_url, "gil", "not the password")
    assert page.get_by_role("alert").inner_text() == "Wrong user name or password."
    screenshot(page, "login-refused")
    log_in(page, console_url, "gil", PASSWORD)
    page.wait_for_url(f"{console_url}/dashboard")
    assert page.locator(".who").inner_text() == "gil · staff"
