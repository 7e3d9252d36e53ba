"""Apply and inspect the one Alembic history, programmatically (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def head_revision() -> str | None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return script.get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_problems(engine: Engine) -> list[str]:
    """Why the database schema is not usable as is (empty when it is at head and matches)."""
    from alembic.autogenerate import compare_metadata

    from conductor.models import Base

    try:
        current = current_revision(engine)
    except Exception as exc:  # any driver error: report it, the caller decides
        return [f"cannot connect: {type(exc).__name__}: {exc}".splitlines()[0]]
    head = head_revision()
    if current != head:
        return [f"schema is at revision {current or 'none'}, code expects {head}"]
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    return [f"model and database differ: {d}" for d in diff]


def require_current(engine: Engine) -> None:
    """Raise DatabaseError with the fix when the schema is not at head."""
    from conductor.errors import DatabaseError

    try:
        current = current_revision(engine)
    except Exception as exc:
        raise DatabaseError(f"cannot reach the database at {engine.url!r}: {exc}") from exc
    if current != head_revision():
        raise DatabaseError(
            f"the database schema is at revision {current or 'none'}, not {head_revision()}: "
            "run `conductor db upgrade`"
        )
