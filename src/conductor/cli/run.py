"""``conductor run``: the console, the gateway and the bot in one process, stopped together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from conductor.cli.state import state

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from conductor.config import Settings

console = Console()


def _quiet_server(config: Any) -> Any:
    """uvicorn without its own signal handling: ``conductor run`` stops everything at once."""
    import uvicorn

    class _Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    return _Server(config)


def run(
    ctx: typer.Context,
    modem: str = typer.Option("", "--modem", help="'virtual' or a serial port (default: setting)."),
) -> None:
    """Run the console (and API), the gateway and the bot together until SIGTERM/SIGINT."""
    from conductor.store.migrate import require_current

    st = state(ctx)
    require_current(st.engine)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    url = f"http://{st.settings.web_host}:{st.settings.web_port}/"
    console.print(f"console on {url} (gateway on {modem or st.settings.modem_port})")
    asyncio.run(run_all(st.settings, st.sessions, modem or None))


async def run_all(settings: Settings, sessions: sessionmaker[Session], port: str | None) -> None:
    import uvicorn

    from conductor.bot.service import BotOptions
    from conductor.bot.worker import BotWorker, make_responder
    from conductor.gateway.runner import gateway_on, on_stop_signals
    from conductor.web.app import create_app

    app = create_app(settings, sessions)
    server = _quiet_server(uvicorn.Config(app, host=settings.web_host, port=settings.web_port,
                                          log_level="info", access_log=False))  # fmt: skip
    bot = BotWorker(
        sessions, BotOptions.from_settings(settings, "bot@run"), make_responder(settings)
    )
    bot_stop = threading.Event()
    async with gateway_on(settings, sessions, port) as gateway:

        def stop() -> None:
            gateway.should_exit.set()
            server.should_exit = True
            bot_stop.set()

        async def serve() -> None:
            try:
                await server.serve()
            finally:
                gateway.should_exit.set()
                bot_stop.set()

        async def relay() -> None:
            try:
                await gateway.run()
            finally:
                server.should_exit = True

        with on_stop_signals(stop):
            await asyncio.gather(relay(), serve(), asyncio.to_thread(bot.run, bot_stop))
