"""The web side of leadbot: the HTTP API sales' tools call (`leadbot serve`)."""

from bot.web.api import make_api_server

__all__ = ["make_api_server"]
