"""The gateway's heartbeat: what the modem says of itself, kept in ``gateway_state``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from conductor.messaging.models import GatewayState
from conductor.modem.sim7600 import Sim7600

REGISTRATION = {0: "not registered", 1: "home", 2: "searching", 3: "denied", 5: "roaming"}


async def record_state(
    sessions: sessionmaker[Session], sim: Sim7600, gateway_id: str, now: datetime
) -> None:
    signal = await sim.signal()
    registration = await sim.registration()
    operator = await sim.operator()
    storage = await sim.storage()
    with sessions.begin() as session:
        row = session.get(GatewayState, gateway_id)
        if row is None:
            row = GatewayState(gateway_id=gateway_id, port="", started_at=now)
            session.add(row)
        row.heartbeat_at = now
        row.signal_rssi = signal.rssi
        row.registration = REGISTRATION.get(registration.stat, f"unknown ({registration.stat})")
        row.operator = operator.name
        row.storage_used, row.storage_total = storage.used, storage.total
