"""The gateway's commands: ``gateway run``, ``status``, ``send``, ``modem probe``."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.table import Table

from conductor.cli.state import state
from conductor.messaging import service
from conductor.messaging import status as st
from conductor.messaging.models import GatewayState
from conductor.store.migrate import require_current

app = typer.Typer(help="The SMS gateway: run it against a modem.", no_args_is_help=True)
modem_app = typer.Typer(help="Modem diagnostics.", no_args_is_help=True)
console = Console()
FINAL = (st.SENT, st.DELIVERED, st.FAILED, st.CANCELLED)


@app.command("run")
def run(
    ctx: typer.Context,
    modem: str = typer.Option("", "--modem", help="'virtual' or a serial port (default: setting)."),
) -> None:
    """Run the gateway until SIGTERM/SIGINT: receive, store, send, track delivery."""
    from conductor.gateway.runner import run_gateway

    st_ = state(ctx)
    require_current(st_.engine)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    gateway = asyncio.run(run_gateway(st_.settings, st_.sessions, modem or None))
    console.print(f"gateway stopped: {dict(gateway.counts)}")


def status(ctx: typer.Context) -> None:
    """Messages per status, and what each gateway last saw of its modem."""
    st_ = state(ctx)
    require_current(st_.engine)
    with st_.sessions() as session:
        counts = service.status_counts(session)
        gateways = list(session.query(GatewayState).order_by(GatewayState.gateway_id))
    table = Table("direction", "status", "messages")
    for (direction, status_), n in sorted(counts.items()):
        table.add_row(direction, status_, str(n))
    console.print(table)
    now = datetime.now(UTC)
    for g in gateways:
        age = (now - g.heartbeat_at).total_seconds()
        console.print(
            f"gateway {g.gateway_id}: heartbeat {age:.0f} s ago, signal {g.signal_rssi}/31, "
            f"{g.registration}, operator {g.operator}, storage {g.storage_used}/{g.storage_total}"
        )
    if not gateways:
        console.print("no gateway has reported yet (start one: conductor gateway run)")


def send(
    ctx: typer.Context,
    number: str = typer.Argument(..., help="Phone number, any format."),
    text: str = typer.Argument(..., help="The message (long and emoji texts are fine)."),
    wait: bool = typer.Option(False, "--wait", help="Wait until it is sent or fails."),
    timeout: float = typer.Option(120.0, help="Seconds to wait with --wait."),
) -> None:
    """Queue a text for the gateway (and with --wait, wait for the result)."""
    st_ = state(ctx)
    require_current(st_.engine)
    with st_.sessions.begin() as session:
        message = service.queue_outbound(
            session, phone_number=number, content=text, now=datetime.now(UTC),
            region=st_.settings.default_region,
        )  # fmt: skip
        message_id = message.id
    console.print(f"queued message {message_id}")
    if not wait:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with st_.sessions() as session:
            message = service.get_message(session, message_id)
            if message.status in FINAL:
                console.print(
                    f"message {message_id}: {message.status} {message.error_message or ''}"
                )
                raise typer.Exit(0 if message.status in (st.SENT, st.DELIVERED) else 1)
        time.sleep(0.2)
    console.print(f"message {message_id}: still {message.status} after {timeout:.0f} s")
    raise typer.Exit(2)


@modem_app.command("probe")
def probe(
    ctx: typer.Context,
    modem: str = typer.Option("", "--modem", help="'virtual' or a serial port (default: setting)."),
) -> None:
    """Talk to the modem and print what it says of itself (no database needed)."""
    settings = state(ctx).settings
    port = modem or settings.modem_port
    rows = asyncio.run(_probe(port, settings.modem_baudrate))
    table = Table("", "", show_header=False)
    for key, value in rows:
        table.add_row(key, value)
    console.print(table)


async def _probe(port: str, baudrate: int) -> list[tuple[str, str]]:
    from conductor.gateway.runner import open_modem
    from conductor.modem.sim7600 import Sim7600

    async with open_modem(port, baudrate) as driver:
        sim = Sim7600(driver)
        await sim.initialise()
        ident = await sim.identity()
        signal, reg = await sim.signal(), await sim.registration()
        operator, storage = await sim.operator(), await sim.storage()
    return [
        ("port", port),
        ("model", f"{ident.manufacturer} {ident.model} ({ident.revision})"),
        ("IMEI", ident.imei),
        ("SIM", "present" if ident.iccid else "absent"),
        ("signal", f"{signal.rssi}/31"),
        ("registered", "yes" if reg.registered else f"no (stat {reg.stat})"),
        ("operator", operator.name or "-"),
        ("storage", f"{storage.used}/{storage.total}"),
    ]
