"""Search keys: names folded to lower-case ASCII-ish text so prefix ranges use plain indexes."""

from __future__ import annotations

import unicodedata


def fold(text: str | None) -> str:
    """Lower-case, accents removed, runs of white space collapsed."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    return prefix + "\U0010ffff"


def customer_search_keys(
    first_name: str | None, last_name: str | None, e164: str | None
) -> dict[str, str | None]:
    """The ``customers`` search-key columns for these values (bulk writers use this too)."""
    from conductor.crm.phone import phone_key

    return {
        "name_key": fold(f"{first_name or ''} {last_name or ''}"),
        "last_name_key": fold(last_name),
        "phone_key": phone_key(e164),
    }
