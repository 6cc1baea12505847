"""Sales' channels: a signed JSON webhook, a Slack-compatible webhook and SMTP email.

Each channel sends one stored handoff payload as is (never re-rendered, so every retry carries
the same body and idempotency key) and reports the result; the worker decides what happens next.
"""

from __future__ import annotations

import json
import logging
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import formatdate, parsedate_to_datetime
from typing import Protocol
from urllib.parse import urlsplit

import requests

from bot.delivery.signing import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, canonical_body, sign
from bot.domain import Handoff
from bot.settings import Settings, SettingsError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryResult:
    ok: bool
    status_code: int | None = None
    error: str | None = None
    duration_ms: float = 0.0
    # Seconds the receiver asked us to wait (429/503 `Retry-After`); the worker schedules the
    # handoff's next pass no earlier than that.
    retry_after: float | None = None


class Channel(Protocol):
    name: str

    def send(self, handoff: Handoff) -> DeliveryResult: ...


class WebhookChannel:
    """POST the payload as JSON, signed (timestamp + HMAC, fresh on every attempt), with the
    handoff's fixed idempotency key."""

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
    """SMTP: an HTML summary with a plain-text alternative, over TLS that checks the server.

    Port 465 is implicit TLS (SMTPS; LEADBOT_SMTP_IMPLICIT_TLS for another port); any other port
    upgrades with STARTTLS unless disabled.
    Both verify the certificate chain and the host name, against the system's CAs or
    LEADBOT_SMTP_CA_FILE (a private CA): the password and the lead's personal data never go to
    a server we cannot authenticate. A relay that does not offer STARTTLS is an error, not a
    silent fall back to plain text."""

    name = "email"

    def __init__(self, settings: Settings) -> None:
        assert settings.smtp_host
        self.settings = settings
        self.tls = _tls_context(settings)
        self.implicit_tls = settings.smtp_implicit_tls
        if not self.implicit_tls and not settings.smtp_starttls:
            log.warning(
                "LEADBOT_SMTP_STARTTLS=false: email to %s:%d (and any SMTP password) travels unencrypted",
                settings.smtp_host,
                settings.smtp_port,
            )

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
        host, port, timeout = s.smtp_host or "", s.smtp_port, s.handoff_timeout_seconds
        started = time.monotonic()
        try:
            msg = self.message(handoff)
            smtp = (
                smtplib.SMTP_SSL(host, port, timeout=timeout, context=self.tls)
                if self.implicit_tls
                else smtplib.SMTP(host, port, timeout=timeout)
            )
            with smtp:
                if s.smtp_starttls and not self.implicit_tls:
                    smtp.starttls(context=self.tls)
                if s.smtp_user:
                    smtp.login(s.smtp_user, s.smtp_password or "")
                smtp.send_message(msg)
        except ssl.SSLCertVerificationError as exc:
            error = (
                f"TLS certificate of {host}:{port} not trusted ({exc.verify_message}); nothing was sent. "
                "If the relay uses a private CA, set LEADBOT_SMTP_CA_FILE to its PEM file"
            )
            return DeliveryResult(False, None, error, _ms(started))
        except (OSError, smtplib.SMTPException, ValueError) as exc:
            return DeliveryResult(False, None, f"{type(exc).__name__}: {exc}"[:500], _ms(started))
        return DeliveryResult(True, 250, None, _ms(started))


def _tls_context(settings: Settings) -> ssl.SSLContext:
    """A verifying client context: the system's CAs, or only LEADBOT_SMTP_CA_FILE when set."""
    try:
        return ssl.create_default_context(cafile=settings.smtp_ca_file or None)
    except (OSError, ssl.SSLError) as exc:
        raise SettingsError(
            f"LEADBOT_SMTP_CA_FILE={settings.smtp_ca_file}: cannot read a PEM certificate there ({exc}). "
            "Point it at your SMTP relay's CA certificate, or leave it empty to use the system's CAs."
        ) from None


def _post(http: requests.Session, url: str, body: bytes, headers: dict[str, str], timeout: float) -> DeliveryResult:
    started = time.monotonic()
    try:
        response = http.post(url, data=body, headers=headers, timeout=(min(timeout, 5.0), timeout))
    except requests.RequestException as exc:
        return transport_failure(exc, url, started)
    return response_result(response, started)


def transport_failure(exc: requests.RequestException, url: str, started: float) -> DeliveryResult:
    """A request that got no HTTP answer, said without the URL's path (it may be a secret)."""
    if isinstance(exc, requests.exceptions.SSLError):
        # requests verifies certificates and host names by default; say what that failure means.
        untrusted = (
            f"TLS certificate of {urlsplit(url).netloc} not trusted; nothing was sent. If the receiver "
            f"uses a private CA, set REQUESTS_CA_BUNDLE to its PEM file ({_without_path(exc, url)})"
        )
        return DeliveryResult(False, None, untrusted[:500], _ms(started))
    return DeliveryResult(False, None, f"{type(exc).__name__}: {_without_path(exc, url)}"[:500], _ms(started))


def response_result(response: requests.Response, started: float, what: str = "") -> DeliveryResult:
    """A 2xx is accepted; anything else is a failure carrying the status, the start of the body
    and the receiver's `Retry-After`."""
    ok = 200 <= response.status_code < 300
    error = None if ok else f"{what}HTTP {response.status_code}: {response.text[:200]}"
    return DeliveryResult(ok, response.status_code, error, _ms(started), retry_after_seconds(response))


def retry_after_seconds(response: requests.Response) -> float | None:
    """`Retry-After` as seconds from now: delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
    value = response.headers.get("Retry-After", "").strip()
    if not value or response.status_code < 400:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _without_path(exc: Exception, url: str) -> str:
    """The error without the URL's path: a Slack webhook's path is its secret, and errors are
    stored with each attempt and logged."""
    parts = urlsplit(url)
    text = str(exc)
    for secret in filter(None, (parts.path + (f"?{parts.query}" if parts.query else ""), parts.path)):
        if secret != "/":
            text = text.replace(secret, "/…")
    return text


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000


def channels_from_settings(settings: Settings) -> dict[str, Channel]:
    """Every channel the environment configures; several may be active at once."""
    channels: dict[str, Channel] = {}
    timeout = settings.handoff_timeout_seconds
    if settings.handoff_url:
        if not settings.handoff_secret:
            if not settings.allow_unsigned_webhooks:
                raise SettingsError(
                    "LEADBOT_HANDOFF_URL is set but LEADBOT_HANDOFF_SECRET is not: the receiver could not tell "
                    "our handoffs from forged ones. Set LEADBOT_HANDOFF_SECRET to a long random value shared "
                    "with the receiver (python -c 'import secrets; print(secrets.token_hex(32))'), or "
                    "LEADBOT_ALLOW_UNSIGNED_WEBHOOKS=true to send unsigned on purpose."
                )
            log.warning("LEADBOT_ALLOW_UNSIGNED_WEBHOOKS=true: webhook handoffs are sent unsigned")
        channels["webhook"] = WebhookChannel(settings.handoff_url, settings.handoff_secret, timeout)
    if settings.slack_webhook_url:
        channels["slack"] = SlackChannel(settings.slack_webhook_url, timeout)
    if settings.email_configured:
        channels["email"] = EmailChannel(settings)
    return channels
