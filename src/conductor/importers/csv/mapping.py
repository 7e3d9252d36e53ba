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

:func:`complete_customer` then derives the search keys and consent bookkeeping from the record
and the stored row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import partial
from typing import Any, NamedTuple

from sqlalchemy import Boolean, Column, Date, Integer, Numeric, String, Table

from conductor.crm.keys import customer_search_keys
from conductor.crm.models import Customer, Product, Staff, Transaction, TransactionItem
from conductor.crm.phone import normalize_phone
from conductor.errors import RowError
from conductor.importers.csv import values
from conductor.importers.csv.layout import REQUIRED
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
    "transactions": frozenset({"member_id", "staff_id", "staff_name"}),
    "items": frozenset({"transaction_id", "product_id"}),
}
_KEEP_WHEN_BLANK = frozenset({"sms_consent", "email_consent"})
_REF_LENGTH = {"staff_name": 201}
_KEY_LENGTH = 64
_UNLIMITED = 1 << 30

Parse = Callable[[str], Any]
"""Reads a stripped, non-blank cell; raises ValueError with the reason it cannot."""


@dataclass(frozen=True)
class Context:
    """What mapping needs from the settings, and the one "now" of an import."""

    region: str
    zone: tzinfo
    now: datetime


@dataclass(slots=True)
class Record:
    """A row that parsed: its natural key, table columns and unresolved references."""

    line: int
    cells: list[str]
    key: str
    values: dict[str, Any]
    refs: dict[str, str | None] = field(default_factory=dict)


class _Field(NamedTuple):
    position: int
    source: str
    target: str
    parse: Parse | None
    """None for text, kept as written (stripped)."""
    length: int | None
    """For text: the most characters the column holds."""
    blank: Any
    required: bool


def table_of(kind: str) -> Table:
    table = MODELS[kind].__table__
    assert isinstance(table, Table)
    return table


class Mapper:
    """Maps the rows of one file; ``columns`` gives the position of each canonical column."""

    def __init__(self, kind: str, columns: Mapping[str, int], context: Context) -> None:
        self.kind = kind
        self.context = context
        table = table_of(kind)
        refs = _REFS.get(kind, frozenset())
        self._key = KEYS[kind]
        self._phone = columns.get("phone") if kind == "customers" else None
        self._fields = [
            _field(kind, table, name, position, context.zone)
            for name, position in columns.items()
            if name not in refs and not (self._phone is not None and name == "phone")
        ]
        self._fields += [
            _Field(position, name, name, None, _REF_LENGTH.get(name, _KEY_LENGTH), None, False)
            for name, position in columns.items()
            if name in refs
        ]
        self._required_refs = [name for name in REQUIRED[kind] if name in refs]

    def record(self, line: int, cells: list[str]) -> Record:
        """The row's record; RowError (with ``line``) naming the column of the first bad value."""
        columns: dict[str, Any] = {}
        for position, source, target, parse, length, blank, required in self._fields:
            raw = cells[position].strip()
            if not raw:
                if required:
                    raise RowError(f"{source}: required value is blank", line=line)
                columns[target] = blank
            elif length is not None:
                columns[target] = _text(raw, length, parse, source, line)
            elif parse is not None:
                try:
                    columns[target] = parse(raw)
                except ValueError as exc:
                    raise RowError(f"{source}: {exc}", line=line) from None
        if self._phone is not None:
            raw = cells[self._phone].strip()
            columns["phone_raw"] = _text(raw, 40, None, "phone", line) if raw else None
            columns["phone"] = normalize_phone(raw, self.context.region)
        refs: dict[str, str | None] = {}
        if self.kind in _REFS:
            refs = {name: columns.pop(name) for name in _REFS[self.kind] if name in columns}
            for name in self._required_refs:
                if refs[name] is None:
                    raise RowError(f"{name}: required value is blank", line=line)
        return Record(line, cells, columns[self._key], columns, refs)


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


def _text(raw: str, length: int, case: Parse | None, source: str, line: int) -> str:
    if len(raw) > length:
        raise RowError(f"{source}: longer than {length} characters", line=line)
    if "\x00" in raw:
        raise RowError(f"{source}: contains a NUL character", line=line)
    return case(raw) if case is not None else raw


def _field(kind: str, table: Table, name: str, position: int, zone: tzinfo) -> _Field:
    target = _TARGETS.get(name, name) if kind == "customers" else name
    column = table.c[target]
    blank = None
    if not column.nullable and target not in _KEEP_WHEN_BLANK:
        default = column.default
        blank = getattr(default, "arg", None) if default is not None else None
    parse, length = _parser(column, zone)
    return _Field(position, name, target, parse, length, blank, name in REQUIRED[kind])


def _parser(column: Column[Any], zone: tzinfo) -> tuple[Parse | None, int | None]:
    """How to read a cell for ``column``: a parser, or (for text) a case change and a length."""
    kind = column.type
    if isinstance(kind, String):
        case = {"email": str.lower, "state": str.upper}.get(column.name)
        return case, kind.length or _UNLIMITED
    if isinstance(kind, UTCDateTime):
        return partial(values.parse_datetime, zone=zone), None
    if isinstance(kind, Date):
        return values.parse_date, None
    if isinstance(kind, Boolean):
        return values.parse_bool, None
    if isinstance(kind, Numeric):
        return values.decimal_parser(kind.scale or 0, kind.precision or 18), None
    if isinstance(kind, Integer):
        return values.parse_int, None
    raise TypeError(f"no CSV parser for column {column.name} of type {kind!r}")
