"""``conductor crm ...``: search, context, win-back queue, duplicates and merges."""

from __future__ import annotations

import typer

app = typer.Typer(help="Customers: search, context, win-back, duplicates.", no_args_is_help=True)

from conductor.cli import dedupe  # noqa: E402

app.command("duplicates")(dedupe.duplicates)
app.command("merge")(dedupe.merge)
