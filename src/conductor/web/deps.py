"""Request dependencies: the database session, the logged-in user, permissions, API auth."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from conductor.accounts import service as accounts
from conductor.accounts.models import User
from conductor.accounts.roles import allowed
from conductor.config import Settings


class LoginRequired(Exception):
    """Raised for a page request without a session; the app redirects to /login."""


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_db(request: Request) -> Iterator[Session]:
    """One session per request, committed when the handler returns without error."""
    session: Session = request.app.state.sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def now() -> datetime:
    return datetime.now(UTC)


DbSession = Annotated[Session, Depends(get_db)]
AppSettings = Annotated[Settings, Depends(get_settings)]


def page_user(request: Request, db: DbSession) -> User:
    user_id = request.session.get("user_id")
    user = db.get(User, user_id) if user_id else None
    if user is None or not user.active:
        request.session.pop("user_id", None)
        raise LoginRequired
    return user


PageUser = Annotated[User, Depends(page_user)]

_bearer = HTTPBearer(auto_error=False, description="An API token from `conductor token create`")


def api_user(
    db: DbSession, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> User:
    if credentials is None:
        raise HTTPException(401, "missing API token", headers={"WWW-Authenticate": "Bearer"})
    user = accounts.user_for_token(db, credentials.credentials, now())
    if user is None:
        raise HTTPException(
            401, "unknown or revoked API token", headers={"WWW-Authenticate": "Bearer"}
        )
    return user


ApiUser = Annotated[User, Depends(api_user)]


DOING = {"points": "change points", "manage_users": "manage users"}
"""How a refusal names a permission, where its name is not already a verb."""


def require(permission: str) -> Callable[[User], User]:
    """A dependency that refuses (403) a user whose role lacks ``permission``."""

    def check(user: PageUser) -> User:
        if not allowed(user.role, permission):
            raise HTTPException(
                403, f"your role ({user.role}) may not {DOING.get(permission, permission)}"
            )
        return user

    return check
