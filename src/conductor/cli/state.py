"""What every command shares: the settings and, lazily, the engine and session factory."""

from __future__ import annotations

from functools import cached_property

import typer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from conductor.config import Settings, load_settings
from conductor.store import make_engine, make_sessionmaker


class State:
    @cached_property
    def settings(self) -> Settings:
        return load_settings()

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database_url, echo=self.settings.echo_sql)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_sessionmaker(self.engine)

    def close(self) -> None:
        """Release pooled connections (called when the command ends)."""
        if "engine" in self.__dict__:
            self.engine.dispose()


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    assert isinstance(obj, State)
    return obj
