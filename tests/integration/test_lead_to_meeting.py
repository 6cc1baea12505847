"""Issue 13 end to end, over REST against the real Rasa + action server + `leadbot serve`: a
sales-ready Spanish visitor is routed to the Spanish pool, the rep is mentioned in Slack, a
HubSpot contact is created, the closing offers the assignee's booking page, and Cal.com's
signed webhook marks the lead booked; `leadbot leads show` and the export then say so.

The stack is this test's own (a worker, Slack, HubSpot and a Cal.com secret the shared one
has not), so it costs one more Rasa start: keep this the only test that needs it.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from pytest_httpserver import HTTPServer

from bot.cli import main
from bot.ops.local import MODEL, Stack, free_port, wait_http
from bot.storage import LeadStore
from tests.booking_webhooks import calcom_delivery, post_calcom
from tests.conftest import ROOT, Visitor
from tests.crm_fakes import FakeHubSpot

from .conftest import wait_until

CALCOM_SECRET = "calcom-secret-for-the-end-to-end-test"
SLA_DEFAULT_PAGE = "https://cal.com/pipewise/intro-call"


@pytest.fixture
def hubspot() -> Iterator[FakeHubSpot]:
    fake = FakeHubSpot()
    yield fake
    fake.close()


@pytest.fixture
def full_stack(tmp_path: Path, httpserver: HTTPServer, hubspot: FakeHubSpot) -> Iterator[Stack]:
    """Rasa, the action server and `leadbot serve` (worker + web app) with the shipped sla.yml,
    routing.yml and crm.yml; Slack and HubSpot are loopback receivers."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make setup` (trains the model) before the integration tests")
    for name in ("sla.yml", "routing.yml", "crm.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    # tests/conftest.py links training/ beside the copied sla.yml.
    httpserver.expect_request("/slack", method="POST").respond_with_data("ok")
    env = {
        "LEADBOT_SLACK_WEBHOOK_URL": httpserver.url_for("/slack"),
        "LEADBOT_HUBSPOT_TOKEN": hubspot.token,
        "LEADBOT_HUBSPOT_API_URL": hubspot.url,
        "LEADBOT_CALCOM_WEBHOOK_SECRET": CALCOM_SECRET,
        "LEADBOT_WORKER_POLL_SECONDS": "0.2",
        "LEADBOT_HANDOFF_BACKOFF_SECONDS": "0.2",
        "LEADBOT_TEMPLATES_DIR": str(tmp_path / "no-templates"),
    }
    stack = Stack.on_free_ports(tmp_path, sla_path=str(tmp_path / "sla.yml"), api_port=free_port(), extra_env=env)
    try:
        stack.start()
        wait_http(f"http://127.0.0.1:{stack.api_port}/health", timeout=60, process=stack.processes.get("worker"))
    except Exception:
        stack.stop()
        for log in sorted((tmp_path / "logs").glob("*.log")):
            print(f"--- {log.name} ---\n{log.read_text(errors='replace')[-4000:]}")
        raise
    yield stack
    stack.stop()


def _slack_texts(http: HTTPServer) -> list[str]:
    return [str(json.loads(request.get_data())["text"]) for request, _ in http.log if request.path == "/slack"]


def test_a_spanish_lead_is_routed_pushed_to_hubspot_offered_its_reps_page_and_marked_booked(
    full_stack: Stack, httpserver: HTTPServer, hubspot: FakeHubSpot, capsys: pytest.CaptureFixture[str]
) -> None:
    visitor = Visitor(full_stack, {"utm": {"utm_source": "newsletter", "utm_campaign": "invierno"}})
    visitor.say_text("Hola, necesitamos cualificar mejor los leads de la web")
    visitor.say_text("unos 2.000 € al mes")
    visitor.say_text("soy la directora comercial")
    visitor.say_text("el próximo trimestre")
    visitor.say_text("Ana García")
    visitor.say_text("ana.garcia@acme-corp.com")
    visitor.say_text("Acme Corp")
    closing = visitor.say_text("sí")

    lead = visitor.lead()
    assert lead.language == "es" and lead.tier == "sales_ready" and lead.handed_off
    store = LeadStore(full_stack.database_url)

    # Routed: rule 1 asked HubSpot for an account owner (none), rule 2 took it to the Spanish pool.
    assigned = store.assignment(lead.id)
    assert assigned is not None and assigned.assignee.pool == "spanish", assigned
    assert "'Spanish-speaking visitors'" in assigned.rule
    assert any("the CRM knows no owner for this visitor" in step for step in assigned.steps), assigned.steps
    assert hubspot.calls("GET", r"/crm/v3/objects/contacts/ana\.garcia(@|%40)acme-corp\.com")

    # The closing offers the assignee's own page (Lucía's, or the pool's for Javier), prefilled.
    found = re.search(r"\[Reserva una llamada con nuestro equipo\]\((https://[^)]+)\)", closing)
    assert found, closing
    link = urlsplit(found.group(1))
    assert assigned.assignee.booking_url and found.group(1).startswith(assigned.assignee.booking_url + "?")
    assert not found.group(1).startswith(SLA_DEFAULT_PAGE)
    query = parse_qs(link.query)
    assert query["metadata[lead_id]"] == [visitor.sender] and query["email"] == ["ana.garcia@acme-corp.com"]
    assert query["name"] == ["Ana García"] and query["utm_source"] == ["newsletter"]

    # The worker delivers: the rep is mentioned in Slack, the contact is created in HubSpot.
    [slack] = wait_until(lambda: _slack_texts(httpserver), timeout=30)
    assert slack.startswith(f"<@{assigned.assignee.slack_user_id}> *Assigned to:* {assigned.assignee.name}"), slack
    contact = wait_until(lambda: hubspot.contacts.get("ana.garcia@acme-corp.com"), timeout=30)["properties"]
    assert hubspot.violations == []
    assert contact["firstname"] == "Ana" and contact["lastname"] == "García" and contact["company"] == "Acme Corp"
    assert contact["leadbot_tier"] == "sales_ready" and contact["leadbot_utm_campaign"] == "invierno"
    handoff = wait_until(lambda: (h := store.get(lead.id).handoff) and h.status == "sent" and h, timeout=30)
    assert {"slack", "hubspot"} <= set(handoff.delivered)

    # Cal.com calls `leadbot serve` back with what the link prefilled: the lead is booked.
    body = calcom_delivery(
        "BOOKING_CREATED",
        "booking-uid-e2e",
        lead=query["metadata[lead_id]"][0],
        start="2026-12-09T10:00:00.000Z",
        attendee=(query["name"][0], query["email"][0]),
    )
    reply = post_calcom(f"http://127.0.0.1:{full_stack.api_port}", body, CALCOM_SECRET)
    assert reply.status_code == 200 and reply.json()["status"] == "applied", reply.text
    assert reply.json()["lead"] == visitor.sender
    booking = store.booking_of(lead.id)
    assert booking is not None and booking.booked
    assert booking.starts_at is not None and booking.starts_at.isoformat() == "2026-12-09T10:00:00+00:00"

    # What sales reads: the assignee and the meeting, in `leadbot leads show` and the export.
    assert main(["--database-url", full_stack.database_url, "leads", "show", visitor.sender]) == 0
    shown = capsys.readouterr().out
    assert f"Assignee: {assigned.assignee.name} (pool spanish)" in shown
    assert "Meeting: booked for 2026-12-09 10:00 UTC via calcom" in shown
    assert main(["--database-url", full_stack.database_url, "export", "--format", "json"]) == 0
    [exported] = [o for o in json.loads(capsys.readouterr().out) if o["conversation_id"] == visitor.sender]
    assert exported["assignee"]["pool"] == "spanish" and exported["assignee"]["id"] == assigned.assignee.rep_id
    assert exported["booking"]["status"] == "booked"
    assert exported["booking"]["starts_at"] == "2026-12-09T10:00:00+00:00"
