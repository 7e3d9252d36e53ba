"""``conductor import KIND FILE`` and ``conductor import all DIR``: streaming, idempotent CSV
import."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from conductor.cli.state import state
from conductor.importers.csv.layout import KINDS
from conductor.importers.csv.service import (
    ImportSummary,
    SetProgress,
    import_csv,
    import_set,
)
from conductor.store.engine import refresh_planner_statistics
from conductor.store.migrate import require_current

console = Console()

Kind = Literal["customers", "staff", "products", "transactions", "items", "all"]
"""The choices of KIND: ``layout.KINDS`` spelled as a type, and ``all`` (a test keeps them so)."""


def import_file(
    ctx: typer.Context,
    kind: Kind = typer.Argument(
        ...,
        help=f"What FILE holds. Import in this order: {', '.join(KINDS)}; or `all`: FILE is a "
        "directory with KIND.csv for each, imported in that order by this one command.",
    ),
    file: Path = typer.Argument(
        ...,
        help="The CSV file (UTF-8, UTF-8 with BOM or Windows-1252), or the directory for `all`.",
    ),
    rejects: Path | None = typer.Option(
        None,
        "--rejects",
        help="Where to write rejected rows (default: FILE.rejects.csv); for `all`, a directory "
        "(default: beside each file).",
    ),
) -> None:
    """Import a POS export CSV, or a whole export set; importing the same again changes nothing.

    Rows are matched on their natural key (member_id, staff_id, product_id, transaction_id,
    line_id). Bad rows are written, with line number and reason, to the rejects file and the rest
    is imported; the command fails only when a file as a whole cannot be read (for `all`: checked
    for every file before anything is written).
    """
    st = state(ctx)
    require_current(st.engine)
    if kind == "all":
        with _progress({kind: file / f"{kind}.csv" for kind in KINDS}) as report:
            summaries = import_set(
                st.engine, file, st.settings, rejects_dir=rejects, progress=report
            )
        title = f"export set {file}"
    else:
        with _progress({kind: file}) as report:
            summaries = [
                import_csv(
                    st.engine,
                    kind,
                    file,
                    st.settings,
                    rejects_path=rejects,
                    progress=lambda done, total: report(kind, done, total),
                )
            ]
        title = f"{kind} from {file.name} ({summaries[0].encoding})"
    if any(summary.inserted or summary.updated for summary in summaries):
        refresh_planner_statistics(st.engine)
    _print_summaries(title, summaries)


@contextmanager
def _progress(files: dict[str, Path]) -> Iterator[SetProgress]:
    """One progress display with a bar per file (in bytes), in import order."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {
            kind: bar.add_task(f"importing {kind}", total=_size(path))
            for kind, path in files.items()
        }

        def report(kind: str, done: int, total: int) -> None:
            bar.update(tasks[kind], completed=done, total=total)

        yield report


def _size(path: Path) -> int | None:
    """The file's size, or None (an unknown total) if it is missing: the import says so."""
    return path.stat().st_size if path.is_file() else None


def _print_summaries(title: str, summaries: list[ImportSummary]) -> None:
    table = Table(title=title)
    several = len(summaries) > 1
    if several:
        table.add_column("kind")
    for name in ("inserted", "updated", "unchanged", "rejected", "seconds", "rows/s"):
        table.add_column(name, justify="right")
    for summary in summaries:
        first = [summary.kind] if several else []
        table.add_row(*first, *_figures(summary))
    if several:
        table.add_section()
        total = ImportSummary(
            kind="all",
            encoding="",
            inserted=sum(s.inserted for s in summaries),
            updated=sum(s.updated for s in summaries),
            unchanged=sum(s.unchanged for s in summaries),
            rejected=sum(s.rejected for s in summaries),
            unknown_columns=(),
            rejects_path=None,
            seconds=sum(s.seconds for s in summaries),
        )
        table.add_row("total", *_figures(total))
    console.print(table)
    for summary in summaries:
        _print_notes(summary, f"{summary.kind}: " if several else "")


def _figures(summary: ImportSummary) -> list[str]:
    rate = summary.rows / summary.seconds if summary.seconds else 0.0
    counts = (summary.inserted, summary.updated, summary.unchanged, summary.rejected)
    return [*map(str, counts), f"{summary.seconds:.1f}", f"{rate:,.0f}"]


def _print_notes(summary: ImportSummary, prefix: str) -> None:
    if prefix and summary.encoding != "utf-8":
        console.print(f"{prefix}read as {summary.encoding}", highlight=False)
    if summary.staff_created:
        console.print(f"{prefix}created {summary.staff_created} staff rows named by transactions")
    if summary.unknown_columns:
        ignored = ", ".join(summary.unknown_columns)
        console.print(f"{prefix}ignored columns: {ignored}", highlight=False)
    if summary.rejects_path is not None:
        console.print(
            f"{prefix}[yellow]{summary.rejected} rows rejected[/yellow]: "
            f"see {summary.rejects_path}",
            highlight=False,
        )
