"""The bot's work on one inbound text: claim it, answer it once, mark it handled.

Order matters: compliance keywords first (STOP/START/HELP, no model involved), then nothing at
all for a number that opted out, then an answer from the customer's own context. The reply and
the inbound message's new status commit together, so a text is answered exactly once even with
several workers (claims are a compare-and-set with a lease, like the gateway's).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from conductor.bot import keywords
from conductor.bot.context import BusinessInfo
from conductor.bot.gather import gather
from conductor.bot.intents import detect_intent
from conductor.bot.responder import Reply, Responder
from conductor.config import Settings
from conductor.mail import MailSettings, mail_enabled
from conductor.messaging import consent, service
from conductor.messaging import status as st
from conductor.messaging.email import send_email_message
from conductor.messaging.models import Message

STOP_REPLY = "{name}: you're unsubscribed and will get no more texts. Reply START to resubscribe."
START_REPLY = "{name}: you're subscribed again. Reply STOP to opt out, HELP for help."


@dataclass(frozen=True)
class BotOptions:
    worker_id: str
    business: BusinessInfo
    zone: ZoneInfo
    draft: bool = False
    lease: timedelta = timedelta(minutes=1)
    mail: MailSettings | None = None
    """Where replies to e-mail conversations go out (None: e-mail is off)."""

    @classmethod
    def from_settings(cls, settings: Settings, worker_id: str) -> BotOptions:
        help_text = settings.help_text or (
            f"{settings.business_name}: questions? Call {settings.shop_phone}. "
            "Reply STOP to opt out."
        )
        business = BusinessInfo(settings.business_name, settings.shop_hours,
                                settings.shop_address, settings.shop_phone, help_text)  # fmt: skip
        mail = MailSettings.from_settings(settings) if mail_enabled(settings) else None
        return cls(worker_id, business, settings.zone, draft=settings.bot_mode == "draft",
                   mail=mail)  # fmt: skip


@dataclass(frozen=True)
class Handled:
    kind: str  # stop | start | help | reply | opted_out | unanswerable
    reply_id: int | None = None
    responder: str | None = None


def claim_inbound(
    session: Session, *, worker_id: str, now: datetime, lease: timedelta
) -> Message | None:
    """Lease the oldest unread inbound SMS nobody else holds."""
    free = or_(Message.lease_until.is_(None), Message.lease_until < now)
    stmt = (
        select(Message.id)
        .where(Message.direction == st.INBOUND, Message.status == st.UNREAD, free)
        .where(Message.malformed.is_(False))
        .order_by(Message.id)
        .limit(5)
    )
    for message_id in session.scalars(stmt).all():
        taken = session.execute(
            update(Message)
            .where(Message.id == message_id, Message.status == st.UNREAD, free)
            .values(claimed_by=worker_id, lease_until=now + lease)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            return session.get_one(Message, message_id, populate_existing=True)
    return None


def handle(
    session: Session, message: Message, *, options: BotOptions, responder: Responder, now: datetime
) -> Handled:
    if message.channel == "sms" and not message.phone_number.startswith("+"):  # alphanumeric
        _done(message, st.NEEDS_HUMAN, now)
        return Handled("unanswerable")
    keyword = keywords.compliance_keyword(message.content)
    if keyword is not None:
        return _compliance(session, message, keyword, options, now)
    if consent.is_opted_out(session, message.phone_number):
        _done(message, st.READ, now)
        return Handled("opted_out")
    intent = detect_intent(message.content)
    context = gather(session, message, intent=intent, business=options.business, now=now,
                     zone=options.zone, with_catalogue=responder.uses_catalogue)  # fmt: skip
    reply = responder.reply(context, intent)
    if message.channel == "email":
        return _by_email(session, message, reply, options, now)
    queued = _queue(session, message, reply, draft=options.draft, now=now)
    _done(message, st.NEEDS_HUMAN if reply.needs_human else st.READ, now)
    return Handled("reply", queued.id, reply.responder)


def _compliance(
    session: Session, message: Message, keyword: str, options: BotOptions, now: datetime
) -> Handled:
    name = options.business.name
    if keyword == keywords.HELP:
        text = options.business.help_text
    else:
        opted_out = keyword == keywords.STOP
        consent.record_consent(session, message.phone_number, opted_out=opted_out,
                               source=f"keyword {message.content.strip().upper()[:40]}",
                               at=now, message_id=message.id)  # fmt: skip
        text = (STOP_REPLY if opted_out else START_REPLY).format(name=name)
    reply = Reply(text, "compliance", keyword)
    queued = _queue(session, message, reply, draft=False, now=now, compliance=True)
    _done(message, st.READ, now)
    return Handled(keyword, queued.id, "compliance")


def _queue(
    session: Session,
    message: Message,
    reply: Reply,
    *,
    draft: bool,
    now: datetime,
    compliance: bool = False,
) -> Message:
    return service.queue_outbound(
        session, phone_number=message.phone_number, content=reply.text, now=now,
        suggested=draft, in_reply_to_id=message.id, compliance=compliance,
        responder=f"bot-{reply.responder}",
    )  # fmt: skip


def _by_email(
    session: Session, message: Message, reply: Reply, options: BotOptions, now: datetime
) -> Handled:
    """An e-mail conversation is answered by e-mail (logged in messages as channel email)."""
    if options.mail is None or options.draft:
        _done(message, st.NEEDS_HUMAN, now)  # e-mail off, or a person approves replies
        return Handled("unanswerable")
    sent = send_email_message(
        session, options.mail, to=message.phone_number,
        subject=f"Re: your message to {options.business.name}", body=reply.text, now=now,
        customer_id=message.customer_id, in_reply_to_id=message.id,
        responder=f"bot-{reply.responder}",
    )  # fmt: skip
    _done(message, st.NEEDS_HUMAN if reply.needs_human or sent.status != st.SENT else st.READ, now)
    return Handled("reply", sent.id, reply.responder)


def _done(message: Message, status: str, now: datetime) -> None:
    message.status = status
    message.lease_until = None
    message.updated_at = now
