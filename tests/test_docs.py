"""The README documents every command (datasette's tests/test_docs.py habit)."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.main import get_command

from conductor.cli import app

README = (Path(__file__).parents[1] / "README.md").read_text()


def _command_paths(command: object, prefix: str = "conductor") -> list[str]:
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        return [prefix]
    paths: list[str] = []
    for name, sub in subcommands.items():
        paths += _command_paths(sub, f"{prefix} {name}")
    return paths


def test_every_command_is_in_the_readme() -> None:
    assert isinstance(app, typer.Typer)
    paths = _command_paths(get_command(app))
    assert "conductor crm search" in paths
    missing = [p for p in paths if f"`{p}" not in README]
    assert missing == [], f"README.md does not document: {missing}"
