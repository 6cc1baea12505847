"""The web side of leadbot (`leadbot serve`): the SLA console for sales and the HTTP API
(feedback, health) sales' tools call, one Starlette app."""

from bot.web.app import create_app
from bot.web.server import WebServer

__all__ = ["WebServer", "create_app"]
