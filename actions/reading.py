"""Reads every visitor message: language, page context, answers, corrections and misses.

Rasa runs `action_validate_slot_mappings` after each user message, before any policy.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.answers import answer_or_pass, with_resource
from bot.conversation.booking import closing_follow_up
from bot.conversation.confirm import understood_as
from bot.conversation.dialogue import CONTACT_SLOTS, DIGRESSIONS, closing, read_turn
from bot.conversation.language import (
    SENTENCE_WORDS,
    SWITCH_WORDS,
    detect_language,
    greeting_language,
    requested_language,
)
from bot.conversation.typed import slot_view, split_fills, typed_understood_as
from bot.conversation.visit import page_context
from bot.conversation.visit import requested_language as page_language
from bot.scoring import Tier


class ReadMessage(Action):
    def name(self) -> str:
        return "action_validate_slot_mappings"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        sla = runtime.sla()
        message = tracker.latest_message or {}
        metadata = message.get("metadata") or {}
        text = _answer_text(message)
        intent = read_intent(tracker, sla.languages, text)
        updates: dict[str, Any] = {}

        context = page_context(tracker.get_slot("page_context"), metadata)
        if context != tracker.get_slot("page_context"):
            updates["page_context"] = context

        language, settled = _language(tracker, sla.languages, metadata, text, intent)
        if language and language != tracker.get_slot("language"):
            updates["language"] = language
        if settled and settled != tracker.get_slot("visitor_language"):
            updates["visitor_language"] = settled
        language = language or sla.default_language

        slots = tracker.current_slot_values()
        reading = read_turn(
            text,
            intent=intent,
            requested=tracker.get_slot("requested_slot"),
            slots=slot_view(slots),
            misses=tracker.get_slot("misses"),
            sla=sla,
            today=runtime.today(tracker),
        )
        updates.update(split_fills(reading.fills, sla, slots))
        if reading.misses != (tracker.get_slot("misses") or {}):
            updates["misses"] = reading.misses

        for slot in reading.corrected:
            if slot in sla.typed_slots:
                value = typed_understood_as(reading.answers[slot], sla.criteria[slot], language)
                runtime.say(dispatcher, domain, "utter_updated_answer", language, value=value)
                continue
            value = understood_as(reading.answers[slot], language, sla.currency)
            runtime.say(dispatcher, domain, f"utter_updated_{slot}", language, value=value)
        if reading.language_aside and "language" in updates:
            runtime.say(dispatcher, domain, "utter_language_switched", language)
        if reading.hint_for:
            question = sla.question(reading.hint_for)
            hint = sla.text(question.hint, language) if question else ""
            runtime.say(dispatcher, domain, "utter_reask_hint", language, hint=hint)
        if reading.question and intent not in DIGRESSIONS:
            # Read as a question by us, not by the NLU: no rule will answer it, so say it here
            # (the slot is set even when answered: the form then asks its question again).
            updates["visitor_questions"] = answer_or_pass(dispatcher, domain, tracker, reading.question, language)
        if reading.announced_question:
            runtime.say(dispatcher, domain, "utter_ask_away", language)
            # handled here, like a question passed on: the form must not reject the message
            updates["visitor_questions"] = tracker.get_slot("visitor_questions")
        if reading.gave_up_on:
            runtime.say(dispatcher, domain, "utter_moving_on", language)
        if reading.invalid_email:
            runtime.say(dispatcher, domain, "utter_invalid_email", language)

        # A question passed on is stored at once: the visitor may leave before answering anything.
        before = tracker.get_slot("visitor_questions") or []
        passed_on = (updates.get("visitor_questions") or before) != before
        if reading.changed and tracker.get_slot("tier"):
            # After the close the stored outcome moves only by closing again (bot/domain/status.py):
            # a late answer, correction or contact detail re-closes the lead, never reopens it.
            updates.update(await _reclose(dispatcher, tracker, domain, updates, language))
        elif reading.changed or passed_on:
            await runtime.save_progress(tracker, updates)
        return [SlotSet(slot, value) for slot, value in updates.items()]


async def _reclose(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any], updates: dict[str, Any], language: str
) -> dict[str, Any]:
    """A correction after the closing message: the stored lead, the outbox and what the visitor
    is told follow the new score. A lead that became sales-ready without contact details goes
    back to the form (which now asks for them); one that fell below is not handed off."""
    sla = runtime.sla()
    lead = runtime.lead_snapshot(tracker, updates)
    slots = {**tracker.current_slot_values(), **updates}
    human = bool(slots.get("human_requested"))
    consent = slots.get("contact_consent") is True and bool(slots.get("email"))
    tier = lead.score.tier
    if tier.value == tracker.get_slot("tier"):
        same = closing(tier, human=human, consent=consent)
        await runtime.finish(with_resource(lead, same)[0], status=tier.value, handoff=same.handoff)
        return {}
    if tier is Tier.SALES_READY and not consent and slots.get("contact_consent") is not False:
        # Stored as sales-ready with no handoff (nobody was promised a call yet); the form
        # resumes and asks for what is missing, and its close queues the handoff.
        await runtime.finish(lead, status=tier.value, handoff=False)
        return {"tier": None}
    close = closing(tier, human=human, consent=consent)
    lead, values = with_resource(lead, close)
    booking_url = await runtime.finish(lead, status=tier.value, handoff=close.handoff)
    follow_up = closing_follow_up(sla, lead, close.response, language, base_url=booking_url)
    runtime.say(dispatcher, domain, close.response, language, follow_up=follow_up, **values)
    return {"tier": tier.value}


def read_intent(tracker: Tracker, languages: list[str], text: str) -> str | None:
    """The intent the message is read with: the NLU's, except that a contact detail is never a
    request to switch language ("Academia Idiomas Málaga" given as the company names no language,
    so it is read as the answer)."""
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    pending = tracker.get_slot("requested_slot")
    if intent == "switch_language" and pending in CONTACT_SLOTS and not requested_language(text, tuple(languages)):
        return "inform"
    return str(intent) if intent else None


def _answer_text(message: dict[str, Any]) -> str:
    """The visitor's words; for a button, the answer its payload carries."""
    for entity in message.get("entities") or []:
        if entity.get("entity") == "answer" and entity.get("value"):
            return str(entity["value"])
    text = message.get("text") or ""
    return "" if text.startswith("/") else text


def _language(
    tracker: Tracker, languages: list[str], metadata: dict[str, Any], text: str, intent: str | None
) -> tuple[str | None, str | None]:
    """(the conversation's language now, the language the visitor has written a sentence in).

    The visitor's first sentence (3+ words lingua can place) decides for good, over the page:
    a Spanish visitor on an English page is answered in Spanish, and a later "VP of Sales"
    does not switch back. Before that, a greeting ("hola") decides over the page, except the
    widget's own opener; then the page's language. Asking for a language always switches.
    """
    current = tracker.get_slot("language")
    settled = tracker.get_slot("visitor_language")
    if intent == "switch_language":
        asked = requested_language(text, tuple(languages))
        chosen = asked or next((lang for lang in languages if lang != current), current or languages[0])
        return chosen, chosen
    if settled:
        # A long sentence plainly in another language wins over a first one that mixed both
        # ("hi, your website is slow today, lo sabíais?"); a title or a short aside never does.
        if len(text.split()) >= SWITCH_WORDS and intent != "nonsense":
            detected = detect_language(text, tuple(languages))
            if detected and detected != settled:
                return detected, detected
        return str(settled), str(settled)
    # Form activation reads the same message again without its metadata: the session's stands in.
    from_page = page_language(metadata) or page_language(tracker.get_slot("session_started_metadata") or {})
    from_page = str(from_page) if from_page in languages else None
    if len(text.split()) >= SENTENCE_WORDS and intent != "nonsense":
        detected = detect_language(text, tuple(languages))
        if detected:
            return detected, detected
    greeting = greeting_language(text, tuple(languages))
    opener = sum(1 for event in tracker.events if event.get("event") == "user") <= 1
    if greeting and (not from_page or not opener):
        return greeting, None  # the widget's own opener ("hi") never outvotes the page's language
    if current:
        return str(current), None
    if from_page:
        return from_page, None  # a word or two says little about a language; the page says more
    detected = detect_language(text, tuple(languages)) if intent not in ("nonsense", "nlu_fallback") else None
    return detected, None
