"""Yes/no parser for typed criteria: a table of real phrasings, plus what the scorer and the summary rely on.

The criterion is uses_crm ("Do you already use a CRM?"); see tests/unit/phrasings/yes_no.yml.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.parse.base import Kind
from bot.parse.yes_no import parse_yes_no

TABLE = yaml.safe_load((Path(__file__).parent / "phrasings" / "yes_no.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("text", "kind", "value"), TABLE, ids=[row[0] for row in TABLE])
def test_yes_no_phrasing_is_read_as_expected(text: str, kind: str, value: str | None) -> None:
    answer = parse_yes_no(text, name="uses_crm")
    assert answer.kind is Kind(kind), answer.reason
    assert answer.value == value, answer.reason
    assert answer.criterion == "uses_crm"
    assert answer.raw == text
    assert 0.0 <= answer.confidence <= 1.0


@pytest.mark.parametrize("text", ["yes", "sí, claro", "no", "todavía no", "we do", "not sure", "no lo sé"])
def test_a_yes_or_no_is_never_volunteered(text: str) -> None:
    answer = parse_yes_no(text, name="uses_crm", strict=True)
    assert answer.kind is Kind.UNKNOWN
    assert answer.value is None


def test_a_statement_outweighs_the_bare_word_before_it() -> None:
    answer = parse_yes_no("no, we do use one", name="uses_crm")
    assert answer.value == "yes"
    assert answer.reason == "'we do use one' = yes"
    assert answer.confidence < parse_yes_no("yes we do", name="uses_crm").confidence


def test_hedged_answers_are_less_sure() -> None:
    sure = parse_yes_no("yes", name="uses_crm").confidence
    assert parse_yes_no("I think so, yes", name="uses_crm").confidence < sure
    assert parse_yes_no("no sé, creo que sí", name="uses_crm").confidence < sure
    assert parse_yes_no("we're planning to get one", name="uses_crm").confidence < sure


def test_undecided_reason_and_span_quote_the_visitor() -> None:
    text = "Hmm, no lo sé la verdad"
    answer = parse_yes_no(text, name="uses_crm")
    assert answer.kind is Kind.UNDECIDED
    assert answer.reason == "'no lo sé': not sure"
    assert answer.span is not None
    assert text[answer.span[0] : answer.span[1]] == "no lo sé"


def test_words_containing_yes_or_no_are_not_answers() -> None:
    for text in ("nosotros", "sistema propio", "yesterday we met", "nonprofit"):
        assert parse_yes_no(text, name="uses_crm").kind is Kind.UNKNOWN, text
