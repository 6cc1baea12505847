"""Lead status as a state machine: the table itself, and random conversations through the real
actions and store in which status never goes backwards and tier, status, summary, outbox and
what the visitor was told always agree (`tests/simulation.py` plays Rasa's rules).

LEADBOT_STATE_EXAMPLES sets how many random conversations hypothesis runs (default 25);
`benchmarks/bench_state.py` runs 10,000.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from bot.domain import FINISHED, LEAD_STATUSES, Move, next_status, rank, utcnow
from bot.sla import current_sla
from bot.storage import LeadStore, dispose_engines
from bot.storage.tables import HandoffRow
from tests.simulation import EVENTS, ROOT, Conversation, run_sequence

EXAMPLES = int(os.environ.get("LEADBOT_STATE_EXAMPLES", "25"))


@pytest.mark.parametrize("current", [None, *LEAD_STATUSES])
@pytest.mark.parametrize("move", list(Move))
def test_no_move_takes_a_lead_backwards(current: str | None, move: Move) -> None:
    targets = FINISHED if move is Move.FINISH else ("stopped",) if move is Move.STOP else ("in_progress",)
    for target in targets:
        after = next_status(current, move, target)
        assert after is None or rank(after) >= rank(current), (current, move, target, after)


def test_a_late_answer_after_the_close_is_refused_and_a_new_close_is_not() -> None:
    assert next_status("nurture", Move.SAVE, "in_progress") is None
    assert next_status("stopped", Move.SAVE, "in_progress") is None
    assert next_status("sales_ready", Move.STOP, "stopped") is None
    assert next_status("sales_ready", Move.START_OVER, "in_progress") is None
    assert next_status("sales_ready", Move.FINISH, "nurture") == "nurture"  # a late correction
    assert next_status("stopped", Move.FINISH, "sales_ready") == "sales_ready"  # resumed and finished
    with pytest.raises(ValueError, match="finishes with a tier"):
        next_status("in_progress", Move.FINISH, "stopped")


@pytest.fixture(scope="module")
def actions_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LeadStore]:
    url = f"sqlite:///{tmp_path_factory.mktemp('state')}/leads.db"
    patch = pytest.MonkeyPatch()
    patch.setenv("LEADBOT_DATABASE_URL", url)
    patch.setenv("LEADBOT_SLA", str(ROOT / "sla.yml"))
    patch.chdir(ROOT)
    yield LeadStore(url)
    patch.undo()
    dispose_engines()


def test_an_answer_after_the_close_keeps_the_outcome(actions_store: LeadStore) -> None:
    """The bug in issue 15: a late answer saved the lead as in_progress for good."""
    visitor = Conversation("late-answer", actions_store)
    for text in ("our reps waste hours on bad leads", "just 3k a year", "analyst", "in 4 months"):
        visitor.say(text)
    assert actions_store.get("late-answer").status == "nurture"  # type: ignore[union-attr]
    visitor.say("our reps waste hours on bad leads")  # repeated after the close: nothing changes
    visitor.say("bob@northwind.example")
    lead = actions_store.get("late-answer")
    assert lead is not None and lead.status == lead.tier == "nurture" and visitor.told == "utter_close_nurture"


def test_stop_then_an_answer_keeps_the_lead_stopped_with_the_answer(actions_store: LeadStore) -> None:
    visitor = Conversation("stop-then-answer", actions_store)
    visitor.say("our reps waste hours on bad leads")
    visitor.say("stop", "stop")
    visitor.say("around 30k a year")
    lead = actions_store.get("stop-then-answer")
    assert lead is not None and lead.status == "stopped" and "budget" in lead.answers
    assert lead.summary is not None and "30k" in lead.summary


def test_a_correction_below_sales_ready_cancels_the_queued_handoff(actions_store: LeadStore) -> None:
    visitor = Conversation("falls-below", actions_store)
    for text in ("our reps waste hours on bad leads", "around 30k a year", "VP of Sales", "next month"):
        visitor.say(text)
    for text in ("Ana López", "ana@acme.example", "Acme"):
        visitor.say(text)
    visitor.say("yes", "affirm")
    assert actions_store.get("falls-below").handoff is not None  # type: ignore[union-attr]
    visitor.say("actually I'm an intern")
    lead = actions_store.get("falls-below")
    assert lead is not None and lead.status == "disqualified" and lead.handoff is None
    assert visitor.told == "utter_close_disqualified"


def test_a_correction_to_sales_ready_asks_for_contact_then_hands_off(actions_store: LeadStore) -> None:
    visitor = Conversation("rises", actions_store)
    for text in ("our reps waste hours on bad leads", "no budget", "marketing manager", "next month"):
        visitor.say(text)
    assert visitor.told == "utter_close_nurture"
    visitor.say("actually our budget is 50k a year")
    assert visitor.slots["requested_slot"] == "name"
    lead = actions_store.get("rises")
    assert lead is not None and lead.status == "sales_ready" and lead.handoff is None
    for text in ("Ana López", "ana@acme.example", "Acme"):
        visitor.say(text)
    visitor.say("yes", "affirm")
    lead = actions_store.get("rises")
    assert lead is not None and lead.handoff is not None and visitor.told == "utter_close_sales_ready"


def test_the_simulated_worker_delivers_a_queued_handoff(actions_store: LeadStore) -> None:
    """The random runs below draw "deliver" only now and then; this keeps that path exercised."""
    visitor = Conversation("delivered", actions_store)
    for text in ("our reps waste hours on bad leads", "around 30k a year", "VP of Sales", "next month"):
        visitor.say(text)
    for text in ("Ana López", "ana@acme.example", "Acme"):
        visitor.say(text)
    visitor.say("yes", "affirm")
    # Routing may hold the handoff until the pool's first rep starts (routing.yml): open it now.
    with actions_store.session() as session:
        session.execute(update(HandoffRow).values(next_attempt_at=utcnow()))
    visitor.deliver()
    lead = actions_store.get("delivered")
    assert lead is not None and lead.handoff is not None and lead.handoff.status == "sent"


@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(events=st.lists(st.sampled_from(EVENTS), min_size=1, max_size=24), seed=st.integers(0, 2**32))
def test_random_conversations_never_go_backwards_and_always_agree(
    actions_store: LeadStore, events: list[str], seed: int
) -> None:
    sender = f"prop-{seed}-{len(events)}-{random.Random(seed).random():.6f}"
    problems, _ = run_sequence(actions_store, current_sla(ROOT / "sla.yml"), sender, events, random.Random(seed))
    assert problems == []


def test_the_simulation_reaches_every_outcome(actions_store: LeadStore) -> None:
    """The property above means something only if random visitors reach every status."""
    sla = current_sla(ROOT / "sla.yml")
    seen = set()
    for seed in range(40):
        rnd = random.Random(seed)
        run_sequence(actions_store, sla, f"reach-{seed}", ["answer"] * rnd.randint(4, 10) + ["control"], rnd)
        lead = actions_store.get(f"reach-{seed}")
        seen.add(lead.status if lead else None)
    assert {"sales_ready", "nurture", "disqualified"} <= seen, seen
    assert Path(ROOT / "sla.yml").exists()
