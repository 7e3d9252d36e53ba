"""Kill -9 the gateway again and again while 500 texts come in and 500 go out.

The virtual SIM7600 lives in this test process (like a real modem, it outlives the gateway);
the gateway is the real ``conductor gateway run`` in a child process, on the modem's pty.
At the end every inbound text is stored exactly once, and every outbound text was sent, or was
failed as "may have gone out" because a kill struck between writing AT+CMGS and recording the
answer. Sends the modem performed more than once are counted and reported.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from conductor.gateway.outbound import INTERRUPTED
from conductor.messaging import service
from conductor.messaging import status as st
from conductor.messaging.models import GatewayState, Message
from conductor.modem.virtual import VirtualModem

N = 500


def _gateway(port: str, db_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CONDUCTOR_DATABASE_URL": db_url,
        "CONDUCTOR_SEND_INTERVAL_S": "0",
        "CONDUCTOR_SWEEP_INTERVAL_S": "0.5",
        "CONDUCTOR_LEASE_S": "1",
        "CONDUCTOR_GATEWAY_ID": "crash-test",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "conductor", "gateway", "run", "--modem", port],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _progress(sessions: sessionmaker[Session]) -> tuple[int, int]:
    with sessions() as s:
        rows = s.execute(select(Message.direction, Message.status)).all()
    inbound = sum(1 for d, _ in rows if d == st.INBOUND)
    pending = sum(1 for d, s_ in rows if d == st.OUTBOUND and s_ in (st.QUEUED, st.SENDING))
    return inbound, pending


def _running_since(sessions: sessionmaker[Session], moment: datetime) -> bool:
    with sessions() as s:
        beat = s.scalar(
            select(GatewayState.heartbeat_at).where(GatewayState.gateway_id == "crash-test")
        )
    return beat is not None and beat > moment


def test_sigkill_at_random_points_loses_nothing_and_stores_nothing_twice(
    sessions: sessionmaker[Session], db_url: str
) -> None:
    rng = random.Random(20261201)
    with VirtualModem(capacity=30, status_report_delay=0.01) as modem:
        with sessions.begin() as s:
            for i in range(N):
                service.queue_outbound(s, phone_number=f"+1310555{i % 100:04d}",
                                       content=f"out-{i}", now=datetime.now(UTC))  # fmt: skip
        for i in range(N):
            modem.inject_sms(f"+1415555{i % 100:04d}", f"in-{i}")
        kills = 0
        while kills < 12 and _progress(sessions) != (N, 0):
            proc = _gateway(modem.port, db_url)
            time.sleep(rng.uniform(0.8, 2.5))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills += 1
        final_start = datetime.now(UTC)
        proc = _gateway(modem.port, db_url)
        deadline = time.monotonic() + 90
        while not _running_since(sessions, final_start) and time.monotonic() < deadline:
            time.sleep(0.1)  # SIGTERM is for a running gateway, not one still starting
        while _progress(sessions) != (N, 0) and time.monotonic() < deadline:
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0, "clean shutdown on SIGTERM"
        sent_by_modem = Counter(m.text for m in modem.sent())
        left_on_modem = (modem.stored(), modem.waiting())

    with sessions() as s:
        inbound = Counter(s.scalars(select(Message.content).where(Message.direction == st.INBOUND)))
        outbound = {m.content: m for m in s.scalars(
            select(Message).where(Message.direction == st.OUTBOUND))}  # fmt: skip
    assert left_on_modem == ([], 0)
    assert inbound == Counter(f"in-{i}" for i in range(N)), "each inbound text exactly once"
    unconfirmed = [t for t, m in outbound.items() if m.error_message == INTERRUPTED]
    for text, message in outbound.items():
        assert message.status in (st.SENT, st.DELIVERED) or text in unconfirmed, (
            text,
            message.status,
        )
        if message.status in (st.SENT, st.DELIVERED):
            assert sent_by_modem[text] >= 1, f"{text} recorded sent but never sent"
    lost = [t for t in unconfirmed if sent_by_modem[t] == 0]
    duplicates = sum(n - 1 for n in sent_by_modem.values() if n > 1)
    print(
        f"\ncrash test: {kills} SIGKILLs; inbound {len(inbound)} stored once each; outbound "
        f"{N - len(unconfirmed)} confirmed, {len(unconfirmed)} held as 'may have gone out' "
        f"({len(unconfirmed) - len(lost)} had in fact gone out, {len(lost)} had not); "
        f"duplicate sends: {duplicates}"
    )
    assert duplicates == 0
    assert len(unconfirmed) <= kills  # at most one uncertain message per kill
