"""Whole conversations through the real Rasa server and action server, over REST.

Each test talks like a visitor would and checks what they see, the tracker, and the stored lead.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.ops.local import Stack
from tests.conftest import Visitor

QUESTIONS = {
    "need": "problem",
    "budget": "budget",
    "role": "role",
    "timing": "when",
    "name": "name",
    "email": "email",
    "company": "company",
    "contact_consent": "contact you",
}


def asks(reply: str, slot: str) -> bool:
    return QUESTIONS[slot] in reply.lower()


def answer_contact(visitor: Visitor, consent: str = "yes") -> str:
    assert asks(visitor.say_text("Ana García"), "email")
    assert asks(visitor.say_text("ana.garcia@acme-corp.com"), "company")
    assert asks(visitor.say_text("Acme Corp"), "contact_consent")
    return visitor.say_text(consent)


def test_visitor_who_answers_everything_well_is_handed_to_sales(stack: Stack, visitor: Visitor) -> None:
    assert asks(visitor.say_text("hello"), "need")
    assert asks(visitor.say_text("our sales reps waste hours every week on bad leads"), "budget")
    assert asks(visitor.say_text("around 20k a year"), "role")
    assert asks(visitor.say_text("VP of Sales"), "timing")
    assert asks(visitor.say_text("next quarter"), "name")
    closing = answer_contact(visitor)

    assert "sales team" in closing and "1 business hour" in closing
    slots = visitor.slots()
    assert slots["need"].startswith("our sales reps") and slots["budget"] == "around 20k a year"
    assert slots["tier"] == "sales_ready" and slots["email"] == "ana.garcia@acme-corp.com"
    stored = visitor.lead()
    assert stored.tier == "sales_ready" and stored.score == 100
    assert stored.answers["budget"].value == pytest.approx(20000)
    assert stored.answers["role"].value == "decision_maker"
    assert stored.answers["timing"].value <= 3
    assert stored.handed_off and stored.contact and stored.contact.company == "Acme Corp"


def test_opener_with_four_answers_skips_straight_to_contact_details(stack: Stack, visitor: Visitor) -> None:
    reply = visitor.say_text(
        "Hi, I'm the CTO at Acme, our reps waste hours on bad leads, "
        "we have about 30k a year and want something live next quarter"
    )
    assert asks(reply, "name"), reply
    slots = visitor.slots()
    assert all(slots[s] for s in ("need", "budget", "role", "timing"))
    stored = visitor.lead()
    assert stored.answers["budget"].value == pytest.approx(30000)
    assert stored.answers["role"].value == "decision_maker"


def test_two_volunteered_answers_are_not_asked_again(stack: Stack, visitor: Visitor) -> None:
    visitor.say_text("hi")
    reply = visitor.say_text("we lose deals because marketing and sales disagree on leads, I'm the head of sales")
    assert asks(reply, "budget"), reply
    assert asks(visitor.say_text("50k"), "timing")
    assert visitor.slots()["role"]


def test_interested_manager_without_budget_is_nurtured(stack: Stack, visitor: Visitor) -> None:
    visitor.say_text("hey")
    visitor.say_text("just curious, exploring options")
    visitor.say_text("not decided yet")
    visitor.say_text("I'm a marketing manager")
    closing = visitor.say_text("in 4 months")
    assert "guide" in closing
    assert not asks(closing, "name")
    stored = visitor.lead()
    assert stored.tier == "nurture" and not stored.handed_off
    assert stored.contact is None


def test_student_is_knocked_out_and_closed_politely(stack: Stack, visitor: Visitor) -> None:
    visitor.say_text("hello")
    visitor.say_text("I'm a student doing homework on lead scoring")
    visitor.say_text("no budget")
    visitor.say_text("intern")
    closing = visitor.say_text("no plans")
    assert "thanks for your time" in closing.lower()
    stored = visitor.lead()
    assert stored.tier == "disqualified" and stored.knocked_out_by in {"need", "role"}


def test_budget_correction_updates_value_and_score(stack: Stack, visitor: Visitor) -> None:
    visitor.say_text("hi")
    visitor.say_text("our reps waste time on unqualified leads")
    visitor.say_text("3k a year")
    reply = visitor.say_text("actually our budget is 50k")
    assert "updated" in reply.lower() and "budget" in reply.lower(), reply
    assert asks(reply, "role")
    assert visitor.lead().answers["budget"].value == pytest.approx(50000)
    visitor.say_text("CEO")
    assert asks(visitor.say_text("asap"), "name")


def test_role_correction_mid_form_is_confirmed(stack: Stack, visitor: Visitor) -> None:
    visitor.say_text("hi")
    visitor.say_text("we can't tell which leads are worth calling")
    visitor.say_text("15k per year")
    visitor.say_text("I'm the CEO")
    reply = visitor.say_text("I'm not the CEO, I'm his assistant")
    assert "updated" in reply.lower(), reply
    assert visitor.lead().answers["role"].value == "individual"


def test_why_do_you_ask_explains_and_repeats_the_question(stack: Stack, visitor: Visitor) -> None:
    visitor.say_text("hi")
    visitor.say_text("bad leads are killing our conversion rate")
    reply = visitor.say_text("why do you ask?")
    assert "plans start at different price points" in reply
    assert asks(reply, "budget")
    assert visitor.slots()["budget"] is None


def test_buttons_answer_the_question(stack: Stack, visitor: Visitor) -> None:
    visitor.say_text("hello")
    reply = visitor.say_text("our pipeline is full of junk leads")
    assert asks(reply, "budget")
    assert asks(visitor.click("Over"), "role")
    assert visitor.lead().answers["budget"].value == pytest.approx(20000)


def test_unclear_answer_is_reasked_once_with_a_hint_then_skipped(stack: Stack, visitor: Visitor) -> None:
    visitor.say_text("hi")
    visitor.say_text("our reps waste hours on bad leads")
    first = visitor.say_text("bananas")
    assert "e.g." in first and asks(first, "budget"), first
    second = visitor.say_text("purple")
    assert asks(second, "role"), second
    stored = visitor.lead()
    assert stored.answers["budget"].kind == "unknown"


def test_asking_for_a_person_collects_contact_and_hands_off(stack: Stack, visitor: Visitor) -> None:
    visitor.say_text("hi")
    visitor.say_text("we need help with lead qualification")
    reply = visitor.say_text("can I talk to a real person?")
    assert "person" in reply.lower() and asks(reply, "budget"), reply  # the open questions first...
    reply = visitor.say_text("connect me now")
    assert asks(reply, "name"), reply  # ...unless the visitor would rather skip them
    closing = answer_contact(visitor)
    assert "sales team" in closing
    stored = visitor.lead()
    assert stored.human_requested and stored.handed_off
    assert stored.answers["need"].raw == "we need help with lead qualification"


def test_a_visitor_who_asks_for_a_person_and_answers_the_questions_is_handed_off_qualified(
    stack: Stack, visitor: Visitor
) -> None:
    visitor.say_text("hi")
    reply = visitor.say_text("Can I talk to a person?")
    assert asks(reply, "need"), reply
    visitor.say_text("our SDRs waste half the day on junk demo requests")
    visitor.say_text("about 20k a year")
    visitor.say_text("I'm the head of sales")
    reply = visitor.say_text("this quarter")
    assert asks(reply, "name"), reply
    closing = answer_contact(visitor)
    assert "sales team" in closing
    stored = visitor.lead()
    assert stored.human_requested and stored.handed_off and stored.tier == "sales_ready"
    assert stored.answers["role"].value == "decision_maker"


def test_announcing_a_question_is_invited_with_no_misunderstanding(stack: Stack, visitor: Visitor) -> None:
    visitor.say_text("hi")
    reply = visitor.say_text("hi, a couple of questions first")
    assert "go ahead" in reply and asks(reply, "need"), reply
    assert "understand" not in reply, reply
    reply = visitor.say_text("our SDRs waste half the day on junk demo requests")
    assert asks(reply, "budget"), reply


def test_a_question_to_us_is_passed_on_and_reaches_the_rep_in_the_summary(stack: Stack, visitor: Visitor) -> None:
    visitor.say_text("hi")
    # A question product_answers in sla.yml has no topic for (pricing, integrations... are answered).
    reply = visitor.say_text("do you have an office in Lisbon?")
    assert "pass it on" in reply and asks(reply, "need"), reply
    assert "understand" not in reply, reply  # passed on, not also "Sorry, I didn't understand"
    visitor.say_text("our SDRs waste half the day on junk demo requests")
    visitor.say_text("about 20k a year")
    visitor.say_text("I'm the head of sales")
    visitor.say_text("this quarter")
    answer_contact(visitor)
    stored = visitor.lead()
    assert stored.visitor_questions == ("do you have an office in Lisbon?",)
    assert "do you have an office in Lisbon?" in (stored.summary or "")


def test_stop_ends_the_conversation_and_keeps_answers(stack: Stack, visitor: Visitor) -> None:
    visitor.say_text("hi")
    visitor.say_text("our reps waste hours on bad leads")
    reply = visitor.say_text("stop")
    assert "stop here" in reply.lower()
    assert visitor.slots()["requested_slot"] is None
    stored = visitor.lead()
    assert stored.status == "stopped" and stored.answers["need"].kind == "value"


def test_start_over_clears_answers_and_asks_from_the_top(stack: Stack, visitor: Visitor) -> None:
    visitor.say_text("hi")
    visitor.say_text("our reps waste hours on bad leads")
    visitor.say_text("10k")
    reply = visitor.say_text("start over")
    assert asks(reply, "need"), reply
    slots = visitor.slots()
    assert slots["need"] is None and slots["budget"] is None


def test_digressions_get_a_short_answer_and_the_form_continues(stack: Stack, visitor: Visitor) -> None:
    visitor.say_text("hi")
    for message in ("are you a bot?", "what's the capital of France?", "asdfghjkl", "tell me a joke"):
        reply = visitor.say_text(message)
        assert asks(reply, "need"), (message, reply)
    assert visitor.slots()["need"] is None


HOSTILE = [
    "",
    "x" * 10_000,
    "🙂🙂🙂🚀",
    "<script>alert('x')</script>",
    "'; DROP TABLE leads; --",
    "\x00\x01\x02\ufffd\ud7ff binary",
    "我们需要更好的潜在客户",
]


@pytest.mark.parametrize("message", HOSTILE, ids=["empty", "10k", "emoji", "script", "sql", "binary", "chinese"])
def test_hostile_input_gets_a_reply_and_keeps_the_conversation(stack: Stack, visitor: Visitor, message: str) -> None:
    visitor.say_text("hi")
    visitor.say_text("our reps waste hours on bad leads")
    visitor.say(message)
    visitor.say(message)
    slots = visitor.slots()
    assert slots["need"] == "our reps waste hours on bad leads"
    reply = visitor.say_text("20k a year")
    assert asks(reply, "role") or asks(reply, "budget"), reply


def test_spanish_visitor_is_answered_in_spanish(stack: Stack, visitor: Visitor) -> None:
    reply = visitor.say_text("Hola, necesitamos cualificar mejor los leads de la web")
    assert "presupuesto" in reply.lower(), reply
    visitor.say_text("unos 2.000 € al mes")
    visitor.say_text("soy la directora comercial")
    reply = visitor.say_text("el próximo trimestre")
    assert "llamas" in reply.lower(), reply
    stored = visitor.lead()
    assert stored.language == "es"
    assert stored.answers["budget"].value == pytest.approx(24000)
    assert stored.answers["role"].value == "decision_maker"


def test_page_context_is_stored_with_the_lead(stack: Stack, make_visitor: Any) -> None:
    metadata = {
        "language": "en",
        "page": {"url": "http://site/pricing.html?utm_source=newsletter", "path": "/pricing.html", "title": "Pricing"},
        "utm": {"utm_source": "newsletter", "utm_campaign": "q4"},
        "pages": [{"path": "/index.html", "title": "Home", "seconds": 12}, {"path": "/pricing.html", "seconds": 3}],
    }
    visitor = make_visitor(metadata)
    visitor.say_text("hi")
    visitor.say_text("our reps waste hours on bad leads")
    stored = visitor.lead()
    assert stored.page_context["utm"]["utm_source"] == "newsletter"
    assert [p["path"] for p in stored.page_context["pages"]] == ["/index.html", "/pricing.html"]


def test_a_late_budget_correction_that_makes_the_lead_sales_ready_collects_contact_and_hands_off(
    stack: Stack, visitor: Visitor
) -> None:
    visitor.say_text("hello")
    visitor.say_text("our sales reps waste hours every week on bad leads")
    visitor.say_text("about 1,500")  # a year: 0 points
    visitor.say_text("I'm the sales manager")
    closing = visitor.say_text("within 2 months")
    assert "guide" in closing.lower(), closing  # nurture close
    assert visitor.lead().tier == "nurture"

    reply = visitor.say_text("oh wait, that 1,500 is per month, not per year")
    assert "€1,500 a month, about €18,000 a year" in reply and asks(reply, "name"), reply
    closing = answer_contact(visitor)
    assert "sales team" in closing
    stored = visitor.lead()
    assert stored.tier == "sales_ready" and stored.status == "sales_ready" and stored.handed_off
    assert stored.answers["budget"].value == pytest.approx(18000)
    assert "Sales-ready" in (stored.summary or "") and "Nurture" not in (stored.summary or "")


def test_a_late_correction_that_drops_below_sales_ready_cancels_the_queued_handoff(
    stack: Stack, visitor: Visitor
) -> None:
    visitor.say_text("hello")
    visitor.say_text("our sales reps waste hours every week on bad leads")
    visitor.say_text("around 20k a year")
    visitor.say_text("VP of Sales")
    visitor.say_text("next quarter")
    answer_contact(visitor)
    assert visitor.lead().handed_off

    reply = visitor.say_text("sorry, I wasn't honest: I'm actually an intern, not the VP")
    stored = visitor.lead()
    assert stored.tier == "disqualified" and stored.status == "disqualified" and not stored.handed_off, reply
    assert "role" in reply.lower() and "sales team" not in reply.lower()


@pytest.mark.parametrize("metadata", ["a string", 42, ["a", "list"], True], ids=["str", "int", "list", "bool"])
def test_metadata_that_is_not_an_object_loses_no_message(stack: Stack, visitor: Visitor, metadata: Any) -> None:
    visitor.metadata = metadata
    visitor.say_text("hi")
    reply = visitor.say_text("our reps waste hours on bad leads")
    assert asks(reply, "budget"), reply
    assert visitor.slots()["need"] == "our reps waste hours on bad leads"
