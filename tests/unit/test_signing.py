"""Webhook signatures: `t=…,v1=…` over `t.body`, the replay window, and the settings that make
signing the default (a webhook without a secret is refused; production generates the secret)."""

from __future__ import annotations

import hashlib
import hmac
import logging
from pathlib import Path

import pytest

from bot.delivery import sign, verify_signature
from bot.delivery.channels import channels_from_settings
from bot.settings import SettingsError, from_env

SECRET = "unit-test-secret"
BODY = b'{"conversation_id":"c-1","score":100}'
T = 1_800_000_000


def test_a_fresh_signature_verifies() -> None:
    header = sign(BODY, SECRET, timestamp=T)
    assert header.startswith(f"t={T},v1=")
    assert verify_signature(BODY, header, SECRET, now=T + 1)


def test_the_mac_covers_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), f"{T}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(BODY, SECRET, timestamp=T) == f"t={T},v1={expected}"


@pytest.mark.parametrize(
    ("body", "secret"),
    [(BODY + b" ", SECRET), (BODY.replace(b"100", b"10"), SECRET), (BODY, "another-secret")],
)
def test_a_changed_body_or_wrong_secret_is_rejected(body: bytes, secret: str) -> None:
    assert not verify_signature(body, sign(BODY, SECRET, timestamp=T), secret, now=T)


def test_a_changed_timestamp_is_rejected() -> None:
    mac = sign(BODY, SECRET, timestamp=T).split("v1=")[1]
    assert not verify_signature(BODY, f"t={T + 60},v1={mac}", SECRET, now=T + 60)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "garbage",
        "v1=abc",  # no timestamp
        f"t={T}",  # no signature
        f"t=soon,v1={'0' * 64}",
        f"t={T},t={T},v1={'0' * 64}",
        # the old, untimestamped format is no longer accepted
        "sha256=" + hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest(),
    ],
)
def test_a_missing_or_malformed_header_is_rejected(header: str | None) -> None:
    assert not verify_signature(BODY, header, SECRET, now=T)


@pytest.mark.parametrize(("offset", "ok"), [(0, True), (299, True), (300, True), (301, False), (3600, False)])
def test_a_request_older_than_the_window_is_a_replay(offset: int, ok: bool) -> None:
    assert verify_signature(BODY, sign(BODY, SECRET, timestamp=T), SECRET, now=T + offset) is ok


def test_a_timestamp_far_in_the_future_is_rejected() -> None:
    assert not verify_signature(BODY, sign(BODY, SECRET, timestamp=T + 301), SECRET, now=T)


def test_the_window_is_the_receivers_choice() -> None:
    header = sign(BODY, SECRET, timestamp=T)
    assert not verify_signature(BODY, header, SECRET, tolerance=30, now=T + 31)
    assert verify_signature(BODY, header, SECRET, tolerance=3600, now=T + 3000)


def test_one_matching_signature_among_several_is_enough_for_a_secret_rotation() -> None:
    old = sign(BODY, "old-secret", timestamp=T).split(",")[1]
    new = sign(BODY, SECRET, timestamp=T).split(",")[1]
    assert verify_signature(BODY, f"t={T}, {old}, {new}", SECRET, now=T)
    assert verify_signature(BODY, f"t={T},{old},{new}", "old-secret", now=T)


def test_a_webhook_without_a_secret_is_a_configuration_error() -> None:
    settings = from_env({"LEADBOT_HANDOFF_URL": "https://crm.example/leads"})
    with pytest.raises(SettingsError) as error:
        channels_from_settings(settings)
    message = str(error.value)
    assert "LEADBOT_HANDOFF_SECRET" in message and "LEADBOT_ALLOW_UNSIGNED_WEBHOOKS=true" in message


def test_unsigned_webhooks_only_when_explicitly_allowed(caplog: pytest.LogCaptureFixture) -> None:
    settings = from_env({"LEADBOT_HANDOFF_URL": "https://crm.example/leads", "LEADBOT_ALLOW_UNSIGNED_WEBHOOKS": "true"})
    with caplog.at_level(logging.WARNING):
        channels = channels_from_settings(settings)
    assert set(channels) == {"webhook"} and "unsigned" in caplog.text


def test_production_mode_generates_and_keeps_the_handoff_secret(tmp_path: Path) -> None:
    from bot.ops.production import load_settings

    env = {"LEADBOT_VAR_DIR": str(tmp_path), "LEADBOT_ENV_FILE": str(tmp_path / "none.env")}
    first = load_settings(env)
    assert first.handoff_secret and len(first.handoff_secret) >= 32
    assert f"LEADBOT_HANDOFF_SECRET={first.handoff_secret}" in (tmp_path / "secrets.env").read_text()
    assert load_settings(env).handoff_secret == first.handoff_secret
    assert load_settings({**env, "LEADBOT_HANDOFF_SECRET": "from-ops"}).handoff_secret == "from-ops"
