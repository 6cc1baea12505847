"""`leadbot forget` and `leadbot purge` against the production PostgreSQL: the lead, its answers and
handoff, and Rasa's SQL tracker store events are all erased.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, text

from bot.ops.production import ROOT, ProductionStack
from bot.storage import LeadStore
from tests.production.conftest import SCRIPTS, Visitor, converse

pytestmark = [pytest.mark.production, pytest.mark.timeout(180)]


def _leadbot(stack: ProductionStack, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADBOT_")}
    env.update(
        LEADBOT_DATABASE_URL=stack.settings.database_url,
        LEADBOT_TRACKER_DB_URL=stack.settings.tracker_db_url,
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
    )
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _tracker_rows(stack: ProductionStack, sender: str) -> int:
    engine = create_engine(stack.settings.tracker_db_url, future=True)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar()
            )
    finally:
        engine.dispose()


def _sales_ready_with_email(stack: ProductionStack, email: str) -> Visitor:
    visitor = Visitor(stack)
    converse(visitor, "sales_ready", 0, 6)
    visitor.say(email)
    visitor.say("Acme Corp")
    assert "sales team" in visitor.say("yes")
    return visitor


def test_forget_erases_lead_handoff_and_tracker_events_on_postgresql(
    healthy: ProductionStack, leads: LeadStore
) -> None:
    email = f"forget-{os.getpid()}@acme-corp.com"
    visitor = _sales_ready_with_email(healthy, email)
    kept = Visitor(healthy)
    converse(kept, "nurture")
    assert leads.get(visitor.sender).handed_off  # type: ignore[union-attr]
    assert _tracker_rows(healthy, visitor.sender) > 10

    result = _leadbot(healthy, "forget", email)

    assert result.returncode == 0, result.stderr
    assert leads.get(visitor.sender) is None
    assert _tracker_rows(healthy, visitor.sender) == 0
    assert not [u for u in visitor.tracker()["events"] if u["event"] == "user"]
    assert email not in result.stderr  # the CLI reports counts, not the address, to its log
    assert leads.get(kept.sender) is not None and _tracker_rows(healthy, kept.sender) > 0


def test_purge_erases_only_leads_older_than_the_retention(healthy: ProductionStack, leads: LeadStore) -> None:
    old, recent = Visitor(healthy), Visitor(healthy)
    converse(old, "disqualified")
    converse(recent, "disqualified")
    engine = create_engine(healthy.settings.database_url, future=True)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE leads SET updated_at = :t, started_at = :t WHERE conversation_id = :c"),
            {"t": datetime.now(timezone.utc) - timedelta(days=40), "c": old.sender},
        )
    engine.dispose()

    result = _leadbot(healthy, "purge", "--days", "30")

    assert result.returncode == 0, result.stderr
    assert leads.get(old.sender) is None and _tracker_rows(healthy, old.sender) == 0
    assert leads.get(recent.sender) is not None and _tracker_rows(healthy, recent.sender) > 0
    assert SCRIPTS["disqualified"][1] in [e.get("text") for e in recent.tracker()["events"]]
