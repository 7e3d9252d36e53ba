"""``conductor demo ...``: realistic synthetic data at the original system's scale."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from conductor.cli.state import State, state
from conductor.demo import DemoSpec, ProgressFn, export_csv, seed_database, today_in
from conductor.loyalty.points import PointsRules
from conductor.store import migrate
from conductor.store.engine import refresh_planner_statistics

app = typer.Typer(
    help="Demo data: seed the database or write the POS CSV export.", no_args_is_help=True
)
console = Console()

SCALE = typer.Option(
    1.0, "--scale", help="1.0 = 10,047 customers and 186,394 transactions (at most 20)."
)
SEED = typer.Option(1, "--seed", help="The same seed and end date give the same data.")
END_DATE = typer.Option(
    None,
    "--end-date",
    formats=["%Y-%m-%d"],
    help="Day of the newest transaction (default: today in the shop's time zone).",
)
STAGES = {
    "customers": "customers and their sales",
    "analytics": "customer analytics",
    "partners": "partner dispensaries, budtenders and receipts",
}


@app.command("seed")
def seed_command(
    ctx: typer.Context,
    scale: float = SCALE,
    seed: int = SEED,
    end_date: datetime | None = END_DATE,
) -> None:
    """Fill an empty database with demo customers, staff, products and sales, and the partner
    network: 112 dispensaries, 524 budtenders, a few hundred loyalty receipts."""
    st = state(ctx)
    spec = _spec(st, scale, seed, end_date)
    migrate.require_current(st.engine)
    started = time.perf_counter()
    with _progress_bar() as progress:
        counts = seed_database(
            st.sessions,
            spec,
            region=st.settings.default_region,
            progress=progress,
            rules=PointsRules.from_settings(st.settings),
        )
    refresh_planner_statistics(st.engine)
    where = st.engine.url.render_as_string(hide_password=True)
    _summary(f"seeded {where}", counts, time.perf_counter() - started)


@app.command("export")
def export_command(
    ctx: typer.Context,
    directory: Path = typer.Argument(..., file_okay=False, help="Where the CSV files go."),
    scale: float = SCALE,
    seed: int = SEED,
    end_date: datetime | None = END_DATE,
) -> None:
    """Write the demo data as a POS export: customers, staff, products, transactions, items."""
    spec = _spec(state(ctx), scale, seed, end_date)
    started = time.perf_counter()
    with _progress_bar() as progress:
        counts = export_csv(directory, spec, progress=progress)
    _summary(f"wrote {directory}", counts, time.perf_counter() - started)


def _spec(st: State, scale: float, seed: int, end_date: datetime | None) -> DemoSpec:
    zone = st.settings.zone
    end = end_date.date() if end_date else today_in(zone)
    return DemoSpec(end_date=end, zone=zone, scale=scale, seed=seed)


@contextmanager
def _progress_bar() -> Iterator[ProgressFn]:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(STAGES.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield report


def _summary(title: str, counts: dict[str, int], seconds: float) -> None:
    table = Table(title=title, show_header=True)
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in counts.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    console.print(f"done in {seconds:.1f} s")
