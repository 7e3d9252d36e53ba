"""``conductor demo ...``: realistic synthetic data at the original system's scale."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Demo data: seed the database or write the POS CSV export.", no_args_is_help=True
)
