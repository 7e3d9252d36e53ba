"""Compliance keywords, recognised before anything else and without any model (CTIA)."""

from __future__ import annotations

STOP, START, HELP = "stop", "start", "help"

_KEYWORDS = {
    **dict.fromkeys(
        ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"), STOP
    ),
    **dict.fromkeys(("START", "UNSTOP", "SUBSCRIBE", "OPTIN"), START),
    **dict.fromkeys(("HELP", "INFO"), HELP),
}


def compliance_keyword(text: str) -> str | None:
    """``stop``, ``start`` or ``help`` when the whole text is one of the keywords (any case,
    spaces and punctuation ignored: "Stop.", "opt out", "STOP ALL"), else None."""
    letters = "".join(c for c in text.upper() if c.isalpha())
    return _KEYWORDS.get(letters)
