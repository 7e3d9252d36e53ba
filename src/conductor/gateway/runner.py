"""Run a gateway process: open the modem (or start the virtual one), wire signals, run."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator

from sqlalchemy.orm import Session, sessionmaker

from conductor.config import Settings
from conductor.gateway.daemon import Gateway
from conductor.gateway.options import GatewayOptions
from conductor.modem.modem import Modem
from conductor.modem.sim7600 import Sim7600
from conductor.modem.virtual import VirtualModem

VIRTUAL = "virtual"


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


async def run_gateway(
    settings: Settings, sessions: sessionmaker[Session], port: str | None = None
) -> Gateway:
    """Run until SIGTERM or SIGINT; returns the gateway (its counts) after a clean shutdown."""
    port = port or settings.modem_port
    async with open_modem(port, settings.modem_baudrate) as modem:
        gateway = Gateway(sessions, Sim7600(modem), GatewayOptions.from_settings(settings, port))
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, gateway.should_exit.set)
        try:
            await gateway.run()
        finally:
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(signum)
    return gateway
