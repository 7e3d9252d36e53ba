"""The public receipt form, the API endpoint and the review queue, through HTTP on a real app
and the real tesseract."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from webkit import add_user, api_token, csrf_from, login

from conductor.accounts.models import AuditEntry
from conductor.loyalty.extraction import ReceiptLine
from conductor.loyalty.models import APPROVED, REVIEW, PointsEntry, Receipt
from receipt_desk import partner, photo, spec, stock_catalogue, with_lines

LINES = [
    ReceiptLine("MOTA Blue Dream Flower 3.5g", Decimal(1), Decimal("35.00"), Decimal("35.00")),
    ReceiptLine("Raw Garden Lemon Haze Cart 1g", Decimal(1), Decimal("45.00"), Decimal("45.00")),
]
FORM = {"name": "Ana Diaz", "phone": "(213) 555-0101", "email": "ana@example.com"}


@pytest.fixture
def shop(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as s:
        stock_catalogue(s)
        return partner(s, "Maria")


def _send(client: TestClient, image: bytes, *, kind: str = "image/png", **fields: str) -> str:
    token = csrf_from(client.get("/rex").text)
    response = client.post(
        "/rex", data={**FORM, **fields, "csrf_token": token},
        files={"photo": ("receipt.png", image, kind)},
    )  # fmt: skip
    return f"{response.status_code} {response.text}"


def _receipts(sessions: sessionmaker[Session]) -> list[tuple[str, Decimal]]:
    with sessions() as s:
        return [(r.status, r.qualifying_spend) for r in s.scalars(select(Receipt))]


def test_the_public_form_needs_no_login_and_answers_with_the_points(
    client: TestClient, sessions: sessionmaker[Session], shop: int
) -> None:
    page = client.get("/rex")
    assert page.status_code == 200 and 'type="file"' in page.text and "Log in" not in page.text
    answer = _send(client, photo(with_lines(spec(21), LINES), layout="inline", noise=0.3))
    assert answer.startswith("200 ") and "You earned 35 points" in answer
    assert _receipts(sessions) == [(APPROVED, Decimal("35.00"))]


@pytest.mark.parametrize(
    ("image", "kind", "message"),
    [
        (b"", "image/png", "the file is empty"),
        (b"%PDF-1.7 not a picture at all", "image/png", "not a picture this server can read"),
        (b"GIF89a" + b"\0" * 64, "image/gif", "a image/gif file is not a photo"),
        (b"name,phone\nAna,555\n", "text/csv", "a text/csv file is not a photo"),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_message(
    client: TestClient, sessions: sessionmaker[Session], image: bytes, kind: str, message: str
) -> None:
    answer = _send(client, image, kind=kind)
    assert answer.startswith("422 ") and message in answer
    assert 'value="Ana Diaz"' in answer  # what was typed is kept
    assert _receipts(sessions) == []


def test_a_photo_too_big_or_too_small_is_refused(
    client: TestClient, sessions: sessionmaker[Session], web_app: object
) -> None:
    web_app.state.settings = web_app.state.settings.model_copy(  # type: ignore[attr-defined]
        update={"loyalty_max_upload_mb": 0.05}
    )
    noisy = Image.effect_noise((400, 400), 80).convert("RGB")
    big = io.BytesIO()
    noisy.save(big, "PNG")
    assert len(big.getvalue()) > 50_000
    assert "the largest accepted is" in _send(client, big.getvalue())
    tiny = io.BytesIO()
    Image.new("RGB", (120, 90), "white").save(tiny, "PNG")
    assert "unreadable" in _send(client, tiny.getvalue())
    assert _receipts(sessions) == []


def test_the_form_checks_the_person_and_the_csrf_token(
    client: TestClient, sessions: sessionmaker[Session], shop: int
) -> None:
    image = photo(with_lines(spec(22), LINES), layout="inline")
    assert "give at least one" in _send(client, image, phone="", email="")
    assert "is not a phone number" in _send(client, image, phone="12")
    assert "not an e-mail address" in _send(client, image, email="ana@")
    forged = client.post("/rex", data=FORM, files={"photo": ("r.png", image, "image/png")})
    assert forged.status_code == 403
    assert _receipts(sessions) == []


def test_a_manager_corrects_and_approves_a_receipt_in_the_review_queue(
    client: TestClient, sessions: sessionmaker[Session], shop: int
) -> None:
    good = with_lines(spec(23), LINES)
    wrong = replace(good, total=good.total + Decimal("3.00"))
    assert "A person will check it" in _send(client, photo(wrong, layout="inline"))
    add_user(sessions, "boss", "manager")
    token = login(client, "boss")
    queue = client.get("/receipts")
    assert queue.status_code == 200 and "is not total" in queue.text
    receipt_id = int(re.search(r'href="/receipts/(\d+)"', queue.text).group(1))  # type: ignore[union-attr]
    detail = client.get(f"/receipts/{receipt_id}")
    assert detail.status_code == 200 and f'src="/receipts/{receipt_id}/image"' in detail.text
    image = client.get(f"/receipts/{receipt_id}/image")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    corrected = client.post(f"/receipts/{receipt_id}/correct",
                            data={"csrf_token": token, "total": str(good.total)})  # fmt: skip
    assert corrected.status_code == 200 and "Needs a look" not in corrected.text
    approved = client.post(f"/receipts/{receipt_id}/approve", data={"csrf_token": token})
    assert approved.status_code == 200 and "approved" in approved.text
    with sessions() as s:
        amounts = sorted(s.scalars(select(PointsEntry.amount)))
        actions = [a.action for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert amounts == [35, 350]
    assert actions == ["correct", "approve"]


def test_staff_may_look_at_receipts_but_not_decide(
    client: TestClient, sessions: sessionmaker[Session], shop: int
) -> None:
    wrong = replace(with_lines(spec(24), LINES), total=Decimal("1.00"))
    _send(client, photo(wrong, layout="inline"))
    add_user(sessions, "sam", "staff")
    token = login(client, "sam")
    with sessions() as s:
        receipt_id = s.scalars(select(Receipt.id)).one()
    assert client.get(f"/receipts/{receipt_id}").status_code == 200
    refused = client.post(f"/receipts/{receipt_id}/approve", data={"csrf_token": token})
    assert refused.status_code == 403 and "may not change points" in refused.text
    assert _receipts(sessions)[0][0] == REVIEW


def test_the_api_takes_a_receipt_and_reports_its_outcome(
    client: TestClient, sessions: sessionmaker[Session], shop: int
) -> None:
    add_user(sessions, "robot", "manager")
    headers = {"Authorization": f"Bearer {api_token(sessions, 'robot')}"}
    image = photo(with_lines(spec(25), LINES), layout="stacked")
    files = {"photo": ("r.png", image, "image/png")}
    assert client.post("/api/v1/receipts", data=FORM, files=files).status_code == 401
    created = client.post("/api/v1/receipts", data=FORM, files=files, headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "approved", body["reasons"]
    assert (body["customer_points"], body["budtender_points"]) == (35, 350)
    assert [i["qualifying"] for i in body["items"]] == [True, False]
    again = client.get(created.headers["Location"], headers=headers)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert client.get("/api/v1/receipts/999999", headers=headers).status_code == 404
    bad = client.post("/api/v1/receipts", data=FORM, headers=headers,
                      files={"photo": ("r.txt", b"hello", "text/plain")})  # fmt: skip
    assert bad.status_code == 422 and "not a photo" in bad.json()["detail"]
