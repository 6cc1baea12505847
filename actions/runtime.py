"""What every action shares in one action-server process: the SLA, the store, the clock.

The SLA is re-read when its file changes (hot reload); the store's engine is opened once.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import replace
from datetime import date
from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker

from bot.conversation.lead import conversation_start, snapshot
from bot.conversation.product import topic_model
from bot.delivery import DeliveringStore as LeadStore
from bot.domain import STOPPED, LeadSnapshot
from bot.settings import current_settings as settings
from bot.sla import SLA, current_sla
from bot.storage import StorageError

log = logging.getLogger("actions")


def sla() -> SLA:
    return current_sla(settings().sla_path)


@lru_cache(maxsize=4)
def _store(url: str) -> LeadStore:
    return LeadStore(url)


def store() -> LeadStore:
    return _store(settings().database_url)


def language(tracker: Tracker) -> str:
    return str(tracker.get_slot("language") or sla().default_language)


def today(tracker: Tracker) -> date:
    """The conversation's first day: relative answers ("next quarter") are read against it."""
    return conversation_start(tracker.events).date()


def lead_snapshot(
    tracker: Tracker, slots: dict[str, Any] | None = None, *, status: str = "in_progress"
) -> LeadSnapshot:
    merged = {**tracker.current_slot_values(), **(slots or {})}
    return snapshot(tracker.sender_id, merged, tracker.events, sla(), status=status)


# Database writes run in a worker thread: the action server serves every conversation on one
# event loop, and a commit (an fsync on SQLite, a round trip on PostgreSQL) must not stall them.


async def finish(lead: LeadSnapshot, *, status: str, handoff: bool) -> str | None:
    """Store the finished lead (re-rendering its summary) and queue or cancel its handoff.

    Returns the booking page of the rep (or pool) routing assigned the handoff to, if any: the
    closing message offers that page rather than the SLA's default one."""
    return await asyncio.to_thread(_finish, replace(lead, status=status), sla(), handoff)


def _finish(lead: LeadSnapshot, current: SLA, handoff: bool) -> str | None:
    leads = store()
    stored = leads.finish(lead, sla=current, handoff=handoff)
    assigned = leads.assignment(stored.id) if handoff else None
    return assigned.assignee.booking_url if assigned is not None else None


async def save_progress(tracker: Tracker, slots: dict[str, Any] | None = None) -> str | None:
    """Store the lead as it stands, so nothing answered is lost if the visitor leaves.

    Returns the lead's status now (None when the database could not be reached). A lead the
    visitor stopped keeps "stopped" (`bot/domain/status.py`); what they answered since is
    stored by closing it as stopped again, which re-renders its summary."""
    lead = lead_snapshot(tracker, slots)
    try:
        status = await asyncio.to_thread(store().save, lead)
        if status == STOPPED:
            await finish(lead, status=STOPPED, handoff=False)
        return status
    except StorageError:  # a database hiccup must not cost the visitor their conversation
        log.exception("could not save lead progress for %s", tracker.sender_id)
        return None


def _warm_up() -> None:
    """Train the SLA's answer classifiers when the action server starts, not on a visitor's
    first message (training takes seconds)."""
    try:
        current = sla()
        current.models()
        topic_model(current)
    except Exception:  # a broken SLA is reported on the first turn, where it matters
        log.exception("could not train the answer classifiers at start-up")


threading.Thread(target=_warm_up, name="classifier-warm-up", daemon=True).start()


def set_this_turn(tracker: Tracker, names: tuple[str, ...]) -> list[str]:
    """Which of these slots the actions since the latest message have set (to any value)."""
    found: list[str] = []
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        if event.get("event") == "slot" and event.get("name") in names and event["name"] not in found:
            found.append(str(event["name"]))
    return found


def say(dispatcher: Any, domain: dict[str, Any], response: str, language: str, **values: Any) -> None:
    """Utter a domain response in `language`, chosen here rather than by Rasa.

    Rasa picks a response variant from the slots as they were before the action ran, so a
    message that just switched the language (a Spanish visitor's first sentence on an English
    page) would be answered in the old one by this very action.
    """
    variants = (domain.get("responses") or {}).get(response) or []
    chosen = next((v for v in variants if _variant_language(v) == language), None)
    chosen = chosen or next((v for v in variants if not v.get("condition")), None)
    if chosen is None:
        dispatcher.utter_message(response=response, **values)
        return
    text = str(chosen.get("text") or "")
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    dispatcher.utter_message(text=text, buttons=list(chosen.get("buttons") or []))


def _variant_language(variant: dict[str, Any]) -> str | None:
    for condition in variant.get("condition") or []:
        if condition.get("name") == "language":
            return str(condition.get("value"))
    return None
