"""The machine API: `POST /feedback/<lead_id>` for CRMs and webhooks, and `GET /health`.

Starlette endpoints in the same app as the console (bot/web/app.py); the Bearer token
(LEADBOT_FEEDBACK_TOKEN) is compared in constant time. A verdict posted here is written by the
same `LeadStore.feedback` as the CLI's and the console's.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.settings import Settings
from bot.storage import ConsoleStore

MAX_BODY = 65536


def api_routes(store: ConsoleStore, settings: Settings) -> list[Route]:
    async def health(request: Request) -> JSONResponse:
        try:
            pending = len(await run_in_threadpool(store.handoffs, status="pending"))
            dead = len(await run_in_threadpool(store.handoffs, status="dead"))
        except Exception as exc:
            return JSONResponse({"status": "error", "error": type(exc).__name__}, status_code=503)
        return JSONResponse({"status": "ok", "outbox": {"pending": pending, "dead": dead}})

    async def feedback(request: Request) -> JSONResponse:
        lead_id = request.path_params["lead_id"]
        if not bearer_ok(request, settings):
            if not settings.feedback_token:
                return JSONResponse({"error": "feedback disabled: no token configured"}, status_code=503)
            return JSONResponse({"error": "unauthorized"}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        try:
            if int(request.headers.get("content-length") or 0) > MAX_BODY:
                return JSONResponse({"error": "body too large"}, status_code=413)
            body: Any = json.loads(await request.body() or b"{}")
            if not isinstance(body, dict):
                raise ValueError("body must be a JSON object")
            fb = await run_in_threadpool(
                store.feedback,
                lead_id,
                str(body.get("verdict", "")),
                str(body.get("reason") or ""),
                str(body["by"]) if body.get("by") is not None else None,
                reason_code=str(body["reason_code"]) if body.get("reason_code") else None,
            )
        except LookupError:
            return JSONResponse({"error": f"no lead {lead_id}"}, status_code=404)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"id": fb.id, "lead_id": fb.lead_id, "verdict": fb.verdict, "at": fb.at.isoformat()})

    return [
        Route("/health", health, methods=["GET"]),
        Route("/feedback/{lead_id}", feedback, methods=["POST"]),
    ]


def bearer_ok(request: Request, settings: Settings) -> bool:
    """The request carries `Authorization: Bearer LEADBOT_FEEDBACK_TOKEN` (never when none is set)."""
    token = settings.feedback_token
    if not token:
        return False
    given = request.headers.get("authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
