"""A stand-in for Rasa's socket.io channel, for widget tests without a bot.

Speaks the same events as `rasa/core/channels/socketio.py` with
`session_persistence: true` (session_request → session_confirm, user_uttered →
bot_uttered to the session's room), records what it receives, and can be
stopped and restarted on the same port to test reconnects.
"""

from __future__ import annotations

import asyncio
import inspect
import socket
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

import socketio
from aiohttp import web

# Replies the fake bot gives, keyed by the exact message received.
BUDGET_BUTTONS = [
    {"content_type": "text", "title": "Under €5k / year", "payload": "4000 EUR per year"},
    {"content_type": "text", "title": "Over €10k / year", "payload": "20000 EUR per year"},
]
SCRIPT: dict[str, dict[str, Any]] = {
    "hi": {"text": "Hi, I'm the Pipewise assistant. What brings you here today?"},
    "buttons please": {"text": "Roughly what budget do you have?", "quick_replies": BUDGET_BUTTONS},
    "link please": {"text": "Read https://example.com/docs. Or see [our pricing](https://example.com/pricing)!"},
}


@dataclass
class Received:
    message: str
    session_id: str | None
    metadata: dict[str, Any]


@dataclass
class FakeRasa:
    """Runs an aiohttp + python-socketio server in a background thread."""

    reply_delay: float = 0.3
    port: int = 0
    received: list[Received] = field(default_factory=list)
    session_requests: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.port = self.port or _free_port()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._sio: socketio.AsyncServer | None = None
        self._connected: set[str] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def messages(self) -> list[str]:
        return [r.message for r in self.received]

    def start(self) -> None:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        def run() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._serve())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="fake-rasa", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake Rasa server did not start")

    def stop(self) -> None:
        """Stops like a crashed/restarted Rasa: connections drop, rooms are forgotten."""
        if not self._loop:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        assert self._thread is not None
        self._thread.join(10)
        self._loop.close()
        self._loop = None

    async def _serve(self) -> None:
        sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
        self._sio = sio
        app = web.Application()
        sio.attach(app)

        @sio.on("connect")
        async def connect(sid: str, environ: Any, auth: Any = None) -> None:
            self._connected.add(sid)

        @sio.on("disconnect")
        async def disconnect(sid: str, *_: Any) -> None:
            self._connected.discard(sid)

        @sio.on("session_request")
        async def session_request(sid: str, data: Any) -> None:
            self.session_requests.append(data)
            data = data or {}
            session_id = data.get("session_id") or uuid.uuid4().hex
            # enter_room is a coroutine from python-socketio 5.10 on and plain before; Rasa
            # 3.6.21 never awaits it, which is why we pin python-socketio < 5.10 (RasaHQ/rasa#13027).
            entered = sio.enter_room(sid, session_id)
            if inspect.isawaitable(entered):
                await entered
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on("user_uttered")
        async def user_uttered(sid: str, data: dict[str, Any]) -> None:
            message = data.get("message", "")
            self.received.append(Received(message, data.get("session_id"), data.get("metadata") or {}))
            await asyncio.sleep(self.reply_delay)
            reply = SCRIPT.get(message, {"text": f"You said: {message}"})
            await sio.emit("bot_uttered", reply, room=data.get("session_id") or sid)

        # Short grace period: open long-polls and websockets are cut, as in a crash.
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def _shutdown(self) -> None:
        assert self._sio is not None and self._runner is not None
        for sid in list(self._connected):
            await self._sio.disconnect(sid)
        await self._runner.cleanup()
        # engine.io's ping service and friends would otherwise die noisily with the loop.
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
