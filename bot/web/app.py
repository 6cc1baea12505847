"""The web app `leadbot serve` runs: the SLA console under /console (sales' inbox, marketing's
health and try-a-change pages), the machine API and the widget's beacon.

One Starlette app (ASGI, served by uvicorn). Starlette because it is small, well kept and
needs no pydantic 2 (FastAPI's current releases do; Rasa 3.6 pins pydantic 1.10), it runs the
store's blocking calls in a thread pool, and its signed-cookie sessions come from itsdangerous,
which also signs the one-click verdict links. See docs/console.md.
"""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from bot.settings import Settings
from bot.storage import ConsoleStore
from bot.web.api import api_routes
from bot.web.beacon import beacon_routes
from bot.web.booking import booking_routes
from bot.web.console import Console
from bot.web.marketing import Marketing
from bot.web.users import UserAdmin

log = logging.getLogger("leadbot")
SESSION_COOKIE = "leadbot_session"
SESSION_HOURS = 12


def create_app(store: ConsoleStore, settings: Settings) -> Starlette:
    """The API and the booking webhooks always; the console only with LEADBOT_CONSOLE_SECRET
    (it signs sessions and links)."""
    if not settings.console_secret:
        log.warning("LEADBOT_CONSOLE_SECRET is not set: the console answers 503 (the API works)")
        routes = [*api_routes(store, settings), *booking_routes(store, settings), *beacon_routes(store, settings)]
        return Starlette(routes=[*routes, Route("/console/{rest:path}", _no_console)])
    console = Console(store, settings)
    # Secure only when sales reaches the console over https (behind nginx with TLS, say):
    # a browser would drop a Secure cookie on plain http://localhost.
    https = bool(settings.console_url and settings.console_url.startswith("https://"))
    middleware = [
        Middleware(
            SessionMiddleware,  # type: ignore[arg-type]
            secret_key=settings.console_secret,
            session_cookie=SESSION_COOKIE,
            max_age=SESSION_HOURS * 3600,
            path="/console",
            same_site="lax",  # HttpOnly always (Starlette); lax lets a link from Slack open the page
            https_only=https,
        )
    ]
    routes = [*api_routes(store, settings), *booking_routes(store, settings), *beacon_routes(store, settings)]
    routes += [*console.routes(), *Marketing(console).routes(), *UserAdmin(console).routes()]
    return Starlette(routes=routes, middleware=middleware)


async def _no_console(request: Request) -> PlainTextResponse:
    return PlainTextResponse(
        "The console is off: set LEADBOT_CONSOLE_SECRET (`make run` and production mode generate one).",
        status_code=503,
    )
