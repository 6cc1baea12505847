"""Number parser for typed criteria: tables of real phrasings, plus what the scorer and the summary rely on.

The criterion is company_size with the unit words of docs/criteria.md; see tests/unit/phrasings/number.yml.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.parse.base import Kind
from bot.parse.quantity import parse_number

TABLE = yaml.safe_load((Path(__file__).parent / "phrasings" / "number.yml").read_text(encoding="utf-8"))
UNITS = TABLE["unit_words"]


def _read(text: str, *, strict: bool = False, unit_words: dict[str, list[str]] | None = UNITS):
    return parse_number(text, name="company_size", unit_words=unit_words, strict=strict)


@pytest.mark.parametrize(("text", "kind", "value"), TABLE["lenient"], ids=[row[0] for row in TABLE["lenient"]])
def test_number_phrasing_is_read_as_expected(text: str, kind: str, value: float | None) -> None:
    answer = _read(text)
    assert answer.kind is Kind(kind), answer.reason
    assert answer.value == (None if value is None else pytest.approx(value)), answer.reason
    assert answer.criterion == "company_size"
    assert answer.raw == text
    assert 0.0 <= answer.confidence <= 1.0


@pytest.mark.parametrize(("text", "value"), TABLE["strict"], ids=[row[0] for row in TABLE["strict"]])
def test_volunteered_number_counts_only_beside_a_unit_word(text: str, value: float | None) -> None:
    answer = _read(text, strict=True)
    if value is None:
        assert answer.kind is Kind.UNKNOWN, answer.reason
        assert answer.value is None
    else:
        assert answer.kind is Kind.VALUE, answer.reason
        assert answer.value == pytest.approx(value)


def test_range_keeps_its_ends_and_scores_the_midpoint() -> None:
    answer = _read("somewhere between 50 and 100 people")
    assert answer.value == 75
    assert answer.extra == {"low": "50", "high": "100"}
    assert answer.reason == "'between 50 and 100 people' = 50 to 100"


def test_open_bounds_say_which_side_is_open() -> None:
    above = _read("más de 200 empleados")
    assert above.extra["bound"] == "more_than"
    assert above.extra["low"] == "200"
    assert above.value > 200
    below = _read("less than 5")
    assert below.extra["bound"] == "less_than"
    assert below.extra["high"] == "5"
    assert below.value < 5  # lands under a `max: 5` knock-out rule, as "fewer than 5 employees" should
    assert _read("at least 50").extra["bound"] == "at_least"
    assert _read("up to 20 people").extra["bound"] == "at_most"


def test_reason_quotes_the_visitors_words_and_span_points_at_them() -> None:
    text = "Hi! We are roughly 45 employees in Madrid"
    answer = _read(text)
    assert answer.reason == "'roughly 45 employees' = about 45"
    assert answer.span is not None
    assert text[answer.span[0] : answer.span[1]] == "roughly 45 employees"


def test_word_quantities_are_quoted_whole() -> None:
    assert _read("una docena de personas").reason == "'una docena de personas' = 12"
    assert _read("just me").reason == "'just me' = 1"


def test_confidence_is_lower_for_hedged_approximate_and_open_answers() -> None:
    plain = _read("45 employees").confidence
    assert _read("about 45 employees").confidence < plain
    assert _read("45-50 employees").confidence < plain
    assert _read("more than 45 employees").confidence < plain
    assert _read("maybe 45?").confidence < _read("about 45").confidence
    assert _read("a few").confidence < _read("about 3").confidence


def test_year_is_not_the_answer_when_a_count_is_said() -> None:
    answer = _read("we grew from 20 to 35 people in 2024")
    assert answer.value == 35
    assert "2024" not in answer.reason


def test_unit_words_in_any_language_match_in_every_message() -> None:
    assert _read("we're 30 empleados", strict=True).value == 30
    assert _read("somos 30 people", strict=True).value == 30


def test_without_unit_words_a_bare_number_still_answers_but_never_when_volunteered() -> None:
    assert _read("about 50", unit_words=None).value == 50
    assert _read("we're 40 people", unit_words=None, strict=True).kind is Kind.UNKNOWN


def test_other_criteria_count_their_own_units() -> None:
    leads = {"en": ["leads", "contacts"], "es": ["leads", "contactos"]}
    answer = parse_number(
        "we get about 200 leads a month from ads", name="monthly_leads", unit_words=leads, strict=True
    )
    assert answer.value == 200
    assert answer.criterion == "monthly_leads"
    clients = {"en": ["clients", "customers"], "es": ["clientes"]}
    assert parse_number("tenemos 40 clientes", name="clients", unit_words=clients, strict=True).value == 40


def test_refusals_and_doubts_are_told_apart() -> None:
    assert _read("prefer not to say").kind is Kind.UNKNOWN
    assert _read("prefer not to say").reason.startswith("declined to say")
    assert _read("no lo sé").kind is Kind.UNDECIDED
    assert _read("no lo sé", strict=True).kind is Kind.UNKNOWN


def test_part_of_the_company_or_seats_are_read_only_when_asked_and_less_surely() -> None:
    asked = _read("we need it for 10 people")
    assert asked.value == 10
    assert asked.confidence <= 0.5
    assert _read("we need it for 10 people", strict=True).kind is Kind.UNKNOWN
    assert _read("my team is 8 people", strict=True).kind is Kind.UNKNOWN
