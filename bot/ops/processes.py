"""The processes the production topology runs: a patched Rasa instance, an action server, the worker.

`python -m bot.ops rasa|actions|worker` (internal: started by `ProductionStack`).
"""

from __future__ import annotations

import sys
from typing import Any

from bot.ops.bootstrap import DEPLOY
from bot.ops.logs import configure_logging, conversation_logging
from bot.ops.rasa_patches import (
    cache_action_response_validator,
    fail_turns_when_the_tracker_store_is_down,
    requeue_expired_lock_tickets,
)
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
    cache_action_response_validator()
    if settings.rasa_strict_tracker_store:
        fail_turns_when_the_tracker_store_is_down()
    if settings.rasa_requeue_expired_tickets:
        requeue_expired_lock_tickets()
    rasa_main()
    return 0


def run_actions(port: int) -> int:
    """The action server with our log format and the conversation id bound for every action call."""
    from rasa_sdk import endpoint
    from rasa_sdk.executor import ActionExecutor

    configure_logging()
    original = ActionExecutor.run

    async def run_bound(self: ActionExecutor, action_call: dict[str, Any]) -> Any:
        with conversation_logging(action_call.get("sender_id")):
            return await original(self, action_call)

    ActionExecutor.run = run_bound  # type: ignore[method-assign]
    endpoint.run("actions", port=port, cors_origins=None)
    return 0


def run_worker() -> int:
    from bot import cli

    configure_logging()  # before cli.main: its basicConfig is then a no-op
    return cli.main(["serve"])
