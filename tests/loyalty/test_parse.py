"""The receipt text parser on text as tesseract reads it: the three item layouts, labels and
date formats of different point-of-sale systems, and OCR's usual slips."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conductor.loyalty.extraction import ReceiptLine
from conductor.loyalty.parse import misreads, parse_item, parse_receipt, reconcile


def D(text: str) -> Decimal:
    return Decimal(text)


def local(text: str) -> datetime:
    """A shop-local (naive) time, as a receipt prints it."""
    return datetime.fromisoformat(text)


INLINE = """\
GREEN DOOR COLLECTIVE
1420 W Sunset Blvd
Los Angeles, CA 90026
(323) 555-0142
Lic. C10-0000777-LIC
-----------------------------------------
Receipt #: SM-96747
11/01/2026  12:25 PM
Cashier: TERRENCE V
ITEM  QTY @ PRICE  AMOUNT
MOTA GUMMIES WATERMELON  2 @ 15.OO  3O.00
STIIIZY POD BLUE DREAM 1G  1@45,00  45.00
GOLDEN COAST CANNABI  .  3 x 8.50  25.50
SUBTOTAL  100.50
LOYALTY DISCOUNT 10%  -10.05
TAX  23.29
TOTAL  113.74
DEBIT ************6747  113.74
Auth: 0747681
Items sold: 6
Thank you for shopping!
"""


def test_inline_items_are_read_with_ocr_noise_in_the_numbers() -> None:
    receipt = parse_receipt(INLINE, confidence=71.5)
    assert receipt.engine == "tesseract"
    assert receipt.confidence == 71.5
    assert receipt.lines == (
        ReceiptLine("MOTA GUMMIES WATERMELON", D("2"), D("15.00"), D("30.00")),
        ReceiptLine("STIIIZY POD BLUE DREAM 1G", D("1"), D("45.00"), D("45.00")),
        ReceiptLine("GOLDEN COAST CANNABI", D("3"), D("8.50"), D("25.50")),
    )
    assert (receipt.subtotal, receipt.discount, receipt.tax, receipt.total) == (
        D("100.50"), D("10.05"), D("23.29"), D("113.74"))  # fmt: skip


def test_inline_header_fields() -> None:
    receipt = parse_receipt(INLINE)
    assert receipt.dispensary == "GREEN DOOR COLLECTIVE"
    assert receipt.receipt_number == "SM-96747"
    assert receipt.purchased_at == local("2026-11-01 12:25")
    assert receipt.cashier == "Terrence V."


STACKED = """\
The Herbal Cure
7021 Van Nuys Blvd
Order No. 0042-118833
Date: 2026-10-16 09:16
Budtender: Gabriela C.
MOTA Cherry Fruit Chews 100mg
1 x $14.00  $14.00
Sierra Gold Lemonade Gummies
100mg  .
2 X S26,50  $53.00
Canyon Kind Clementine Live
Resin 1g  mo,
1x$57.50  -  $57.50
Subtotal  $124.50
Excise Tax 15%  $19.23
Sales Tax  $12.83
Total  $156.56
Cash  $160.00
Change  $3.44
"""


def test_stacked_items_take_their_name_from_the_lines_above() -> None:
    receipt = parse_receipt(STACKED)
    assert receipt.lines == (
        ReceiptLine("MOTA Cherry Fruit Chews 100mg", D("1"), D("14.00"), D("14.00")),
        ReceiptLine("Sierra Gold Lemonade Gummies 100mg", D("2"), D("26.50"), D("53.00")),
        ReceiptLine("Canyon Kind Clementine Live Resin 1g", D("1"), D("57.50"), D("57.50")),
    )


def test_tax_lines_add_up_and_payment_lines_are_read_past() -> None:
    receipt = parse_receipt(STACKED)
    assert (receipt.subtotal, receipt.discount, receipt.tax, receipt.total) == (
        D("124.50"), None, D("32.06"), D("156.56"))  # fmt: skip
    assert receipt.receipt_number == "0042-118833"
    assert receipt.purchased_at == local("2026-10-16 09:16")
    assert receipt.cashier == "Gabriela C."
    assert receipt.dispensary == "The Herbal Cure"


QTY_FIRST = """\
Welcome to Harbor Leaf Dispensary
318 Pine Ave
Nov 22, 2026 12:11 PM
Ticket 0010-381085
Served by Mariana
2  MOTA Passion Fruit Drink 1  $20.00
2 MOTA Lemon Tree Badder 1g  $74.00
l  Luna Botanicals OG Kush 1g_  $13.00
Subtotal  $107.00
Tax  $27.55
Total  $134.55
VISA ************1085  $134.55
"""


def test_quantity_first_items_have_no_unit_price() -> None:
    receipt = parse_receipt(QTY_FIRST)
    assert receipt.lines == (
        ReceiptLine("MOTA Passion Fruit Drink 1", D("2"), None, D("20.00")),
        ReceiptLine("MOTA Lemon Tree Badder 1g", D("2"), None, D("74.00")),
        ReceiptLine("Luna Botanicals OG Kush 1g", D("1"), None, D("13.00")),
    )
    assert receipt.dispensary == "Harbor Leaf Dispensary"
    assert receipt.cashier == "Mariana"
    assert receipt.receipt_number == "0010-381085"
    assert receipt.purchased_at == local("2026-11-22 12:11")
    assert receipt.total == D("134.55")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("MOTA Gummies Watermelon 100mg  2 @ $15.00  $30.00", ("2", "15.00", "30.00")),
        ("MOTA Gummies Watermelon 100mg 2x15.00 30.00", ("2", "15.00", "30.00")),
        ("MOTA Gummies Watermelon 100mg  2 X S15.OO  S3O.OO", ("2", "15.00", "30.00")),
        ("MOTA Gummies Watermelon 100mg  2@15,00  30,00", ("2", "15.00", "30.00")),
        ("MOTA Gummies Watermelon 100mg  l @ 15.00  15.00", ("1", "15.00", "15.00")),
        ("MOTA Gummies Watermelon 100mg  1 @ 1,015.00  1,015.00", ("1", "1015.00", "1015.00")),
        ("MOTA Gummies Watermelon 100mg  3@16950  508.50", ("3", "169.50", "508.50")),
        ("MOTA Gummies Watermelon 100mg  -3.@ 15.00 o  45.00", ("3", "15.00", "45.00")),
        ("MOTA Gummies Watermelon 100mg  1 @ 15.00  15.007", ("1", "15.00", "15.00")),
        ("MOTA Gummies Watermelon 100mg  7 @ 15.00  30.00", ("2", "15.00", "30.00")),
    ],
)
def test_item_line_forms(line: str, expected: tuple[str, str, str]) -> None:
    item = parse_receipt(f"Cashier: Ann\n{line}\nSubtotal 0.00").lines
    assert [(i.name, i.quantity, i.unit_price, i.total) for i in item] == [
        ("MOTA Gummies Watermelon 100mg", *map(Decimal, expected))
    ]


def test_a_name_and_an_amount_alone_is_one_item() -> None:
    assert parse_item("Rolling Papers King Size  $3.50") == ReceiptLine(
        "Rolling Papers King Size", D("1"), None, D("3.50")
    )


def test_a_quantity_line_without_a_name_above_is_no_item() -> None:
    assert parse_item("2 x $15.00  $30.00", []) is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("11/24/2026 3:41 PM", local("2026-11-24 15:41")),
        ("11/24/26 03:41PM", local("2026-11-24 15:41")),
        ("Date: 2026-11-24 15:41", local("2026-11-24 15:41")),
        ("2026-11-24 15:41:07", local("2026-11-24 15:41")),
        ("Nov 24, 2026 3:41 PM", local("2026-11-24 15:41")),
        ("November 24 2026 3:41 p.m.", local("2026-11-24 15:41")),
        ("Oct 14, 2026 3:49-PM", local("2026-10-14 15:49")),
        ("11/22/2026:  12:03 AM", local("2026-11-22 00:03")),
        ("Date: 2026-16-23 69:55", local("2026-10-23 09:55")),  # 0 read as 6, twice
        ("1l/O1/2026 1:56 PM", local("2026-11-01 13:56")),
        ("11/24/2026", local("2026-11-24 00:00")),
    ],
)
def test_date_formats(line: str, expected: datetime) -> None:
    assert parse_receipt(f"Shop\n{line}\nTotal 1.00").purchased_at == expected


def test_the_time_may_be_on_the_next_line() -> None:
    assert parse_receipt("Shop\nDate 11/24/2026\nTime 3:41 PM").purchased_at == local(
        "2026-11-24 15:41"
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Cashier: Maria G.", "Maria G."),
        ("CASHIER: MARIA G", "Maria G."),
        ("Budtender: Maria Garcia", "Maria G."),
        ("Served by Maria", "Maria"),
        ("Served .by DeShawn C.", "DeShawn C."),
        ("Your budtender today: Maria", "Maria"),
        ("Budtender: Amber. G.", "Amber G."),
        ("Cashier: Omar  Reg 3", "Omar"),
        ("Server: Maria", "Maria"),
    ],
)
def test_cashier_labels(line: str, expected: str) -> None:
    assert parse_receipt(f"Shop\n{line}").cashier == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Receipt #: 104233", "104233"),
        ("Receipt, #: WH-58197", "WH-58197"),
        ("Order No. 0042-118833", "0042-118833"),
        ("Ticket MEL-2O561", "MEL-20561"),
        ("Ticket 0036 -384700", "0036-384700"),
        ("Transaction ID: 88812", "88812"),
        ("Invoice # A7-1123", "A7-1123"),
    ],
)
def test_receipt_number_labels(line: str, expected: str) -> None:
    assert parse_receipt(f"Shop\n{line}").receipt_number == expected


def test_the_dispensary_is_the_first_header_line_that_reads_like_a_name() -> None:
    text = "~ .\n\u2018 4\n(323) 555-0142\n1420 W Sunset Blvd\nHigh Tide Wellness |\nCashier: Ann"
    assert parse_receipt(text).dispensary == "High Tide Wellness"


def test_card_numbers_are_masked_in_the_text_and_never_a_field() -> None:
    text = "Shop\nVISA 4111 1111 1111 1111  $20.00\nReceipt # 4111111111111111\nTotal $20.00"
    receipt = parse_receipt(text)
    assert "4111 1111 1111 1111" not in receipt.text
    assert "4111111111111111" not in receipt.text
    assert "************1111" in receipt.text
    assert receipt.receipt_number == "************1111" or receipt.receipt_number is None
    assert receipt.total == D("20.00")


def test_a_misread_line_total_is_fixed_when_quantity_times_price_makes_the_subtotal() -> None:
    text = "Shop\nCashier: Ann\nA  1 @ 10.50  16.58\nB  2 @ 5.00  10.00\nSubtotal 20.50"
    assert [line.total for line in parse_receipt(text).lines] == [D("10.50"), D("10.00")]


def test_misread_zeros_are_fixed_only_when_one_set_of_fixes_makes_the_subtotal() -> None:
    lines = [
        ReceiptLine("A", D("1"), None, D("32.08")),
        ReceiptLine("B", D("2"), None, D("63.00")),
        ReceiptLine("C", D("2"), None, D("82.08")),
    ]
    fixed = reconcile(lines, D("177.00"))
    assert [line.total for line in fixed] == [D("32.00"), D("63.00"), D("82.00")]
    assert reconcile(lines, D("177.01")) == lines  # no slip explains that


def test_a_unit_price_that_does_not_fit_is_fixed_when_the_totals_make_the_subtotal() -> None:
    lines = [ReceiptLine("A", D("1"), D("410.00"), D("10.00"))]
    assert reconcile(lines, D("10.00"))[0].unit_price == D("10.00")


def test_the_total_follows_the_arithmetic_and_the_card_line_when_misread() -> None:
    text = "Shop\nSUBTOTAL 282.00\nTAX 72.62\nTOTAL 354.52\nDEBIT ****0111  354.62"
    assert parse_receipt(text).total == D("354.62")


def test_a_misread_subtotal_is_fixed_when_the_lines_and_the_total_agree() -> None:
    text = "Shop\nCashier: Ann\nA  1 @ 46.50  46.50\nB  3 @ 150.00  450.00\nSUBTOTAL 368.00\n"
    text += "TAX 146.26\nTOTAL 642.76"
    assert parse_receipt(text).subtotal == D("496.50")


def test_misreads_are_one_look_alike_digit_or_a_leading_dollar_sign() -> None:
    assert D("10.00") in misreads(D("16.00"))
    assert D("72.31") in misreads(D("972.31"))
    assert D("10.00") not in misreads(D("12.00"))


def test_lines_after_the_totals_are_no_items() -> None:
    text = "Shop\nCashier: Ann\nA  1 @ 1.00  1.00\nTotal 1.00\nFree Sticker  0.00\nTip  2.00"
    assert [line.name for line in parse_receipt(text).lines] == ["A"]


def test_nothing_readable_gives_an_empty_reading() -> None:
    receipt = parse_receipt("")
    assert (receipt.lines, receipt.total, receipt.dispensary, receipt.text) == ((), None, None, "")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_parsing_never_raises(text: str) -> None:
    parse_receipt(text)


FRAGMENTS = (
    "MOTA Gummies 2 @ 15.00 30.00", "2 x $9.50 $19.00", "Subtotal $1O.O0", "Tax 1,2",
    "TOTAL 12.00", "Cashier:", "Served by", "11/99/2026 99:99 PM", "$S$ 1.1.1", "- - -",
    "3  MOTA Cart 1g  $45.00", "Ticket #", "O.OO", "x@x 0.00 0.00", "Discount -1.00",
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30))
def test_parsing_receipt_like_fragments_never_raises(lines: list[str]) -> None:
    parse_receipt("\n".join(lines))
