"""``conductor bot run``: the bot worker, until SIGTERM/SIGINT."""

from __future__ import annotations

import logging
import signal
import socket
import threading

import typer
from rich.console import Console

from conductor.cli.state import state

app = typer.Typer(help="The texting bot.", no_args_is_help=True)
console = Console()


@app.command("run")
def run(ctx: typer.Context) -> None:
    """Answer unread texts: STOP/START/HELP first, then from each customer's own context."""
    from conductor.bot.service import BotOptions
    from conductor.bot.worker import BotWorker, make_responder
    from conductor.store.migrate import require_current

    st = state(ctx)
    require_current(st.engine)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    worker = BotWorker(
        st.sessions,
        BotOptions.from_settings(st.settings, f"bot@{socket.gethostname()}"),
        make_responder(st.settings),
    )
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    worker.run(stop)
    console.print(f"bot stopped: {dict(worker.counts)}")
