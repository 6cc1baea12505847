"""Product questions and nurture resources through the real Rasa server and action server.

A visitor asking the price mid-form gets the SLA's answer and the pending question again; an
unknown question is passed on and listed by `leadbot report`; a nurture or disqualified lead is
offered the resource its `nurture_content` rule picks, in English and Spanish; and an edit of an
answer in the running assistant's sla.yml changes the very next reply.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from bot.cli import main
from bot.delivery import finish_lead
from bot.delivery.payload import export_object
from bot.ops.local import Stack
from bot.sla import load_sla
from bot.storage import LeadStore
from tests.conftest import ROOT, Visitor
from tests.integration.conftest import make_sla, make_snapshot
from tests.integration.test_spanish import asks

SLA = load_sla(ROOT / "sla.yml")
PRICING = SLA.product_answers.topics["pricing"].answer


def _cli(capsys: pytest.CaptureFixture[str], stack: Stack, *argv: str) -> str:
    capsys.readouterr()
    assert main(["--database-url", stack.database_url, *argv]) == 0
    return capsys.readouterr().out


def test_price_asked_on_the_budget_question_is_answered_then_the_budget_is_asked_again(
    stack: Stack, visitor: Visitor
) -> None:
    visitor.say_text("hi")
    assert asks(visitor.say_text("our SDRs waste half the day on junk demo requests"), "budget", "en")
    reply = visitor.say_text("what does pipewise cost?")
    assert PRICING["en"] in reply and asks(reply, "budget", "en"), reply
    assert reply.index(PRICING["en"]) < reply.lower().index("what budget"), reply  # the answer, then the question
    assert "pass it on" not in reply and "understand" not in reply, reply
    assert asks(visitor.say_text("about 20k a year"), "role", "en")
    assert not visitor.slots()["visitor_questions"]  # answered: nothing left for sales to answer


def test_spanish_visitor_asking_the_price_gets_it_in_spanish(stack: Stack, visitor: Visitor) -> None:
    visitor.say_text("Hola, buenas")
    assert asks(visitor.say_text("los comerciales pierden horas cada semana con leads malos"), "budget")
    reply = visitor.say_text("¿y cuánto cuesta vuestra herramienta?")
    assert PRICING["es"] in reply and asks(reply, "budget"), reply
    assert reply.index(PRICING["es"]) < reply.lower().index("con qué presupuesto"), reply


def test_unknown_question_is_passed_on_and_listed_by_the_report(
    stack: Stack, make_visitor: object, capsys: pytest.CaptureFixture[str]
) -> None:
    office = f"do you have an office in Lisbon {uuid.uuid4().hex[:6]}?"
    first = make_visitor()  # type: ignore[operator]
    first.say_text("hi")
    reply = first.say_text(office)
    assert "pass it on" in reply and asks(reply, "need", "en"), reply
    second = make_visitor()  # type: ignore[operator]
    second.say_text("hi")
    second.say_text(office.upper().rstrip("?"))  # the same question, typed differently
    assert first.lead().visitor_questions == (office,)

    out = _cli(capsys, stack, "report", "--follow-up-minutes", "60")
    listed = out.split("Questions the assistant could not answer", 1)[1]
    assert f"2 × {office}" in listed or f"2 × {office.upper().rstrip('?')}" in listed, out


def _closing(visitor: Visitor, answers: list[str]) -> str:
    for answer in answers[:-1]:
        visitor.say_text(answer)
    return visitor.say_text(answers[-1])


@pytest.mark.parametrize(
    ("answers", "tier", "url"),
    [
        (  # a real problem, no budget yet: the business case (rule 1)
            ["hi", "our reps waste hours chasing bad leads", "not decided yet", "I'm a marketing manager",
             "in 9 months"],
            "nurture",
            "https://pipewise.example/business-case",
        ),
        (
            ["Hola", "los comerciales pierden horas con leads malos", "aún no lo sabemos", "soy jefa de marketing",
             "en unos 9 meses"],
            "nurture",
            "https://pipewise.example/caso-de-negocio",
        ),
        (  # curious, no budget: the guide (rule 2)
            ["hey", "just curious, exploring options", "not decided yet", "I'm a marketing manager", "in 4 months"],
            "nurture",
            "https://pipewise.example/guide",
        ),
        (  # a student: the academy (rule 3), in Spanish
            ["Hola, buenas", "soy estudiante y hago un trabajo de clase sobre leads", "no tengo presupuesto",
             "becario", "sin planes"],
            "disqualified",
            "https://pipewise.example/academia",
        ),
    ],
    ids=["en-pain-no-budget", "es-pain-no-budget", "en-curious", "es-student"],
)  # fmt: skip
def test_closing_offers_the_resource_its_rule_picks_and_stores_it(
    stack: Stack, visitor: Visitor, capsys: pytest.CaptureFixture[str], answers: list[str], tier: str, url: str
) -> None:
    closing = _closing(visitor, answers)
    assert url in closing and "{resource}" not in closing, closing
    stored = visitor.lead()
    assert stored.tier == tier and stored.resource is not None and stored.resource["url"] == url
    assert stored.resource["title"] in closing

    shown = _cli(capsys, stack, "leads", "show", visitor.sender)
    assert f"Resource offered: {stored.resource['title']} – {url}" in shown, shown
    exported = json.loads(_cli(capsys, stack, "export", "--format", "json"))
    mine = next(o for o in exported if o["conversation_id"] == visitor.sender)
    assert mine["resource"]["url"] == url and mine["tier"] == tier


def test_edited_answer_in_the_running_assistants_sla_changes_the_next_reply(stack: Stack, sla_file: Path) -> None:
    visitor = Visitor(stack)
    visitor.say_text("hi")
    assert PRICING["en"] in visitor.say_text("what does pipewise cost?")
    edited = "Pipewise costs from €4,800 a year, billed yearly (edited by marketing)."
    sla_file.write_text(sla_file.read_text().replace(PRICING["en"], edited))
    reply = visitor.say_text("and what's the price of enterprise?")
    assert edited in reply and asks(reply, "need", "en"), reply


def test_resource_and_unanswered_questions_are_stored_and_reported(store: LeadStore) -> None:
    resource = {"title": "Our blog on lead management", "url": "https://pipewise.example/blog", "rule": None}
    first = replace(make_snapshot(status="nurture", total=55), resource=resource, visitor_questions=("¿Tenéis API?",))
    second = replace(make_snapshot(status="nurture", total=50), visitor_questions=("teneis api", "Are you hiring?"))
    for snapshot in (first, second):
        finish_lead(store, snapshot, sla=make_sla(), handoff=False)
    stored = store.get(first.conversation_id)
    assert stored is not None and stored.resource == resource
    assert export_object(stored)["resource"] == resource
    assert store.report().unanswered_questions == (("¿Tenéis API?", 2), ("Are you hiring?", 1))
