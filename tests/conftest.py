"""Test databases: a real SQLite file per test, or the real PostgreSQL named by
``CONDUCTOR_TEST_DATABASE_URL`` (then every table is truncated after each test).

The schema always comes from ``alembic upgrade head``, never ``create_all``: once per session into
a template (SQLite: a file copied per test; PostgreSQL: a freshly reset ``public`` schema).
Tests commit like the real programs do (CLI commands open their own connections), so isolation
is by fresh file / truncation rather than an outer rolled-back transaction.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from conductor.config import Settings, load_settings
from conductor.models import Base
from conductor.modem.virtual import VirtualModem
from conductor.store import make_engine, make_sessionmaker, migrate

PG_URL = os.environ.get("CONDUCTOR_TEST_DATABASE_URL")


def pytest_report_header() -> str:
    return (
        f"conductor test database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite (per-test file)'}"
    )


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> str:
    if PG_URL:
        engine = make_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        migrate.upgrade(engine)
        engine.dispose()
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return str(path)


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No conductor.toml or environment of the developer leaks into a test."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("CONDUCTOR_") and name != "CONDUCTOR_TEST_DATABASE_URL":
            monkeypatch.delenv(name)


@pytest.fixture
def db_url(_template: str, tmp_path: Path) -> Iterator[str]:
    if PG_URL:
        yield PG_URL
        engine = make_engine(PG_URL)
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return
    path = tmp_path / "conductor.db"
    shutil.copyfile(_template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as s:
        yield s


@pytest.fixture
def settings(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("CONDUCTOR_DATABASE_URL", db_url)
    return load_settings()


CliRun = Callable[..., Result]


@pytest.fixture
def cli(settings: Settings) -> CliRun:
    """Run ``conductor ARGS...`` in-process against the test database; returns click's Result."""
    from conductor.cli import app

    runner = CliRunner()

    def run(*args: str, expect_exit: int | None = 0) -> Result:
        result = runner.invoke(app, list(args), catch_exceptions=True)
        if expect_exit is not None and result.exit_code != expect_exit:
            raise AssertionError(
                f"conductor {' '.join(args)} exited {result.exit_code}, wanted {expect_exit}\n"
                f"output:\n{result.output}\nexception: {result.exception!r}"
            )
        return result

    return run


@pytest.fixture
def virtual_modem() -> Iterator[VirtualModem]:
    """A virtual SIM7600G-H on a real pseudo-terminal."""
    with VirtualModem(status_report_delay=0.05) as modem:
        yield modem


@pytest.fixture
def web_app(settings: Settings, sessions: sessionmaker[Session]) -> FastAPI:
    from conductor.web.app import create_app

    return create_app(settings, sessions)


@pytest.fixture
def client(web_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(web_app) as test_client:
        yield test_client


@pytest.fixture
def console_url(web_app: FastAPI) -> Iterator[str]:
    """The console served by uvicorn on a free port, against the test database."""
    from browser import live_server

    with live_server(web_app) as url:
        yield url


@pytest.fixture(scope="session")
def _chromium() -> Iterator[Browser]:
    from browser import chromium

    with chromium() as browser:
        yield browser


@pytest.fixture
def page(_chromium: Browser) -> Iterator[Page]:
    context = _chromium.new_context(viewport={"width": 1366, "height": 860})
    try:
        yield context.new_page()
    finally:
        context.close()
