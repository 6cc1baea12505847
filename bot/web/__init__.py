"""The web side of leadbot (`leadbot serve`): the SLA console for sales and the HTTP API
(feedback, health) sales' tools call, one Starlette app.

The app and its server are imported on first use (PEP 562): `leadbot report`, `simulate` or
`users` only need `bot.web.passwords`, not Starlette, Jinja2 and every page's module."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.web.app import create_app
    from bot.web.server import WebServer

__all__ = ["WebServer", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from bot.web.app import create_app

        return create_app
    if name == "WebServer":
        from bot.web.server import WebServer

        return WebServer
    raise AttributeError(f"module 'bot.web' has no attribute {name!r}")
