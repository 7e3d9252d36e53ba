"""``conductor crm duplicates`` and ``conductor crm merge`` (being written)."""

from __future__ import annotations

import typer


def duplicates(ctx: typer.Context) -> None:
    """Report groups of duplicate customers (not yet written)."""
    raise typer.Exit(2)


def merge(ctx: typer.Context) -> None:
    """Merge a duplicate group into a survivor (not yet written)."""
    raise typer.Exit(2)
