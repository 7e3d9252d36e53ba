"""The messages API: token auth, polling, queueing, status changes, and clear 4xx on bad input."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from messagekit import FRIDAY_10AM_LA, MAYA, STRANGER, outgoing, sent, small_inbox
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from webkit import add_user, api_token

from conductor.accounts.models import AuditEntry
from conductor.messaging.models import Message
from conductor.messaging.service import MAX_CONTENT_CHARS

URL = "/api/v1/messages"


@pytest.fixture
def auth(sessions: sessionmaker[Session]) -> dict[str, str]:
    add_user(sessions, "n8n", "staff")
    return {"Authorization": f"Bearer {api_token(sessions, 'n8n')}"}


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", URL), ("POST", URL), ("GET", f"{URL}/1"), ("PATCH", f"{URL}/1")],
)
@pytest.mark.parametrize("header", [None, "Bearer cdt_not-a-token", "Basic bm9wZTpub3Bl"])
def test_requests_without_a_valid_token_get_401(
    client: TestClient, method: str, path: str, header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.request(method, path, headers=headers, json={"status": "read"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "token" in response.json()["detail"]


def test_posting_queues_a_text_and_answers_201_with_the_message(
    client: TestClient, sessions: sessionmaker[Session], auth: dict[str, str]
) -> None:
    small_inbox(sessions)
    body = {"phone_number": "(213) 555-0101", "content": "Your order is ready"}
    response = client.post(URL, json=body, headers=auth)
    assert response.status_code == 201, response.text
    made = response.json()
    assert response.headers["Location"] == f"{URL}/{made['id']}"
    assert (made["phone_number"], made["status"], made["direction"]) == (MAYA, "queued", "outbound")
    assert made["customer_id"] is not None and made["responder"] == "api"
    with sessions() as s:
        entry = s.scalars(select(AuditEntry)).one()
    assert (entry.actor, entry.action, entry.entity_id) == (
        "n8n",
        "message.create",
        str(made["id"]),
    )


def test_a_time_schedules_and_suggested_waits_for_a_person(
    client: TestClient, auth: dict[str, str]
) -> None:
    later = {
        "phone_number": MAYA,
        "content": "Sale tomorrow",
        "scheduled_for": "2030-12-06T10:00:00-08:00",
    }
    scheduled = client.post(URL, json=later, headers=auth).json()
    assert scheduled["status"] == "scheduled"
    assert datetime.fromisoformat(scheduled["scheduled_for"]) == datetime(
        2030, 12, 6, 18, tzinfo=UTC
    )
    idea = client.post(URL, json={"phone_number": MAYA, "content": "Hi", "suggested": True},
                       headers=auth).json()  # fmt: skip
    assert idea["status"] == "suggested"


TOO_LONG = "x" * (MAX_CONTENT_CHARS + 1)
BEFORE_YEAR_ONE_UTC = "0001-01-01T00:00:00+01:00"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"content": "hi"}, "phone_number"),
        ({"phone_number": MAYA}, "content"),
        ({"phone_number": MAYA, "content": 42}, "content"),
        ({"phone_number": MAYA, "content": TOO_LONG}, "1600"),
        ({"phone_number": MAYA, "content": "   "}, "content"),
        ({"phone_number": MAYA, "content": "a\x00b"}, "content"),
        ({"phone_number": "12", "content": "hi"}, "phone_number"),
        ({"phone_number": "call me", "content": "hi"}, "phone_number"),
        ({"phone_number": "999", "content": "hi"}, "not a phone number"),
        ({"phone_number": MAYA, "content": "hi", "scheduled_for": "2030-01-01T10:00"}, "timezone"),
        ({"phone_number": MAYA, "content": "hi", "scheduled_for": BEFORE_YEAR_ONE_UTC}, "range"),
        ({"phone_number": MAYA, "content": "hi", "scheduled_for": 1900000000}, "ISO 8601"),
        ({"phone_number": MAYA, "content": "hi", "suggested": "maybe"}, "suggested"),
        ({"phone_number": MAYA, "content": "hi", "priority": 1}, "priority"),
    ],
)  # fmt: skip
def test_bad_input_to_post_answers_422_naming_the_problem(
    client: TestClient, auth: dict[str, str], body: dict[str, Any], reason: str
) -> None:
    response = client.post(URL, json=body, headers=auth)
    assert response.status_code == 422
    assert reason in str(response.json()["detail"])


def test_a_body_that_is_not_text_answers_400(client: TestClient, auth: dict[str, str]) -> None:
    headers = auth | {"Content-Type": "application/json"}
    response = client.post(URL, content=b"\xff\xfe{", headers=headers)
    assert response.status_code == 400 and response.json()["detail"]


def test_unknown_ids_are_404_and_impossible_ids_422(
    client: TestClient, auth: dict[str, str]
) -> None:
    assert client.get(f"{URL}/999", headers=auth).status_code == 404
    assert client.get(f"{URL}/999", headers=auth).json() == {"detail": "no message 999"}
    assert client.patch(f"{URL}/999", json={"status": "read"}, headers=auth).status_code == 404
    for bad in ["0", str(2**31), "abc", "1.5"]:
        assert client.get(f"{URL}/{bad}", headers=auth).status_code == 422, bad


def test_polling_since_an_id_returns_newer_messages_in_id_order(
    client: TestClient, sessions: sessionmaker[Session], auth: dict[str, str]
) -> None:
    shop = small_inbox(sessions)
    everything = client.get(URL, headers=auth).json()
    assert [m["id"] for m in everything] == [shop.first, shop.second, shop.stranger]
    newer = client.get(URL, params={"since_id": shop.first, "direction": "inbound"}, headers=auth)
    assert [m["id"] for m in newer.json()] == [shop.second, shop.stranger]
    with sessions.begin() as s:
        reply = outgoing(s, MAYA, "Yes").id
    inbound_only = client.get(URL, params={"since_id": shop.stranger, "direction": "inbound"},
                              headers=auth)  # fmt: skip
    assert inbound_only.json() == []
    assert [
        m["id"] for m in client.get(URL, params={"since_id": shop.stranger}, headers=auth).json()
    ] == [reply]
    first_two = client.get(URL, params={"limit": 2, "status": "unread"}, headers=auth).json()
    assert [m["id"] for m in first_two] == [shop.first, shop.second]
    since = (FRIDAY_10AM_LA).isoformat()
    assert STRANGER not in {
        m["phone_number"] for m in client.get(URL, params={"since": since}, headers=auth).json()
    }


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 501}, {"since_id": -1}, {"since_id": 2**31}, {"since_id": "x"},
     {"since": "2025-01-01T00:00"}, {"since": "yesterday"}, {"since": "0.5"}, {"status": "lost"},
     {"direction": "sideways"}],
)  # fmt: skip
def test_bad_list_parameters_answer_422(
    client: TestClient, auth: dict[str, str], params: dict[str, Any]
) -> None:
    assert client.get(URL, params=params, headers=auth).status_code == 422


def test_status_changes_follow_the_manual_transitions(
    client: TestClient, sessions: sessionmaker[Session], auth: dict[str, str]
) -> None:
    with sessions.begin() as s:
        idea = outgoing(s, MAYA, "Hi", suggested=True).id
        done = sent(s, outgoing(s, MAYA, "Bye")).id
    approved = client.patch(f"{URL}/{idea}", json={"status": "queued"}, headers=auth)
    assert approved.status_code == 200 and approved.json()["status"] == "queued"
    refused = client.patch(f"{URL}/{done}", json={"status": "cancelled"}, headers=auth)
    assert refused.status_code == 409
    assert refused.json() == {
        "detail": f"message {done} is sent; it can become: none, not cancelled",
        "status": "sent",
        "allowed": [],
    }
    back = client.patch(f"{URL}/{idea}", json={"status": "suggested"}, headers=auth).json()
    assert back["allowed"] == ["cancelled", "scheduled"]
    assert client.patch(f"{URL}/{idea}", json={"status": "lost"}, headers=auth).status_code == 422
    same = client.patch(f"{URL}/{idea}", json={"status": "queued"}, headers=auth)
    assert same.status_code == 200, "asking for the current status changes nothing"
    with sessions() as s:
        actions = [(a.actor, a.action) for a in s.scalars(select(AuditEntry))]
    assert actions == [("n8n", "message.status")]


def test_a_patch_is_all_or_nothing(
    client: TestClient, sessions: sessionmaker[Session], auth: dict[str, str]
) -> None:
    with sessions.begin() as s:
        queued = outgoing(s, MAYA, "Old text").id
    response = client.patch(f"{URL}/{queued}", json={"content": "New text", "status": "sent"},
                            headers=auth)  # fmt: skip
    assert response.status_code == 409 and response.json()["allowed"] == ["cancelled", "scheduled"]
    with sessions() as s:
        assert s.get_one(Message, queued).content == "Old text"
        assert s.scalars(select(AuditEntry)).all() == []
    edited = client.patch(f"{URL}/{queued}", json={"content": "New text"}, headers=auth).json()
    assert (edited["content"], edited["status"]) == ("New text", "queued")


def test_patching_a_time_schedules_and_bad_patches_answer_422(
    client: TestClient, sessions: sessionmaker[Session], auth: dict[str, str]
) -> None:
    with sessions.begin() as s:
        queued = outgoing(s, MAYA, "Hi").id
    later = client.patch(f"{URL}/{queued}", json={"scheduled_for": "2030-12-06T10:00:00Z"},
                         headers=auth).json()  # fmt: skip
    assert later["status"] == "scheduled"
    for body in [
        {},
        {"status": None},
        {"content": ""},
        {"content": TOO_LONG},
        {"color": "red"},
        {"scheduled_for": "2020-01-01T00:00:00Z"},
        {"status": "scheduled", "content": 5},
    ]:
        response = client.patch(f"{URL}/{queued}", json=body, headers=auth)
        assert response.status_code == 422, body


def test_inbound_texts_can_be_marked_read_but_not_edited(
    client: TestClient, sessions: sessionmaker[Session], auth: dict[str, str]
) -> None:
    shop = small_inbox(sessions)
    read = client.patch(f"{URL}/{shop.first}", json={"status": "read"}, headers=auth).json()
    assert read["status"] == "read"
    edit = client.patch(f"{URL}/{shop.first}", json={"content": "changed"}, headers=auth)
    assert edit.status_code == 409 and "can be edited" in edit.json()["detail"]
    assert (
        client.get(f"{URL}/{shop.first}", headers=auth).json()["content"] == "Do you have gummies?"
    )


def test_the_openapi_document_declares_every_answer(client: TestClient) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    patch = doc["paths"]["/api/v1/messages/{message_id}"]["patch"]
    assert set(patch["responses"]) == {"200", "400", "401", "404", "409", "422"}
    post = doc["paths"]["/api/v1/messages"]["post"]
    assert set(post["responses"]) == {"201", "400", "401", "422"}
    content = doc["components"]["schemas"]["MessageCreate"]["properties"]["content"]
    assert content["maxLength"] == MAX_CONTENT_CHARS
    assert doc["paths"]["/api/v1/messages"]["get"]["security"] == [{"HTTPBearer": []}]
