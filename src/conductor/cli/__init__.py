"""The ``conductor`` command: one root group, one small module per command group."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from conductor.cli import bot, crm, db, demo, gateway, importer, receipts, run, web
from conductor.cli.state import State
from conductor.errors import ConductorError

app = typer.Typer(
    help="Conductor: self-hosted SMS + CRM for shops that text their customers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(crm.app, name="crm")
app.add_typer(demo.app, name="demo")
app.command("check")(db.check)
app.command("import")(importer.import_file)
app.add_typer(gateway.app, name="gateway")
app.add_typer(gateway.modem_app, name="modem")
app.command("status")(gateway.status)
app.command("send")(gateway.send)
app.command("web")(web.web)
app.command("run")(run.run)
app.add_typer(bot.app, name="bot")
app.add_typer(receipts.app, name="receipts")
app.add_typer(web.user_app, name="user")
app.add_typer(web.token_app, name="token")


@app.callback()
def _root(ctx: typer.Context) -> None:
    """Settings are built once here and handed to every command (never at import time)."""
    ctx.obj = State()
    ctx.call_on_close(ctx.obj.close)


def main() -> None:
    try:
        app()
    except ConductorError as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}", highlight=False)
        sys.exit(1)
