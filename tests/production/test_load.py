"""Many concurrent visitors over both Rasa instances: every conversation ends in its tier, no
duplicated or reordered events (RasaHQ/rasa#9213), exactly one handoff per sales-ready lead; and
conversations that send several messages at once (through nginx, and straight at both instances)
lose none, store none twice and never start a turn before the previous one finished.
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
    SCRIPTS,
    TIERS,
    Visitor,
    burst_outcome,
    converse,
    event_problems,
    fire_at_once,
    instances_used,
    post_turn,
    run_concurrently,
    webhook_upstreams,
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


# --------------------------------------------------------------------------- bursts of one conversation

BURST_CONVERSATIONS = int(os.environ.get("LEADBOT_PROD_BURSTS", "30"))
# Four answers a double-sending visitor (or a widget flushing its outbox) fires at once.
BURST = SCRIPTS["sales_ready"][:4]


def _bursts(stack: ProductionStack, urls: list[str]) -> list[tuple[Visitor, list]]:
    """Every conversation fires BURST at once, message i at urls[i % len(urls)]; all conversations together."""
    visitors = [Visitor(stack) for _ in range(BURST_CONVERSATIONS)]

    def burst(visitor: Visitor) -> list:
        targets = [(urls[i % len(urls)], text) for i, text in enumerate(BURST)]
        return fire_at_once([lambda url=url, text=text: post_turn(url, visitor, text) for url, text in targets])

    results = run_concurrently([lambda v=v: burst(v) for v in visitors], workers=len(visitors))
    return list(zip(visitors, results, strict=True))


def _assert_every_message_stored_once_turn_by_turn(outcomes: list[tuple[Visitor, list]]) -> None:
    failed = [
        f"{v.sender}: {r!r}"
        for v, responses in outcomes
        for r in responses
        if isinstance(r, BaseException) or r.status_code != 200 or not r.json()
    ]
    assert not failed, f"{len(failed)} turn(s) failed or got no reply:\n" + "\n".join(failed[:10])
    problems = []
    for visitor, _ in outcomes:
        outcome = burst_outcome(visitor.tracker(), BURST)
        if not outcome.clean:
            problems.append(f"{visitor.sender}: {outcome}")
    assert not problems, f"{len(problems)} of {len(outcomes)} trackers (RasaHQ/rasa#9213):\n" + "\n".join(problems)


def test_messages_sent_at_once_through_nginx_are_each_stored_once_by_one_instance(healthy: ProductionStack) -> None:
    outcomes = _bursts(healthy, [healthy.public_url])
    _assert_every_message_stored_once_turn_by_turn(outcomes)
    senders = {v.sender for v, _ in outcomes}
    served_by: dict[str, set[str]] = {}
    for sender, upstreams in webhook_upstreams(healthy):
        if sender in senders:
            served_by.setdefault(sender, set()).add(upstreams[-1])
    assert set(served_by) == senders
    assert all(len(instances) == 1 for instances in served_by.values()), served_by  # sticky by sender
    assert len(set().union(*served_by.values())) == healthy.settings.rasa_instances  # and still spread


def test_messages_sent_at_once_straight_at_both_instances_are_each_stored_once(healthy: ProductionStack) -> None:
    """No nginx: message i goes to instance i % 2, so only the Redis lock store keeps turns apart."""
    outcomes = _bursts(healthy, [healthy.rasa_url(name) for name in healthy.rasa_names])
    _assert_every_message_stored_once_turn_by_turn(outcomes)
