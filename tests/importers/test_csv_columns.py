"""Reading a batch column by column gives exactly what reading it row by row gives."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conductor.errors import RowError
from conductor.importers.csv import columns
from conductor.importers.csv.layout import COLUMNS
from conductor.importers.csv.mapping import Context, Plan
from conductor.importers.csv.reader import Rows

LA = ZoneInfo("America/Los_Angeles")
CONTEXT = Context("US", LA, datetime(2026, 1, 1, tzinfo=UTC))

# Each pool: values every parser reads first (the forms of a POS export), then other readable
# values (blank too), then values that are rejected.
MONEY = (["12.50", "0", "-3"], ["$1,234.50", "(3.00)", "22.5%", "1e2", "0.005", "", "  7.1 ",
         "1_000"], ["12,50 EUR", "99999999999", "NaN", "Infinity"])  # fmt: skip
STAMPS = (["2024-03-09T10:00:00-08:00", "2024-07-09T10:00:00-07:00", "2024-03-09T10:00:00Z"],
          ["2024-03-09 10:00", "2024-03-09", "3/9/2024 4:05 PM", "1710007200000", "",
           " 2024-03-09T10:00:00+01:00"], ["1800-01-01T00:00:00+00:00", "yesterday"])  # fmt: skip
TEXTS = (["Blue Dream", "Zoë", "MOTA"], ["", "  padded  "], ["x" * 201, "a\x00b"])
KEYS = (["T1", "T2", "T3"], [" T4 "], [""])
BOOLS = (["yes", "no"], ["", "TRUE"], ["maybe"])
INTS = (["3", "1,234"], ["12.0", ""], ["12.5", "99999999999"])
DATES = (["1990-02-03", "2/3/1990"], ["", "-315619200000"], ["02/30/1990"])
PHONES = (["(310) 555-0123"], ["", "call me"], ["9" * 41])
Pool = tuple[list[str], list[str], list[str]]


def pools_of(kind: str) -> dict[str, Pool]:
    """The cell values each canonical column of ``kind`` draws from."""
    pools: dict[str, Pool] = {
        "transactions": {"occurred_at": STAMPS, "subtotal": MONEY, "discount": MONEY,
                         "tax": MONEY, "total": MONEY},
        "items": {"quantity": MONEY, "unit_price": MONEY, "total_price": MONEY},
        "customers": {"loyalty_points": INTS, "date_of_birth": DATES, "date_joined": DATES,
                      "sms_opt_in": BOOLS, "email_opt_in": BOOLS, "phone": PHONES,
                      "email": (["a@b.com", "A@B.com"], [""], ["x" * 300]),
                      "state": (["CA", "ca"], [""], ["California"])},
    }[kind]  # fmt: skip
    keys = {"transactions": "transaction_id", "items": "line_id", "customers": "member_id"}
    return {name: pools.get(name, KEYS if name == keys[kind] else TEXTS) for name in COLUMNS[kind]}


def batches(kind: str, values: str) -> st.SearchStrategy[list[list[str]]]:
    """Rows of ``kind`` with values of the POS export forms only, readable ones, or any."""
    taken = {"export": 1, "readable": 2, "any": 3}[values]
    pools = [[value for part in pool[:taken] for value in part] for pool in pools_of(kind).values()]
    row = st.tuples(*(st.sampled_from(pool) for pool in pools)).map(list)
    return st.lists(row, min_size=1, max_size=12)


def by_rows(plan: Plan, rows: Rows) -> tuple[list[Any], list[Any]]:
    records, rejects = [], []
    for line, cells in zip(rows.lines, rows.cells, strict=True):
        try:
            record = plan.record(line, cells)
        except RowError as exc:
            rejects.append((line, str(exc)))
        else:
            records.append((record.line, record.key, record.values, record.refs))
    return records, rejects


def by_columns(plan: Plan, rows: Rows) -> tuple[list[Any], list[Any]]:
    frame, rejects = plan.frame(rows)
    records = [
        (line, key, values, {name: frame.refs[name][i] for name in frame.refs})
        for i, (line, key, values) in enumerate(
            zip(frame.lines, frame.keys, frame.rows(), strict=True)
        )
    ]
    return records, [(line, f"line {line}: {reason}") for line, reason, _ in rejects]


def exact(value: Any) -> Any:
    """Equal values that print differently (Decimal('1.0') and Decimal('1.00')) told apart."""
    if isinstance(value, Decimal | datetime):
        return (type(value), str(value))
    if isinstance(value, dict):
        return {k: exact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [exact(v) for v in value]
    return value


@pytest.mark.parametrize("kind", ["transactions", "items", "customers"])
@pytest.mark.parametrize("values", ["export", "readable", "any"])
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_a_batch_read_by_columns_equals_it_read_row_by_row(
    kind: str, values: str, data: st.DataObject
) -> None:
    table = data.draw(batches(kind, values))
    header = list(COLUMNS[kind])
    plan = Plan(kind, {name: i for i, name in enumerate(header)}, len(header), CONTEXT)
    if data.draw(st.booleans()):  # a short row
        table.append(table[0][:-1])
    rows = Rows(list(range(2, len(table) + 2)), table)
    assert exact(by_columns(plan, rows)) == exact(by_rows(plan, rows))


def test_batch_readers_round_and_convert_like_the_cell_parsers() -> None:
    read = columns.decimals(2, 12)
    assert read(["12.5", "-3", "0.005"]) == [Decimal("12.50"), Decimal("-3.00"), Decimal("0.01")]
    stamps = columns.datetimes(LA)(["2024-03-09T10:00:00-08:00", "2024-07-01T10:00:00-07:00"])
    assert stamps == [datetime(2024, 3, 9, 18, tzinfo=UTC), datetime(2024, 7, 1, 17, tzinfo=UTC)]
    assert all(stamp.tzinfo is UTC for stamp in stamps)
    assert columns.datetimes(LA)(["2024-03-09 10:00"]) == [datetime(2024, 3, 9, 18, tzinfo=UTC)]


@pytest.mark.parametrize(
    ("reader", "cells"),
    [
        (columns.decimals(2, 12), ["1", "12,50 EUR"]),
        (columns.decimals(2, 4), ["1", "100"]),
        (columns.decimals(2, 12), ["1", "NaN"]),
        (columns.datetimes(LA), ["2024-03-09", "1800-01-01"]),
        (columns.datetimes(LA), ["2024-03-09", "soon"]),
    ],
)
def test_a_bad_cell_fails_the_whole_column(reader: columns.ColumnReader, cells: list[str]) -> None:
    with pytest.raises(ValueError):
        reader(cells)


def test_texts_refuse_a_long_value_or_a_nul() -> None:
    assert columns.texts([" a ", "bc"], 2) == ["a", "bc"]
    for cells in (["abc"], ["a\x00"]):
        with pytest.raises(ValueError):
            columns.texts(cells, 2)
