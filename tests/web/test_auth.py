from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from webkit import PASSWORD, add_user, csrf_from, login

from conductor.accounts.models import User


def _post(client: TestClient, username: str, password: str, token: str | None, next_: str = "/"):  # type: ignore[no-untyped-def]
    data = {"username": username, "password": password, "next": next_}
    if token is not None:
        data["csrf_token"] = token
    return client.post("/login", data=data, follow_redirects=False)


def test_pages_send_strangers_to_the_login_form(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/"


def test_logging_in_sets_an_httponly_samesite_cookie(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    add_user(sessions, "ana", "staff")
    token = csrf_from(client.get("/login").text)
    response = _post(client, "Ana", PASSWORD, token, "/customers")
    assert response.status_code == 303 and response.headers["location"] == "/customers"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    with sessions() as s:
        assert s.scalars(select(User.last_login_at)).one() is not None


def test_passwords_are_stored_as_argon2_hashes(sessions: sessionmaker[Session]) -> None:
    add_user(sessions, "bo", "manager")
    with sessions() as s:
        stored = s.scalars(select(User.password_hash)).one()
    assert stored.startswith("$argon2") and PASSWORD not in stored


def test_a_form_without_the_csrf_token_is_refused(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    add_user(sessions, "cy", "staff")
    client.get("/login")
    response = _post(client, "cy", PASSWORD, None)
    assert response.status_code == 403 and "CSRF" in response.text


def test_wrong_passwords_are_refused_then_rate_limited(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    add_user(sessions, "di", "staff")
    token = csrf_from(client.get("/login").text)
    codes = [_post(client, "di", "wrong password!", token).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    right = client.post(
        "/login", data={"username": "di", "password": PASSWORD, "csrf_token": token}
    )
    assert right.status_code == 429, "the right password does not bypass the limit"


def test_open_redirects_are_not_followed(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    add_user(sessions, "ed", "staff")
    token = csrf_from(client.get("/login").text)
    response = _post(client, "ed", PASSWORD, token, "//evil.example")
    assert response.headers["location"] == "/"


def test_logout_ends_the_session(client: TestClient, sessions: sessionmaker[Session]) -> None:
    add_user(sessions, "fa", "staff")
    token = login(client, "fa")
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/", follow_redirects=False).status_code == 303
