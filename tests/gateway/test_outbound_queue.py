"""The outbound queue's rules, on the real databases, without a modem."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from conductor.errors import InvalidInput
from conductor.gateway import outbound
from conductor.gateway.window import SendingWindow
from conductor.messaging import service
from conductor.messaging import status as st
from conductor.messaging.models import Message

NOW = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)  # 11:00 in Los Angeles
LEASE = timedelta(minutes=2)


def _queue(session: Session, text: str = "hello", **kw) -> Message:  # type: ignore[no-untyped-def]
    return service.queue_outbound(
        session, phone_number="(310) 555-0123", content=text, now=NOW, **kw
    )


def _claim(session: Session, gw: str = "gw1", now: datetime = NOW, window_open: bool = True):  # type: ignore[no-untyped-def]
    return outbound.claim_next(
        session, gateway_id=gw, now=now, lease=LEASE, window_open=window_open
    )


def test_queueing_normalises_the_number_and_refuses_bad_input(session: Session) -> None:
    message = _queue(session)
    assert (message.phone_number, message.status) == ("+13105550123", st.QUEUED)
    with pytest.raises(InvalidInput, match="not a phone number"):
        service.queue_outbound(session, phone_number="hello", content="x", now=NOW)
    with pytest.raises(InvalidInput, match="empty"):
        service.queue_outbound(session, phone_number="3105550123", content="  ", now=NOW)
    with pytest.raises(InvalidInput, match="over 1600"):
        service.queue_outbound(session, phone_number="3105550123", content="x" * 1601, now=NOW)


def test_a_claimed_message_cannot_be_claimed_by_another_gateway(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as s:
        _queue(s)
        s.commit()
    with sessions() as a, sessions() as b:
        first = _claim(a, "gw-a")
        a.commit()
        second = _claim(b, "gw-b")
        b.commit()
    assert first is not None and first.claimed_by == "gw-a" and first.status == st.SENDING
    assert second is None


def test_an_expired_lease_is_claimed_again_but_a_half_sent_message_is_failed_not_resent(
    session: Session,
) -> None:
    clean, risky = _queue(session, "clean"), _queue(session, "risky")
    session.commit()
    for message in (_claim(session), _claim(session)):
        assert message is not None
    outbound.begin_part(session, risky, 1, NOW)  # AT+CMGS may have gone out, then a crash
    session.commit()
    later = NOW + LEASE + timedelta(seconds=1)
    assert _claim(session, "gw2", now=later + timedelta(seconds=-LEASE.seconds)) is None
    again = _claim(session, "gw2", now=later)
    assert again is not None and again.id == clean.id and again.claimed_by == "gw2"
    assert _claim(session, "gw2", now=later) is None
    session.refresh(risky)
    assert risky.status == st.FAILED
    assert risky.error_message == outbound.INTERRUPTED


def test_replies_go_before_bulk_and_the_window_holds_bulk_and_scheduled(session: Session) -> None:
    bulk = _queue(session, "promo", bulk=True)
    scheduled = _queue(session, "later", scheduled_for=NOW - timedelta(minutes=1))
    future = _queue(session, "future", scheduled_for=NOW + timedelta(hours=1))
    reply = _queue(session, "reply")
    session.commit()
    assert _claim(session, window_open=False).id == reply.id  # type: ignore[union-attr]
    assert _claim(session, window_open=False) is None
    claimed = {_claim(session).id, _claim(session).id}  # type: ignore[union-attr]
    assert claimed == {bulk.id, scheduled.id}
    assert _claim(session) is None
    assert future.status == st.SCHEDULED


def test_sending_window_in_the_shop_time_zone() -> None:
    window = SendingWindow(time(9), time(20), ZoneInfo("America/Los_Angeles"))
    assert window.is_open(datetime(2026, 12, 1, 17, 0, tzinfo=UTC))  # 09:00 local
    assert not window.is_open(datetime(2026, 12, 1, 16, 59, tzinfo=UTC))
    assert not window.is_open(datetime(2026, 12, 2, 4, 0, tzinfo=UTC))  # 20:00 local
    night = SendingWindow(time(22), time(6), ZoneInfo("UTC"))
    assert night.is_open(datetime(2026, 12, 1, 23, 0, tzinfo=UTC))
    assert not night.is_open(datetime(2026, 12, 1, 12, 0, tzinfo=UTC))


def test_transient_failures_back_off_then_fail_and_permanent_ones_fail_at_once(
    session: Session,
) -> None:
    policy = outbound.RetryPolicy(max_retries=2, first_delay=timedelta(seconds=30))
    message = _queue(session)
    now = NOW
    for expected_delay in (30, 60):
        claimed = _claim(session, now=now)
        assert claimed is not None
        outbound.send_failed(session, claimed, reason="+CMS ERROR: 332", permanent=False,
                             now=now, policy=policy)  # fmt: skip
        assert message.status == st.QUEUED
        assert message.next_attempt_at == now + timedelta(seconds=expected_delay)
        assert _claim(session, now=now) is None  # not before its time
        now = message.next_attempt_at
    outbound.send_failed(session, _claim(session, now=now), reason="+CMS ERROR: 332",  # type: ignore[arg-type]
                         permanent=False, now=now, policy=policy)  # fmt: skip
    assert (message.status, message.retry_count) == (st.FAILED, 3)
    other = _queue(session, "x")
    outbound.send_failed(session, _claim(session, now=now), reason="+CMS ERROR: 28",  # type: ignore[arg-type]
                         permanent=True, now=now, policy=policy)  # fmt: skip
    assert other.status == st.FAILED and other.error_message == "+CMS ERROR: 28"


def test_delivery_reports_move_a_message_to_delivered_when_every_part_is(
    session: Session,
) -> None:
    message = _queue(session, "two parts")
    claimed = _claim(session)
    assert claimed is not None
    for seq, mr in ((1, 41), (2, 42)):
        part = outbound.begin_part(session, claimed, seq, NOW)
        outbound.part_sent(session, part, mr, NOW)
    outbound.finish_sent(session, claimed, NOW)
    report = outbound.record_status_report
    assert report(session, recipient="+13105550123", tp_mr=41, status=0, now=NOW) is message
    assert message.status == st.SENT
    assert report(session, recipient="+19999999999", tp_mr=42, status=0, now=NOW) is None
    report(session, recipient="+13105550123", tp_mr=42, status=0, now=NOW)
    assert message.status == st.DELIVERED and message.delivered_at == NOW


def test_a_failed_delivery_report_fails_the_message(session: Session) -> None:
    message = _queue(session)
    claimed = _claim(session)
    assert claimed is not None
    outbound.part_sent(session, outbound.begin_part(session, claimed, 1, NOW), 7, NOW)
    outbound.finish_sent(session, claimed, NOW)
    outbound.record_status_report(session, recipient="+13105550123", tp_mr=7, status=0x41, now=NOW)
    assert message.status == st.FAILED
    assert "TP-ST 0x41" in (message.error_message or "")


def test_people_may_only_make_allowed_status_changes(session: Session) -> None:
    suggestion = _queue(session, suggested=True)
    assert suggestion.status == st.SUGGESTED
    service.change_status(session, suggestion, st.APPROVED, now=NOW)
    service.change_status(session, suggestion, st.QUEUED, now=NOW)
    sending = _claim(session)
    assert sending is not None
    with pytest.raises(InvalidInput, match="sending; it can become: none"):
        service.change_status(session, sending, st.CANCELLED, now=NOW)
