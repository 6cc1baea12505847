"""What the assistant says besides its questions: product answers, and the closing resource.

Both come from sla.yml (`product_answers`, `nurture_content`), so marketing's edits need no retraining.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from bot.conversation.dialogue import Closing, remember_question
from bot.conversation.product import answer_question, closing_resource
from bot.domain import LeadSnapshot

# The closings that offer something to read (their domain texts hold `{resource}`).
RESOURCE_CLOSES = frozenset({"utter_close_nurture", "utter_close_disqualified"})


def answer_or_pass(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], tracker: Tracker, question: str, language: str
) -> list[str]:
    """Answer a visitor's question from the SLA, or pass it on to sales; the visitor_questions
    slot's new value (an answered question is not one for sales to answer)."""
    reply = answer_question(question, runtime.sla(), language)
    if reply is not None:
        runtime.log.info("%s: answered a question about %s (%.2f)", tracker.sender_id, reply.topic, reply.confidence)
        dispatcher.utter_message(text=reply.text)
        return [str(q) for q in tracker.get_slot("visitor_questions") or ()]
    runtime.say(dispatcher, domain, "utter_question_passed", language)
    return remember_question(tracker.get_slot("visitor_questions"), question)


def with_resource(lead: LeadSnapshot, close: Closing) -> tuple[LeadSnapshot, dict[str, str]]:
    """The lead with the resource its closing offers (stored with it), and the values the
    closing response is filled with."""
    if close.response not in RESOURCE_CLOSES:
        return replace(lead, resource=None), {}
    resource = closing_resource(runtime.sla(), lead.score.tier.value, lead.language, lead.answers)
    if resource is None:
        return replace(lead, resource=None), {"resource": ""}
    return replace(lead, resource=resource.as_record()), {"resource": resource.text}
