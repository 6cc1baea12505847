"""Choice parser for typed criteria: tables of real phrasings, plus what the scorer and the summary rely on.

The criteria (industry, CRM, country) and their synonyms are in tests/unit/phrasings/choice.yml.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.parse.base import Kind
from bot.parse.choice import parse_choice

TABLE = yaml.safe_load((Path(__file__).parent / "phrasings" / "choice.yml").read_text(encoding="utf-8"))
CRITERIA = TABLE["criteria"]


def _read(criterion: str, text: str, *, strict: bool = False):
    return parse_choice(text, name=criterion, choices=CRITERIA[criterion], strict=strict)


@pytest.mark.parametrize(("criterion", "text", "key"), TABLE["lenient"], ids=[row[1] for row in TABLE["lenient"]])
def test_choice_phrasing_is_read_as_expected(criterion: str, text: str, key: str | None) -> None:
    answer = _read(criterion, text)
    assert answer.criterion == criterion
    assert answer.raw == text
    assert answer.value == key, answer.reason
    assert answer.kind is (Kind.UNKNOWN if key is None else Kind.VALUE)
    assert 0.0 <= answer.confidence <= 1.0


@pytest.mark.parametrize(("criterion", "text", "key"), TABLE["strict"], ids=[row[1] for row in TABLE["strict"]])
def test_volunteered_choice_counts_only_when_stated_of_their_company(
    criterion: str, text: str, key: str | None
) -> None:
    answer = _read(criterion, text, strict=True)
    assert answer.value == key, answer.reason
    assert answer.kind is (Kind.UNKNOWN if key is None else Kind.VALUE)


def test_no_match_keeps_the_visitors_words() -> None:
    answer = _read("industry", "We build  bridges\nand tunnels")
    assert answer.kind is Kind.UNKNOWN
    assert answer.raw == "We build  bridges\nand tunnels"
    assert answer.reason == 'not in the list: "We build bridges and tunnels"'


def test_two_options_give_the_first_less_surely_and_name_the_other() -> None:
    answer = _read("crm", "hubspot and salesforce")
    assert answer.value == "hubspot"
    assert answer.extra["also"] == "salesforce"
    assert answer.confidence < _read("crm", "hubspot").confidence
    assert answer.reason == "'hubspot' = hubspot (also named: salesforce)"


def test_the_option_they_affirm_beats_the_first_mentioned() -> None:
    answer = _read("crm", "we tried pipedrive, now we mainly use zoho")
    assert answer.value == "zoho"
    assert answer.extra["also"] == "pipedrive"
    assert _read("crm", "hubspot and salesforce").confidence < answer.confidence < _read("crm", "zoho").confidence


def test_denied_option_is_not_the_answer_and_is_noted() -> None:
    answer = _read("crm", "we don't use Salesforce, we use HubSpot")
    assert answer.value == "hubspot"
    assert answer.extra["not"] == "salesforce"
    assert "also" not in answer.extra
    assert answer.confidence == _read("crm", "HubSpot").confidence


def test_a_negative_option_is_not_denied_by_its_own_words() -> None:
    # Marketing may list "none" as a choice; "ningún" is then part of the synonym, not a negation.
    choices = {**CRITERIA["crm"], "none": {"en": ["no crm", "none"], "es": ["ningún crm", "ninguno"]}}
    assert parse_choice("no usamos ningún CRM", name="crm", choices=choices).value == "none"
    assert parse_choice("No CRM yet", name="crm", choices=choices).value == "none"


def test_typo_is_forgiven_less_surely_and_only_when_asked() -> None:
    typo = _read("crm", "hubspt")
    assert typo.value == "hubspot"
    assert typo.confidence < _read("crm", "hubspot").confidence
    assert _read("crm", "we use hubspt", strict=True).kind is Kind.UNKNOWN
    assert _read("industry", "pago").value == "fintech"  # a plural's singular is no typo
    assert _read("industry", "banco").kind is Kind.UNKNOWN  # under five letters: no typo allowed


def test_everyday_word_synonym_counts_only_in_capitals() -> None:
    assert _read("country", "US").value == "usa"
    assert _read("country", "contact us in Spain").value == "spain"
    assert "also" not in _read("country", "contact us in Spain").extra


def test_span_and_reason_quote_the_synonym_as_written() -> None:
    text = "Hola, usamos HubSpot"
    answer = _read("crm", text)
    assert answer.span is not None
    assert text[answer.span[0] : answer.span[1]] == "HubSpot"
    assert answer.reason == "'HubSpot' = hubspot"
    assert answer.extra["said"] == "HubSpot"


def test_synonyms_of_every_language_match_any_message() -> None:
    assert _read("country", "we're from España").value == "spain"
    assert _read("country", "somos de Spain").value == "spain"
