"""``conductor db ...`` and ``conductor check``: schema and configuration health."""

from __future__ import annotations

import shutil

import typer
from rich.console import Console

from conductor.cli.state import state
from conductor.crm.stats import stale_customer_ids
from conductor.errors import ConfigError
from conductor.rollup import service as rollups
from conductor.store import migrate

app = typer.Typer(help="Database schema: apply and inspect the migrations.", no_args_is_help=True)
console = Console()


@app.command("upgrade")
def upgrade(ctx: typer.Context, revision: str = typer.Argument("head")) -> None:
    """Apply the migrations up to REVISION (default: the newest)."""
    st = state(ctx)
    migrate.upgrade(st.engine, revision)
    console.print(f"database at revision {migrate.current_revision(st.engine)}")


@app.command("refresh-rollups")
def refresh_rollups(ctx: typer.Context) -> None:
    """Rebuild the dashboard's rollups and their triggers from their tables (a repair tool)."""
    st = state(ctx)
    migrate.require_current(st.engine)
    with st.sessions() as session:
        rollups.rebuild(session)
        session.commit()
        left = rollups.problems(session)
    console.print("rollups rebuilt" + (f"; still wrong: {'; '.join(left)}" if left else ""))


@app.command("current")
def current(ctx: typer.Context) -> None:
    """Print the database's revision and the code's."""
    st = state(ctx)
    console.print(
        f"database: {migrate.current_revision(st.engine)}  code: {migrate.head_revision()}"
    )


def check(ctx: typer.Context) -> None:
    """Report configuration and schema problems, each with its fix."""
    problems: list[str] = []
    st = state(ctx)
    try:
        settings = st.settings
    except ConfigError as exc:
        console.print(f"[red]config[/red] {exc}")
        raise typer.Exit(1) from exc
    console.print(f"database: {st.engine.url.render_as_string(hide_password=True)}")
    problems += [
        f"{p} (fix: run `conductor db upgrade`)" for p in migrate.schema_problems(st.engine)
    ]
    if not problems:
        with st.sessions() as session:
            stale = stale_customer_ids(session, limit=5)
            wrong = rollups.problems(session)
        if stale:
            problems.append(
                f"cached customer analytics disagree with transactions for ids {stale} "
                "(fix: `conductor crm refresh-stats`)"
            )
        problems += [f"{p} (fix: `conductor db refresh-rollups`)" for p in wrong]
    console.print(f"time zone: {settings.timezone}, phone region: {settings.default_region}")
    if shutil.which("tesseract") is None:
        console.print(
            "[yellow]warning[/yellow] tesseract is not installed: every loyalty receipt waits "
            "for a person (fix: apt-get install tesseract-ocr)"
        )
    for problem in problems:
        console.print(f"[red]problem[/red] {problem}", highlight=False)
    if problems:
        raise typer.Exit(1)
    console.print("[green]ok[/green]: configuration and schema are sound")
