"""A batch of mapped rows held column by column, the form the bulk statements take them in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple


class Record(NamedTuple):
    """One row that parsed: its natural key, table columns and unresolved references."""

    line: int
    cells: list[str]
    key: str
    values: dict[str, Any]
    refs: dict[str, str | None]


@dataclass
class Frame:
    """Rows of one file that parsed: every list holds one entry per row, in file order.

    ``values`` are the table's columns (the ones the file has, and what mapping derives),
    ``refs`` the references still to resolve, ``lines`` and ``cells`` where each row came from
    and what it said (for the rejects file).
    """

    key: str
    lines: list[int]
    cells: list[list[str]]
    values: dict[str, list[Any]]
    refs: dict[str, list[str | None]]

    @property
    def keys(self) -> list[str]:
        """The natural key of each row."""
        keys: list[str] = self.values[self.key]
        return keys

    def __len__(self) -> int:
        return len(self.lines)

    def take(self, positions: Sequence[int]) -> Frame:
        """The rows at ``positions``, in that order."""

        def pick(column: list[Any]) -> list[Any]:
            return [column[i] for i in positions]

        return Frame(
            self.key,
            pick(self.lines),
            pick(self.cells),
            {name: pick(column) for name, column in self.values.items()},
            {name: pick(column) for name, column in self.refs.items()},
        )

    def without(self, positions: Iterable[int]) -> Frame:
        """The rows except those at ``positions``."""
        dropped = set(positions)
        if not dropped:
            return self
        return self.take([i for i in range(len(self)) if i not in dropped])

    def rows(self) -> list[dict[str, Any]]:
        """The table columns of each row, as one dict per row."""
        names = list(self.values)
        return [
            dict(zip(names, row, strict=True)) for row in zip(*self.values.values(), strict=True)
        ]

    def runs_of_unique_keys(self) -> list[Frame]:
        """The rows cut where a key repeats an earlier one of the same run (usually one run)."""
        keys = self.keys
        if len(set(keys)) == len(keys):
            return [self]
        runs: list[Frame] = []
        seen: set[str] = set()
        start = 0
        for position, key in enumerate(keys):
            if key in seen:
                runs.append(self.take(range(start, position)))
                seen.clear()
                start = position
            seen.add(key)
        runs.append(self.take(range(start, len(keys))))
        return runs

    @classmethod
    def of_records(cls, key: str, names: Sequence[str], records: Sequence[Record]) -> Frame:
        """The frame of rows read one by one; ``names`` are the columns every record has."""
        refs = list(records[0].refs) if records else []
        return cls(
            key,
            [r.line for r in records],
            [r.cells for r in records],
            {name: [r.values[name] for r in records] for name in names},
            {name: [r.refs[name] for r in records] for name in refs},
        )
