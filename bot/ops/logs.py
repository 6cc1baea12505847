"""Structured logs of our processes: one JSON object per line, tagged with the conversation id.

`configure_logging()` once at start-up, `conversation_logging(sender_id)` around per-conversation
work; values of secret-looking variables are masked if they ever reach a message.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import os
import sys
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from typing import Any

from bot.settings import current_settings

_CONVERSATION: contextvars.ContextVar[str | None] = contextvars.ContextVar("leadbot_conversation", default=None)
_SECRET_SUFFIXES = ("TOKEN", "PASSWORD", "SECRET", "_KEY")


def bind_conversation(conversation_id: str | None) -> contextvars.Token[str | None]:
    """Tag every log line of the current task/thread with `conversation_id` (Rasa's sender id).

    A context variable, so concurrent action runs in one process never mix their ids."""
    return _CONVERSATION.set(conversation_id)


@contextlib.contextmanager
def conversation_logging(conversation_id: str | None) -> Iterator[None]:
    token = bind_conversation(conversation_id)
    try:
        yield
    finally:
        _CONVERSATION.reset(token)


def _secret_values(env: Mapping[str, str]) -> list[str]:
    """Values of secret-looking variables, longest first (so a prefix never masks half a secret)."""
    from urllib.parse import unquote, urlsplit

    values = {v for k, v in env.items() if k.upper().endswith(_SECRET_SUFFIXES) and len(v) >= 6}
    for value in env.values():  # passwords inside DSNs (LEADBOT_DATABASE_URL, …)
        if "://" in value and "@" in value:
            with contextlib.suppress(ValueError):
                password = urlsplit(value).password
                if password and len(password) >= 6:
                    values.update({password, unquote(password)})
    return sorted(values, key=len, reverse=True)


class _ContextFilter(logging.Filter):
    """Adds `conversation_id` to every record and masks any secret value that slipped into a message."""

    def __init__(self, secrets_: list[str]) -> None:
        super().__init__()
        self._secrets = secrets_

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "conversation_id", None) is None:
            record.conversation_id = _CONVERSATION.get()
        if self._secrets:
            message = record.getMessage()
            masked = message
            for value in self._secrets:
                masked = masked.replace(value, "***")
            if masked != message:
                record.msg, record.args = masked, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, conversation_id (+ exception)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "conversation_id": getattr(record, "conversation_id", None),
            "process": record.process,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(fmt: str | None = None, level: str | int | None = None) -> None:
    """Route the root logger to stderr as JSON lines (LEADBOT_LOG_FORMAT=json) or text.

    Replaces handlers that rasa_sdk/coloredlogs installed before our code was imported, so each
    line is written once. Safe to call several times."""
    configured = current_settings()
    fmt = (fmt or configured.log_format).lower()
    level = level or configured.log_level
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter()
        if fmt == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(conversation_id)s]: %(message)s")
    )
    handler.addFilter(_ContextFilter(_secret_values(os.environ)))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else level.upper())
    for noisy in ("sanic.access", "urllib3", "matplotlib"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Libraries that attach their own handlers (sanic, rasa_sdk) would print every line twice.
    for name in ("sanic.root", "sanic.error", "rasa_sdk"):
        named = logging.getLogger(name)
        named.handlers.clear()
        named.propagate = True
