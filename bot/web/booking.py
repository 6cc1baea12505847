"""The booking webhooks: `POST /booking/calcom` and `POST /booking/calendly`.

A delivery is applied only when it is signed with our secret (LEADBOT_CALCOM_WEBHOOK_SECRET,
LEADBOT_CALENDLY_WEBHOOK_SECRET); a forged or stale one gets 401. A replay of a delivery applied
before is acknowledged (200, "duplicate") and changes nothing: answering an error would make the
provider retry a delivery we already have. docs/booking.md.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.domain.booking import BookingEvent
from bot.settings import Settings
from bot.storage import ConsoleStore
from bot.web.booking_events import (
    SignatureError,
    calcom_event,
    calendly_event,
    delivery_key,
    verify_calcom,
    verify_calendly,
)

log = logging.getLogger("leadbot")
MAX_BODY = 65536  # nginx's client_max_body_size in production

Verify = Callable[[bytes, str | None, str], None]
Read = Callable[[Mapping[str, Any], str], BookingEvent | None]


def booking_routes(store: ConsoleStore, settings: Settings) -> list[Route]:
    def calendly_verify(body: bytes, header: str | None, secret: str) -> None:
        verify_calendly(body, header, secret, tolerance_seconds=settings.calendly_webhook_tolerance_seconds)

    calcom = _endpoint(
        store, "calcom", settings.calcom_webhook_secret, "x-cal-signature-256", verify_calcom, calcom_event
    )
    secret = settings.calendly_webhook_secret
    calendly = _endpoint(store, "calendly", secret, "calendly-webhook-signature", calendly_verify, calendly_event)
    return [
        Route("/booking/calcom", calcom, methods=["POST"]),
        Route("/booking/calendly", calendly, methods=["POST"]),
    ]


def _endpoint(
    store: ConsoleStore, provider: str, secret: str | None, header: str, verify: Verify, read: Read
) -> Callable[[Request], Any]:
    variable = Settings.variable(f"{provider}_webhook_secret")

    async def receive(request: Request) -> JSONResponse:
        if not secret:
            return JSONResponse({"error": f"{provider} bookings are off: set {variable}"}, status_code=503)
        if int(request.headers.get("content-length") or 0) > MAX_BODY:
            return JSONResponse({"error": "body too large"}, status_code=413)
        body = await request.body()
        if len(body) > MAX_BODY:  # a chunked body has no content-length to refuse it by
            return JSONResponse({"error": "body too large"}, status_code=413)
        try:
            verify(body, request.headers.get(header), secret)
        except SignatureError as exc:
            log.warning("%s booking webhook refused: %s", provider, exc)
            return JSONResponse({"error": str(exc)}, status_code=401)
        try:
            data: Any = json.loads(body)
        except ValueError:
            return JSONResponse({"error": "body must be JSON"}, status_code=400)
        event = read(data, delivery_key(provider, body)) if isinstance(data, Mapping) else None
        if event is None:
            return JSONResponse({"status": "ignored"})
        result = await run_in_threadpool(store.apply_booking, event)
        log.info("%s booking webhook: %s %s -> %s", provider, event.change, event.event_uid, result.outcome)
        answer: dict[str, Any] = {"status": result.outcome}
        if result.booking is not None:
            booking = result.booking
            answer |= {
                "lead": result.conversation_id,
                "booked": booking.booked,
                "starts_at": booking.starts_at.isoformat() if booking.starts_at else None,
            }
        return JSONResponse(answer)

    return receive
