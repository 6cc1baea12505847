"""Ops settings: every URL, DSN, token and knob the leads side reads from the environment.

Read from `os.environ`, after loading `.env` (never overriding variables already set), so a
test or a process manager can always win over the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

_DOTENV_LOADED = False


def _load_dotenv_once() -> None:
    global _DOTENV_LOADED
    if not _DOTENV_LOADED:
        load_dotenv(Path.cwd() / ".env", override=False)
        _DOTENV_LOADED = True


def _str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def _int(name: str, default: int) -> int:
    value = _str(name)
    return default if value is None else int(value)


def _float(name: str, default: float) -> float:
    value = _str(name)
    return default if value is None else float(value)


def _bool(name: str, default: bool) -> bool:
    value = _str(name)
    if value is None:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """A snapshot of the environment; call `settings()` again to see later changes."""

    sla_path: str
    database_url: str
    handoff_url: str | None
    handoff_secret: str | None
    slack_webhook_url: str | None
    smtp_host: str | None
    smtp_port: int
    smtp_user: str | None
    smtp_password: str | None
    smtp_starttls: bool
    smtp_from: str | None
    smtp_to: tuple[str, ...]
    handoff_max_attempts: int
    handoff_backoff_seconds: float
    handoff_backoff_max_seconds: float
    handoff_timeout_seconds: float
    handoff_lease_seconds: float
    worker_poll_seconds: float
    feedback_token: str | None
    api_host: str
    api_port: int
    tracker_db_url: str | None
    transcript_base_url: str | None
    templates_dir: str | None

    @property
    def email_configured(self) -> bool:
        return bool(self.smtp_host and self.smtp_to)


def settings() -> Settings:
    """Read the settings now (cheap: a handful of dict lookups)."""
    _load_dotenv_once()
    smtp_to = _str("LEADBOT_SMTP_TO") or ""
    templates_dir = _str("LEADBOT_TEMPLATES_DIR")
    if templates_dir is None and (Path.cwd() / "templates").is_dir():
        templates_dir = str(Path.cwd() / "templates")
    return Settings(
        sla_path=_str("LEADBOT_SLA", "sla.yml") or "sla.yml",
        database_url=_str("LEADBOT_DATABASE_URL", "sqlite:///leads.db") or "sqlite:///leads.db",
        handoff_url=_str("LEADBOT_HANDOFF_URL"),
        handoff_secret=_str("LEADBOT_HANDOFF_SECRET"),
        slack_webhook_url=_str("LEADBOT_SLACK_WEBHOOK_URL"),
        smtp_host=_str("LEADBOT_SMTP_HOST"),
        smtp_port=_int("LEADBOT_SMTP_PORT", 587),
        smtp_user=_str("LEADBOT_SMTP_USER"),
        smtp_password=_str("LEADBOT_SMTP_PASSWORD"),
        smtp_starttls=_bool("LEADBOT_SMTP_STARTTLS", True),
        smtp_from=_str("LEADBOT_SMTP_FROM"),
        smtp_to=tuple(a.strip() for a in smtp_to.split(",") if a.strip()),
        handoff_max_attempts=_int("LEADBOT_HANDOFF_MAX_ATTEMPTS", 8),
        handoff_backoff_seconds=_float("LEADBOT_HANDOFF_BACKOFF_SECONDS", 5.0),
        handoff_backoff_max_seconds=_float("LEADBOT_HANDOFF_BACKOFF_MAX_SECONDS", 3600.0),
        handoff_timeout_seconds=_float("LEADBOT_HANDOFF_TIMEOUT_SECONDS", 10.0),
        handoff_lease_seconds=_float("LEADBOT_HANDOFF_LEASE_SECONDS", 120.0),
        worker_poll_seconds=_float("LEADBOT_WORKER_POLL_SECONDS", 0.5),
        feedback_token=_str("LEADBOT_FEEDBACK_TOKEN"),
        api_host=_str("LEADBOT_API_HOST", "0.0.0.0") or "0.0.0.0",
        api_port=_int("LEADBOT_API_PORT", 5056),
        tracker_db_url=_str("LEADBOT_TRACKER_DB_URL"),
        transcript_base_url=_str("LEADBOT_TRANSCRIPT_BASE_URL"),
        templates_dir=templates_dir,
    )
