"""The Messages pages in a real Chromium: a conversation, a reply, the outbox actions, roles."""

from __future__ import annotations

from datetime import UTC, datetime

from browser import log_in, screenshot
from messagekit import MAYA, STRANGER, inbound, outgoing, small_inbox
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from webkit import PASSWORD, add_user

from conductor.messaging import status as st
from conductor.messaging.models import Message


def test_a_person_opens_a_conversation_and_replies(
    page: Page, console_url: str, sessions: sessionmaker[Session]
) -> None:
    shop = small_inbox(sessions)
    add_user(sessions, "rae", "staff")
    log_in(page, console_url, "rae", PASSWORD)
    page.wait_for_url(f"{console_url}/dashboard")
    page.goto(f"{console_url}/messages")
    page.get_by_role("link", name="Maya Lopez").click()
    expect(page.locator(".msg-convo-head h2")).to_have_text("Maya Lopez")
    expect(page.locator(".bubble.inbound")).to_have_count(2)
    page.get_by_placeholder("Write a reply…").fill("Sour gummies are in stock!")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_role("status")).to_have_text("Reply queued.")
    expect(page.locator(".bubble.outbound .badge")).to_have_text("queued")
    expect(page.locator(".msg-threads .badge.unread")).to_have_count(1)  # only the stranger's
    with sessions() as s:
        reply = s.scalars(select(Message).where(Message.direction == st.OUTBOUND)).one()
    assert (reply.content, reply.status, reply.in_reply_to_id) == (
        "Sour gummies are in stock!", st.QUEUED, shop.second,
    )  # fmt: skip
    with sessions.begin() as s:
        inbound(s, STRANGER, "Are you open on Sunday?", datetime.now(UTC))
    page.evaluate("document.body.dispatchEvent(new Event('messages-changed'))")  # the 5 s poll
    expect(page.locator(".msg-threads li").first).to_contain_text("Are you open on Sunday?")
    screenshot(page, "messages-conversation")


def test_staff_approve_and_schedule_in_the_outbox_but_cannot_delete(
    page: Page, console_url: str, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as s:
        approve_me = outgoing(s, MAYA, "Gummies are back this Friday", suggested=True).id
        schedule_me = outgoing(s, STRANGER, "We open at 9 on Sunday", suggested=True).id
    add_user(sessions, "kim", "staff")
    log_in(page, console_url, "kim", PASSWORD)
    page.wait_for_url(f"{console_url}/dashboard")
    page.goto(f"{console_url}/messages/outbox")
    assert page.get_by_role("button", name="Delete").count() == 0
    assert page.locator("select[name=action] option[value=delete]").count() == 0
    first = page.locator(f"#msg-{approve_me}")
    first.get_by_role("button", name="Approve").click()
    expect(page.locator(f"#msg-{approve_me} .badge")).to_have_text("queued")
    second = page.locator(f"#msg-{schedule_me}")
    second.locator("input[name=when]").fill("2030-12-06T22:30")
    second.get_by_role("button", name="Schedule").click()
    expect(page.locator(f"#msg-{schedule_me} .msg-scheduled")).to_have_text("Fri 6 Dec 22:30")
    expect(page.locator(f"#msg-{schedule_me} .msg-warn")).to_contain_text("Outside sending hours")
    forced = f"htmx.ajax('POST', '/messages/{approve_me}/delete', {{target: '#msg-{approve_me}'}})"
    page.evaluate(forced)
    expect(page.get_by_role("alert")).to_contain_text("403: your role (staff) may not delete")
    screenshot(page, "messages-outbox")
    with sessions() as s:
        statuses = [s.get_one(Message, i).status for i in (approve_me, schedule_me)]
    assert statuses == [st.QUEUED, st.SCHEDULED]
