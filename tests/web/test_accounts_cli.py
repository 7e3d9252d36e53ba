from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from conductor.accounts import service as accounts
from conductor.accounts.models import ApiToken, User
from conductor.errors import InvalidInput
from conftest import CliRun


def test_user_add_and_token_create(cli: CliRun, sessions: sessionmaker[Session]) -> None:
    cli("user", "add", "Mona", "--role", "manager", "--password", "long enough pw")
    token = cli("token", "create", "mona", "--name", "n8n").output.strip()
    assert token.startswith("cdt_") and len(token) > 40
    with sessions() as s:
        user = s.scalars(select(User)).one()
        assert (user.username, user.role) == ("mona", "manager")
        stored = s.scalars(select(ApiToken)).one()
        assert token not in (stored.token_hash, stored.prefix) and stored.name == "n8n"
        now = datetime.now(UTC)
        assert accounts.user_for_token(s, token, now) is not None
        assert accounts.user_for_token(s, token + "x", now) is None


def test_bad_users_are_refused_with_the_reason(cli: CliRun) -> None:
    short = cli("user", "add", "kim", "--password", "short", expect_exit=1)
    assert isinstance(short.exception, InvalidInput) and "10 characters" in str(short.exception)
    role = cli(
        "user", "add", "kim", "--role", "owner", "--password", "long enough pw", expect_exit=1
    )
    assert "role must be one of admin, manager, staff" in str(role.exception)
    cli("user", "add", "kim", "--password", "long enough pw")
    again = cli("user", "add", "KIM", "--password", "long enough pw", expect_exit=1)
    assert "already exists" in str(again.exception)
