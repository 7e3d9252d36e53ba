"""The budtenders API: the X viewer's list and one budtender as JSON, behind an API token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from webkit import add_user, api_token

from conductor.loyalty import points
from conductor.loyalty.models import APPROVED, RECEIPT, Receipt
from factories import make_budtender, make_dispensary

NOW = datetime.now(UTC)


@pytest.fixture
def auth(sessions: sessionmaker[Session]) -> dict[str, str]:
    add_user(sessions, "n8n", "staff")
    return {"Authorization": f"Bearer {api_token(sessions, 'n8n')}"}


@pytest.fixture
def buds(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Ana at Green Door with one approved $120 receipt five days ago; Ben there without any."""
    with sessions.begin() as s:
        door = make_dispensary(s, name="Green Door")
        ana = make_budtender(s, door, first_name="Ana", last_name="Reyes", phone="2135550101",
                             instagram="@ana.buds")  # fmt: skip
        ben = make_budtender(s, door, first_name="Ben", last_name="Cole", status="inactive")
        receipt = Receipt(status=APPROVED, submitted_at=NOW - timedelta(days=5),
                          budtender_id=ana.id, qualifying_spend=Decimal("120.00"),
                          image_sha256="0" * 64)  # fmt: skip
        s.add(receipt)
        s.flush()
        points.record(s, amount=1200, reason=RECEIPT, actor="desk", now=receipt.submitted_at,
                      budtender_id=ana.id, receipt_id=receipt.id)  # fmt: skip
        return {"ana": ana.id, "ben": ben.id, "door": door.id}


def test_the_list_has_each_budtenders_figures(
    client: TestClient, auth: dict[str, str], buds: dict[str, int]
) -> None:
    body = client.get("/api/v1/budtenders", headers=auth).json()
    assert (body["total"], body["limit"], body["offset"]) == (2, 50, 0)
    ana = body["budtenders"][0]
    assert ana | {"last_activity": None} == {
        "id": buds["ana"], "name": "Ana Reyes", "status": "active", "dispensary_id": buds["door"],
        "dispensary": "Green Door", "phone": "+12135550101", "email": None,
        "instagram": "ana.buds", "points": 1200, "receipts": 1, "sales": "120.00",
        "last_activity": None, "tier": "Silver",
    }  # fmt: skip
    assert datetime.fromisoformat(ana["last_activity"]) == NOW - timedelta(days=5)


def test_the_list_filters_sorts_and_pages_like_the_viewer(
    client: TestClient, auth: dict[str, str], buds: dict[str, int]
) -> None:
    def names(**params: str | int) -> list[str]:
        body = client.get("/api/v1/budtenders", params=params, headers=auth).json()
        return [b["name"] for b in body["budtenders"]]

    assert names(q="ben") == ["Ben Cole"] and names(q="@ana") == ["Ana Reyes"]
    assert names(status="inactive") == ["Ben Cole"] and names(activity="7d") == ["Ana Reyes"]
    assert names(tier="Silver") == ["Ana Reyes"] and names(dispensary_id=buds["door"] + 1) == []
    assert names(sort="name", dir="desc") == ["Ben Cole", "Ana Reyes"]
    paged = client.get("/api/v1/budtenders", params={"limit": 1, "offset": 1}, headers=auth)
    assert paged.json()["total"] == 2 and [b["name"] for b in paged.json()["budtenders"]] == [
        "Ben Cole"
    ]


def test_one_budtender_and_the_refusals(
    client: TestClient, auth: dict[str, str], buds: dict[str, int]
) -> None:
    one = client.get(f"/api/v1/budtenders/{buds['ben']}", headers=auth)
    assert one.status_code == 200 and one.json()["points"] == 0 and one.json()["tier"] == "New"
    missing = client.get("/api/v1/budtenders/424242", headers=auth)
    assert missing.status_code == 404 and missing.json() == {"detail": "no budtender 424242"}
    assert client.get("/api/v1/budtenders").status_code == 401
    assert (
        client.get("/api/v1/budtenders", params={"tier": "Gold+"}, headers=auth).status_code == 422
    )
    assert client.get("/api/v1/budtenders", params={"limit": 500}, headers=auth).status_code == 422
