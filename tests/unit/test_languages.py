"""Every language the SLA names is spoken everywhere: responses, SLA texts, labels, NLU data.

Also the table of how a message's language is told (`bot.conversation.language`). Adding a language
means making this file pass (see docs/languages.md).
"""

from __future__ import annotations

import re
import string
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.conversation.language import detect_language, requested_language
from bot.delivery.summary import LABELS
from bot.sla import check_sla, load_sla

ROOT = Path(__file__).resolve().parents[2]
SLA_FILE = ROOT / "sla.yml"
DOMAIN_FILE = ROOT / "domain.yml"

SLA = load_sla(SLA_FILE)
LANGUAGES = SLA.languages
DEFAULT = SLA.default_language
OTHERS = [language for language in LANGUAGES if language != DEFAULT]
DOMAIN: dict[str, Any] = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))
RESPONSES: dict[str, list[dict[str, Any]]] = DOMAIN["responses"]


def _variant_language(variant: dict[str, Any]) -> str | None:
    """The language a response variant is for: None for the unconditioned default."""
    conditions = variant.get("condition") or []
    languages = [c.get("value") for c in conditions if c.get("type") == "slot" and c.get("name") == "language"]
    assert len(languages) == len(conditions), f"a condition other than the language slot: {conditions}"
    return languages[0] if languages else None


def _variants(name: str) -> dict[str | None, dict[str, Any]]:
    found: dict[str | None, dict[str, Any]] = {}
    for variant in RESPONSES[name]:
        language = _variant_language(variant)
        assert language not in found, f"{name} has two variants for {language or 'the default language'}"
        found[language] = variant
    return found


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


# --------------------------------------------------------------------------- domain responses


def test_the_domain_language_slot_offers_exactly_the_sla_languages() -> None:
    assert DOMAIN["slots"]["language"]["values"] == LANGUAGES


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_every_response_has_a_default_variant_and_one_per_other_language(name: str) -> None:
    variants = _variants(name)
    assert None in variants, f"{name} has no unconditioned ({DEFAULT}) variant"
    assert set(variants) - {None} == set(OTHERS), f"{name}: variants for {sorted(set(variants) - {None})}"
    assert all((variant.get("text") or "").strip() for variant in variants.values()), f"{name} has an empty text"


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_response_variants_carry_the_same_placeholders(name: str) -> None:
    variants = _variants(name)
    expected = _placeholders(variants[None]["text"])
    for language, variant in variants.items():
        assert _placeholders(variant["text"]) == expected, f"{name} [{language}]: {variant['text']!r}"


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_response_variants_offer_the_same_buttons(name: str) -> None:
    variants = _variants(name)
    expected = [button["payload"] for button in variants[None].get("buttons") or []]
    for language, variant in variants.items():
        assert [button["payload"] for button in variant.get("buttons") or []] == expected, (name, language)


@pytest.mark.parametrize("name", [n for n in sorted(RESPONSES) if len(RESPONSES[n]) > 1])
def test_translations_are_not_copies_of_the_default_text(name: str) -> None:
    variants = _variants(name)
    for language in OTHERS:
        assert variants[language]["text"] != variants[None]["text"], f"{name} [{language}] is untranslated"


# --------------------------------------------------------------------------- SLA texts


def test_the_shipped_sla_has_every_text_in_every_language() -> None:
    assert check_sla(SLA_FILE, DOMAIN_FILE) == []


def test_every_sla_text_exists_in_every_language_and_keeps_its_placeholders() -> None:
    texts = [("follow_up.text", SLA.follow_up.text)]
    for question in SLA.questions:
        texts += [(f"{question.slot}.{field}", getattr(question, field)) for field in ("ask", "why", "hint")]
        texts += [(f"{question.slot}.button[{b.value}]", b.title) for b in question.buttons]
    for where, text in texts:
        assert set(text) == set(LANGUAGES), where
        assert all(text[language].strip() for language in LANGUAGES), where
        assert len({frozenset(_placeholders(text[language])) for language in LANGUAGES}) == 1, where


# (what is removed from the shipped sla.yml, the line that must be reported)
MISSING_SPANISH = [
    pytest.param(
        '      es: "¿Qué te trae por aquí? ¿Qué problema quieres resolver?"\n',
        '    ask:\n      en: "What brings you here today?',
        id="question-ask",
    ),
    pytest.param(
        '      es: "Para que nuestro equipo pueda planificar la puesta en marcha según vuestras fechas."\n',
        '    why:\n      en: "So our team can plan',
        id="question-why",
    ),
    pytest.param(', es: "Menos de 5.000 €/año"', '      - title: {en: "Under €5k / year"', id="button-title"),
    pytest.param(
        '    es: "Una persona de nuestro equipo comercial se pondrá en contacto contigo'
        ' en menos de 1 hora laborable."\n',
        "  text:\n    en: ",
        id="follow-up",
    ),
]


@pytest.mark.parametrize(("removed", "reported_at"), MISSING_SPANISH)
def test_a_missing_spanish_text_is_reported_at_its_line(tmp_path: Path, removed: str, reported_at: str) -> None:
    shipped = SLA_FILE.read_text(encoding="utf-8")
    assert shipped.count(removed) == 1
    edited = shipped.replace(removed, "")
    sla_file = tmp_path / "sla.yml"
    sla_file.write_text(edited, encoding="utf-8")

    problems = check_sla(sla_file, DOMAIN_FILE)

    line = edited[: edited.index(reported_at)].count("\n") + 1
    assert [(p.line, p.message) for p in problems] == [(line, "missing 'es' text")]


def test_an_empty_spanish_text_is_reported(tmp_path: Path) -> None:
    sla_file = tmp_path / "sla.yml"
    shipped = SLA_FILE.read_text(encoding="utf-8")
    sla_file.write_text(shipped.replace('es: "¿Cuál es tu puesto en la empresa?"', 'es: "  "'), encoding="utf-8")
    assert [p.message for p in check_sla(sla_file, DOMAIN_FILE)] == ["empty 'es' text"]


def test_a_third_language_without_texts_is_reported_for_every_text(tmp_path: Path) -> None:
    sla_file = tmp_path / "sla.yml"
    sla_file.write_text(
        SLA_FILE.read_text(encoding="utf-8").replace("languages: [en, es]", "languages: [en, es, fr]"),
        encoding="utf-8",
    )
    problems = check_sla(sla_file, DOMAIN_FILE)
    buttons = sum(len(q.buttons) for q in SLA.questions)
    topics = SLA.product_answers.topics
    resources = 1 + len(SLA.nurture_content.rules) if SLA.nurture_content else 0  # title and url each
    texts = [p for p in problems if p.message == "missing 'fr' text"]
    booking = 1 if SLA.booking else 0  # the booking offer
    assert len(texts) == 1 + 3 * len(SLA.questions) + buttons + len(topics) + 2 * resources + booking
    examples = {p.message for p in problems} - {"missing 'fr' text"}
    assert examples == {f"topic '{name}' has no 'fr' examples" for name in topics}


# --------------------------------------------------------------------------- summaries and NLU data


def test_summary_labels_exist_for_every_language() -> None:
    for language in LANGUAGES:
        assert set(LABELS[language]) == set(LABELS[DEFAULT]), language
        assert all(label.strip() for label in LABELS[language].values()), language


def _nlu_file(language: str) -> Path:
    return ROOT / "data" / ("nlu.yml" if language == DEFAULT else f"nlu_{language}.yml")


def _nlu_examples(language: str) -> dict[str, list[str]]:
    data = yaml.safe_load(_nlu_file(language).read_text(encoding="utf-8"))
    examples: dict[str, list[str]] = defaultdict(list)
    for block in data["nlu"]:
        if "intent" in block:
            examples[block["intent"]] += [
                line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")
            ]
    return examples


# Intents no visitor phrases in a language: Rasa's own fallback, and keyboard mashing
# (trained once, in the default language's file).
LANGUAGE_FREE_INTENTS = {"nlu_fallback", "nonsense"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_intent_has_training_examples_in_every_language(language: str) -> None:
    examples = _nlu_examples(language)
    thin = {
        intent: len(examples.get(intent, []))
        for intent in DOMAIN["intents"]
        if intent not in LANGUAGE_FREE_INTENTS and len(examples.get(intent, [])) < 20
    }
    assert thin == {}, f"{_nlu_file(language).name}: intents with fewer than 20 examples"


def test_no_example_text_is_trained_under_two_intents() -> None:
    intents_of: dict[str, set[str]] = defaultdict(set)
    for language in LANGUAGES:
        for intent, texts in _nlu_examples(language).items():
            for text in texts:
                intents_of[re.sub(r"\s+", " ", text.lower())].add(intent)
    clashes = {text: sorted(intents) for text, intents in intents_of.items() if len(intents) > 1}
    assert clashes == {}


# --------------------------------------------------------------------------- telling the language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("our sales reps waste hours every week on bad leads", "en"),
        ("around 20k a year", "en"),
        ("next quarter", "en"),
        ("why do you ask?", "en"),
        ("We want something live by March", "en"),
        ("English please", "en"),
        ("thanks", "en"),
        ("Hola, necesitamos cualificar mejor los leads de la web", "es"),
        ("los comerciales pierden mucho tiempo con contactos que no compran", "es"),
        ("unos 20k al año", "es"),
        ("el próximo trimestre", "es"),
        ("soy la directora comercial", "es"),
        ("VP de ventas", "es"),
        ("¿por qué lo preguntas?", "es"),
        ("quiero hablar con una persona", "es"),
        ("buenas tardes", "es"),
        ("gracias", "es"),
        ("¿puedes hablar en español?", "es"),
    ],
)
def test_a_sentence_is_read_in_its_language(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    "text",
    ["", "ok", "no", "si", "yes", "hello", "asap", "CEO", "20k", "50.000 €", "Acme Corp", "ana@acme.com", "🙂🙂", "?"],
)
def test_a_short_or_ambiguous_message_says_nothing_about_its_language(text: str) -> None:
    assert detect_language(text) is None


def test_detection_needs_two_languages_to_choose_from() -> None:
    assert detect_language("los comerciales pierden mucho tiempo", ("es",)) is None
    assert detect_language("los comerciales pierden mucho tiempo", ("en", "xx")) is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("¿puedes hablar en español?", "es"),
        ("en castellano por favor", "es"),
        ("en espanol", "es"),
        ("can we speak Spanish?", "es"),
        ("English please", "en"),
        ("¿hablas inglés?", "en"),
        ("háblame en ingles", "en"),
        ("switch to english", "en"),
        ("¿hablas inglés o español?", None),
        ("cambiar idioma", None),
        ("what does it cost?", None),
        ("no hablo inglés", "es"),
        ("I don't speak Spanish", "en"),
    ],
)
def test_the_language_asked_for_is_the_one_named(text: str, language: str | None) -> None:
    assert requested_language(text) == language


def test_a_language_the_sla_does_not_speak_cannot_be_asked_for() -> None:
    assert requested_language("¿puedes hablar en español?", ("en",)) is None
