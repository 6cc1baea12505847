"""Spanish visitors, whole conversations over REST: qualified as well as English ones.

Each test talks like a visitor from Spain or Latin America would and checks the language of
every reply, the tier, and the values the parsers stored; two switch language midway.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.ops.local import Stack
from bot.sla import load_sla
from bot.storage import LeadStore
from tests.conftest import ROOT, Visitor

SLA = load_sla(ROOT / "sla.yml")

# A phrase only the question for that slot contains, per language ("email" and "empresa"
# alone would also match the consent and role questions).
QUESTIONS = {
    "es": {
        "need": "qué problema quieres resolver",
        "budget": "con qué presupuesto",
        "role": "cuál es tu puesto",
        "timing": "para cuándo",
        "name": "cómo te llamas",
        "email": "en qué email",
        "company": "en qué empresa",
        "contact_consent": "que te escriba a ese email",
    },
    "en": {
        "need": "what problem",
        "budget": "what budget",
        "role": "your role",
        "timing": "when would you like",
        "name": "your name",
        "email": "best email",
        "company": "which company",
        "contact_consent": "contact you",
    },
}


def asks(reply: str, slot: str, language: str = "es") -> bool:
    return QUESTIONS[language][slot] in reply.lower()


def answer_contact(visitor: Visitor, consent: str = "sí, claro") -> str:
    assert asks(visitor.say_text("Lucía Fernández"), "email")
    assert asks(visitor.say_text("lucia.fernandez@ventas-iberia.es"), "company")
    assert asks(visitor.say_text("Ventas Iberia SL"), "contact_consent")
    return visitor.say_text(consent)


def test_spanish_lead_who_answers_everything_well_is_handed_to_sales(stack: Stack, visitor: Visitor) -> None:
    greeting = visitor.say_text("Hola, buenas tardes")
    assert "soy el asistente de pipewise" in greeting.lower() and asks(greeting, "need"), greeting
    assert asks(visitor.say_text("los comerciales pierden horas cada semana con leads malos"), "budget")
    assert asks(visitor.say_text("unos 20k al año"), "role")
    assert asks(visitor.say_text("VP de ventas"), "timing")
    assert asks(visitor.say_text("el próximo trimestre"), "name")
    closing = answer_contact(visitor)

    assert "equipo comercial" in closing and "1 hora laborable" in closing, closing
    stored = visitor.lead()
    assert stored.language == "es"
    assert stored.tier == "sales_ready" and stored.score == 100
    assert stored.answers["need"].value == "pain"
    assert stored.answers["budget"].value == pytest.approx(20000)
    assert stored.answers["role"].value == "decision_maker"
    assert stored.answers["timing"].value <= 3
    assert stored.handed_off and stored.contact and stored.contact.company == "Ventas Iberia SL"
    assert stored.contact.email == "lucia.fernandez@ventas-iberia.es"
    # routing.yml sends Spanish-speaking visitors to the Spanish pool; the Slack message mentions the rep.
    routed = LeadStore(stack.database_url).assignment(stored.id)
    assert routed is not None and routed.assignee.pool == "spanish", routed
    assert stored.handoff is not None and stored.handoff.payload["assignee"]["pool"] == "spanish"
    mention = f"<@{routed.assignee.slack_user_id}>"
    assert str(stored.handoff.payload["summary_markdown"]).startswith(mention)


def test_monthly_budget_in_euros_is_annualised(stack: Stack, visitor: Visitor) -> None:
    assert asks(visitor.say_text("Buenos días, tenemos problemas con los leads que nos llegan de la web"), "budget")
    assert asks(visitor.say_text("2.000 € al mes"), "role")
    assert asks(visitor.say_text("soy la directora comercial"), "timing")
    assert asks(visitor.say_text("lo antes posible"), "name")
    stored = visitor.lead()
    assert stored.language == "es"
    assert stored.answers["budget"].value == pytest.approx(24000)
    assert stored.answers["role"].value == "decision_maker"
    assert stored.answers["timing"].value <= 3


def test_curious_manager_without_budget_is_sent_the_guide(stack: Stack, visitor: Visitor) -> None:
    visitor.say_text("Hola, buenas")
    assert asks(visitor.say_text("solo por curiosidad, estamos explorando opciones"), "budget")
    assert asks(visitor.say_text("aún no lo sabemos"), "role")
    assert asks(visitor.say_text("soy jefa de marketing"), "timing")
    closing = visitor.say_text("en unos 4 meses")

    assert "guía" in closing and "https://pipewise.example/guia" in closing, closing
    assert not asks(closing, "name")
    stored = visitor.lead()
    assert stored.language == "es" and stored.tier == "nurture"
    assert stored.answers["need"].value == "interest"
    assert stored.answers["budget"].kind == "undecided"
    assert stored.answers["role"].value == "influencer"
    assert not stored.handed_off and stored.contact is None


def test_student_intern_is_knocked_out_and_closed_politely(stack: Stack, visitor: Visitor) -> None:
    visitor.say_text("Hola, buenas tardes")
    # A final-year project says who is writing: a student, so the role question is not asked.
    assert asks(visitor.say_text("es para mi trabajo de fin de grado"), "budget")
    assert asks(visitor.say_text("no tenemos presupuesto"), "timing")
    closing = visitor.say_text("sin planes")

    assert "gracias por tu tiempo" in closing.lower(), closing
    stored = visitor.lead()
    assert stored.language == "es" and stored.tier == "disqualified"
    assert stored.answers["role"].value == "no_authority"
    assert stored.knocked_out_by in {"need", "role"}
    assert not stored.handed_off


def test_four_answers_volunteered_in_one_opener_skip_to_contact_details(stack: Stack, visitor: Visitor) -> None:
    reply = visitor.say_text(
        "Hola, soy la directora comercial de Acme, perdemos mucho tiempo con leads de mala calidad, "
        "tenemos unos 2.000 € al mes y queremos algo funcionando el próximo trimestre"
    )
    assert asks(reply, "name"), reply
    stored = visitor.lead()
    assert stored.language == "es"
    assert stored.answers["need"].value == "pain"
    assert stored.answers["budget"].value == pytest.approx(24000)
    assert stored.answers["role"].value == "decision_maker"
    assert stored.answers["timing"].value <= 3
    closing = answer_contact(visitor)
    assert "equipo comercial" in closing
    assert visitor.lead().tier == "sales_ready"


def test_budget_correction_is_confirmed_in_spanish(stack: Stack, visitor: Visitor) -> None:
    visitor.say_text("Hola, buenas tardes")
    visitor.say_text("nuestros comerciales pierden el tiempo con leads sin cualificar")
    assert asks(visitor.say_text("3.000 € al año"), "role")
    reply = visitor.say_text("en realidad el presupuesto es de 50.000 €")

    assert "actualizado" in reply and "presupuesto" in reply, reply
    assert asks(reply, "role"), reply
    assert visitor.lead().answers["budget"].value == pytest.approx(50000)
    visitor.say_text("director general")
    assert asks(visitor.say_text("el mes que viene"), "name")
    assert visitor.lead().tier == "sales_ready"


def test_why_do_you_ask_gets_the_spanish_reason_and_the_question_again(stack: Stack, visitor: Visitor) -> None:
    visitor.say_text("Hola, buenas tardes")
    assert asks(visitor.say_text("se nos enfrían los leads porque tardamos días en responder"), "budget")
    reply = visitor.say_text("¿por qué lo preguntas?")

    assert SLA.text(SLA.question("budget").why, "es") in reply, reply  # type: ignore[union-attr]
    assert asks(reply, "budget"), reply
    assert visitor.slots()["budget"] is None
    assert asks(visitor.say_text("unos 20k al año"), "role")


def test_asking_for_a_person_collects_contact_and_hands_off(stack: Stack, visitor: Visitor) -> None:
    visitor.say_text("Hola, buenas tardes")
    visitor.say_text("necesitamos ayuda para priorizar leads")
    reply = visitor.say_text("quiero hablar con una persona")
    assert "una persona de nuestro equipo comercial" in reply.lower() and asks(reply, "budget"), reply
    reply = visitor.say_text("pásame ya")
    assert asks(reply, "name"), reply
    closing = answer_contact(visitor)
    assert "una persona de nuestro equipo comercial tiene tu petición" in closing.lower(), closing
    stored = visitor.lead()
    assert stored.language == "es" and stored.human_requested and stored.handed_off
    assert stored.answers["need"].raw == "necesitamos ayuda para priorizar leads"


def test_out_of_scope_question_mid_form_is_declined_and_the_form_continues(stack: Stack, visitor: Visitor) -> None:
    visitor.say_text("Hola, buenas tardes")
    assert asks(visitor.say_text("tenemos el crm hecho un caos y perdemos oportunidades"), "budget")
    reply = visitor.say_text("¿cuál es la capital de Francia?")

    assert "no puedo ayudarte" in reply and asks(reply, "budget"), reply
    assert visitor.slots()["budget"] is None
    assert asks(visitor.say_text("unos 15.000 euros al año"), "role")
    assert visitor.lead().answers["budget"].value == pytest.approx(15000)


def test_english_visitor_who_asks_for_spanish_continues_in_spanish(stack: Stack, visitor: Visitor) -> None:
    visitor.say_text("hello")
    assert asks(visitor.say_text("our sales reps waste hours on bad leads"), "budget", "en")
    reply = visitor.say_text("¿puedes hablar en español?")

    assert "seguimos en español" in reply and asks(reply, "budget"), reply
    assert not asks(reply, "budget", "en")
    assert asks(visitor.say_text("unos 20k al año"), "role")
    assert asks(visitor.say_text("VP de ventas"), "timing")
    assert asks(visitor.say_text("next quarter"), "name")  # an English answer keeps Spanish
    stored = visitor.lead()
    assert stored.language == "es"
    assert stored.answers["budget"].value == pytest.approx(20000)
    assert visitor.slots()["language"] == "es"


def test_spanish_visitor_who_asks_for_english_continues_in_english(stack: Stack, visitor: Visitor) -> None:
    assert asks(visitor.say_text("Hola, necesitamos cualificar mejor los leads de la web"), "budget")
    assert asks(visitor.say_text("unos 20k al año"), "role")
    reply = visitor.say_text("English please")

    assert "continue in english" in reply.lower() and asks(reply, "role", "en"), reply
    assert not asks(reply, "role")
    assert asks(visitor.say_text("I'm the head of sales"), "timing", "en")
    closing_question = visitor.say_text("next quarter")
    assert asks(closing_question, "name", "en"), closing_question
    stored = visitor.lead()
    assert stored.language == "en"
    assert stored.answers["role"].value == "decision_maker"
    assert visitor.slots()["language"] == "en"


def test_spanish_page_metadata_answers_a_bare_greeting_in_spanish(stack: Stack, make_visitor: Any) -> None:
    visitor = make_visitor({"language": "es"})
    reply = visitor.say_text("hola")
    assert "soy el asistente de pipewise" in reply.lower() and asks(reply, "need"), reply
    assert visitor.slots()["language"] == "es"


def test_bare_hola_without_page_metadata_is_answered_in_spanish(stack: Stack, visitor: Visitor) -> None:
    reply = visitor.say_text("hola")
    assert "soy el asistente de pipewise" in reply.lower() and asks(reply, "need"), reply


def test_saying_i_do_not_speak_english_keeps_the_conversation_in_spanish(stack: Stack, visitor: Visitor) -> None:
    visitor.say_text("Hola, buenas tardes")
    assert asks(visitor.say_text("los comerciales pierden horas con leads malos"), "budget")
    reply = visitor.say_text("no hablo inglés")
    assert asks(reply, "budget") and not asks(reply, "budget", "en"), reply
    assert visitor.slots()["language"] == "es"


def test_hola_after_the_widgets_opener_on_an_english_page_switches_without_a_second_introduction(
    stack: Stack, make_visitor: Any
) -> None:
    visitor = make_visitor({"language": "en"})
    assert asks(visitor.say_text("hi"), "need", "en")  # the widget's hidden opener
    reply = visitor.say_text("hola")
    assert asks(reply, "need") and "soy el asistente" not in reply.lower(), reply
    assert visitor.slots()["language"] == "es"


def test_after_a_spanish_sentence_an_english_title_does_not_switch_back(stack: Stack, make_visitor: Any) -> None:
    visitor = make_visitor({"language": "en"})
    visitor.say_text("hi")
    assert asks(visitor.say_text("los comerciales tardan días en llamar a los leads"), "budget")
    assert asks(visitor.say_text("unos 2.000 al mes"), "role")
    reply = visitor.say_text("Head of Sales")
    assert asks(reply, "timing") and not asks(reply, "timing", "en"), reply
