"""Behaviour criteria over the REST channel: real Rasa and action servers, an SLA with them.

The same answers make a nurture lead from a visitor the site knows nothing about, and a
sales-ready one from a returning newsletter reader who looked at pricing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.ops.local import Stack
from tests.behaviour_sla import behaviour_sla  # noqa: F401 - the fixture below
from tests.conftest import Visitor

from .test_conversation import asks

pytestmark = pytest.mark.usefixtures("behaviour_sla")  # the stack's SLA gets behaviour criteria

# 20 (pain) + 15 (budget 5,000-9,999) + 15 (influencer) + 12 (3-6 months) = 62: nurture alone.
ANSWERS = [
    ("our sales reps waste hours every week on bad leads", "budget"),
    ("around 8k a year", "role"),
    ("I'm a sales manager", "timing"),
]
TIMING = "in about 4 months"
WIDGET = {
    "language": "en",
    "page": {
        "url": "https://pipewise.example/pricing.html?utm_source=Newsletter",
        "path": "/pricing.html",
        "title": "Pricing",
        "referrer": "https://www.news.example.org/issue-7",
    },
    "utm": {"utm_source": "Newsletter", "utm_campaign": "q4"},
    "pages": [
        {"path": "/index.html", "title": "Home", "seconds": 40},
        {"path": "/case-studies/acme", "title": "Acme", "seconds": 95},
        {"path": "/pricing.html", "title": "Pricing", "seconds": 50},
    ],
    "visit": {"started_at": "2026-12-01T10:00:00.000Z", "sent_at": "2026-12-01T10:03:05.000Z"},
    "visitor": {"id": "3f0c9a1e-1111-4222-8333-444455556666", "visits": 3, "returning": True},
    "widget": "leadbot-web/1",
}


def _export(stack: Stack, sla: Path) -> list[dict[str, Any]]:
    """`leadbot export --format json` on the stack's database, with the stack's SLA."""
    env = dict(os.environ, LEADBOT_DATABASE_URL=stack.database_url, LEADBOT_SLA=str(sla))
    out = subprocess.run(
        [sys.executable, "-m", "bot", "export", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return list(json.loads(out.stdout))


def _answer_questions(visitor: Visitor) -> str:
    assert asks(visitor.say_text("hello"), "need")
    for text, next_slot in ANSWERS:
        reply = visitor.say_text(text)
        assert asks(reply, next_slot), (text, reply)
    return visitor.say_text(TIMING)


def test_page_context_makes_the_same_answers_sales_ready(stack: Stack, make_visitor: Any) -> None:
    unknown = make_visitor()  # a REST client: no page context
    after_timing = _answer_questions(unknown)
    assert "free guide" in after_timing and not asks(after_timing, "name"), after_timing
    assert unknown.lead().score == 62 and unknown.lead().tier == "nurture"

    known = make_visitor(WIDGET)
    after_timing = _answer_questions(known)
    assert asks(after_timing, "name"), after_timing  # 72: sales-ready, so sales wants to know who
    stored = known.lead()
    assert stored.score == 72 and stored.tier == "sales_ready"
    assert stored.page_context["visitor"]["id"] == WIDGET["visitor"]["id"]

    by_id = {lead["conversation_id"]: lead for lead in _export(stack, Path(stack.sla_path))}
    exported = by_id[known.sender]["answers"]
    assert exported["pricing_interest"]["value"] == 2.0  # /case-studies/acme and /pricing.html
    assert exported["pricing_interest"]["points"] == 4
    assert "viewed /case-studies/acme and /pricing.html" in exported["pricing_interest"]["explanation"]
    assert (exported["returning_visitor"]["value"], exported["returning_visitor"]["points"]) == ("yes", 3)
    assert (exported["campaign"]["value"], exported["campaign"]["points"]) == ("newsletter", 3)
    assert exported["referrer"]["value"] == "news.example.org"
    # 3 min 5 s on the widget's clock, as of the last message (give or take the hop from Rasa to the actions)
    assert exported["time_on_site"]["value"] == pytest.approx(185, abs=30)
    assert exported["pricing_interest"]["raw"] is None
    without = by_id[unknown.sender]["answers"]
    assert without["pricing_interest"]["kind"] == "unknown" and without["pricing_interest"]["points"] == 0
    assert "Pricing interest: 2 pages" in by_id[known.sender]["summary"]
