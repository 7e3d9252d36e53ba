"""Users, passwords (argon2), API tokens and the audit log."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from conductor.accounts.models import ApiToken, AuditEntry, User
from conductor.accounts.roles import ROLES
from conductor.errors import InvalidInput, NotFound

_hasher = PasswordHasher()
MIN_PASSWORD = 10
TOKEN_PREFIX = "cdt_"


def create_user(session: Session, username: str, password: str, role: str) -> User:
    username = username.strip().lower()
    if not username or not username.replace("_", "").replace(".", "").isalnum():
        raise InvalidInput("username: letters, digits, dots and underscores only")
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"password must have at least {MIN_PASSWORD} characters")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise InvalidInput(f"user {username!r} already exists")
    user = User(username=username, password_hash=_hasher.hash(password), role=role)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str, now: datetime) -> User | None:
    """The user when the password is right (and the account active), else None."""
    user = session.scalars(select(User).where(User.username == username.strip().lower())).first()
    if user is None or not user.active:
        _hasher.hash(password)  # same work either way: no user-name oracle by timing
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = now
    session.flush()
    return user


def set_role(session: Session, user: User, role: str) -> None:
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    user.role = role
    session.flush()


def get_user(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username.strip().lower())).first()
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, name: str) -> str:
    """A new API token for ``user``; the secret is returned once and only its hash kept."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(name=name, token_hash=_digest(token), prefix=token[:12], user_id=user.id))
    session.flush()
    return token


def user_for_token(session: Session, token: str, now: datetime) -> User | None:
    row = session.scalars(
        select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked.is_(False))
    ).first()
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    row.last_used_at = now
    session.flush()
    return user


def audit(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    now: datetime,
) -> None:
    session.add(
        AuditEntry(
            at=now,
            actor=actor,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            before=before,
            after=after,
        )
    )
    session.flush()
