"""``conductor crm ...``: search, context, win-back queue, duplicates and merges."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from conductor.cli.state import state
from conductor.crm import analytics, service
from conductor.crm.stats import refresh_customer_stats, stale_customer_ids
from conductor.store.migrate import require_current

app = typer.Typer(help="Customers: search, context, win-back, duplicates.", no_args_is_help=True)
console = Console()
JSON_OPT = typer.Option(False, "--json", help="Print JSON for scripts instead of a table.")


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


@app.command("search")
def search(
    ctx: typer.Context,
    text: str = typer.Argument(..., help="Start of a name, last name, phone, e-mail or member id."),
    limit: int = typer.Option(25, min=1, max=500),
    as_json: bool = JSON_OPT,
) -> None:
    """Find customers as you type: by name, last name, phone, e-mail or member id."""
    st = state(ctx)
    require_current(st.engine)
    with st.sessions() as session:
        found = service.search_customers(session, text, limit=limit)
        rows: list[dict[str, Any]] = [
            {
                "id": c.id,
                "member_id": c.member_id,
                "name": c.name,
                "phone": c.phone,
                "email": c.email,
                "visits": c.visit_count,
                "lifetime_value": str(c.lifetime_value),
                "last_visit": c.last_visit_at.isoformat() if c.last_visit_at else None,
            }
            for c in found
        ]
    if as_json:
        _print_json(rows)
        return
    table = Table("member id", "name", "phone", "e-mail", "visits", "lifetime $", "last visit")
    for c in found:
        last = c.last_visit_at.date().isoformat() if c.last_visit_at else ""
        table.add_row(
            c.member_id, c.name, c.phone or "", c.email or "",
            str(c.visit_count), str(c.lifetime_value), last,
        )  # fmt: skip
    console.print(table)
    console.print(f"{len(rows)} customer(s)")


@app.command("context")
def context(
    ctx: typer.Context,
    ident: str = typer.Argument(..., metavar="PHONE_OR_ID", help="Phone, member id or id."),
    as_json: bool = JSON_OPT,
) -> None:
    """Everything a texting agent needs about one customer."""
    st = state(ctx)
    require_current(st.engine)
    with st.sessions() as session:
        customer = service.get_customer(session, ident, region=st.settings.default_region)
        data = analytics.customer_sms_context(
            session, customer, now=datetime.now(UTC), zone=st.settings.zone
        ).as_dict()
    if as_json:
        _print_json(data)
        return
    table = Table("field", "value", show_header=False)
    for key, value in data.items():
        shown = ", ".join(value) if isinstance(value, list) else "" if value is None else str(value)
        table.add_row(key.replace("_", " "), shown)
    console.print(table)


@app.command("winback")
def winback(
    ctx: typer.Context,
    limit: int = typer.Option(25, min=1, max=10_000),
    as_json: bool = JSON_OPT,
) -> None:
    """Lapsed but valuable customers, best first (value x frequency x recency)."""
    st = state(ctx)
    require_current(st.engine)
    with st.sessions() as session:
        queue = analytics.win_back_priority_queue(session, now=datetime.now(UTC), limit=limit)
    if as_json:
        _print_json([_entry_dict(e) for e in queue])
        return
    table = Table("#", "member id", "name", "phone", "lifetime $", "visits", "days since", "score")
    for rank, e in enumerate(queue, 1):
        table.add_row(
            str(rank), e.member_id, e.name, e.phone, str(e.lifetime_value),
            str(e.visits), str(e.days_since_last_visit), f"{e.score:.1f}",
        )  # fmt: skip
    console.print(table)


def _entry_dict(entry: analytics.WinBackEntry) -> dict[str, Any]:
    out = dict(entry.__dict__)
    out["lifetime_value"] = str(entry.lifetime_value)
    out["last_visit"] = entry.last_visit.isoformat()
    return out


@app.command("refresh-stats")
def refresh_stats(ctx: typer.Context) -> None:
    """Recompute every customer's cached analytics from the transactions (a repair tool)."""
    st = state(ctx)
    require_current(st.engine)
    with st.sessions() as session:
        refresh_customer_stats(session, None)
        session.commit()
        stale = stale_customer_ids(session)
    console.print("cached analytics recomputed" + (f"; still stale: {stale}" if stale else ""))


from conductor.cli import dedupe  # noqa: E402

app.command("duplicates")(dedupe.duplicates)
app.command("merge")(dedupe.merge)
