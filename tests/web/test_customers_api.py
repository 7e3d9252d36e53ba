"""The customers API: happy paths, and every kind of bad input answered with a clear 4xx."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from webkit import add_user, api_token

from factories import make_customer, make_product, make_sale

NOW = datetime.now(UTC)


@pytest.fixture
def auth(sessions: sessionmaker[Session]) -> dict[str, str]:
    add_user(sessions, "n8n", "staff")
    return {"Authorization": f"Bearer {api_token(sessions, 'n8n')}"}


@pytest.fixture
def nina(sessions: sessionmaker[Session]) -> int:
    """Nina, Gold: twelve sales of a $200 vape, one every 14 days until a week ago."""
    with sessions.begin() as s:
        vape = make_product(s, name="Live Resin Cart 1g", brand="Raw Garden", category="Vapes",
                            retail_price=Decimal("200.00"))  # fmt: skip
        nina = make_customer(s, member_id="MEM-7", first_name="Nina", last_name="Okafor",
                             phone="+14155550177", email="nina@example.com")  # fmt: skip
        for n in range(12):
            make_sale(s, nina, when=NOW - timedelta(days=7 + 14 * n), products=[vape, vape])
        make_customer(s, first_name="Nils", last_name="Berg", phone="+14155550178")
        return nina.id


def test_search_finds_customers_by_the_start_of_a_name(
    client: TestClient, auth: dict[str, str], nina: int
) -> None:
    body = client.get("/api/v1/customers", params={"q": "ni"}, headers=auth).json()
    assert body["count"] == 2 and [c["name"] for c in body["customers"]] == [
        "Nils Berg",
        "Nina Okafor",
    ]
    one = client.get("/api/v1/customers", params={"q": "ni", "limit": 1}, headers=auth).json()
    assert one["count"] == 1
    found = client.get("/api/v1/customers", params={"q": "okafor"}, headers=auth).json()
    assert found["customers"][0] | {"last_visit_at": None} == {
        "id": nina, "member_id": "MEM-7", "name": "Nina Okafor", "first_name": "Nina",
        "last_name": "Okafor", "phone": "+14155550177", "email": "nina@example.com",
        "tier": "Gold", "visit_count": 12, "lifetime_value": "4800.00", "last_visit_at": None,
        "sms_consent": True,
    }  # fmt: skip


@pytest.mark.parametrize("ident", ["MEM-7", "(415) 555-0177", "+14155550177", "{id}"])
def test_a_customer_is_found_by_id_member_id_or_phone(
    client: TestClient, auth: dict[str, str], nina: int, ident: str
) -> None:
    response = client.get(f"/api/v1/customers/{ident.format(id=nina)}", headers=auth)
    assert response.status_code == 200
    assert response.json()["id"] == nina and response.json()["loyalty_points"] == 0


def test_the_context_has_tier_favourites_rhythm_and_consent(
    client: TestClient, auth: dict[str, str], nina: int
) -> None:
    ctx = client.get("/api/v1/customers/MEM-7/context", headers=auth).json()
    assert ctx["tier"] == "Gold" and ctx["visits"] == 12 and ctx["days_since_last_visit"] == 7
    assert ctx["lifetime_value"] == "4800.00" and ctx["average_sale"] == "400.00"
    assert ctx["favourite_brand"] == "Raw Garden" and ctx["favourite_category"] == "Vapes"
    assert ctx["favourite_products"] == ["Live Resin Cart 1g"]
    assert ctx["churn_risk"] == "low" and ctx["sms_consent"] is True


def test_transactions_come_newest_first_with_their_items_and_page(
    client: TestClient, auth: dict[str, str], nina: int
) -> None:
    url = "/api/v1/customers/MEM-7/transactions"
    first = client.get(url, params={"limit": 5}, headers=auth).json()
    assert first["total"] == 12 and len(first["transactions"]) == 5
    times = [t["occurred_at"] for t in first["transactions"]]
    assert times == sorted(times, reverse=True)
    assert [i["product_name"] for i in first["transactions"][0]["items"]] == [
        "Live Resin Cart 1g"
    ] * 2
    last = client.get(url, params={"limit": 5, "offset": 10}, headers=auth).json()
    assert len(last["transactions"]) == 2 and last["offset"] == 10


@pytest.mark.parametrize(
    "path",
    ["/api/v1/customers?q=ni", "/api/v1/customers/MEM-7", "/api/v1/customers/MEM-7/context",
     "/api/v1/customers/MEM-7/transactions"],
)  # fmt: skip
def test_a_missing_or_unknown_token_is_401(client: TestClient, nina: int, path: str) -> None:
    missing = client.get(path)
    assert missing.status_code == 401 and missing.json() == {"detail": "missing API token"}
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    unknown = client.get(path, headers={"Authorization": "Bearer cdt_not-a-token"})
    assert unknown.status_code == 401 and "unknown" in unknown.json()["detail"]


@pytest.mark.parametrize(
    "path", ["/api/v1/customers/NOPE-1", "/api/v1/customers/999999/context",
             "/api/v1/customers/+12025550000/transactions"],
)  # fmt: skip
def test_an_unknown_customer_is_404(
    client: TestClient, auth: dict[str, str], nina: int, path: str
) -> None:
    response = client.get(path, headers=auth)
    assert response.status_code == 404 and "no customer" in response.json()["detail"]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/customers", "q"),
        ("/api/v1/customers?q=", "q"),
        ("/api/v1/customers?q=" + "a" * 101, "q"),
        ("/api/v1/customers?q=a%00b", "q"),
        ("/api/v1/customers?q=ni&limit=0", "limit"),
        ("/api/v1/customers?q=ni&limit=101", "limit"),
        ("/api/v1/customers?q=ni&limit=ten", "limit"),
        ("/api/v1/customers/MEM-7/transactions?limit=1000", "limit"),
        ("/api/v1/customers/MEM-7/transactions?offset=-1", "offset"),
        ("/api/v1/customers/MEM-7/transactions?offset=99999999999999999999", "offset"),
        ("/api/v1/customers/%C2%B2", "ident"),
        ("/api/v1/customers/" + "9" * 65, "ident"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    client: TestClient, auth: dict[str, str], nina: int, path: str, field: str
) -> None:
    response = client.get(path, headers=auth)
    assert response.status_code == 422
    assert [e["loc"][-1] for e in response.json()["detail"]] == [field]


def test_the_openapi_document_describes_the_customer_endpoints_precisely(
    client: TestClient,
) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    search = doc["paths"]["/api/v1/customers"]["get"]
    limit = next(p for p in search["parameters"] if p["name"] == "limit")["schema"]
    assert (limit["minimum"], limit["maximum"]) == (1, 100)
    context = doc["paths"]["/api/v1/customers/{ident}/context"]["get"]
    assert set(context["responses"]) == {"200", "401", "404", "422"}
    schema = context["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/CustomerContext"}
    tier = doc["components"]["schemas"]["CustomerContext"]["properties"]["tier"]
    assert tier["enum"] == ["New", "Bronze", "Silver", "Gold", "Platinum"]
