"""Role parser: table of real titles and authority statements in English and Spanish.

Table rows are answers to "what is your role?" (lenient mode).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.parse.base import Criterion, Kind
from bot.parse.role import _STATEMENTS, _TYPO_TARGETS, _respell, parse_role

TABLE = yaml.safe_load((Path(__file__).parent / "phrasings" / "role.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("text", "role"), TABLE, ids=[row[0] for row in TABLE])
def test_role_phrasing_is_read_as_expected(text: str, role: str | None) -> None:
    answer = parse_role(text)
    assert answer.criterion is Criterion.ROLE
    assert answer.value == role, answer.reason
    assert answer.kind is (Kind.UNKNOWN if role is None else Kind.VALUE)


def test_title_as_said_is_kept_for_the_sales_summary() -> None:
    answer = parse_role("Hi, I'm the VP Sales at Acme")
    assert answer.extra["title"] == "VP Sales"
    assert answer.reason == "is the VP Sales"


def test_acting_title_keeps_its_class_and_notes_it() -> None:
    answer = parse_role("CEO (acting)")
    assert answer.value == "decision_maker"
    assert answer.extra == {"title": "CEO (acting)", "qualifier": "acting"}


def test_negated_title_loses_to_the_stated_one() -> None:
    assert parse_role("I'm not the CEO, I'm his assistant").value == "individual"


def test_case_and_dots_do_not_matter() -> None:
    assert parse_role("c.e.o.").value == parse_role("CEO").value == "decision_maker"


@pytest.mark.parametrize(
    "text",
    [
        "our CEO wants better leads",
        "the manager asked me to look",
        "we have 20 reps",
        "hello",
        "the SDR team is drowning in junk leads",
        "our marketing lead quality is awful",
        "marketing leads never get a call back",
        "my company uses HubSpot",
        "I manage the ad budget, about 5k a month",
        "mi empresa usa Salesforce",
        "el equipo comercial no da abasto",
    ],
)
def test_strict_mode_needs_the_visitor_to_talk_about_themself(text: str) -> None:
    assert not parse_role(text, strict=True).understood


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Hi, I'm the CTO at Acme", "decision_maker"),
        ("soy la directora comercial de una pyme", "decision_maker"),
        ("as a team lead I want this", "influencer"),
        ("my boss decides", "influencer"),
        ("I'm the marketing directr and our leads go cold", "decision_maker"),
        ("as the owner I want faster follow-up", "decision_maker"),
        ("I run a small agency and leads rot in our CRM", "decision_maker"),
        ("I manage the SDR team and they waste hours", "influencer"),
        ("I sign off on this, budget is 20k", "decision_maker"),
        ("I work in sales ops and routing is a mess", "individual"),
        ("soy autónomo y pierdo clientes", "decision_maker"),
        ("es mi empresa, así que decido yo", "decision_maker"),
        ("con 20 personas a mi cargo, necesito orden", "influencer"),
        ("trabajo en marketing y los leads se pierden", "individual"),
    ],
)
def test_strict_mode_reads_self_descriptions(text: str, role: str) -> None:
    assert parse_role(text, strict=True).value == role


# Answers to the budget or timing question that describe who approves, not who the visitor is.
APPROVAL_PROCESSES = [
    "once the director signs off we can start",
    "can't say until the CFO approves",
    "depends on when my boss approves it",
    "if my manager approves, next month",
    "we need approval from finance first",
    "the board decides in January",
    "when the VP signs the budget",
    "cuando lo apruebe el director",
    "hasta que firme la gerente",
    "lo decide la dirección, yo no sé",
    "en cuanto mi jefe lo apruebe",
    "depende de lo que diga el CEO",
]


@pytest.mark.parametrize("text", APPROVAL_PROCESSES)
def test_an_approval_process_in_another_answer_does_not_fill_role(text: str) -> None:
    assert not parse_role(text, strict=True).understood


SOMEONE_ELSES_TITLE = [
    "my manager, the VP of Sales, asked me to check",
    "our CMO sent me here",
    "the CEO asked me to find a tool",
    "I report directly to the CRO",
    "I work for the founder",
    "my boss is the owner",
    "le reporto al CEO",
    "mi directora me pidió que buscara opciones",
    "el director me pidió que mirara esto",
    "trabajo para la dueña",
    "the COO just messaged me, he wants it in 6 weeks",
    "cto said this quarter",
    "owner is furious",
    "Jess (our head of SDRs) says we need it",
    "el CEO dice que lo quiere ya",
    "mi jefe, el director comercial, me ha pedido que mire esto",
]


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("text", SOMEONE_ELSES_TITLE)
def test_someone_elses_title_is_never_the_visitors_role(text: str, strict: bool) -> None:
    answer = parse_role(text, strict=strict)
    assert answer.value != "decision_maker", answer.reason
    if strict:
        assert not answer.understood


@pytest.mark.parametrize(
    ("text", "title", "reason"),
    [
        ("marketing manger", "marketing manger", "is a marketing manager"),
        ("Sales Directr", "Sales Directr", "is the Sales Director"),
        ("soy drector comercial", "drector comercial", "is the director comercial"),
        ("fundadro de una startup", "fundadro", "is the fundador"),
        ("cordinadora de eventos", "cordinadora de eventos", "is a coordinadora de eventos"),
    ],
)
def test_a_misspelt_title_is_read_and_kept_as_typed(text: str, title: str, reason: str) -> None:
    answer = parse_role(text)
    assert answer.extra["title"] == title
    assert answer.reason == reason
    assert answer.span is not None and text[answer.span[0] : answer.span[1]] in title
    assert answer.confidence <= 0.8  # a guess at what the visitor meant


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize(
    "text",
    [
        "I manage the budget",
        "we were founded in 2019",
        "managed services",
        "directly with the reps",
        "a superior product",
        "the engine behind our growth",
        "social media is our channel",
        "encantado de hablar contigo",
        "estamos estudiando opciones",
        "hemos empezado hace poco",
        "un contacto directo",
        "empleo mucho tiempo en esto",
    ],
)
def test_ordinary_words_are_not_read_as_misspelt_titles(text: str, strict: bool) -> None:
    assert not parse_role(text, strict=strict).understood


@pytest.mark.parametrize("word", _TYPO_TARGETS)
def test_every_word_respelt_to_is_a_title(word: str) -> None:
    assert parse_role(word).extra.get("title", "").lower() == word


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Sales Director", "is the Sales Director"),
        ("I'm one of the founders", "is one of the founders"),
        ("co-founder", "is a co-founder"),
        ("SDR", "is an SDR"),
        ("BDR", "is a BDR"),
        ("data analyst", "is a data analyst"),
        ("student", "is a student"),
        ("becaria", "is an intern"),
        ("looking for a job", "is looking for a job"),
        ("autónomo", "works for themself"),
        ("I sign off", "decides on the purchase"),
        ("soy quien firma", "decides on the purchase"),
        ("I recommend, my boss decides", "recommends, someone else decides"),
        ("lo decide mi jefa", "recommends, someone else decides"),
        ("I lead the marketing team", "leads the marketing team"),
        ("lidero un equipo de 5", "leads a team"),
        ("I own a small agency", "runs their own business"),
        ("trabajo en ventas", "works in sales"),
        ("I'm in RevOps", "works in RevOps"),
    ],
)
def test_the_reason_is_plain_words_for_the_visitor(text: str, reason: str) -> None:
    assert parse_role(text).reason == reason


@pytest.mark.parametrize(("text", "role"), [r for r in TABLE if r[1]], ids=[r[0] for r in TABLE if r[1]])
def test_every_reason_is_plain_words_not_categories(text: str, role: str) -> None:
    reason = parse_role(text).reason
    assert reason and not reason.startswith("you"), reason  # written for the sales summary
    assert not any(word in reason for word in ("_", "decision-maker", "influencer", "individual", "authority"))


@pytest.mark.parametrize(
    "text",
    [
        "I manage the SDR team",
        "I lead a team of 8 AEs",
        "10 people report to me",
        "I'm in charge of inbound",
        "con 20 personas a mi cargo",
        "lidero el equipo de preventa",
        "coordino un equipo de 6 agentes",
        "Responsable de ventas, con 12 comerciales a mi cargo",
    ],
)
def test_managing_people_is_at_least_an_influencer(text: str) -> None:
    assert parse_role(text).value in ("influencer", "decision_maker")


@pytest.mark.parametrize(
    "text",
    [row[0] for row in TABLE]
    + APPROVAL_PROCESSES
    + SOMEONE_ELSES_TITLE
    + ["I was asked to compare tools", "don't decide, I just gather options", "me encargaron buscar opciones"],
)
def test_statement_keys_cover_every_match(text: str) -> None:
    said = _respell(text.lower()).text
    for statement in _STATEMENTS:
        if statement.pattern.search(said):
            assert any(key in said for key in statement.keys), (statement.reason, statement.keys)


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize(
    "text",
    [
        "SDRs ignore MQLs",
        "our SDRs waste hours on junk",
        "AEs",
        "the founders want this",
        "nuestros directores no contestan",
        "los comerciales pierden tiempo",
    ],
)
def test_a_plural_title_is_never_the_visitors_role(text: str, strict: bool) -> None:
    assert not parse_role(text, strict=strict).understood


@pytest.mark.parametrize("strict", [False, True])
def test_the_visitors_title_beats_a_third_person_one(strict: bool) -> None:
    answer = parse_role("I'm the sales manager and the owner is furious", strict=strict)
    assert answer.value == "influencer"
    assert answer.extra["title"] == "sales manager"
