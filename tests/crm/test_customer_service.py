from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from conductor.crm import service
from conductor.errors import InvalidInput, NotFound
from factories import make_customer, make_product, make_sale

WHEN = datetime(2026, 6, 1, 18, 0, tzinfo=UTC)


def test_search_finds_a_customer_by_the_first_letters_of_first_or_last_name(
    session: Session,
) -> None:
    make_customer(session, first_name="Maria", last_name="Lopez")
    make_customer(session, first_name="Mario", last_name="Bianchi")
    make_customer(session, first_name="Ann", last_name="Marsh")
    session.commit()
    names = [c.name for c in service.search_customers(session, "mar")]
    assert names == ["Ann Marsh", "Maria Lopez", "Mario Bianchi"]
    assert [c.name for c in service.search_customers(session, "maria l")] == ["Maria Lopez"]


def test_search_folds_case_and_accents(session: Session) -> None:
    make_customer(session, first_name="José", last_name="Ñúñez")
    session.commit()
    assert [c.first_name for c in service.search_customers(session, "JOSE")] == ["José"]
    assert [c.first_name for c in service.search_customers(session, "nun")] == ["José"]


def test_search_by_phone_prefix_in_any_format(session: Session) -> None:
    make_customer(session, first_name="Pat", phone="(310) 555-0123")
    make_customer(session, first_name="Sam", phone="+1 415 555 0199")
    session.commit()
    for typed in ("310", "310-555", "(310) 555-01", "+1 310 555", "13105550123"):
        assert [c.first_name for c in service.search_customers(session, typed)] == ["Pat"], typed


def test_search_by_email_and_exact_member_id(session: Session) -> None:
    make_customer(session, first_name="Eve", email="Eve.Smith@Example.com")
    make_customer(session, member_id="5f1b2c3d4e5f60718293a4b5", first_name="Kim")
    session.commit()
    assert [c.first_name for c in service.search_customers(session, "eve.smith@")] == ["Eve"]
    found = service.search_customers(session, "5f1b2c3d4e5f60718293a4b5")
    assert [c.first_name for c in found] == ["Kim"]


def test_search_leaves_out_merged_customers(session: Session) -> None:
    survivor = make_customer(session, first_name="Dana", last_name="Reyes")
    merged = make_customer(session, first_name="Dana", last_name="Reyes")
    merged.merged_into_id = survivor.id
    session.commit()
    assert [c.id for c in service.search_customers(session, "dana")] == [survivor.id]


def test_blank_search_returns_nothing(session: Session) -> None:
    make_customer(session)
    session.commit()
    assert service.search_customers(session, "   ") == []


def test_get_customer_by_phone_member_id_or_id_and_merged_resolve_to_survivor(
    session: Session,
) -> None:
    survivor = make_customer(session, phone="310.555.0123")
    merged = make_customer(session, member_id="OLD-1")
    merged.merged_into_id = survivor.id
    session.commit()
    assert service.get_customer(session, "+13105550123").id == survivor.id
    assert service.get_customer(session, "(310) 555 0123").id == survivor.id
    assert service.get_customer(session, str(survivor.id)).id == survivor.id
    assert service.get_customer(session, "OLD-1").id == survivor.id
    with pytest.raises(NotFound, match="no customer"):
        service.get_customer(session, "nobody")


def test_updating_a_customer_keeps_phone_and_search_keys_in_step(session: Session) -> None:
    customer = make_customer(session, first_name="Old", last_name="Name")
    service.update_customer(
        session, customer, {"first_name": "New", "phone": "415 555 0100", "email": " A@B.CO "}
    )
    session.commit()
    assert customer.phone == "+14155550100"
    assert customer.phone_raw == "415 555 0100"
    assert customer.email == "a@b.co"
    assert [c.id for c in service.search_customers(session, "new name")] == [customer.id]
    assert service.search_customers(session, "old") == []


def test_unknown_or_protected_fields_are_refused(session: Session) -> None:
    customer = make_customer(session)
    with pytest.raises(InvalidInput, match="lifetime_value"):
        service.update_customer(session, customer, {"lifetime_value": Decimal("1")})


def test_an_unparseable_phone_is_kept_raw_not_lost(session: Session) -> None:
    customer = make_customer(session, phone="call me maybe")
    assert customer.phone is None
    assert customer.phone_raw == "call me maybe"


def test_a_sale_computes_its_totals_from_its_items(session: Session) -> None:
    customer = make_customer(session)
    gummies = make_product(session, name="Gummies", retail_price=Decimal("12.50"))
    tx = service.record_transaction(
        session,
        transaction_id="T-1",
        customer=customer,
        occurred_at=WHEN,
        items=[
            service.ItemInput("L-1", "Gummies", Decimal("12.50"), Decimal("2"), product=gummies),
            service.ItemInput("L-2", "Lighter", Decimal("1.99")),
        ],
        discount=Decimal("3.00"),
        tax=Decimal("2.10"),
    )
    session.commit()
    assert tx.subtotal == Decimal("26.99")
    assert tx.total == Decimal("26.09")
    lines = service.transaction_items(session, tx.id)
    assert [(i.product_name, i.total_price, i.brand) for i in lines] == [
        ("Gummies", Decimal("25.00"), "MOTA"),
        ("Lighter", Decimal("1.99"), None),
    ]


def test_naive_sale_time_is_refused(session: Session) -> None:
    with pytest.raises(InvalidInput, match="timezone"):
        service.record_transaction(
            session,
            transaction_id="T-naive",
            customer=None,
            occurred_at=datetime(2026, 1, 1),  # noqa: DTZ001
            items=[],
        )


def test_customer_transactions_are_newest_first_and_paged(session: Session) -> None:
    customer = make_customer(session)
    for day in (3, 1, 2):
        make_sale(session, customer, when=WHEN.replace(day=day))
    session.commit()
    days = [t.occurred_at.day for t in service.customer_transactions(session, customer.id)]
    assert days == [3, 2, 1]
    page = service.customer_transactions(session, customer.id, limit=1, offset=1)
    assert [t.occurred_at.day for t in page] == [2]
    assert service.get_transaction(session, page[0].transaction_id).id == page[0].id
    with pytest.raises(NotFound):
        service.get_transaction(session, "no-such-sale")
