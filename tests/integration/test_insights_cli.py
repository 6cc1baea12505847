"""`leadbot simulate` and `leadbot report --json/--html` on a leads database built through the real
snapshot, scorer and store, with sales' verdicts recorded through the store's API."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.conversation.lead import snapshot
from bot.conversation.visit import page_context
from bot.delivery import finish_lead
from bot.domain import Lead
from bot.sla import SLA, load_sla
from bot.storage import LeadStore

from .conftest import ROOT

STARTED = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)
PAIN = "our sales team wastes hours on bad leads"
HOSTILE = '<script>alert("utm")</script>'


def _lead(
    store: LeadStore, sla: SLA, name: str, budget: str, *, role: str = "I'm a sales manager",
    timing: str = "in about 9 months", need: str = PAIN, source: str = "newsletter", day: int = 0,
) -> Lead:  # fmt: skip
    """A conversation as the actions store it: the visitor's words, read and scored by the SLA."""
    at = STARTED + timedelta(days=day)
    answers = {"need": need, "budget": budget, "role": role, "timing": timing}
    metadata = {
        "page": {"url": f"https://example.com/landing?utm_source={source}", "path": "/landing"},
        "utm": {"utm_source": source, "utm_campaign": "winter"},
    }
    context = page_context(None, metadata, at)
    events = [{"event": "user", "text": text, "timestamp": at.timestamp() + i} for i, text in enumerate(answers.values())]
    slots: dict[str, Any] = {**answers, "page_context": context, "contact_consent": True, "email": f"{name}@example.com"}
    snap = snapshot(f"conv-{name}", slots, events, sla, status="in_progress")
    snap = snapshot(f"conv-{name}", slots, events, sla, status=snap.score.tier.value)
    return finish_lead(store, snap, sla=sla, handoff=snap.score.qualified)


@pytest.fixture
def seeded(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Lead]:
    monkeypatch.setenv("LEADBOT_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("LEADBOT_SLA", str(ROOT / "sla.yml"))
    monkeypatch.chdir(ROOT)  # domain.yml for the checker
    store, sla = LeadStore(sqlite_url), load_sla(ROOT / "sla.yml")
    leads = {
        # 30 + 25 + 15 + 5 = 75: sales-ready today, 65 (nurture) once 20k is no longer a top budget
        "accepted_20k": _lead(store, sla, "ann", "around 20k a year"),
        "rejected_15k": _lead(store, sla, "bob", "15k a year", source=HOSTILE, day=1),
        "rejected_60k": _lead(store, sla, "cy", "60k per year", day=2),
        "accepted_top": _lead(store, sla, "di", "around 20k a year", role="I'm the head of sales", timing="next quarter"),
        "curious": _lead(store, sla, "ed", "no budget", need="just curious", timing="no plans", day=3),
    }
    store.feedback(leads["accepted_20k"].id, "accept", "great fit")
    store.feedback(leads["accepted_top"].id, "accept")
    store.feedback(leads["rejected_15k"].id, "reject", f"wrong size {HOSTILE}")
    store.feedback(leads["rejected_60k"].id, "reject", "wrong size")
    assert [lead.tier for lead in leads.values()] == ["sales_ready"] * 4 + ["disqualified"]
    return leads


def _stricter_budget(tmp_path: Path) -> Path:
    text = (ROOT / "sla.yml").read_text(encoding="utf-8")
    text = text.replace("{min: 10000, points: 25", "{min: 50000, points: 25").replace(
        "{min: 5000, max: 10000, points: 15", "{min: 5000, max: 50000, points: 15"
    )
    path = tmp_path / "stricter.yml"
    path.write_text(text, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_stricter_budget_moves_the_mid_budget_leads_to_nurture_and_names_the_accepted_one_lost(
    seeded: dict[str, Lead], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "simulate", str(_stricter_budget(tmp_path)))
    assert code == 0, err
    assert "re-scored from the visitor's stored words: 5" in out
    assert re.search(r"sales_ready\s+4\s+2\s+-2", out)  # current 4, other 2
    assert re.search(r"nurture\s+0\s+2\s+\+2", out)
    assert "Leads that change tier: 2" in out
    lost = seeded["accepted_20k"].id
    assert f"accepted leads that would no longer be handed off: 1 (lead {lost})" in out
    assert f"rejected leads that would have been filtered out: 1 (lead {seeded['rejected_15k'].id})" in out
    assert "net effect: 1 rejected spared − 1 accepted lost = +0" in out
    assert "simulate: 5/5 leads (100%)" in err  # plain progress lines when not on a terminal

    code, out, _ = run(capsys, "simulate", str(_stricter_budget(tmp_path)), "--json")
    data = json.loads(out)
    assert data["matrix"]["sales_ready"] == {"sales_ready": 2, "nurture": 2, "disqualified": 0}
    assert data["verdicts"]["accepted_no_longer_handed_off_ids"] == [lost]
    assert data["handoffs"] == {"current": 4, "other": 2, "change": -2}


def test_the_same_sla_changes_nothing_and_a_date_range_narrows_the_leads(
    seeded: dict[str, Lead], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "simulate", str(ROOT / "sla.yml"), "--json", "--since", "2026-11-21")
    data = json.loads(out)
    assert code == 0 and data["leads"] == 3 and data["changed"] == 0
    assert data["verdicts"]["accepted_no_longer_handed_off"] == 0


def test_an_invalid_other_sla_prints_file_and_line_and_fails(
    seeded: dict[str, Lead], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _stricter_budget(tmp_path)
    bad.write_text(bad.read_text(encoding="utf-8").replace("{min: 50000, points: 25", "{min: 50000, points: 250"))
    code, out, _ = run(capsys, "simulate", str(bad))
    assert code == 1
    assert re.search(rf"^{re.escape(str(bad))}:\d+:\d+: ", out, re.M), out
    assert "What-if" not in out


def test_report_json_and_text_show_the_same_health_and_the_html_escapes_a_hostile_utm(
    seeded: dict[str, Lead], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "report", "--json")
    assert code == 0
    health = json.loads(out)["health"]
    funnel = {step["step"]: step["leads"] for step in health["funnel"]}
    assert funnel["conversations started"] == 5 and funnel["answered budget"] == 5
    assert funnel["sales-ready"] == 4 and funnel["accepted by sales"] == 2
    by_tier = {row["label"]: row for row in health["acceptance_by_tier"]}
    assert by_tier["sales_ready"]["accepted"] == 2 and by_tier["sales_ready"]["rejected"] == 2
    assert health["rejection_reasons"][0] == {"reason": "wrong size", "leads": 1}
    sources = {row["value"]: row for row in health["sources"]["utm_source"]}
    assert sources["newsletter"]["leads"] == 4 and sources[HOSTILE]["leads"] == 1
    budget = {row["label"]: row for row in health["acceptance_by_value"]["budget"]}
    assert budget["annual budget of 10,000 or more"]["accepted"] == 2

    code, text, _ = run(capsys, "report")
    assert code == 0
    assert re.search(r"^\s+5\s+conversations started$", text, re.M)
    assert re.search(r"^\s+2\s+accepted by sales$", text, re.M)
    assert re.search(r"sales_ready\s+2 / 2\s+50%", text)

    page = tmp_path / "health.html"
    code, _, err = run(capsys, "report", "--html", str(page))
    assert code == 0 and "SLA health written to" in err
    html = page.read_text(encoding="utf-8")
    assert html.count("<svg") == 7 and "<script" not in html
    assert "&lt;script&gt;alert(" in html  # the hostile UTM value, shown as text
    assert "wrong size" in html and "annual budget of 10,000 or more" in html
