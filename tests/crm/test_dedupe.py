from __future__ import annotations

import json
from datetime import date

from sqlalchemy.orm import Session

from conductor.crm.dedupe import (
    DuplicateGroup,
    DuplicateMember,
    find_duplicates,
    find_group,
    group_duplicates,
)
from conductor.crm.keys import fold
from conductor.crm.merge import merge_customers
from conductor.errors import NotFound
from conftest import CliRun
from factories import make_customer, make_imported_customer

DOB = date(1990, 5, 1)


def _member(cid: int, name: str, **fields: object) -> DuplicateMember:
    return DuplicateMember(cid, f"M{cid}", name, name_key=fold(name), **fields)  # type: ignore[arg-type]


def _ids(group: DuplicateGroup) -> set[int]:
    return {m.customer_id for m in group.members}


def test_phone_duplicates_in_different_formats_are_grouped(session: Session) -> None:
    a = make_customer(session, first_name="Rosa", last_name="Diaz", phone="(310) 555-0123")
    b = make_imported_customer(
        session, first_name="Rosa", last_name="Diaz-Ruiz", phone=None, phone_raw="310.555.0123"
    )
    make_customer(session, first_name="Rosa", last_name="Diaz", phone="(310) 555-0999")
    [group] = find_duplicates(session)
    assert _ids(group) == {a.id, b.id}
    assert group.reasons == ("phone",)
    assert group.confidence == 0.9
    assert {m.phone for m in group.members} == {"+13105550123"}


def test_email_case_differences_are_grouped(session: Session) -> None:
    a = make_customer(session, first_name="Jane", last_name="Doe", email="jane.doe@example.com")
    b = make_imported_customer(
        session, first_name="J", last_name="Doe", email=" Jane.Doe@Example.COM"
    )
    make_customer(session, first_name="Jane", last_name="Doe", email="jane.d@example.com")
    [group] = find_duplicates(session)
    assert _ids(group) == {a.id, b.id}
    assert group.reasons == ("email",)


def test_a_typo_in_the_name_with_the_same_birth_date_is_grouped(session: Session) -> None:
    a = make_customer(session, first_name="Jonathan", last_name="Smith", date_of_birth=DOB)
    b = make_customer(session, first_name="Jonathon", last_name="Smith", date_of_birth=DOB)
    make_customer(session, first_name="Maria", last_name="Lopez", date_of_birth=DOB)
    [group] = find_duplicates(session)
    assert _ids(group) == {a.id, b.id}
    assert group.reasons == ("name+dob",)
    assert 0.85 * 0.88 <= group.confidence < 0.85


def test_the_same_name_with_different_birth_dates_is_not_grouped(session: Session) -> None:
    for day in (1, 2):
        make_customer(
            session,
            first_name="Jonathan",
            last_name="Smith",
            date_of_birth=date(1990, 5, day),
            zip_code="90210",
        )
    assert find_duplicates(session) == []


def test_more_signals_give_a_higher_confidence(session: Session) -> None:
    strong = [
        make_customer(
            session, first_name="Ana", last_name="Silva", phone="213-555-0101",
            email="ana@example.com", date_of_birth=date(1985, 1, 2),
        )
        for _ in range(2)
    ]  # fmt: skip
    weak = [
        make_customer(session, first_name=first, last_name="Kowalski", date_of_birth=DOB)
        for first in ("Katarzyna", "Katarzina")
    ]
    groups = find_duplicates(session)
    assert [_ids(g) for g in groups] == [{c.id for c in strong}, {c.id for c in weak}]
    assert groups[0].reasons == ("phone", "email", "name+dob")
    assert groups[0].confidence == 0.99 > groups[1].confidence
    assert find_duplicates(session, min_confidence=0.9) == groups[:1]


def test_merged_customers_are_left_out_of_later_reports(session: Session) -> None:
    a, b, c = (
        make_customer(session, first_name="Lee", last_name="Wong", email="lee@example.com")
        for _ in range(3)
    )
    [group] = find_duplicates(session)
    assert _ids(group) == {a.id, b.id, c.id}
    merge_customers(session, a.id, [b.id], reason="test")
    [group] = find_duplicates(session)
    assert _ids(group) == {a.id, c.id}
    merge_customers(session, a.id, [c.id], reason="test")
    assert find_duplicates(session) == []


def test_a_group_is_found_by_any_member_id(session: Session) -> None:
    a, b = (make_customer(session, first_name="Bo", email="bo@example.com") for _ in range(2))
    make_customer(session, first_name="Other")
    assert find_group(session, b.member_id).key == a.member_id
    assert _ids(find_group(session, a.member_id)) == {a.id, b.id}
    try:
        find_group(session, "nobody")
    except NotFound as exc:
        assert "nobody" in str(exc)
    else:
        raise AssertionError("NotFound expected")


def test_group_key_is_the_oldest_record_and_the_survivor_the_busiest() -> None:
    members = [
        _member(7, "Ada Byron", phone="+13105550100", visit_count=1),
        _member(3, "Ada Byron", phone="+13105550100", visit_count=0),
        _member(9, "Ada Byron", phone="+13105550100", visit_count=5),
    ]
    [group] = group_duplicates(members)
    assert group.key == "M3"
    assert group.survivor.customer_id == 9
    assert [m.customer_id for m in group.others] == [7, 3]


def test_a_group_is_as_confident_as_its_weakest_necessary_link() -> None:
    members = [
        _member(1, "Ada Byron", phone="+13105550100", email="ada@example.com"),
        _member(2, "Ada Byron", phone="+13105550100", email="ada@example.com", date_of_birth=DOB),
        _member(3, "Ada Byronn", date_of_birth=DOB),
    ]
    [group] = group_duplicates(members)
    assert _ids(group) == {1, 2, 3}
    assert 0.75 < group.confidence < 0.85
    assert group.reasons == ("phone", "email", "name+dob")


def test_a_shared_number_with_clearly_different_names_is_doubted() -> None:
    members = [
        _member(1, "Ada Byron", phone="+13105550100"),
        _member(2, "Charles Babbage", phone="+13105550100"),
    ]
    [group] = group_duplicates(members)
    assert group.confidence == round(0.9 * 0.7, 3)
    assert group.reasons == ("phone", "names differ")


def test_a_group_never_holds_two_different_birth_dates() -> None:
    shared = {"email": "family@example.com"}
    members = [
        _member(1, "Ada Byron", phone="+13105550100", date_of_birth=DOB, **shared),
        _member(2, "Ada Byron", phone="+13105550100", **shared),
        _member(3, "Ada Byron", date_of_birth=date(1961, 1, 1), **shared),
        _member(4, "Ada Byron", date_of_birth=date(1961, 1, 1), **shared),
    ]
    assert [_ids(g) for g in group_duplicates(members)] == [{1, 2}, {3, 4}]
    assert group_duplicates(members[2:3] + members[0:1]) == []


def test_a_placeholder_shared_by_many_customers_links_nobody() -> None:
    shop = [_member(i, f"Person{i} Name{i}", phone="+13105550000") for i in range(1, 23)]
    assert group_duplicates(shop) == []
    assert len(group_duplicates(shop[:20])) == 1


def test_name_and_zip_link_only_when_a_birth_date_is_missing() -> None:
    no_dob = _member(1, "Ada Byron", zip_code="90210")
    with_dob = _member(2, "Ada Byron", zip_code="90210", date_of_birth=DOB)
    other_zip = _member(3, "Ada Byron", zip_code="90211")
    [group] = group_duplicates([no_dob, with_dob, other_zip])
    assert _ids(group) == {1, 2}
    assert group.reasons == ("name+zip",)
    assert group.confidence == 0.6
    second_dob = _member(4, "Ada Byron", zip_code="90210", date_of_birth=date(1970, 1, 1))
    assert group_duplicates([no_dob, with_dob, second_dob]) == []  # which Ada? ambiguous


def test_duplicates_json_lists_the_groups_and_nothing_else(session: Session, cli: CliRun) -> None:
    a = make_customer(session, first_name="Rosa", last_name="Diaz", phone="310-555-0123")
    b = make_customer(
        session, first_name="rosa", last_name="díaz", phone="+1 310 555 0123", email="r@x.com"
    )
    make_customer(session, first_name="Ana", last_name="Silva", email="ana@example.com")
    make_customer(session, first_name="Ann", last_name="Silva [/vip]", email="ANA@example.com")
    session.commit()
    data = json.loads(cli("crm", "duplicates", "--json").output)
    expected = find_duplicates(session)
    assert [g["group"] for g in data] == [g.key for g in expected]
    assert data[0]["group"] == a.member_id
    assert data[0]["reasons"] == ["phone"]
    assert data[0]["confidence"] == 0.9
    assert [m["member_id"] for m in data[0]["members"]] == [a.member_id, b.member_id]
    assert data[0]["members"][1]["email"] == "r@x.com"
    assert len(json.loads(cli("crm", "duplicates", "--json", "--limit", "1").output)) == 1
    table = cli("crm", "duplicates", "--min-confidence", "0.5").output
    assert "Diaz" in table and f"*{a.member_id}" in table and "2 group(s)" in table
    assert "[/vip]" in table  # names are data, not Rich markup
