"""Helpers for console tests: users of each role, logging in through the real form."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from conductor.accounts import service as accounts

PASSWORD = "correct horse battery"


def add_user(sessions: sessionmaker[Session], username: str, role: str) -> None:
    with sessions.begin() as s:
        accounts.create_user(s, username, PASSWORD, role)


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in through /login; returns the session's CSRF token."""
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_from(client.get("/login").text)


def api_token(sessions: sessionmaker[Session], username: str) -> str:
    with sessions.begin() as s:
        return accounts.create_token(s, accounts.get_user(s, username), "tests")
