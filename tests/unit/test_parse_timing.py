"""Timing parser: table of real phrasings plus the documented conventions.

Table rows are answers to "when do you plan to buy?" read on 2026-11-27 (lenient mode).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from bot.parse.base import Criterion, Kind
from bot.parse.timing import parse_timing

TODAY = dt.date(2026, 11, 27)
TABLE = yaml.safe_load((Path(__file__).parent / "phrasings" / "timing.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("text", "kind", "value"), TABLE, ids=[row[0] for row in TABLE])
def test_timing_phrasing_is_read_as_expected(text: str, kind: str, value: float | None) -> None:
    answer = parse_timing(text, today=TODAY)
    assert answer.criterion is Criterion.TIMING
    assert answer.kind is Kind(kind), answer.reason
    if value is None:
        assert answer.value is None
    else:
        assert answer.value == pytest.approx(value, abs=0.05), answer.reason
    assert answer.raw == text


@pytest.mark.parametrize("month", range(1, 13))
@pytest.mark.parametrize("day", [1, 15, 28])
def test_next_quarter_is_always_within_three_months(month: int, day: int) -> None:
    today = dt.date(2026, month, day)
    for text in ("next quarter", "el próximo trimestre"):
        value = parse_timing(text, today=today).value
        assert isinstance(value, float)
        assert 0.5 <= value <= 3.0


def test_next_quarter_counts_to_the_start_of_the_next_calendar_quarter() -> None:
    assert parse_timing("next quarter", today=dt.date(2026, 10, 1)).value == 3.0
    assert parse_timing("next quarter", today=dt.date(2026, 2, 1)).value == 2.0


def test_past_month_means_next_year() -> None:
    assert parse_timing("by March", today=dt.date(2026, 5, 1)).value == 10.0


def test_passed_quarter_means_next_year() -> None:
    assert parse_timing("Q1", today=dt.date(2026, 5, 1)).value == 8.0


def test_next_year_is_the_middle_of_next_year() -> None:
    assert parse_timing("next year", today=dt.date(2026, 1, 1)).value == 18.0


def test_nothing_is_sooner_than_half_a_month() -> None:
    assert parse_timing("tomorrow", today=TODAY).value == 0.5
    assert parse_timing("in 3 days", today=TODAY).value == 0.5


@pytest.mark.parametrize(
    "text", ["right now we use Excel", "ya tenemos un CRM", "we never get good leads", "not sure", "depends", "3"]
)
def test_strict_mode_ignores_vague_words(text: str) -> None:
    assert not parse_timing(text, today=TODAY, strict=True).understood


def test_hedged_timing_has_lower_confidence() -> None:
    assert (
        parse_timing("maybe next month?", today=TODAY).confidence < parse_timing("next month", today=TODAY).confidence
    )


def test_reason_states_the_months() -> None:
    assert parse_timing("next quarter", today=TODAY).reason == "'next quarter' = 1.15 months"
