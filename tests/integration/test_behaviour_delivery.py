"""Behaviour criteria reach sales: export JSON/CSV, `leads show`, the summaries and the webhook.

A lead is built by the real conversation code (`snapshot`: the parsers read the answers, the
page context comes through `page_context`), stored in SQLite and rendered by `leadbot`.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from bot.cli import main
from bot.conversation.lead import snapshot
from bot.conversation.visit import page_context
from bot.delivery import Worker, finish_lead
from bot.domain import LeadSnapshot
from bot.sla import SLA, load_sla
from bot.storage import LeadStore
from tests.behaviour_sla import BEHAVIOUR_NAMES, write_behaviour_sla

from .conftest import wait_until

NOW = datetime.now(timezone.utc).replace(microsecond=0)
SCRIPT_PATH = "/pricing<script>alert(1)</script>"
ANSWERS = {
    "need": "Our sales team wastes hours every week on unqualified leads",
    "budget": "around 20k a year",
    "role": "I'm the head of sales",
    "timing": "next month",
}


@pytest.fixture
def sla(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> SLA:
    path = write_behaviour_sla(tmp_path / "sla.yml")
    monkeypatch.setenv("LEADBOT_SLA", str(path))
    monkeypatch.setenv("LEADBOT_DATABASE_URL", sqlite_url)
    return load_sla(path)


def _metadata() -> dict[str, Any]:
    """What the widget sent: a returning visitor from the newsletter who read pricing."""
    return {
        "page": {
            "url": "https://example.com/pricing",
            "path": "/pricing",
            "referrer": "https://www.news.example.org/7",
        },
        "utm": {"utm_source": "Newsletter", "utm_campaign": "q4"},
        "pages": [
            {"path": "/", "seconds": 30},
            {"path": "/case-studies/acme", "seconds": 100},
            {"path": SCRIPT_PATH, "seconds": 5},
            {"path": "/pricing", "seconds": 50},
        ],
        "visit": {"started_at": "2026-12-01T10:00:00.000Z", "sent_at": "2026-12-01T10:03:05.000Z"},
        "visitor": {"id": "3f0c9a1e-1111-4222-8333-444455556666", "visits": 2, "returning": True},
    }


def _lead(sla: SLA, answers: dict[str, str]) -> LeadSnapshot:
    context = page_context(None, _metadata(), NOW)
    events = [{"event": "user", "text": text, "timestamp": NOW.timestamp()} for text in answers.values()]
    return snapshot("conv-behaviour", {**answers, "page_context": context}, events, sla, status="sales_ready")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_export_json_and_csv_show_each_behaviour_criterion(
    sla: SLA, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    finish_lead(LeadStore(sqlite_url), _lead(sla, ANSWERS), sla=sla, handoff=False)

    (lead,) = json.loads(_run(capsys, "export", "--format", "json"))
    assert list(lead["answers"]) == ["need", "budget", "role", "timing", *BEHAVIOUR_NAMES]
    assert lead["answers"]["pricing_interest"] == {
        "raw": None,
        "value": 3.0,
        "points": 4,
        "kind": "value",
        "explanation": f"looked at pricing or case studies (viewed /case-studies/acme, {SCRIPT_PATH} and /pricing)",
        "confidence": 1.0,
    }
    assert lead["answers"]["returning_visitor"]["value"] == "yes"
    assert lead["answers"]["returning_visitor"]["points"] == 3
    assert lead["answers"]["campaign"]["value"] == "newsletter" and lead["answers"]["campaign"]["points"] == 3
    assert lead["answers"]["time_on_site"]["value"] == 185.0  # 3 min 5 s between the widget's stamps
    assert lead["answers"]["time_on_site"]["explanation"].endswith("(on the site for 3 min 5 s)")
    assert lead["answers"]["referrer"]["value"] == "news.example.org"
    assert lead["score"] == 20 + 25 + 25 + 20 + 4 + 3 + 3

    (row,) = csv.DictReader(io.StringIO(_run(capsys, "export", "--format", "csv")))
    assert (row["pricing_interest_raw"], row["pricing_interest_value"], row["pricing_interest_points"]) == (
        "",
        "3.0",
        "4",
    )
    assert (row["time_on_site_value"], row["campaign_value"], row["returning_visitor_value"]) == (
        "185.0",
        "newsletter",
        "yes",
    )


def test_leads_show_and_the_summaries_read_the_values_as_a_rep_would(
    sla: SLA, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lead = finish_lead(LeadStore(sqlite_url), _lead(sla, ANSWERS), sla=sla, handoff=False)
    shown = _run(capsys, "leads", "show", str(lead.id))
    assert "Pricing interest: 3 pages" in shown
    assert "Time on site: 3 min 5 s" in shown
    assert "Returning visitor: yes" in shown
    assert "Campaign: newsletter" in shown
    assert "returning_visitor: 3/3 — came back for another visit (visit 2)" in shown
    assert "not answered" not in shown


def test_the_webhook_carries_the_behaviour_criteria_escaped_in_every_format(
    sla: SLA, sqlite_url: str, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADBOT_HANDOFF_URL", httpserver.url_for("/leads"))
    monkeypatch.setenv("LEADBOT_HANDOFF_SECRET", "s3cret-for-tests")
    httpserver.expect_request("/leads", method="POST").respond_with_data("ok")
    store = LeadStore(sqlite_url)
    queued = finish_lead(store, _lead(sla, ANSWERS), sla=sla, handoff=True)
    assert queued.handoff is not None
    worker = Worker(store)
    wait_until(lambda: worker.deliver_due() or store.handoff(queued.handoff.id).status == "sent")  # type: ignore[union-attr]

    body = json.loads(httpserver.log[0][0].get_data())
    assert body["answers"]["pricing_interest"]["points"] == 4
    assert body["answers"]["campaign"]["explanation"] == "came from our newsletter or a partner (utm_source=newsletter)"
    assert "<script>" not in body["summary_html"] and "&lt;script&gt;" in body["summary_html"]
    assert "Time on site: 3 min 5 s" in body["summary"]


def test_page_context_alone_does_not_make_a_conversation_answered(
    sla: SLA, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store = LeadStore(sqlite_url)
    store.save(_lead(sla, {}))  # said nothing yet: the behaviour criteria are scored all the same
    stored = store.get("conv-behaviour")
    assert stored is not None and stored.score == 10
    assert stored.last_answer_at is None  # what `leadbot report` measures delivery from
    assert json.loads(_run(capsys, "export", "--format", "json")) == []
    store.save(_lead(sla, {"need": ANSWERS["need"]}))
    answered = store.get("conv-behaviour")
    assert answered is not None and answered.last_answer_at is not None
    (lead,) = json.loads(_run(capsys, "export", "--format", "json"))
    assert lead["answers"]["need"]["points"] == 20 and lead["score"] == 30


def test_a_visit_without_page_context_scores_the_unknown_rules(sla: SLA, sqlite_url: str) -> None:
    events = [{"event": "user", "text": ANSWERS["need"], "timestamp": (NOW - timedelta(seconds=5)).timestamp()}]
    lead = snapshot("conv-rest", {"need": ANSWERS["need"]}, events, sla)  # a REST client, no widget
    assert {n: lead.answers[n].kind.value for n in BEHAVIOUR_NAMES} == dict.fromkeys(BEHAVIOUR_NAMES, "unknown")
    line = lead.score.criterion("campaign")
    assert line is not None and (line.points, line.explanation) == (0, "no campaign tag (no utm_source tag)")


def test_forgetting_a_visitor_id_erases_that_browsers_leads(
    sla: SLA, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store = LeadStore(sqlite_url)
    finish_lead(store, _lead(sla, ANSWERS), sla=sla, handoff=False)
    out = _run(capsys, "forget", _metadata()["visitor"]["id"])
    assert "deleted 1 lead(s) (conv-behaviour)" in out
    assert store.get("conv-behaviour") is None
