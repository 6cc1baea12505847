"""The HTTP API of `leadbot serve`: `POST /feedback/<lead_id>` for CRMs and `GET /health`.

Standard-library HTTP server (one small endpoint does not justify a framework); the Bearer
token is compared in constant time.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bot.settings import Settings
from bot.storage import LeadStore

log = logging.getLogger("leadbot")


def make_api_server(store: LeadStore, settings: Settings, *, host: str, port: int) -> ThreadingHTTPServer:
    """`POST /feedback/<lead_id>` (Bearer LEADBOT_FEEDBACK_TOKEN) and `GET /health`."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "leadbot"

        def log_message(self, format: str, *args: Any) -> None:
            log.info("api %s - " + format, self.address_string(), *args)

        def _reply(self, status: HTTPStatus, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if status is HTTPStatus.UNAUTHORIZED:
                self.send_header("WWW-Authenticate", "Bearer")
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path.split("?")[0] != "/health":
                return self._reply(HTTPStatus.NOT_FOUND, {"error": "not found"})
            try:
                pending = len(store.handoffs(status="pending"))
                dead = len(store.handoffs(status="dead"))
            except Exception as exc:
                return self._reply(HTTPStatus.SERVICE_UNAVAILABLE, {"status": "error", "error": type(exc).__name__})
            return self._reply(HTTPStatus.OK, {"status": "ok", "outbox": {"pending": pending, "dead": dead}})

        def do_POST(self) -> None:
            match = re.fullmatch(r"/feedback/([^/?]+)", self.path.split("?")[0])
            if match is None:
                return self._reply(HTTPStatus.NOT_FOUND, {"error": "not found"})
            token = settings.feedback_token
            if not token:
                return self._reply(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "feedback disabled: no token configured"})
            given = self.headers.get("Authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
                return self._reply(HTTPStatus.UNAUTHORIZED, {"error": "unauthorized"})
            try:
                length = int(self.headers.get("Content-Length") or 0)
                if length > 65536:
                    return self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "body too large"})
                body = json.loads(self.rfile.read(length) or b"{}")
                if not isinstance(body, dict):
                    raise ValueError("body must be a JSON object")
                fb = store.feedback(
                    match.group(1),
                    str(body.get("verdict", "")),
                    str(body.get("reason") or ""),
                    (str(body["by"]) if body.get("by") is not None else None),
                )
            except LookupError:
                return self._reply(HTTPStatus.NOT_FOUND, {"error": f"no lead {match.group(1)}"})
            except ValueError as exc:
                return self._reply(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
            return self._reply(
                HTTPStatus.OK, {"id": fb.id, "lead_id": fb.lead_id, "verdict": fb.verdict, "at": fb.at.isoformat()}
            )

    return ThreadingHTTPServer((host, port), Handler)
