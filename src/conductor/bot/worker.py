"""The bot worker loop: claim an unread text, answer it, commit; sleep a little when idle."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from conductor.bot.llm import LlmResponder
from conductor.bot.offline import OfflineResponder
from conductor.bot.responder import Responder
from conductor.bot.service import BotOptions, claim_inbound, handle
from conductor.config import Settings
from conductor.messaging import status as st
from conductor.messaging.models import Message

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


def make_responder(settings: Settings) -> Responder:
    """The LLM responder when an endpoint is configured (falling back to offline), else offline."""
    offline = OfflineResponder()
    if not settings.llm_base_url:
        return offline
    return LlmResponder(base_url=settings.llm_base_url, model=settings.llm_model,
                        api_key=settings.llm_api_key or None, timeout=settings.llm_timeout_s,
                        fallback=offline)  # fmt: skip


class BotWorker:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        options: BotOptions,
        responder: Responder,
        *,
        idle: float = 0.2,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.sessions = sessions
        self.options = options
        self.responder = responder
        self.idle = idle
        self.clock = clock
        self.counts: Counter[str] = Counter()

    def run(self, stop: threading.Event) -> None:
        log.info("bot worker %s started", self.options.worker_id)
        while not stop.is_set():
            if not self.run_once():
                stop.wait(self.idle)
        log.info("bot worker %s stopped: %s", self.options.worker_id, dict(self.counts))

    def run_once(self) -> bool:
        """Handle one unread text; False when there was none."""
        now = self.clock()
        message_id: int | None = None
        try:
            with self.sessions.begin() as session:
                message = claim_inbound(session, worker_id=self.options.worker_id, now=now,
                                        lease=self.options.lease)  # fmt: skip
                if message is None:
                    return False
                message_id = message.id
                outcome = handle(session, message, options=self.options,
                                 responder=self.responder, now=now)  # fmt: skip
            self.counts[outcome.kind] += 1
            return True
        except Exception:
            log.exception("bot could not handle message %s; handing it to a person", message_id)
            self._hand_over(message_id, now)
            return message_id is not None

    def _hand_over(self, message_id: int | None, now: datetime) -> None:
        if message_id is None:
            return
        with self.sessions.begin() as session:
            message = session.get_one(Message, message_id)
            message.status, message.lease_until = st.NEEDS_HUMAN, None
            message.error_message = "the bot failed on this text"
            message.updated_at = now
        self.counts["failed"] += 1
