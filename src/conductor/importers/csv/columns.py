"""Reading one column of a batch at once: the batch forms of the cell parsers in :mod:`.values`.

A batch of rows is read column by column (:meth:`.mapping.Plan.frame`). A column reader takes
every cell of one column and returns every value, exactly as the cell parser would one by one,
or raises ValueError when some cell cannot be read; which cell and why is then the per-row
reader's business (:meth:`.mapping.Plan.record`). Each reader first tries the form a POS export
almost always has (plain numbers, ISO 8601 timestamps) with the loop in C
(``map(Decimal, ...)``, ``map(datetime.fromisoformat, ...)``), checks the results as a whole
(for numbers already written to the column's scale: one regular expression over the whole
column), and otherwise reads the column cell by cell with the cell parser.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from functools import cache, partial
from typing import Any

from conductor.importers.csv import values

ColumnReader = Callable[[Sequence[str]], list[Any]]
"""Reads every cell of one column (None for a blank one); ValueError if any cannot be read."""


def cell_by_cell(parse: Callable[[str], Any]) -> ColumnReader:
    """A column reader that applies a cell parser to each cell."""

    def read(cells: Sequence[str]) -> list[Any]:
        return list(map(parse, cells))

    return read


def texts(cells: Sequence[str], length: int) -> list[str]:
    """The cells stripped; ValueError if one is longer than ``length`` or holds a NUL."""
    stripped = list(map(str.strip, cells))
    if stripped and (max(map(len, stripped)) > length or "\x00" in "".join(stripped)):
        raise ValueError("a text does not fit its column")
    return stripped


@cache
def decimals(scale: int, precision: int) -> ColumnReader:
    """:func:`.values.parse_decimal` for a whole column of one ``Numeric`` type."""
    parse = values.decimal_parser(scale, precision)
    quantum = Decimal(1).scaleb(-scale)
    limit = Decimal(10) ** (precision - scale)
    quantize = values.HALF_UP.quantize
    whole = rf"-?[0-9]{{1,{precision - scale}}}"
    exact = rf"{whole}\.[0-9]{{{scale}}}" if scale else whole
    all_exact = re.compile(rf"(?:{exact}\n)*{exact}")
    all_whole = re.compile(rf"(?:{whole}\n)*{whole}")
    zeros = "." + "0" * scale if scale else ""

    def read(cells: Sequence[str]) -> list[Any]:
        joined = "\n".join(cells)
        if all_exact.fullmatch(joined):  # as the parser would round them: nothing to round
            return list(map(Decimal, cells))
        if scale and all_whole.fullmatch(joined):  # whole numbers: the zeros rounding adds
            return list(map(Decimal, (joined.replace("\n", zeros + "\n") + zeros).split("\n")))
        try:  # other plain numbers (no blank, $, comma or parenthesis), rounded as the parser does
            rounded = [quantize(number, quantum) for number in map(Decimal, cells)]
        except InvalidOperation:
            return list(map(parse, cells))
        if rounded and (
            not all(map(Decimal.is_finite, rounded)) or max(map(abs, rounded)) >= limit
        ):
            return list(map(parse, cells))
        return rounded

    return read


def datetimes(zone: tzinfo) -> ColumnReader:
    """:func:`.values.parse_datetime` for a whole column: aware UTC timestamps."""
    parse = partial(values.parse_datetime, zone=zone)

    def read(cells: Sequence[str]) -> list[Any]:
        try:  # ISO 8601 in every cell, all with an offset or all without
            stamps = list(map(datetime.fromisoformat, cells))
        except ValueError:
            return list(map(parse, cells))
        aware = sum(stamp.tzinfo is not None for stamp in stamps)
        years = {stamp.year for stamp in stamps}
        if aware not in (0, len(stamps)) or not all(map(values.year_in_range, years)):
            return list(map(parse, cells))
        if not aware:
            stamps = [stamp.replace(tzinfo=zone) for stamp in stamps]
        return [stamp.astimezone(UTC) for stamp in stamps]

    return read
