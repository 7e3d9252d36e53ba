"""The gateway daemon: startup, main loop, shutdown (the shape of uvicorn's server.py).

    startup    initialise the modem (PDU mode, storage, notifications), sweep its storage once
    main loop  four tasks until ``should_exit`` is set (SIGTERM/SIGINT, or a test):
               urcs       +CMTI -> read that index now; +CDS -> delivery report; RDY -> re-init
               sweep      read the whole storage every ``sweep_interval`` (notifications get lost)
               sender     claim queued/scheduled messages with a lease and send their parts
               upkeep     heartbeat to ``gateway_state``, release overdue multipart fragments
    shutdown   cancel and await every task, give back a claimed message not yet started,
               close the port

Inbound is store, commit, then delete from the modem. Outbound commits a ``submitting`` part
before ``AT+CMGS`` and ``sent`` with its TP-MR after, so a crash never causes a silent resend.
The modem driver's typed errors become behaviour here and only here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from conductor.gateway import inbound, outbound
from conductor.gateway.options import GatewayOptions
from conductor.gateway.state import record_state
from conductor.messaging.models import Message
from conductor.modem import pdu, urc
from conductor.modem.errors import CommandError, ModemError, ModemGone, ModemTimeout, PduError
from conductor.modem.sim7600 import Sim7600

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Gateway:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        sim: Sim7600,
        options: GatewayOptions,
        *,
        clock: Clock = utc_now,
    ) -> None:
        self.sessions = sessions
        self.sim = sim
        self.options = options
        self.clock = clock
        self.should_exit = asyncio.Event()
        self.started = asyncio.Event()
        self.counts: Counter[str] = Counter()
        self._outbound_wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._claimed: int | None = None
        # A sweep deletes by the index its listing showed; a +CMTI fetch running in between
        # could empty that slot and the modem refill it with a new message, which the sweep
        # would then delete unread. One lock makes each read-store-delete whole.
        self._inbound = asyncio.Lock()

    async def run(self) -> None:
        await self.startup()
        try:
            await self.main_loop()
        finally:
            await self.shutdown()

    async def startup(self) -> None:
        await self.sim.initialise()
        await self.sweep()
        log.info("gateway %s started", self.options.gateway_id)

    async def main_loop(self) -> None:
        for name, loop in (("urcs", self._urc_loop), ("sweep", self._sweep_loop),
                           ("sender", self._send_loop), ("upkeep", self._upkeep_loop)):  # fmt: skip
            self._tasks.append(asyncio.create_task(self._guard(name, loop), name=name))
        self.started.set()
        await self.should_exit.wait()

    async def shutdown(self) -> None:
        self.should_exit.set()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self._claimed is not None:
            with self.sessions.begin() as session:
                outbound.release(session, session.get_one(Message, self._claimed), self.clock())
        await self.sim.modem.close()
        log.info("gateway %s stopped: %s", self.options.gateway_id, dict(self.counts))

    def wake_sender(self) -> None:
        self._outbound_wake.set()

    async def _guard(self, name: str, loop: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run a task forever; a modem that went away stops the gateway (to be restarted)."""
        while not self.should_exit.is_set():
            try:
                await loop()
            except ModemGone:
                log.error("modem gone; stopping")
                self.should_exit.set()
            except (ModemError, OSError) as exc:
                log.warning("%s task: %s: %s", name, type(exc).__name__, exc)
                await asyncio.sleep(1)

    # inbound -----------------------------------------------------------------------------

    async def _urc_loop(self) -> None:
        while True:
            event = await self.sim.modem.next_urc()
            await self.handle_urc(event)

    async def handle_urc(self, event: urc.Urc) -> None:
        if isinstance(event, urc.NewMessage | urc.StoredStatusReport):
            await self.fetch(event.index)
        elif isinstance(event, urc.StatusReport | urc.IncomingMessage):
            self._store(event.pdu, None)
        elif isinstance(event, urc.ModemReady):
            log.warning("modem restarted; initialising again")
            await self.sim.initialise()
            await self.sweep()
        elif isinstance(event, urc.MalformedUrc):
            log.warning("unparseable unsolicited line from the modem: %s", event.reason)

    async def fetch(self, index: int) -> None:
        async with self._inbound:
            stored = await self.sim.read_message(index)
            if stored is not None and self._store(stored.pdu, index):
                await self.sim.delete_message(index)

    async def sweep(self) -> None:
        async with self._inbound:
            for stored in await self.sim.list_messages():
                if self._store(stored.pdu, stored.index):
                    await self.sim.delete_message(stored.index)

    async def _sweep_loop(self) -> None:
        while True:
            await asyncio.sleep(self.options.sweep_interval)
            await self.sweep()

    def _store(self, pdu_hex: str, index: int | None) -> bool:
        """Store and commit one PDU; True when it is safe to delete it from the modem."""
        try:
            with self.sessions.begin() as session:
                result = inbound.store_pdu(session, pdu_hex, modem_index=index,
                                           received_at=self.clock())  # fmt: skip
        except Exception:  # the database is down or refused it: keep it on the modem
            log.exception("could not store an inbound PDU (modem index %s); will retry", index)
            return False
        self.counts[result.kind] += 1
        if result.kind == "message":
            log.info("inbound message stored (id %s)", result.message.id if result.message else "-")
        return True

    # outbound ----------------------------------------------------------------------------

    async def _send_loop(self) -> None:
        while True:
            message_id = self._claim()
            if message_id is None:
                self._outbound_wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._outbound_wake.wait(), self.options.idle_poll)
                continue
            self._claimed = message_id
            try:
                await self.send(message_id)
            finally:
                self._claimed = None
            if self.options.send_interval:
                await asyncio.sleep(self.options.send_interval)

    def _claim(self) -> int | None:
        now = self.clock()
        with self.sessions.begin() as session:
            if self._over_daily_limit(session, now):
                return None
            message = outbound.claim_next(
                session, gateway_id=self.options.gateway_id, now=now,
                lease=self.options.lease, window_open=self.options.window.is_open(now),
            )  # fmt: skip
            return message.id if message else None

    def _over_daily_limit(self, session: Session, now: datetime) -> bool:
        limit = self.options.daily_limit
        if not limit or outbound.sent_last_day(session, self.options.gateway_id, now) < limit:
            return False
        if not self.counts["daily_limit"]:
            log.warning("daily send limit of %d parts reached; holding the queue", limit)
        self.counts["daily_limit"] += 1
        return True

    async def send(self, message_id: int) -> None:
        """Send every part not yet accepted by the modem; record the outcome."""
        with self.sessions() as session:
            message = session.get_one(Message, message_id)
            try:
                pdus = pdu.encode_submit(message.phone_number, message.content,
                                         status_report=self.options.delivery_reports,
                                         reference=message.id & 0xFF)  # fmt: skip
            except PduError as exc:
                self._failed(session, message, f"cannot encode: {exc}", permanent=True)
                return
            done = outbound.parts_done(message)
            for seq, part_pdu in enumerate(pdus, 1):
                if seq not in done and not await self._send_part(session, message, seq, part_pdu):
                    return
            outbound.finish_sent(session, message, self.clock())
            session.commit()
            self.counts["sent"] += 1

    async def _send_part(self, session: Session, message: Message, seq: int, hex_: str) -> bool:
        part = outbound.begin_part(session, message, seq, self.clock())
        session.commit()
        try:
            tp_mr = await self.sim.send(hex_)
        except CommandError as exc:
            outbound.part_refused(session, part)
            self._failed(session, message, str(exc), permanent=exc.permanent)
            return False
        except ModemTimeout:
            self._failed(session, message, outbound.INTERRUPTED, permanent=True)
            return False
        outbound.part_sent(session, part, tp_mr, self.clock())
        session.commit()
        return True

    def _failed(self, session: Session, message: Message, reason: str, *, permanent: bool) -> None:
        outbound.send_failed(session, message, reason=reason, permanent=permanent,
                             now=self.clock(), policy=self.options.retry)  # fmt: skip
        session.commit()
        self.counts["send_failed" if message.status == "failed" else "send_retry"] += 1

    # upkeep ------------------------------------------------------------------------------

    async def _upkeep_loop(self) -> None:
        while True:
            now = self.clock()
            with self.sessions.begin() as session:
                released = inbound.release_incomplete(
                    session, older_than=now - self.options.multipart_timeout, now=now
                )
            self.counts["incomplete"] += len(released)
            await record_state(self.sessions, self.sim, self.options.gateway_id, now)
            await asyncio.sleep(self.options.heartbeat_interval)
