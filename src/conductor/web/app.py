"""The app factory: ``create_app(settings)`` builds the console and the API. Nothing global."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker
from starlette.middleware.sessions import SessionMiddleware

import conductor
from conductor.config import Settings
from conductor.errors import InvalidInput, NotFound
from conductor.store import make_engine, make_sessionmaker
from conductor.web.deps import LoginRequired
from conductor.web.security import CSRF_HEADER, LoginLimiter, csrf_token
from conductor.web.templating import render

HERE = Path(__file__).parent
SESSION_HOURS = 12


def create_app(settings: Settings, sessions: sessionmaker[Session] | None = None) -> FastAPI:
    app = FastAPI(
        title="Conductor API",
        version=conductor.__version__,
        description="Messages, customers and their context, for automations (n8n, scripts).",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.sessions = sessions or make_sessionmaker(make_engine(settings.database_url))
    app.state.login_limiter = LoginLimiter()
    app.state.templates = _templates()
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key or secrets.token_urlsafe(32),
        session_cookie="conductor_session",
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _routes(app)
    _errors(app)
    return app


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals["csrf_header"] = CSRF_HEADER
    templates.env.globals["csrf_token"] = csrf_token
    return templates


def _routes(app: FastAPI) -> None:
    from conductor.web.pages import auth, dashboard, home

    for router in (auth.router, home.router, dashboard.router):
        app.include_router(router)

    from conductor.web.api import messages as messages_api
    from conductor.web.pages import messages, outbox

    for router in (messages.router, outbox.router, messages_api.router):
        app.include_router(router)

    from conductor.web.api import customers as customers_api
    from conductor.web.pages import customers, products

    for router in (customers.router, products.router, customers_api.router):
        app.include_router(router)

    from conductor.web.api import receipts as receipts_api
    from conductor.web.pages import receipts, rex

    for router in (rex.router, receipts.router, receipts_api.router):
        app.include_router(router)

    from conductor.web.api import budtenders as budtenders_api
    from conductor.web.pages import budtenders

    for router in (budtenders.router, budtenders_api.router):
        app.include_router(router)


def _errors(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        if request.headers.get("HX-Request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        return _problem(request, 404, str(exc))

    @app.exception_handler(InvalidInput)
    async def _invalid(request: Request, exc: InvalidInput) -> Response:
        return _problem(request, 422, str(exc))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        return _problem(request, exc.status_code, str(exc.detail), exc.headers)


def _problem(
    request: Request, status: int, detail: str, headers: Mapping[str, str] | None = None
) -> Response:
    if request.url.path.startswith("/api/") or request.headers.get("HX-Request"):
        return JSONResponse({"detail": detail}, status_code=status, headers=dict(headers or {}))
    context = {"status": status, "detail": detail}
    return render(request, "error.html", context, status_code=status, headers=headers)
