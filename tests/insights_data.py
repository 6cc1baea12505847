"""A small leads database for the insights tests (`leadbot simulate`, `leadbot report`), built
through the real snapshot, scorer and store, with sales' verdicts recorded through the store.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from bot.conversation.lead import snapshot
from bot.conversation.visit import page_context
from bot.delivery import finish_lead
from bot.domain import Lead
from bot.sla import SLA, load_sla
from bot.storage import LeadStore

ROOT = Path(__file__).resolve().parent.parent
STARTED = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)
PAIN = "our sales team wastes hours on bad leads"
HOSTILE = '<script>alert("utm")</script>'


def make_lead(
    store: LeadStore, sla: SLA, name: str, budget: str, *, role: str = "I'm a sales manager",
    timing: str = "in about 9 months", need: str = PAIN, source: str = "newsletter", day: int = 0,
    at: datetime | None = None, path: str = "/landing",
) -> Lead:  # fmt: skip
    """A conversation as the actions store it: the visitor's words, read and scored by the SLA."""
    at = at or STARTED + timedelta(days=day)
    answers = {"need": need, "budget": budget, "role": role, "timing": timing}
    metadata = {
        "page": {"url": f"https://example.com{path}?utm_source={source}", "path": path},
        "utm": {"utm_source": source, "utm_campaign": "winter"},
    }
    context = page_context(None, metadata, at)
    events = [
        {"event": "user", "text": text, "timestamp": at.timestamp() + i} for i, text in enumerate(answers.values())
    ]
    slots: dict[str, Any] = {
        **answers,
        "page_context": context,
        "contact_consent": True,
        "email": f"{name}@example.com",
    }
    snap = snapshot(f"conv-{name}", slots, events, sla, status="in_progress")
    snap = snapshot(f"conv-{name}", slots, events, sla, status=snap.score.tier.value)
    return finish_lead(store, snap, sla=sla, handoff=snap.score.qualified)


def seed_leads(url: str) -> dict[str, Lead]:
    """Five leads scored by the default SLA, four of them judged by sales (see each comment)."""
    store, sla = LeadStore(url), load_sla(ROOT / "sla.yml")
    leads = {
        # 30 + 25 + 15 + 5 = 75: sales-ready today, 65 (nurture) once 20k is no longer a top budget
        "accepted_20k": make_lead(store, sla, "ann", "around 20k a year"),
        "rejected_15k": make_lead(store, sla, "bob", "15k a year", source=HOSTILE, day=1),
        "rejected_60k": make_lead(store, sla, "cy", "60k per year", day=2),
        "accepted_top": make_lead(
            store, sla, "di", "around 20k a year", role="I'm the head of sales", timing="next quarter"
        ),
        "curious": make_lead(store, sla, "ed", "no budget", need="just curious", timing="no plans", day=3),
    }
    store.feedback(leads["accepted_20k"].id, "accept", "great fit")
    store.feedback(leads["accepted_top"].id, "accept")
    store.feedback(leads["rejected_15k"].id, "reject", f"wrong size {HOSTILE}")
    store.feedback(leads["rejected_60k"].id, "reject", "wrong size")
    assert [lead.tier for lead in leads.values()] == ["sales_ready"] * 4 + ["disqualified"]
    return leads


def stricter_budget(tmp_path: Path) -> Path:
    text = (ROOT / "sla.yml").read_text(encoding="utf-8")
    text = text.replace("{min: 10000, points: 25", "{min: 50000, points: 25").replace(
        "{min: 5000, max: 10000, points: 15", "{min: 5000, max: 50000, points: 15"
    )
    path = tmp_path / "stricter.yml"
    path.write_text(text, encoding="utf-8")
    return path
