"""Many concurrent visitors over both Rasa instances: every conversation ends in its tier, no
duplicated or reordered events (RasaHQ/rasa#9213), exactly one handoff per sales-ready lead.
"""

from __future__ import annotations

import os
import statistics
import time
from collections import Counter

import pytest

from bot.ops.production import ProductionStack
from bot.storage import LeadStore
from tests.production.conftest import (
    CLOSINGS,
    TIERS,
    Visitor,
    converse,
    event_problems,
    instances_used,
    run_concurrently,
)

pytestmark = [pytest.mark.production, pytest.mark.timeout(420)]

VISITORS = int(os.environ.get("LEADBOT_PROD_VISITORS", "200"))


def test_concurrent_visitors_each_end_in_their_tier_with_clean_trackers(
    healthy: ProductionStack, leads: LeadStore
) -> None:
    visitors = [(Visitor(healthy), TIERS[i % 3]) for i in range(VISITORS)]
    before = instances_used(healthy)
    started = time.monotonic()
    results = run_concurrently([lambda v=v, t=t: converse(v, t) for v, t in visitors], workers=VISITORS)
    elapsed = time.monotonic() - started
    outcomes = list(zip(visitors, results, strict=True))
    failures = [f"{v.sender} ({t}): {r!r}" for (v, t), r in outcomes if isinstance(r, BaseException)]
    assert not failures, f"{len(failures)} conversation(s) failed:\n" + "\n".join(failures[:20])
    wrong_closing = [v.sender for (v, t), r in outcomes if CLOSINGS[t] not in r.lower()]
    assert not wrong_closing, wrong_closing[:10]

    problems = [p for v, _ in visitors for p in event_problems(v, v.tracker())]
    assert not problems, f"{len(problems)} tracker problem(s) (RasaHQ/rasa#9213?):\n" + "\n".join(problems[:20])

    handoffs = Counter(h.conversation_id for h in leads.handoffs())
    for visitor, tier in visitors:
        stored = leads.get(visitor.sender)
        assert stored is not None and stored.tier == tier, (visitor.sender, tier, stored and stored.tier)
        expected = 1 if tier == "sales_ready" else 0
        assert handoffs[visitor.sender] == expected, (visitor.sender, tier, handoffs[visitor.sender])

    after = instances_used(healthy)
    served = {a: after.get(a, 0) - before.get(a, 0) for a in after}
    assert len([a for a, n in served.items() if n > 0]) == healthy.settings.rasa_instances, served
    turns = [lat for v, _ in visitors for lat in v.latencies]
    print(
        f"\n{VISITORS} visitors, {len(turns)} turns in {elapsed:.0f}s: {VISITORS / elapsed * 60:.0f} conversations/min,"
        f" p50 {statistics.median(turns):.2f}s, p95 {statistics.quantiles(turns, n=20)[18]:.2f}s; per instance {served}"
    )
    for visitor, _ in visitors:
        visitor.close()
