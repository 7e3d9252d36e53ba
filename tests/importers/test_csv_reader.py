"""Rows are read a batch at a time with the line each starts on, as reading them one by one
(and asking the csv reader where each began) would give."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conductor.errors import InvalidInput
from conductor.importers.csv.reader import open_csv

HEADER = "member_id,first_name,last_name"
TOO_LONG = "x" * (csv.field_size_limit() + 1)
cells = st.sampled_from(["a", "Zoë", "", "  ", "x,y", 'say "hi"', "1\n2", "1\r\n2", "1\r2", "\n"])
rows = st.lists(cells, min_size=0, max_size=4)
raw_lines = st.sampled_from(["", "   ", ",,", " , ,", 'M9,"open', "M8,b,c"])


def written(row: list[str], terminator: str) -> str:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator=terminator).writerow(row)
    return out.getvalue()


def reference(text: str) -> tuple[list[tuple[int, list[str]]], int | None]:
    """Record by record: (line, cells) of each row that holds something; the line of an error."""
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    found: list[tuple[int, list[str]]] = []
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return found, None
        except csv.Error:
            return found, line
        if row and (row[0].strip() or any(c.strip() for c in row)):
            found.append((line, row))


def batched(path: Path, size: int) -> tuple[list[tuple[int, list[str]]], int | None]:
    found: list[tuple[int, list[str]]] = []
    with open_csv(path, "customers") as source:
        try:
            for batch in source.batches(size):
                found += zip(batch.lines, batch.cells, strict=True)
        except InvalidInput as exc:
            line = int(str(exc).split("line ")[1].split()[0])
            return found, line
    return found, None


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(st.one_of(rows, raw_lines), max_size=25),
    terminator=st.sampled_from(["\n", "\r\n", "\r"]),
    size=st.integers(min_value=1, max_value=7),
    failing=st.none() | st.integers(min_value=0, max_value=25),
)
def test_batches_give_each_row_the_line_it_starts_on(
    tmp_path_factory: pytest.TempPathFactory,
    pieces: list[list[str] | str],
    terminator: str,
    size: int,
    failing: int | None,
) -> None:
    if failing is not None:
        pieces.insert(min(failing, len(pieces)), ["M7", TOO_LONG])
    text = HEADER + terminator
    for piece in pieces:
        text += piece + terminator if isinstance(piece, str) else written(piece, terminator)
    path = tmp_path_factory.mktemp("csv") / "c.csv"
    path.write_bytes(text.encode("utf-8"))
    expected_rows, expected_error = reference(text)
    got_rows, got_error = batched(path, size)
    assert got_error == expected_error
    if expected_error is None:
        assert got_rows == expected_rows
    else:  # the rows of the batch the error is in are not read (nor imported)
        assert got_rows == expected_rows[: len(got_rows)]
        assert len(expected_rows) - len(got_rows) < size
