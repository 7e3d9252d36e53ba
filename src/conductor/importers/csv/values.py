"""Pure parsers for the text in one CSV cell: dates, timestamps, money, numbers, booleans.

Every parser takes the raw cell text and returns the typed value, or None for a blank cell;
anything it cannot read raises :class:`ValueError` with a short reason that never repeats the
value (cells can be personal data). The mapping layer adds the column name.

Accepted forms:

* dates: ISO ``2024-03-09``, US ``3/9/2024``, epoch milliseconds (Blaze) read as a UTC date;
* timestamps: ISO 8601 with or without offset (``Z`` too), US ``3/9/2024 4:05[:06] [PM]`` and
  epoch milliseconds; naive values are in the shop's time zone; the result is aware UTC;
* decimals: ``1234.5``, ``$1,234.50``, ``-$3``, ``(3.00)``, ``22.5%``; rounded half-up to the
  column's scale and checked against its precision, never a float;
* integers: ``1,234`` or ``12.0`` (an integral decimal);
* booleans: yes/no, true/false, y/n, 1/0 (any case).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from decimal import Context as DecimalContext
from functools import cache

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_MS = re.compile(r"-?\d{9,15}")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_US_DATETIME = re.compile(
    r"(\d{1,2})/(\d{1,2})/(\d{4})[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?"
)
_TRUE = frozenset({"yes", "y", "true", "t", "1"})
_FALSE = frozenset({"no", "n", "false", "f", "0"})
_MIN_YEAR, _MAX_YEAR = 1900, 2200
HALF_UP = DecimalContext(rounding=ROUND_HALF_UP)
"""The rounding of every decimal read from a file."""
INT_MAX = 2**31 - 1
"""The largest value an ``Integer`` column holds on every database we support."""


_BAD_DATE = "not a date (want YYYY-MM-DD, MM/DD/YYYY or epoch milliseconds)"
_BAD_DATETIME = (
    "not a date and time (want ISO 8601, MM/DD/YYYY HH:MM[:SS] [AM/PM] or epoch milliseconds)"
)


def text(raw: str) -> str | None:
    """The cell with surrounding white space removed; None when nothing is left."""
    stripped = raw.strip()
    return stripped or None


def parse_bool(raw: str) -> bool | None:
    value = raw.strip().lower()
    if not value:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError("not a yes/no value (want yes, no, true, false, y, n, 1 or 0)")


def parse_date(raw: str) -> date | None:
    value = raw.strip()
    if not value:
        return None
    if _EPOCH_MS.fullmatch(value):
        return _from_epoch_ms(value).date()
    us = _US_DATE.fullmatch(value)
    try:
        result = _us_date(us) if us else date.fromisoformat(value)
    except ValueError:
        raise ValueError(_BAD_DATE) from None
    _check_year(result.year)
    return result


def parse_datetime(raw: str, zone: tzinfo) -> datetime | None:
    """An aware UTC timestamp; naive text is read in ``zone`` (the shop's time zone)."""
    value = raw.strip()
    if not value:
        return None
    try:
        result = datetime.fromisoformat(value)
    except ValueError:
        result = _other_datetime(value)
    _check_year(result.year)
    if result.tzinfo is None:
        result = result.replace(tzinfo=zone)
    return result.astimezone(UTC)


def parse_decimal(raw: str, scale: int, precision: int) -> Decimal | None:
    """A Decimal rounded to ``scale`` places that fits a ``Numeric(precision, scale)`` column."""
    return decimal_parser(scale, precision)(raw)


@cache
def decimal_parser(scale: int, precision: int) -> Callable[[str], Decimal | None]:
    """:func:`parse_decimal` for one column type, with its limits worked out once."""
    quantum = Decimal(1).scaleb(-scale)
    digits = precision - scale
    limit = Decimal(10) ** digits
    quantize = HALF_UP.quantize

    def parse(raw: str) -> Decimal | None:
        value = raw.strip()
        if not value:
            return None
        try:  # the common case: a plain number that fits
            rounded = quantize(Decimal(value), quantum)
            if rounded.adjusted() < digits and rounded.is_finite():
                return rounded
        except InvalidOperation:
            pass
        return _careful_decimal(value, quantum, limit, digits)

    return parse


def parse_int(raw: str) -> int | None:
    number = parse_decimal(raw, scale=6, precision=16)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueError("not a whole number")
    result = int(number)
    if abs(result) > INT_MAX:
        raise ValueError("too large")
    return result


def _careful_decimal(value: str, quantum: Decimal, limit: Decimal, digits: int) -> Decimal:
    """The slow path: ``$1,234.50``, ``-$3``, ``(3.00)`` (negative), ``22.5%``, and the errors."""
    negative = value.startswith("(") and value.endswith(")")
    cleaned = value.strip("()").replace("$", "").replace(",", "").replace("%", "").strip()
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("not a number") from None
    if not number.is_finite():
        raise ValueError("not a number")
    too_large = ValueError(f"too large (at most {digits} digits before the point)")
    if abs(number) >= limit:
        raise too_large
    rounded = number.quantize(quantum, rounding=ROUND_HALF_UP)
    if abs(rounded) >= limit:
        raise too_large
    return -rounded if negative else rounded


def _other_datetime(value: str) -> datetime:
    """Epoch milliseconds (aware) or one of the US forms (naive)."""
    if _EPOCH_MS.fullmatch(value):
        return _from_epoch_ms(value)
    us = _US_DATETIME.fullmatch(value) or _US_DATE.fullmatch(value)
    if us is None:
        raise ValueError(_BAD_DATETIME)
    try:
        return _us_datetime(us)
    except ValueError:
        raise ValueError(_BAD_DATETIME) from None


def _from_epoch_ms(value: str) -> datetime:
    try:
        result = _EPOCH + timedelta(milliseconds=int(value))
    except OverflowError:
        raise ValueError(f"year outside {_MIN_YEAR}-{_MAX_YEAR}") from None
    _check_year(result.year)
    return result


def _us_date(match: re.Match[str]) -> date:
    month, day, year = (int(g) for g in match.groups())
    return date(year, month, day)


def _us_datetime(match: re.Match[str]) -> datetime:
    groups = match.groups()
    month, day, year = (int(g) for g in groups[:3])
    if len(groups) == 3:
        return datetime(year, month, day)  # noqa: DTZ001 - the caller attaches the shop zone
    hour, minute = int(groups[3]), int(groups[4])
    second = int(groups[5] or 0)
    meridiem = (groups[6] or "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            raise ValueError("hour out of range for AM/PM")
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    return datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 - zone added later


def year_in_range(year: int) -> bool:
    """Whether a date or timestamp in ``year`` is plausible in a POS export."""
    return _MIN_YEAR <= year <= _MAX_YEAR


def _check_year(year: int) -> None:
    if not year_in_range(year):
        raise ValueError(f"year outside {_MIN_YEAR}-{_MAX_YEAR}")
