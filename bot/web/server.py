"""Serving the web app: uvicorn on one address, in the foreground (`leadbot serve`) or in a
thread (the tests' throwaway console on a free port).
"""

from __future__ import annotations

import threading
import time

import uvicorn

from bot.settings import Settings
from bot.storage import ConsoleStore
from bot.web.app import create_app


class WebServer:
    """The app on `host:port` (port 0: a free one, read back from `url` once started)."""

    def __init__(self, store: ConsoleStore, settings: Settings, *, host: str, port: int) -> None:
        config = uvicorn.Config(
            create_app(store, settings),
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            # nginx on this machine passes the visitor's address (the sign-in rate limit keys on it).
            proxy_headers=True,
            forwarded_allow_ips="127.0.0.1",
            lifespan="off",
            ws="none",
            server_header=False,  # no websockets here; Rasa pins websockets 10, older than uvicorn's own support
        )
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        sockets = [s for server in self.server.servers for s in server.sockets]
        host, port = sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    def start(self, timeout: float = 10.0) -> WebServer:
        """Serve in a daemon thread; returns once the socket listens."""
        self._thread = threading.Thread(target=self.server.run, name="web", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the web app did not start on {self.server.config.host}:{self.server.config.port}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
