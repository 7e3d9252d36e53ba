"""Phone numbers: parse anything a person or a POS wrote into E.164 with phonenumbers."""

from __future__ import annotations

import phonenumbers


def normalize_phone(raw: str | None, region: str = "US") -> str | None:
    """E.164 form of ``raw`` (``+13105550123``), or None when it is blank or not a valid number."""
    if raw is None or not raw.strip():
        return None
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_key(e164: str | None) -> str | None:
    """Digits a person types when searching: the national number for +1, else all digits."""
    if e164 is None:
        return None
    digits = e164.lstrip("+")
    return digits[1:] if digits.startswith("1") and len(digits) == 11 else digits


def query_digits(text: str) -> str | None:
    """The digits of a search text that looks like a phone number, else None."""
    stripped = text.strip()
    if not stripped or any(c.isalpha() or c == "@" for c in stripped):
        return None
    digits = "".join(c for c in stripped if c.isdigit())
    if len(digits) < 3:
        return None
    starts_plus_one = stripped.startswith("+1")
    if digits.startswith("1") and (starts_plus_one or len(digits) == 11):
        digits = digits[1:]
    return digits or None
