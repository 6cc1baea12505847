"""read_message: every criterion in one message, without cross-talk between parsers.

The expected criterion is lenient and always present; the others only when understood.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from bot.parse import read_message
from bot.parse.base import Criterion, Kind
from bot.parse.need import NeedLexicon

TODAY = dt.date(2026, 11, 27)
LEXICON = NeedLexicon.from_mapping(
    yaml.safe_load((Path(__file__).parent / "phrasings" / "need_lexicon.yml").read_text(encoding="utf-8"))
)


def test_one_message_answers_all_four_criteria() -> None:
    text = (
        "Hi, I'm the CTO at Acme, our reps waste hours on bad leads, we have about 30k a year "
        "and want something live next quarter"
    )
    found = read_message(text, today=TODAY, lexicon=LEXICON)
    assert found[Criterion.ROLE].value == "decision_maker"
    assert found[Criterion.NEED].value == "pain"
    assert found[Criterion.BUDGET].value == 30000
    timing = found[Criterion.TIMING].value
    assert isinstance(timing, float) and timing <= 3


def test_spanish_message_answers_all_four_criteria() -> None:
    text = "Soy la directora comercial, perdemos tiempo con leads malos, unos 2.000 € al mes, para marzo"
    found = read_message(text, today=TODAY, lexicon=LEXICON)
    assert found[Criterion.ROLE].value == "decision_maker"
    assert found[Criterion.NEED].value == "pain"
    assert found[Criterion.BUDGET].value == 24000
    assert found[Criterion.TIMING].value == pytest.approx(3.15)


@pytest.mark.parametrize("text", ["30k a year", "2.000 € al mes", "we pay 500 per month", "5k/year"])
def test_money_is_not_read_as_timing(text: str) -> None:
    found = read_message(text, today=TODAY, lexicon=LEXICON)
    assert Criterion.TIMING not in found
    assert found[Criterion.BUDGET].kind is Kind.VALUE


def test_next_quarter_is_not_a_budget() -> None:
    found = read_message("next quarter", today=TODAY, lexicon=LEXICON, expected=Criterion.BUDGET)
    assert not found[Criterion.BUDGET].understood
    assert found[Criterion.TIMING].value == pytest.approx(1.15)


def test_bare_number_is_budget_only_when_budget_was_asked() -> None:
    assert read_message("20", today=TODAY, lexicon=LEXICON) == {}
    found = read_message("20", today=TODAY, lexicon=LEXICON, expected=Criterion.BUDGET)
    assert found[Criterion.BUDGET].value == 20000


def test_expected_criterion_is_returned_even_when_unknown() -> None:
    found = read_message("3", today=TODAY, lexicon=LEXICON, expected=Criterion.TIMING)
    assert list(found) == [Criterion.TIMING]
    assert found[Criterion.TIMING].kind is Kind.UNKNOWN


def test_expected_criterion_accepts_bare_answers() -> None:
    assert read_message("CEO", today=TODAY, lexicon=LEXICON, expected=Criterion.ROLE)[Criterion.ROLE].understood
    found = read_message("asap", today=TODAY, lexicon=LEXICON, expected=Criterion.TIMING)
    assert found[Criterion.TIMING].value == 0.5


def test_vague_words_volunteered_are_not_answers() -> None:
    assert read_message("not sure, depends", today=TODAY, lexicon=LEXICON) == {}


def test_answers_keep_the_full_message_as_raw() -> None:
    text = "budget 30k a year, next month"
    found = read_message(text, today=TODAY, lexicon=LEXICON)
    assert all(answer.raw == text for answer in found.values())
