from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from conductor.errors import InvalidInput
from conductor.gateway import outbound
from conductor.messaging import consent, service
from conductor.messaging import status as st
from factories import make_customer

NOW = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)
PHONE = "+13105550123"


def _claim(session: Session):  # type: ignore[no-untyped-def]
    return outbound.claim_next(
        session, gateway_id="gw", now=NOW, lease=timedelta(minutes=1), window_open=True
    )


def test_an_opt_out_stops_messages_queued_before_it_at_claim_time(session: Session) -> None:
    early = service.queue_outbound(session, phone_number=PHONE, content="promo", now=NOW)
    consent.record_consent(session, PHONE, opted_out=True, source="keyword STOP", at=NOW)
    assert _claim(session) is None
    assert early.status == st.CANCELLED and early.error_message == outbound.OPTED_OUT


def test_nothing_new_can_be_queued_for_an_opted_out_number_but_the_confirmation(
    session: Session,
) -> None:
    consent.record_consent(session, PHONE, opted_out=True, source="keyword STOP", at=NOW)
    with pytest.raises(InvalidInput, match="opted out"):
        service.queue_outbound(session, phone_number="(310) 555-0123", content="hi", now=NOW)
    confirmation = service.queue_outbound(
        session, phone_number=PHONE, content="You're unsubscribed.", now=NOW, compliance=True
    )
    claimed = _claim(session)
    assert claimed is not None and claimed.id == confirmation.id


def test_opting_in_again_restores_sending_and_the_history_keeps_both(session: Session) -> None:
    consent.record_consent(session, PHONE, opted_out=True, source="keyword STOP", at=NOW)
    consent.record_consent(
        session, PHONE, opted_out=False, source="keyword START", at=NOW + timedelta(days=1)
    )
    assert not consent.is_opted_out(session, PHONE)
    message = service.queue_outbound(session, phone_number=PHONE, content="welcome back", now=NOW)
    claimed = _claim(session)
    assert claimed is not None and claimed.id == message.id
    kinds = [(e.kind, e.source) for e in consent.history(session, PHONE)]
    assert kinds == [("opt_out", "keyword STOP"), ("opt_in", "keyword START")]


def test_the_customers_record_follows_the_number(session: Session) -> None:
    customer = make_customer(session, phone=PHONE)
    assert customer.sms_consent
    consent.record_consent(session, PHONE, opted_out=True, source="keyword STOP", at=NOW)
    assert (customer.sms_consent, customer.sms_consent_source) == (False, "keyword STOP")
    assert customer.sms_consent_at == NOW
