"""Faults survived with nothing lost: a Rasa instance SIGKILLed under load, the action servers
killed and restarted mid-conversation, PostgreSQL restarted and Redis stopped during traffic.
"""

from __future__ import annotations

import threading
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
    converse,
    event_problems,
    rasa_alive,
    run_concurrently,
    user_texts,
)

pytestmark = [pytest.mark.production]


def _assert_completed(
    visitors: list[tuple[Visitor, str]], results: list, leads: LeadStore, retried: list[str] | None = None
) -> None:
    outcomes = list(zip(visitors, results, strict=True))
    failures = [f"{v.sender} ({t}): {r!r}" for (v, t), r in outcomes if isinstance(r, BaseException)]
    assert not failures, "\n".join(failures[:20])
    for (visitor, tier), reply in outcomes:
        assert CLOSINGS[tier] in reply.lower(), (visitor.sender, reply)
        stored = leads.get(visitor.sender)
        assert stored is not None and stored.tier == tier, (visitor.sender, tier, stored and stored.tier)
    problems = [p for v, _ in visitors for p in event_problems(v, v.tracker(), retried=retried)]
    assert not problems, "\n".join(problems[:20])


@pytest.mark.timeout(180)
def test_one_action_server_killed_mid_conversation_is_invisible_to_the_visitor(
    healthy: ProductionStack, leads: LeadStore
) -> None:
    visitor = Visitor(healthy)
    converse(visitor, "sales_ready", 0, 3)
    healthy.kill("actions0")
    try:
        assert "when" in visitor.say(SCRIPTS["sales_ready"][3]).lower()
        closing = converse(visitor, "sales_ready", 4)
    finally:
        healthy.start_service("actions0")
    assert CLOSINGS["sales_ready"] in closing.lower()
    stored = leads.get(visitor.sender)
    assert stored is not None and stored.score == 100 and stored.tier == "sales_ready" and stored.handed_off


@pytest.mark.timeout(240)
def test_all_action_servers_down_gives_a_clean_reply_and_the_conversation_resumes_after_restart(
    healthy: ProductionStack, leads: LeadStore
) -> None:
    visitor = Visitor(healthy)
    converse(visitor, "sales_ready", 0, 3)
    for name in healthy.action_names:
        healthy.kill(name)
    try:
        response = visitor.post(SCRIPTS["sales_ready"][3])
        assert response.status_code == 200, response.text  # no 5xx: Rasa answers what it can
        rasa_alive(healthy)
    finally:
        for name in healthy.action_names:
            healthy.start_service(name)
    # The visitor repeats the answer the bot did not take (what the widget's retry does).
    reply = visitor.say(SCRIPTS["sales_ready"][3])
    if "when" not in reply.lower():
        reply = visitor.say(SCRIPTS["sales_ready"][3])
    assert "when" in reply.lower(), reply
    closing = converse(visitor, "sales_ready", 4)
    assert CLOSINGS["sales_ready"] in closing.lower()
    stored = leads.get(visitor.sender)
    assert stored is not None and stored.score == 100 and stored.tier == "sales_ready"
    assert stored.answers["role"].value == "decision_maker"


@pytest.mark.timeout(300)
def test_postgres_restart_mid_load_fails_cleanly_then_recovers_and_loses_nothing(
    healthy: ProductionStack, leads: LeadStore
) -> None:
    visitors = [(Visitor(healthy), TIERS[i % 3]) for i in range(24)]
    half = run_concurrently([lambda v=v, t=t: converse(v, t, 0, 3) for v, t in visitors], workers=24)
    assert not [r for r in half if isinstance(r, BaseException)], half
    before = {v.sender: user_texts(v.tracker()) for v, _ in visitors}
    stored_before = {v.sender: leads.get(v.sender) for v, _ in visitors}
    assert all(stored_before.values())

    healthy.stop("postgres")
    outage = run_concurrently([lambda v=v, t=t: v.post(SCRIPTS[t][3], timeout=60) for v, t in visitors], workers=24)
    statuses = Counter(r.status_code if not isinstance(r, BaseException) else type(r).__name__ for r in outage)
    rasa_alive(healthy)
    healthy.start_service("postgres")

    # Rasa's REST channel answers 200 with no messages (never the greeting of a fresh conversation)
    assert set(statuses) <= {200}, statuses
    assert all(r.json() == [] for r in outage), [r.json() for r in outage if r.json()][:3]
    # Rasa's pooled connections died with the server: the first turn after may fail once more.
    for visitor, tier in visitors:
        for _ in range(3):
            response = visitor.post(SCRIPTS[tier][3])
            if response.status_code == 200 and response.json():
                break
            time.sleep(1)
        else:
            pytest.fail(f"{visitor.sender}: no answer after PostgreSQL came back")
        visitor.sent = [*before[visitor.sender], SCRIPTS[tier][3]]
    results = run_concurrently([lambda v=v, t=t: converse(v, t, 4) for v, t in visitors], workers=24)
    failures = [r for r in results if isinstance(r, BaseException)]
    assert not failures, failures[:5]
    for visitor, tier in visitors:
        texts = user_texts(visitor.tracker())
        assert texts[: len(before[visitor.sender])] == before[visitor.sender], visitor.sender
        stored = leads.get(visitor.sender)
        assert stored is not None and stored.tier == tier
        assert stored.started_at == stored_before[visitor.sender].started_at  # type: ignore[union-attr]
    print(f"\nduring the PostgreSQL outage: {dict(statuses)}")


@pytest.mark.timeout(180)
def test_redis_down_fails_turns_cleanly_and_recovers_when_it_returns(healthy: ProductionStack) -> None:
    visitor = Visitor(healthy)
    converse(visitor, "nurture", 0, 2)
    healthy.stop("redis")
    try:
        responses = [visitor.post(SCRIPTS["nurture"][2], timeout=60) for _ in range(3)]
        assert [r.status_code for r in responses] == [200] * 3
        assert all(r.json() == [] for r in responses)  # no lock, no turn: nothing half-processed
        rasa_alive(healthy)
        assert user_texts(visitor.tracker()) == SCRIPTS["nurture"][:2]
    finally:
        healthy.start_service("redis")
    closing = converse(visitor, "nurture", 2)
    assert CLOSINGS["nurture"] in closing.lower()
    assert not event_problems(visitor, visitor.tracker())
    logs = "".join((healthy.log_dir / f"{n}.log").read_text(errors="replace") for n in healthy.rasa_names)  # type: ignore[operator]
    assert "LockError" in logs or "ConnectionError" in logs or "Error while acquiring lock" in logs


@pytest.mark.last
@pytest.mark.timeout(300)
def test_sigkilled_rasa_instance_conversations_continue_on_the_other(
    healthy: ProductionStack, leads: LeadStore
) -> None:
    visitors = [(Visitor(healthy), TIERS[i % 3]) for i in range(30)]
    outcome: list = []
    runner = threading.Thread(
        target=lambda: outcome.extend(
            run_concurrently([lambda v=v, t=t: converse(v, t) for v, t in visitors], workers=30)
        )
    )
    runner.start()
    time.sleep(6)  # mid-conversation for everyone
    healthy.kill(healthy.rasa_names[-1])
    runner.join()
    # Nothing lost. A turn the killed instance had already saved but not yet answered is re-sent
    # by nginx and stored twice (at-least-once: Rasa's REST channel has no message id to dedupe);
    # it is reported, not hidden, and must be rare.
    retried: list[str] = []
    _assert_completed(visitors, outcome, leads, retried)
    print(f"\nturns stored twice after the SIGKILL: {retried or 'none'}")
    assert len(retried) <= 3, retried
    handoffs = Counter(h.conversation_id for h in leads.handoffs())
    assert all(handoffs[v.sender] == (1 if t == "sales_ready" else 0) for v, t in visitors)
    # brought back for whatever runs next (the session fixture waits for it if needed)
    healthy.start_service(healthy.rasa_names[-1], wait=False)
