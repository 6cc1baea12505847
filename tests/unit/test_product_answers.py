"""Product answers and nurture content from sla.yml: topic matching, rule picking, the report.

The phrasings below are not the SLA's own examples: they test what the topic model generalises
to, in English and Spanish, and the questions it must pass on to sales instead of answering.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.conversation.product import answer_question, closing_resource, topic_examples
from bot.domain import question_key, top_questions
from bot.parse.base import Answer, Criterion, Kind
from bot.sla import load_sla
from bot.sla.content import Facts, NurtureContent, pick_resource

ROOT = Path(__file__).resolve().parents[2]
SLA = load_sla(ROOT / "sla.yml")

ANSWERED = [
    # English
    ("how much is pipewise?", "pricing"),
    ("what's the cost for a team of five", "pricing"),
    ("whats the yearly price", "pricing"),
    ("how much does the growth plan cost?", "pricing"),
    ("can you send me your price list", "pricing"),
    ("do you have a trial?", "trial"),
    ("any free trial available?", "trial"),
    ("can we try it out first?", "trial"),
    ("can I hook it up to HubSpot?", "integrations"),
    ("does it plug into salesforce", "integrations"),
    ("will it send the leads into my crm?", "integrations"),
    ("is the data hosted in europe?", "data_location"),
    ("what about GDPR", "data_location"),
    ("where do you store our visitors data", "data_location"),
    ("do you speak french?", "languages"),
    ("which languages", "languages"),
    ("can the chat talk italian", "languages"),
    ("do you have sso", "security"),
    ("how secure is pipewise", "security"),
    # Spanish
    ("cuánto cuesta al año?", "pricing"),
    ("y el precio?", "pricing"),
    ("cuanto vale el plan growth", "pricing"),
    ("que precios manejais", "pricing"),
    ("tenéis prueba gratuita?", "trial"),
    ("se puede probar unos días gratis?", "trial"),
    ("se integra con salesforce?", "integrations"),
    ("funciona con hubspot", "integrations"),
    ("dónde alojáis los datos?", "data_location"),
    ("es compatible con el RGPD?", "data_location"),
    ("los datos están en europa?", "data_location"),
    ("en qué idiomas funciona?", "languages"),
    ("habla catalán?", "languages"),
    ("es seguro el sistema?", "security"),
    ("tenéis inicio de sesión con SSO?", "security"),
]

PASSED_ON = [
    "are you hiring right now?",
    "what's the weather like",
    "can it book meetings in my calendar?",
    "do you have a phone number?",
    "who are your competitors",
    "what does pipewise do exactly?",
    "can I finish this later?",
    "xyzzy plugh?",
    "what does the thing actually do?",
    "how does the scoring work?",
    "what does onboarding look like?",
    "¿cómo funciona el scoring?",
    "¿estáis buscando gente?",
    "¿tenéis oficina en Barcelona?",
    "¿qué tiempo hace?",
    "¿puede agendar reuniones?",
    "¿quién es vuestro CEO?",
    "¿tenéis aplicación para el móvil?",
    # answers to the questions, never a topic
    "our sales team wastes hours on bad leads",
    "around 20k a year",
    "I'm the head of sales",
    "depende del precio",
    "soy el director comercial",
]


def test_the_tables_hold_at_least_forty_phrasings_in_both_languages() -> None:
    assert len(ANSWERED) + len(PASSED_ON) >= 40
    phrasings = {" ".join(t.lower().split()) for t in topic_examples(SLA).by_label[0][1]}
    assert not any(text.lower() in phrasings for text, _ in ANSWERED), "test phrasings must not be SLA examples"


def _language(question: str) -> str:
    spanish = any(c in question for c in "áéíóúñ¿") or question.split()[0] in _SPANISH_OPENERS
    return "es" if spanish else "en"


_SPANISH_OPENERS = {"y", "cuanto", "que", "se", "funciona", "es", "los", "habla"}


@pytest.mark.parametrize(("question", "topic"), ANSWERED)
def test_question_is_never_answered_with_another_topic(question: str, topic: str) -> None:
    reply = answer_question(question, SLA, _language(question))
    # Unsure is allowed (passed on to sales, like today); a wrong answer is not.
    assert reply is None or reply.topic == topic, (question, reply)
    if reply is not None:
        assert reply.text == SLA.product_answers.topics[topic].answer[_language(question)]


def test_most_questions_about_a_topic_get_its_answer() -> None:
    hits = [text for text, topic in ANSWERED if (r := answer_question(text, SLA, _language(text))) and r.topic == topic]
    # 31 of 34 when written; the misses ("que precios manejais", 0.47 pricing vs 0.49 other)
    # are passed on to sales, never answered wrong.
    assert len(hits) / len(ANSWERED) >= 0.85, sorted({t for t, _ in ANSWERED} - set(hits))
    for language in ("en", "es"):
        asked = [text for text, _ in ANSWERED if _language(text) == language]
        assert sum(text in hits for text in asked) / len(asked) >= 0.8, language


@pytest.mark.parametrize("question", PASSED_ON)
def test_question_no_topic_answers_is_passed_on(question: str) -> None:
    assert answer_question(question, SLA, "en") is None


def test_prices_in_the_answer_are_the_pricing_pages() -> None:
    page = (ROOT / "web" / "pricing.html").read_text(encoding="utf-8")
    answer = SLA.product_answers.topics["pricing"].answer
    assert "€4,800" in page and "€4,800" in answer["en"] and "4.800 €" in answer["es"]
    assert "€12,000" in page and "€12,000" in answer["en"] and "12.000 €" in answer["es"]


def test_a_higher_min_confidence_passes_a_borderline_question_on() -> None:
    question = "y el precio?"
    reply = answer_question(question, SLA, "es")
    assert reply is not None
    strict = SLA.copy(update={"product_answers": SLA.product_answers.copy(update={"min_confidence": 0.99})})
    assert answer_question(question, strict, "es") is None


def test_an_edited_answer_is_used_at_once() -> None:
    topics = dict(SLA.product_answers.topics)
    topics["pricing"] = topics["pricing"].copy(update={"answer": {"en": "Ask us!", "es": "¡Pregúntanos!"}})
    edited = SLA.copy(update={"product_answers": SLA.product_answers.copy(update={"topics": topics})})
    reply = answer_question("how much is it?", edited, "en")
    assert reply is not None and reply.text == "Ask us!"


# --------------------------------------------------------------------------- nurture content


def _answer(criterion: Criterion, kind: Kind, value: object) -> Answer:
    return Answer(criterion, "words", kind, value, 0.9, "test")  # type: ignore[arg-type]


PAIN = _answer(Criterion.NEED, Kind.VALUE, "pain")
INTEREST = _answer(Criterion.NEED, Kind.VALUE, "interest")
UNDECIDED = _answer(Criterion.BUDGET, Kind.UNDECIDED, None)
BUDGET_8K = _answer(Criterion.BUDGET, Kind.VALUE, 8000.0)
STUDENT = _answer(Criterion.ROLE, Kind.NONE, "no_authority")


@pytest.mark.parametrize(
    ("tier", "language", "answers", "url", "rule"),
    [
        ("nurture", "en", {"need": PAIN, "budget": UNDECIDED}, "https://pipewise.example/business-case", 0),
        ("nurture", "es", {"need": PAIN}, "https://pipewise.example/caso-de-negocio", 0),  # budget unanswered
        ("nurture", "en", {"need": PAIN, "budget": BUDGET_8K}, "https://pipewise.example/guide", 1),
        ("nurture", "es", {"need": INTEREST, "budget": UNDECIDED}, "https://pipewise.example/guia", 1),
        ("disqualified", "en", {"need": INTEREST, "role": STUDENT}, "https://pipewise.example/academy", 2),
        ("disqualified", "es", {"role": STUDENT}, "https://pipewise.example/academia", 2),
        ("disqualified", "en", {"need": PAIN, "budget": BUDGET_8K}, "https://pipewise.example/blog", None),
    ],
)
def test_shipped_rules_pick_the_resource(
    tier: str, language: str, answers: dict[str, Answer], url: str, rule: int | None
) -> None:
    resource = closing_resource(SLA, tier, language, answers)
    assert resource is not None and (resource.url, resource.rule) == (url, rule)
    assert resource.text.endswith(url) and resource.title in resource.text


def _resource(name: str) -> dict[str, dict[str, str]]:
    return {"title": {"en": name}, "url": {"en": f"https://x/{name}"}}


CUSTOM = NurtureContent.parse_obj(
    {
        "rules": [
            {"match": {"budget": {"min": 5000, "max": 10000}}, "resource": _resource("mid")},
            {"match": {"language": "es", "need": ["interest", "none"]}, "resource": _resource("es")},
            {"match": {"timing": "none"}, "resource": _resource("later")},
        ],
        "default": _resource("default"),
    }
)


@pytest.mark.parametrize(
    ("language", "answers", "expected"),
    [
        ("en", {"budget": ("value", 8000.0)}, "mid"),
        ("en", {"budget": ("value", 10000.0)}, "default"),  # max is excluded
        ("en", {"budget": ("undecided", None)}, "default"),  # a range needs a number
        ("es", {"need": ("interest", None)}, "es"),
        ("es", {"need": ("NONE", None)}, "es"),  # values compare without case
        ("en", {"need": ("interest", None)}, "default"),
        ("en", {"timing": ("none", None)}, "later"),
        ("es", {"budget": ("value", 6000.0), "need": ("interest", None)}, "mid"),  # first match wins
    ],
)
def test_first_matching_rule_wins(language: str, answers: dict[str, tuple[str, float | None]], expected: str) -> None:
    resource, _ = pick_resource(CUSTOM, Facts(tier="nurture", language=language, answers=answers))
    assert resource.title["en"] == expected


def test_without_nurture_content_no_resource_is_picked() -> None:
    assert closing_resource(SLA.copy(update={"nurture_content": None}), "nurture", "en", {}) is None


# --------------------------------------------------------------------------- the report


def test_unanswered_questions_are_grouped_without_case_accents_or_punctuation() -> None:
    assert question_key("¿Tenéis API?") == question_key("teneis  api") == "teneis api"
    per_lead = [
        ["¿Tenéis API?", "are you hiring?"],
        ["teneis api", "Tenéis API"],  # one lead asking twice counts once
        ["Do you have an office in Madrid?"],
        ["¿tenéis API?", "Are you hiring"],
        [],
    ]
    assert top_questions(per_lead) == (
        ("¿Tenéis API?", 3),
        ("are you hiring?", 2),
        ("Do you have an office in Madrid?", 1),
    )
    assert top_questions(per_lead, limit=1) == (("¿Tenéis API?", 3),)


def test_report_record_defaults_to_no_questions() -> None:
    from bot.domain import Report

    fields = Report.__dataclass_fields__
    assert "unanswered_questions" in fields and datetime.now(timezone.utc)
