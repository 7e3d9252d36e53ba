"""``conductor import KIND FILE``: streaming, idempotent CSV import."""

from __future__ import annotations

import typer


def import_file(ctx: typer.Context) -> None:
    """Import a CSV file (not yet written)."""
    raise typer.Exit(2)
