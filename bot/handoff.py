"""The handoff outbox worker: delivers queued leads to sales' channels, at least once, keyed.

Rows are queued by `LeadStore.finish` in the lead's own transaction; this module claims due rows,
sends them to every configured channel (JSON webhook, Slack-compatible webhook, SMTP email),
records each attempt, and reschedules failures with exponential backoff and full jitter.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import random
import smtplib
import socket
import ssl
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any, Protocol

import requests

from bot.settings import Settings, current_settings
from bot.store import Handoff, LeadStore, utcnow

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Leadbot-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class DeliveryResult:
    ok: bool
    status_code: int | None = None
    error: str | None = None
    duration_ms: float = 0.0


class Channel(Protocol):
    name: str

    def send(self, handoff: Handoff) -> DeliveryResult: ...


# --------------------------------------------------------------------------- signing


def canonical_body(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes POSTed: deterministic, so every retry carries an identical signed body."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, header: str | None, secret: str) -> bool:
    """For receivers: constant-time check of `X-Leadbot-Signature` against the raw body."""
    return bool(header) and hmac.compare_digest(sign(body, secret), str(header))


# --------------------------------------------------------------------------- channels


class WebhookChannel:
    """POST the payload as JSON, signed, with the handoff's fixed idempotency key."""

    name = "webhook"

    def __init__(self, url: str, secret: str | None, timeout: float) -> None:
        self.url = url
        self.secret = secret
        self.timeout = timeout
        self._http = requests.Session()

    def send(self, handoff: Handoff) -> DeliveryResult:
        body = canonical_body(handoff.payload)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "leadbot-handoff/1",
            IDEMPOTENCY_HEADER: handoff.idempotency_key,
        }
        if self.secret:
            headers[SIGNATURE_HEADER] = sign(body, self.secret)
        return _post(self._http, self.url, body, headers, self.timeout)


class SlackChannel:
    """A Slack-compatible incoming webhook: `{"text": <mrkdwn summary>}`."""

    name = "slack"

    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        self._http = requests.Session()

    def send(self, handoff: Handoff) -> DeliveryResult:
        text = str(handoff.payload.get("summary_markdown") or handoff.payload.get("summary") or "")
        body = json.dumps({"text": text}, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", IDEMPOTENCY_HEADER: handoff.idempotency_key}
        return _post(self._http, self.url, body, headers, self.timeout)


class EmailChannel:
    """SMTP: an HTML summary with a plain-text alternative; STARTTLS unless disabled."""

    name = "email"

    def __init__(self, settings: Settings) -> None:
        assert settings.smtp_host
        self.settings = settings

    def message(self, handoff: Handoff) -> EmailMessage:
        s = self.settings
        payload = handoff.payload
        text = str(payload.get("summary") or "")
        html = str(payload.get("summary_html") or "")
        msg = EmailMessage()
        # The subject is the summary's first line (already free of control characters).
        subject = " ".join((text.splitlines() or ["New lead"])[0].split())[:200]
        msg["Subject"] = subject
        msg["From"] = s.smtp_from or s.smtp_user or f"leadbot@{socket.getfqdn()}"
        msg["To"] = ", ".join(s.smtp_to)
        msg["Date"] = formatdate(localtime=False)
        # Stable across retries, so mail systems can drop a duplicate after a crash.
        msg["Message-ID"] = f"<{handoff.idempotency_key}@leadbot>"
        msg["X-Leadbot-Idempotency-Key"] = handoff.idempotency_key
        msg.set_content(text)
        if html:
            msg.add_alternative(html, subtype="html")
        return msg

    def send(self, handoff: Handoff) -> DeliveryResult:
        s = self.settings
        started = time.monotonic()
        try:
            msg = self.message(handoff)
            smtp_class = smtplib.SMTP_SSL if s.smtp_port == 465 else smtplib.SMTP
            with smtp_class(s.smtp_host or "", s.smtp_port, timeout=s.handoff_timeout_seconds) as smtp:
                if s.smtp_starttls and smtp_class is smtplib.SMTP:
                    smtp.starttls(context=ssl.create_default_context())
                if s.smtp_user:
                    smtp.login(s.smtp_user, s.smtp_password or "")
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException, ValueError) as exc:
            return DeliveryResult(False, None, f"{type(exc).__name__}: {exc}"[:500], _ms(started))
        return DeliveryResult(True, 250, None, _ms(started))


def _post(http: requests.Session, url: str, body: bytes, headers: dict[str, str], timeout: float) -> DeliveryResult:
    started = time.monotonic()
    try:
        response = http.post(url, data=body, headers=headers, timeout=(min(timeout, 5.0), timeout))
    except requests.RequestException as exc:
        return DeliveryResult(False, None, f"{type(exc).__name__}: {exc}"[:500], _ms(started))
    ok = 200 <= response.status_code < 300
    error = None if ok else f"HTTP {response.status_code}: {response.text[:200]}"
    return DeliveryResult(ok, response.status_code, error, _ms(started))


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000


def channels_from_settings(settings: Settings) -> dict[str, Channel]:
    """Every channel the environment configures; several may be active at once."""
    channels: dict[str, Channel] = {}
    timeout = settings.handoff_timeout_seconds
    if settings.handoff_url:
        if not settings.handoff_secret:
            log.warning("LEADBOT_HANDOFF_SECRET is not set: webhook handoffs are sent unsigned")
        channels["webhook"] = WebhookChannel(settings.handoff_url, settings.handoff_secret, timeout)
    if settings.slack_webhook_url:
        channels["slack"] = SlackChannel(settings.slack_webhook_url, timeout)
    if settings.email_configured:
        channels["email"] = EmailChannel(settings)
    return channels


# --------------------------------------------------------------------------- the worker


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2**(attempt-1))] seconds.

    Jitter spreads the retries of many handoffs that failed together (receiver down), so the
    receiver is not hit by a synchronised wave when it comes back.
    """
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return (rng or random).uniform(0, ceiling)


class Worker:
    """One delivery worker: an identity for claims, the channels, and the pass logic."""

    def __init__(self, store: LeadStore, settings: Settings | None = None) -> None:
        self.store = store
        self.settings = settings or current_settings()
        self.channels = channels_from_settings(self.settings)
        self.id = f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._warned_unconfigured = False
        self.last_claimed = 0  # rows claimed by the last pass: a full batch means look again at once

    def deliver_due(self, limit: int = 20) -> int:
        """One pass: claim due handoffs and try each pending channel once. Returns how many were
        fully delivered in this pass."""
        if not self.channels:
            if not self._warned_unconfigured:
                waiting = len(self.store.handoffs(status="pending"))
                log.warning(
                    "no handoff channel configured: %d handoff(s) stay pending in the outbox "
                    "(set LEADBOT_HANDOFF_URL, LEADBOT_SLACK_WEBHOOK_URL or LEADBOT_SMTP_HOST + LEADBOT_SMTP_TO)",
                    waiting,
                )
                self._warned_unconfigured = True
            return 0
        s = self.settings
        claimed = self.store.claim_handoffs(worker=self.id, lease_seconds=s.handoff_lease_seconds, limit=limit)
        delivered = 0
        for handoff in claimed:
            errors: list[str] = []
            for name, channel in self.channels.items():
                if name in handoff.delivered:
                    continue  # already accepted there: never send twice to a channel that succeeded
                result = channel.send(handoff)
                self.store.record_attempt(
                    handoff.id,
                    name,
                    ok=result.ok,
                    status_code=result.status_code,
                    error=result.error,
                    duration_ms=result.duration_ms,
                )
                if not result.ok:
                    errors.append(f"{name}: {result.error}")
            delay = backoff_delay(handoff.attempts + 1, s.handoff_backoff_seconds, s.handoff_backoff_max_seconds)
            status = self.store.complete_pass(
                handoff.id,
                worker=self.id,
                channels=list(self.channels),
                all_delivered=not errors,
                next_attempt_at=utcnow() + timedelta(seconds=delay),
                max_attempts=s.handoff_max_attempts,
                error="; ".join(errors) or None,
            )
            if status == "sent":
                delivered += 1
                log.info("handoff %s (%s) delivered", handoff.id, handoff.conversation_id)
            elif status == "dead":
                log.error("handoff %s is dead after %d attempts: %s", handoff.id, s.handoff_max_attempts, errors)
            else:
                log.warning("handoff %s failed (%s); retry in %.1fs", handoff.id, "; ".join(errors), delay)
        self.last_claimed = len(claimed)
        return delivered

    def run(self, stop_event: threading.Event) -> None:
        poll = self.settings.worker_poll_seconds
        log.info("handoff worker %s started; channels: %s", self.id, ", ".join(self.channels) or "none")
        while not stop_event.is_set():
            try:
                self.deliver_due()
                busy = self.last_claimed >= 20
            except Exception:  # the loop must survive a database blip
                log.exception("handoff worker pass failed")
                busy = False
            if not busy:
                stop_event.wait(poll)
        log.info("handoff worker %s stopped", self.id)


def deliver_due(store: LeadStore, settings: Settings | None = None) -> int:
    """One delivery pass with a fresh worker identity; see `Worker.deliver_due`."""
    return Worker(store, settings).deliver_due()


def run_worker(stop_event: threading.Event, store: LeadStore | None = None) -> None:
    """Poll the outbox (every LEADBOT_WORKER_POLL_SECONDS, default 0.5 s) until `stop_event`."""
    Worker(store or LeadStore()).run(stop_event)
