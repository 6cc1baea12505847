"""Hostile input through nginx and the REST channel: random and adversarial messages and metadata
never make an action raise (read from the servers' logs: Rasa answers 200 even then), never
produce a 5xx or kill a server, and visitor text never reaches a summary unescaped.

LEADBOT_FUZZ_EXAMPLES sets how many messages hypothesis sends (default 150, about a minute).
"""

from __future__ import annotations

import os
import re
import unicodedata
from itertools import cycle
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from bot.delivery.summary import render_summary
from bot.ops.production import ProductionStack
from bot.storage import LeadStore
from tests.fuzzing import action_errors, log_offsets, message, metadata
from tests.production.conftest import Visitor, rasa_alive

pytestmark = [pytest.mark.production, pytest.mark.timeout(420)]

EXAMPLES = int(os.environ.get("LEADBOT_FUZZ_EXAMPLES", "150"))
DANGEROUS = re.compile(r"<\s*(script|img|iframe|svg|b)\b", re.IGNORECASE)


def _unsafe_controls(text: str) -> list[str]:
    return [c for c in text if c not in "\n\t" and (unicodedata.category(c) in {"Cc", "Cf"})]


def test_hostile_messages_and_metadata_never_make_an_action_raise_or_reach_a_summary_unescaped(
    healthy: ProductionStack, leads: LeadStore
) -> None:
    log_dir = Path(str(healthy.log_dir))
    before = log_offsets(log_dir)
    pool = [Visitor(healthy) for _ in range(max(10, EXAMPLES // 5))]
    for visitor in pool:
        visitor.say("hi")
    rotation = cycle(pool)
    statuses: dict[int, int] = {}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(text=message, meta=metadata)
    def one_message(text: str, meta: object) -> None:
        visitor = next(rotation)
        visitor.metadata = meta  # type: ignore[assignment]
        response = visitor.post(text, timeout=60)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert response.status_code < 500, (text[:80], response.status_code)

    one_message()
    rasa_alive(healthy)
    errors = action_errors(log_dir, before)
    print(f"\nfuzz: {EXAMPLES} messages, HTTP statuses {statuses}, action errors {len(errors)}")
    assert errors == [], "\n".join(errors[:10])

    checked = 0
    for visitor in pool:
        lead = leads.get(visitor.sender)
        if lead is None:
            continue
        checked += 1
        assert not _unsafe_controls(lead.summary or ""), (visitor.sender, lead.summary)
        html = render_summary(lead, language="en", fmt="html")
        assert not DANGEROUS.search(html), (visitor.sender, DANGEROUS.search(html))
        assert not _unsafe_controls(html)
    assert checked >= len(pool) // 2, f"only {checked} leads to check"
