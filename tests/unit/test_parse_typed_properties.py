"""Invariants of the typed-criterion parsers (number, choice, yes/no), checked with hypothesis.

Visitors type anything: the parsers must never raise, must keep the ``Answer`` contract, and a
volunteered reading must never come from a message without the criterion's own words.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parse.base import Answer, Kind
from bot.parse.choice import parse_choice
from bot.parse.nlp import fold
from bot.parse.quantity import parse_number
from bot.parse.yes_no import parse_yes_no

UNITS = {"en": ["employees", "people", "staff", "headcount"], "es": ["empleados", "personas", "plantilla"]}
CHOICES = {
    "hubspot": {"en": ["hubspot"], "es": ["hubspot"]},
    "salesforce": {"en": ["salesforce", "sfdc"], "es": ["salesforce"]},
    "spain": {"en": ["spain"], "es": ["españa"]},
}
# Words visitors use around numbers and options, to build messages that look like real ones.
SOUP = [
    "we", "are", "about", "unos", "más de", "between", "and", "y", "50", "1.200", "2k", "-", "~", "%", "€", "$",
    "in", "2024", "years", "tools", "no", "not", "don't", "use", "usamos", "ningún", "crm", "yes", "sí", "maybe",
    "people", "employees", "hubspot", "HubSpot", "España", "salesforse", ",", ".", "?", "just me", "a dozen",
    "clients", "hiring", "were", "now", "de", "a", "or", "o", "twenty", "veinte", "+", "ish", "solo yo", "😀",
]  # fmt: skip
MESSAGES = st.one_of(st.text(max_size=200), st.lists(st.sampled_from(SOUP), max_size=20).map(" ".join))


def _contract(answer: Answer, text: str, name: str) -> None:
    assert answer.criterion == name
    assert answer.raw == text
    assert 0.0 <= answer.confidence <= 1.0
    assert answer.reason
    if answer.kind is Kind.VALUE:
        assert answer.value is not None
    else:
        assert answer.value is None
    if answer.span is not None:
        start, end = answer.span
        assert 0 <= start <= end <= len(text)


@settings(max_examples=300, deadline=None)
@given(MESSAGES, st.booleans())
def test_number_parser_never_raises_and_keeps_the_contract(text: str, strict: bool) -> None:
    answer = parse_number(text, name="company_size", unit_words=UNITS, strict=strict)
    _contract(answer, text, "company_size")
    if answer.kind is Kind.VALUE:
        assert isinstance(answer.value, float)
        assert answer.value >= 0


@settings(max_examples=300, deadline=None)
@given(MESSAGES, st.booleans())
def test_choice_parser_never_raises_and_returns_a_listed_key(text: str, strict: bool) -> None:
    answer = parse_choice(text, name="crm", choices=CHOICES, strict=strict)
    _contract(answer, text, "crm")
    if answer.kind is Kind.VALUE:
        assert answer.value in CHOICES


@settings(max_examples=300, deadline=None)
@given(MESSAGES, st.booleans())
def test_yes_no_parser_never_raises_and_says_yes_or_no(text: str, strict: bool) -> None:
    answer = parse_yes_no(text, name="uses_crm", strict=strict)
    _contract(answer, text, "uses_crm")
    if answer.kind is Kind.VALUE:
        assert answer.value in ("yes", "no")
    if strict:
        assert answer.kind is Kind.UNKNOWN


def _without(words: list[str]):
    """Messages that never contain any of ``words`` (folded, as the parsers compare them)."""
    pattern = re.compile("|".join(re.escape(fold(word)) for word in words))
    return MESSAGES.filter(lambda text: not pattern.search(fold(text)))


@settings(max_examples=300, deadline=None)
@given(_without([word for words in UNITS.values() for word in words]))
def test_volunteered_number_needs_a_unit_word(text: str) -> None:
    assert parse_number(text, name="company_size", unit_words=UNITS, strict=True).kind is Kind.UNKNOWN


@settings(max_examples=300, deadline=None)
@given(_without(["hubspot", "hub spot", "salesforce", "sales force", "sfdc", "spain", "espana"]))
def test_volunteered_choice_needs_a_synonym(text: str) -> None:
    assert parse_choice(text, name="crm", choices=CHOICES, strict=True).kind is Kind.UNKNOWN


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=5000), st.sampled_from(["employees", "people", "empleados", "personas"]))
def test_a_plain_count_beside_a_unit_word_is_read_in_both_modes(count: int, unit: str) -> None:
    text = f"we are {count} {unit}"
    for strict in (False, True):
        answer = parse_number(text, name="company_size", unit_words=UNITS, strict=strict)
        assert answer.value == count, answer.reason


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=999), st.integers(min_value=1, max_value=999))
def test_a_range_reads_as_its_midpoint_with_both_ends(low: int, gap: int) -> None:
    high = low + gap
    answer = parse_number(f"between {low} and {high} people", name="company_size", unit_words=UNITS)
    assert answer.value == (low + high) / 2, answer.reason
    assert answer.extra["low"] == str(low)
    assert answer.extra["high"] == str(high)
