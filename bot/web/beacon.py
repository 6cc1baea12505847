"""`POST /beacon`: the widget says "widget opened" or "first message", for the funnel's first steps.

No session, no token (a visitor's browser sends it, from the marketing site's origin), so it
takes nothing but one of two words: a body longer than that, or another word, is refused, and
nothing about the visitor is stored (a counter per day: bot/storage/widget.py). Rate-limited
per address (LEADBOT_BEACON_PER_MINUTE) so a script cannot inflate the funnel cheaply.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.settings import Settings
from bot.storage import ConsoleStore
from bot.storage.widget import WIDGET_EVENTS

MAX_BODY = 64
# sendBeacon cannot read the answer; a fetch() from the widget's page may, from any origin.
_CORS = {"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"}


class RateLimit:
    """At most `per_minute` events per key over the last 60 seconds (in memory, per process)."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = self._clock()
        with self._lock:
            times = self._seen.setdefault(key, deque())
            while times and times[0] <= now - 60:
                times.popleft()
            if len(times) >= self.per_minute:
                return False
            times.append(now)
            if len(self._seen) > 10_000:  # bounded: forget the addresses quiet for a minute
                for stale in [k for k, v in self._seen.items() if not v or v[-1] <= now - 60]:
                    del self._seen[stale]
            return True


def beacon_routes(store: ConsoleStore, settings: Settings) -> list[Route]:
    limit = RateLimit(settings.beacon_per_minute)

    async def beacon(request: Request) -> Response:
        if int(request.headers.get("content-length") or 0) > MAX_BODY:
            return PlainTextResponse("a beacon is one word", status_code=413, headers=_CORS)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return PlainTextResponse("a beacon is one word", status_code=413, headers=_CORS)
        event = body.decode("utf-8", "replace").strip()
        if event not in WIDGET_EVENTS:
            return PlainTextResponse(f"expected one of: {', '.join(WIDGET_EVENTS)}", status_code=400, headers=_CORS)
        address = request.client.host if request.client else "?"
        if not limit.allow(address):
            return PlainTextResponse("too many beacons", status_code=429, headers={**_CORS, "Retry-After": "60"})
        await run_in_threadpool(store.count_widget_event, event)
        return Response(status_code=204, headers=_CORS)

    return [Route("/beacon", beacon, methods=["POST"])]
