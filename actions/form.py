"""The qualification form: which question comes next, and how each one is asked.

Order, wording and buttons come from the SLA at run time, so marketing's edits need no retraining.
"""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from actions import runtime
from bot.conversation.confirm import understood_as
from bot.conversation.dialogue import CONTACT_SLOTS, QUESTION_SLOTS, next_questions
from bot.conversation.lead import score_slots
from bot.conversation.reading import read_one
from bot.conversation.typed import FORM_ACCEPTS_BEYOND_ITS_SLOTS, read_typed, slot_view, typed_understood_as
from bot.parse.base import Criterion


class ValidateQualificationForm(FormValidationAction):
    """Orders the questions; the answers were already read by `action_validate_slot_mappings`."""

    def name(self) -> str:
        return "validate_qualification_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        events = await super().run(dispatcher, tracker, domain)
        # Rasa asks a slot through `action_ask_<slot>`, which a question of marketing's own
        # (docs/criteria.md) cannot have: the form asks it here, when it is the one requested next.
        requested = next((e["value"] for e in reversed(events) if e.get("name") == "requested_slot"), None)
        sla = runtime.sla()
        if requested in sla.typed_slots:
            clarifying = tracker.get_slot("clarifying")
            if isinstance(clarifying, dict) and clarifying.get("slot") == requested:
                spec = sla.criteria[str(requested)]
                language = runtime.language(tracker)
                answer = read_typed(str(clarifying.get("raw") or ""), str(requested), spec, strict=False)
                value = typed_understood_as(answer, spec, language)
                runtime.say(dispatcher, domain, "utter_clarify_answer", language, value=value)
            else:
                ask_question(dispatcher, tracker, str(requested))
        return events

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        sla = runtime.sla()
        slots = slot_view(tracker.current_slot_values())
        wanted = next_questions(sla, slots, score_slots(slots, sla, runtime.today(tracker)))
        # The SDK finds the next question among the domain's slots; a declared criterion already
        # answered is dropped here, since the domain does not know it is filled.
        return [slot for slot in wanted if slot not in sla.typed_slots or slots.get(slot) is None]

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        # rasa_sdk calls `required_slots` here (every answer scored) only to look for
        # `extract_<slot>` methods, which this form has none of, and then again for the next
        # question: once per run is enough (benchmarks/results/calls.md).
        return []

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventType | None:
        # rasa_sdk names no next question when the list equals the domain form's (a sales-ready
        # lead's): Rasa then finds the same one from that list, but when the form starts in the
        # turn it first runs this whole action a second time (benchmarks/results/calls.md).
        wanted = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        return SlotSet(REQUESTED_SLOT, next((slot for slot in wanted if tracker.slots.get(slot) is None), None))

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        # Values were validated while reading the message; accept them as they are. Rasa rejects
        # the form (and answers "Sorry, I didn't understand" on top) when no slot it asks for was
        # filled; so a message the reading handled in a slot Rasa does not ask for (a question
        # passed on to sales, an answer to a declared criterion in `criteria_answers`) says so.
        return [SlotSet(name, tracker.get_slot(name)) for name in runtime.set_this_turn(tracker, _HANDLED_ELSEWHERE)]


_HANDLED_ELSEWHERE = FORM_ACCEPTS_BEYOND_ITS_SLOTS


def ask_question(dispatcher: CollectingDispatcher, tracker: Tracker, slot: str) -> None:
    """One SLA question in the conversation's language, with its buttons."""
    sla = runtime.sla()
    question = sla.question(slot)
    if question is None:  # dropped from the SLA since the form asked for it
        return
    language = runtime.language(tracker)
    buttons = [
        {"title": sla.text(button.title, language), "payload": "/inform" + json.dumps({"answer": button.value})}
        for button in question.buttons
    ]
    dispatcher.utter_message(text=sla.text(question.ask, language), buttons=buttons)


class AskQuestion(Action):
    """Asks one built-in SLA question, or the clarifying question about its answer."""

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        clarifying = tracker.get_slot("clarifying")
        if isinstance(clarifying, dict) and clarifying.get("slot") == self.slot:
            self._clarify(dispatcher, tracker, str(clarifying.get("raw") or ""), runtime.language(tracker))
            return []
        ask_question(dispatcher, tracker, self.slot)
        return []

    def _clarify(self, dispatcher: CollectingDispatcher, tracker: Tracker, raw: str, language: str) -> None:
        """Ask how to read an answer instead of guessing: "is that about €2,000 a year?"."""
        sla = runtime.sla()
        answer = read_one(raw, Criterion(self.slot), sla, runtime.today(tracker))
        value = understood_as(answer, language, sla.currency)
        dispatcher.utter_message(response=f"utter_clarify_{self.slot}", value=value)


class AskNeed(AskQuestion):
    slot = "need"


class AskBudget(AskQuestion):
    slot = "budget"


class AskRole(AskQuestion):
    slot = "role"


class AskTiming(AskQuestion):
    slot = "timing"


assert {cls.slot for cls in AskQuestion.__subclasses__()} == set(QUESTION_SLOTS)
assert not set(CONTACT_SLOTS) & set(QUESTION_SLOTS)
