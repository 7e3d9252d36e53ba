"""The data layer: engine and session factory, base model, one Alembic history."""

from conductor.store.base import Base, UTCDateTime
from conductor.store.engine import make_engine, make_sessionmaker, session_scope

__all__ = ["Base", "UTCDateTime", "make_engine", "make_sessionmaker", "session_scope"]
