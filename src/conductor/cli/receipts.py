"""``conductor receipts ...``: send a receipt photo from the shop's computer (a scanner, a
photo someone e-mailed), and list receipts by status."""

from __future__ import annotations

import mimetypes
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from conductor.cli.crm import JSON_OPT, _print_json
from conductor.cli.state import state
from conductor.store import migrate

app = typer.Typer(
    help="Loyalty receipts: send a photo for points, list them.", no_args_is_help=True
)
console = Console()


@app.command("submit")
def submit(
    ctx: typer.Context,
    photo: Path = typer.Argument(..., exists=True, dir_okay=False, help="The receipt photo."),
    name: str = typer.Option(..., "--name", help="The customer's name."),
    phone: str = typer.Option("", "--phone", help="Their mobile number (confirmation by text)."),
    email: str = typer.Option("", "--email", help="Their e-mail address."),
    as_json: bool = JSON_OPT,
) -> None:
    """Read one receipt and decide it, as the public form does; prints the outcome."""
    from conductor.loyalty.customers import Submitter
    from conductor.loyalty.desk import ReceiptDesk

    st = state(ctx)
    migrate.require_current(st.engine)
    settings = st.settings
    who = Submitter.checked(name, phone, email, region=settings.default_region)
    desk = ReceiptDesk.from_settings(settings)
    kind = mimetypes.guess_type(photo.name)[0]
    with st.sessions() as session:
        outcome = desk.submit(
            session, who, photo.read_bytes(), kind, now=datetime.now(UTC), channel="console"
        )
        session.commit()
        receipt = outcome.receipt
        result: dict[str, Any] = {
            "id": receipt.id,
            "status": receipt.status,
            "reasons": receipt.reasons,
            "note": receipt.decision_note,
            "receipt_number": receipt.receipt_number,
            "qualifying_spend": str(receipt.qualifying_spend),
            "customer_points": outcome.customer_points,
            "budtender_points": outcome.budtender_points,
        }
    if as_json:
        _print_json(result)
        return
    console.print(f"receipt {result['id']}: [bold]{result['status']}[/bold]", highlight=False)
    if result["status"] == "approved":
        console.print(
            f"qualifying spend {result['qualifying_spend']}: {result['customer_points']} points "
            f"for the customer, {result['budtender_points']} for the budtender"
        )
    for reason in result["reasons"] or ([result["note"]] if result["note"] else []):
        console.print(f"  - {reason}", highlight=False)


@app.command("list")
def list_receipts(
    ctx: typer.Context,
    status: str = typer.Option("review", "--status", help="review, approved, rejected, duplicate"),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    as_json: bool = JSON_OPT,
) -> None:
    """Receipts with this status, newest first."""
    from conductor.loyalty.models import STATUSES, Receipt

    if status not in STATUSES:
        raise typer.BadParameter(f"one of {', '.join(STATUSES)}", param_hint="--status")
    st = state(ctx)
    migrate.require_current(st.engine)
    with st.sessions() as session:
        stmt = (
            select(Receipt)
            .where(Receipt.status == status)
            .order_by(Receipt.submitted_at.desc(), Receipt.id.desc())
            .limit(limit)
        )
        rows: list[dict[str, Any]] = [
            {
                "id": r.id,
                "submitted_at": r.submitted_at.isoformat(),
                "name": r.submitter_name,
                "receipt_number": r.receipt_number,
                "total": str(r.total) if r.total else None,
                "qualifying_spend": str(r.qualifying_spend),
                "reasons": r.reasons,
                "note": r.decision_note,
            }
            for r in session.scalars(stmt)
        ]
    if as_json:
        _print_json(rows)
        return
    table = Table("id", "sent", "from", "receipt no.", "total", "qualifying", "why")
    for row in rows:
        why = "; ".join(row["reasons"]) or row["note"]
        table.add_row(
            str(row["id"]),
            row["submitted_at"][:16],
            row["name"],
            row["receipt_number"] or "",
            row["total"] or "",
            row["qualifying_spend"],
            why,
        )
    console.print(table)
