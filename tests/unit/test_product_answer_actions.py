"""The actions that answer product questions and offer the closing resource, with rasa_sdk's
Tracker and CollectingDispatcher (the wiring; the matching is tested in test_product_answers)."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.flow import Finish, PassQuestion
from actions.form import ValidateQualificationForm
from actions.reading import ReadMessage
from bot.sla import load_sla
from bot.storage import LeadStore
from tests.unit.test_actions import DOMAIN, ROOT, database, run, run_async, slot_sets, tracker

__all__ = ["database"]  # the autouse fixture: a fresh database and the shipped SLA per test
PRICING = load_sla(ROOT / "sla.yml").product_answers.topics["pricing"].answer


def test_a_price_question_read_on_the_budget_question_is_answered_and_the_form_carries_on() -> None:
    slots = {"requested_slot": "budget", "need": "our reps waste hours on bad leads", "language": "en"}
    read = tracker("so what does pipewise cost?", intent="nlu_fallback", slots=slots)
    events, dispatcher = run(ReadMessage(), read)
    assert [m.get("text") for m in dispatcher.messages] == [PRICING["en"]]
    assert slot_sets(events)["visitor_questions"] == [] and slot_sets(events).get("budget") is None
    read.events.extend(events)
    validation = run_async(ValidateQualificationForm().get_validation_events(CollectingDispatcher(), read, DOMAIN))
    assert [e["name"] for e in validation] == ["visitor_questions"]  # the form asks the budget again


@pytest.mark.parametrize(
    ("text", "language", "answered"),
    [
        ("cuánto cuesta al año?", "es", PRICING["es"]),
        ("do you have an office in Lisbon?", "en", None),
    ],
)
def test_a_product_question_from_the_nlu_is_answered_or_passed_on(text: str, language: str, answered: str) -> None:
    asked = ["can I pay by invoice?"]
    slots = {"requested_slot": "budget", "language": language, "visitor_questions": asked}
    events, dispatcher = run(PassQuestion(), tracker(text, intent="ask_product", slots=slots))
    said = dispatcher.messages[0]["text"]
    if answered:
        assert said == answered and slot_sets(events)["visitor_questions"] == asked
    else:
        assert "pass it on" in said and slot_sets(events)["visitor_questions"] == [*asked, text]


def test_a_nurture_close_names_and_stores_its_resource(database: str) -> None:
    slots = {
        "need": "our reps waste hours chasing bad leads",
        "budget": "not decided yet",
        "role": "I'm a marketing manager",
        "timing": "in 9 months",
        "language": "es",
    }
    events, dispatcher = run(Finish(), tracker("en 9 meses", slots=slots))
    message = dispatcher.messages[0]
    assert message["response"] == "utter_close_nurture"
    assert message["resource"].endswith("https://pipewise.example/caso-de-negocio")
    lead = LeadStore(database).get("visitor-1")
    assert lead is not None and lead.tier == "nurture" and slot_sets(events)["tier"] == "nurture"
    assert lead.resource == {
        "title": "Cómo justificar la inversión en cualificación de leads",
        "url": "https://pipewise.example/caso-de-negocio",
        "rule": 0,
    }
