"""Parser invariants checked with hypothesis, hostile inputs, and the throughput budget.

Parsers face raw visitor text: they must never raise, stay monotonic, and stay fast.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parse import read_message
from bot.parse.base import Criterion
from bot.parse.money import parse_budget
from bot.parse.need import NeedLexicon, parse_need
from bot.parse.role import parse_role
from bot.parse.timing import parse_timing

TODAY = dt.date(2026, 11, 27)
LEXICON = NeedLexicon.from_mapping(
    yaml.safe_load((Path(__file__).parent / "phrasings" / "need_lexicon.yml").read_text(encoding="utf-8"))
)
HOSTILE = {
    "empty": "",
    "spaces": "   \n\t ",
    "huge": "lead " * 2000 + "30k a year",
    "huge_digits": "9" * 10_000,
    "emoji": "🚀🔥💰🤷‍♂️",
    "html": "<script>alert('x')</script><b>CEO</b>",
    "sql": "'; DROP TABLE leads; --",
    "binary": "\x00\x01\xff\ufffd\ud800garbage",
    "numbers_soup": "1-2-3-4-5 6,7.8,9 10k-20k-30k $$$ €€€",
    "years": "2027 2028 20000 Q9 H3 32/13/2027",
}


def _parse_all(text: str, strict: bool) -> None:
    for answer in (
        parse_budget(text, strict=strict),
        parse_timing(text, today=TODAY, strict=strict),
        parse_role(text, strict=strict),
        parse_need(text, lexicon=LEXICON, strict=strict),
    ):
        assert answer.raw == text
        assert 0.0 <= answer.confidence <= 1.0
        assert answer.reason


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.booleans())
def test_parsers_never_raise_on_arbitrary_text(text: str, strict: bool) -> None:
    _parse_all(text, strict)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["k", "mil", "€", "$", "-", " ", "q3", "next", "year", "mes", "2.000,5", "1,5", "ish", "a", "y", "20", "0"]
        ),
        max_size=25,
    )
)
def test_parsers_never_raise_on_token_soup(tokens: list[str]) -> None:
    _parse_all("".join(tokens), strict=False)


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_returns_quickly_without_raising(text: str) -> None:
    started = time.perf_counter()
    _parse_all(text, strict=False)
    read_message(text, today=TODAY, lexicon=LEXICON)
    # Generous bound: it catches runaway regex backtracking, not a slow shared CI machine.
    assert time.perf_counter() - started < 5


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=10_000_000), st.integers(min_value=1, max_value=10_000_000))
def test_budget_is_monotonic_in_the_stated_amount(low: int, high: int) -> None:
    low, high = sorted((low, high))
    first = parse_budget(f"{low} euros per year").value
    second = parse_budget(f"{high} euros per year").value
    assert isinstance(first, float) and isinstance(second, float)
    assert first <= second


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=120), st.integers(min_value=1, max_value=120))
def test_timing_grows_with_the_months_stated(low: int, high: int) -> None:
    low, high = sorted((low, high))
    first = parse_timing(f"in {low} months", today=TODAY).value
    second = parse_timing(f"in {high} months", today=TODAY).value
    assert isinstance(first, float) and isinstance(second, float)
    assert first <= second
    if low < high:
        assert first < second


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2040, 12, 31)))
def test_next_quarter_is_within_three_months_on_any_date(today: dt.date) -> None:
    value = parse_timing("next quarter", today=today).value
    assert isinstance(value, float) and 0.5 <= value <= 3.0


# No student here: a student's message is "none" whatever pain it names (tested in test_parse_need).
ROLES = ["I'm the CTO", "soy la directora comercial", "I'm an engineer", "soy becario", "my boss decides"]
NEEDS = ["our reps waste hours on bad leads", "perdemos tiempo con leads malos", "just curious"]
BUDGETS = ["about 30k a year", "2.000 € al mes", "$15-25k", "no budget"]
TIMINGS = ["next quarter", "para marzo", "in 6 weeks", "no tenemos planes"]


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(ROLES),
    st.sampled_from(NEEDS),
    st.sampled_from(BUDGETS),
    st.sampled_from(TIMINGS),
    st.permutations(range(4)),
)
def test_read_message_finds_each_answer_in_a_concatenation(
    role: str, need: str, budget: str, timing: str, order: list[int]
) -> None:
    parts = [role, need, budget, timing]
    text = ", ".join(parts[i] for i in order)
    found = read_message(text, today=TODAY, lexicon=LEXICON)
    assert found[Criterion.ROLE].value == parse_role(role).value
    assert found[Criterion.NEED].value == parse_need(need, lexicon=LEXICON).value
    assert found[Criterion.BUDGET].kind is parse_budget(budget).kind
    assert found[Criterion.BUDGET].value == parse_budget(budget).value
    assert found[Criterion.TIMING].kind is parse_timing(timing, today=TODAY).kind
    assert found[Criterion.TIMING].value == parse_timing(timing, today=TODAY).value
