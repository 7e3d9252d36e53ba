"""``conductor import``: customers, staff and products files; encodings, headers, bad rows."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, get_args

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from conductor.cli.importer import Kind
from conductor.config import Settings
from conductor.crm.models import Customer, Product, Staff
from conductor.errors import InvalidInput
from conductor.importers.csv.layout import KINDS
from conductor.importers.csv.service import import_csv
from conftest import CliRun

CUSTOMER_HEADER = ["member_id", "first_name", "last_name", "phone", "email", "date_of_birth"]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as stream:
        csv.writer(stream).writerows(rows)
    return path


def rejects_of(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.reader(stream))[1:]


def customers(session: Session) -> dict[str, Customer]:
    session.expire_all()
    return {c.member_id: c for c in session.scalars(select(Customer))}


def table_rows(session: Session, model: type[Any]) -> list[tuple[Any, ...]]:
    session.expire_all()
    table = model.__table__
    return [tuple(r) for r in session.execute(select(table).order_by(table.c.id))]


def test_customers_are_imported_with_phone_email_keys_and_consent(
    tmp_path: Path, cli: CliRun, session: Session
) -> None:
    path = write_csv(
        tmp_path / "customers.csv",
        [
            [*CUSTOMER_HEADER, "sms_opt_in"],
            ["M1", "Zoë", "Pérez", "(310) 555-0123", " Zoe@Example.COM ", "1990-02-03", "yes"],
            ["M2", "Bob", "Lee", "call me maybe", "", "", "no"],
        ],
    )
    result = cli("import", "customers", str(path))
    assert "inserted" in result.output and "2" in result.output
    got = customers(session)
    zoe, bob = got["M1"], got["M2"]
    assert (zoe.phone, zoe.phone_raw, zoe.email) == (
        "+13105550123",
        "(310) 555-0123",
        "zoe@example.com",
    )
    assert (zoe.name_key, zoe.last_name_key, zoe.phone_key) == ("zoe perez", "perez", "3105550123")
    assert zoe.date_of_birth == date(1990, 2, 3)
    assert zoe.sms_consent and zoe.sms_consent_source == "import" and zoe.sms_consent_at
    assert (bob.phone, bob.phone_raw, bob.email) == (None, "call me maybe", None)
    assert not bob.sms_consent
    assert not (tmp_path / "customers.csv.rejects.csv").exists()


def test_importing_the_same_file_again_changes_nothing(
    tmp_path: Path, engine: Engine, settings: Settings, session: Session
) -> None:
    path = write_csv(
        tmp_path / "c.csv",
        [
            [*CUSTOMER_HEADER, "loyalty_points", "sms_opt_in", "email_opt_in", "zip"],
            ["M1", "Ann", "Ames", "310-555-0101", "a@x.com", "01/02/1980", "$1,200", "y", "n", "9"],
            ["M2", "Ben", "Bo", "", "", "", "", "", "", ""],
        ],
    )
    first = import_csv(engine, "customers", path, settings)
    assert (first.inserted, first.updated, first.unchanged, first.rejected) == (2, 0, 0, 0)
    before = table_rows(session, Customer)
    again = import_csv(engine, "customers", path, settings)
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 2, 0)
    assert table_rows(session, Customer) == before


def test_a_changed_row_is_counted_as_updated_and_consent_time_follows_the_value(
    tmp_path: Path, engine: Engine, settings: Settings, session: Session
) -> None:
    header = ["member_id", "first_name", "last_name", "sms_opt_in"]
    first_at, second_at = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC)
    rows = [header, ["M1", "Ann", "Ames", "yes"], ["M2", "Ben", "Bo", "yes"]]
    import_csv(engine, "customers", write_csv(tmp_path / "a.csv", rows), settings, now=first_at)
    rows = [header, ["M1", "Ann", "Ames-Lee", "yes"], ["M2", "Ben", "Bo", "no"]]
    path = write_csv(tmp_path / "b.csv", rows)
    summary = import_csv(engine, "customers", path, settings, now=second_at)
    assert (summary.inserted, summary.updated, summary.unchanged) == (0, 2, 0)
    got = customers(session)
    assert got["M1"].last_name_key == "ames-lee"
    assert (got["M1"].sms_consent, got["M1"].sms_consent_at) == (True, first_at)
    assert (got["M2"].sms_consent, got["M2"].sms_consent_at) == (False, second_at)
    unchanged = import_csv(engine, "customers", path, settings, now=datetime.now(UTC))
    assert (unchanged.updated, unchanged.unchanged) == (0, 2)


def test_a_blank_opt_in_keeps_the_stored_consent(
    tmp_path: Path, engine: Engine, settings: Settings, session: Session
) -> None:
    header = ["member_id", "sms_opt_in"]
    import_csv(
        engine, "customers", write_csv(tmp_path / "a.csv", [header, ["M1", "yes"]]), settings
    )
    summary = import_csv(
        engine, "customers", write_csv(tmp_path / "b.csv", [header, ["M1", ""]]), settings
    )
    assert summary.unchanged == 1
    assert customers(session)["M1"].sms_consent is True


def test_a_bad_date_is_rejected_with_its_line_and_the_rest_imports(
    tmp_path: Path, cli: CliRun, session: Session
) -> None:
    path = write_csv(
        tmp_path / "c.csv",
        [
            CUSTOMER_HEADER,
            ["M1", "Ann", "Ames", "", "", "1980-01-02"],
            ["M2", "Ben", "Bo", "", "", "02/30/1990"],
            ["M3", "Cy", "Cole", "", "", ""],
        ],
    )
    result = cli("import", "customers", str(path))
    rejects = tmp_path / "c.csv.rejects.csv"
    assert "1 rows rejected" in result.output and rejects.name in result.output
    assert rejects_of(rejects) == [
        ["3", "date_of_birth: not a date (want YYYY-MM-DD, MM/DD/YYYY or epoch milliseconds)",
         "M2", "Ben", "Bo", "", "", "02/30/1990"],
    ]  # fmt: skip
    assert sorted(customers(session)) == ["M1", "M3"]


def test_a_blank_required_value_is_rejected(
    tmp_path: Path, engine: Engine, settings: Settings, session: Session
) -> None:
    path = write_csv(
        tmp_path / "c.csv",
        [CUSTOMER_HEADER, ["", "No", "Id", "", "", ""], ["M1", "", "", "", "", ""]],
    )
    summary = import_csv(engine, "customers", path, settings)
    assert (summary.inserted, summary.rejected) == (1, 1)
    assert rejects_of(path.with_name("c.csv.rejects.csv"))[0][:2] == [
        "2",
        "member_id: required value is blank",
    ]


def test_short_and_long_rows_are_rejected_with_their_physical_line(
    tmp_path: Path, engine: Engine, settings: Settings, session: Session
) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "member_id,first_name,last_name\n"
        'M1,"Ann\nMarie",Ames\n'  # one record over lines 2-3
        "M2,Ben\n"
        "M3,Cy,Cole,extra\n"
        "\n"
        "M4,Di,Dee\n",
        encoding="utf-8",
    )
    reject_path = tmp_path / "bad-rows.csv"
    summary = import_csv(engine, "customers", path, settings, rejects_path=reject_path)
    assert summary.rejects_path == reject_path
    assert [r[:2] for r in rejects_of(reject_path)] == [
        ["4", "row has 2 fields, the header has 3"],
        ["5", "row has 4 fields, the header has 3"],
    ]
    assert rejects_of(reject_path)[1][2:] == ["M3", "Cy", "Cole", "extra"]
    assert sorted(customers(session)) == ["M1", "M4"]
    assert customers(session)["M1"].first_name == "Ann\nMarie"


def test_a_missing_required_column_fails_the_file_and_imports_nothing(
    tmp_path: Path, cli: CliRun, session: Session
) -> None:
    path = write_csv(tmp_path / "p.csv", [["product_id", "brand"], ["P1", "MOTA"]])
    result = cli("import", "products", str(path), expect_exit=1)
    assert isinstance(result.exception, InvalidInput)
    assert "no name column" in str(result.exception)
    assert table_rows(session, Product) == []
    assert not (tmp_path / "p.csv.rejects.csv").exists()


def test_a_missing_file_is_a_file_level_error(tmp_path: Path, cli: CliRun) -> None:
    result = cli("import", "staff", str(tmp_path / "nope.csv"), expect_exit=1)
    assert isinstance(result.exception, InvalidInput)


def test_cp1252_is_detected_even_when_the_first_accent_is_far_down_the_file(
    tmp_path: Path, cli: CliRun, session: Session
) -> None:
    rows = [["member_id", "first_name", "last_name", "notes"]]
    rows += [[f"M{i:06d}", "Plain", "Ascii", "x" * 1000] for i in range(1100)]  # > 1 MiB
    rows.append(["M999999", "José", "Muñoz", "ñ"])
    path = write_csv(tmp_path / "legacy.csv", rows, encoding="cp1252")
    assert path.stat().st_size > 1 << 20
    result = cli("import", "customers", str(path))
    assert "cp1252" in result.output
    session.expire_all()
    jose = session.scalars(select(Customer).where(Customer.member_id == "M999999")).one()
    assert (jose.first_name, jose.last_name, jose.name_key) == ("José", "Muñoz", "jose munoz")


def test_a_utf8_bom_does_not_hide_the_first_column(
    tmp_path: Path, engine: Engine, settings: Settings, session: Session
) -> None:
    path = write_csv(
        tmp_path / "bom.csv", [["member_id", "first_name"], ["M1", "Łucja"]], "utf-8-sig"
    )
    summary = import_csv(engine, "customers", path, settings)
    assert (summary.encoding, summary.inserted, summary.unknown_columns) == ("utf-8-sig", 1, ())
    assert customers(session)["M1"].first_name == "Łucja"


def test_header_aliases_are_read_and_unknown_columns_listed(
    tmp_path: Path, cli: CliRun, session: Session
) -> None:
    path = write_csv(
        tmp_path / "pos.csv",
        [
            ["Member ID", "First Name", "Phone Number", "DOB", "Favourite Strain", "Notes"],
            ["M1", "Ann", "213.555.0199", "7/4/1976", "OG", "likes edibles"],
        ],
    )
    result = cli("import", "customers", str(path))
    assert "ignored columns: Favourite Strain, Notes" in result.output
    ann = customers(session)["M1"]
    assert (ann.first_name, ann.phone, ann.date_of_birth) == (
        "Ann",
        "+12135550199",
        date(1976, 7, 4),
    )


def test_blaze_epoch_millisecond_dates(
    tmp_path: Path, engine: Engine, settings: Settings, session: Session
) -> None:
    path = write_csv(
        tmp_path / "blaze.csv",
        [["memberId", "dob", "memberSince"], ["M1", "-315619200000", "1709942400000"]],
    )
    import_csv(engine, "customers", path, settings)
    got = customers(session)["M1"]
    assert (got.date_of_birth, got.date_joined) == (date(1960, 1, 1), date(2024, 3, 9))


def test_staff_and_products_files(tmp_path: Path, cli: CliRun, session: Session) -> None:
    staff = write_csv(
        tmp_path / "staff.csv",
        [
            ["Employee ID", "First Name", "Last Name", "Title", "Active"],
            ["S1", "Kai", "Ro", "Lead", "no"],
        ],
    )
    products = write_csv(
        tmp_path / "products.csv",
        [
            ["Product ID", "Product Name", "THC", "Price", "Qty"],
            ["P1", "Blue Dream 3.5g", "22.5%", "$35", "12"],
        ],
    )
    cli("import", "staff", str(staff))
    cli("import", "products", str(products))
    session.expire_all()
    kai = session.scalars(select(Staff)).one()
    assert (kai.staff_id, kai.name, kai.role, kai.active) == ("S1", "Kai Ro", "Lead", False)
    product = session.scalars(select(Product)).one()
    assert (product.name, str(product.thc_pct), str(product.retail_price)) == (
        "Blue Dream 3.5g",
        "22.50",
        "35.00",
    )
    assert product.quantity_in_stock == 12 and product.active is True


def test_a_value_too_long_for_its_column_is_rejected_not_a_failed_batch(
    tmp_path: Path, engine: Engine, settings: Settings, session: Session
) -> None:
    path = write_csv(
        tmp_path / "c.csv", [["member_id", "state"], ["M1", "California"], ["M2", "ca"]]
    )
    summary = import_csv(engine, "customers", path, settings)
    assert (summary.inserted, summary.rejected) == (1, 1)
    assert customers(session)["M2"].state == "CA"


def test_the_kind_argument_offers_exactly_the_layout_kinds_and_all() -> None:
    assert get_args(Kind) == (*KINDS, "all")


@pytest.mark.parametrize("size", [1, 2])
def test_a_key_repeated_in_the_file_is_inserted_then_updated(
    size: int, tmp_path: Path, engine: Engine, settings: Settings, session: Session
) -> None:
    path = write_csv(
        tmp_path / "c.csv", [["member_id", "first_name"], ["M1", "Ann"], ["M1", "Anna"]]
    )
    summary = import_csv(engine, "customers", path, settings, batch_size=size)
    assert (summary.inserted, summary.updated) == (1, 1)
    assert customers(session)["M1"].first_name == "Anna"


def test_progress_is_reported_in_bytes_up_to_the_file_size(
    tmp_path: Path, engine: Engine, settings: Settings
) -> None:
    rows = [["member_id", "first_name"]] + [[f"M{i}", "Ann"] for i in range(50)]
    path = write_csv(tmp_path / "c.csv", rows)
    seen: list[tuple[int, int]] = []
    import_csv(
        engine,
        "customers",
        path,
        settings,
        batch_size=10,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert len(seen) == 5
    assert seen[-1] == (path.stat().st_size, path.stat().st_size)


def test_a_nul_character_is_rejected_not_sent_to_the_database(
    tmp_path: Path, engine: Engine, settings: Settings, session: Session
) -> None:
    path = write_csv(
        tmp_path / "c.csv", [["member_id", "first_name"], ["M1", "A\x00n"], ["M2", "Ben"]]
    )
    summary = import_csv(engine, "customers", path, settings)
    assert (summary.inserted, summary.rejected) == (1, 1)
    assert rejects_of(path.with_name("c.csv.rejects.csv"))[0][:2] == [
        "2",
        "first_name: contains a NUL character",
    ]


def test_text_that_is_not_csv_stops_the_import_with_its_line(tmp_path: Path, cli: CliRun) -> None:
    path = tmp_path / "c.csv"
    path.write_text(f"member_id,first_name\nM1,Ann\nM2,{'x' * 200_000}\n", encoding="utf-8")
    result = cli("import", "customers", str(path), expect_exit=1)
    assert isinstance(result.exception, InvalidInput)
    assert "line 3 cannot be read as CSV" in str(result.exception)


def test_an_import_that_stops_keeps_what_it_committed_every_commit_rows_rows(
    tmp_path: Path, engine: Engine, settings: Settings, session: Session
) -> None:
    path = tmp_path / "c.csv"
    good = "".join(f"M{i},Ann\n" for i in range(1, 31))
    path.write_text(f"member_id,first_name\n{good}M31,{'x' * 200_000}\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="line 32 cannot be read as CSV"):
        import_csv(engine, "customers", path, settings, batch_size=5, commit_rows=10)
    assert len(customers(session)) == 30
