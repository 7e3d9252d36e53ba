"""Run the real gateway against the virtual modem inside a test, and wait for outcomes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from conductor.gateway.daemon import Gateway
from conductor.gateway.options import GatewayOptions
from conductor.gateway.outbound import RetryPolicy
from conductor.gateway.window import SendingWindow
from conductor.modem.modem import Modem, Timeouts
from conductor.modem.sim7600 import Sim7600
from conductor.modem.virtual import VirtualModem

ALWAYS_OPEN = SendingWindow(clock_time(0), clock_time(23, 59, 59), ZoneInfo("UTC"))


def fast_options(**overrides: Any) -> GatewayOptions:
    values: dict[str, Any] = {
        "gateway_id": "test-gw",
        "window": ALWAYS_OPEN,
        "sweep_interval": 0.5,
        "send_interval": 0.0,
        "idle_poll": 0.05,
        "heartbeat_interval": 0.5,
        "retry": RetryPolicy(max_retries=3, first_delay=timedelta(seconds=0.1)),
    }
    values.update(overrides)
    return GatewayOptions(**values)


@asynccontextmanager
async def running_gateway(
    sessions: sessionmaker[Session], modem: VirtualModem, **overrides: Any
) -> AsyncIterator[Gateway]:
    driver = await Modem.open(modem.port, timeouts=Timeouts(default=2, send=3, list=3, init=2))
    gateway = Gateway(sessions, Sim7600(driver), fast_options(**overrides))
    task = asyncio.create_task(gateway.run())
    try:
        await asyncio.wait_for(gateway.started.wait(), 10)
        yield gateway
    finally:
        gateway.should_exit.set()
        await asyncio.wait_for(task, 10)


async def wait_for(condition: Callable[[], bool], *, within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await asyncio.sleep(0.02)


def now() -> datetime:
    return datetime.now(UTC)
