"""Inbound: turn a PDU read from the modem into a stored message, exactly once.

The daemon reads a PDU, calls :func:`store_pdu`, commits, and only then deletes it from the
modem. The dedup key is a hash of the PDU itself, so a PDU read twice (a crash between the commit
and the delete, a sweep racing a +CMTI) lands once. Parts of a concatenated message are kept as
``inbound_fragments`` until all have arrived (keyed on sender + reference + part count), or until
:func:`release_incomplete` gives up waiting and stores what there is, flagged incomplete. A PDU
that cannot be decoded is stored raw, flagged ``malformed`` and handed to a person.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conductor.gateway.outbound import record_status_report
from conductor.messaging.models import InboundFragment, Message
from conductor.messaging.service import store_inbound
from conductor.modem import pdu
from conductor.modem.errors import PduError

MISSING_PART = "[…]"


@dataclass(frozen=True)
class Stored:
    """What became of one PDU: ``kind`` is message, fragment, report, duplicate or malformed."""

    kind: str
    message: Message | None = None


def dedup_key(pdu_hex: str) -> str:
    return hashlib.sha256(pdu_hex.strip().upper().encode()).hexdigest()[:40]


def store_pdu(
    session: Session, pdu_hex: str, *, modem_index: int | None, received_at: datetime
) -> Stored:
    """Store one PDU read from the modem's storage (or delivered as +CDS)."""
    key = dedup_key(pdu_hex)
    try:
        sms = pdu.decode(pdu_hex)
    except PduError as exc:
        message = store_inbound(
            session, sender="unknown", content="", dedup_key=key, received_at=received_at,
            raw_pdu=pdu_hex, modem_index=modem_index, malformed=True, error=f"bad PDU: {exc}",
        )  # fmt: skip
        return Stored("malformed" if message else "duplicate", message)
    if sms.type == "status_report":
        return _report(session, sms, received_at)
    if sms.udh is not None and sms.udh.parts > 1:
        return _fragment(session, sms, pdu_hex, key, received_at)
    message = store_inbound(
        session, sender=sms.number, content=sms.text, dedup_key=key, received_at=received_at,
        sender_timestamp=sms.timestamp, raw_pdu=pdu_hex, modem_index=modem_index,
    )  # fmt: skip
    return Stored("message" if message else "duplicate", message)


def _report(session: Session, sms: pdu.Sms, now: datetime) -> Stored:
    message = record_status_report(
        session, recipient=sms.number, tp_mr=sms.reference or 0, status=sms.status or 0, now=now
    )
    return Stored("report", message)


def _fragment(
    session: Session, sms: pdu.Sms, pdu_hex: str, key: str, received_at: datetime
) -> Stored:
    assert sms.udh is not None
    fragment = InboundFragment(
        dedup_key=key, sender=sms.number, reference=sms.udh.reference, part_count=sms.udh.parts,
        seq=sms.udh.sequence, content=sms.text, sender_timestamp=sms.timestamp,
        received_at=received_at, raw_pdu=pdu_hex,
    )  # fmt: skip
    try:
        with session.begin_nested():
            session.add(fragment)
            session.flush()
    except IntegrityError:
        return Stored("duplicate")
    siblings = _open_group(session, sms.number, sms.udh.reference, sms.udh.parts)
    if len({f.seq for f in siblings}) < sms.udh.parts:
        return Stored("fragment")
    return Stored("message", _assemble(session, siblings, received_at, incomplete=False))


def _open_group(session: Session, sender: str, reference: int, parts: int) -> list[InboundFragment]:
    stmt = (
        select(InboundFragment)
        .where(
            InboundFragment.sender == sender,
            InboundFragment.reference == reference,
            InboundFragment.part_count == parts,
            InboundFragment.message_id.is_(None),
        )
        .order_by(InboundFragment.seq, InboundFragment.id)
    )
    return list(session.scalars(stmt))


def _assemble(
    session: Session, fragments: list[InboundFragment], now: datetime, *, incomplete: bool
) -> Message | None:
    first = fragments[0]
    by_seq = {f.seq: f for f in fragments}
    text = "".join(
        by_seq[seq].content if seq in by_seq else MISSING_PART
        for seq in range(1, first.part_count + 1)
    )
    key = hashlib.sha256("|".join(sorted(f.dedup_key for f in fragments)).encode()).hexdigest()
    message = store_inbound(
        session, sender=first.sender, content=text, dedup_key=key[:40], received_at=now,
        sender_timestamp=min((f.sender_timestamp for f in fragments if f.sender_timestamp),
                             default=None),
        raw_pdu="\n".join(f.raw_pdu for f in fragments), part_count=first.part_count,
        multipart_ref=first.reference, incomplete=incomplete,
    )  # fmt: skip
    owner = (
        message.id
        if message
        else session.scalar(select(Message.id).where(Message.dedup_key == key[:40]))
    )
    for fragment in fragments:
        fragment.message_id = owner
    session.flush()
    return message


def release_incomplete(session: Session, *, older_than: datetime, now: datetime) -> list[Message]:
    """Store multipart messages whose missing parts never came, flagged incomplete."""
    stale = session.execute(
        select(InboundFragment.sender, InboundFragment.reference, InboundFragment.part_count)
        .where(InboundFragment.message_id.is_(None), InboundFragment.received_at < older_than)
        .distinct()
    ).all()
    released: list[Message] = []
    for sender, reference, parts in stale:
        message = _assemble(session, _open_group(session, sender, reference, parts), now,
                            incomplete=True)  # fmt: skip
        if message is not None:
            released.append(message)
    return released
