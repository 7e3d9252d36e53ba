"""Pure mapping from one CSV row (cells by canonical column) to the columns of its table.

Each canonical column is read by the parser its database column's type calls for (a ``String(n)``
is text of at most n characters, a ``Numeric(p, s)`` a Decimal that fits, a ``Date`` a date ...),
so a value the database would refuse is a rejected row here, never a failed batch. Columns the
file does not have are left out of the record and so never overwritten; a blank cell becomes
NULL, or the column's default when it cannot be NULL. Exceptions, by design:

* ``phone``: the text is kept in ``phone_raw``; ``phone`` is its E.164 form, NULL when it cannot
  be read (that is not a reject);
* ``email`` is lower-cased; ``state`` upper-cased;
* ``sms_opt_in`` / ``email_opt_in``: a blank cell leaves the customer's consent as it is;
* references (``member_id``, ``staff_id``, ``staff_name`` of a transaction; ``transaction_id``,
  ``product_id`` of an item) go into :attr:`Record.refs` for the service to resolve.

:class:`Plan` says how to read each column of one file. :meth:`Plan.frame` reads a batch of rows
column by column (:mod:`.columns`, the fast way); when some cell of the batch cannot be read it
reads the batch again row by row with :meth:`Plan.record`, which names the column of each bad
row's first bad value. Both give the same values. :func:`complete_customer` then derives the
search keys and consent bookkeeping from a customer's record and stored row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import partial
from typing import Any, NamedTuple

from sqlalchemy import Boolean, Column, Date, Integer, Numeric, String, Table

from conductor.crm.keys import customer_search_keys
from conductor.crm.models import Customer, Product, Staff, Transaction, TransactionItem
from conductor.crm.phone import normalize_phone
from conductor.errors import RowError
from conductor.importers.csv import columns, values
from conductor.importers.csv.frame import Frame, Record
from conductor.importers.csv.layout import REQUIRED
from conductor.importers.csv.reader import Rows
from conductor.store.base import Base, UTCDateTime

MODELS: dict[str, type[Base]] = {
    "customers": Customer,
    "staff": Staff,
    "products": Product,
    "transactions": Transaction,
    "items": TransactionItem,
}
KEYS = {
    "customers": "member_id",
    "staff": "staff_id",
    "products": "product_id",
    "transactions": "transaction_id",
    "items": "line_id",
}
"""The natural key of each kind: the canonical column and the table's unique column."""

_TARGETS = {"zip": "zip_code", "sms_opt_in": "sms_consent", "email_opt_in": "email_consent"}
_REFS = {
    "transactions": ("member_id", "staff_id", "staff_name"),
    "items": ("transaction_id", "product_id"),
}
_REF_LENGTH = {"staff_name": 201}
_KEY_LENGTH = 64
PHONE_LENGTH = 40
_UNLIMITED = 1 << 30
_KEEP_WHEN_BLANK = frozenset({"sms_consent", "email_consent"})
CASES: dict[str, Callable[[str], str]] = {"email": str.lower, "state": str.upper}

Parse = Callable[[str], Any]
"""Reads one cell (stripping it; None when blank); raises ValueError with the reason it cannot."""

MISSING: Any = object()
"""The blank value of a required column: the row is rejected."""


@dataclass(frozen=True)
class Context:
    """What mapping needs from the settings, and the one "now" of an import."""

    region: str
    zone: tzinfo
    now: datetime


Reject = tuple[int, str, list[str]]
"""A row that cannot be imported: its line, the reason, its cells as written."""


class Text(NamedTuple):
    """A text cell, kept as written (stripped) if it fits the column."""

    position: int
    target: str
    length: int
    blank: Any


class Parsed(NamedTuple):
    """A cell read by a parser from :mod:`.values`; its column, by a reader from :mod:`.columns`."""

    position: int
    target: str
    parse: Parse
    read: columns.ColumnReader
    blank: Any


def table_of(kind: str) -> Table:
    table = MODELS[kind].__table__
    assert isinstance(table, Table)
    return table


class Plan:
    """How to read each column of one file; ``positions`` gives where each column is."""

    def __init__(self, kind: str, positions: Mapping[str, int], width: int, context: Context):
        self.kind, self.width, self.context = kind, width, context
        self.key = KEYS[kind]
        self.refs = [name for name in positions if name in _REFS.get(kind, ())]
        self.phone = positions.get("phone") if kind == "customers" else None
        self.texts: list[Text] = []
        self.parsed: list[Parsed] = []
        self.sources: dict[str, str] = {}
        table = table_of(kind)
        for name, position in positions.items():
            if position != self.phone:
                self._add(table, name, position)
        self.required = [t for t, source in self.sources.items() if source in REQUIRED[kind]]
        self.cases = [(t, CASES[t]) for t in self.sources if t in CASES]
        targets = [t.target for t in self.texts] + [p.target for p in self.parsed]
        self.names = [target for target in targets if target not in self.refs]
        if self.phone is not None:
            self.names += ["phone_raw", "phone"]
        """The table columns of every record, in the order :meth:`record` writes them."""

    def frame(self, rows: Rows) -> tuple[Frame, list[Reject]]:
        """A batch's records and rejected rows: column by column, else row by row."""
        if set(map(len, rows.cells)) == {self.width}:
            try:
                return self._columns(rows), []
            except ValueError:
                pass  # some value is bad: the row-by-row reading says which and why
        records: list[Record] = []
        rejects: list[Reject] = []
        for line, cells in zip(rows.lines, rows.cells, strict=True):
            try:
                records.append(self.record(line, cells))
            except RowError as exc:
                rejects.append((line, exc.reason, cells))
        return Frame.of_records(self.key, self.names, records), rejects

    def _columns(self, rows: Rows) -> Frame:
        """The batch read column by column; ValueError if any value cannot be read."""
        by_position: list[Sequence[str]] = list(zip(*rows.cells, strict=True))
        read: dict[str, list[Any]] = {}
        for position, target, length, blank in self.texts:
            stripped = columns.texts(by_position[position], length)
            if blank is MISSING and "" in stripped:
                raise ValueError(f"{target}: required value is blank")
            read[target] = [text or blank for text in stripped] if "" in stripped else stripped
        for position, target, _, reader, blank in self.parsed:
            parsed = reader(by_position[position])
            if blank is MISSING and any(value is None for value in parsed):
                raise ValueError(f"{target}: required value is blank")
            read[target] = parsed if blank is None else [blank if v is None else v for v in parsed]
        for target, case in self.cases:
            read[target] = [case(text) if text else text for text in read[target]]
        if self.phone is not None:
            phones = columns.texts(by_position[self.phone], PHONE_LENGTH)
            region = self.context.region
            read["phone_raw"] = [text or None for text in phones]
            read["phone"] = [normalize_phone(text, region) for text in phones]
        refs = {name: read.pop(name) for name in self.refs}
        return Frame(self.key, rows.lines, rows.cells, read, refs)

    def record(self, line: int, cells: list[str]) -> Record:
        """One row's record; RowError (with ``line``) naming the column of the first bad value."""
        if len(cells) != self.width:
            raise RowError(f"row has {len(cells)} fields, the header has {self.width}", line=line)
        fields: dict[str, Any] = {}
        for position, target, length, blank in self.texts:
            raw = cells[position].strip()
            if len(raw) > length or "\x00" in raw:
                raise self.bad_text(target, raw, line)
            fields[target] = raw or blank
        for position, target, parse, _, blank in self.parsed:
            try:
                value = parse(cells[position])
            except ValueError as exc:
                raise RowError(f"{self.sources[target]}: {exc}", line=line) from None
            fields[target] = blank if value is None else value
        for target in self.required:
            if fields[target] is MISSING:
                raise RowError(f"{self.sources[target]}: required value is blank", line=line)
        for target, case in self.cases:
            if fields[target]:
                fields[target] = case(fields[target])
        if self.phone is not None:
            raw = cells[self.phone].strip()
            if len(raw) > PHONE_LENGTH or "\x00" in raw:
                raise self.bad_text("phone", raw, line)
            fields["phone_raw"] = raw or None
            fields["phone"] = normalize_phone(raw, self.context.region)
        refs = {name: fields.pop(name) for name in self.refs}
        return Record(line, cells, fields[self.key], fields, refs)

    def bad_text(self, target: str, raw: str, line: int) -> RowError:
        """Why ``raw`` does not fit the text column ``target``."""
        source = self.sources.get(target, target)
        if "\x00" in raw:
            return RowError(f"{source}: contains a NUL character", line=line)
        length = next((t.length for t in self.texts if t.target == target), PHONE_LENGTH)
        return RowError(f"{source}: longer than {length} characters", line=line)

    def _add(self, table: Table, name: str, position: int) -> None:
        required = name in REQUIRED[self.kind]
        if name in self.refs:
            blank = MISSING if required else None
            length = _REF_LENGTH.get(name, _KEY_LENGTH)
            self.texts.append(Text(position, name, length, blank))
            self.sources[name] = name
            return
        target = _TARGETS.get(name, name) if self.kind == "customers" else name
        column = table.c[target]
        self.sources[target] = name
        blank = MISSING if required else _column_blank(column)
        if isinstance(column.type, String):
            length = column.type.length or _UNLIMITED
            self.texts.append(Text(position, target, length, blank))
        else:
            parse, read = _parser(column, self.context.zone)
            self.parsed.append(Parsed(position, target, parse, read, blank))


def complete_customer(new: dict[str, Any], old: Mapping[str, Any] | None, now: datetime) -> None:
    """Add the search keys and consent bookkeeping to a customer record, in place.

    ``old`` is the stored row (None for a new customer). Consent source and time change only when
    the consent value does; a blank opt-in cell keeps the stored value.
    """
    for flag in ("sms_consent", "email_consent"):
        if flag in new:
            _complete_consent(new, old, flag, now)
    if {"first_name", "last_name", "phone"} & new.keys():
        merged = {**(old or {}), **new}
        new.update(
            customer_search_keys(
                merged.get("first_name"), merged.get("last_name"), merged.get("phone")
            )
        )


def _complete_consent(
    new: dict[str, Any], old: Mapping[str, Any] | None, flag: str, now: datetime
) -> None:
    source, at = f"{flag}_source", f"{flag}_at"
    stated = new[flag]
    if old is not None and (stated is None or stated == old[flag]):
        new.update({flag: old[flag], source: old[source], at: old[at]})
    elif stated is None:
        new.update({flag: False, source: None, at: None})
    else:
        new.update({source: "import", at: now})


def _column_blank(column: Column[Any]) -> Any:
    """What a blank cell stores: NULL, or the default of a column that cannot be NULL."""
    if column.nullable or column.name in _KEEP_WHEN_BLANK or column.default is None:
        return None
    return getattr(column.default, "arg", None)


def _parser(column: Column[Any], zone: tzinfo) -> tuple[Parse, columns.ColumnReader]:
    """How to read one cell of ``column``, and all of its cells in a batch."""
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return partial(values.parse_datetime, zone=zone), columns.datetimes(zone)
    if isinstance(kind, Numeric):
        scale, precision = kind.scale or 0, kind.precision or 18
        return values.decimal_parser(scale, precision), columns.decimals(scale, precision)
    parse: Parse
    if isinstance(kind, Date):
        parse = values.parse_date
    elif isinstance(kind, Boolean):
        parse = values.parse_bool
    elif isinstance(kind, Integer):
        parse = values.parse_int
    else:
        raise TypeError(f"no CSV parser for column {column.name} of type {kind!r}")
    return parse, columns.cell_by_cell(parse)
