"""Fresh, empty benchmark databases: a new SQLite file, or a dropped and re-created PostgreSQL
database beside the one ``admin_url`` names."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text


def empty_database(db: str, name: str, admin_url: str, folder: Path) -> str:
    """The URL of an empty database called ``name`` (``db`` is sqlite or postgresql)."""
    if db == "sqlite":
        path = folder / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"
