"""The IC viewer and the products page through HTTP: search, context, sales, items, products,
edits with their audit rows, roles and CSRF."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from webkit import add_user, login

from conductor.accounts.models import AuditEntry
from conductor.crm.models import Customer, Transaction
from conductor.messaging.consent import is_opted_out
from factories import make_customer, make_product, make_sale

DAY = timedelta(days=1)
NOW = datetime.now(UTC)


@pytest.fixture
def staff(client: TestClient, sessions: sessionmaker[Session]) -> str:
    add_user(sessions, "sam", "staff")
    return login(client, "sam")


@pytest.fixture
def regular(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Marisol, a Silver regular: three sales of Pacific Roots flower, the last one 10 days ago."""
    with sessions.begin() as s:
        flower = make_product(
            s, name="Apple Fritter 28g", brand="Pacific Roots", strain_type="Hybrid",
            thc_pct=Decimal("30.61"), cbd_pct=Decimal("0.93"), effects="euphoric, relaxed",
            retail_price=Decimal("235.00"), quantity_in_stock=88,
        )  # fmt: skip
        marisol = make_customer(s, first_name="Marisol", last_name="Vega", phone="+12135550101")
        make_customer(s, first_name="Mario", last_name="Rossi", phone="+12135550102")
        make_customer(s, first_name="Tom", last_name="Baker", phone="+13105550103")
        sales = [make_sale(s, marisol, when=NOW - d * DAY, products=[flower]) for d in (40, 25, 10)]
        return {"customer": marisol.id, "product": flower.id, "sale": sales[-1].id}


def _rows(html: str) -> list[str]:
    """The first cell of each body row of the sales table."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"<[^>]+>", "", row.split("</td>")[0]).strip() for row in body.split("<tr")[1:]]


def test_search_lists_customers_whose_name_or_phone_starts_with_the_text(
    client: TestClient, staff: str, regular: dict[str, int]
) -> None:
    by_name = client.get("/customers/search", params={"q": "mar"}).text
    assert "Marisol Vega" in by_name and "Mario Rossi" in by_name and "Tom Baker" not in by_name
    by_phone = client.get("/customers/search", params={"q": "310 555"}).text
    assert "Tom Baker" in by_phone and "Marisol" not in by_phone
    assert "starts with" in client.get("/customers/search", params={"q": "zz"}).text


def test_the_context_panel_shows_tier_visits_favourites_and_the_conversation_link(
    client: TestClient, staff: str, regular: dict[str, int]
) -> None:
    html = client.get(f"/customers/{regular['customer']}/panel").text
    assert "Silver" in html  # 3 x $235
    assert "$705.00" in html and ">3</b>" in html
    assert "Pacific Roots" in html and "Apple Fritter 28g" in html
    assert 'href="/messages?phone=%2B12135550101"' in html


def test_a_deep_link_opens_the_viewer_on_that_customer(
    client: TestClient, staff: str, regular: dict[str, int]
) -> None:
    html = client.get("/customers", params={"id": regular["customer"]}).text
    assert (
        "<h2>Marisol Vega</h2>" in html and f"/customers/{regular['customer']}/transactions" in html
    )
    assert client.get("/customers", params={"id": 999999}).status_code == 404
    assert client.get("/customers/99999999999/panel").status_code == 422


def test_sales_come_newest_first_and_sort_by_a_column(
    client: TestClient, staff: str, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as s:
        who = make_customer(s, first_name="Ada")
        for days, price in ((3, "10.00"), (2, "30.00"), (1, "20.00")):
            make_sale(s, who, when=NOW - days * DAY, prices=[Decimal(price)] * days)
        url = f"/customers/{who.id}/transactions"
    newest = _rows(client.get(url).text)
    assert newest == sorted(newest, reverse=True) and len(newest) == 3
    by_total = client.get(url, params={"sort": "total", "dir": "asc"}).text
    assert re.findall(r"\$(\d+\.\d\d)</td>", by_total) == ["20.00", "30.00", "60.00"]
    by_items = client.get(url, params={"sort": "items", "dir": "desc"}).text
    assert re.findall(r'class="num">(\d)</td>', by_items) == ["3", "2", "1"]
    assert client.get(url, params={"sort": "colour"}).status_code == 422


def test_sales_are_paged(client: TestClient, staff: str, sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        who = make_customer(s, first_name="Bea")
        for days in range(17):
            make_sale(s, who, when=NOW - days * DAY)
        url = f"/customers/{who.id}/transactions"
    second = client.get(url, params={"page": 2}).text
    assert len(_rows(second)) == 2 and "16\u201317 of 17" in second


def test_a_sale_shows_its_items_and_an_item_its_product(
    client: TestClient, staff: str, regular: dict[str, int]
) -> None:
    items = client.get(f"/customers/transactions/{regular['sale']}/items").text
    assert "Apple Fritter 28g" in items and "$235.00" in items
    assert f'hx-get="/products/{regular["product"]}/details"' in items
    product = client.get(f"/products/{regular['product']}/details").text
    for shown in ("Hybrid", "30.6%", "0.9%", "euphoric", "relaxed", "$235.00", ">88</b>"):
        assert shown in product
    assert client.get("/products/424242/details").status_code == 404


def test_products_filter_sort_and_page(
    client: TestClient, staff: str, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as s:
        make_product(s, name="Blue Dream 3.5g", brand="MOTA", strain_type="Sativa")
        make_product(s, name="Blue Gelato 1g", brand="Kiva", quantity_in_stock=0)
        make_product(s, name="Gummies 10pk", brand="Kiva", category="Edibles")
    names = client.get("/products", params={"name": "blue"}).text
    assert "Blue Dream" in names and "Blue Gelato" in names and "Gummies" not in names
    stocked = client.get("/products/table", params={"brand": "Kiva", "in_stock": "true"}).text
    assert "Gummies" in stocked and "Blue Gelato" not in stocked
    ordered = client.get("/products/table", params={"sort": "name", "dir": "desc"}).text
    assert ordered.index("Gummies") < ordered.index("Blue Gelato") < ordered.index("Blue Dream")
    assert client.get("/products", params={"page": 0}).status_code == 422


def test_an_edit_is_saved_and_audited_with_the_values_before_and_after(
    client: TestClient, staff: str, regular: dict[str, int], sessions: sessionmaker[Session]
) -> None:
    form = {"csrf_token": staff, "first_name": "Marisol", "last_name": "Vega-Ruiz",
            "phone": "(213) 555-0199", "email": "MV@Example.com", "loyalty_points": "120",
            "date_of_birth": "1990-04-21", "sms_consent": "on"}  # fmt: skip
    response = client.post(f"/customers/{regular['customer']}", data=form)
    assert response.status_code == 200 and "Saved: " in response.text
    with sessions() as s:
        customer = s.get_one(Customer, regular["customer"])
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "customer.update")).one()
    assert (customer.last_name, customer.phone, customer.email) == (
        "Vega-Ruiz", "+12135550199", "mv@example.com"
    )  # fmt: skip
    assert entry.actor == "sam" and entry.entity_id == str(customer.id)
    assert entry.before == {"last_name": "Vega", "phone": "+12135550101", "email": None,
                            "loyalty_points": 0, "date_of_birth": None}  # fmt: skip
    assert entry.after is not None and entry.after["date_of_birth"] == "1990-04-21"


def test_a_bad_value_comes_back_on_the_form_and_nothing_changes(
    client: TestClient, staff: str, regular: dict[str, int], sessions: sessionmaker[Session]
) -> None:
    form = {"csrf_token": staff, "first_name": "Marisol", "last_name": "Vega",
            "phone": "not a phone", "loyalty_points": "lots", "sms_consent": "on"}  # fmt: skip
    response = client.post(f"/customers/{regular['customer']}", data=form)
    assert response.status_code == 422 and "a whole number" in response.text
    assert response.headers["HX-Retarget"] == "#customer-details"
    form["loyalty_points"] = "5"
    assert "not a phone number" in client.post(f"/customers/{regular['customer']}", data=form).text
    with sessions() as s:
        assert s.scalars(select(AuditEntry)).all() == []
        assert s.get_one(Customer, regular["customer"]).phone == "+12135550101"


def test_withdrawing_sms_consent_stops_texts_to_the_number_and_is_audited(
    client: TestClient, staff: str, regular: dict[str, int], sessions: sessionmaker[Session]
) -> None:
    form = {"csrf_token": staff, "first_name": "Marisol", "last_name": "Vega",
            "phone": "+12135550101", "loyalty_points": "0"}  # fmt: skip
    assert "sms consent" in client.post(f"/customers/{regular['customer']}", data=form).text
    with sessions() as s:
        entry = s.scalars(select(AuditEntry)).one()
        assert is_opted_out(s, "+12135550101")
        assert not s.get_one(Customer, regular["customer"]).sms_consent
    assert entry.action == "customer.consent"
    assert entry.before is not None and entry.before["sms_consent"] is True
    assert entry.after is not None and entry.after["sms_consent_source"] == "console"


def test_staff_may_edit_but_not_delete_or_export(
    client: TestClient, staff: str, regular: dict[str, int], sessions: sessionmaker[Session]
) -> None:
    deleted = client.post(f"/customers/transactions/{regular['sale']}/delete",
                          headers={"X-CSRF-Token": staff})  # fmt: skip
    assert deleted.status_code == 403 and "may not delete" in deleted.text
    assert client.get(f"/customers/{regular['customer']}/transactions.csv").status_code == 403
    assert "Delete sale" not in client.get(f"/customers/transactions/{regular['sale']}/items").text
    assert client.get(f"/customers/{regular['customer']}/edit").status_code == 200


def test_a_manager_deletes_a_sale_and_exports_sales_with_audit_rows(
    client: TestClient, regular: dict[str, int], sessions: sessionmaker[Session]
) -> None:
    add_user(sessions, "meg", "manager")
    token = login(client, "meg")
    csv = client.get(f"/customers/{regular['customer']}/transactions.csv")
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.count("\n") == 4
    deleted = client.post(f"/customers/transactions/{regular['sale']}/delete",
                          headers={"X-CSRF-Token": token})  # fmt: skip
    assert deleted.status_code == 200 and "$470.00" in deleted.text
    with sessions() as s:
        assert s.get(Transaction, regular["sale"]) is None
        actions = s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        snapshot = s.scalars(select(AuditEntry.before).where(AuditEntry.entity == "transaction"))
        assert actions == ["export", "transaction.delete"]
        assert snapshot.one()["items"][0]["product_name"] == "Apple Fritter 28g"


def test_changes_without_the_csrf_token_are_refused(
    client: TestClient, staff: str, regular: dict[str, int]
) -> None:
    form = {"first_name": "Mallory", "last_name": "Vega", "loyalty_points": "0"}
    response = client.post(f"/customers/{regular['customer']}", data=form)
    assert response.status_code == 403 and "CSRF" in response.text
    wrong = client.post(f"/customers/{regular['customer']}", data=form,
                        headers={"X-CSRF-Token": "forged"})  # fmt: skip
    assert wrong.status_code == 403


def test_viewer_requests_without_a_session_go_to_the_login(
    client: TestClient, regular: dict[str, int]
) -> None:
    partial = client.get("/customers/search?q=mar", headers={"HX-Request": "true"})
    assert partial.status_code == 401 and partial.headers["HX-Redirect"] == "/login"
    page = client.get("/products", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/products"
