"""Reads every visitor message: language, page context, answers, corrections and misses.

Rasa runs `action_validate_slot_mappings` after each user message, before any policy.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from bot.dialogue import read_turn
from bot.language import detect_language, requested_language
from bot.visit import page_context
from bot.visit import requested_language as page_language


class ReadMessage(Action):
    def name(self) -> str:
        return "action_validate_slot_mappings"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        sla = runtime.sla()
        message = tracker.latest_message or {}
        metadata = message.get("metadata") or {}
        intent = (message.get("intent") or {}).get("name")
        text = _answer_text(message)
        updates: dict[str, Any] = {}

        context = page_context(tracker.get_slot("page_context"), metadata)
        if context != tracker.get_slot("page_context"):
            updates["page_context"] = context

        language = _language(tracker, sla.languages, metadata, text, intent)
        if language and language != tracker.get_slot("language"):
            updates["language"] = language
        language = language or sla.default_language

        reading = read_turn(
            text,
            intent=intent,
            requested=tracker.get_slot("requested_slot"),
            slots=tracker.current_slot_values(),
            misses=tracker.get_slot("misses"),
            sla=sla,
            today=runtime.today(tracker),
        )
        updates.update(reading.fills)
        if reading.misses != (tracker.get_slot("misses") or {}):
            updates["misses"] = reading.misses

        for slot in reading.corrected:
            dispatcher.utter_message(response=f"utter_updated_{slot}", value=reading.answers[slot].reason)
        if reading.hint_for:
            question = sla.question(reading.hint_for)
            hint = sla.text(question.hint, language) if question else ""
            dispatcher.utter_message(response="utter_reask_hint", hint=hint)
        if reading.gave_up_on:
            dispatcher.utter_message(response="utter_moving_on")
        if reading.invalid_email:
            dispatcher.utter_message(response="utter_invalid_email")

        if reading.changed:
            runtime.save_progress(tracker, updates)
        return [SlotSet(slot, value) for slot, value in updates.items()]


def _answer_text(message: dict[str, Any]) -> str:
    """The visitor's words; for a button, the answer its payload carries."""
    for entity in message.get("entities") or []:
        if entity.get("entity") == "answer" and entity.get("value"):
            return str(entity["value"])
    text = message.get("text") or ""
    return "" if text.startswith("/") else text


def _language(
    tracker: Tracker, languages: list[str], metadata: dict[str, Any], text: str, intent: str | None
) -> str | None:
    """Keep the conversation's language unless the visitor asks for another one.

    Until it is set: the language of the visitor's first message that is long enough to
    tell (a Spanish visitor on an English page is answered in Spanish), else the page's
    language from the widget metadata; None (English responses) until either is known.
    """
    current = tracker.get_slot("language")
    if intent == "switch_language":
        asked = requested_language(text, tuple(languages))
        if asked:
            return asked
        return next((lang for lang in languages if lang != current), current or languages[0])
    if current:
        return str(current)
    detected = detect_language(text, tuple(languages)) if intent not in ("nonsense", "nlu_fallback") else None
    if detected:
        return detected
    from_page = page_language(metadata)
    return str(from_page) if from_page in languages else None
