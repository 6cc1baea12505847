"""The processes the production topology runs: a patched Rasa instance, an action server, the worker.

`python -m bot.ops rasa|actions|worker` (internal: started by `ProductionStack`).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import sys
from typing import Any

import pluggy

from bot.ops.bootstrap import DEPLOY
from bot.ops.logs import configure_logging, conversation_logging
from bot.ops.rasa_patches import apply_rasa_patches
from bot.ops.supervisor import ROOT
from bot.settings import current_settings


def run_rasa(port: int) -> int:
    """`rasa run` with the token and CORS list read from the environment, never from argv (`ps`)."""
    from rasa.__main__ import main as rasa_main

    settings = current_settings()
    token = settings.rasa_token or ""
    origins = list(settings.cors_origins)
    sys.argv = [
        "rasa", "run", "--enable-api", "--auth-token", token, "--cors", *origins,
        "--port", str(port), "--interface", "127.0.0.1", "--model", str(settings.model),
        "--endpoints", str(DEPLOY / "endpoints.production.yml"), "--credentials", str(ROOT / "credentials.yml"),
    ]  # fmt: skip
    # The lock store of endpoints.production.yml applies them too; here an unchecked Rasa is
    # refused before TensorFlow and the model load.
    apply_rasa_patches()
    rasa_main()
    return 0


_hookimpl = pluggy.HookimplMarker("rasa_sdk")
# The header Rasa sends every action call with (endpoints.yml `headers`, written by the launchers).
ACTION_TOKEN_HEADER = "X-Leadbot-Action-Token"


class ActionServerExposed(SystemExit):
    """The action server would listen beyond this machine with nothing to tell Rasa from a forger."""


def run_actions(port: int) -> int:
    """The action server: loopback unless told otherwise (SANIC_HOST), our log format, the
    conversation id bound for every action call, and `X-Leadbot-Action-Token` required on every
    call when LEADBOT_ACTION_TOKEN is set (both launchers set it)."""
    from rasa_sdk import endpoint
    from rasa_sdk.executor import ActionExecutor
    from rasa_sdk.plugin import plugin_manager

    configure_logging()
    host = os.environ.setdefault("SANIC_HOST", "127.0.0.1")
    token = current_settings().action_token
    if not token and not is_loopback(host):
        raise ActionServerExposed(
            f"refusing to start the action server on {host}: anyone who reaches it could post a forged "
            "conversation and push a fake lead to sales. Set LEADBOT_ACTION_TOKEN (Rasa must send it: "
            "`make run` does) or listen on 127.0.0.1."
        )
    if token:
        plugin_manager().register(_RequireActionToken(token))
    original = ActionExecutor.run

    async def run_bound(self: ActionExecutor, action_call: dict[str, Any]) -> Any:
        with conversation_logging(action_call.get("sender_id")):
            return await original(self, action_call)

    ActionExecutor.run = run_bound  # type: ignore[method-assign]
    endpoint.run("actions", port=port, cors_origins=None)
    return 0


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _RequireActionToken:
    """A rasa_sdk plugin (its `attach_sanic_app_extensions` hook): every call but /health must
    carry the shared token, so only our Rasa can run actions (and so reach the leads and sales)."""

    def __init__(self, token: str) -> None:
        self.token = token.encode()

    @_hookimpl
    def attach_sanic_app_extensions(self, app: Any) -> None:
        from sanic import response

        @app.middleware("request")
        async def require_token(request: Any) -> Any:
            if request.path == "/health":
                return None
            given = request.headers.get(ACTION_TOKEN_HEADER, "").encode()
            if hmac.compare_digest(given, self.token):
                return None
            return response.json({"error": f"missing or wrong {ACTION_TOKEN_HEADER} header"}, status=401)


def run_worker() -> int:
    from bot import cli

    configure_logging()  # before cli.main: its basicConfig is then a no-op
    return cli.main(["serve"])
