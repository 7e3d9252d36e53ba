"""Receipt text (as OCR reads it) -> :class:`~conductor.loyalty.extraction.ExtractedReceipt`.

Pure text work, no images. Point-of-sale systems print the same facts in different ways, and
OCR adds its own mistakes, so each fact has a tolerant pattern:

- item lines in three shapes: ``NAME  2 @ 15.00  30.00``; the name on its own line(s) then
  ``2 x $15.00  $30.00``; ``2  NAME  30.00`` (no unit price); a name and an amount alone is
  one item;
- amounts with ``$``, ``S`` read for ``$``, ``O``/``o`` read for 0, ``l``/``I`` for 1, a
  decimal comma, stray spaces, no space before them;
- labels: ``Receipt #``, ``Order No.``, ``Ticket``, ``Transaction``, ``Invoice``; ``Cashier``,
  ``Budtender``, ``Served by``, ``Server``, ``Clerk``, ``Employee``;
- dates as 11/24/2026, 2026-11-24 and Nov 24, 2026, times as 3:41 PM or 15:41;
- subtotal, tax (several tax lines add up), total; discount, payment, change, card and
  loyalty lines are read past.

A line that fits no pattern is skipped: parsing never raises. Card numbers are masked in the
text kept for review, and never become a field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from itertools import combinations, product

from conductor.loyalty.extraction import ExtractedReceipt, ReceiptLine

_NUMBERISH = re.compile(r"(?<![A-Za-z])(?:[$S]|B(?=\d))?[0-9OoIl][0-9OoIl.,:/-]*(?![A-Za-z])")
_AMOUNT = r"[$S]?\s?(?:\d{1,3}(?:,\d{3})+|\d{1,5})\s?[.,:]{1,2}\s?\d{2}"
_SCRAPS = r"(?:\s+\S{1,3}(?=\s)){0,2}\s*"
"""Between two amounts: room for one OCR scrap (a speck read as ``7`` or ``o``)."""
_END = r"\d?\s*$"
"""After the last amount: room for one stray digit (a speck read as ``7`` after the cents)."""
_AMOUNT_AT_END = re.compile(rf"(?P<amount>{_AMOUNT}){_END}")
_QTY = r"(?P<qty>\d{1,2}|[IilL])"
_TIMES = r"[.,'-]?\s*[@xX\u00d7*]{1,2}[\s.,:;'-]*"
"""``@``, ``x``, ``X``, ``\u00d7`` or ``*`` between quantity and unit price, OCR scraps around."""
_UNIT_TOTAL = rf"(?P<unit>{_AMOUNT}|\d{{3,6}})\S?{_SCRAPS}(?P<total>{_AMOUNT}){_END}"
"""A unit price (perhaps missing its point: ``16950``) and the line total."""
_INLINE = re.compile(rf"^(?P<name>.*?[A-Za-z].*?)\s+{_QTY}{_TIMES}{_UNIT_TOTAL}")
_QTY_LINE = re.compile(rf"^{_QTY}{_TIMES}{_UNIT_TOTAL}")
_QTY_FIRST = re.compile(rf"^{_QTY}\s+(?P<name>[A-Za-z].*?)\s*(?P<total>{_AMOUNT}){_END}")
_NAME_TOTAL = re.compile(rf"^(?P<name>[A-Za-z].*?)\s*(?P<total>{_AMOUNT}){_END}")

_SUBTOTAL = re.compile(r"\bsub\s*-?\s*tota", re.IGNORECASE)
_TAX = re.compile(r"\b[tf]ax(?:es|s)?\b|\bexcise\b|\bvat\b|\bgst\b", re.IGNORECASE)
_TAX_TOTAL = re.compile(r"\btotal\s+tax|\btax\s+total", re.IGNORECASE)
_TOTAL = re.compile(
    r"^\W*(?:grand\s+)?[tf]ota[l1It]\b(?!\s+(?:items?|savings|discounts?|qty|quantity))"
    r"|\b(?:amount|balance|total)\s+due\b",
    re.IGNORECASE,
)
_DISCOUNT = re.compile(r"discount|coupon|promo|savings|\boff\b", re.IGNORECASE)
_SKIP = re.compile(
    r"discount|savings|saved|coupon|promo|\boff\b|change|cash|tender|visa|master|amex"
    r"|discover|debit|credit|card|auth|approv|points|reward|balance|paid|payment|items?\s+sold"
    r"|item\s+count|^items?\b|\brefund|\bdeposit|\btip\b",
    re.IGNORECASE,
)
_RULE = re.compile(r"^[\W_]*$")
_COLUMNS = re.compile(r"\b(?:qty|quantity|item|description)\b.*\b(?:price|amount|total)", re.I)

_NUMBER = re.compile(
    r"\b(?:receipt|rcpt|order|ticket|trans(?:action)?|txn|invoice|sale)\b\.?\s*"
    r"(?:no|num(?:ber)?|id)?[\s.,:#'\"]*(?P<value>[A-Z0-9]+(?:\s?-\s?[A-Z0-9]+)*)",
    re.IGNORECASE,
)
_CASHIER = re.compile(
    r"\b(?:cashier|budtender|served[\s.:,]+by|server|clerk|employee|associate|sales\s*person)"
    r"(?:\s+(?:today|was|is|name))*\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_NOT_INITIAL = {"date", "time", "reg", "register", "station", "till", "order", "receipt"}
_FIELD = re.compile(
    r"\b(?:date|time|cashier|budtender|served\s+by|server|clerk|employee|register|reg|station"
    r"|terminal|receipt|order|ticket|transaction|invoice|customer|member|lic(?:ense)?)\b",
    re.IGNORECASE,
)

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_US_DATE = re.compile(
    r"(?<!\d)(?P<m>\d{1,2})(?P<sep>[/.-])(?P<d>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})(?!\d)"
)
_ISO_DATE = re.compile(r"(?<!\d)(?P<y>20\d{2})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)")
_LONG_DATE = re.compile(
    r"\b(?P<mon>" + "|".join(_MONTHS) + r")[a-z]*\.?\s*(?P<d>\d{1,2}),?\s*(?P<y>\d{4})\b",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"(?<![\d:])(?P<h>\d{1,2})\s?"
    r"(?::\s?(?P<min>[0-5]\d)(?::[0-5]\d)?(?!\d)[\s.-]*(?:(?P<ampm>[AaPp])\.?\s?[Mm]\b)?"
    r"|\.(?P<min2>[0-5]\d)\s*(?P<ampm2>[AaPp])\.?\s?[Mm]\b)"
)
"""3:41 PM, 15:41, 15:41:07, 3.41pm (a point only with am/pm: 12.50 is money)."""
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_PHONE = re.compile(r"\(?\d{3}\)?[\s.-]*\d{3}[\s.-]\d{4}")
_WELCOME = re.compile(r"^(?:welcome\s+to|thank\s+you\s+for\s+shopping\s+at)\s+", re.IGNORECASE)


def parse_receipt(
    text: str, *, engine: str = "tesseract", confidence: float = 0.0
) -> ExtractedReceipt:
    """Every fact found in ``text``; what is not found stays ``None`` (or no lines)."""
    masked = mask_card_numbers(text)
    raw = [_fix_digits(line.translate(_TIDY)) for line in masked.splitlines()]
    lines = [tidy for line in raw if (tidy := _tidy(line))]
    items, sums = _body(lines)
    items = reconcile(items, sums.subtotal)
    sums.check_subtotal(items)
    return ExtractedReceipt(
        engine=engine,
        text=masked,
        confidence=confidence,
        dispensary=find_dispensary(lines),
        receipt_number=find_receipt_number(raw),  # untidied: "0036 - 384700" keeps its dash
        purchased_at=find_purchased_at(lines),
        cashier=find_cashier(lines),
        lines=tuple(items),
        subtotal=sums.subtotal,
        discount=sums.discount or None,
        tax=sums.tax,
        total=sums.checked_total(),
    )


# --- the lines between the header and the totals ---------------------------------------------


@dataclass
class _Sums:
    """The amounts below the items, as read."""

    subtotal: Decimal | None = None
    discount: Decimal = Decimal(0)
    """Positive, however printed (``-$5.00``); several discount lines add up."""
    taxes: list[Decimal] = field(default_factory=list)
    tax_total: Decimal | None = None
    total: Decimal | None = None
    paid: list[Decimal] = field(default_factory=list)
    """Amounts on payment lines (card charged, cash given, change), for the cross-check."""

    @property
    def tax(self) -> Decimal | None:
        if self.tax_total is not None:
            return self.tax_total
        return sum(self.taxes, Decimal(0)) if self.taxes else None

    @property
    def started(self) -> bool:
        return self.subtotal is not None or self.total is not None

    def add(self, kind: str, line: str) -> None:
        amount = _amount_at_end(line)
        if amount is None:
            return
        if kind == "subtotal" and self.subtotal is None:
            self.subtotal = amount
        elif kind == "tax":
            self.taxes.append(amount)
        elif kind == "tax-total" and self.tax_total is None:
            self.tax_total = amount
        elif kind == "total" and self.total is None:
            self.total = amount
        elif kind == "skip" and _DISCOUNT.search(line):
            self.discount += amount
        elif kind == "skip" and self.started:
            self.paid.append(amount)

    def check_subtotal(self, lines: list[ReceiptLine]) -> None:
        """The lines' sum for a subtotal that disagrees with it, when total - tax + discount
        confirms the sum (and not the subtotal), or when every line has a unit price that
        checks and the sum is one OCR slip away from the subtotal."""
        added = sum((line.total for line in lines), Decimal(0))
        if self.subtotal is None or added == self.subtotal:
            return
        tax = self.tax
        if tax is not None and self.total is not None:
            if self.total == self.subtotal - self.discount + tax:
                return
            if self.total == added - self.discount + tax:
                self.subtotal = added
                return
        checked = all(line.unit_price is not None and line.adds_up for line in lines)
        if checked and added in misreads(self.subtotal):
            self.subtotal = added

    def checked_total(self) -> Decimal | None:
        """The total read, or subtotal - discount + tax when that is one OCR slip away from
        it or is what a payment line says (the bold total is where OCR slips most)."""
        tax = self.tax
        if self.subtotal is None or tax is None:
            return self.total
        expected = self.subtotal - self.discount + tax
        if self.total == expected:
            return self.total
        change = [a - b for a in self.paid for b in self.paid if a > b]
        if expected in (*self.paid, *change):
            return expected
        if self.total is not None and expected in misreads(self.total):
            return expected
        return self.total


def _body(lines: list[str]) -> tuple[list[ReceiptLine], _Sums]:
    items: list[ReceiptLine] = []
    pending: list[str] = []
    sums = _Sums()
    for line in lines:
        kind = _kind(line)
        if kind is not None:
            sums.add(kind, line)
        if kind is not None or sums.started:
            pending.clear()
            continue
        item = parse_item(line, pending)
        if item is None and _amount_at_end(line) is not None:
            pending.clear()  # an item line read too badly: its name is no one else's
        elif item is None:
            pending = [*pending, _name_part(line)][-2:]
        else:
            items.append(item)
            pending.clear()
    return items, sums


def _kind(line: str) -> str | None:
    if _SUBTOTAL.search(line):
        return "subtotal"
    if _TAX_TOTAL.search(line):
        return "tax-total"
    if _TAX.search(line) and not _SKIP.search(line):
        return "tax"
    if _TOTAL.search(line):
        return "total"
    if _SKIP.search(line) or _RULE.match(line) or _COLUMNS.search(line):
        return "skip"
    if _FIELD.search(line) or _date(line) is not None:
        return "field"
    return None


def parse_item(line: str, pending: list[str] | None = None) -> ReceiptLine | None:
    """One item line in any of the shapes; ``pending`` are the name lines printed above a
    ``2 x $15.00  $30.00`` line. ``None`` when ``line`` is no item line."""
    if match := _QTY_LINE.match(line):
        if not pending:
            return None
        return _item(" ".join(pending), match["qty"], match["unit"], match["total"])
    if match := _INLINE.match(line):
        return _item(match["name"], match["qty"], match["unit"], match["total"])
    if match := _QTY_FIRST.match(line):
        return _item(match["name"], match["qty"], None, match["total"])
    if match := _NAME_TOTAL.match(line):
        return _item(match["name"], "1", None, match["total"])
    return None


def _name_part(line: str) -> str:
    """A name line without what follows a wide gap when that is only a scrap (OCR noise)."""
    head, _, tail = line.partition("  ")
    return head if tail and sum(c.isalnum() for c in tail) < 3 else line


def _item(name: str, qty: str, unit: str | None, total: str) -> ReceiptLine | None:
    name = _name_part(name).strip(" .:-_|*")
    quantity, line_total = Decimal(qty.translate(_READ_AS_DIGITS)), _money(total)
    unit_price = _money(unit) if unit is not None else None
    if unit is not None and unit.isdigit():  # the point was lost: 16950 for 169.50
        unit_price = Decimal(unit) / 100
        unit_price = unit_price if line_total == quantity * unit_price else None
    if not name or line_total is None or quantity <= 0:
        return None
    if unit_price and quantity * unit_price != line_total:
        ratio = line_total / unit_price
        if ratio == ratio.to_integral_value() and 0 < ratio < 100:
            quantity = ratio  # a misread quantity is the likeliest slip
    return ReceiptLine(name, quantity, unit_price, line_total)


# --- the receipt's own arithmetic ------------------------------------------------------------

_CONFUSED_DIGITS = {
    "0": "869",
    "8": "0369",
    "6": "058",
    "9": "08",
    "3": "8",
    "5": "6",
    "1": "7",
    "7": "1",
}


def misreads(amount: Decimal) -> set[Decimal]:
    """The amounts one OCR slip away from ``amount``: one digit taken for a look-alike
    (0/8/6/9, 3/8, 5/6, 1/7), or a first digit that was really a ``$`` or an ``@``."""
    text = f"{amount:.2f}"
    found = {
        Decimal(text[:i] + other + text[i + 1 :])
        for i, digit in enumerate(text)
        for other in _CONFUSED_DIGITS.get(digit, "")
    }
    if len(text) > 4:
        found.add(Decimal(text[1:]))
    found.discard(amount)
    return found


def reconcile(lines: list[ReceiptLine], subtotal: Decimal | None) -> list[ReceiptLine]:
    """Line amounts corrected where the receipt's arithmetic shows one OCR slip.

    A line's quantity x unit price and the lines' sum against the subtotal are checksums. When
    the totals already add up, a unit price that does not fit its line is fixed (if one slip
    away). Otherwise the fewest changes (one, else two: a total set to quantity x unit price,
    or one slip away) that make the sum the subtotal are made, if only one set of changes does."""
    if subtotal is None:
        return lines
    if sum(line.total for line in lines) == subtotal:
        return [_fix_unit(line) for line in lines]
    priced = [_priced(line) for line in lines]
    added = sum(line.total for line in priced)
    if priced != lines and (added == subtotal or added in misreads(subtotal)):
        return priced  # the totals were misread, and perhaps the subtotal too
    base = sum(line.total for line in lines)
    options = [_total_options(line) for line in lines]
    for changes in (1, 2):
        found = [
            dict(zip(chosen, fixes, strict=True))
            for chosen in combinations(range(len(lines)), changes)
            for fixes in product(*(options[i] for i in chosen))
            if base + sum(f - lines[i].total for i, f in zip(chosen, fixes, strict=True))
            == subtotal
        ]
        if len(found) == 1:
            return [replace(x, total=found[0].get(i, x.total)) for i, x in enumerate(lines)]
        if found:
            break  # more than one way to make it add up: leave it to a person
    return lines


def _priced(line: ReceiptLine) -> ReceiptLine:
    """The line with quantity x unit price for its total."""
    if line.unit_price is None or line.adds_up:
        return line
    return replace(line, total=line.quantity * line.unit_price)


def _fix_unit(line: ReceiptLine) -> ReceiptLine:
    if line.unit_price is None or line.adds_up:
        return line
    unit = line.total / line.quantity
    return replace(line, unit_price=unit) if unit in misreads(line.unit_price) else line


def _total_options(line: ReceiptLine) -> list[Decimal]:
    """What a line's total may really be, if it was misread."""
    if line.unit_price is not None:
        return [] if line.adds_up else [_priced(line).total]
    return sorted(misreads(line.total))


# --- header fields ---------------------------------------------------------------------------


def find_dispensary(lines: list[str]) -> str | None:
    """The first line of the header that reads like a name (not an address, phone, date)."""
    for line in lines[:6]:
        candidate = _WELCOME.sub("", line).strip(" .,:;-_|*'\"")
        letters = sum(c.isalpha() for c in candidate)
        if letters < 4 or letters < 0.6 * len(candidate.replace(" ", "")):
            continue
        if candidate[0].isdigit() or _PHONE.search(candidate) or _kind(candidate) is not None:
            continue
        return candidate
    return None


def find_receipt_number(lines: list[str]) -> str | None:
    for line in lines:
        match = _NUMBER.search(line)
        value = match["value"].replace(" ", "").upper() if match else ""
        if len(value) >= 3 and any(c.isdigit() for c in value):
            return value
    return None


def find_cashier(lines: list[str]) -> str | None:
    """``Maria G.`` or ``Maria``, however it was printed (``MARIA G``, ``Maria Garcia``,
    ``Amber. G.``): the first word after the label, and the initial of the next one."""
    for line in lines:
        match = _CASHIER.search(line)
        if not match:
            continue
        words: list[str] = _WORD.findall(line[match.end() :])
        if not words:
            continue
        first = words[0] if not (words[0].isupper() or words[0].islower()) else words[0].title()
        if len(words) < 2 or words[1].lower() in _NOT_INITIAL or not words[1][0].isupper():
            return first
        return f"{first} {words[1][0]}."
    return None


def find_purchased_at(lines: list[str]) -> datetime | None:
    """The first date printed, with the time on the same line or the next one."""
    for i, line in enumerate(lines):
        day = _date(line)
        if day is None:
            continue
        for nearby in (line, *lines[i + 1 : i + 2]):
            clock = _time(nearby)
            if clock is not None:
                return day.replace(hour=clock[0], minute=clock[1])
        return day
    return None


def _date(line: str) -> datetime | None:
    for pattern in (_ISO_DATE, _US_DATE, _LONG_DATE):
        for match in pattern.finditer(line):
            parts = match.groupdict()
            if parts.get("mon"):
                month = _MONTHS.index(parts["mon"][:3].lower()) + 1
            else:
                month = _plausible(parts["m"], 12)
            year = int(parts["y"]) + (2000 if len(parts["y"]) == 2 else 0)
            try:
                return datetime(year, month, _plausible(parts["d"], 31))  # noqa: DTZ001
            except ValueError:
                continue
    return None


def _plausible(digits: str, highest: int, lowest: int = 1) -> int:
    """``digits`` as a number, or a look-alike reading of it within ``lowest``..``highest``
    (``16`` for a month was ``10``, ``69`` for an hour ``09``)."""
    value = int(digits)
    if lowest <= value <= highest:
        return value
    for i, digit in enumerate(digits):
        for other in _CONFUSED_DIGITS.get(digit, ""):
            if lowest <= (candidate := int(digits[:i] + other + digits[i + 1 :])) <= highest:
                return candidate
    return value


def _time(line: str) -> tuple[int, int] | None:
    for match in _TIME.finditer(line):
        ampm = (match["ampm"] or match["ampm2"] or "").lower()
        hour = _plausible(match["h"], 12) if ampm else _plausible(match["h"], 23, lowest=0)
        minute = int(match["min"] or match["min2"])
        if ampm and 1 <= hour <= 12:
            return (hour % 12 + (12 if ampm == "p" else 0), minute)
        if not ampm and hour < 24:
            return (hour, minute)
    return None


# --- characters ------------------------------------------------------------------------------


def mask_card_numbers(text: str) -> str:
    """Card numbers (13-19 digits that pass the Luhn check) keep only their last four."""

    def mask(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match[0])
        if not _luhn(digits):
            return match[0]
        return "*" * (len(digits) - 4) + digits[-4:]

    return _CARD.sub(mask, text)


def _luhn(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char) * (2 if i % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _tidy(line: str) -> str:
    """OCR's stray marks out: odd symbols, quotes around words, lone punctuation, and
    punctuation trailing the line."""
    line = _ODD.sub(" ", line.translate(_TIDY))
    line = _SPACED_DECIMAL.sub(r"\1\2\3", line)
    line = _QUOTES.sub("", line)
    line = " ".join(_token(token) for token in line.split(" "))
    line = re.sub(r" {3,}", "  ", line)
    return line.strip(" .,:;'_~*+-")


_TIDY = str.maketrans(
    {
        "\u2014": "-",
        "\u2013": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\t": " ",
    }
)
"""Dashes and curly quotes to plain ones."""
_ODD = re.compile(r"[^\w\s.,:;'\"`@$#%&/()*+=-]")
_QUOTES = re.compile(r"(?<!\w)['\"`]+|['\"`]+(?!\w)")
_SCRAP = re.compile(r"[^\w@$#%]+")
_TRAILING = re.compile(r"(?<=\d)[-.,:;_~*']+$")
_LEADING = re.compile(r"^[-.,:;'_~*(=]+(?=[\w$])")
_KEEP_LEADING = re.compile(r"[.,]\d{2}")
"""Cents after a stray space (``98 .50``)."""
_SPACED_DECIMAL = re.compile(r"(?<![\d.,:])(\d+) *([.,]{1,2}) *(\d{2})(?![\d:])")


def _token(token: str) -> str:
    """Nothing for a scrap of punctuation; a word or number without punctuation stuck to its
    start, a number without punctuation stuck to its end."""
    if _SCRAP.fullmatch(token):
        return ""
    token = _TRAILING.sub("", token)
    return token if _KEEP_LEADING.fullmatch(token) else _LEADING.sub("", token)


def _fix_digits(line: str) -> str:
    """In number-like tokens: ``O``/``o`` -> 0, ``l``/``I`` -> 1, a leading ``S`` -> ``$``,
    a leading ``B`` before a digit -> 8."""

    def fix(match: re.Match[str]) -> str:
        token = match[0]
        if sum(c.isdigit() for c in token) < 1:
            return token
        head = {"S": "$", "B": "8"}.get(token[0], token[0])
        return head + token[1:].translate(_READ_AS_DIGITS)

    return _NUMBERISH.sub(fix, line)


_READ_AS_DIGITS = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "L": "1", "i": "1"})
"""Letters OCR reads for digits (in a number-like token, or a quantity)."""


def _amount_at_end(line: str) -> Decimal | None:
    match = _AMOUNT_AT_END.search(line)
    return _money(match["amount"]) if match else None


def _money(text: str) -> Decimal | None:
    """``$1,234.56``, ``S12,50``, ``16..45``, ``176:68`` -> Decimal; anything else -> None."""
    match = re.fullmatch(r"(\d[\d,]*?)[.,:]{1,2}(\d{2})", re.sub(r"[$S\s]", "", text))
    if match is None:
        return None
    return Decimal(f"{match[1].replace(',', '')}.{match[2]}")
