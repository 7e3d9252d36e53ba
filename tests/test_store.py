from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from conductor.crm.models import Customer
from conductor.errors import DatabaseError
from conductor.store import make_engine, migrate


def test_schema_from_migrations_matches_the_models(engine: Engine) -> None:
    assert migrate.schema_problems(engine) == []


def test_timestamps_come_back_aware_utc_whatever_zone_went_in(session: Session) -> None:
    pacific = timezone(timedelta(hours=-8))
    session.add(Customer(member_id="M1", sms_consent_at=datetime(2026, 1, 2, 9, 0, tzinfo=pacific)))
    session.commit()
    session.expire_all()
    got = session.scalars(select(Customer.sms_consent_at)).one()
    assert got == datetime(2026, 1, 2, 17, 0, tzinfo=UTC)
    assert got.tzinfo is not None and got.utcoffset() == timedelta(0)


def test_naive_timestamps_are_refused(session: Session) -> None:
    session.add(Customer(member_id="M2", sms_consent_at=datetime(2026, 1, 2, 9, 0)))  # noqa: DTZ001
    with pytest.raises(StatementError, match="aware datetime"):
        session.commit()


def test_an_empty_database_is_reported_with_the_fix(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(DatabaseError, match="conductor db upgrade"):
        migrate.require_current(engine)
    assert "revision none" in migrate.schema_problems(engine)[0]
