"""The Messages pages over HTTP: threads, replying, the outbox and its actions, roles, audit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from messagekit import MAYA, STRANGER, failed, outgoing, sent, small_inbox
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from webkit import add_user, login

from conductor.accounts.models import AuditEntry
from conductor.messaging import status as st
from conductor.messaging.models import Message


def htmx(token: str) -> dict[str, str]:
    return {"HX-Request": "true", "X-CSRF-Token": token}


@pytest.fixture
def staff(client: TestClient, sessions: sessionmaker[Session]) -> str:
    add_user(sessions, "sam", "staff")
    return login(client, "sam")


@pytest.fixture
def manager(client: TestClient, sessions: sessionmaker[Session]) -> str:
    add_user(sessions, "mia", "manager")
    return login(client, "mia")


def audit_rows(sessions: sessionmaker[Session]) -> list[AuditEntry]:
    with sessions() as s:
        return list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_threads_are_grouped_by_number_with_the_name_and_an_unread_badge(
    client: TestClient, sessions: sessionmaker[Session], staff: str
) -> None:
    small_inbox(sessions)
    page = client.get("/messages").text
    assert page.index("Maya Lopez") < page.index(STRANGER), "latest conversation first"
    assert 'title="2 unread"' in page and 'title="1 unread"' in page
    assert f'href="/messages?phone=%2B{MAYA[1:]}"' in page
    assert "inbound · unread" in page, "the counters per status"


@pytest.mark.parametrize(
    ("query", "expected", "absent"),
    [("gummies", "Maya Lopez", STRANGER), ("lopez", "Maya Lopez", STRANGER),
     ("310-555", STRANGER, "Maya Lopez"), ("nothing like it", "No conversations match", STRANGER)],
)  # fmt: skip
def test_search_finds_threads_by_text_name_or_number(
    client: TestClient, sessions: sessionmaker[Session], staff: str, query: str, expected: str,
    absent: str,
) -> None:  # fmt: skip
    small_inbox(sessions)
    html = client.get("/messages/threads", params={"q": query}).text
    assert expected in html and absent not in html


def test_filters_keep_threads_with_a_matching_message(
    client: TestClient, sessions: sessionmaker[Session], staff: str
) -> None:
    small_inbox(sessions)
    with sessions.begin() as s:
        failed(s, outgoing(s, STRANGER, "We open at 9"))
    html = client.get("/messages/threads", params={"status": "failed"}).text
    assert STRANGER in html and "Maya" not in html
    html = client.get("/messages/threads", params={"direction": "outbound"}).text
    assert STRANGER in html and "Maya" not in html


def test_a_thread_shows_bubbles_in_shop_time_and_links_the_customer(
    client: TestClient, sessions: sessionmaker[Session], staff: str
) -> None:
    shop = small_inbox(sessions)
    html = client.get("/messages/thread", params={"phone": MAYA}).text
    assert "Do you have gummies?<small>Fri 5 Dec 10:00" in html, "18:00 UTC is 10:00 in LA"
    assert f'href="/customers?id={shop.maya_id}"' in html
    assert "Mark 2 read" in html
    assert 'id="selected-phone"' in html and 'hx-swap-oob="true"' in html


def test_replying_queues_a_reply_to_the_latest_text_and_marks_the_thread_read(
    client: TestClient, sessions: sessionmaker[Session], staff: str
) -> None:
    shop = small_inbox(sessions)
    response = client.post("/messages/reply", data={"phone": MAYA, "content": "Yes! Sour ones in"},
                           headers=htmx(staff))  # fmt: skip
    assert response.status_code == 200 and "Reply queued." in response.text
    assert response.headers["HX-Trigger-After-Swap"] == "messages-changed"
    with sessions() as s:
        reply = s.scalars(select(Message).where(Message.direction == st.OUTBOUND)).one()
        assert (reply.status, reply.in_reply_to_id, reply.customer_id) == (
            st.QUEUED, shop.second, shop.maya_id,
        )  # fmt: skip
        statuses = s.scalars(select(Message.status).where(Message.phone_number == MAYA)).all()
    assert sorted(statuses) == [st.QUEUED, st.READ, st.READ]
    actions = [(a.actor, a.action) for a in audit_rows(sessions)]
    assert actions == [
        ("sam", "message.create"),
        ("sam", "message.status"),
        ("sam", "message.status"),
    ]


def test_an_empty_reply_is_refused_and_the_thread_stays_unread(
    client: TestClient, sessions: sessionmaker[Session], staff: str
) -> None:
    small_inbox(sessions)
    response = client.post("/messages/reply", data={"phone": MAYA, "content": "   "},
                           headers=htmx(staff))  # fmt: skip
    assert response.status_code == 422 and "message text is empty" in response.text
    assert "Mark 2 read" in response.text


def test_posts_without_the_csrf_token_are_refused(
    client: TestClient, sessions: sessionmaker[Session], staff: str
) -> None:
    small_inbox(sessions)
    response = client.post("/messages/reply", data={"phone": MAYA, "content": "hi"},
                           headers={"HX-Request": "true"})  # fmt: skip
    assert response.status_code == 403 and "CSRF" in response.text
    wrong = client.post("/messages/1/cancel", headers={"X-CSRF-Token": "forged"})
    assert wrong.status_code == 403
    with sessions() as s:
        assert s.scalars(select(Message).where(Message.direction == st.OUTBOUND)).all() == []


def test_staff_approve_and_cannot_delete(
    client: TestClient, sessions: sessionmaker[Session], staff: str
) -> None:
    with sessions.begin() as s:
        idea = outgoing(s, MAYA, "Gummies are back", suggested=True).id
    outbox = client.get("/messages/outbox").text
    assert "Approve" in outbox and ">Delete<" not in outbox and 'value="delete"' not in outbox
    approved = client.post(f"/messages/{idea}/approve", headers=htmx(staff))
    assert approved.status_code == 200 and '<span class="badge queued">' in approved.text
    assert client.post(f"/messages/{idea}/delete", headers=htmx(staff)).status_code == 403
    bulk = client.post("/messages/outbox/bulk", data={"action": "delete", "ids": [idea]},
                       headers=htmx(staff))  # fmt: skip
    assert bulk.status_code == 403 and "may not delete" in bulk.json()["detail"]
    (entry,) = audit_rows(sessions)
    assert (entry.actor, entry.action, entry.entity_id) == ("sam", "message.status", str(idea))
    assert (entry.before or {})["status"] == "suggested" and (entry.after or {})[
        "status"
    ] == "queued"


def test_managers_delete_and_the_audit_keeps_the_text(
    client: TestClient, sessions: sessionmaker[Session], manager: str
) -> None:
    with sessions.begin() as s:
        doomed = outgoing(s, MAYA, "Wrong price, sorry").id
    response = client.post(f"/messages/{doomed}/delete", headers=htmx(manager))
    assert response.status_code == 200 and response.text == ""
    with sessions() as s:
        assert s.get(Message, doomed) is None
    (entry,) = audit_rows(sessions)
    assert (entry.actor, entry.action, entry.after) == ("mia", "message.delete", None)
    assert (entry.before or {})["content"] == "Wrong price, sorry"


def test_scheduling_shows_the_weekday_and_warns_outside_sending_hours(
    client: TestClient, sessions: sessionmaker[Session], staff: str
) -> None:
    with sessions.begin() as s:
        idea = outgoing(s, MAYA, "Friday deals", suggested=True).id
    late = client.post(f"/messages/{idea}/schedule", data={"when": "2030-12-06T22:30"},
                       headers=htmx(staff))  # fmt: skip
    assert late.status_code == 200
    assert "Fri 6 Dec 22:30" in late.text and "Outside sending hours (09:00" in late.text
    with sessions() as s:
        message = s.get_one(Message, idea)
        assert message.status == st.SCHEDULED
        assert message.scheduled_for == datetime(2030, 12, 7, 6, 30, tzinfo=UTC)
    morning = client.post(f"/messages/{idea}/schedule", data={"when": "2030-12-06T10:00"},
                          headers=htmx(staff))  # fmt: skip
    assert "Fri 6 Dec 10:00" in morning.text and "Outside sending hours" not in morning.text
    assert [a.action for a in audit_rows(sessions)] == ["message.schedule"] * 2


def test_a_bad_or_past_time_is_refused_with_the_reason(
    client: TestClient, sessions: sessionmaker[Session], staff: str
) -> None:
    with sessions.begin() as s:
        idea = outgoing(s, MAYA, "Hello", suggested=True).id
    for when, reason in [("", "pick a date and time"), ("2020-01-01T10:00", "already passed")]:
        response = client.post(f"/messages/{idea}/schedule", data={"when": when},
                               headers=htmx(staff))  # fmt: skip
        assert response.status_code == 422 and reason in response.text
        assert f'value="{when}"' in response.text, "the time picked stays in the form"


def test_refused_transitions_answer_409_and_say_what_is_allowed(
    client: TestClient, sessions: sessionmaker[Session], staff: str
) -> None:
    with sessions.begin() as s:
        done = sent(s, outgoing(s, MAYA, "Thanks for visiting")).id
    cancel = client.post(f"/messages/{done}/cancel", headers=htmx(staff))
    assert cancel.status_code == 409
    assert f"message {done} is sent; it can become: none, not cancelled" in cancel.text
    edit = client.post(f"/messages/{done}/content", data={"content": "x"}, headers=htmx(staff))
    assert edit.status_code == 409 and "can be edited" in edit.text
    assert 'name="content"' in edit.text, "the edit form stays open with the reason"
    assert audit_rows(sessions) == []


def test_editing_and_retrying_are_audited_with_before_and_after(
    client: TestClient, sessions: sessionmaker[Session], staff: str
) -> None:
    with sessions.begin() as s:
        broken = failed(s, outgoing(s, MAYA, "We close at 8")).id
    form = client.get(f"/messages/{broken}/edit").text
    assert "We close at 8</textarea>" in form
    edited = client.post(f"/messages/{broken}/content", data={"content": "We close at 9"},
                         headers=htmx(staff))  # fmt: skip
    assert edited.status_code == 200 and "We close at 9" in edited.text
    retried = client.post(f"/messages/{broken}/retry", headers=htmx(staff))
    assert '<span class="badge queued">' in retried.text
    edit, retry = audit_rows(sessions)
    assert (edit.before or {})["content"] == "We close at 8"
    assert (edit.after or {})["content"] == "We close at 9"
    assert ((retry.before or {})["status"], (retry.after or {})["status"]) == ("failed", "queued")


def test_bulk_approval_changes_what_it_can_and_says_why_not_the_rest(
    client: TestClient, sessions: sessionmaker[Session], staff: str
) -> None:
    with sessions.begin() as s:
        ideas = [outgoing(s, MAYA, f"Idea {n}", suggested=True).id for n in range(2)]
        done = sent(s, outgoing(s, MAYA, "Already out")).id
    response = client.post("/messages/outbox/bulk", headers=htmx(staff),
                           data={"action": "approve", "ids": [*ideas, done]})  # fmt: skip
    assert response.status_code == 200
    assert "2 of 3 approved." in response.text
    assert f"message {done} is sent; only suggested texts need approval" in response.text
    with sessions() as s:
        assert {s.get_one(Message, i).status for i in ideas} == {st.QUEUED}


def test_the_outbox_searches_and_filters(
    client: TestClient, sessions: sessionmaker[Session], staff: str
) -> None:
    small_inbox(sessions)
    with sessions.begin() as s:
        outgoing(s, MAYA, "Gummies restocked", suggested=True)
        failed(s, outgoing(s, STRANGER, "Opening hours"))
    by_name = client.get("/messages/outbox/rows", params={"q": "maya"}).text
    assert "Gummies restocked" in by_name and "Opening hours" not in by_name
    by_status = client.get("/messages/outbox", params={"status": "failed"}).text
    assert "Opening hours" in by_status and "Gummies restocked" not in by_status
    assert "modem said no" in by_status
