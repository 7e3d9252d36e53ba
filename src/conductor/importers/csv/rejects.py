"""The rejects file: one CSV line per rejected row (line, reason, then the row as it was written).

The file is created at the first reject only, in UTF-8 with a byte-order mark (spreadsheets then
show accents right). Its extra ``line`` and ``reason`` columns are not import columns, so once the
rows are fixed the rejects file itself can be imported again.
"""

from __future__ import annotations

import csv
from pathlib import Path
from types import TracebackType
from typing import IO, Any


def default_rejects_path(path: Path) -> Path:
    """``FILE.rejects.csv`` next to ``FILE``."""
    return path.with_name(path.name + ".rejects.csv")


class RejectsFile:
    """Writes rejected rows to ``path``, opening it on the first one."""

    def __init__(self, path: Path, header: tuple[str, ...]) -> None:
        self.path = path
        self.header = header
        self.count = 0
        self._stream: IO[str] | None = None
        self._writer: Any = None  # csv.writer's type is private in typeshed

    def write(self, line: int, reason: str, cells: list[str]) -> None:
        if self._writer is None:
            self._stream = self.path.open("w", encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._stream)
            self._writer.writerow(["line", "reason", *self.header])
        self._writer.writerow([line, reason, *cells])
        self.count += 1

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()

    def __enter__(self) -> RejectsFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
