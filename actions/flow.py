"""The moments around the form: why we ask, a person please, stop, start over, the ending.

Each action reads the tracker, asks `bot/` what it means, and says so to the visitor.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.answers import answer_or_pass, with_resource
from actions.reading import read_intent
from bot.conversation.booking import closing_follow_up
from bot.conversation.dialogue import CONTACT_SLOTS, QUESTION_SLOTS, closing
from bot.conversation.typed import TYPED_SLOT, slot_view
from bot.domain import STOPPED
from bot.storage import StorageError


class LanguageSwitched(Action):
    """Confirms a switch of language, unless the message only looked like one to the NLU (a
    company called "Academia Idiomas" given as a contact detail is read as the answer)."""

    def name(self) -> str:
        return "action_language_switched"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        text = str((tracker.latest_message or {}).get("text") or "")
        if read_intent(tracker, runtime.sla().languages, text) == "switch_language":
            dispatcher.utter_message(response="utter_language_switched")
        return []


class OutOfScope(Action):
    """Says we can't help with that, unless the message answered the pending question after all
    (the NLU took an unsure budget it had never seen for an off-topic request)."""

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        pending = str(tracker.get_slot("requested_slot") or "")
        answered = pending and runtime.set_this_turn(tracker, (pending,)) and tracker.get_slot(pending) is not None
        if not answered:
            dispatcher.utter_message(response="utter_out_of_scope")
        return []


class ExplainWhy(Action):
    """Answers "why do you ask?" with the SLA's reason for the pending question."""

    def name(self) -> str:
        return "action_explain_why"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        sla = runtime.sla()
        language = runtime.language(tracker)
        pending = tracker.get_slot("requested_slot") or _last_asked(tracker)
        question = sla.question(pending) if pending else None
        if question is None:
            question = sla.questions[0] if sla.questions else None
        if question is not None:
            dispatcher.utter_message(text=sla.text(question.why, language))
        return []


class PassQuestion(Action):
    """A question about the product: answered from the SLA's `product_answers` when it knows the
    topic for sure, else kept for sales (the visitor's own words) and acknowledged."""

    def name(self) -> str:
        return "action_pass_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        text = str((tracker.latest_message or {}).get("text") or "")
        questions = answer_or_pass(dispatcher, domain, tracker, text, runtime.language(tracker))
        if questions != (tracker.get_slot("visitor_questions") or []):
            await runtime.save_progress(tracker, {"visitor_questions": questions})  # the visitor may leave now
        return [SlotSet("visitor_questions", questions)]


class RequestHuman(Action):
    """Flags the lead as visitor-requested. The first request offers the questions still open,
    so the person who calls back knows what the visitor needs; asking again skips them and the
    form only collects contact details."""

    def name(self) -> str:
        return "action_request_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        sla = runtime.sla()
        view = slot_view(tracker.current_slot_values())
        open_questions = any(view.get(slot) is None for slot in sla.slots)
        offer = open_questions and not tracker.get_slot("human_requested") and not tracker.get_slot("tier")
        dispatcher.utter_message(response="utter_human_requested_questions" if offer else "utter_human_requested")
        events: list[EventType] = [SlotSet("human_requested", True), SlotSet("skip_questions", not offer)]
        if tracker.get_slot("tier"):  # finished before: hand off again with the contact we have
            events.append(SlotSet("tier", None))
        await runtime.save_progress(tracker, {"human_requested": True})
        return events


class Stop(Action):
    def name(self) -> str:
        return "action_stop"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(response="utter_stopped")
        if not tracker.get_slot("tier"):
            try:
                await runtime.finish(runtime.lead_snapshot(tracker), status=STOPPED, handoff=False)
            except StorageError:
                runtime.log.exception("could not store stopped lead %s", tracker.sender_id)
        return [ActiveLoop(None), SlotSet("requested_slot", None)]


class StartOver(Action):
    def name(self) -> str:
        return "action_start_over"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(response="utter_start_over")
        try:
            await asyncio.to_thread(runtime.store().reset, tracker.sender_id)
        except StorageError:
            runtime.log.exception("could not reset lead %s", tracker.sender_id)
        cleared = [*QUESTION_SLOTS, *CONTACT_SLOTS, TYPED_SLOT, "misses", "tier", "requested_slot", "clarifying"]
        cleared.append("clarified")
        return [SlotSet(slot, None) for slot in cleared] + [
            SlotSet("human_requested", False),
            SlotSet("skip_questions", False),
        ]


class Finish(Action):
    """Scores the conversation, stores the lead, hands it off if it qualifies, says goodbye."""

    def name(self) -> str:
        return "action_finish"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if tracker.get_slot("tier"):
            dispatcher.utter_message(response="utter_already_done")
            return []
        sla = runtime.sla()
        lead = runtime.lead_snapshot(tracker)
        human = bool(tracker.get_slot("human_requested"))
        consent = tracker.get_slot("contact_consent") is True and bool(tracker.get_slot("email"))
        tier = lead.score.tier
        close = closing(tier, human=human, consent=consent)
        lead, values = with_resource(lead, close)
        # Routed first: the booking link is the assignee's (or pool's) page, else the SLA's default.
        booking_url = await runtime.finish(lead, status=tier.value, handoff=close.handoff)
        follow_up = closing_follow_up(sla, lead, close.response, runtime.language(tracker), base_url=booking_url)
        dispatcher.utter_message(response=close.response, follow_up=follow_up, **values)
        return [SlotSet("tier", tier.value)]


def _last_asked(tracker: Tracker) -> str | None:
    for event in reversed(tracker.events):
        if event.get("event") == "slot" and event.get("name") == "requested_slot" and event.get("value"):
            return str(event["value"])
    return None
