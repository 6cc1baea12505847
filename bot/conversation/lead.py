"""A conversation's state as a lead: answers parsed and scored, contact, context, transcript.

Built from what Rasa keeps (slot values, serialised tracker events) without importing Rasa.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime, timezone
from typing import Any

from bot.conversation.behaviour import behaviour_answers
from bot.conversation.dialogue import apply_clarifications
from bot.conversation.reading import parse_answers
from bot.conversation.typed import slot_view
from bot.domain import Contact, LeadSnapshot, Turn
from bot.parse.base import Answer
from bot.parse.contact import parse_email, redact_contact
from bot.scoring import Score, score_answers
from bot.sla import SLA


def conversation_start(events: Iterable[Mapping[str, Any]]) -> datetime:
    """When the visitor first wrote: the date every relative answer is resolved against."""
    for event in events:
        if event.get("event") == "user" and event.get("timestamp"):
            return datetime.fromtimestamp(float(event["timestamp"]), tz=timezone.utc)
    return datetime.now(tz=timezone.utc)


def last_message_at(events: Iterable[Mapping[str, Any]]) -> datetime:
    """When the visitor last wrote: "now" for what the page context says (time on site), so a
    snapshot rebuilt later from the same events scores the same."""
    latest = None
    for event in events:
        if event.get("event") == "user" and event.get("timestamp"):
            latest = float(event["timestamp"])
    return datetime.fromtimestamp(latest, tz=timezone.utc) if latest is not None else datetime.now(tz=timezone.utc)


def transcript(events: Iterable[Mapping[str, Any]]) -> list[Turn]:
    """Visitor and bot messages in order, as sales will read them."""
    turns = []
    for event in events:
        kind = event.get("event")
        if kind not in ("user", "bot") or not event.get("text"):
            continue
        at = datetime.fromtimestamp(float(event.get("timestamp") or 0), tz=timezone.utc)
        turns.append(Turn(speaker="visitor" if kind == "user" else "bot", text=str(event["text"]), at=at))
    return turns


def signals(page_context: Mapping[str, Any] | None) -> dict[str, bool]:
    """Yes/no facts about the visit that `extra_criteria` in the SLA can score."""
    pages = (page_context or {}).get("pages") or []
    paths = [str(p.get("path", "")) for p in pages if isinstance(p, Mapping)]
    current = str(((page_context or {}).get("page") or {}).get("path", ""))
    return {"viewed_pricing": any("pricing" in path for path in [*paths, current])}


def _answers_and_score(
    slots: Mapping[str, Any], sla: SLA, today: date, now: datetime | None = None
) -> tuple[dict[str, Answer], Score]:
    """The SLA questions' slot values parsed as answers, the behaviour criteria computed from
    the page context as of `now`, and their score with the visit signals."""
    slots = slot_view(slots)
    read = parse_answers({slot: slots.get(slot) for slot in sla.slots}, sla, today)
    return complete_and_score(read, slots, sla, now)


def complete_and_score(
    read: Mapping[str, Answer], slots: Mapping[str, Any], sla: SLA, now: datetime | None = None
) -> tuple[dict[str, Answer], Score]:
    """The questions' answers as read, with the visitor's clarifications applied and the
    behaviour criteria added, and their score: what every turn does after reading, shared with
    the what-if re-score (`bot/conversation/rescore.py`) so both score the same way."""
    answers = apply_clarifications(dict(read), slots)
    context = slots.get("page_context")
    answers.update(behaviour_answers(sla, context, now or datetime.now(tz=timezone.utc)))
    return answers, score_answers(answers, sla, signals=signals(context))


def score_slots(slots: Mapping[str, Any], sla: SLA, today: date, now: datetime | None = None) -> Score:
    return _answers_and_score(slots, sla, today, now)[1]


def keeps_free_text_contact(sla: SLA, slots: Mapping[str, Any]) -> bool:
    """Whether contact details typed in free text may be stored as typed (`privacy` in sla.yml)."""
    policy = sla.privacy.contact_in_free_text
    return policy == "keep" or (policy == "with_consent" and slots.get("contact_consent") is True)


def valid_email(slots: Mapping[str, Any]) -> str | None:
    """The email slot when it holds a valid address. After three tries the slot keeps what the
    visitor typed, as written (it stays in the transcript for sales to read), but an address
    that never validated is never the lead's email: nothing is ever sent to it."""
    email = slots.get("email")
    return email if email and parse_email(str(email)) == email else None


def snapshot(
    conversation_id: str,
    slots: Mapping[str, Any],
    events: Iterable[Mapping[str, Any]],
    sla: SLA,
    *,
    status: str = "in_progress",
) -> LeadSnapshot:
    events = list(events)
    started_at = conversation_start(events)
    answers, score = _answers_and_score(slots, sla, started_at.date(), last_message_at(events))
    contact = None
    if any(slots.get(key) for key in ("name", "email", "company")):
        contact = Contact(name=slots.get("name"), email=valid_email(slots), company=slots.get("company") or None)
    turns = transcript(events)
    questions = tuple(str(q) for q in slots.get("visitor_questions") or ())
    if not keeps_free_text_contact(sla, slots):
        turns = [replace(t, text=redact_contact(t.text)) if t.speaker == "visitor" else t for t in turns]
        answers = {name: replace(a, raw=redact_contact(a.raw)) for name, a in answers.items()}
        questions = tuple(redact_contact(q) for q in questions)
    return LeadSnapshot(
        conversation_id=conversation_id,
        started_at=started_at,
        language=str(slots.get("language") or sla.default_language),
        answers=answers,
        score=score,
        contact=contact,
        contact_consent=slots.get("contact_consent"),
        page_context=slots.get("page_context"),
        human_requested=bool(slots.get("human_requested")),
        transcript=turns,
        visitor_questions=questions,
        status=status,
    )
