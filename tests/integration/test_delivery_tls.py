"""Handoffs over TLS against real servers with certificates made at test time (trustme): an SMTP
server (aiosmtpd, implicit TLS and STARTTLS) and an HTTPS webhook. A server we cannot
authenticate gets nothing, not even the SMTP password; one we trust gets the lead."""

from __future__ import annotations

import email
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import trustme

from bot.delivery import Worker
from bot.settings import SettingsError, current_settings
from bot.storage import LeadStore

from .conftest import free_port
from .test_handoff import _drain, _queue

PASSWORD = "smtp-password-for-tests"


@dataclass
class _Relay:
    """What the SMTP server saw: messages (and whether each came over TLS) and logins."""

    messages: list[Message] = field(default_factory=list)
    over_tls: list[bool] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        self.over_tls.append(server.transport.get_extra_info("ssl_object") is not None)
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        if isinstance(auth_data, LoginPassword):
            self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=True)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


StartRelay = Callable[..., _Relay]


@pytest.fixture
def smtp_relay(monkeypatch: pytest.MonkeyPatch, ca: trustme.CA) -> Iterator[StartRelay]:
    """Start a TLS SMTP server: `start(mode, hostnames=...)` with mode "implicit" or "starttls"."""
    from aiosmtpd.controller import Controller

    controllers: list[Controller] = []

    def start(mode: str, hostnames: tuple[str, ...] = ("127.0.0.1", "localhost"), offer_tls: bool = True) -> _Relay:
        relay = _Relay()
        server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(*hostnames).configure_cert(server_tls)
        port = free_port()
        options: dict[str, Any] = {"authenticator": relay.authenticate}
        if mode == "implicit":
            options.update(ssl_context=server_tls, auth_require_tls=False)  # the whole session is TLS
        elif offer_tls:
            options.update(tls_context=server_tls, require_starttls=True)
        controller = Controller(relay, hostname="127.0.0.1", port=port, **options)
        controller.start()
        controllers.append(controller)
        # SMTPS on a free port rather than 465 (privileged): the setting ops use for the same.
        monkeypatch.setenv("LEADBOT_SMTP_IMPLICIT_TLS", "true" if mode == "implicit" else "false")
        monkeypatch.setenv("LEADBOT_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("LEADBOT_SMTP_PORT", str(port))
        monkeypatch.setenv("LEADBOT_SMTP_STARTTLS", "true")
        monkeypatch.setenv("LEADBOT_SMTP_USER", "leadbot")
        monkeypatch.setenv("LEADBOT_SMTP_PASSWORD", PASSWORD)
        monkeypatch.setenv("LEADBOT_SMTP_FROM", "leadbot@example.com")
        monkeypatch.setenv("LEADBOT_SMTP_TO", "sales@example.com")
        monkeypatch.setenv("LEADBOT_HANDOFF_MAX_ATTEMPTS", "2")
        return relay

    yield start
    for controller in controllers:
        controller.stop()


def _trust(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ca: trustme.CA) -> None:
    path = tmp_path / "relay-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    monkeypatch.setenv("LEADBOT_SMTP_CA_FILE", str(path))


MODES = ["implicit", "starttls"]


@pytest.mark.parametrize("mode", MODES)
def test_a_trusted_server_receives_the_lead_over_tls(
    mode: str,
    sqlite_url: str,
    smtp_relay: StartRelay,
    ca: trustme.CA,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    relay = smtp_relay(mode)
    _trust(monkeypatch, tmp_path, ca)
    store = LeadStore(sqlite_url)
    handoff_id = _queue(store)
    assert _drain(store, handoff_id) == "sent"
    assert len(relay.messages) == 1 and relay.over_tls == [True]
    assert relay.messages[0]["To"] == "sales@example.com"
    assert relay.logins == [("leadbot", PASSWORD)]


@pytest.mark.parametrize("mode", MODES)
def test_a_server_we_do_not_trust_gets_nothing_and_the_handoff_goes_dead(
    mode: str, sqlite_url: str, smtp_relay: StartRelay
) -> None:
    relay = smtp_relay(mode)  # signed by a CA the system store does not know, no CA file set
    store = LeadStore(sqlite_url)
    handoff_id = _queue(store)
    assert _drain(store, handoff_id) == "dead"
    assert relay.messages == [] and relay.logins == []  # neither the lead nor the password left
    attempts = store.delivery_attempts(handoff_id)
    assert len(attempts) == 2 and not any(a.ok for a in attempts)
    error = attempts[-1].error or ""
    assert "not trusted" in error and "LEADBOT_SMTP_CA_FILE" in error and "nothing was sent" in error


@pytest.mark.parametrize("mode", MODES)
def test_a_certificate_for_another_host_is_refused_even_from_a_trusted_ca(
    mode: str,
    sqlite_url: str,
    smtp_relay: StartRelay,
    ca: trustme.CA,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    relay = smtp_relay(mode, hostnames=("mail.example.org",))
    _trust(monkeypatch, tmp_path, ca)
    store = LeadStore(sqlite_url)
    handoff_id = _queue(store)
    assert _drain(store, handoff_id) == "dead"
    assert relay.messages == [] and relay.logins == []
    assert "mismatch" in (store.delivery_attempts(handoff_id)[-1].error or "").lower()


def test_a_server_without_starttls_is_not_sent_plain_text(
    sqlite_url: str, smtp_relay: StartRelay, ca: trustme.CA, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    relay = smtp_relay("starttls", offer_tls=False)
    _trust(monkeypatch, tmp_path, ca)
    store = LeadStore(sqlite_url)
    handoff_id = _queue(store)
    assert _drain(store, handoff_id) == "dead"
    assert relay.messages == [] and relay.logins == []
    assert "STARTTLS" in (store.delivery_attempts(handoff_id)[-1].error or "")


def test_an_unreadable_ca_file_stops_the_worker_with_what_to_fix(
    sqlite_url: str, smtp_relay: StartRelay, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    smtp_relay("starttls")
    monkeypatch.setenv("LEADBOT_SMTP_CA_FILE", str(tmp_path / "missing.pem"))
    with pytest.raises(SettingsError, match=r"LEADBOT_SMTP_CA_FILE=.*missing\.pem.*CA certificate"):
        Worker(LeadStore(sqlite_url), current_settings())


def test_port_465_is_implicit_tls() -> None:
    from bot.settings import from_env

    assert from_env({"LEADBOT_SMTP_PORT": "465"}).smtp_implicit_tls is True
    assert from_env({"LEADBOT_SMTP_PORT": "587"}).smtp_implicit_tls is False
    assert from_env({"LEADBOT_SMTP_PORT": "2465", "LEADBOT_SMTP_IMPLICIT_TLS": "true"}).smtp_implicit_tls is True


def test_an_https_webhook_is_verified_like_email(
    sqlite_url: str, ca: trustme.CA, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from pytest_httpserver import HTTPServer

    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_tls)
    receiver = HTTPServer(host="127.0.0.1", port=free_port(), ssl_context=server_tls)
    receiver.expect_request("/leads", method="POST").respond_with_json({"ok": True})
    receiver.start()
    try:
        monkeypatch.setenv("LEADBOT_HANDOFF_URL", receiver.url_for("/leads"))
        monkeypatch.setenv("LEADBOT_HANDOFF_SECRET", "s3cret")
        monkeypatch.setenv("LEADBOT_HANDOFF_MAX_ATTEMPTS", "1")
        monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
        monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
        store = LeadStore(sqlite_url)
        refused = _queue(store)
        assert _drain(store, refused) == "dead" and receiver.log == []
        error = store.delivery_attempts(refused)[-1].error or ""
        assert "not trusted" in error and "REQUESTS_CA_BUNDLE" in error

        bundle = tmp_path / "receiver-ca.pem"
        ca.cert_pem.write_to_path(str(bundle))
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
        accepted = _queue(store)
        assert _drain(store, accepted) == "sent" and len(receiver.log) == 1
    finally:
        receiver.stop()
