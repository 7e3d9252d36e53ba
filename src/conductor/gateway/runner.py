"""Run a gateway process: open the modem (or start the virtual one), wire signals, run."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Callable, Iterator

from sqlalchemy.orm import Session, sessionmaker

from conductor.config import Settings
from conductor.gateway.daemon import Gateway
from conductor.gateway.options import GatewayOptions
from conductor.modem.modem import Modem
from conductor.modem.sim7600 import Sim7600
from conductor.modem.virtual import VirtualModem

VIRTUAL = "virtual"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextlib.asynccontextmanager
async def open_modem(port: str, baudrate: int) -> AsyncIterator[Modem]:
    """The driver on ``port``; ``virtual`` starts a virtual SIM7600 in this process first."""
    virtual = VirtualModem() if port == VIRTUAL else None
    path = virtual.start() if virtual else port
    try:
        modem = await Modem.open(path, baudrate=baudrate)
        try:
            yield modem
        finally:
            await modem.close()
    finally:
        if virtual:
            virtual.stop()


@contextlib.asynccontextmanager
async def gateway_on(
    settings: Settings, sessions: sessionmaker[Session], port: str | None = None
) -> AsyncIterator[Gateway]:
    """A gateway on its modem, not yet running."""
    port = port or settings.modem_port
    async with open_modem(port, settings.modem_baudrate) as modem:
        yield Gateway(sessions, Sim7600(modem), GatewayOptions.from_settings(settings, port))


@contextlib.contextmanager
def on_stop_signals(stop: Callable[[], None]) -> Iterator[None]:
    """SIGTERM and SIGINT call ``stop`` (a clean shutdown) while the block runs."""
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop)
    try:
        yield
    finally:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)


async def run_gateway(
    settings: Settings, sessions: sessionmaker[Session], port: str | None = None
) -> Gateway:
    """Run until SIGTERM or SIGINT; returns the gateway (its counts) after a clean shutdown."""
    async with gateway_on(settings, sessions, port) as gateway:
        with on_stop_signals(gateway.should_exit.set):
            await gateway.run()
    return gateway
