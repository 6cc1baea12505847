"""Criteria marketing declares in sla.yml, through the real Rasa server and action server.

Each test puts one of the example SLAs (examples/) in the running assistant's SLA file, as a
marketer would, and talks to it over REST: no domain edit, no retraining, no restart.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.ops.local import Stack
from tests.conftest import ROOT, Visitor

SAAS = ROOT / "examples" / "saas-b2b.yml"
REFORMAS = ROOT / "examples" / "reformas-oficinas.yml"


def _installed(example: Path) -> str:
    # The examples name the shipped training files from examples/; the stack's copy of the SLA
    # sits beside a `training` link instead.
    return example.read_text().replace("../training/", "training/")


@pytest.fixture
def saas(sla_file: Path) -> Path:
    sla_file.write_text(_installed(SAAS))
    return sla_file


@pytest.fixture
def reformas(sla_file: Path) -> Path:
    sla_file.write_text(_installed(REFORMAS))
    return sla_file


def _export(stack: Stack, sender: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bot", "export", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
        env={**stack.env(), "LEADBOT_SLA": stack.sla_path},
    ).stdout
    return next(lead for lead in json.loads(out) if lead["conversation_id"] == sender)


def test_saas_questions_are_asked_read_and_scored_in_free_text(stack: Stack, saas: Path) -> None:
    visitor = Visitor(stack)
    assert "problem" in visitor.say_text("hi").lower()
    assert "how many people" in visitor.say_text("our reps waste hours on bad leads every week").lower()
    assert "which industry" in visitor.say_text("hmm roughly forty, maybe a few more").lower()
    assert "which country" in visitor.say_text("we're a fintech").lower()
    assert "budget" in visitor.say_text("Spain, Madrid office").lower()
    visitor.say_text("around 20k a year")
    visitor.say_text("Head of Sales")
    assert "name" in visitor.say_text("next month").lower()

    lead = visitor.lead()
    assert lead.answers["company_size"].value == pytest.approx(40)
    assert lead.answers["company_size"].points == 6
    assert lead.answers["industry"].value == "fintech" and lead.answers["industry"].points == 5
    assert lead.answers["country"].value == "spain" and lead.answers["country"].points == 5
    assert lead.tier == "sales_ready"
    exported = _export(stack, visitor.sender)
    assert exported["answers"]["company_size"] == {
        **exported["answers"]["company_size"],
        "raw": "hmm roughly forty, maybe a few more",
        "value": pytest.approx(40),
        "points": 6,
    }
    assert exported["answers"]["industry"]["raw"] == "we're a fintech"


def test_volunteered_size_and_industry_are_not_asked_again(stack: Stack, saas: Path) -> None:
    visitor = Visitor(stack)
    visitor.say_text("hello")
    reply = visitor.say_text("We're a SaaS company of about 120 employees and our SDRs chase junk leads all day")
    assert "which country" in reply.lower(), reply  # size and industry were said: the next question is country
    slots = visitor.slots()
    assert slots["criteria_answers"]["company_size"].startswith("We're a SaaS company")
    lead = visitor.lead()
    assert lead.answers["company_size"].value == pytest.approx(120)
    assert lead.answers["industry"].value == "software"


def test_a_correction_of_a_declared_criterion_is_confirmed_and_stored(stack: Stack, saas: Path) -> None:
    visitor = Visitor(stack)
    visitor.say_text("hello")
    visitor.say_text("leads from the website go cold before sales calls them")
    visitor.say_text("30")
    visitor.say_text("software")
    reply = visitor.say_text("Portugal. Actually we're 60 people now, we hired last month")
    assert "60 employees" in reply, reply
    assert visitor.lead().answers["company_size"].value == pytest.approx(60)
    assert visitor.lead().answers["company_size"].points == 10
    assert visitor.lead().answers["country"].value == "portugal"


def test_a_country_we_dont_serve_knocks_the_lead_out(stack: Stack, saas: Path) -> None:
    visitor = Visitor(stack)
    visitor.say_text("hello")
    visitor.say_text("we need to stop losing inbound leads")
    visitor.say_text("about 200 staff")
    visitor.say_text("ecommerce")
    visitor.say_text("we're based in Mexico City")
    visitor.say_text("50k a year")
    visitor.say_text("CEO")
    closing = visitor.say_text("asap")
    lead = visitor.lead()
    assert lead.knocked_out_by == "country" and lead.tier == "disqualified"
    assert "sales team" not in closing


def test_why_do_you_ask_on_a_declared_question_gives_its_reason_and_asks_again(stack: Stack, saas: Path) -> None:
    visitor = Visitor(stack)
    visitor.say_text("hello")
    visitor.say_text("our pipeline reporting is a mess")
    reply = visitor.say_text("why do you ask?")
    assert "teams of different sizes" in reply and "how many people" in reply.lower(), reply


def test_a_spanish_services_company_qualifies_on_its_own_questions(stack: Stack, reformas: Path) -> None:
    visitor = Visitor(stack)
    assert "tipo de obra" in visitor.say_text("hola").lower()
    assert "metros" in visitor.say_text("queremos una reforma integral de la oficina").lower()
    assert "ciudad" in visitor.say_text("unos 250 m2 más o menos").lower()
    assert "proyecto" in visitor.say_text("en Madrid, cerca de Atocha").lower()
    assert "presupuesto" in visitor.say_text("sí, ya tenemos los planos del arquitecto").lower()
    visitor.say_text("unos 60.000 euros")
    visitor.say_text("antes de tres meses")
    lead = visitor.lead()
    assert lead.answers["service"].value == "full"
    assert lead.answers["surface"].value == pytest.approx(250)
    assert lead.answers["city"].value == "madrid"
    assert lead.answers["has_project"].value == "yes"
    assert lead.tier == "sales_ready" and lead.language == "es"


def test_a_city_not_in_the_list_is_kept_as_written_and_scores_as_unknown(stack: Stack, reformas: Path) -> None:
    visitor = Visitor(stack)
    visitor.say_text("hola")
    visitor.say_text("mantenimiento")
    visitor.say_text("80 metros")
    visitor.say_text("Oviedo")
    city = visitor.lead().answers["city"]
    assert city.raw == "Oviedo" and city.kind == "unknown" and city.points == 0


def test_a_question_added_to_the_running_assistant_is_asked_by_the_next_conversation(
    stack: Stack, sla_file: Path
) -> None:
    text = sla_file.read_text()
    added = text.replace(
        "\n  - slot: budget\n",
        "\n  - slot: uses_crm\n"
        '    ask: {en: "Do you use a CRM today?", es: "¿Usáis un CRM hoy?"}\n'
        '    why: {en: "So we know what to connect to.", es: "Para saber con qué conectar."}\n'
        '    hint: {en: "Yes or no is enough.", es: "Basta con sí o no."}\n'
        "\n  - slot: budget\n",
        1,
    ).replace(
        "criteria:\n  need:\n    rules:\n      - {when: pain, points: 30",
        "criteria:\n  uses_crm:\n    type: yes_no\n    rules:\n"
        '      - {when: "yes", points: 5, explain: "uses a CRM"}\n'
        '      - {when: "no", points: 0, explain: "no CRM"}\n'
        "      - {when: undecided, points: 0}\n      - {when: unknown, points: 0}\n"
        "  need:\n    rules:\n      - {when: pain, points: 25",
        1,
    )
    assert added != text
    sla_file.write_text(added)
    visitor = Visitor(stack)
    visitor.say_text("hello")
    assert "use a crm" in visitor.say_text("our SDRs waste time on bad leads").lower()
    assert "budget" in visitor.say_text("yep, hubspot").lower()
    assert visitor.lead().answers["uses_crm"].value == "yes"


def test_an_invalid_declared_criterion_is_refused_and_the_last_good_sla_keeps_serving(stack: Stack, saas: Path) -> None:
    Visitor(stack).say_text("hello")  # the action server has loaded the example
    saas.write_text(saas.read_text().replace("    type: number\n", "    type: numbr\n", 1))
    visitor = Visitor(stack)
    visitor.say_text("hello")
    assert "how many people" in visitor.say_text("our SDRs waste time on bad leads").lower()
    logs = Path(stack.log_dir or ".") / "actions.log"
    assert f"{saas}:" in logs.read_text() and "unknown type 'numbr'; did you mean 'number'?" in logs.read_text()


def test_an_unsure_declared_answer_is_checked_with_buttons_before_it_counts(stack: Stack, saas: Path) -> None:
    visitor = Visitor(stack)
    visitor.say_text("hello")
    visitor.say_text("our inbound leads sit in a spreadsheet for days")
    reply = visitor.say_text("a few of us")
    assert "just to check" in reply.lower() and "3 employees" in reply, reply
    assert "company_size" not in (visitor.slots().get("criteria_answers") or {})  # not stored until confirmed
    reply = visitor.click("No")
    assert "how many people" in reply.lower(), reply  # the hint, then the question again
    assert "which industry" in visitor.say_text("12 in total").lower()
    assert visitor.lead().answers["company_size"].value == pytest.approx(12)

    other = Visitor(stack)
    other.say_text("hello")
    other.say_text("our inbound leads sit in a spreadsheet for days")
    assert "just to check" in other.say_text("only a handful").lower()
    assert "which industry" in other.click("Yes").lower()
    size = other.lead().answers["company_size"]
    assert size.value == pytest.approx(3) and size.confidence == 1.0


def test_a_spanish_visitor_on_the_saas_example_with_its_pages_asks_the_price_and_qualifies(
    stack: Stack, saas: Path
) -> None:
    metadata = {
        "language": "es",
        "page": {"url": "https://pipewise.example/pricing.html", "path": "/pricing.html", "title": "Precios"},
        "pages": [{"path": "/index.html", "title": "Inicio", "seconds": 40}, {"path": "/pricing.html", "seconds": 65}],
    }
    visitor = Visitor(stack, metadata)
    assert "qué problema" in visitor.say_text("hola").lower()
    assert "cuántas personas" in visitor.say_text("los comerciales pierden horas con leads que no compran").lower()
    assert "sector" in visitor.say_text("somos unos 35 en plantilla").lower()
    assert "país" in visitor.say_text("una empresa de software").lower()
    assert "presupuesto" in visitor.say_text("en España, oficina en Valencia").lower()
    reply = visitor.say_text("¿cuánto cuesta vuestro plan más barato?")
    assert "presupuesto" in reply.lower(), reply  # passed on to sales, then the budget question again
    visitor.say_text("unos 15.000 € al año")
    visitor.say_text("soy la directora comercial")
    visitor.say_text("el mes que viene")
    lead = visitor.lead()
    assert lead.language == "es"
    assert lead.answers["company_size"].value == pytest.approx(35)
    assert lead.answers["industry"].value == "software" and lead.answers["country"].value == "spain"
    assert lead.answers["pricing_interest"].points == 5
    assert lead.tier == "sales_ready"
    summary = _export(stack, visitor.sender)["summary"]  # what sales reads (rendered while in progress)
    assert "somos unos 35 en plantilla" in summary and "pricing" in summary.lower(), summary
