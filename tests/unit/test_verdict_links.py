"""The one-click verdict links (signed, expiring) and the sign-in throttle, without a server."""

from __future__ import annotations

import pytest
from itsdangerous import TimestampSigner

from bot.delivery.verdict_links import VerdictLinkError, read_verdict_link, verdict_links
from bot.settings import Settings
from bot.web.security import LoginThrottle


def _flip_first_signature_char(token: str) -> str:
    head, _, signature = token.rpartition(".")
    return f"{head}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"


def _settings(**values: object) -> Settings:
    base = {"console_url": "https://leads.example.com/console/", "console_secret": "s" * 32}
    return Settings(_env_file=None, **{**base, **values})  # type: ignore[call-arg]


def test_a_link_reads_back_as_its_lead_verdict_and_nonce() -> None:
    settings = _settings()
    links = verdict_links(42, "key-1", settings)
    assert set(links) == {"accept", "reject"}
    assert links["accept"].startswith("https://leads.example.com/console/verdict/")
    token = links["reject"].rsplit("/", 1)[1]
    link = read_verdict_link(token, settings)
    assert (link.lead_id, link.verdict, link.nonce) == (42, "reject", "key-1")


def test_no_links_without_the_console_url_or_secret() -> None:
    assert verdict_links(1, "k", _settings(console_url=None)) == {}
    assert verdict_links(1, "k", _settings(console_secret=None)) == {}


@pytest.mark.parametrize(
    "tamper",
    [
        # The signature's first character (its last one carries unused padding bits).
        lambda t: _flip_first_signature_char(t),
        lambda t: "x" + t,  # the payload
        lambda t: t.split(".")[0],  # no signature at all
    ],
)
def test_a_changed_link_is_forged(tamper: object) -> None:
    settings = _settings()
    token = verdict_links(7, "k", settings)["accept"].rsplit("/", 1)[1]
    with pytest.raises(VerdictLinkError) as refused:
        read_verdict_link(tamper(token), settings)  # type: ignore[operator]
    assert refused.value.reason == "forged"


def test_a_link_signed_with_another_secret_is_forged() -> None:
    token = verdict_links(7, "k", _settings(console_secret="other" * 8))["accept"].rsplit("/", 1)[1]
    with pytest.raises(VerdictLinkError, match="forged"):
        read_verdict_link(token, _settings())


def test_a_link_older_than_its_hours_is_expired(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(verdict_link_hours=2)
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) - 3 * 3600)
    token = verdict_links(7, "k", settings)["accept"].rsplit("/", 1)[1]
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real)
    with pytest.raises(VerdictLinkError, match="expired"):
        read_verdict_link(token, settings)
    assert read_verdict_link(token, _settings(verdict_link_hours=4)).lead_id == 7


def test_the_throttle_blocks_after_the_failures_and_lets_go_after_the_window() -> None:
    now = [1000.0]
    throttle = LoginThrottle(max_failures=3, window_seconds=60, clock=lambda: now[0])
    for _ in range(3):
        assert throttle.retry_after("10.0.0.1", "rep@example.com") == 0
        throttle.failed("10.0.0.1", "Rep@Example.com")
    assert 0 < throttle.retry_after("10.0.0.1", "rep@example.com") <= 61
    assert throttle.retry_after("10.0.0.2", "rep@example.com") == 0  # another address
    assert throttle.retry_after("10.0.0.1", "boss@example.com") == 0  # another account, under 4x
    now[0] += 61
    assert throttle.retry_after("10.0.0.1", "rep@example.com") == 0


def test_one_address_guessing_many_accounts_is_blocked_too() -> None:
    throttle = LoginThrottle(max_failures=2, window_seconds=60, clock=lambda: 0.0)
    for i in range(8):
        throttle.failed("10.0.0.9", f"user{i}@example.com")
    assert throttle.retry_after("10.0.0.9", "fresh@example.com") > 0
