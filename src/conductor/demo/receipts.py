"""Dispensary receipts drawn with Pillow, for the demo, the OCR tests and ``bench/receipts.py``.

A :class:`ReceiptSpec` is what was sold; :func:`render_receipt` prints it the way one of three
kinds of point-of-sale system does (:data:`LAYOUTS`) on an 80 mm thermal roll (576 px at
180 dpi), then, with ``noise``, makes it look like a phone photo of that slip: faded print, a
table around the paper, uneven light, sensor noise, specks, a little blur and a tilt. The same
spec and arguments always give the same bytes.

:func:`random_receipt_spec` draws a basket from plain lists (no database), so demo data can feed
it catalogue products and the tests and the benchmark can feed it :func:`sample_products`.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from statistics import NormalDist
from typing import Literal

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from conductor.demo import names
from conductor.demo.products import CATEGORIES
from conductor.loyalty.extraction import ReceiptLine

CENT = Decimal("0.01")
WIDTH = 576
"""80 mm thermal paper at 180 dpi (72 mm printable)."""
MARGIN = 18
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {
    "mono": ("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"),
    "sans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    "serif": ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
}
FONTS = tuple(FONT_FILES)
ItemStyle = Literal["inline", "stacked", "qty-first"]

DISPENSARIES = (
    ("Green Door Collective", "1420 W Sunset Blvd, Los Angeles, CA 90026"),
    ("Harbor Leaf Dispensary", "318 Pine Ave, Long Beach, CA 90802"),
    ("The Herbal Cure", "7021 Van Nuys Blvd, Van Nuys, CA 91405"),
    ("Sunset Canna Co.", "8810 Santa Monica Blvd, West Hollywood, CA 90069"),
    ("High Tide Wellness", "2231 Lincoln Blvd, Santa Monica, CA 90405"),
    ("MOTA Melrose", "7300 Melrose Ave, Los Angeles, CA 90046"),
)
"""Invented shops that sell the house brand: (name, street address)."""


@dataclass(frozen=True)
class Layout:
    """How one kind of POS prints: item lines, labels, date format, tax lines."""

    name: str
    items: ItemStyle
    number_label: str
    cashier_label: str
    date_format: Literal["us", "iso", "long"]
    name_chars: int
    """Item names longer than this are cut (``inline``, ``qty-first``) or wrapped (``stacked``)."""
    split_tax: bool
    """Excise and sales tax on separate lines."""
    currency: str
    upper: bool


LAYOUTS = {
    layout.name: layout
    for layout in (
        Layout("inline", "inline", "Receipt #:", "Cashier:", "us", 24, False, "", True),
        Layout("stacked", "stacked", "Order No.", "Budtender:", "iso", 30, True, "$", False),
        Layout("qty-first", "qty-first", "Ticket", "Served by", "long", 26, False, "$", False),
    )
}
"""Item lines ``NAME  QTY @ PRICE  TOTAL``; the name, then ``2 x $15.00  $30.00``; and
``QTY NAME  TOTAL`` without the unit price."""


@dataclass(frozen=True)
class ReceiptSpec:
    """One sale as the shop's POS recorded it."""

    dispensary: str
    address: str
    receipt_number: str
    purchased_at: datetime
    cashier_first_name: str
    cashier_initial: str | None
    lines: tuple[ReceiptLine, ...]
    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal
    payment: Literal["cash", "debit", "credit"]

    @property
    def cashier(self) -> str:
        """``Maria G.`` or ``Maria``: the form :mod:`conductor.loyalty.parse` returns."""
        initial = f" {self.cashier_initial}." if self.cashier_initial else ""
        return f"{self.cashier_first_name}{initial}"


def sample_products(rng: random.Random, count: int = 60) -> list[tuple[str, Decimal]]:
    """(name, price) pairs named like the demo catalogue: MOTA and invented brands."""
    brands = [names.HOUSE_BRAND, *names.BRANDS]
    strains = [s for group in names.STRAINS.values() for s in group]
    products: dict[str, Decimal] = {}
    while len(products) < count:
        category = rng.choice(CATEGORIES[:5])
        form, low, high = rng.choice(category.forms)
        variant = rng.choice(names.FLAVOURS if category.name == "Edibles" else strains)
        brand = names.HOUSE_BRAND if rng.random() < 0.3 else rng.choice(brands)
        price = (Decimal(rng.randint(low * 2, high * 2)) / 2).quantize(CENT)
        products[f"{brand} {variant} {form}"] = price
    return list(products.items())


def random_receipt_spec(
    rng: random.Random,
    products: Sequence[tuple[str, Decimal]],
    dispensaries: Sequence[tuple[str, str]] = DISPENSARIES,
    cashiers: Sequence[str] = names.FIRST_NAMES,
    *,
    house_brand: str = names.HOUSE_BRAND,
    tax_rate: Decimal = Decimal("0.2575"),
    when: datetime = datetime(2026, 11, 24, 15, 41),  # noqa: DTZ001 - shop time, as printed
) -> ReceiptSpec:
    """A basket of 2-6 products (at least one of ``house_brand`` when there is one), with the
    shop, number, time (within 60 days before ``when``), cashier, totals and payment."""
    basket = rng.sample(list(products), min(len(products), rng.randint(2, 6)))
    house = [p for p in products if p[0].startswith(house_brand)]
    if house and not any(p[0].startswith(house_brand) for p in basket):
        basket[rng.randrange(len(basket))] = rng.choice(house)
    lines = []
    for name, price in basket:
        quantity = rng.choice((1, 1, 1, 2, 2, 3))
        lines.append(ReceiptLine(name, Decimal(quantity), price, price * quantity))
    subtotal = sum((line.total for line in lines), Decimal(0))
    discount = _money(subtotal * Decimal("0.10")) if rng.random() < 0.25 else Decimal(0)
    tax = _money((subtotal - discount) * tax_rate)
    shop, address = rng.choice(list(dispensaries))
    minutes = rng.randint(0, 60 * 24 * 60)
    purchased_at = (when - timedelta(minutes=minutes)).replace(second=0, microsecond=0)
    purchased_at = purchased_at.replace(hour=rng.randint(9, 20))
    if purchased_at > when:
        purchased_at -= timedelta(days=1)
    return ReceiptSpec(
        dispensary=shop,
        address=address,
        receipt_number=_receipt_number(rng),
        purchased_at=purchased_at,
        cashier_first_name=rng.choice(list(cashiers)),
        cashier_initial=rng.choice("ABCDEFGHJKLMNPRSTVW") if rng.random() < 0.6 else None,
        lines=tuple(lines),
        subtotal=subtotal,
        discount=discount,
        tax=tax,
        total=subtotal - discount + tax,
        payment=rng.choice(("cash", "debit", "debit", "credit")),
    )


def printed_lines(
    spec: ReceiptSpec, layout: str, font: str = "mono", font_size: int = 22
) -> tuple[ReceiptLine, ...]:
    """The item lines as :func:`render_receipt` prints them with these arguments: names cut
    short or wrapped, no unit price in ``qty-first``. What a perfect reader would return."""
    style = LAYOUTS[layout]
    printer = _Printer(style, font, font_size)
    return tuple(
        ReceiptLine(
            printer.item_name(line.name),
            line.quantity,
            None if style.items == "qty-first" else line.unit_price,
            line.total,
        )
        for line in spec.lines
    )


def render_receipt(
    spec: ReceiptSpec,
    *,
    layout: str = "inline",
    font: str = "mono",
    font_size: int = 22,
    rotation_deg: float = 0.0,
    noise: float = 0.0,
    seed: int = 0,
    image_format: Literal["PNG", "JPEG"] = "PNG",
) -> bytes:
    """The receipt as image bytes. ``noise`` 0 is a clean print; 1 is a poor phone photo that a
    person still reads easily. ``seed`` drives the noise only."""
    rows = _Printer(LAYOUTS[layout], font, font_size).rows(spec)
    image = _draw(rows, font, font_size, ink=int(90 * noise))  # thermal print fades to gray
    if noise > 0:
        image = _photograph(image, noise, random.Random(seed))
    if rotation_deg:
        fill = image.getpixel((0, 0))
        image = image.rotate(rotation_deg, Image.Resampling.BICUBIC, expand=True, fillcolor=fill)
    out = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85)
    else:
        image.save(out, "PNG")
    return out.getvalue()


# --- the printout ----------------------------------------------------------------------------

_Face = ImageFont.FreeTypeFont | ImageFont.ImageFont
Row = tuple[tuple[str, str], ...]
"""One printed line: (text, where) pairs, where is ``left``, ``right``, ``center``, ``col``
(right-aligned at the quantity column), ``title`` (centred, bold, larger) or ``rule``."""


class _Printer:
    """Turns a spec into rows in one layout; cuts item names to the space the font leaves."""

    def __init__(self, style: Layout, font: str, size: int) -> None:
        self.style = style
        self.face = _font(font, size)
        self.size = size
        self.draw = ImageDraw.Draw(Image.new("L", (1, 1)))

    def rows(self, spec: ReceiptSpec) -> list[Row]:
        return [*self._header(spec), *self._items(spec), *self._totals(spec), *_footer(spec)]

    def item_name(self, name: str) -> str:
        """``name`` as printed (one string, wrapped lines joined by a space)."""
        return " ".join(self._name_lines(name))

    def _name_lines(self, name: str) -> list[str]:
        s = self.style
        name = name.upper() if s.upper else name
        if s.items == "stacked":
            return [self._fit(part, WIDTH - 2 * MARGIN) for part in _wrap(name, s.name_chars)]
        room = _column(self.draw, self.face, self.size) - self._width("0 @ 000.00") - self.size
        if s.items == "qty-first":
            room = WIDTH - MARGIN - self._width("000.00") - self.size - self._width("0  ")
        return [self._fit(_cut(name, s.name_chars), room - MARGIN)]

    def _fit(self, text: str, room: float) -> str:
        while text and self._width(text) > room:
            text = text[:-1].rstrip()
        return text

    def _width(self, text: str) -> float:
        return self.draw.textlength(text, font=self.face)

    def _header(self, spec: ReceiptSpec) -> list[Row]:
        s = self.style
        street, _, city = spec.address.partition(", ")
        header: list[Row] = [((self._case(spec.dispensary), "title"),), ((street, "center"),)]
        header += [((city, "center"),), (("(323) 555-0142", "center"),)]
        header += [((f"Lic. C10-0000{len(spec.dispensary) * 37:03d}-LIC", "center"),), _RULE]
        cashier = spec.cashier if s.name != "inline" else spec.cashier.upper().rstrip(".")
        when = _date(spec.purchased_at, s.date_format)
        number = ((f"{s.number_label} {spec.receipt_number}", "left"),)
        served = ((f"{s.cashier_label} {cashier}", "left"),)
        if s.items == "stacked":
            header += [number, ((f"Date: {when}", "left"),), served]
        elif s.items == "qty-first":
            header += [((when, "left"),), number, served]
        else:
            date, _, time = when.partition(" ")
            header += [number, ((date, "left"), (time, "right")), served, _RULE]
            header.append((("ITEM", "left"), ("QTY @ PRICE", "col"), ("AMOUNT", "right")))
        return [*header, _RULE]

    def _items(self, spec: ReceiptSpec) -> list[Row]:
        s, c = self.style, self.style.currency
        rows: list[Row] = []
        for line in spec.lines:
            names, qty = self._name_lines(line.name), f"{line.quantity:.0f}"
            price, total = f"{line.unit_price:.2f}", f"{line.total:.2f}"
            if s.items == "inline":
                rows.append(((names[0], "left"), (f"{qty} @ {price}", "col"), (total, "right")))
            elif s.items == "qty-first":
                rows.append(((f"{qty:<3}{names[0]}", "left"), (f"{c}{total}", "right")))
            else:
                rows += [((part, "left"),) for part in names]
                rows.append(((f"   {qty} x {c}{price}", "left"), (f"{c}{total}", "right")))
        return rows

    def _totals(self, spec: ReceiptSpec) -> list[Row]:
        s, c, case = self.style, self.style.currency, self._case
        rows: list[Row] = [
            _RULE,
            ((case("Subtotal"), "left"), (f"{c}{spec.subtotal:.2f}", "right")),
        ]
        if spec.discount:
            rows.append(
                ((case("Loyalty Discount 10%"), "left"), (f"-{c}{spec.discount:.2f}", "right"))
            )
        if s.split_tax:
            excise = _money(spec.tax * Decimal("0.6"))
            rows.append(((case("Excise Tax 15%"), "left"), (f"{c}{excise:.2f}", "right")))
            rows.append(((case("Sales Tax"), "left"), (f"{c}{spec.tax - excise:.2f}", "right")))
        else:
            rows.append(((case("Tax"), "left"), (f"{c}{spec.tax:.2f}", "right")))
        rows.append(((case("Total"), "title-left"), (f"{c}{spec.total:.2f}", "title-right")))
        return [*rows, *_payment(spec, c)]

    def _case(self, text: str) -> str:
        return text.upper() if self.style.upper else text


_RULE: Row = (("", "rule"),)


def _payment(spec: ReceiptSpec, c: str) -> list[Row]:
    if spec.payment == "cash":
        tendered = (spec.total / 20).to_integral_value(rounding="ROUND_CEILING") * 20
        return [(("Cash", "left"), (f"{c}{tendered:.2f}", "right")),
                (("Change", "left"), (f"{c}{tendered - spec.total:.2f}", "right"))]  # fmt: skip
    card = "DEBIT" if spec.payment == "debit" else "VISA"
    last4 = f"{int(spec.receipt_number[-4:].replace('-', '0') or 0) % 10000:04d}"
    return [((f"{card} ************{last4}", "left"), (f"{c}{spec.total:.2f}", "right")),
            (("Auth: 0" + last4[::-1] + "81", "left"),)]  # fmt: skip


def _footer(spec: ReceiptSpec) -> list[Row]:
    count = sum(int(line.quantity) for line in spec.lines)
    return [_RULE, ((f"Items sold: {count}", "left"),), (("Thank you for shopping!", "center"),),
            (("For use only by adults 21+", "center"),)]  # fmt: skip


def _draw(rows: list[Row], font: str, size: int, ink: int) -> Image.Image:
    """The rows in black (``ink`` 0) or gray on white paper, one printer line apart."""
    regular, bold = _font(font, size), _font(font, int(size * 1.25), bold=True)
    pitch, title_pitch = int(size * 1.35), int(size * 1.7)
    height = 2 * MARGIN + sum(title_pitch if _is_title(row) else pitch for row in rows) + size
    image = Image.new("L", (WIDTH, height), 255)
    draw = ImageDraw.Draw(image)
    y, column = MARGIN + size // 2, _column(draw, regular, size)
    for row in rows:
        for text, where in row:
            face = bold if where.startswith("title") else regular
            if where == "rule":
                text = "-" * int((WIDTH - 2 * MARGIN) / draw.textlength("-", font=regular))
            draw.text((_x(where, draw.textlength(text, font=face), column), y), text, ink, face)
        y += title_pitch if _is_title(row) else pitch
    return image


def _x(where: str, width: float, column: float) -> float:
    if where in ("right", "title-right"):
        return WIDTH - MARGIN - width
    if where in ("center", "title"):
        return (WIDTH - width) / 2
    return column - width if where == "col" else MARGIN


def _column(draw: ImageDraw.ImageDraw, face: _Face, size: int) -> float:
    """Where the quantity column ends (right-aligned): left of the widest amount."""
    return WIDTH - MARGIN - draw.textlength("0000.00", font=face) - size


def _is_title(row: Row) -> bool:
    return any(where.startswith("title") for _, where in row)


@cache
def _font(font: str, size: int, *, bold: bool = False) -> _Face:
    path = FONT_DIR / FONT_FILES[font][bold]
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


# --- the photo -------------------------------------------------------------------------------


def _photograph(paper: Image.Image, noise: float, rng: random.Random) -> Image.Image:
    """A phone photo of ``paper``: on a table, lit unevenly, with sensor noise and specks."""
    border = int(24 + 24 * noise)
    table = Image.new(
        "L", (paper.width + 2 * border, paper.height + 2 * border), rng.randint(70, 120)
    )
    paper = paper.filter(ImageFilter.GaussianBlur(0.4 + 0.5 * noise))
    table.paste(paper, (border + rng.randint(-8, 8), border + rng.randint(-8, 8)))
    lit = ImageChops.multiply(table, _light(table.size, noise, rng))
    grain = _gaussian(table.size, 6 + 14 * noise, rng)
    noisy = ImageChops.add(lit, grain, scale=1.0, offset=-128)
    return ImageChops.darker(noisy, _specks(table.size, noise, rng))


def _specks(size: tuple[int, int], noise: float, rng: random.Random) -> Image.Image:
    """Dust and paper flecks: dark 2 x 2 px dots on ``0.1 * noise`` % of the area (a dot where
    one random byte is 0 and a second one is below ``64 * noise``)."""
    cells = (size[0] // 2 + 1, size[1] // 2 + 1)
    first, second = (Image.frombytes("L", cells, rng.randbytes(cells[0] * cells[1])) for _ in "12")
    limit = round(64 * noise)
    dots = ImageChops.lighter(first.point(lambda v: 0 if v == 0 else 255),
                              second.point(lambda v: 0 if v < limit else 255))  # fmt: skip
    dots = dots.point(lambda v: 60 if v == 0 else 255)
    return dots.resize((cells[0] * 2, cells[1] * 2), Image.Resampling.NEAREST).crop((0, 0, *size))


def _light(size: tuple[int, int], noise: float, rng: random.Random) -> Image.Image:
    """A brightness gradient from full light to ``1 - 0.35 * noise`` across the photo."""
    low = int(255 * (1 - 0.35 * noise))
    ramp = Image.linear_gradient("L").rotate(rng.uniform(0, 360), Image.Resampling.BILINEAR)
    ramp = ramp.crop((64, 64, 192, 192)).resize(size, Image.Resampling.BILINEAR)
    return ramp.point(lambda v: 255 - (255 - low) * v // 255)


def _gaussian(size: tuple[int, int], sigma: float, rng: random.Random) -> Image.Image:
    """Gaussian noise around 128, from uniform random bytes through the normal quantiles."""
    normal = NormalDist(128, sigma)
    table = [max(0, min(255, round(normal.inv_cdf((v + 0.5) / 256)))) for v in range(256)]
    return Image.frombytes("L", size, rng.randbytes(size[0] * size[1])).point(table)


# --- words and numbers -----------------------------------------------------------------------


def _receipt_number(rng: random.Random) -> str:
    kind = rng.randrange(3)
    if kind == 0:
        return str(rng.randint(100000, 999999))
    if kind == 1:
        return f"{rng.randint(1, 99):04d}-{rng.randint(100000, 999999)}"
    return f"{rng.choice(('MEL', 'LB', 'WH', 'SM'))}-{rng.randint(10000, 99999)}"


def _date(when: datetime, kind: str) -> str:
    hour = when.hour % 12 or 12
    ampm = "AM" if when.hour < 12 else "PM"
    if kind == "us":
        return f"{when:%m/%d/%Y} {hour}:{when:%M} {ampm}"
    if kind == "iso":
        return f"{when:%Y-%m-%d %H:%M}"
    return f"{when:%b} {when.day}, {when.year} {hour}:{when:%M} {ampm}"


def _cut(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[:chars].rstrip()


def _wrap(text: str, chars: int) -> list[str]:
    """Word-wrapped to ``chars`` a line, at most two lines (the rest is cut)."""
    lines = [""]
    for word in text.split():
        if lines[-1] and len(lines[-1]) + 1 + len(word) > chars:
            lines.append("")
        lines[-1] = f"{lines[-1]} {word}".strip()
    return [_cut(line, chars) for line in lines[:2]]


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
