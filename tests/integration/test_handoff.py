"""The handoff outbox against real receivers: HTTP webhooks (pytest-httpserver / werkzeug) and an
SMTP server (aiosmtpd), including a worker killed between send and commit."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bot.delivery import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    Worker,
    deliver_due,
    finish_lead,
    run_worker,
    verify_signature,
)
from bot.storage import LeadStore
from tests.smtp_inbox import SmtpInbox

from .conftest import ROOT, free_port, make_sla, make_snapshot, wait_until

SECRET = "s3cret-for-tests"


def _queue(store: LeadStore, **kwargs: Any) -> int:
    lead = finish_lead(store, make_snapshot(**kwargs), sla=make_sla(), handoff=True)
    assert lead.handoff is not None
    return lead.handoff.id


def _drain(store: LeadStore, handoff_id: int, timeout: float = 15.0) -> str:
    worker = Worker(store)

    def done() -> str | None:
        worker.deliver_due()
        h = store.handoff(handoff_id)
        assert h is not None
        return h.status if h.status != "pending" else None

    return str(wait_until(done, timeout))


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer) -> HTTPServer:
    monkeypatch.setenv("LEADBOT_HANDOFF_URL", httpserver.url_for("/leads"))
    monkeypatch.setenv("LEADBOT_HANDOFF_SECRET", SECRET)
    return httpserver


def test_handoff_is_sent_once_when_receiver_retries(store: LeadStore, webhook: HTTPServer) -> None:
    webhook.expect_ordered_request("/leads", method="POST").respond_with_data("boom", status=500)
    webhook.expect_ordered_request("/leads", method="POST").respond_with_data("boom", status=500)
    webhook.expect_ordered_request("/leads", method="POST").respond_with_json({"ok": True})
    handoff_id = _queue(store)

    assert _drain(store, handoff_id) == "sent"

    requests = [r for r, _ in webhook.log]
    assert len(requests) == 3
    keys = {r.headers[IDEMPOTENCY_HEADER] for r in requests}
    assert keys == {store.handoff(handoff_id).idempotency_key}  # type: ignore[union-attr]
    for request in requests:
        assert verify_signature(request.get_data(), request.headers[SIGNATURE_HEADER], SECRET)
        assert not verify_signature(request.get_data(), request.headers[SIGNATURE_HEADER], "wrong")
    body = json.loads(requests[-1].get_data())
    assert body["handoff_id"] == handoff_id and body["summary"] and body["summary_markdown"]
    assert body["answers"]["budget"]["value"] == 20000.0
    attempts = store.delivery_attempts(handoff_id)
    assert [(a.channel, a.ok, a.status_code) for a in attempts] == [
        ("webhook", False, 500),
        ("webhook", False, 500),
        ("webhook", True, 200),
    ]
    handoff = store.handoff(handoff_id)
    assert handoff is not None and handoff.attempts == 3 and handoff.sent_at is not None
    assert deliver_due(store) == 0 and len(webhook.log) == 3  # never re-sent


def _readme_verifier() -> Any:
    """The receiver's snippet exactly as the README prints it (so the README stays true)."""
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    source = next(b for b in blocks if "def leadbot_signature_ok" in b)
    namespace: dict[str, Any] = {}
    exec(compile(source, "README.md", "exec"), namespace)
    return namespace["leadbot_signature_ok"]


def test_receiver_verifies_the_signature_with_the_readme_snippet_and_refuses_a_replay(
    store: LeadStore, webhook: HTTPServer
) -> None:
    verify = _readme_verifier()
    clock_offset = [0.0]  # the receiver's clock, moved forward to replay an old request
    accepted: list[bytes] = []

    def receiver(request: Request) -> Response:
        body, header = request.get_data(), request.headers.get(SIGNATURE_HEADER, "")
        if not verify(body, header, SECRET, now=time.time() + clock_offset[0]):
            return Response("bad signature", status=401)
        accepted.append(body)
        return Response('{"ok": true}', status=200, content_type="application/json")

    webhook.expect_request("/leads", method="POST").respond_with_handler(receiver)
    handoff_id = _queue(store)
    assert _drain(store, handoff_id) == "sent"
    assert len(accepted) == 1
    original, _ = webhook.log[0]
    body, header = original.get_data(), original.headers[SIGNATURE_HEADER]
    t = int(dict(part.split("=", 1) for part in header.split(","))["t"])
    assert abs(time.time() - t) < 60 and verify_signature(body, header, SECRET)

    def replay(data: bytes, signature: str) -> int:
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature}
        return requests.post(webhook.url_for("/leads"), data=data, headers=headers, timeout=5).status_code

    assert replay(body, header) == 200  # the same request within the window still verifies
    assert replay(body.replace(b'"score":100', b'"score":99'), header) == 401  # tampered body
    assert replay(body, header.replace(f"t={t}", f"t={t + 1}")) == 401  # tampered timestamp
    assert replay(body, "") == 401
    clock_offset[0] = 301.0  # the same capture, replayed a little over 5 minutes later
    assert replay(body, header) == 401
    assert not verify_signature(body, header, SECRET, now=t + 301)
    assert len(accepted) == 2


def test_handoff_goes_dead_after_max_attempts_and_retry_requeues_it(
    store: LeadStore, webhook: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADBOT_HANDOFF_MAX_ATTEMPTS", "3")
    webhook.expect_request("/leads").respond_with_data("down", status=503)
    handoff_id = _queue(store)
    assert _drain(store, handoff_id) == "dead"
    assert len(webhook.log) == 3
    assert store.retry_handoff(handoff_id)
    webhook.clear()
    webhook.expect_request("/leads").respond_with_json({"ok": True})
    assert _drain(store, handoff_id) == "sent"


def test_successful_channel_is_not_resent_when_another_fails(
    store: LeadStore, webhook: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADBOT_SLACK_WEBHOOK_URL", webhook.url_for("/slack"))
    slack_calls: list[int] = []

    def slack(_request: Request) -> Response:
        slack_calls.append(1)
        return Response("nope", status=500) if len(slack_calls) == 1 else Response("ok")

    webhook.expect_request("/leads").respond_with_json({"ok": True})
    webhook.expect_request("/slack").respond_with_handler(slack)
    handoff_id = _queue(store, need="our *sales* team <wastes> time")
    assert _drain(store, handoff_id) == "sent"
    paths = [r.path for r, _ in webhook.log]
    assert paths.count("/leads") == 1 and paths.count("/slack") == 2
    slack = json.loads(next(r for r, _ in webhook.log if r.path == "/slack").get_data())
    assert set(slack) == {"text"} and "&lt;wastes&gt;" in slack["text"] and "<wastes>" not in slack["text"]


def test_without_a_channel_handoffs_stay_pending_with_a_clear_log(
    store: LeadStore, caplog: pytest.LogCaptureFixture
) -> None:
    handoff_id = _queue(store)
    with caplog.at_level(logging.WARNING, logger="bot.delivery.worker"):
        assert deliver_due(store) == 0
    assert "no handoff channel configured" in caplog.text
    handoff = store.handoff(handoff_id)
    assert handoff is not None and handoff.status == "pending" and handoff.attempts == 0


def test_receiver_down_then_up_delivers_every_handoff_once(store: LeadStore, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    monkeypatch.setenv("LEADBOT_HANDOFF_URL", f"http://127.0.0.1:{port}/leads")
    monkeypatch.setenv("LEADBOT_HANDOFF_SECRET", SECRET)
    ids = [_queue(store) for _ in range(5)]
    stop = threading.Event()
    thread = threading.Thread(target=run_worker, args=(stop, store))
    thread.start()
    try:
        wait_until(lambda: len(store.delivery_attempts()) >= 10)  # failing while down
        assert all(h.status == "pending" for h in store.handoffs())
        receiver = HTTPServer(host="127.0.0.1", port=port)
        receiver.expect_request("/leads").respond_with_json({"ok": True})
        receiver.start()
        try:
            wait_until(lambda: all(store.handoff(i).status == "sent" for i in ids))  # type: ignore[union-attr]
            keys = [r.headers[IDEMPOTENCY_HEADER] for r, _ in receiver.log]
        finally:
            receiver.stop()
    finally:
        stop.set()
        thread.join(10)
    assert sorted(keys) == sorted({store.handoff(i).idempotency_key for i in ids})  # type: ignore[union-attr]


def _worker_process(url: str, env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    full_env = {**os.environ, **env, "LEADBOT_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "worker"],
        cwd=str(log_path.parent),
        env=full_env,
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
    )


def test_worker_killed_between_send_and_commit_resends_the_same_key(
    store: LeadStore, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    received: list[str] = []
    got_first = threading.Event()
    release = threading.Event()

    def handler(request: Request) -> Response:
        received.append(request.headers[IDEMPOTENCY_HEADER])
        if len(received) == 1:
            got_first.set()
            release.wait(20)  # hold the first delivery until its worker is dead
        return Response('{"ok": true}', status=200, content_type="application/json")

    receiver = HTTPServer(host="127.0.0.1", port=free_port(), threaded=True)
    receiver.expect_request("/leads").respond_with_handler(handler)
    receiver.start()
    env = {
        "LEADBOT_HANDOFF_URL": receiver.url_for("/leads"),
        "LEADBOT_HANDOFF_SECRET": SECRET,
        "LEADBOT_HANDOFF_LEASE_SECONDS": "1",
        # The second worker waits out the dead one's send (3 timeouts) before sending again.
        "LEADBOT_HANDOFF_TIMEOUT_SECONDS": "3",
        "LEADBOT_WORKER_POLL_SECONDS": "0.1",
        "LEADBOT_TEMPLATES_DIR": str(tmp_path / "none"),
    }
    handoff_id = _queue(store)
    first = _worker_process(store.url, env, tmp_path / "worker1.log")
    second: subprocess.Popen[bytes] | None = None
    try:
        assert got_first.wait(60), (tmp_path / "worker1.log").read_text()
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        release.set()
        handoff = store.handoff(handoff_id)
        assert handoff is not None and handoff.status == "pending" and not handoff.delivered  # nothing committed
        second = _worker_process(store.url, env, tmp_path / "worker2.log")
        wait_until(lambda: store.handoff(handoff_id).status == "sent", timeout=60)  # type: ignore[union-attr]
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(10)
        receiver.stop()
    key = store.handoff(handoff_id).idempotency_key  # type: ignore[union-attr]
    assert len(received) == 2 and set(received) == {key}  # one distinct delivery for a deduping receiver


# --------------------------------------------------------------------------- email


@pytest.fixture
def smtp_inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpInbox]:
    from aiosmtpd.controller import Controller

    inbox = SmtpInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("LEADBOT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("LEADBOT_SMTP_PORT", str(port))
    monkeypatch.setenv("LEADBOT_SMTP_STARTTLS", "false")
    monkeypatch.setenv("LEADBOT_SMTP_FROM", "leadbot@example.com")
    monkeypatch.setenv("LEADBOT_SMTP_TO", "sales@example.com, boss@example.com")
    yield inbox
    controller.stop()


def test_email_handoff_has_escaped_html_and_a_text_alternative(store: LeadStore, smtp_inbox: SmtpInbox) -> None:
    handoff_id = _queue(store, need="<script>alert('x')</script> our pipeline leaks")
    assert _drain(store, handoff_id) == "sent"
    assert len(smtp_inbox.messages) == 1
    msg = smtp_inbox.messages[0]
    assert msg["To"] == "sales@example.com, boss@example.com"
    assert msg["Message-ID"] == f"<{store.handoff(handoff_id).idempotency_key}@leadbot>"  # type: ignore[union-attr]
    parts = {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in msg.walk()
        if not part.is_multipart()
    }
    assert set(parts) == {"text/plain", "text/html"}
    assert "<script>" not in parts["text/html"] and "&lt;script&gt;" in parts["text/html"]
    assert "<script>alert('x')</script> our pipeline leaks" in parts["text/plain"]
