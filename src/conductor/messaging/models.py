"""The ``messages`` table and the rows the gateway needs beside it.

Column names of ``messages`` follow the seed system (``phone_number``, ``content``, ``direction``,
``status``, ``scheduled_for`` ...) so existing automations keep working.

Lifecycle (see :mod:`conductor.messaging.status`):
    inbound:  unread -> read ; needs_human
    outbound: suggested -> approved -> queued | scheduled -> sending -> sent -> delivered
              ; failed ; cancelled
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conductor.store.base import Base, UTCDateTime, utcnow


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_direction_status", "direction", "status"),
        Index("ix_messages_phone_created", "phone_number", "created_at"),
        Index("ix_messages_created_direction", "created_at", "direction"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone_number: Mapped[str] = mapped_column(String(40))
    content: Mapped[str] = mapped_column(Text, default="")
    direction: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10), default="sms")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    retry_count: Mapped[int] = mapped_column(Integer, default=0)
    error_message: Mapped[str | None] = mapped_column(Text)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)

    # Inbound: what the modem gave us.
    dedup_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sender_timestamp: Mapped[datetime | None] = mapped_column(UTCDateTime)
    modem_index: Mapped[int | None] = mapped_column(Integer)
    raw_pdu: Mapped[str | None] = mapped_column(Text)
    malformed: Mapped[bool] = mapped_column(Boolean, default=False)
    part_count: Mapped[int] = mapped_column(Integer, default=1)
    multipart_ref: Mapped[int | None] = mapped_column(Integer)
    incomplete: Mapped[bool] = mapped_column(Boolean, default=False)

    # Outbound: queue and lease.
    bulk: Mapped[bool] = mapped_column(Boolean, default=False)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivery_status: Mapped[int | None] = mapped_column(Integer)
    in_reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    compliance: Mapped[bool] = mapped_column(Boolean, default=False)
    """A STOP/START/HELP confirmation: the one text that may go to a number that opted out."""
    responder: Mapped[str | None] = mapped_column(String(20))
    """Who wrote an outbound text: person, bot-offline, bot-llm, api, campaign."""

    parts: Mapped[list[MessagePart]] = relationship(
        back_populates="message", order_by="MessagePart.seq"
    )


class MessagePart(Base):
    """One SMS-SUBMIT of an outbound message: its TP-MR and delivery report.

    A part row is committed with ``state='submitting'`` before ``AT+CMGS`` is written, and moves
    to ``sent`` with the TP-MR after the modem answers; a part found ``submitting`` after a crash
    may have gone out, so its message is never resent silently.
    """

    __tablename__ = "message_parts"
    __table_args__ = (
        UniqueConstraint("message_id", "seq"),
        Index("ix_message_parts_tp_mr_sent", "tp_mr", "sent_at"),
        Index("ix_message_parts_gateway_sent", "gateway_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(12))
    gateway_id: Mapped[str] = mapped_column(String(64), default="")
    tp_mr: Mapped[int | None] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    report_status: Mapped[int | None] = mapped_column(Integer)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    message: Mapped[Message] = relationship(back_populates="parts")


class InboundFragment(Base):
    """One part of a concatenated inbound SMS, kept until its siblings arrive."""

    __tablename__ = "inbound_fragments"
    __table_args__ = (Index("ix_inbound_fragments_group", "sender", "reference", "part_count"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(64), unique=True)
    sender: Mapped[str] = mapped_column(String(40))
    reference: Mapped[int] = mapped_column(Integer)
    part_count: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    sender_timestamp: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    raw_pdu: Mapped[str] = mapped_column(Text)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)


class GatewayState(Base):
    """What each running gateway last saw of its modem, for ``conductor status``."""

    __tablename__ = "gateway_state"

    gateway_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    port: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    signal_rssi: Mapped[int | None] = mapped_column(Integer)
    registration: Mapped[str | None] = mapped_column(String(40))
    operator: Mapped[str | None] = mapped_column(String(64))
    storage_used: Mapped[int | None] = mapped_column(Integer)
    storage_total: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)


class ConsentEvent(Base):
    """Append-only history of a number's consent: opt-in, opt-out, where and when."""

    __tablename__ = "consent_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone_number: Mapped[str] = mapped_column(String(40), index=True)
    channel: Mapped[str] = mapped_column(String(10), default="sms")
    kind: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(60))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))


class ConsentState(Base):
    """The latest event per number and channel, kept in the same transaction as the event;
    what the gateway checks when it claims a message."""

    __tablename__ = "consent_state"

    phone_number: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), primary_key=True, default="sms")
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(60))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
