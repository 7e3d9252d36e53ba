"""Guardrails on a model's reply: pure checks against the :class:`BotContext` it was given.

A reply is refused when it

- names a product or brand the shop knows (``context.catalogue``) that is not one the context
  offers (``context.allowed_names()``, or the shop's own name);
- quotes a price ($12, $12.50, 12 dollars) that is not the price of a product in the context;
- contains any other number that is not in the context's facts: the customer's points, visits,
  days since the last visit and visit dates, stock counts and prices, numbers in product names,
  the shop's hours, phone and address, and numbers in the conversation (the customer's own text);
- is empty, or longer than the allowed SMS parts even after trimming whole sentences off its end.

:func:`check_reply` returns a :class:`Verdict`: the text to send (maybe trimmed) or the reason
it was refused, as a short category (safe to log) and a detail (for staff: it may quote the text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from conductor.bot.context import BotContext
from conductor.modem.errors import PduError
from conductor.modem.pdu import encode_submit

UNKNOWN_PRODUCT = "unknown-product"
UNKNOWN_PRICE = "unknown-price"
UNKNOWN_NUMBER = "unknown-number"
EMPTY = "empty"
TOO_LONG = "too-long"

_DUMMY_NUMBER = "+10000000000"
_TOO_MANY_PARTS = 256
"""What :func:`sms_parts` says of a text too long for any SMS (more than 255 parts)."""

_AMOUNT = r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?"
_PRICE = re.compile(
    rf"\$\s?{_AMOUNT}(?!\d)|(?<![\d.,]){_AMOUNT}\s*(?:dollars?|bucks|usd)\b", re.IGNORECASE
)
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_CLOCK_ZERO = re.compile(r"(?<=\d):00(?!\d)")
_PHONE_LIKE = re.compile(r"\+?\d[\d\s().-]{6,}\d")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Verdict:
    text: str
    """The text to send: the reply, stripped, maybe trimmed to whole sentences."""
    problem: str | None = None
    """None when the reply may go; else a category (``unknown-product`` ...) safe to log."""
    detail: str = ""
    """What exactly was wrong (a product name, a number), for staff."""

    @property
    def ok(self) -> bool:
        return self.problem is None


def check_reply(text: str, context: BotContext, *, max_parts: int) -> Verdict:
    """Accept, trim or refuse a model's reply to ``context``."""
    text = text.strip()
    if not text:
        return Verdict(text, EMPTY, "the reply is empty")
    for problem, found in (
        (UNKNOWN_PRODUCT, unknown_names(text, context)),
        (UNKNOWN_PRICE, unknown_prices(text, context)),
        (UNKNOWN_NUMBER, unknown_numbers(text, context)),
    ):
        if found:
            return Verdict(text, problem, ", ".join(found))
    fitted = fit_parts(text, max_parts)
    if fitted is None:
        return Verdict(text, TOO_LONG, f"{sms_parts(text)} SMS parts, at most {max_parts} allowed")
    return Verdict(fitted)


# --- names -----------------------------------------------------------------------------------


def unknown_names(text: str, context: BotContext) -> list[str]:
    """Catalogue names in ``text`` that the context does not offer (lower-case, sorted).

    A catalogue name inside an allowed one ("Blue" inside "Blue Dream") is not counted; one that
    contains an allowed name ("Blue Dream Cart" around "Blue Dream") is.
    """
    lowered = text.lower()
    allowed = context.allowed_names() | {context.business.name.lower()}
    covered = [span for name in allowed for span in _spans(lowered, name)]
    return sorted(
        name
        for name in context.catalogue - allowed
        if any(not _inside(span, covered) for span in _spans(lowered, name))
    )


def _spans(text: str, name: str) -> Iterator[tuple[int, int]]:
    if not name.strip():
        return
    for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text):
        yield match.span()


def _inside(span: tuple[int, int], covers: Iterable[tuple[int, int]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in covers)


# --- prices and numbers ----------------------------------------------------------------------


def unknown_prices(text: str, context: BotContext) -> list[str]:
    """Prices in ``text`` that are not the price of a product in the context."""
    prices = {p.price for p in context.products if p.price is not None}
    return [
        match.group(0).strip() for match in _PRICE.finditer(text) if _amount(match) not in prices
    ]


def unknown_numbers(text: str, context: BotContext) -> list[str]:
    """Numbers in ``text``, prices and the shop's phone number aside, not in the context."""
    allowed = context_numbers(context)
    rest = _PRICE.sub(" ", text)
    rest = _mask_phone(rest, context.business.phone)
    rest = _CLOCK_ZERO.sub("", rest)
    return [token for token in _NUMBER.findall(rest) if _decimal(token) not in allowed]


def context_numbers(context: BotContext) -> set[Decimal]:
    """Every number the reply may repeat: the facts the model was given."""
    return {
        _decimal(token) for source in _number_sources(context) for token in _NUMBER.findall(source)
    }


def _number_sources(context: BotContext) -> Iterator[str]:
    business = context.business
    yield from (business.name, business.hours, business.address, business.phone, business.help_text)
    yield context.text
    yield from (turn.content for turn in context.turns)
    yield from context.last_purchase
    if context.last_purchase_at:
        yield context.last_purchase_at.strftime("%Y %m %d")
    for product in context.products:
        yield from (product.name, product.brand or "", product.category or "")
        yield f"{'' if product.price is None else product.price} {product.in_stock}"
    customer = context.customer
    if customer:
        yield f"{customer.loyalty_points} {customer.visits} {customer.days_since_last_visit}"
        yield from (customer.favourite_brand or "", customer.favourite_category or "")
        yield from customer.favourite_products
        if customer.last_visit:
            yield customer.last_visit.strftime("%Y %m %d")


def _mask_phone(text: str, phone: str) -> str:
    """Blank out the shop's phone number, however it is written (with or without +1)."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 7:
        return text

    def mask(match: re.Match[str]) -> str:
        found = re.sub(r"\D", "", match.group(0))
        return " " if digits.endswith(found) and len(found) >= 7 else match.group(0)

    return _PHONE_LIKE.sub(mask, text)


def _amount(match: re.Match[str]) -> Decimal:
    whole, cents = (match.group(1), match.group(2)) if match.group(1) else match.group(3, 4)
    return _decimal(f"{whole}.{cents}" if cents else whole)


def _decimal(token: str) -> Decimal:
    """A token of digits, thousands commas and a decimal point (all the patterns match)."""
    return Decimal(token.replace(",", ""))


# --- length ----------------------------------------------------------------------------------


def sms_parts(text: str) -> int:
    """How many SMS parts ``text`` takes (GSM-7: 160, then 153 a part; UCS-2: 70, then 67)."""
    try:
        return len(encode_submit(_DUMMY_NUMBER, text))
    except PduError:  # more than 255 parts: no SMS can carry it
        return _TOO_MANY_PARTS


def fit_parts(text: str, max_parts: int) -> str | None:
    """``text`` if it fits in ``max_parts``, else its longest run of whole leading sentences
    that fits, else None."""
    if sms_parts(text) <= max_parts:
        return text
    cuts = [match.start() for match in _SENTENCE_END.finditer(text)]
    for cut in reversed(cuts):
        candidate = text[:cut].rstrip()
        if candidate and sms_parts(candidate) <= max_parts:
            return candidate
    return None
