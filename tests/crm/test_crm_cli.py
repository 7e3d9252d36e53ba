from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from conductor.errors import NotFound
from conftest import CliRun
from factories import make_customer, make_sale


def test_search_json_lists_matching_customers(session: Session, cli: CliRun) -> None:
    make_customer(session, first_name="Lena", last_name="Park", email="lena@example.com")
    make_customer(session, first_name="Leo", last_name="Stone")
    make_customer(session, first_name="Max", last_name="Lerner")
    session.commit()
    rows = json.loads(cli("crm", "search", "le", "--json").output)
    assert [r["name"] for r in rows] == ["Lena Park", "Leo Stone", "Max Lerner"]
    assert rows[0]["email"] == "lena@example.com"
    table = cli("crm", "search", "lena").output
    assert "Lena Park" in table and "Leo Stone" not in table


def test_context_json_by_phone(session: Session, cli: CliRun) -> None:
    customer = make_customer(session, first_name="Ivy", phone="(415) 555-0142")
    make_sale(session, customer, when=datetime.now(UTC) - timedelta(days=3), prices=[Decimal("42")])
    session.commit()
    data = json.loads(cli("crm", "context", "415-555-0142", "--json").output)
    assert data["first_name"] == "Ivy"
    assert data["visits"] == 1
    assert data["lifetime_value"] == "42.00"
    assert data["days_since_last_visit"] == 3


def test_context_of_an_unknown_customer_is_a_clear_error(cli: CliRun) -> None:
    result = cli("crm", "context", "+19995550000", expect_exit=1)
    assert isinstance(result.exception, NotFound)


def test_the_installed_command_prints_errors_in_one_line(db_url: str) -> None:
    env = {**os.environ, "CONDUCTOR_DATABASE_URL": db_url}
    proc = subprocess.run(
        [sys.executable, "-m", "conductor", "crm", "context", "nobody"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == "error: no customer with id, member id or phone 'nobody'"


def test_winback_json_ranks_and_limits(session: Session, cli: CliRun) -> None:
    now = datetime.now(UTC)
    for name, spend in (("Low", "100"), ("High", "900")):
        customer = make_customer(session, first_name=name)
        for i in range(6):
            when = now - timedelta(days=80 + 10 * i)
            make_sale(session, customer, when=when, prices=[Decimal(spend)])
    session.commit()
    rows = json.loads(cli("crm", "winback", "--limit", "5", "--json").output)
    assert [r["name"].split()[0] for r in rows] == ["High", "Low"]
    assert rows[0]["days_since_last_visit"] == 80
    assert len(json.loads(cli("crm", "winback", "--limit", "1", "--json").output)) == 1


def test_commands_refuse_a_database_without_the_schema(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from conductor.cli import app
    from conductor.errors import DatabaseError

    monkeypatch.setenv("CONDUCTOR_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    result = CliRunner().invoke(app, ["crm", "search", "x"])
    assert isinstance(result.exception, DatabaseError)
    assert "conductor db upgrade" in str(result.exception)


def test_a_wrong_setting_is_named_with_its_fix(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from conductor.cli import app
    from conductor.errors import ConfigError

    monkeypatch.setenv("CONDUCTOR_TIMEZONE", "Mars/Olympus")
    result = CliRunner().invoke(app, ["crm", "search", "x"])
    assert isinstance(result.exception, ConfigError)
    assert "CONDUCTOR_TIMEZONE" in str(result.exception)
    assert "IANA" in str(result.exception)
