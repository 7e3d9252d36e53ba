"""Schemathesis over the API's own OpenAPI document: generated requests, valid and invalid,
with a real token against real data; no request may get a server error or break the schema."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session, sessionmaker
from webkit import add_user, api_token

from conductor.loyalty import points
from conductor.messaging import service
from factories import make_budtender, make_customer, make_dispensary, make_sale

ALL = list(HealthCheck)
# Every response must be a non-5xx that matches the document. Business rules the schema cannot
# express (a string that is not a real phone number) may still refuse "schema-valid" data.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]  # fmt: skip


@pytest.fixture
def api_schema(web_app: FastAPI, sessions: sessionmaker[Session]) -> schemathesis.BaseSchema:
    add_user(sessions, "robot", "manager")
    token = api_token(sessions, "robot")
    with sessions.begin() as s:
        customer = make_customer(s, first_name="Ada", phone="+13105550123")
        make_sale(s, customer, when=datetime.now(UTC) - timedelta(days=9))
        service.queue_outbound(s, phone_number="+13105550123", content="hi", now=datetime.now(UTC))
        budtender = make_budtender(s, make_dispensary(s), first_name="Ana", instagram="ana")
        points.adjust(s, amount=250, note="welcome", actor="robot", now=datetime.now(UTC),
                      budtender_id=budtender.id)  # fmt: skip
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", web_app)
    schema.config.headers = {"Authorization": f"Bearer {token}"}
    return schema


def test_no_request_gets_a_server_error(api_schema: schemathesis.BaseSchema) -> None:
    """Each operation in turn (schemathesis's pytest plugin does not run on this pytest)."""
    checked = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, database=None, suppress_health_check=ALL)
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=CHECKS)

        check()
        checked.append(operation.label)
    assert len(checked) >= 4, checked
