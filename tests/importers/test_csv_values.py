"""The pure cell parsers of the CSV importer: dates, timestamps, money, numbers, booleans."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from conductor.importers.csv.values import (
    parse_bool,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_int,
)

LA = ZoneInfo("America/Los_Angeles")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-09", date(2024, 3, 9)),
        (" 3/9/2024 ", date(2024, 3, 9)),
        ("03/09/2024", date(2024, 3, 9)),
        ("1709942400000", date(2024, 3, 9)),  # Blaze: epoch milliseconds, a UTC date
        ("-315619200000", date(1960, 1, 1)),  # born before 1970
        ("", None),
        ("   ", None),
    ],
)
def test_dates_in_iso_us_and_epoch_milliseconds(raw: str, expected: date | None) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["02/30/1990", "13/01/2020", "yesterday", "2024-3", "1800-01-01"])
def test_impossible_dates_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match=r"not a date|year outside"):
        parse_date(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-09T16:05:06Z", datetime(2024, 3, 9, 16, 5, 6, tzinfo=UTC)),
        ("2024-03-09T08:05:06-08:00", datetime(2024, 3, 9, 16, 5, 6, tzinfo=UTC)),
        ("2024-03-09 08:05:06", datetime(2024, 3, 9, 16, 5, 6, tzinfo=UTC)),  # naive: shop time
        ("2024-07-09 08:05", datetime(2024, 7, 9, 15, 5, tzinfo=UTC)),  # summer time
        ("3/9/2024 8:05 AM", datetime(2024, 3, 9, 16, 5, tzinfo=UTC)),
        ("3/9/2024 12:05 AM", datetime(2024, 3, 9, 8, 5, tzinfo=UTC)),
        ("03/09/2024 4:05:06 pm", datetime(2024, 3, 10, 0, 5, 6, tzinfo=UTC)),
        ("03/09/2024 16:05", datetime(2024, 3, 10, 0, 5, tzinfo=UTC)),
        ("1710000306000", datetime(2024, 3, 9, 16, 5, 6, tzinfo=UTC)),
        ("", None),
    ],
)
def test_timestamps_come_back_aware_utc(raw: str, expected: datetime | None) -> None:
    got = parse_datetime(raw, LA)
    assert got == expected
    if got is not None:
        assert got.utcoffset() == timedelta(0)


@pytest.mark.parametrize("raw", ["3/9/2024 13:05 PM", "2024-02-30 10:00", "soon", "12:00"])
def test_impossible_timestamps_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="not a date and time"):
        parse_datetime(raw, LA)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("40", Decimal("40.00")),
        ("$1,234.50", Decimal("1234.50")),
        ("-$3", Decimal("-3.00")),
        ("(3.00)", Decimal("-3.00")),
        ("22.5%", Decimal("22.50")),
        ("12.345", Decimal("12.35")),  # half-up to the column's scale
        ("", None),
    ],
)
def test_money_is_a_decimal_rounded_to_cents(raw: str, expected: Decimal | None) -> None:
    got = parse_decimal(raw, scale=2, precision=12)
    assert got == expected
    assert got is None or isinstance(got, Decimal)


@pytest.mark.parametrize("raw", ["abc", "12.5.1", "$", "NaN", "Infinity", "1,2x"])
def test_non_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="not a number"):
        parse_decimal(raw, scale=2, precision=12)


def test_numbers_too_large_for_the_column_are_refused() -> None:
    assert parse_decimal("9999999999.99", scale=2, precision=12) == Decimal("9999999999.99")
    for raw in ("10000000000", "9999999999.999", "1e40"):
        with pytest.raises(ValueError, match="too large"):
            parse_decimal(raw, scale=2, precision=12)


def test_whole_numbers() -> None:
    assert parse_int("1,234") == 1234
    assert parse_int("12.0") == 12
    assert parse_int("") is None
    with pytest.raises(ValueError, match="not a whole number"):
        parse_int("1.5")
    with pytest.raises(ValueError, match="too large"):
        parse_int("3000000000")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("yes", True),
        ("Y", True),
        ("TRUE", True),
        ("1", True),
        ("no", False),
        ("n", False),
        ("False", False),
        ("0", False),
        ("", None),
    ],
)
def test_booleans(raw: str, expected: bool | None) -> None:
    assert parse_bool(raw) is expected


def test_other_words_are_not_booleans() -> None:
    with pytest.raises(ValueError, match="not a yes/no value"):
        parse_bool("maybe")
