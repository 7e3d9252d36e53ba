from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from conductor.crm import service
from conductor.crm.dedupe import find_duplicates
from conductor.crm.merge import merge_customers, merge_members, resolve_survivor
from conductor.crm.models import Customer, CustomerMerge, Transaction
from conductor.crm.stats import stale_customer_ids
from conductor.errors import MergeError, NotFound
from conftest import CliRun
from factories import make_customer, make_imported_customer, make_sale

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _sales(session: Session, customer: Customer, *amounts: str) -> None:
    for days, amount in enumerate(amounts, 1):
        make_sale(session, customer, when=NOW - timedelta(days=days), prices=[Decimal(amount)])


def _pair(session: Session) -> tuple[Customer, Customer]:
    survivor = make_customer(session, first_name="Rosa", last_name="Diaz", loyalty_points=120)
    other = make_customer(session, first_name="Rosa", last_name="Dias", loyalty_points=30)
    _sales(session, survivor, "10.00", "20.00")
    _sales(session, other, "5.50", "7.25", "100.00")
    return survivor, other


def test_merge_moves_transactions_and_keeps_cached_stats_right(session: Session) -> None:
    survivor, other = _pair(session)
    result = merge_customers(session, survivor.id, [other.id], reason="same person")
    session.commit()
    assert result.transactions_moved == 3
    owners = session.scalars(select(Transaction.customer_id)).all()
    assert set(owners) == {survivor.id} and len(owners) == 5
    session.refresh(survivor)
    session.refresh(other)
    assert survivor.visit_count == 5
    assert survivor.lifetime_value == Decimal("142.75")
    assert survivor.first_visit_at == NOW - timedelta(days=3)
    assert (other.visit_count, other.lifetime_value, other.merged_into_id) == (0, 0, survivor.id)
    assert stale_customer_ids(session) == []


def test_the_audit_row_holds_the_full_record(session: Session) -> None:
    survivor, other = _pair(session)
    other_id, other_member_id = other.id, other.member_id
    service.update_customer(session, other, {"date_of_birth": date(1991, 2, 3)})
    merge_customers(
        session, survivor.id, [other.id], reason="same phone", confidence=0.9, merged_by="test"
    )
    session.commit()
    audit = session.scalars(select(CustomerMerge)).one()
    assert (audit.survivor_id, audit.merged_id) == (survivor.id, other_id)
    assert (audit.merged_member_id, audit.reason, audit.merged_by) == (
        other_member_id, "same phone", "test",
    )  # fmt: skip
    assert audit.confidence == Decimal("0.900")
    assert audit.transactions_moved == 3
    snap = audit.snapshot
    assert set(snap) == {a.key for a in inspect(Customer).column_attrs}
    assert snap["member_id"] == other_member_id and snap["last_name"] == "Dias"
    assert snap["date_of_birth"] == "1991-02-03"
    assert snap["lifetime_value"] == "112.75" and snap["visit_count"] == 3
    assert snap["loyalty_points"] == 30 and snap["merged_into_id"] is None
    assert datetime.fromisoformat(snap["last_visit_at"]) == NOW - timedelta(days=1)


def test_blank_fields_are_filled_and_survivor_values_kept(session: Session) -> None:
    survivor = make_imported_customer(
        session, first_name="Rosa", last_name="", phone=None, email="rosa@old.example"
    )
    other = make_customer(
        session, first_name="Rosalind", last_name="Diaz", phone="(310) 555-0142",
        email="rosa@new.example", date_of_birth=date(1990, 5, 1), zip_code="90210",
    )  # fmt: skip
    result = merge_customers(session, survivor.id, [other.id], reason="test")
    session.commit()
    session.refresh(survivor)
    assert (survivor.first_name, survivor.last_name) == ("Rosa", "Diaz")
    assert survivor.email == "rosa@old.example"
    assert (survivor.phone, survivor.phone_raw) == ("+13105550142", "(310) 555-0142")
    assert (survivor.date_of_birth, survivor.zip_code) == (date(1990, 5, 1), "90210")
    assert set(result.filled_fields) == {"phone", "last_name", "date_of_birth", "zip_code"}
    assert service.search_customers(session, "310555014") == [survivor]
    assert service.search_customers(session, "rosa diaz") == [survivor]


def test_loyalty_points_are_added_and_not_counted_twice(session: Session) -> None:
    survivor, other = _pair(session)
    third = make_customer(session, loyalty_points=7)
    result = merge_customers(session, survivor.id, [other.id, third.id], reason="test")
    session.commit()
    assert result.loyalty_points == 157
    points = dict(session.execute(select(Customer.id, Customer.loyalty_points)).all())
    assert points == {survivor.id: 157, other.id: 0, third.id: 0}


@pytest.mark.parametrize(
    ("survivor_at", "other_out_at", "opted_in"),
    [
        (NOW, NOW + timedelta(days=1), False),  # opted out after the survivor opted in
        (NOW, NOW, False),  # same moment: the opt-out wins
        (NOW, None, False),  # opt-out of unknown time wins
        (NOW, NOW - timedelta(days=1), True),  # the survivor opted in again later
    ],
)
def test_an_opt_out_on_any_record_is_kept(
    session: Session, survivor_at: datetime, other_out_at: datetime | None, opted_in: bool
) -> None:
    survivor = make_customer(session, sms_consent=False)
    service.set_consent(
        session, survivor, channel="sms", granted=True, source="pos", at=survivor_at
    )
    other = make_imported_customer(
        session, sms_consent=False, sms_consent_source="STOP", sms_consent_at=other_out_at
    )
    result = merge_customers(session, survivor.id, [other.id], reason="test")
    session.commit()
    session.refresh(survivor)
    assert result.sms_consent is opted_in and survivor.sms_consent is opted_in
    expected = ("pos", survivor_at) if opted_in else ("STOP", other_out_at)
    assert (survivor.sms_consent_source, survivor.sms_consent_at) == expected


def test_a_merge_never_opts_anyone_in(session: Session) -> None:
    survivor = make_customer(session, sms_consent=False)
    other = make_customer(session, sms_consent=True)
    service.set_consent(session, other, channel="email", granted=True, source="web", at=NOW)
    merge_customers(session, survivor.id, [other.id], reason="test")
    session.commit()
    session.refresh(survivor)
    assert (survivor.sms_consent, survivor.sms_consent_at) == (False, None)
    assert (survivor.email_consent, survivor.email_consent_at) == (False, None)


def test_errors_name_the_problem(session: Session) -> None:
    a, b, c = (make_customer(session) for _ in range(3))
    with pytest.raises(MergeError, match="into itself"):
        merge_customers(session, a.id, [b.id, a.id], reason="test")
    with pytest.raises(MergeError, match="nothing to merge"):
        merge_customers(session, a.id, [], reason="test")
    with pytest.raises(NotFound, match="9999"):
        merge_customers(session, a.id, [9999], reason="test")
    with pytest.raises(NotFound, match="9998"):
        merge_customers(session, 9998, [a.id], reason="test")
    with pytest.raises(NotFound, match="NOPE"):
        merge_members(session, a.member_id, ["NOPE"], reason="test")
    assert session.scalars(select(CustomerMerge)).all() == []
    merge_customers(session, a.id, [b.id], reason="test")
    with pytest.raises(MergeError, match=f"{b.member_id} was already merged into {a.member_id}"):
        merge_customers(session, c.id, [b.id], reason="test")
    with pytest.raises(MergeError, match=f"merged into {a.member_id}: merge into {a.member_id}"):
        merge_customers(session, b.id, [c.id], reason="test")
    assert len(session.scalars(select(CustomerMerge)).all()) == 1


def test_earlier_merges_follow_to_the_new_survivor(session: Session) -> None:
    a, b, c = (make_customer(session) for _ in range(3))
    merge_customers(session, a.id, [b.id], reason="first")
    merge_customers(session, c.id, [a.id], reason="second")
    session.commit()
    merged_into = dict(session.execute(select(Customer.id, Customer.merged_into_id)).all())
    assert merged_into == {a.id: c.id, b.id: c.id, c.id: None}
    assert resolve_survivor(session, session.get_one(Customer, b.id)).id == c.id
    assert service.get_customer(session, b.member_id).id == c.id


def test_cli_merges_member_ids_with_yes(session: Session, cli: CliRun) -> None:
    survivor, other = _pair(session)
    session.commit()
    out = cli("crm", "merge", survivor.member_id, other.member_id, "--yes", "--reason", "dup")
    assert f"merged {other.member_id} into {survivor.member_id}: 3 transaction(s)" in out.output
    session.expire_all()
    assert session.get_one(Customer, other.id).merged_into_id == survivor.id
    assert session.get_one(Customer, survivor.id).visit_count == 5
    assert session.scalars(select(CustomerMerge.reason)).one() == "dup"


def test_cli_merge_asks_first(session: Session, cli: CliRun) -> None:
    survivor, other = _pair(session)
    session.commit()
    result = cli("crm", "merge", survivor.member_id, other.member_id, expect_exit=1)
    assert "Merge 1 customer(s) into" in result.output
    session.expire_all()
    assert session.get_one(Customer, other.id).merged_into_id is None


def test_cli_merges_a_group_by_its_key(session: Session, cli: CliRun) -> None:
    a = make_customer(session, first_name="Ana", last_name="Silva", email="ana@example.com")
    b = make_customer(session, first_name="Ana", last_name="Silva", email="ana@example.com")
    _sales(session, b, "9.00")
    session.commit()
    [group] = find_duplicates(session)
    assert group.key == a.member_id and group.survivor.customer_id == b.id
    cli("crm", "merge", "--group", a.member_id, "--yes")
    session.expire_all()
    assert session.get_one(Customer, a.id).merged_into_id == b.id
    audit = session.scalars(select(CustomerMerge)).one()
    assert audit.confidence == Decimal("0.900") and "email" in audit.reason
    assert find_duplicates(session) == []


def test_cli_auto_merges_only_confident_groups(session: Session, cli: CliRun) -> None:
    sure = [
        make_customer(session, first_name="Li", last_name="Wei", phone="213-555-0177",
                      email="li@example.com")
        for _ in range(2)
    ]  # fmt: skip
    unsure = [make_customer(session, first_name="Bo", email="bo@example.com") for _ in range(2)]
    session.commit()
    cli("crm", "merge", "--auto", "--min-confidence", "0.95", "--yes")
    session.expire_all()
    merged = {c.id: c.merged_into_id for c in session.scalars(select(Customer))}
    assert merged[sure[1].id] == sure[0].id
    assert merged[unsure[0].id] is None and merged[unsure[1].id] is None


def test_cli_refuses_an_unknown_member_id(session: Session, cli: CliRun) -> None:
    a = make_customer(session)
    session.commit()
    result = cli("crm", "merge", a.member_id, "NOPE", "--yes", expect_exit=1)
    assert isinstance(result.exception, NotFound)
    cli("crm", "merge", a.member_id, expect_exit=2)
    cli("crm", "merge", a.member_id, "X", "--group", "Y", expect_exit=2)


def test_merge_moves_the_merged_customers_messages_too(session: Session) -> None:
    from conductor.messaging import service as messaging
    from conductor.messaging.models import Message

    survivor, other = _pair(session)
    other_phone = other.phone
    assert other_phone is not None
    note = messaging.queue_outbound(session, phone_number=other_phone, content="hi", now=NOW)
    assert note.customer_id == other.id
    merge_customers(session, survivor.id, [other.id], reason="same person")
    session.commit()
    assert session.scalars(select(Message.customer_id)).all() == [survivor.id]
