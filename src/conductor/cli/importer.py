"""``conductor import KIND FILE``: streaming, idempotent CSV import."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from conductor.cli.state import state
from conductor.importers.csv.layout import KINDS
from conductor.importers.csv.service import ImportSummary, import_csv
from conductor.store.engine import refresh_planner_statistics
from conductor.store.migrate import require_current

console = Console()

Kind = Literal["customers", "staff", "products", "transactions", "items"]
"""The choices of KIND: ``layout.KINDS`` spelled as a type (a test keeps the two equal)."""


def import_file(
    ctx: typer.Context,
    kind: Kind = typer.Argument(
        ...,
        help=f"What the file holds. Import in this order: {', '.join(KINDS)}.",
    ),
    file: Path = typer.Argument(..., help="The CSV file (UTF-8, UTF-8 with BOM or Windows-1252)."),
    rejects: Path | None = typer.Option(
        None, "--rejects", help="Where to write rejected rows [default: FILE.rejects.csv]."
    ),
) -> None:
    """Import a POS export CSV; importing the same file again changes nothing.

    Rows are matched on their natural key (member_id, staff_id, product_id, transaction_id,
    line_id). Bad rows are written, with line number and reason, to the rejects file and the rest
    is imported; the command fails only when the file as a whole cannot be read.
    """
    st = state(ctx)
    require_current(st.engine)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(f"importing {kind}", total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        summary = import_csv(
            st.engine, kind, file, st.settings, rejects_path=rejects, progress=report
        )
    if summary.inserted or summary.updated:
        refresh_planner_statistics(st.engine)
    _print_summary(file, summary)


def _print_summary(file: Path, summary: ImportSummary) -> None:
    table = Table(title=f"{summary.kind} from {file.name} ({summary.encoding})")
    for name in ("inserted", "updated", "unchanged", "rejected", "seconds", "rows/s"):
        table.add_column(name, justify="right")
    rate = summary.rows / summary.seconds if summary.seconds else 0.0
    table.add_row(
        str(summary.inserted),
        str(summary.updated),
        str(summary.unchanged),
        str(summary.rejected),
        f"{summary.seconds:.1f}",
        f"{rate:,.0f}",
    )
    console.print(table)
    if summary.staff_created:
        console.print(f"created {summary.staff_created} staff rows named by transactions")
    if summary.unknown_columns:
        console.print(f"ignored columns: {', '.join(summary.unknown_columns)}", highlight=False)
    if summary.rejects_path is not None:
        console.print(
            f"[yellow]{summary.rejected} rows rejected[/yellow]: see {summary.rejects_path}",
            highlight=False,
        )
