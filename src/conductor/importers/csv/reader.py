"""Reading a POS export: encoding detection, header mapping, rows streamed with line numbers.

Encoding: a UTF-8 byte-order mark means ``utf-8-sig``. Otherwise a first pass over the bytes
decides before any row is read: 1 MiB chunks go through a strict incremental UTF-8 decoder
(constant memory); if every byte decodes the file is UTF-8, else it is Windows-1252. Deciding up
front, rather than catching the decode error mid-import and restarting, means no row is ever
written under the wrong encoding, whatever line the first non-ASCII byte is on; the cost is
reading the file twice, which the operating system's cache makes cheap. A file that is neither
(it holds bytes Windows-1252 leaves undefined) is refused as a whole.

Rows are streamed through :mod:`csv` and carry the physical line they start on (1 = header), so a
quoted value spanning lines does not shift the numbers after it. Blank rows are skipped. Text
that is not CSV at all (a field over the :mod:`csv` size limit) stops the import there with
:class:`InvalidInput`; what was committed before stays, and importing again is idempotent.
"""

from __future__ import annotations

import _csv
import codecs
import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter
from pathlib import Path

from conductor.errors import InvalidInput
from conductor.importers.csv.layout import REQUIRED, canonical_header

_CHUNK = 1 << 20
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")


@dataclass
class Rows:
    """Records of the file, in order: the line each starts on and its cells as written."""

    lines: list[int]
    cells: list[list[str]]

    def __len__(self) -> int:
        return len(self.lines)


@dataclass(frozen=True)
class Header:
    """Which canonical column each header cell stands for."""

    kind: str
    names: tuple[str, ...]
    columns: dict[str, int]
    ignored: tuple[str, ...]


@dataclass
class CsvFile:
    """An open export: its encoding, header, size in bytes and the rows after the header."""

    path: Path
    encoding: str
    header: Header
    size: int
    _reader: _csv.Reader
    _binary: io.BufferedReader

    def bytes_read(self) -> int:
        return self._binary.tell()

    def batches(self, size: int) -> Iterator[Rows]:
        """The records after the header, ``size`` at a time; InvalidInput where the file stops
        being CSV (the batches before it are yielded first)."""
        reader = self._reader
        while True:
            before = reader.line_num  # the line the previous record ended on
            records: list[list[str]] = []
            try:
                records.extend(islice(reader, size))  # keeps what it read if the reader fails
            except csv.Error as exc:
                line = _first_lines(records, before, None)[-1] if records else before
                line += _span(records[-1]) if records else 1
                where = f"line {line} cannot be read as CSV"
                raise InvalidInput(f"{self.path}: {where}: {exc}") from exc
            if not records:
                return
            batch = _without_blanks(Rows(_first_lines(records, before, reader.line_num), records))
            if batch:
                yield batch


def _without_blanks(rows: Rows) -> Rows:
    """The rows that hold something (an empty line, or cells of white space only, do not)."""
    if [] not in rows.cells and "" not in map(str.strip, map(itemgetter(0), rows.cells)):
        return rows  # every first cell holds something: no row is blank
    kept = Rows([], [])
    for line, cells in zip(rows.lines, rows.cells, strict=True):
        if cells and (cells[0].strip() or any(c.strip() for c in cells)):
            kept.lines.append(line)
            kept.cells.append(cells)
    return kept


def _first_lines(records: list[list[str]], before: int, after: int | None) -> list[int]:
    """The line each record starts on, the first one right after line ``before``.

    When the records end on line ``after`` and are as many as the lines, each has one line.
    Otherwise a record spans one line more for each line break in its quoted values (the
    reader splits lines at ``\\n``, ``\\r\\n`` and ``\\r`` and keeps them in the values).
    """
    if after is not None and after - before == len(records):
        return list(range(before + 1, after + 1))
    starts: list[int] = []
    line = before + 1
    for cells in records:
        starts.append(line)
        line += _span(cells)
    return starts


def _span(cells: list[str]) -> int:
    """How many lines a record takes: one, and one more for each line break in its values."""
    return 1 + sum(c.count("\n") + c.count("\r") - c.count("\r\n") for c in cells)


def detect_encoding(path: Path) -> str:
    """``utf-8-sig``, ``utf-8`` or ``cp1252`` (see the module docstring)."""
    with path.open("rb") as binary:
        if binary.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8:
            return "utf-8-sig"
        binary.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
        utf8 = cp1252 = True
        while chunk := binary.read(_CHUNK):
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            cp1252 = cp1252 and not any(b in chunk for b in _CP1252_UNDEFINED)
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
    if utf8:
        return "utf-8"
    if cp1252:
        return "cp1252"
    raise InvalidInput(f"{path} is neither UTF-8 nor Windows-1252 text: save it as CSV UTF-8")


def map_header(kind: str, cells: list[str]) -> Header:
    """Canonical columns by position; InvalidInput naming any required column that is missing."""
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        name = canonical_header(kind, cell)
        if name is None or name in columns:
            if cell.strip():
                ignored.append(cell.strip())
            continue
        columns[name] = index
    missing = [name for name in REQUIRED[kind] if name not in columns]
    if missing:
        raise InvalidInput(
            f"the {kind} file has no {', '.join(missing)} column "
            f"(required: {', '.join(REQUIRED[kind])}; found: {', '.join(cells)})"
        )
    return Header(kind, tuple(cells), columns, tuple(ignored))


@contextmanager
def open_csv(path: Path, kind: str) -> Iterator[CsvFile]:
    """Open ``path`` as a ``kind`` export; InvalidInput if it is missing or has no usable header."""
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    encoding = detect_encoding(path)
    with (
        path.open("rb") as binary,
        io.TextIOWrapper(binary, encoding=encoding, newline="") as text,
    ):
        reader = csv.reader(text)
        first = next(reader, None)
        if first is None:
            raise InvalidInput(f"{path} is empty: the first line must be the header")
        header = map_header(kind, first)
        size = path.stat().st_size
        yield CsvFile(path, encoding, header, size, reader, binary)
