"""``conductor web``, ``conductor user add``, ``conductor token create``."""

from __future__ import annotations

import logging

import typer
from rich.console import Console

from conductor.accounts import service as accounts
from conductor.accounts.roles import ROLES
from conductor.cli.state import state
from conductor.store import session_scope
from conductor.store.migrate import require_current

user_app = typer.Typer(help="Console users.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for automations.", no_args_is_help=True)
console = Console()
log = logging.getLogger(__name__)


def web(
    ctx: typer.Context,
    host: str = typer.Option("", help="Listen address (default: CONDUCTOR_WEB_HOST)."),
    port: int = typer.Option(0, help="Port (default: CONDUCTOR_WEB_PORT)."),
) -> None:
    """Serve the console and the REST API (/api/v1, OpenAPI at /api/v1/docs)."""
    import uvicorn

    from conductor.web.app import create_app

    st = state(ctx)
    require_current(st.engine)
    if not st.settings.secret_key:
        console.print("[yellow]CONDUCTOR_SECRET_KEY is not set: sessions end when this stops[/]")
    app = create_app(st.settings, st.sessions)
    uvicorn.run(app, host=host or st.settings.web_host, port=port or st.settings.web_port,
                log_level="info", access_log=False)  # fmt: skip


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    username: str = typer.Argument(...),
    role: str = typer.Option("staff", help=f"One of: {', '.join(ROLES)}."),
    password: str = typer.Option(
        ..., prompt=True, hide_input=True, confirmation_prompt=True, help="10+ characters."
    ),
) -> None:
    """Add a console user (the password is asked for, and stored as an argon2 hash)."""
    st = state(ctx)
    require_current(st.engine)
    with session_scope(st.sessions) as session:
        user = accounts.create_user(session, username, password, role)
        console.print(f"user {user.username} ({user.role}) added")


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="The user the token acts as."),
    name: str = typer.Option(..., "--name", help="What it is for, e.g. n8n."),
) -> None:
    """Create an API token; it is printed once (only its hash is kept)."""
    st = state(ctx)
    require_current(st.engine)
    with session_scope(st.sessions) as session:
        token = accounts.create_token(session, accounts.get_user(session, username), name)
    typer.echo(token)
