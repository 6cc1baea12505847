"""Authentication at every entry point: the Rasa HTTP API token, the feedback bearer token, and the
origin allow-list + rate limit that nginx puts in front of the (otherwise open) channel webhooks.
"""

from __future__ import annotations

import pytest
import requests

from bot.ops.production import ProductionStack
from tests.production.conftest import SCRIPTS, Visitor, converse, run_concurrently

pytestmark = [pytest.mark.production, pytest.mark.timeout(240)]

RASA_API = [
    ("GET", "/status"),
    ("GET", "/version/../status"),
    ("GET", "/conversations/someone/tracker"),
    ("POST", "/conversations/someone/tracker/events"),
    ("POST", "/conversations/someone/messages"),
    ("POST", "/conversations/someone/trigger_intent"),
    ("POST", "/conversations/someone/execute"),
    ("GET", "/conversations/someone/story"),
    ("POST", "/model/parse"),
    ("PUT", "/model"),
    ("DELETE", "/model"),
    ("GET", "/domain"),
]


@pytest.mark.parametrize(("method", "path"), RASA_API, ids=[f"{m} {p}" for m, p in RASA_API])
def test_rasa_api_refuses_missing_and_wrong_token_on_every_instance(
    healthy: ProductionStack, method: str, path: str
) -> None:
    bases = [healthy.public_url] + [healthy.rasa_url(name) for name in healthy.rasa_names]
    for base in bases:
        for params in ({}, {"token": "wrong"}, {"token": healthy.settings.rasa_token[:-1]}):
            response = requests.request(method, f"{base}{path}", params=params, json={}, timeout=30)
            assert response.status_code == 401, (base, path, params, response.status_code)


def test_rasa_api_accepts_the_token(healthy: ProductionStack) -> None:
    token = {"token": healthy.settings.rasa_token}
    assert requests.get(f"{healthy.public_url}/status", params=token, timeout=30).status_code == 200
    tracker = requests.get(f"{healthy.public_url}/conversations/nobody/tracker", params=token, timeout=30)
    assert tracker.status_code == 200 and tracker.json()["sender_id"] == "nobody"


def test_feedback_api_refuses_missing_and_wrong_bearer_token(healthy: ProductionStack) -> None:
    for base in (healthy.public_url, healthy.api_url):
        for headers in (
            {},
            {"Authorization": "Bearer wrong"},
            {"Authorization": healthy.settings.feedback_token},
            {"Authorization": f"Basic {healthy.settings.feedback_token}"},
        ):
            response = requests.post(f"{base}/feedback/1", json={"verdict": "accept"}, headers=headers, timeout=30)
            assert response.status_code == 401, (base, headers.keys(), response.status_code)


def test_action_servers_refuse_calls_without_the_shared_token(healthy: ProductionStack) -> None:
    s = healthy.settings
    forged = {"next_action": "action_finish", "sender_id": "forger", "tracker": {"sender_id": "forger"}, "domain": {}}
    ports = [s.actions_lb_port, *(s.actions_port(i) for i in range(s.action_servers))]
    for port in ports:
        base = f"http://127.0.0.1:{port}"
        for headers in ({}, {"X-Leadbot-Action-Token": "wrong"}, {"X-Leadbot-Action-Token": s.action_token[:-1]}):
            response = requests.post(f"{base}/webhook", json=forged, headers=headers, timeout=30)
            assert response.status_code == 401, (port, headers.keys(), response.status_code)
        assert requests.get(f"{base}/actions", timeout=30).status_code == 401
        assert requests.get(f"{base}/health", timeout=30).status_code == 200


def test_feedback_api_accepts_the_bearer_token(healthy: ProductionStack) -> None:
    visitor = Visitor(healthy)
    converse(visitor, "nurture")
    response = requests.post(
        f"{healthy.public_url}/feedback/{visitor.sender}",
        json={"verdict": "reject", "reason": "too early", "by": "sam"},
        headers={"Authorization": f"Bearer {healthy.settings.feedback_token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("origin", ["https://evil.example.net", "null", "https://www.example.com.evil.net", ""])
def test_webhook_refuses_disallowed_or_missing_origin(healthy: ProductionStack, origin: str) -> None:
    visitor = Visitor(healthy, origin=origin)
    response = visitor.post("hello")
    assert response.status_code == 403
    socketio = visitor.session.get(
        f"{healthy.public_url}/socket.io/?EIO=4&transport=polling", headers={"Origin": origin}, timeout=30
    )
    assert socketio.status_code == 403
    assert visitor.tracker()["events"] == [] or all(e["event"] != "user" for e in visitor.tracker()["events"])


def test_webhook_and_socketio_accept_an_allowed_origin_with_cors_headers(healthy: ProductionStack) -> None:
    visitor = Visitor(healthy, origin="https://shop.example.com")
    assert "problem" in visitor.say(SCRIPTS["sales_ready"][0]).lower()
    preflight = visitor.session.options(
        f"{healthy.public_url}/webhooks/rest/webhook",
        headers={"Origin": visitor.origin, "Access-Control-Request-Method": "POST"},
        timeout=30,
    )
    assert preflight.headers.get("Access-Control-Allow-Origin") == visitor.origin
    handshake = visitor.session.get(
        f"{healthy.public_url}/socket.io/?EIO=4&transport=polling", headers={"Origin": visitor.origin}, timeout=30
    )
    assert handshake.status_code == 200 and '"sid"' in handshake.text


def test_webhook_is_rate_limited_per_client_address(healthy: ProductionStack) -> None:
    first = Visitor(healthy)
    burst = healthy.settings.webhook_burst
    # many conversations from one client address at once (distinct senders: no lock queueing)
    visitors = [Visitor(healthy, address=first.address) for _ in range(burst + 15)]
    results = run_concurrently([lambda v=v: v.post("hi").status_code for v in visitors], workers=len(visitors))
    assert results.count(429) >= 10 and set(results) <= {200, 429}, results
    # another address is not affected
    assert Visitor(healthy).post("hi").status_code == 200
