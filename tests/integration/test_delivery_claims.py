"""At most one delivery per channel: per-handoff claims renewed by a heartbeat, fenced writes, and
the per-channel guards, against slow real receivers (HTTP and SMTP) and two workers at once, on
SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import email
import logging
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bot.delivery import IDEMPOTENCY_HEADER, Worker
from bot.settings import current_settings
from bot.storage import LeadStore

from .conftest import free_port, wait_until
from .test_handoff import SECRET, _queue, _worker_process

SLOW_SECONDS = 3.0  # each receiver takes this long to answer: two leases
LEASE_SECONDS = 1.5  # renewed every 0.5 s: a loaded CI machine may stall a thread that long


# --------------------------------------------------------------------------- the store's fences


def test_a_taken_over_claim_fences_every_write_of_the_old_holder(store: LeadStore) -> None:
    handoff_id = _queue(store)
    (old,) = store.claim_handoffs(worker="a", lease_seconds=-1)  # lapses at once
    (new,) = store.claim_handoffs(worker="b", lease_seconds=60)
    assert old.handoff.id == new.handoff.id == handoff_id and old.token != new.token

    assert not store.extend_claim(handoff_id, token=old.token, lease_seconds=60)
    assert store.extend_claim(handoff_id, token=new.token, lease_seconds=60)
    assert store.begin_send(handoff_id, "webhook", token=old.token, in_flight_seconds=30).verdict == "claim_lost"
    failed = dict(ok=False, status_code=500, error="HTTP 500", duration_ms=1.0)
    assert store.record_attempt(handoff_id, "webhook", token=old.token, **failed) is False  # type: ignore[arg-type]
    assert store.delivery_attempts(handoff_id) == []  # refused: the new holder owns the retries
    store.complete_pass(
        handoff_id, token=old.token, channels=["webhook"], next_attempt_at=None, max_attempts=8, error="x"
    )
    handoff = store.handoff(handoff_id)
    assert handoff is not None and handoff.status == "pending" and handoff.attempts == 0
    assert store.claim_handoffs(worker="c", lease_seconds=60) == []  # b's claim survived a's writes


def test_a_send_in_flight_under_a_lost_claim_is_not_repeated(store: LeadStore) -> None:
    handoff_id = _queue(store)
    (old,) = store.claim_handoffs(worker="a", lease_seconds=-1)
    assert store.begin_send(handoff_id, "slack", token=old.token, in_flight_seconds=30).go
    (new,) = store.claim_handoffs(worker="b", lease_seconds=60)  # a's lease lapsed mid-send

    waiting = store.begin_send(handoff_id, "slack", token=new.token, in_flight_seconds=30)
    assert waiting.verdict == "in_flight" and waiting.wait_until is not None
    assert store.begin_send(handoff_id, "email", token=new.token, in_flight_seconds=30).go  # other channels go on

    ok = dict(ok=True, status_code=200, error=None, duration_ms=1.0)
    assert store.record_attempt(handoff_id, "slack", token=old.token, **ok) is False  # type: ignore[arg-type]
    assert store.begin_send(handoff_id, "slack", token=new.token, in_flight_seconds=30).verdict == "delivered"
    assert store.record_attempt(handoff_id, "email", token=new.token, **ok) is True  # type: ignore[arg-type]
    status = store.complete_pass(
        handoff_id, token=new.token, channels=["slack", "email"], next_attempt_at=None, max_attempts=8, error=None
    )
    assert status == "sent"
    assert [(a.channel, a.ok) for a in store.delivery_attempts(handoff_id)] == [("slack", True), ("email", True)]


# --------------------------------------------------------------------------- slow receivers


class _SlowInbox:
    """An SMTP server that takes SLOW_SECONDS to accept each message."""

    def __init__(self) -> None:
        self.message_ids: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(SLOW_SECONDS)
        self.message_ids.append(str(email.message_from_bytes(envelope.content)["Message-ID"]))
        return "250 OK"


@pytest.fixture
def slow_receivers() -> Iterator[tuple[HTTPServer, _SlowInbox, dict[str, str]]]:
    """A webhook and a Slack endpoint (one threaded HTTP server) and an SMTP server, all slow;
    plus the environment pointing a worker at them."""
    from aiosmtpd.controller import Controller

    def slow(request: Request) -> Response:
        time.sleep(SLOW_SECONDS)
        return Response('{"ok": true}', status=200, content_type="application/json")

    http = HTTPServer(host="127.0.0.1", port=free_port(), threaded=True)
    http.expect_request("/leads", method="POST").respond_with_handler(slow)
    http.expect_request("/slack", method="POST").respond_with_handler(slow)
    http.start()
    inbox = _SlowInbox()
    smtp_port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    env = {
        "LEADBOT_HANDOFF_URL": http.url_for("/leads"),
        "LEADBOT_HANDOFF_SECRET": SECRET,
        "LEADBOT_SLACK_WEBHOOK_URL": http.url_for("/slack"),
        "LEADBOT_SMTP_HOST": "127.0.0.1",
        "LEADBOT_SMTP_PORT": str(smtp_port),
        "LEADBOT_SMTP_STARTTLS": "false",  # a loopback test relay; TLS is tested in test_delivery_tls.py
        "LEADBOT_SMTP_FROM": "leadbot@example.com",
        "LEADBOT_SMTP_TO": "sales@example.com",
        "LEADBOT_HANDOFF_LEASE_SECONDS": str(LEASE_SECONDS),
        "LEADBOT_HANDOFF_TIMEOUT_SECONDS": "10",
        "LEADBOT_WORKER_POLL_SECONDS": "0.1",
    }
    yield http, inbox, env
    controller.stop()
    http.stop()


def _requests_per_key(http: HTTPServer, path: str) -> Counter[str]:
    return Counter(r.headers[IDEMPOTENCY_HEADER] for r, _ in http.log if r.path == path)


def test_two_workers_and_receivers_slower_than_the_lease_deliver_once_per_channel(
    store: LeadStore,
    slow_receivers: tuple[HTTPServer, _SlowInbox, dict[str, str]],
    tmp_path: Path,
) -> None:
    http, inbox, env = slow_receivers
    env = {**env, "LEADBOT_TEMPLATES_DIR": str(tmp_path / "none")}
    logs = [tmp_path / "worker1.log", tmp_path / "worker2.log"]
    workers = [_worker_process(store.url, env, log) for log in logs]
    try:
        wait_until(lambda: all("started; channels" in p.read_text() for p in logs), 60)  # both polling
        ids = [_queue(store) for _ in range(3)]
        wait_until(lambda: all(store.handoff(i).status == "sent" for i in ids), 120)  # type: ignore[union-attr]
        time.sleep(LEASE_SECONDS * 2)  # room for a late duplicate to show up
    finally:
        for proc in workers:
            proc.send_signal(signal.SIGTERM)
        for proc in workers:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
    keys = {store.handoff(i).idempotency_key for i in ids}  # type: ignore[union-attr]
    assert _requests_per_key(http, "/leads") == dict.fromkeys(keys, 1)
    assert _requests_per_key(http, "/slack") == dict.fromkeys(keys, 1)
    assert Counter(inbox.message_ids) == {f"<{key}@leadbot>": 1 for key in keys}
    # The race really happened: each send outlasted the lease, and both workers delivered some.
    attempts = store.delivery_attempts()
    assert len(attempts) == 9 and all(a.ok and a.duration_ms > LEASE_SECONDS * 1000 for a in attempts)
    texts = [p.read_text() for p in logs]
    assert all(" delivered" in text for text in texts), texts
    assert not any("claim lost" in text for text in texts), texts


def test_a_worker_whose_lease_lapses_mid_send_is_not_doubled_by_the_next(
    store: LeadStore,
    slow_receivers: tuple[HTTPServer, _SlowInbox, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The heartbeat stalls (a paused process, a database that stopped answering): the claim
    lapses while the first worker is still waiting for the receiver. A second worker takes the
    handoff over but does not send to a channel the first one may still get an answer from."""
    http, _, env = slow_receivers
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("LEADBOT_SMTP_HOST")  # HTTP channels suffice here
    settings = current_settings()
    handoff_id = _queue(store)
    stalled = Worker(store, settings, heartbeat_seconds=3600)
    healthy = Worker(LeadStore(store.url), settings)
    stop = threading.Event()
    threads = [threading.Thread(target=w.run, args=(stop,)) for w in (stalled, healthy)]
    with caplog.at_level(logging.INFO, logger="bot"):
        threads[0].start()
        wait_until(lambda: _in_flight(store), 30)  # the stalled worker is waiting for the webhook
        threads[1].start()
        try:
            wait_until(lambda: store.handoff(handoff_id).status == "sent", 60)  # type: ignore[union-attr]
            time.sleep(LEASE_SECONDS * 2)
        finally:
            stop.set()
            for t in threads:
                t.join(30)
    key = store.handoff(handoff_id).idempotency_key  # type: ignore[union-attr]
    assert _requests_per_key(http, "/leads") == {key: 1}
    assert _requests_per_key(http, "/slack") == {key: 1}
    assert "claim lost" in caplog.text and "may still be answered" in caplog.text


def _in_flight(store: LeadStore) -> bool:
    from sqlalchemy import select

    from bot.storage.tables import HandoffRow

    with store.session() as session:
        return any(session.execute(select(HandoffRow.sending)).scalars())
